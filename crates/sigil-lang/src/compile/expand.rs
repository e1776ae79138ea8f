//! The expander: turns source syntax into a core tree ([`Node`]) with every variable
//! resolved, macros expanded and derived forms (`let`, `cond`, `do`, quasiquote, ...)
//! rewritten. It also records which variables are captured by inner lambdas and which are
//! assigned, which tells code generation what needs a box.

use crate::compile::code::Prim;
use crate::compile::macros::Macro;
use crate::read::symbol::{FastMap, FastSet, Symbol};
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::datum;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::Value;
use std::rc::Rc;

/// Index of a lexical variable in [`Expander::vars`].
pub type VarId = u32;

/// The core language.
pub enum Node {
    /// A constant.
    Const(Value),
    /// A lexical variable.
    Local(VarId),
    /// A global slot, and where it is referenced.
    Global(u32, Span),
    /// Assign a lexical variable.
    SetLocal(VarId, Box<Node>),
    /// Assign an existing global.
    SetGlobal(u32, Box<Node>),
    /// Define a global.
    DefGlobal(u32, Box<Node>),
    /// Conditional.
    If(Box<Node>, Box<Node>, Box<Node>),
    /// A procedure.
    Lambda(Box<Lambda>),
    /// Sequence; value of the last.
    Seq(Vec<Node>),
    /// Procedure call.
    Call(Box<Node>, Vec<Node>, Span),
    /// Inlined primitive.
    Prim(Prim, Vec<Node>, Span),
    /// Bind variables to values computed outside their scope.
    Let(Vec<(VarId, Node)>, Box<Node>),
    /// Bind variables (initially undefined) around a body that assigns them.
    Scope(Vec<VarId>, Box<Node>),
}

/// A lambda in the core tree.
pub struct Lambda {
    /// Name for messages.
    pub name: Option<Symbol>,
    /// Required parameters.
    pub params: Vec<VarId>,
    /// Rest parameter.
    pub rest: Option<VarId>,
    /// The variable this lambda is bound to by `letrec`/named `let`/internal `define`,
    /// through which its body calls itself.
    pub self_var: Option<VarId>,
    /// Body.
    pub body: Node,
}

/// What the expander knows of a lexical variable.
pub struct VarInfo {
    /// Source name.
    pub name: Symbol,
    /// Lambda nesting depth where it is bound.
    pub depth: u32,
    /// Referenced from a more deeply nested lambda.
    pub captured: bool,
    /// Initialised after its binding (`letrec`, internal `define`, named `let`).
    pub assigned: bool,
    /// Assigned by `set!`.
    pub mutated: bool,
}

#[derive(Clone)]
enum Binding {
    Var(VarId),
    Macro(Rc<Macro>),
}

/// What a name means at the top level of a module.
#[derive(Clone)]
pub enum GlobalBinding {
    /// A global variable slot.
    Var(u32),
    /// A macro.
    Macro(Rc<Macro>),
}

thread_local! {
    static LIBRARY_ENVS: std::cell::RefCell<Vec<Rc<FastMap<Symbol, GlobalBinding>>>> =
        std::cell::RefCell::new(vec![Rc::new(FastMap::default())]);
}

/// Records a library's final bindings so the macros it defines resolve their free names
/// there, wherever they are used; returns the environment's id for [`Macro::env`].
pub fn register_library_env(module: &Module) -> u32 {
    let id = LIBRARY_ENVS.with(|e| {
        let mut e = e.borrow_mut();
        e.push(Rc::new(module.map.clone()));
        (e.len() - 1) as u32
    });
    for name in &module.own {
        if let Some(GlobalBinding::Macro(m)) = module.map.get(name) {
            if m.env.get() == 0 {
                m.env.set(id);
            }
        }
    }
    id
}

fn library_binding(env: u32, s: Symbol) -> Option<GlobalBinding> {
    LIBRARY_ENVS.with(|e| {
        e.borrow()
            .get(env as usize)
            .and_then(|m| m.get(&s).cloned())
    })
}

/// A top-level environment: a program, the REPL, or a library.
#[derive(Clone, Default)]
pub struct Module {
    /// Name bindings.
    pub map: FastMap<Symbol, GlobalBinding>,
    /// Names this module defined itself (others are imported).
    pub own: FastSet<Symbol>,
}

impl Module {
    /// The slot a top-level `define` of `s` in this module writes: the module's own
    /// slot, created (unbound) if it has none yet.
    pub fn define_slot(&mut self, globals: &mut Globals, s: Symbol) -> u32 {
        let s = s.strip();
        if self.own.contains(&s) {
            if let Some(GlobalBinding::Var(slot)) = self.map.get(&s) {
                return *slot;
            }
        }
        let slot = globals.new_slot(s);
        self.map.insert(s, GlobalBinding::Var(slot));
        self.own.insert(s);
        slot
    }
}

/// A compile-time error with its position.
#[derive(Debug, Clone)]
pub struct CompileError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

type CResult<T> = Result<T, CompileError>;

fn err<T>(span: Span, message: impl Into<String>) -> CResult<T> {
    Err(CompileError {
        message: message.into(),
        span,
    })
}

/// The special-form keywords the expander knows (`import` and `define-library` are
/// handled by the interpreter at top level).
pub const SPECIAL_FORMS: &[&str] = &[
    "quote",
    "quasiquote",
    "lambda",
    "define",
    "set!",
    "if",
    "begin",
    "let",
    "let*",
    "letrec",
    "letrec*",
    "do",
    "cond",
    "case",
    "when",
    "unless",
    "and",
    "or",
    "define-syntax",
    "let-syntax",
    "letrec-syntax",
    "define-record-type",
    "case-lambda",
    "named-lambda",
    "cond-expand",
];

/// Feature identifiers `cond-expand` recognises (also returned by `(features)`).
const FEATURES: &[&str] = &[
    "r7rs",
    "exact-closed",
    "ratios-as-floats",
    "full-unicode",
    "sigil",
];

/// Whether a `cond-expand` feature requirement holds.
fn feature_holds(req: &Syn) -> bool {
    if let Some(s) = req.as_sym() {
        let s = s.strip();
        return s.is("else") || FEATURES.iter().any(|f| s.is(f));
    }
    let Some((head, rest)) = req.as_list().and_then(|l| l.split_first()) else {
        return false;
    };
    match head.as_sym().map(|h| h.strip().to_string()).as_deref() {
        Some("and") => rest.iter().all(feature_holds),
        Some("or") => rest.iter().any(feature_holds),
        Some("not") => rest.len() == 1 && !feature_holds(&rest[0]),
        Some("library") => rest.first().and_then(Syn::as_list).is_some_and(|name| {
            name.first().and_then(Syn::as_sym).is_some_and(|s| {
                s.strip().is("scheme") || s.strip().is("sigil") || s.strip().is("srfi")
            })
        }),
        _ => false,
    }
}

/// Whether `name` is a special form keyword.
pub fn is_special_form(name: &str) -> bool {
    SPECIAL_FORMS.contains(&name)
}

enum Head {
    Special(Symbol),
    Macro(Rc<Macro>),
    Global(u32),
    Other,
}

enum BodyItem {
    Define(VarId, Syn, Option<Symbol>),
    Expr(Syn),
}

/// The expander for one top-level form.
pub struct Expander<'a> {
    globals: &'a mut Globals,
    heap: &'a mut Heap,
    module: &'a mut Module,
    /// Every lexical variable of the form.
    pub vars: Vec<VarInfo>,
    scopes: Vec<Vec<(Symbol, Binding)>>,
    depth: u32,
    /// For each lambda depth, the variable bound to that lambda (see [`Lambda::self_var`]).
    selves: Vec<Option<VarId>>,
    /// `letrec`/body variables whose initialisation has not run yet where the expander
    /// is: a direct read of one is checked at run time (see [`Expander::use_var`]).
    uninitialised: Vec<VarId>,
}

impl<'a> Expander<'a> {
    /// An expander compiling into `module`: new global variables get slots in `globals`,
    /// quoted data is allocated on `heap`.
    pub fn new(globals: &'a mut Globals, heap: &'a mut Heap, module: &'a mut Module) -> Self {
        Expander {
            globals,
            heap,
            module,
            vars: Vec::new(),
            scopes: Vec::new(),
            depth: 0,
            selves: vec![None],
            uninitialised: Vec::new(),
        }
    }

    // ---- names ----------------------------------------------------------------------

    /// The lexical binding of `s`. An alias a macro introduced that its expansion did not
    /// bind resolves in the scopes around the macro's definition only.
    fn lookup_local(&self, s: Symbol) -> Option<Binding> {
        let mut s = s;
        let mut visible = self.scopes.len();
        loop {
            for scope in self.scopes[..visible].iter().rev() {
                if let Some((_, b)) = scope.iter().rev().find(|(n, _)| *n == s) {
                    return Some(b.clone());
                }
            }
            let (base, depth, _) = s.alias()?;
            s = base;
            visible = visible.min(depth as usize);
        }
    }

    fn new_var(&mut self, name: Symbol) -> VarId {
        self.vars.push(VarInfo {
            name,
            depth: self.depth,
            captured: false,
            assigned: false,
            mutated: false,
        });
        let id = (self.vars.len() - 1) as VarId;
        self.scopes
            .last_mut()
            .expect("a scope")
            .push((name, Binding::Var(id)));
        id
    }

    /// Notes a use of local `id` here: one from a more deeply nested lambda captures it.
    /// Whether the use is direct (not captured).
    fn note_use(&mut self, id: VarId) -> bool {
        let own_self = self.selves.get(self.depth as usize) == Some(&Some(id));
        let info = &mut self.vars[id as usize];
        if info.depth != self.depth && !own_self {
            info.captured = true;
            return false;
        }
        true
    }

    fn use_var(&mut self, id: VarId) -> Node {
        self.note_use(id);
        Node::Local(id)
    }

    /// A read of local `id` written in the program. A variable of the enclosing `letrec`
    /// or body whose initialisation has not run yet holds no value: a direct read of it
    /// goes through `%initialised`, which raises. (A read from inside a lambda captures
    /// it, and a captured, assigned variable is boxed; the VM checks boxes itself.)
    fn read_var(&mut self, id: VarId, span: Span) -> CResult<Node> {
        if !self.note_use(id) || !self.uninitialised.contains(&id) {
            return Ok(Node::Local(id));
        }
        let name = Node::Const(Value::Sym(self.vars[id as usize].name.strip()));
        let check = self.builtin("%initialised", span)?;
        Ok(Node::Call(
            Box::new(check),
            vec![Node::Local(id), name],
            span,
        ))
    }

    /// The slot of a global name in this module, creating an unbound slot if needed.
    fn global_slot(&mut self, s: Symbol) -> u32 {
        let s = s.strip();
        if let Some(GlobalBinding::Var(slot)) = self.module.map.get(&s) {
            return *slot;
        }
        let slot = self.globals.new_slot(s);
        self.module.map.insert(s, GlobalBinding::Var(slot));
        self.module.own.insert(s);
        slot
    }

    /// The slot a top-level `define` of `s` writes: the module's own slot.
    fn define_slot(&mut self, s: Symbol) -> u32 {
        self.module.define_slot(self.globals, s)
    }

    /// The global meaning of `s`, and whether it is a definite binding (one the module
    /// defined, or one a library macro's alias refers to) rather than an import that a
    /// special form name takes precedence over.
    fn global_binding(&self, s: Symbol) -> (Option<GlobalBinding>, bool) {
        let mut cur = s;
        while let Some((base, _, env)) = cur.alias() {
            if env != 0 {
                if let Some(b) = library_binding(env, base.strip()) {
                    return (Some(b), true);
                }
            }
            cur = base;
        }
        (
            self.module.map.get(&cur).cloned(),
            self.module.own.contains(&cur),
        )
    }

    fn classify(&self, head: &Syn) -> Head {
        let Some(s) = head.as_sym() else {
            return Head::Other;
        };
        match self.lookup_local(s) {
            Some(Binding::Var(_)) => return Head::Other,
            Some(Binding::Macro(m)) => return Head::Macro(m),
            None => {}
        }
        let base = s.strip();
        match self.global_binding(s) {
            (Some(GlobalBinding::Macro(m)), _) => Head::Macro(m),
            (Some(GlobalBinding::Var(slot)), true) => Head::Global(slot),
            _ if is_special_form(&base.name()) => Head::Special(base),
            (Some(GlobalBinding::Var(slot)), false) => Head::Global(slot),
            (None, _) => Head::Other,
        }
    }

    // ---- entry points -------------------------------------------------------------

    /// Expands a top-level form.
    pub fn expand_toplevel(&mut self, x: &Syn) -> CResult<Node> {
        self.scopes.clear();
        self.expand(x)
    }

    fn expand(&mut self, x: &Syn) -> CResult<Node> {
        match &x.e {
            Sexp::Sym(s) => self.expand_ref(*s, x.span),
            Sexp::List(items, None) => self.expand_list(x, items),
            Sexp::List(_, Some(_)) => err(x.span, format!("bad syntax: improper list {x}")),
            _ => Ok(Node::Const(self.quote(x))),
        }
    }

    fn expand_ref(&mut self, s: Symbol, span: Span) -> CResult<Node> {
        match self.lookup_local(s) {
            Some(Binding::Var(id)) => self.read_var(id, span),
            Some(Binding::Macro(_)) => err(span, format!("syntax keyword used as a variable: {s}")),
            None => {
                let base = s.strip();
                match self.global_binding(s).0 {
                    Some(GlobalBinding::Macro(_)) => {
                        err(span, format!("syntax keyword used as a variable: {s}"))
                    }
                    None if is_special_form(&base.name()) => {
                        err(span, format!("syntax keyword used as a variable: {s}"))
                    }
                    Some(GlobalBinding::Var(slot)) => Ok(Node::Global(slot, span)),
                    _ => Ok(Node::Global(self.global_slot(base), span)),
                }
            }
        }
    }

    fn expand_list(&mut self, x: &Syn, items: &[Syn]) -> CResult<Node> {
        let head = &items[0];
        match self.classify(head) {
            Head::Special(s) => self.expand_special(&s.name(), x, items),
            Head::Macro(m) => {
                let expanded = m.expand(x).map_err(|message| CompileError {
                    message,
                    span: x.span,
                })?;
                self.expand(&expanded)
            }
            Head::Global(slot) => {
                if let Some(p) = self.globals.prim(slot) {
                    if p.arity() == items.len() - 1 {
                        let args = self.expand_all(&items[1..])?;
                        return Ok(Node::Prim(p, args, x.span));
                    }
                }
                self.expand_call(x, items)
            }
            Head::Other => self.expand_call(x, items),
        }
    }

    fn expand_call(&mut self, x: &Syn, items: &[Syn]) -> CResult<Node> {
        let f = self.expand(&items[0])?;
        let args = self.expand_all(&items[1..])?;
        Ok(Node::Call(Box::new(f), args, x.span))
    }

    fn expand_all(&mut self, xs: &[Syn]) -> CResult<Vec<Node>> {
        xs.iter().map(|x| self.expand(x)).collect()
    }

    /// Converts syntax to a constant value (aliases stripped).
    fn quote(&mut self, x: &Syn) -> Value {
        datum::syntax_to_value(self.heap, x)
    }

    fn builtin(&self, name: &str, span: Span) -> CResult<Node> {
        match self.globals.builtin(name) {
            Some(v) => Ok(Node::Const(v)),
            None => err(span, format!("internal: builtin {name} missing")),
        }
    }

    // ---- special forms ----------------------------------------------------------------

    fn expand_special(&mut self, name: &str, x: &Syn, items: &[Syn]) -> CResult<Node> {
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
            "if" => match args {
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
            },
            "define" => self.expand_define(x, args),
            "set!" => match args {
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
                        Some(Binding::Macro(_)) => {
                            err(span, "set!: cannot assign a syntax keyword")
                        }
                        None => {
                            let base = s.strip();
                            if self.module.map.contains_key(&base)
                                && !self.module.own.contains(&base)
                            {
                                return err(
                                    span,
                                    format!("set!: cannot assign imported variable {base}"),
                                );
                            }
                            Ok(Node::SetGlobal(self.global_slot(base), Box::new(v)))
                        }
                    }
                }
                _ => err(span, "set!: expected (set! name value)"),
            },
            "lambda" => match args {
                [formals, body @ ..] if !body.is_empty() => {
                    self.expand_lambda(None, None, formals, body, span)
                }
                _ => err(span, "lambda: expected (lambda formals body ...)"),
            },
            "named-lambda" => match args {
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
            },
            "begin" => {
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
            "let" => self.expand_let(args, span),
            "let*" => match args {
                [bindings, body @ ..] if !body.is_empty() => {
                    let bs = bindings.as_list().ok_or_else(|| CompileError {
                        message: "let*: bad bindings".into(),
                        span,
                    })?;
                    if bs.len() <= 1 {
                        return self.expand_let(args, span);
                    }
                    let inner = Syn::list(
                        [
                            vec![Syn::sym(Symbol::intern("let*"), span)],
                            vec![Syn::list(bs[1..].to_vec(), span)],
                            body.to_vec(),
                        ]
                        .concat(),
                        span,
                    );
                    let outer = [Syn::list(vec![bs[0].clone()], span), inner];
                    self.expand_let(&outer, span)
                }
                _ => err(span, "let*: expected (let* (bindings) body ...)"),
            },
            "letrec" | "letrec*" => match args {
                [bindings, body @ ..] if !body.is_empty() => {
                    let bs = self.parse_bindings(bindings, name)?;
                    self.scopes.push(Vec::new());
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
            },
            "when" | "unless" => match args {
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
            },
            "and" => self.expand_and(args),
            "or" => self.expand_or(args),
            "cond" => self.expand_cond(args),
            "case" => self.expand_case(args, span),
            "do" => self.expand_do(args, span),
            "define-syntax" => match args {
                [name, spec] => {
                    let n = name.as_sym().ok_or_else(|| CompileError {
                        message: "define-syntax: expected a name".into(),
                        span,
                    })?;
                    let m = self.make_macro(n, spec)?;
                    if let Some(scope) = self.scopes.last_mut() {
                        scope.push((n, Binding::Macro(m)));
                    } else {
                        self.module.map.insert(n.strip(), GlobalBinding::Macro(m));
                        self.module.own.insert(n.strip());
                    }
                    Ok(Node::Const(Value::Unspecified))
                }
                _ => err(
                    span,
                    "define-syntax: expected (define-syntax name (syntax-rules ...))",
                ),
            },
            "let-syntax" | "letrec-syntax" => match args {
                [bindings, body @ ..] => {
                    let bs = bindings.as_list().ok_or_else(|| CompileError {
                        message: format!("{name}: bad bindings"),
                        span,
                    })?;
                    self.scopes.push(Vec::new());
                    for b in bs {
                        match b.as_list() {
                            Some([n, spec]) if n.as_sym().is_some() => {
                                let n = n.as_sym().unwrap_or(Symbol::intern("?"));
                                let m = self.make_macro(n, spec)?;
                                self.scopes
                                    .last_mut()
                                    .expect("scope")
                                    .push((n, Binding::Macro(m)));
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
            },
            "define-record-type" => {
                let expanded = self.record_type_definition(args, span)?;
                self.expand(&expanded)
            }
            "case-lambda" => self.expand_case_lambda(args, span),
            "cond-expand" => {
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
            _ => err(span, format!("unknown special form {name}")),
        }
    }

    fn make_macro(&mut self, name: Symbol, spec: &Syn) -> CResult<Rc<Macro>> {
        let ok = spec
            .as_list()
            .and_then(|l| l.first())
            .and_then(Syn::as_sym)
            .is_some_and(|s| s.strip().is("syntax-rules"));
        if !ok {
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
    fn expand_bound(&mut self, x: &Syn, name: Symbol, var: VarId) -> CResult<Node> {
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

    fn expand_named(&mut self, x: &Syn, name: Option<Symbol>) -> CResult<Node> {
        let mut node = self.expand(x)?;
        if let Node::Lambda(l) = &mut node {
            if l.name.is_none() {
                l.name = name.map(Symbol::strip);
            }
        }
        Ok(node)
    }

    fn expand_define(&mut self, x: &Syn, args: &[Syn]) -> CResult<Node> {
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
    fn define_parts(&self, args: &[Syn], span: Span) -> CResult<(Symbol, Syn)> {
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
                    self.define_parts(&inner, span)
                }
                _ => err(span, "define: expected a name"),
            },
            _ => err(span, "define: expected (define name value)"),
        }
    }

    fn parse_formals(&self, formals: &Syn) -> CResult<(Vec<Symbol>, Option<Symbol>)> {
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
                Ok((params, rest))
            }
            _ => Err(bad()),
        }
    }

    fn expand_lambda(
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

    fn lambda_with(
        &mut self,
        name: Option<Symbol>,
        self_var: Option<VarId>,
        params: &[Symbol],
        rest: Option<Symbol>,
        body: impl FnOnce(&mut Self) -> CResult<Node>,
    ) -> CResult<Node> {
        self.depth += 1;
        self.selves.push(self_var);
        self.scopes.push(Vec::new());
        let ids = params.iter().map(|p| self.new_var(*p)).collect();
        let rest = rest.map(|r| self.new_var(r));
        let body = body(self);
        self.scopes.pop();
        self.selves.pop();
        self.depth -= 1;
        Ok(Node::Lambda(Box::new(Lambda {
            name,
            params: ids,
            rest,
            self_var,
            body: body?,
        })))
    }

    fn expand_seq(&mut self, xs: &[Syn]) -> CResult<Node> {
        let mut nodes = self.expand_all(xs)?;
        Ok(if nodes.len() == 1 {
            nodes.pop().unwrap_or(Node::Const(Value::Unspecified))
        } else {
            Node::Seq(nodes)
        })
    }

    /// A body: internal definitions (letrec* semantics) followed by expressions.
    fn expand_body(&mut self, forms: &[Syn], span: Span) -> CResult<Node> {
        self.scopes.push(Vec::new());
        let r = self.expand_body_in_scope(forms, span);
        self.scopes.pop();
        r
    }

    fn expand_body_in_scope(&mut self, forms: &[Syn], span: Span) -> CResult<Node> {
        let mut queue: std::collections::VecDeque<Syn> = forms.iter().cloned().collect();
        let mut items = Vec::new();
        let mut defined = Vec::new();
        while let Some(form) = queue.pop_front() {
            let Sexp::List(parts, None) = &form.e else {
                items.push(BodyItem::Expr(form));
                continue;
            };
            match self.classify(&parts[0]) {
                Head::Macro(m) => {
                    let expanded = m.expand(&form).map_err(|message| CompileError {
                        message,
                        span: form.span,
                    })?;
                    queue.push_front(expanded);
                }
                Head::Special(s) if s.is("begin") => {
                    for f in parts[1..].iter().rev() {
                        queue.push_front(f.clone());
                    }
                }
                Head::Special(s) if s.is("define") => {
                    let (name, value) = self.define_parts(&parts[1..], form.span)?;
                    let id = self.new_var(name);
                    defined.push(id);
                    items.push(BodyItem::Define(id, value, Some(name)));
                }
                Head::Special(s) if s.is("define-record-type") => {
                    let expanded = self.record_type_definition(&parts[1..], form.span)?;
                    queue.push_front(expanded);
                }
                Head::Special(s) if s.is("define-syntax") => {
                    self.expand(&form)?;
                }
                _ => items.push(BodyItem::Expr(form)),
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
    fn expand_body_items(&mut self, items: Vec<BodyItem>) -> CResult<Vec<Node>> {
        let mut seq = Vec::new();
        for item in items {
            match item {
                BodyItem::Define(id, value, name) => {
                    let v = match name {
                        Some(n) => self.expand_bound(&value, n, id),
                        None => self.expand_named(&value, None),
                    };
                    self.uninitialised.pop();
                    self.vars[id as usize].assigned = true;
                    seq.push(Node::SetLocal(id, Box::new(v?)));
                }
                BodyItem::Expr(x) => seq.push(self.expand(&x)?),
            }
        }
        Ok(seq)
    }

    fn parse_bindings(&self, bindings: &Syn, who: &str) -> CResult<Vec<(Symbol, Syn)>> {
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

    fn expand_let(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        match args {
            [Syn {
                e: Sexp::Sym(name), ..
            }, bindings, body @ ..]
                if !body.is_empty() =>
            {
                // named let
                let bs = self.parse_bindings(bindings, "let")?;
                let inits = bs
                    .iter()
                    .map(|(_, v)| self.expand(v))
                    .collect::<CResult<Vec<_>>>()?;
                let params: Vec<Symbol> = bs.iter().map(|(n, _)| *n).collect();
                self.scopes.push(Vec::new());
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
                let inits = bs
                    .iter()
                    .map(|(n, v)| self.expand_named(v, Some(*n)))
                    .collect::<CResult<Vec<_>>>()?;
                self.scopes.push(Vec::new());
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

    fn temp(&mut self, name: &str) -> VarId {
        self.vars.push(VarInfo {
            name: Symbol::intern(name),
            depth: self.depth,
            captured: false,
            assigned: false,
            mutated: false,
        });
        (self.vars.len() - 1) as VarId
    }

    fn expand_and(&mut self, args: &[Syn]) -> CResult<Node> {
        match args {
            [] => Ok(Node::Const(Value::Bool(true))),
            [x] => self.expand(x),
            [x, rest @ ..] => Ok(Node::If(
                Box::new(self.expand(x)?),
                Box::new(self.expand_and(rest)?),
                Box::new(Node::Const(Value::Bool(false))),
            )),
        }
    }

    fn expand_or(&mut self, args: &[Syn]) -> CResult<Node> {
        match args {
            [] => Ok(Node::Const(Value::Bool(false))),
            [x] => self.expand(x),
            [x, rest @ ..] => {
                let v = self.expand(x)?;
                let t = self.temp("or");
                let rest = self.expand_or(rest)?;
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

    fn is_keyword(x: &Syn, name: &str) -> bool {
        x.as_sym().is_some_and(|s| s.strip().is(name))
    }

    fn expand_cond(&mut self, clauses: &[Syn]) -> CResult<Node> {
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
        if Self::is_keyword(&parts[0], "else")
            && self
                .lookup_local(parts[0].as_sym().unwrap_or(Symbol::intern("else")))
                .is_none()
        {
            return self.expand_seq(&parts[1..]);
        }
        let test = self.expand(&parts[0])?;
        let otherwise = self.expand_cond(rest)?;
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
            [arrow, f] if Self::is_keyword(arrow, "=>") => {
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

    fn expand_case(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
        let Some((key, clauses)) = args.split_first() else {
            return err(span, "case: expected (case key clause ...)");
        };
        let k = self.expand(key)?;
        let t = self.temp("case");
        let body = self.case_clauses(t, clauses, span)?;
        Ok(Node::Let(vec![(t, k)], Box::new(body)))
    }

    fn case_clauses(&mut self, t: VarId, clauses: &[Syn], span: Span) -> CResult<Node> {
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
            [arrow, f] if Self::is_keyword(arrow, "=>") => {
                let f = self.expand(f)?;
                Node::Call(Box::new(f), vec![Node::Local(t)], clause.span)
            }
            body => self.expand_seq(body)?,
        };
        if Self::is_keyword(&parts[0], "else") {
            return Ok(result);
        }
        let data = parts[0].as_list().ok_or_else(|| CompileError {
            message: format!("case: bad datum list {}", parts[0]),
            span: parts[0].span,
        })?;
        let mut test = Node::Const(Value::Bool(false));
        for d in data.iter().rev() {
            let c = self.quote(d);
            let eqv = Node::Prim(Prim::Eqv, vec![Node::Local(t), Node::Const(c)], span);
            test = Node::If(
                Box::new(eqv),
                Box::new(Node::Const(Value::Bool(true))),
                Box::new(test),
            );
        }
        let otherwise = self.case_clauses(t, rest, span)?;
        Ok(Node::If(
            Box::new(test),
            Box::new(result),
            Box::new(otherwise),
        ))
    }

    fn expand_do(&mut self, args: &[Syn], span: Span) -> CResult<Node> {
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
        let exit = exit
            .as_list()
            .filter(|e| !e.is_empty())
            .ok_or_else(|| CompileError {
                message: "do: bad exit clause".into(),
                span,
            })?;
        self.scopes.push(Vec::new());
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

    fn expand_case_lambda(&mut self, clauses: &[Syn], span: Span) -> CResult<Node> {
        // (case-lambda (formals body ...) ...) => (%case-lambda (lambda formals body ...) ...)
        let mut procs = Vec::new();
        for c in clauses {
            match c.as_list() {
                Some([formals, body @ ..]) if !body.is_empty() => {
                    procs.push(self.expand_lambda(None, None, formals, body, c.span)?)
                }
                _ => return err(c.span, "case-lambda: bad clause"),
            }
        }
        let f = Node::Global(self.global_slot(Symbol::intern("%case-lambda")), span);
        Ok(Node::Call(Box::new(f), procs, span))
    }

    fn quasi(&mut self, x: &Syn, level: u32) -> CResult<Node> {
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
                        _ => Node::Prim(Prim::Cons, vec![self.quasi(item, level)?, acc], span),
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

    fn quasi_list_of(&mut self, keyword: &Syn, x: &Syn, level: u32, span: Span) -> CResult<Node> {
        let k = Node::Const(self.quote(keyword));
        let inner = self.quasi(x, level)?;
        let rest = Node::Prim(Prim::Cons, vec![inner, Node::Const(Value::Null)], span);
        Ok(Node::Prim(Prim::Cons, vec![k, rest], span))
    }

    fn has_unquote(x: &Syn) -> bool {
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

    /// `(define-record-type name (ctor field ...) pred (field accessor [modifier]) ...)`
    /// as a `begin` of definitions over the record natives.
    fn record_type_definition(&self, args: &[Syn], span: Span) -> CResult<Syn> {
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
