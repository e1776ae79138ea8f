//! The expander: turns source syntax into a core tree ([`Node`]) with every variable
//! resolved, macros expanded and derived forms (`let`, `cond`, `do`, quasiquote, ...)
//! rewritten. It also records which variables are captured by inner lambdas and which are
//! assigned, which tells code generation what needs a box.
//!
//! This file holds the expander's state and how a form is classified and dispatched;
//! `scopes` resolves names, `special` expands the special forms, `derived` the
//! derived ones, `records` `define-record-type` and `features` `cond-expand`.

mod derived;
mod features;
pub(crate) use features::feature_holds;
mod records;
mod scopes;
mod special;

use crate::compile::library_envs::LibraryEnvs;
use crate::compile::macros::Macro;
use crate::compile::module::{GlobalBinding, Module};
use crate::compile::tree::{Node, VarId, VarInfo};
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::datum;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::Value;
use scopes::Binding;
use std::rc::Rc;

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
    "syntax-error",
];

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

/// The expander for one top-level form.
pub struct Expander<'a> {
    globals: &'a mut Globals,
    heap: &'a mut Heap,
    module: &'a mut Module,
    /// The library environments the aliases of library macros refer to.
    libraries: &'a LibraryEnvs,
    /// Every lexical variable of the form.
    pub vars: Vec<VarInfo>,
    scopes: scopes::Scopes,
    depth: u32,
    /// For each lambda depth, the variable bound to that lambda (see [`Lambda::self_var`]).
    selves: Vec<Option<VarId>>,
    /// `letrec`/body variables whose initialisation has not run yet where the expander
    /// is: a direct read of one is checked at run time (see [`Expander::use_var`]).
    uninitialised: Vec<VarId>,
    /// Macro expansions in progress inside one another where the expander is.
    macro_depth: u32,
    /// Macro expansions done so far for this form.
    expansions: u32,
    /// Whether the form defined a macro at the top level of the module.
    defined_macros: bool,
}

/// Most macro expansions in progress inside one another (the expansion of a use, in which
/// a use is expanded, and so on) before "macro expansion too deep": a macro that never
/// stops expanding stops there.
pub const MAX_MACRO_DEPTH: u32 = 10_000;

/// Most macro expansions compiling one top-level form may do before "macro expansion too
/// long": a macro whose expansions multiply (each use expanding into two uses, say) stops
/// there.
pub const MAX_MACRO_EXPANSIONS: u32 = 500_000;

impl<'a> Expander<'a> {
    /// An expander compiling into `module`: new global variables get slots in `globals`,
    /// quoted data is allocated on `heap`.
    pub fn new(
        globals: &'a mut Globals,
        heap: &'a mut Heap,
        module: &'a mut Module,
        libraries: &'a LibraryEnvs,
    ) -> Self {
        Expander {
            globals,
            heap,
            module,
            libraries,
            vars: Vec::new(),
            scopes: scopes::Scopes::default(),
            depth: 0,
            selves: vec![None],
            uninitialised: Vec::new(),
            macro_depth: 0,
            expansions: 0,
            defined_macros: false,
        }
    }

    // ---- names ----------------------------------------------------------------------

    fn classify(&mut self, head: &Syn) -> Head {
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
            (Some(GlobalBinding::Var(slot)), false) => {
                Head::Global(self.module.reference_slot(self.globals, base, slot))
            }
            (None, _) => Head::Other,
        }
    }

    // ---- entry points -------------------------------------------------------------

    /// Whether the form defined a macro at the top level: its rules may hold aliases made
    /// while expanding the form, which must then live on.
    pub fn defined_macros(&self) -> bool {
        self.defined_macros
    }

    /// Expands a top-level form.
    pub fn expand_toplevel(&mut self, x: &Syn) -> CResult<Node> {
        self.scopes = scopes::Scopes::default();
        self.expand(x)
    }

    fn expand(&mut self, x: &Syn) -> CResult<Node> {
        // Every construct nests through here.
        crate::compile::deep(|| self.expand_here(x))
    }

    fn expand_here(&mut self, x: &Syn) -> CResult<Node> {
        match &x.e {
            Sexp::Sym(s) => self.expand_ref(*s, x.span),
            Sexp::List(items, None) => self.expand_list(x, items),
            Sexp::List(items, Some(_)) => match self.classify(&items[0]) {
                // A macro's patterns may match a dotted form: `(m a . b)`.
                Head::Macro(m) => self.expand_macro_use(&m, x),
                _ => err(x.span, format!("bad syntax: improper list {x}")),
            },
            Sexp::Labelled(..) | Sexp::LabelRef(_) => {
                err(x.span, "a circular datum must be quoted")
            }
            _ => Ok(Node::Const(self.quote(x))),
        }
    }

    fn expand_ref(&mut self, s: Symbol, span: Span) -> CResult<Node> {
        match self.lookup_local(s) {
            Some(Binding::Var(id)) => self.read_var(id, span),
            Some(Binding::Macro(_)) => err(span, format!("syntax keyword used as a variable: {s}")),
            None => {
                let base = s.strip();
                match self.global_binding(s) {
                    (Some(GlobalBinding::Macro(_)), _) => {
                        err(span, format!("syntax keyword used as a variable: {s}"))
                    }
                    (None, _) if is_special_form(&base.name()) => {
                        err(span, format!("syntax keyword used as a variable: {s}"))
                    }
                    (Some(GlobalBinding::Var(slot)), true) => Ok(Node::Global(slot, span)),
                    (Some(GlobalBinding::Var(slot)), false) => {
                        let slot = self.module.reference_slot(self.globals, base, slot);
                        Ok(Node::Global(slot, span))
                    }
                    (None, _) => Ok(Node::Global(self.global_slot(base), span)),
                }
            }
        }
    }

    fn expand_list(&mut self, x: &Syn, items: &[Syn]) -> CResult<Node> {
        let head = &items[0];
        match self.classify(head) {
            Head::Special(s) => self.expand_special(&s.name(), x, items),
            Head::Macro(m) => self.expand_macro_use(&m, x),
            Head::Global(slot) => {
                if let Some(p) = self.globals.prim(slot) {
                    if p.arity() == items.len() - 1 {
                        let args = self.expand_all(&items[1..])?;
                        let guard = Some(slot).filter(|&g| self.globals.guarded(g));
                        return Ok(Node::Prim(p, args, x.span, guard));
                    }
                }
                self.expand_call(x, items)
            }
            Head::Other => self.expand_call(x, items),
        }
    }

    /// Expands use `x` of macro `m` and what it expands into.
    fn expand_macro_use(&mut self, m: &Macro, x: &Syn) -> CResult<Node> {
        let expanded = self.expand_macro(m, x, self.macro_depth)?;
        self.macro_depth += 1;
        let node = self.expand(&expanded);
        self.macro_depth -= 1;
        node
    }

    /// Expands one use of macro `m`, `depth` expansions deep, within the limits.
    fn expand_macro(&mut self, m: &Macro, form: &Syn, depth: u32) -> CResult<Syn> {
        if depth >= MAX_MACRO_DEPTH {
            return err(
                form.span,
                format!("macro expansion too deep: {MAX_MACRO_DEPTH} expansions of {} inside one another", m.name),
            );
        }
        if self.expansions >= MAX_MACRO_EXPANSIONS {
            return err(
                form.span,
                format!("macro expansion too long: {MAX_MACRO_EXPANSIONS} expansions in one form, the last of {}", m.name),
            );
        }
        self.expansions += 1;
        let same = |id, lit| self.same_binding(id, lit, m.depth());
        m.expand(form, &same).map_err(|message| CompileError {
            message,
            span: form.span,
        })
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
}
