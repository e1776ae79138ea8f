//! `cond-expand` and the feature identifiers it recognises.

use super::{CResult, Expander};
use crate::compile::deep;
use crate::compile::tree::Node;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Span, Syn};
use crate::run::value::Value;

/// Feature identifiers `cond-expand` recognises (also returned by `(features)`).
const FEATURES: &[&str] = &[
    "r7rs",
    "exact-closed",
    "exact-complex",
    "ratios",
    "full-unicode",
    "sigil",
];

/// Whether a `cond-expand` feature requirement holds.
pub(crate) fn feature_holds(req: &Syn) -> bool {
    if let Some(s) = req.as_sym() {
        let s = s.strip();
        return s.is("else") || FEATURES.iter().any(|f| s.is(f));
    }
    let Some((head, rest)) = req.as_list().and_then(|l| l.split_first()) else {
        return false;
    };
    match head.as_sym().map(|h| h.strip().to_string()).as_deref() {
        Some("and") => rest.iter().all(|r| deep(|| feature_holds(r))),
        Some("or") => rest.iter().any(|r| deep(|| feature_holds(r))),
        Some("not") => rest.len() == 1 && !deep(|| feature_holds(&rest[0])),
        Some("library") => rest.first().and_then(Syn::as_list).is_some_and(|name| {
            name.first().and_then(Syn::as_sym).is_some_and(|s| {
                s.strip().is("scheme") || s.strip().is("sigil") || s.strip().is("srfi")
            })
        }),
        _ => false,
    }
}

impl Expander<'_> {
    /// `(cond-expand (requirement body ...) ...)`: the body of the first clause whose
    /// feature requirement holds.
    pub(super) fn expand_cond_expand(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        let chosen = args.iter().find_map(|clause| {
            let parts = clause.as_list()?;
            let (req, body) = parts.split_first()?;
            feature_holds(req).then_some(body)
        });
        match chosen {
            Some(body) => {
                let mut items = vec![Syn::sym(Symbol::intern("begin"), span)];
                items.extend(body.iter().cloned());
                self.expand(&Syn::list(items, span))
            }
            None => Ok(Node::Const(Value::Unspecified)),
        }
    }
}
