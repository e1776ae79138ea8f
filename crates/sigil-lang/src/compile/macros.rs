//! `syntax-rules` pattern matching and template expansion.
//!
//! Hygiene is approximated by renaming: every symbol a template introduces (one that is not a
//! pattern variable) becomes a fresh alias for the duration of one expansion. The compiler
//! resolves an alias to a binding the same expansion introduced if there is one, and otherwise
//! to whatever its base name means, so macro-introduced temporaries never capture user
//! variables and free names in templates still reach the globals and special forms.

use crate::compile::deep;
use crate::read::symbol::{FastMap, Symbol};
use crate::read::syntax::{Sexp, Span, Syn};
use std::rc::Rc;

/// A `syntax-rules` macro.
pub struct Macro {
    /// The keyword it is bound to, for messages.
    pub name: Symbol,
    literals: Vec<Symbol>,
    ellipsis: Symbol,
    rules: Vec<(Syn, Syn)>,
    /// Lexical scopes around the definition (0 at top level); see [`Symbol::fresh_alias`].
    depth: u32,
    /// The library environment free names of the template refer to (0: the using module).
    pub env: std::cell::Cell<u32>,
}

#[derive(Clone, Debug)]
enum Binding {
    One(Syn),
    Many(Vec<Binding>),
}

type Binds = FastMap<Symbol, Binding>;

/// Whether an identifier of the macro use means the same as a literal of the macro (the
/// expander compares their bindings: free-identifier=?).
pub type SameBinding<'a> = &'a dyn Fn(Symbol, Symbol) -> bool;

/// Splits a list-shaped node into its items and improper tail.
fn list_parts(x: &Syn) -> Option<(&[Syn], Option<&Syn>)> {
    match &x.e {
        Sexp::Nil => Some((&[], None)),
        Sexp::List(items, tail) => Some((items, tail.as_deref())),
        _ => None,
    }
}

fn datum_eq(a: &Syn, b: &Syn) -> bool {
    match (&a.e, &b.e) {
        (Sexp::Nil, Sexp::Nil) => true,
        (Sexp::Bool(x), Sexp::Bool(y)) => x == y,
        (Sexp::Int(x), Sexp::Int(y)) => x == y,
        (Sexp::Float(x), Sexp::Float(y)) => x == y,
        (Sexp::Char(x), Sexp::Char(y)) => x == y,
        (Sexp::Str(x), Sexp::Str(y)) => x == y,
        (Sexp::Big(x), Sexp::Big(y)) => x == y,
        (Sexp::Number(x), Sexp::Number(y)) => x == y,
        _ => false,
    }
}

/// The list of `items` followed by `tail` (a list it continues, or the improper tail).
fn cons_star(mut items: Vec<Syn>, tail: Option<Rc<Syn>>, span: Span) -> Syn {
    let tail = match tail.as_deref().map(|t| &t.e) {
        Some(Sexp::Nil) => None,
        Some(Sexp::List(more, rest)) => {
            items.extend(more.iter().cloned());
            rest.clone()
        }
        _ => tail,
    };
    match (items.is_empty(), tail) {
        (true, None) => Syn::new(Sexp::Nil, span),
        (true, Some(t)) => (*t).clone(),
        (false, tail) => Syn::new(Sexp::List(items.into(), tail), span),
    }
}

impl Macro {
    /// Builds a macro from a `(syntax-rules ...)` form.
    pub fn from_syntax_rules(name: Symbol, spec: &Syn, depth: u32) -> Result<Macro, String> {
        let items = spec.as_list().ok_or("syntax-rules: expected a list")?;
        let mut rest = &items[1..];
        let mut ellipsis = Symbol::intern("...");
        if let Some(s) = rest.first().and_then(Syn::as_sym) {
            ellipsis = s;
            rest = &rest[1..];
        }
        let lits = rest
            .first()
            .and_then(Syn::as_list)
            .ok_or("syntax-rules: expected a list of literals")?;
        let literals = lits
            .iter()
            .map(|l| l.as_sym().ok_or("syntax-rules: literals must be symbols"))
            .collect::<Result<Vec<_>, _>>()?;
        let mut rules = Vec::new();
        for r in &rest[1..] {
            match r.as_list() {
                Some([pat, tmpl]) => rules.push((pat.clone(), tmpl.clone())),
                _ => return Err("syntax-rules: each rule must be (pattern template)".into()),
            }
        }
        Ok(Macro {
            name,
            literals,
            ellipsis,
            rules,
            depth,
            env: Default::default(),
        })
    }

    /// Lexical scopes around the definition (see [`Symbol::fresh_alias`]).
    pub fn depth(&self) -> u32 {
        self.depth
    }

    /// Expands one use of the macro; `same` tells whether an identifier of the use is a
    /// literal of the macro.
    pub fn expand(&self, form: &Syn, same: SameBinding) -> Result<Syn, String> {
        for (pat, tmpl) in &self.rules {
            let mut binds = Binds::default();
            // The keyword position is ignored.
            let (pitems, ptail) = list_parts(pat).ok_or("syntax-rules: pattern must be a list")?;
            let (fitems, ftail) = list_parts(form).ok_or("bad macro use")?;
            if pitems.is_empty() || fitems.is_empty() {
                continue;
            }
            let (pats, forms) = ((&pitems[1..], ptail), (&fitems[1..], ftail));
            if self.match_seq(pats, forms, form.span, &mut binds, same) {
                let mut renames = FastMap::default();
                return self.instantiate(tmpl, &binds, &mut renames, form.span);
            }
        }
        Err(format!(
            "{}: no syntax-rules pattern matches {}",
            self.name, form
        ))
    }

    /// Whether `x` is the ellipsis (unless the literals list it: then it is a literal). It
    /// is compared by name: a macro that writes a macro writes the ellipsis of the inner
    /// one with `(... ...)`, which renames it like every symbol it introduces.
    fn is_ellipsis(&self, x: &Syn) -> bool {
        x.as_sym().is_some_and(|s| self.is_ellipsis_symbol(s))
    }

    fn is_ellipsis_symbol(&self, s: Symbol) -> bool {
        let e = self.ellipsis.strip();
        s.strip() == e && !self.literals.iter().any(|l| l.strip() == e)
    }

    fn match_one(&self, pat: &Syn, form: &Syn, binds: &mut Binds, same: SameBinding) -> bool {
        deep(|| self.match_one_here(pat, form, binds, same))
    }

    fn match_one_here(&self, pat: &Syn, form: &Syn, binds: &mut Binds, same: SameBinding) -> bool {
        match &pat.e {
            Sexp::Sym(s) => {
                // A literal (even `_`) matches the identifier that means the same; `_`
                // matches anything and binds nothing.
                if self.literals.contains(s) {
                    form.as_sym().is_some_and(|f| same(f, *s))
                } else if s.strip().is("_") {
                    true
                } else {
                    binds.insert(*s, Binding::One(form.clone()));
                    true
                }
            }
            Sexp::Nil | Sexp::List(..) => match (list_parts(pat), list_parts(form)) {
                (Some((pi, pt)), Some((fi, ft))) => {
                    self.match_seq((pi, pt), (fi, ft), form.span, binds, same)
                }
                _ => false,
            },
            Sexp::Vector(pi) => match &form.e {
                Sexp::Vector(fi) => self.match_seq((pi, None), (fi, None), form.span, binds, same),
                _ => false,
            },
            _ => datum_eq(pat, form),
        }
    }

    /// Matches the items and tail of a list (or vector) pattern against those of a form.
    fn match_seq(
        &self,
        (pats, ptail): (&[Syn], Option<&Syn>),
        (forms, ftail): (&[Syn], Option<&Syn>),
        span: Span,
        binds: &mut Binds,
        same: SameBinding,
    ) -> bool {
        if let Some(ei) = pats.iter().position(|p| self.is_ellipsis(p)) {
            if ei == 0 {
                return false;
            }
            let before = &pats[..ei - 1];
            let rep = &pats[ei - 1];
            let after = &pats[ei + 1..];
            if forms.len() < before.len() + after.len() {
                return false;
            }
            for (p, f) in before.iter().zip(forms) {
                if !self.match_one(p, f, binds, same) {
                    return false;
                }
            }
            let n_rep = forms.len() - before.len() - after.len();
            let mut reps = Vec::new();
            for f in &forms[before.len()..before.len() + n_rep] {
                let mut b = Binds::default();
                if !self.match_one(rep, f, &mut b, same) {
                    return false;
                }
                reps.push(b);
            }
            for v in self.pattern_vars(rep) {
                let items = reps
                    .iter_mut()
                    .map(|b| b.remove(&v).unwrap_or(Binding::Many(vec![])))
                    .collect();
                binds.insert(v, Binding::Many(items));
            }
            let rest_forms = &forms[before.len() + n_rep..];
            return self.match_seq((after, ptail), (rest_forms, ftail), span, binds, same);
        }
        if forms.len() < pats.len() {
            return false;
        }
        for (p, f) in pats.iter().zip(forms) {
            if !self.match_one(p, f, binds, same) {
                return false;
            }
        }
        let rest = &forms[pats.len()..];
        match ptail {
            None => rest.is_empty() && ftail.is_none(),
            Some(pt) => {
                let remaining = if rest.is_empty() {
                    ftail.cloned().unwrap_or(Syn::new(Sexp::Nil, span))
                } else {
                    Syn::new(
                        Sexp::List(rest.into(), ftail.map(|t| Rc::new(t.clone()))),
                        span,
                    )
                };
                self.match_one(pt, &remaining, binds, same)
            }
        }
    }

    fn pattern_vars(&self, pat: &Syn) -> Vec<Symbol> {
        let mut out = Vec::new();
        self.collect_vars(pat, &mut out);
        out
    }

    fn collect_vars(&self, pat: &Syn, out: &mut Vec<Symbol>) {
        deep(|| self.collect_vars_here(pat, out))
    }

    fn collect_vars_here(&self, pat: &Syn, out: &mut Vec<Symbol>) {
        match &pat.e {
            Sexp::Sym(s)
                if !s.strip().is("_")
                    && !self.is_ellipsis_symbol(*s)
                    && !self.literals.contains(s) =>
            {
                out.push(*s);
            }
            Sexp::List(items, tail) => {
                items.iter().for_each(|i| self.collect_vars(i, out));
                if let Some(t) = tail {
                    self.collect_vars(t, out);
                }
            }
            Sexp::Vector(items) => items.iter().for_each(|i| self.collect_vars(i, out)),
            _ => {}
        }
    }

    fn instantiate(
        &self,
        t: &Syn,
        binds: &Binds,
        renames: &mut FastMap<Symbol, Symbol>,
        span: Span,
    ) -> Result<Syn, String> {
        deep(|| self.instantiate_here(t, binds, renames, span))
    }

    fn instantiate_here(
        &self,
        t: &Syn,
        binds: &Binds,
        renames: &mut FastMap<Symbol, Symbol>,
        span: Span,
    ) -> Result<Syn, String> {
        match &t.e {
            Sexp::Sym(s) => match binds.get(s) {
                Some(Binding::One(x)) => Ok(x.clone()),
                Some(Binding::Many(_)) => Err(format!(
                    "{}: pattern variable {} used without an ellipsis",
                    self.name, s
                )),
                None => {
                    let alias = *renames
                        .entry(*s)
                        .or_insert_with(|| Symbol::fresh_alias(*s, self.depth, self.env.get()));
                    Ok(Syn::sym(alias, span))
                }
            },
            Sexp::List(items, tail) => {
                if items.len() == 2 && self.is_ellipsis(&items[0]) && tail.is_none() {
                    // (... template): ellipses inside are literal
                    let inner = Macro {
                        name: self.name,
                        literals: self.literals.clone(),
                        ellipsis: Symbol::intern("\u{0}no-ellipsis"),
                        rules: vec![],
                        depth: self.depth,
                        env: self.env.clone(),
                    };
                    return inner.instantiate(&items[1], binds, renames, span);
                }
                let out = self.instantiate_seq(items, binds, renames, span)?;
                let tail = match tail {
                    Some(t) => Some(Rc::new(self.instantiate(t, binds, renames, span)?)),
                    None => None,
                };
                Ok(cons_star(out, tail, span))
            }
            Sexp::Vector(items) => {
                let out = self.instantiate_seq(items, binds, renames, span)?;
                Ok(Syn::new(Sexp::Vector(out.into()), span))
            }
            _ => Ok(Syn::new(t.e.clone(), span)),
        }
    }

    fn instantiate_seq(
        &self,
        items: &[Syn],
        binds: &Binds,
        renames: &mut FastMap<Symbol, Symbol>,
        span: Span,
    ) -> Result<Vec<Syn>, String> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < items.len() {
            let mut depth = 0;
            while i + 1 + depth < items.len() && self.is_ellipsis(&items[i + 1 + depth]) {
                depth += 1;
            }
            if depth == 0 {
                out.push(self.instantiate(&items[i], binds, renames, span)?);
            } else {
                self.instantiate_repeated(&items[i], binds, depth, renames, span, &mut out)?;
            }
            i += 1 + depth;
        }
        Ok(out)
    }

    fn instantiate_repeated(
        &self,
        t: &Syn,
        binds: &Binds,
        depth: usize,
        renames: &mut FastMap<Symbol, Symbol>,
        span: Span,
        out: &mut Vec<Syn>,
    ) -> Result<(), String> {
        if depth == 0 {
            out.push(self.instantiate(t, binds, renames, span)?);
            return Ok(());
        }
        let mut vars = Vec::new();
        self.collect_vars(t, &mut vars);
        let iterated: Vec<Symbol> = vars
            .into_iter()
            .filter(|v| matches!(binds.get(v), Some(Binding::Many(_))))
            .collect();
        if iterated.is_empty() {
            return Err(format!(
                "{}: ellipsis follows no pattern variable",
                self.name
            ));
        }
        let len = iterated
            .iter()
            .map(|v| match &binds[v] {
                Binding::Many(items) => items.len(),
                Binding::One(_) => 0,
            })
            .max()
            .unwrap_or(0);
        for k in 0..len {
            let mut b = binds.clone();
            for v in &iterated {
                if let Binding::Many(items) = &binds[v] {
                    match items.get(k) {
                        Some(item) => b.insert(*v, item.clone()),
                        None => {
                            return Err(format!(
                                "{}: pattern variables under one ellipsis have different lengths",
                                self.name
                            ))
                        }
                    };
                }
            }
            self.instantiate_repeated(t, &b, depth - 1, renames, span, out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::reader::read_all;

    fn expand(def: &str, usage: &str) -> String {
        let d = &read_all(def, 0).unwrap()[0];
        let m = Macro::from_syntax_rules(Symbol::intern("m"), d, 0).unwrap();
        let u = &read_all(usage, 0).unwrap()[0];
        m.expand(u, &|a, b| a.strip() == b.strip())
            .unwrap()
            .to_string()
    }

    #[test]
    fn ellipsis_and_literals() {
        assert_eq!(
            expand(
                "(syntax-rules () ((_ (a b) ...) (list (cons a b) ...)))",
                "(m (1 2) (3 4))"
            ),
            "(list (cons 1 2) (cons 3 4))"
        );
        assert_eq!(
            expand(
                "(syntax-rules (=>) ((_ a => b) (b a)) ((_ a) a))",
                "(m 1 => f)"
            ),
            "(f 1)"
        );
        assert_eq!(
            expand(
                "(syntax-rules () ((_ (a ...) ...) '(a ... ...)))",
                "(m (1 2) (3))"
            ),
            "(quote (1 2 3))"
        );
        assert_eq!(
            expand("(syntax-rules () ((_ a . rest) 'rest))", "(m 1 2 3)"),
            "(quote (2 3))"
        );
        assert_eq!(
            expand("(syntax-rules () ((_ #(a ...)) (+ a ...)))", "(m #(1 2))"),
            "(+ 1 2)"
        );
    }
}
