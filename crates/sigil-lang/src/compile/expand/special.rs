//! The special forms: which keyword expands how, and the core forms themselves (`quote`,
//! `if`, `define`, `set!`, `lambda`, `begin` and bodies with internal definitions,
//! `define-syntax` and `let-syntax`). Derived forms are in `derived`.

use super::scopes::Binding;
use super::{err, CResult, CompileError, Expander, Head};
use crate::compile::macros::Macro;
use crate::compile::module::GlobalBinding;
use crate::compile::tree::{Lambda, Node, VarId};
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::value::Value;
use std::rc::Rc;

/// A definition or expression of a body, with the number of macro expansions it came out
/// of.
pub(super) enum BodyItem {
    Define(VarId, Syn, Option<Symbol>, u32),
    Expr(Syn, u32),
}

/// An error if a name occurs twice among the variables one form binds (R7RS: `lambda`
/// parameters, `let`, `letrec` and `do` variables must be distinct).
pub(super) fn distinct<'a>(
    names: impl IntoIterator<Item = &'a Symbol>,
    who: &str,
    span: Span,
) -> CResult<()> {
    let mut seen = Vec::new();
    for name in names {
        if seen.contains(name) {
            return err(span, format!("{who}: duplicate variable {name}"));
        }
        seen.push(*name);
    }
    Ok(())
}

impl Expander<'_> {
    pub(super) fn expand_special(&mut self, name: &str, x: &Syn, items: &[Syn]) -> CResult<Node> {
        let span = x.span;
        let args = &items[1..];
        match name {
            "quote" => match args {
                [d] => Ok(Node::Const(self.quote(d))),
                _ => err(span, "quote: expected one datum"),
            },
            "quasiquote" => match args {
                [d] => self.quasi(d, 1),
                _ => err(span, "quasiquote: expected one template"),
            },
            "if" => self.expand_if(args, span),
            "define" => self.expand_define(x, args),
            "set!" => self.expand_set(args, span),
            "lambda" => match args {
                [formals, body @ ..] if !body.is_empty() => {
                    self.expand_lambda(None, None, formals, body, span)
                }
                _ => err(span, "lambda: expected (lambda formals body ...)"),
            },
            "named-lambda" => self.expand_named_lambda(args, span),
            "begin" => self.expand_begin(args, span),
            "let" => self.expand_let(args, span),
            "let*" => self.expand_let_star(args, span),
            "letrec" | "letrec*" => self.expand_letrec(name, args, span),
            "when" | "unless" => self.expand_when(name, args, span),
            "and" => self.expand_and(args),
            "or" => self.expand_or(args),
            "cond" => self.expand_cond(args),
            "case" => self.expand_case(args, span),
            "do" => self.expand_do(args, span),
            "define-syntax" => self.expand_define_syntax(args, span),
            "let-syntax" | "letrec-syntax" => self.expand_let_syntax(name, args, span),
            "define-record-type" => {
                let expanded = self.record_type_definition(args, span)?;
                self.expand(&expanded)
            }
            "case-lambda" => self.expand_case_lambda(args, span),
            "cond-expand" => self.expand_cond_expand(args, span),
            "syntax-error" => match args {
                // R7RS 4.3.3: an error when the form is expanded, not when it runs.
                [Syn {
                    e: Sexp::Str(message),
                    ..
                }, irritants @ ..] => {
                    let mut text = message.to_string();
                    for x in irritants {
                        text.push_str(&format!(" {x}"));
                    }
                    err(span, text)
                }
                _ => err(
                    span,
                    "syntax-error: expected (syntax-error \"message\" form ...)",
                ),
            },
            _ => err(span, format!("unknown special form {name}")),
        }
    }

    /// `(if test then [else])`.
    pub(super) fn expand_if(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [c, t] => Ok(Node::If(
                Box::new(self.expand(c)?),
                Box::new(self.expand(t)?),
                Box::new(Node::Const(Value::Unspecified)),
            )),
            [c, t, e] => Ok(Node::If(
                Box::new(self.expand(c)?),
                Box::new(self.expand(t)?),
                Box::new(self.expand(e)?),
            )),
            _ => err(span, "if: expected (if test then [else])"),
        }
    }

    /// `(set! name value)`: a local, or a global this module owns.
    pub(super) fn expand_set(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [target, value] => {
                let s = target.as_sym().ok_or_else(|| CompileError {
                    message: "set!: expected a variable name".into(),
                    span,
                })?;
                let v = self.expand(value)?;
                match self.lookup_local(s) {
                    Some(Binding::Var(id)) => {
                        self.note_use(id);
                        self.vars[id as usize].mutated = true;
                        Ok(Node::SetLocal(id, Box::new(v)))
                    }
                    Some(Binding::Macro(_)) => err(span, "set!: cannot assign a syntax keyword"),
                    None => {
                        let base = s.strip();
                        match self.module.assign_slot(self.globals, base) {
                            Some(slot) => Ok(Node::SetGlobal(slot, Box::new(v))),
                            None => err(
                                span,
                                format!("set!: cannot assign imported variable {base}"),
                            ),
                        }
                    }
                }
            }
            _ => err(span, "set!: expected (set! name value)"),
        }
    }

    /// `(named-lambda (name . formals) body ...)`.
    pub(super) fn expand_named_lambda(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [sig, body @ ..] if !body.is_empty() => match &sig.e {
                Sexp::List(parts, tail) => {
                    let name = parts[0].as_sym();
                    let formals = Syn::new(
                        if parts.len() == 1 {
                            tail.as_ref().map_or(Sexp::Nil, |t| t.e.clone())
                        } else {
                            Sexp::List(parts[1..].into(), tail.clone())
                        },
                        sig.span,
                    );
                    self.expand_lambda(name, None, &formals, body, span)
                }
                _ => err(
                    span,
                    "named-lambda: expected (named-lambda (name . formals) body ...)",
                ),
            },
            _ => err(
                span,
                "named-lambda: expected (named-lambda (name . formals) body ...)",
            ),
        }
    }

    /// `(begin form ...)`: definitions stay global at top level; elsewhere a body.
    pub(super) fn expand_begin(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        if args.is_empty() {
            return Ok(Node::Const(Value::Unspecified));
        }
        if self.scopes.is_empty() {
            // top-level begin: definitions stay global
            let nodes = self.expand_all(args)?;
            Ok(Node::Seq(nodes))
        } else {
            self.expand_body(args, span)
        }
    }

    /// `(define-syntax name (syntax-rules ...))`, in the current scope or the module.
    pub(super) fn expand_define_syntax(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [name, spec] => {
                let n = name.as_sym().ok_or_else(|| CompileError {
                    message: "define-syntax: expected a name".into(),
                    span,
                })?;
                let m = self.make_macro(n, spec)?;
                if !self.scopes.is_empty() {
                    self.scopes.bind(n, Binding::Macro(m));
                } else {
                    self.defined_macros = true;
                    self.module.map.insert(n.strip(), GlobalBinding::Macro(m));
                    self.module.own.insert(n.strip());
                }
                Ok(Node::Const(Value::Unspecified))
            }
            _ => err(
                span,
                "define-syntax: expected (define-syntax name (syntax-rules ...))",
            ),
        }
    }

    /// `(let-syntax (bindings) body ...)` and `letrec-syntax`.
    pub(super) fn expand_let_syntax(
        &mut self,
        name: &str,
        args: &[Syn],
        span: Span,
    ) -> CResult<Node> {
        match args {
            [bindings, body @ ..] => {
                let bs = bindings.as_list().ok_or_else(|| CompileError {
                    message: format!("{name}: bad bindings"),
                    span,
                })?;
                self.scopes.push();
                for b in bs {
                    match b.as_list() {
                        Some([n, spec]) if n.as_sym().is_some() => {
                            let n = n.as_sym().unwrap_or(Symbol::intern("?"));
                            let m = self.make_macro(n, spec)?;
                            self.scopes.bind(n, Binding::Macro(m));
                        }
                        _ => return err(b.span, format!("{name}: bad binding")),
                    }
                }
                let r = self.expand_body(body, span);
                self.scopes.pop();
                r
            }
            _ => err(
                span,
                format!("{name}: expected ({name} (bindings) body ...)"),
            ),
        }
    }

    pub(super) fn make_macro(&mut self, name: Symbol, spec: &Syn) -> CResult<Rc<Macro>> {
        let is_syntax_rules = |spec: &Syn| {
            spec.as_list()
                .and_then(|l| l.first())
                .and_then(Syn::as_sym)
                .is_some_and(|s| s.strip().is("syntax-rules"))
        };
        // `syntax-rules` imported under another name (`s:syntax-rules`) is a keyword that
        // expands into it.
        let expanded;
        let spec = match spec.as_list().and_then(|l| l.first()) {
            Some(head) if !is_syntax_rules(spec) => match self.classify(head) {
                Head::Macro(m) => {
                    expanded = self.expand_macro(&m, spec, self.macro_depth)?;
                    &expanded
                }
                _ => spec,
            },
            _ => spec,
        };
        if !is_syntax_rules(spec) {
            return err(spec.span, "only syntax-rules transformers are supported");
        }
        Macro::from_syntax_rules(name, spec, self.scopes.len() as u32)
            .map(Rc::new)
            .map_err(|message| CompileError {
                message,
                span: spec.span,
            })
    }

    /// Expands the value bound to `var` (named `name`); a lambda learns that `var` is itself.
    pub(super) fn expand_bound(&mut self, x: &Syn, name: Symbol, var: VarId) -> CResult<Node> {
        if let Some(items) = x.as_list() {
            if let (Head::Special(s), [formals, body @ ..]) =
                (self.classify(&items[0]), &items[1..])
            {
                if s.is("lambda") && !body.is_empty() {
                    return self.expand_lambda(
                        Some(name.strip()),
                        Some(var),
                        formals,
                        body,
                        x.span,
                    );
                }
            }
        }
        self.expand_named(x, Some(name))
    }

    pub(super) fn expand_named(&mut self, x: &Syn, name: Option<Symbol>) -> CResult<Node> {
        let mut node = self.expand(x)?;
        // The value's procedure, also as the body of a `let` (which `case-lambda` expands to).
        let mut value = &mut node;
        while let Node::Let(_, body) = value {
            value = body;
        }
        if let Node::Lambda(l) = value {
            if l.name.is_none() {
                l.name = name.map(Symbol::strip);
            }
        }
        Ok(node)
    }

    pub(super) fn expand_define(&mut self, x: &Syn, args: &[Syn]) -> CResult<Node> {
        let span = x.span;
        let (name, value) = self.define_parts(args, span)?;
        if !self.scopes.is_empty() {
            return err(span, "define: not allowed in an expression context");
        }
        let slot = self.define_slot(name);
        let v = self.expand_named(&value, Some(name))?;
        Ok(Node::DefGlobal(slot, Box::new(v)))
    }

    /// Splits `(define name value)` / `(define (name . formals) body ...)`.
    pub(super) fn define_parts(&self, args: &[Syn], span: Span) -> CResult<(Symbol, Syn)> {
        match args {
            [target, rest @ ..] => match &target.e {
                Sexp::Sym(s) => match rest {
                    [] => Ok((
                        *s,
                        Syn::new(Sexp::Sym(Symbol::intern("%unspecified")), span),
                    )),
                    [v] => Ok((*s, v.clone())),
                    _ => err(span, "define: expected (define name value)"),
                },
                Sexp::List(parts, tail) if !rest.is_empty() => {
                    // (define (name . formals) body ...), possibly curried
                    let formals = match (parts.len(), tail) {
                        (1, None) => Syn::new(Sexp::Nil, target.span),
                        (1, Some(t)) => (**t).clone(),
                        _ => Syn::new(Sexp::List(parts[1..].into(), tail.clone()), target.span),
                    };
                    let lambda = Syn::list(
                        [
                            vec![Syn::sym(Symbol::intern("lambda"), span), formals],
                            rest.to_vec(),
                        ]
                        .concat(),
                        span,
                    );
                    let mut inner = vec![parts[0].clone(), lambda];
                    if parts[0].as_sym().is_some() {
                        let s = parts[0].as_sym().unwrap_or(Symbol::intern("?"));
                        return Ok((s, inner.pop().unwrap_or_else(|| Syn::new(Sexp::Nil, span))));
                    }
                    crate::compile::deep(|| self.define_parts(&inner, span))
                }
                _ => err(span, "define: expected a name"),
            },
            _ => err(span, "define: expected (define name value)"),
        }
    }

    pub(super) fn parse_formals(&self, formals: &Syn) -> CResult<(Vec<Symbol>, Option<Symbol>)> {
        let bad = || CompileError {
            message: format!("lambda: bad parameter list {formals}"),
            span: formals.span,
        };
        match &formals.e {
            Sexp::Nil => Ok((vec![], None)),
            Sexp::Sym(s) => Ok((vec![], Some(*s))),
            Sexp::List(items, tail) => {
                let params = items
                    .iter()
                    .map(|p| p.as_sym().ok_or_else(bad))
                    .collect::<CResult<Vec<_>>>()?;
                let rest = match tail {
                    None => None,
                    Some(t) => Some(t.as_sym().ok_or_else(bad)?),
                };
                distinct(params.iter().chain(&rest), "lambda", formals.span)?;
                Ok((params, rest))
            }
            _ => Err(bad()),
        }
    }

    pub(super) fn expand_lambda(
        &mut self,
        name: Option<Symbol>,
        self_var: Option<VarId>,
        formals: &Syn,
        body: &[Syn],
        span: Span,
    ) -> CResult<Node> {
        let (params, rest) = self.parse_formals(formals)?;
        self.lambda_with(name, self_var, &params, rest, |ex| {
            ex.expand_body(body, span)
        })
    }

    pub(super) fn lambda_with(
        &mut self,
        name: Option<Symbol>,
        self_var: Option<VarId>,
        params: &[Symbol],
        rest: Option<Symbol>,
        body: impl FnOnce(&mut Self) -> CResult<Node>,
    ) -> CResult<Node> {
        self.depth += 1;
        self.selves.push(self_var);
        self.scopes.push();
        let ids = params.iter().map(|p| self.new_var(*p)).collect();
        let rest = rest.map(|r| self.new_var(r));
        let body = body(self);
        self.scopes.pop();
        self.selves.pop();
        self.depth -= 1;
        Ok(Node::Lambda(Box::new(Lambda {
            name: name.map(Symbol::strip),
            params: ids,
            rest,
            self_var,
            body: body?,
        })))
    }

    pub(super) fn expand_seq(&mut self, xs: &[Syn]) -> CResult<Node> {
        let mut nodes = self.expand_all(xs)?;
        Ok(if nodes.len() == 1 {
            nodes.pop().unwrap_or(Node::Const(Value::Unspecified))
        } else {
            Node::Seq(nodes)
        })
    }

    /// A body: internal definitions (letrec* semantics) followed by expressions.
    pub(super) fn expand_body(&mut self, forms: &[Syn], span: Span) -> CResult<Node> {
        self.scopes.push();
        let r = self.expand_body_in_scope(forms, span);
        self.scopes.pop();
        r
    }

    pub(super) fn expand_body_in_scope(&mut self, forms: &[Syn], span: Span) -> CResult<Node> {
        let depth = self.macro_depth;
        let mut queue: std::collections::VecDeque<(Syn, u32)> =
            forms.iter().map(|f| (f.clone(), depth)).collect();
        let mut items = Vec::new();
        let mut defined = Vec::new();
        while let Some((form, depth)) = queue.pop_front() {
            let Sexp::List(parts, None) = &form.e else {
                items.push(BodyItem::Expr(form, depth));
                continue;
            };
            match self.classify(&parts[0]) {
                Head::Macro(m) => {
                    let expanded = self.expand_macro(&m, &form, depth)?;
                    queue.push_front((expanded, depth + 1));
                }
                Head::Special(s) if s.is("begin") => {
                    for f in parts[1..].iter().rev() {
                        queue.push_front((f.clone(), depth));
                    }
                }
                Head::Special(s) if s.is("define") => {
                    let (name, value) = self.define_parts(&parts[1..], form.span)?;
                    if defined
                        .iter()
                        .any(|&id| self.vars[id as usize].name == name)
                    {
                        return err(
                            form.span,
                            format!("define: {name} is defined twice in one body"),
                        );
                    }
                    let id = self.new_var(name);
                    defined.push(id);
                    items.push(BodyItem::Define(id, value, Some(name), depth));
                }
                Head::Special(s) if s.is("define-record-type") => {
                    let expanded = self.record_type_definition(&parts[1..], form.span)?;
                    queue.push_front((expanded, depth));
                }
                Head::Special(s) if s.is("define-syntax") => {
                    self.expand(&form)?;
                }
                _ => items.push(BodyItem::Expr(form, depth)),
            }
        }
        if items.is_empty() {
            return err(span, "empty body");
        }
        let outer = self.uninitialised.len();
        self.uninitialised.extend(defined.iter().rev());
        let seq = self.expand_body_items(items);
        self.uninitialised.truncate(outer);
        let mut seq = seq?;
        let body = if seq.len() == 1 {
            seq.pop().unwrap_or(Node::Const(Value::Unspecified))
        } else {
            Node::Seq(seq)
        };
        Ok(if defined.is_empty() {
            body
        } else {
            Node::Scope(defined, Box::new(body))
        })
    }

    /// The nodes of a body's definitions and expressions, in order; each definition's
    /// variable leaves [`Expander::uninitialised`] once its value is computed.
    pub(super) fn expand_body_items(&mut self, items: Vec<BodyItem>) -> CResult<Vec<Node>> {
        let outer = self.macro_depth;
        let mut seq = Vec::new();
        for item in items {
            let node = match item {
                BodyItem::Define(id, value, name, depth) => {
                    self.macro_depth = depth;
                    let v = match name {
                        Some(n) => self.expand_bound(&value, n, id),
                        None => self.expand_named(&value, None),
                    };
                    self.uninitialised.pop();
                    self.vars[id as usize].assigned = true;
                    v.map(|v| Node::SetLocal(id, Box::new(v)))
                }
                BodyItem::Expr(x, depth) => {
                    self.macro_depth = depth;
                    self.expand(&x)
                }
            };
            self.macro_depth = outer;
            seq.push(node?);
        }
        Ok(seq)
    }
}
