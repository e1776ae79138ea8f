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
mod records;
mod scopes;
mod special;

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
    /// Every lexical variable of the form.
    pub vars: Vec<VarInfo>,
    scopes: Vec<Vec<(Symbol, Binding)>>,
    depth: u32,
    /// For each lambda depth, the variable bound to that lambda (see [`Lambda::self_var`]).
    selves: Vec<Option<VarId>>,
    /// `letrec`/body variables whose initialisation has not run yet where the expander
    /// is: a direct read of one is checked at run time (see [`Expander::use_var`]).
    uninitialised: Vec<VarId>,
    /// Where the Rust stack was when the expander was made (see [`stack_address`]).
    stack_base: usize,
    /// Bytes of Rust stack the expander may use before it reports "expression nested too
    /// deeply".
    stack_budget: usize,
}

/// Default for the stack budget of compiling one form (see
/// [`crate::Interpreter::set_compile_stack`]): safe on a thread with 2 MiB of stack
/// (Rust's default for spawned threads). Generating code for an expanded form takes at
/// most 1.1 times the stack its expansion took in an optimised build, 2.3 times in a debug
/// build (measured for `or`, the worst case: one level of expansion makes two levels of
/// code). In an optimised build this allows about 900 levels of `(+ 1 (+ 1 ...))` or 350
/// of nested `let`; a debug build uses many times more stack per level.
pub const DEFAULT_COMPILE_STACK: usize = 640 << 10;

/// The address of a local variable: where the Rust stack is now.
#[inline(always)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

impl<'a> Expander<'a> {
    /// An expander compiling into `module`: new global variables get slots in `globals`,
    /// quoted data is allocated on `heap`. Expanding (and then generating code) may use
    /// `stack_budget` bytes of Rust stack from here.
    pub fn new(
        globals: &'a mut Globals,
        heap: &'a mut Heap,
        module: &'a mut Module,
        stack_budget: usize,
    ) -> Self {
        Expander {
            globals,
            heap,
            module,
            vars: Vec::new(),
            scopes: Vec::new(),
            depth: 0,
            selves: vec![None],
            uninitialised: Vec::new(),
            stack_base: stack_address(),
            stack_budget,
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

    /// Expands a top-level form.
    pub fn expand_toplevel(&mut self, x: &Syn) -> CResult<Node> {
        self.scopes.clear();
        self.expand(x)
    }

    fn expand(&mut self, x: &Syn) -> CResult<Node> {
        // Every construct nests through here, so this bounds the stack the expander (and
        // then the code generator, which needs less per level) can use.
        if self.stack_base.abs_diff(stack_address()) > self.stack_budget {
            return err(x.span, "expression nested too deeply");
        }
        match &x.e {
            Sexp::Sym(s) => self.expand_ref(*s, x.span),
            Sexp::List(items, None) => self.expand_list(x, items),
            Sexp::List(_, Some(_)) => err(x.span, format!("bad syntax: improper list {x}")),
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
                        let guard = Some(slot).filter(|&g| self.globals.guarded(g));
                        return Ok(Node::Prim(p, args, x.span, guard));
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
}
