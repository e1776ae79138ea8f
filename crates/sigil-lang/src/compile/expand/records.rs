//! `define-record-type`, rewritten as definitions over the record natives. Every part of
//! the form is checked first: a malformed definition is a syntax error naming the part.

use super::{err, CResult, Expander};
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};

/// One field spec: the field's name, its accessor and its modifier.
struct FieldSpec {
    name: Syn,
    accessor: Option<Syn>,
    modifier: Option<Syn>,
}

const USAGE: &str =
    "define-record-type: expected (define-record-type name (ctor field ...) pred field-spec ...)";

/// The symbol `x` is, or a syntax error saying what `what` should have been.
fn identifier(x: &Syn, what: &str) -> CResult<Symbol> {
    x.as_sym().map_or_else(
        || err(x.span, format!("define-record-type: bad {what} {x}")),
        Ok,
    )
}

/// `field`, `(field)`, `(field accessor)` or `(field accessor modifier)`.
fn field_spec(f: &Syn) -> CResult<FieldSpec> {
    if f.as_sym().is_some() {
        return Ok(FieldSpec {
            name: f.clone(),
            accessor: None,
            modifier: None,
        });
    }
    match f.as_list() {
        Some([name, procs @ ..]) if procs.len() <= 2 => {
            identifier(name, "field name")?;
            for p in procs {
                identifier(p, "field procedure name")?;
            }
            Ok(FieldSpec {
                name: name.clone(),
                accessor: procs.first().cloned(),
                modifier: procs.get(1).cloned(),
            })
        }
        _ => err(f.span, format!("define-record-type: bad field spec {f}")),
    }
}

impl Expander<'_> {
    /// `(define-record-type name (ctor field ...) pred (field accessor [modifier]) ...)`
    /// as a `begin` of definitions over the record natives. The name may be `(name ...)`,
    /// the constructor a bare name (taking every field) or `#f` (none), the predicate
    /// `#f` (none).
    pub(super) fn record_type_definition(&self, args: &[Syn], span: Span) -> CResult<Syn> {
        let [tname, ctor, pred, fields @ ..] = args else {
            return err(span, USAGE);
        };
        let sym = |s: &str| Syn::sym(Symbol::intern(s), span);
        let quote = |x: Syn| Syn::list(vec![sym("quote"), x], span);
        let define = |n: Syn, v: Syn| Syn::list(vec![sym("define"), n, v], span);
        let call = |f: &str, args: Vec<Syn>| Syn::list([vec![sym(f)], args].concat(), span);
        let type_name = match tname.as_list() {
            Some([first, ..]) => first.clone(),
            _ => tname.clone(),
        };
        let printed = identifier(&type_name, "type name")?.strip();
        let specs = fields.iter().map(field_spec).collect::<CResult<Vec<_>>>()?;
        let field_names: Vec<Syn> = specs.iter().map(|s| s.name.clone()).collect();
        for (i, f) in field_names.iter().enumerate() {
            let name = f.as_sym().map(Symbol::strip);
            if field_names[..i]
                .iter()
                .any(|g| g.as_sym().map(Symbol::strip) == name)
            {
                return err(f.span, format!("define-record-type: duplicate field {f}"));
            }
        }
        let mut forms = vec![
            sym("begin"),
            define(
                type_name.clone(),
                call(
                    "%make-record-type",
                    vec![
                        quote(Syn::sym(printed, span)),
                        quote(Syn::list(field_names.clone(), span)),
                    ],
                ),
            ),
        ];
        let ctor_parts = match (&ctor.e, ctor.as_list()) {
            (Sexp::Bool(false), _) => None,
            (Sexp::Sym(_), _) => Some((ctor.clone(), field_names.clone())),
            (_, Some([name, args @ ..])) => {
                identifier(name, "constructor name")?;
                for a in args {
                    let known = field_names
                        .iter()
                        .any(|f| f.as_sym().map(Symbol::strip) == a.as_sym().map(Symbol::strip));
                    if !known {
                        return err(
                            a.span,
                            format!("define-record-type: constructor argument {a} is not a field"),
                        );
                    }
                }
                Some((name.clone(), args.to_vec()))
            }
            _ => {
                return err(
                    ctor.span,
                    format!("define-record-type: bad constructor {ctor}"),
                )
            }
        };
        if let Some((name, args)) = ctor_parts {
            let names = quote(Syn::list(args, span));
            forms.push(define(
                name,
                call("%record-constructor", vec![type_name.clone(), names]),
            ));
        }
        match &pred.e {
            Sexp::Bool(false) => {}
            _ => {
                identifier(pred, "predicate name")?;
                forms.push(define(
                    pred.clone(),
                    call("%record-predicate", vec![type_name.clone()]),
                ));
            }
        }
        for spec in specs {
            let procs = [
                ("%record-accessor", spec.accessor),
                ("%record-modifier", spec.modifier),
            ];
            for (native, name) in procs {
                if let Some(name) = name {
                    let field = quote(spec.name.clone());
                    forms.push(define(name, call(native, vec![type_name.clone(), field])));
                }
            }
        }
        Ok(Syn::list(forms, span))
    }
}
