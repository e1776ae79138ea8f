//! Compiled code: the instruction set and procedure prototypes.

use crate::symbol::Symbol;
use crate::syntax::Span;
use crate::value::Value;
use std::cell::Cell;
use std::rc::Rc;

/// Primitives the compiler inlines when their standard binding is in scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prim {
    /// `(+ a b)`
    Add,
    /// `(- a b)`
    Sub,
    /// `(* a b)`
    Mul,
    /// `(< a b)`
    Lt,
    /// `(> a b)`
    Gt,
    /// `(<= a b)`
    Le,
    /// `(>= a b)`
    Ge,
    /// `(= a b)`
    NumEq,
    /// `(car p)`
    Car,
    /// `(cdr p)`
    Cdr,
    /// `(cons a b)`
    Cons,
    /// `(null? x)`
    IsNull,
    /// `(pair? x)`
    IsPair,
    /// `(not x)`
    Not,
    /// `(eq? a b)`
    Eq,
    /// `(eqv? a b)`
    Eqv,
    /// `(zero? x)`
    IsZero,
    /// `(vector-ref v i)`
    VectorRef,
    /// `(vector-set! v i x)`
    VectorSet,
}

impl Prim {
    /// The standard procedure name and argument count of each primitive.
    pub const ALL: [(Prim, &'static str, usize); 19] = [
        (Prim::Add, "+", 2),
        (Prim::Sub, "-", 2),
        (Prim::Mul, "*", 2),
        (Prim::Lt, "<", 2),
        (Prim::Gt, ">", 2),
        (Prim::Le, "<=", 2),
        (Prim::Ge, ">=", 2),
        (Prim::NumEq, "=", 2),
        (Prim::Car, "car", 1),
        (Prim::Cdr, "cdr", 1),
        (Prim::Cons, "cons", 2),
        (Prim::IsNull, "null?", 1),
        (Prim::IsPair, "pair?", 1),
        (Prim::Not, "not", 1),
        (Prim::Eq, "eq?", 2),
        (Prim::Eqv, "eqv?", 2),
        (Prim::IsZero, "zero?", 1),
        (Prim::VectorRef, "vector-ref", 2),
        (Prim::VectorSet, "vector-set!", 3),
    ];

    /// Number of arguments the inlined form takes.
    pub fn arity(self) -> usize {
        Prim::ALL.iter().find(|p| p.0 == self).map_or(0, |p| p.2)
    }

    /// The procedure name.
    pub fn name(self) -> &'static str {
        Prim::ALL.iter().find(|p| p.0 == self).map_or("", |p| p.1)
    }
}

/// One VM instruction.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Push constant `k`.
    Const(u32),
    /// Push local slot.
    Local(u16),
    /// Pop into local slot.
    SetLocal(u16),
    /// Push the value inside the box in a local slot.
    LocalBox(u16),
    /// Pop into the box in a local slot.
    SetLocalBox(u16),
    /// Replace a local slot's value by a box holding it.
    BoxLocal(u16),
    /// Push the running closure itself (a named `let` loop calling itself).
    SelfClosure,
    /// Push captured variable.
    Free(u16),
    /// Push the value inside a captured box.
    FreeBox(u16),
    /// Pop into a captured box.
    SetFreeBox(u16),
    /// Push global.
    Global(u32),
    /// Pop into an existing global.
    SetGlobal(u32),
    /// Pop into a global, defining it.
    DefGlobal(u32),
    /// Drop the top of stack.
    Pop,
    /// Jump to an instruction index.
    Jump(u32),
    /// Pop; jump if it is `#f`.
    JumpIfFalse(u32),
    /// Make a closure of child prototype `i`, popping its captured values.
    Closure(u32),
    /// Call with `n` arguments (callee below them).
    Call(u16),
    /// Tail call with `n` arguments.
    TailCall(u16),
    /// Return the top of stack.
    Return,
    /// Apply an inlined primitive.
    Prim(Prim),
    /// Pop; jump if it is not `#f`.
    JumpIfTrue(u32),
    /// Pop two values, compare them with a comparison primitive, jump if the result is `#f`.
    JumpIfNot(Prim, u32),
    /// Add a small constant to the top of stack.
    AddImm(i32),
}

/// A compiled lambda.
pub struct Proto {
    /// Procedure name for messages and backtraces.
    pub name: Option<Symbol>,
    /// Required parameters.
    pub nparams: u16,
    /// Whether extra arguments are collected in a list.
    pub rest: bool,
    /// Local slots (parameters included).
    pub nslots: u16,
    /// Captured variables the closure carries.
    pub nfree: u16,
    /// Instructions.
    pub code: Vec<Op>,
    /// Source position of each instruction.
    pub spans: Vec<Span>,
    /// Constants.
    pub consts: Vec<Value>,
    /// Nested lambdas.
    pub children: Vec<Rc<Proto>>,
    /// Library-internal code hidden from backtraces.
    pub internal: bool,
    /// Collector bookkeeping.
    pub mark_epoch: Cell<u32>,
}
