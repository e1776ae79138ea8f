//! `define-record-type`, rewritten as definitions over the record natives.

use super::{err, CResult, CompileError, Expander};
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};

impl Expander<'_> {
    /// `(define-record-type name (ctor field ...) pred (field accessor [modifier]) ...)`
    /// as a `begin` of definitions over the record natives.
    pub(super) fn record_type_definition(&self, args: &[Syn], span: Span) -> CResult<Syn> {
        let [tname, ctor, pred, fields @ ..] = args else {
            return err(span, "define-record-type: expected (define-record-type name (ctor field ...) pred field-spec ...)");
        };
        let sym = |s: &str| Syn::sym(Symbol::intern(s), span);
        let quote = |x: Syn| Syn::list(vec![sym("quote"), x], span);
        let define = |n: Syn, v: Syn| Syn::list(vec![sym("define"), n, v], span);
        let tname_sym = match &tname.e {
            Sexp::Sym(_) => tname.clone(),
            Sexp::List(items, _) => items[0].clone(),
            _ => return err(span, "define-record-type: bad type name"),
        };
        let mut field_names = Vec::new();
        let mut forms = vec![sym("begin")];
        for f in fields {
            let parts = match &f.e {
                Sexp::Sym(_) => vec![f.clone()],
                _ => f
                    .as_list()
                    .map(<[Syn]>::to_vec)
                    .ok_or_else(|| CompileError {
                        message: format!("define-record-type: bad field spec {f}"),
                        span: f.span,
                    })?,
            };
            field_names.push(parts[0].clone());
        }
        let printed_name = Syn::new(
            Sexp::Sym(tname_sym.as_sym().unwrap_or(Symbol::intern("record"))),
            span,
        );
        forms.push(define(
            tname_sym.clone(),
            Syn::list(
                vec![
                    sym("%make-record-type"),
                    quote(printed_name),
                    quote(Syn::list(field_names.clone(), span)),
                ],
                span,
            ),
        ));
        match &ctor.e {
            Sexp::List(items, None) => forms.push(define(
                items[0].clone(),
                Syn::list(
                    vec![
                        sym("%record-constructor"),
                        tname_sym.clone(),
                        quote(Syn::list(items[1..].to_vec(), span)),
                    ],
                    span,
                ),
            )),
            Sexp::Sym(_) => forms.push(define(
                ctor.clone(),
                Syn::list(
                    vec![
                        sym("%record-constructor"),
                        tname_sym.clone(),
                        quote(Syn::list(field_names.clone(), span)),
                    ],
                    span,
                ),
            )),
            _ => {}
        }
        if pred.as_sym().is_some() {
            forms.push(define(
                pred.clone(),
                Syn::list(vec![sym("%record-predicate"), tname_sym.clone()], span),
            ));
        }
        for f in fields {
            let Some(parts) = f.as_list() else { continue };
            if let Some(acc) = parts.get(1) {
                forms.push(define(
                    acc.clone(),
                    Syn::list(
                        vec![
                            sym("%record-accessor"),
                            tname_sym.clone(),
                            quote(parts[0].clone()),
                        ],
                        span,
                    ),
                ));
            }
            if let Some(m) = parts.get(2) {
                forms.push(define(
                    m.clone(),
                    Syn::list(
                        vec![
                            sym("%record-modifier"),
                            tname_sym.clone(),
                            quote(parts[0].clone()),
                        ],
                        span,
                    ),
                ));
            }
        }
        Ok(Syn::list(forms, span))
    }
}
