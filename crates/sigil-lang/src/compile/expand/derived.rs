//! Derived forms, rewritten into the core tree: `let` (named too), `let*`, `letrec`,
//! `when`/`unless`, `and`/`or`, `cond`, `case`, `do`, `case-lambda` and quasiquote.

use super::special::distinct;
use super::{err, CResult, CompileError, Expander};
use crate::compile::deep;
use crate::compile::tree::{Node, VarId};
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::code::Prim;
use crate::run::value::Value;

impl Expander<'_> {
    /// `(let* (bindings) body ...)` as nested `let`s (built in a loop: there may be
    /// thousands of bindings).
    pub(super) fn expand_let_star(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        let [bindings, body @ ..] = args else {
            return err(span, "let*: expected (let* (bindings) body ...)");
        };
        if body.is_empty() {
            return err(span, "let*: expected (let* (bindings) body ...)");
        }
        let bs = self.parse_bindings(bindings, "let*")?;
        let outer = self.scopes.len();
        let mut inits = Vec::new();
        let mut body_node = Ok(Node::Const(Value::Unspecified));
        for (name, init) in &bs {
            match self.expand_named(init, Some(*name)) {
                Ok(node) => {
                    self.scopes.push();
                    inits.push((self.new_var(*name), node));
                }
                Err(e) => {
                    body_node = Err(e);
                    break;
                }
            }
        }
        if body_node.is_ok() {
            body_node = self.expand_body(body, span);
        }
        while self.scopes.len() > outer {
            self.scopes.pop();
        }
        let mut node = body_node?;
        for (id, init) in inits.into_iter().rev() {
            node = Node::Let(vec![(id, init)], Box::new(node));
        }
        Ok(node)
    }

    /// `(letrec (bindings) body ...)` and `letrec*`: initialised in order; reading a
    /// variable before its initialisation raises.
    pub(super) fn expand_letrec(&mut self, name: &str, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [bindings, body @ ..] if !body.is_empty() => {
                let bs = self.parse_bindings(bindings, name)?;
                distinct(bs.iter().map(|(n, _)| n), name, bindings.span)?;
                self.scopes.push();
                let ids: Vec<VarId> = bs.iter().map(|(n, _)| self.new_var(*n)).collect();
                let outer = self.uninitialised.len();
                self.uninitialised.extend(ids.iter().rev());
                let mut seq = Vec::new();
                for (id, (n, init)) in ids.iter().zip(&bs) {
                    let v = self.expand_bound(init, *n, *id);
                    self.uninitialised.pop();
                    let v = v.inspect_err(|_| self.uninitialised.truncate(outer))?;
                    self.vars[*id as usize].assigned = true;
                    seq.push(Node::SetLocal(*id, Box::new(v)));
                }
                seq.push(self.expand_body(body, span)?);
                self.scopes.pop();
                Ok(Node::Scope(ids, Box::new(Node::Seq(seq))))
            }
            _ => err(
                span,
                format!("{name}: expected ({name} (bindings) body ...)"),
            ),
        }
    }

    /// `(when test body ...)` and `(unless test body ...)`.
    pub(super) fn expand_when(&mut self, name: &str, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [test, body @ ..] if !body.is_empty() => {
                let t = self.expand(test)?;
                let b = self.expand_seq(body)?;
                let none = Node::Const(Value::Unspecified);
                Ok(if name == "when" {
                    Node::If(Box::new(t), Box::new(b), Box::new(none))
                } else {
                    Node::If(Box::new(t), Box::new(none), Box::new(b))
                })
            }
            _ => err(span, format!("{name}: expected ({name} test body ...)")),
        }
    }

    pub(super) fn parse_bindings(&self, bindings: &Syn, who: &str) -> CResult<Vec<(Symbol, Syn)>> {
        let bs = bindings.as_list().ok_or_else(|| CompileError {
            message: format!("{who}: expected a list of bindings"),
            span: bindings.span,
        })?;
        bs.iter()
            .map(|b| match b.as_list() {
                Some([n, v]) if n.as_sym().is_some() => {
                    Ok((n.as_sym().unwrap_or(Symbol::intern("?")), v.clone()))
                }
                Some([n]) if n.as_sym().is_some() => Ok((
                    n.as_sym().unwrap_or(Symbol::intern("?")),
                    Syn::sym(Symbol::intern("%unspecified"), b.span),
                )),
                _ => err(b.span, format!("{who}: bad binding {b}")),
            })
            .collect()
    }

    pub(super) fn expand_let(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [Syn {
                e: Sexp::Sym(name), ..
            }, bindings, body @ ..]
                if !body.is_empty() =>
            {
                // named let
                let bs = self.parse_bindings(bindings, "let")?;
                distinct(bs.iter().map(|(n, _)| n), "let", bindings.span)?;
                let inits = bs
                    .iter()
                    .map(|(_, v)| self.expand(v))
                    .collect::<CResult<Vec<_>>>()?;
                let params: Vec<Symbol> = bs.iter().map(|(n, _)| *n).collect();
                self.scopes.push();
                let loop_var = self.new_var(*name);
                let lambda =
                    self.lambda_with(Some(name.strip()), Some(loop_var), &params, None, |ex| {
                        ex.expand_body(body, span)
                    })?;
                self.scopes.pop();
                self.vars[loop_var as usize].assigned = true;
                // Evaluate the inits outside the loop's scope, then start the loop.
                let call = Node::Call(Box::new(self.use_var(loop_var)), inits, span);
                Ok(Node::Scope(
                    vec![loop_var],
                    Box::new(Node::Seq(vec![
                        Node::SetLocal(loop_var, Box::new(lambda)),
                        call,
                    ])),
                ))
            }
            [bindings, body @ ..] if !body.is_empty() => {
                let bs = self.parse_bindings(bindings, "let")?;
                distinct(bs.iter().map(|(n, _)| n), "let", bindings.span)?;
                let inits = bs
                    .iter()
                    .map(|(n, v)| self.expand_named(v, Some(*n)))
                    .collect::<CResult<Vec<_>>>()?;
                self.scopes.push();
                let ids: Vec<VarId> = bs.iter().map(|(n, _)| self.new_var(*n)).collect();
                let body = self.expand_body(body, span);
                self.scopes.pop();
                Ok(Node::Let(
                    ids.into_iter().zip(inits).collect(),
                    Box::new(body?),
                ))
            }
            _ => err(span, "let: expected (let (bindings) body ...)"),
        }
    }

    pub(super) fn expand_and(&mut self, args: &[Syn]) -> CResult<Node> {
        match args {
            [] => Ok(Node::Const(Value::Bool(true))),
            [x] => self.expand(x),
            [x, rest @ ..] => Ok(Node::If(
                Box::new(self.expand(x)?),
                Box::new(deep(|| self.expand_and(rest))?),
                Box::new(Node::Const(Value::Bool(false))),
            )),
        }
    }

    pub(super) fn expand_or(&mut self, args: &[Syn]) -> CResult<Node> {
        match args {
            [] => Ok(Node::Const(Value::Bool(false))),
            [x] => self.expand(x),
            [x, rest @ ..] => {
                let v = self.expand(x)?;
                let t = self.temp("or");
                let rest = deep(|| self.expand_or(rest))?;
                Ok(Node::Let(
                    vec![(t, v)],
                    Box::new(Node::If(
                        Box::new(Node::Local(t)),
                        Box::new(Node::Local(t)),
                        Box::new(rest),
                    )),
                ))
            }
        }
    }

    pub(super) fn is_keyword(x: &Syn, name: &str) -> bool {
        x.as_sym().is_some_and(|s| s.strip().is(name))
    }

    pub(super) fn expand_cond(&mut self, clauses: &[Syn]) -> CResult<Node> {
        let Some((clause, rest)) = clauses.split_first() else {
            return Ok(Node::Const(Value::Unspecified));
        };
        let parts = clause
            .as_list()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| CompileError {
                message: format!("cond: bad clause {clause}"),
                span: clause.span,
            })?;
        if self.is_aux_keyword(&parts[0], "else") {
            return self.expand_seq(&parts[1..]);
        }
        let test = self.expand(&parts[0])?;
        let otherwise = deep(|| self.expand_cond(rest))?;
        match &parts[1..] {
            [] => {
                let t = self.temp("cond");
                Ok(Node::Let(
                    vec![(t, test)],
                    Box::new(Node::If(
                        Box::new(Node::Local(t)),
                        Box::new(Node::Local(t)),
                        Box::new(otherwise),
                    )),
                ))
            }
            [arrow, f] if self.is_aux_keyword(arrow, "=>") => {
                let t = self.temp("cond");
                let f = self.expand(f)?;
                Ok(Node::Let(
                    vec![(t, test)],
                    Box::new(Node::If(
                        Box::new(Node::Local(t)),
                        Box::new(Node::Call(Box::new(f), vec![Node::Local(t)], clause.span)),
                        Box::new(otherwise),
                    )),
                ))
            }
            body => Ok(Node::If(
                Box::new(test),
                Box::new(self.expand_seq(body)?),
                Box::new(otherwise),
            )),
        }
    }

    pub(super) fn expand_case(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        let Some((key, clauses)) = args.split_first() else {
            return err(span, "case: expected (case key clause ...)");
        };
        let k = self.expand(key)?;
        let t = self.temp("case");
        let body = self.case_clauses(t, clauses, span)?;
        Ok(Node::Let(vec![(t, k)], Box::new(body)))
    }

    pub(super) fn case_clauses(&mut self, t: VarId, clauses: &[Syn], span: Span) -> CResult<Node> {
        let Some((clause, rest)) = clauses.split_first() else {
            return Ok(Node::Const(Value::Unspecified));
        };
        let parts = clause
            .as_list()
            .filter(|p| p.len() >= 2)
            .ok_or_else(|| CompileError {
                message: format!("case: bad clause {clause}"),
                span: clause.span,
            })?;
        let result = match &parts[1..] {
            [arrow, f] if self.is_aux_keyword(arrow, "=>") => {
                let f = self.expand(f)?;
                Node::Call(Box::new(f), vec![Node::Local(t)], clause.span)
            }
            body => self.expand_seq(body)?,
        };
        if self.is_aux_keyword(&parts[0], "else") {
            return Ok(result);
        }
        let data = parts[0].as_list().ok_or_else(|| CompileError {
            message: format!("case: bad datum list {}", parts[0]),
            span: parts[0].span,
        })?;
        let mut test = Node::Const(Value::Bool(false));
        for d in data.iter().rev() {
            let c = self.quote(d);
            let eqv = Node::Prim(Prim::Eqv, vec![Node::Local(t), Node::Const(c)], span, None);
            test = Node::If(
                Box::new(eqv),
                Box::new(Node::Const(Value::Bool(true))),
                Box::new(test),
            );
        }
        let otherwise = deep(|| self.case_clauses(t, rest, span))?;
        Ok(Node::If(
            Box::new(test),
            Box::new(result),
            Box::new(otherwise),
        ))
    }

    pub(super) fn expand_do(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        let [specs, exit, body @ ..] = args else {
            return err(
                span,
                "do: expected (do ((var init step) ...) (test expr ...) body ...)",
            );
        };
        let specs = specs.as_list().ok_or_else(|| CompileError {
            message: "do: bad variable list".into(),
            span,
        })?;
        let mut vars = Vec::new();
        let mut inits = Vec::new();
        let mut steps = Vec::new();
        for s in specs {
            match s.as_list() {
                Some([v, init, rest @ ..]) if v.as_sym().is_some() && rest.len() <= 1 => {
                    vars.push(v.as_sym().unwrap_or(Symbol::intern("?")));
                    inits.push(self.expand(init)?);
                    steps.push(rest.first().cloned().unwrap_or_else(|| v.clone()));
                }
                _ => return err(s.span, "do: bad variable spec"),
            }
        }
        distinct(&vars, "do", span)?;
        let exit = exit
            .as_list()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| CompileError {
                message: "do: bad exit clause".into(),
                span,
            })?;
        self.scopes.push();
        let loop_var = self.new_var(Symbol::intern("do-loop"));
        let lambda = self.lambda_with(None, Some(loop_var), &vars, None, |ex| {
            let test = ex.expand(&exit[0])?;
            let done = if exit.len() > 1 {
                ex.expand_seq(&exit[1..])?
            } else {
                Node::Const(Value::Unspecified)
            };
            let mut seq = ex.expand_all(body)?;
            let steps = ex.expand_all(&steps)?;
            let lv = ex.use_var(loop_var);
            seq.push(Node::Call(Box::new(lv), steps, span));
            Ok(Node::If(
                Box::new(test),
                Box::new(done),
                Box::new(Node::Seq(seq)),
            ))
        })?;
        self.scopes.pop();
        self.vars[loop_var as usize].assigned = true;
        let call = Node::Call(Box::new(Node::Local(loop_var)), inits, span);
        Ok(Node::Scope(
            vec![loop_var],
            Box::new(Node::Seq(vec![
                Node::SetLocal(loop_var, Box::new(lambda)),
                call,
            ])),
        ))
    }

    pub(super) fn expand_case_lambda(&mut self, clauses: &[Syn], span: Span) -> CResult<Node> {
        // (case-lambda (formals body ...) ...) =>
        //   (let ((clauses (list (lambda formals body ...) ...)))
        //     (lambda args (%dispatch-arity clauses args)))
        // The dispatcher is this expression's own lambda, so a definition can name it.
        let mut procs = Vec::new();
        for c in clauses {
            match c.as_list() {
                Some([formals, body @ ..]) if !body.is_empty() => {
                    procs.push(self.expand_lambda(None, None, formals, body, c.span)?)
                }
                _ => return err(c.span, "case-lambda: bad clause"),
            }
        }
        let list = procs
            .into_iter()
            .rev()
            .fold(Node::Const(Value::Null), |tail, p| {
                Node::Prim(Prim::Cons, vec![p, tail], span, None)
            });
        let clauses_var = self.temp("case-lambda-clauses");
        let dispatch = self.global_slot(Symbol::intern("%dispatch-arity"));
        let dispatcher = self.lambda_with(None, None, &[], Some(Symbol::intern("args")), |ex| {
            let args = (ex.vars.len() - 1) as VarId; // the rest parameter, created last
            let call = vec![ex.use_var(clauses_var), ex.use_var(args)];
            Ok(Node::Call(
                Box::new(Node::Global(dispatch, span)),
                call,
                span,
            ))
        })?;
        Ok(Node::Let(vec![(clauses_var, list)], Box::new(dispatcher)))
    }

    pub(super) fn quasi(&mut self, x: &Syn, level: u32) -> CResult<Node> {
        deep(|| self.quasi_here(x, level))
    }

    fn quasi_here(&mut self, x: &Syn, level: u32) -> CResult<Node> {
        if !Self::has_unquote(x) {
            return Ok(Node::Const(self.quote(x)));
        }
        let span = x.span;
        match &x.e {
            Sexp::List(items, tail) => {
                if items.len() == 2 && tail.is_none() {
                    if Self::is_keyword(&items[0], "unquote") {
                        return if level == 1 {
                            self.expand(&items[1])
                        } else {
                            self.quasi_list_of(&items[0], &items[1], level - 1, span)
                        };
                    }
                    if Self::is_keyword(&items[0], "quasiquote") {
                        return self.quasi_list_of(&items[0], &items[1], level + 1, span);
                    }
                }
                // `(a . ,x)` reads as `(a unquote x)`: the unquote is the tail.
                let n = items.len();
                let (items, dotted_unquote) = match tail {
                    None if n >= 3 && Self::is_keyword(&items[n - 2], "unquote") => (
                        &items[..n - 2],
                        Some(Syn::list(items[n - 2..].to_vec(), span)),
                    ),
                    _ => (&items[..], None),
                };
                let mut acc = match (tail, dotted_unquote) {
                    (_, Some(t)) => self.quasi(&t, level)?,
                    (Some(t), None) => self.quasi(t, level)?,
                    (None, None) => Node::Const(Value::Null),
                };
                for item in items.iter().rev() {
                    let spliced = item
                        .as_list()
                        .filter(|l| l.len() == 2 && Self::is_keyword(&l[0], "unquote-splicing"));
                    acc = match spliced {
                        Some(l) if level == 1 => {
                            let e = self.expand(&l[1])?;
                            let append = self.builtin("append", span)?;
                            Node::Call(Box::new(append), vec![e, acc], span)
                        }
                        _ => {
                            Node::Prim(Prim::Cons, vec![self.quasi(item, level)?, acc], span, None)
                        }
                    };
                }
                Ok(acc)
            }
            Sexp::Vector(items) => {
                let as_list = Syn::new(Sexp::List(items.clone(), None), span);
                let l = self.quasi(&as_list, level)?;
                let f = self.builtin("list->vector", span)?;
                Ok(Node::Call(Box::new(f), vec![l], span))
            }
            _ => Ok(Node::Const(self.quote(x))),
        }
    }

    pub(super) fn quasi_list_of(
        &mut self,
        keyword: &Syn,
        x: &Syn,
        level: u32,
        span: Span,
    ) -> CResult<Node> {
        let k = Node::Const(self.quote(keyword));
        let inner = self.quasi(x, level)?;
        let rest = Node::Prim(
            Prim::Cons,
            vec![inner, Node::Const(Value::Null)],
            span,
            None,
        );
        Ok(Node::Prim(Prim::Cons, vec![k, rest], span, None))
    }

    pub(super) fn has_unquote(x: &Syn) -> bool {
        deep(|| Self::has_unquote_here(x))
    }

    fn has_unquote_here(x: &Syn) -> bool {
        match &x.e {
            Sexp::Sym(s) => {
                let s = s.strip();
                s.is("unquote") || s.is("unquote-splicing")
            }
            Sexp::List(items, tail) => {
                items.iter().any(Self::has_unquote)
                    || tail.as_deref().is_some_and(Self::has_unquote)
            }
            Sexp::Vector(items) => items.iter().any(Self::has_unquote),
            _ => false,
        }
    }
}
