//! Compiled code: the instruction set and procedure prototypes.

use crate::read::symbol::Symbol;
use crate::read::syntax::Span;
use crate::run::value::Value;
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
    /// `(/ a b)`
    Div,
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
    /// `(quotient a b)`
    Quotient,
    /// `(remainder a b)`
    Remainder,
    /// `(modulo a b)`
    Modulo,
    /// `(set-car! p x)`
    SetCar,
    /// `(set-cdr! p x)`
    SetCdr,
    /// `(vector-length v)`
    VectorLength,
    /// `(string-length s)`
    StringLength,
    /// `(string-ref s k)`
    StringRef,
    /// `(char->integer c)`
    CharToInteger,
}

impl Prim {
    /// The standard procedure name and argument count of each primitive.
    pub const ALL: [(Prim, &'static str, usize); 29] = [
        (Prim::Add, "+", 2),
        (Prim::Sub, "-", 2),
        (Prim::Mul, "*", 2),
        (Prim::Div, "/", 2),
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
        (Prim::Quotient, "quotient", 2),
        (Prim::Remainder, "remainder", 2),
        (Prim::Modulo, "modulo", 2),
        (Prim::SetCar, "set-car!", 2),
        (Prim::SetCdr, "set-cdr!", 2),
        (Prim::VectorLength, "vector-length", 1),
        (Prim::StringLength, "string-length", 1),
        (Prim::StringRef, "string-ref", 2),
        (Prim::CharToInteger, "char->integer", 1),
    ];

    /// Number of arguments the inlined form takes (the same as in [`Prim::ALL`]).
    #[inline(always)]
    pub const fn arity(self) -> usize {
        match self {
            Prim::Car
            | Prim::Cdr
            | Prim::IsNull
            | Prim::IsPair
            | Prim::Not
            | Prim::IsZero
            | Prim::VectorLength
            | Prim::StringLength
            | Prim::CharToInteger => 1,
            Prim::VectorSet => 3,
            _ => 2,
        }
    }

    /// Number of primitives.
    pub const COUNT: usize = Prim::ALL.len();
}

// `Prim::arity` agrees with the table, which lists the primitives in declaration order (so
// `p as usize` indexes it).
const _: () = {
    let mut i = 0;
    while i < Prim::ALL.len() {
        assert!(Prim::ALL[i].0.arity() == Prim::ALL[i].2);
        assert!(Prim::ALL[i].0 as usize == i);
        i += 1;
    }
};

/// A fused numeric comparison branch, packed in a byte: which comparison (`<`, `>`, `<=`,
/// `>=`, `=`), whether the branch is taken when it holds or when it fails, and (bits 0-2)
/// for which fixnum orderings (less, equal, greater) the branch is taken.
#[derive(Clone, Copy, Debug)]
pub struct Cmp(u8);

impl Cmp {
    const PRIMS: [Prim; 5] = [Prim::Lt, Prim::Gt, Prim::Le, Prim::Ge, Prim::NumEq];

    /// A branch taken when `(prim a b)` is `jump_if`; `None` if `prim` is not a comparison.
    pub fn new(prim: Prim, jump_if: bool) -> Option<Cmp> {
        let i = Cmp::PRIMS.iter().position(|&p| p == prim)? as u8;
        // The orderings (bit 0 less, 1 equal, 2 greater) for which the comparison holds.
        let holds = match prim {
            Prim::Lt => 0b001,
            Prim::Gt => 0b100,
            Prim::Le => 0b011,
            Prim::Ge => 0b110,
            _ => 0b010,
        };
        let mask = if jump_if { holds } else { !holds & 0b111 };
        Some(Cmp(mask | i << 3 | u8::from(jump_if) << 6))
    }

    /// The comparison primitive.
    pub fn prim(self) -> Prim {
        Cmp::PRIMS[usize::from(self.0 >> 3 & 7)]
    }

    /// Whether the branch is taken when the comparison holds (else when it fails).
    pub fn jump_if(self) -> bool {
        self.0 & 0x40 != 0
    }

    /// Whether the branch is taken when both operands are fixnums.
    #[inline(always)]
    pub fn jumps_ints(self, a: i64, b: i64) -> bool {
        let ordering = u8::from(a >= b) + u8::from(a > b);
        self.0 >> ordering & 1 != 0
    }

    /// Whether the branch is taken for two flonums. A NaN operand makes every comparison
    /// fail.
    #[inline(always)]
    pub fn jumps_floats(self, a: f64, b: f64) -> bool {
        match a.partial_cmp(&b) {
            Some(o) => self.0 >> (o as i8 + 1) & 1 != 0,
            None => !self.jump_if(),
        }
    }
}

/// An arithmetic primitive (`+`, `-`, `*`, `/` of two numbers) as an instruction operand,
/// with its fixnum and flonum fast paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    /// `(+ a b)`
    Add,
    /// `(- a b)`
    Sub,
    /// `(* a b)`
    Mul,
    /// `(/ a b)`
    Div,
}

impl Arith {
    /// The arithmetic of `prim`, if it is one.
    pub fn new(prim: Prim) -> Option<Arith> {
        Some(match prim {
            Prim::Add => Arith::Add,
            Prim::Sub => Arith::Sub,
            Prim::Mul => Arith::Mul,
            Prim::Div => Arith::Div,
            _ => return None,
        })
    }

    /// The primitive, whose general procedure runs when the fast paths do not apply.
    pub fn prim(self) -> Prim {
        match self {
            Arith::Add => Prim::Add,
            Arith::Sub => Prim::Sub,
            Arith::Mul => Prim::Mul,
            Arith::Div => Prim::Div,
        }
    }

    /// The result for two fixnums, when it is a fixnum.
    #[inline(always)]
    pub fn ints(self, a: i64, b: i64) -> Option<i64> {
        match self {
            Arith::Add => a.checked_add(b),
            Arith::Sub => a.checked_sub(b),
            Arith::Mul => a.checked_mul(b),
            Arith::Div => match (a.checked_rem(b)?, a.checked_div(b)?) {
                (0, q) => Some(q),
                _ => None,
            },
        }
    }

    /// The result for two flonums.
    #[inline(always)]
    pub fn floats(self, a: f64, b: f64) -> f64 {
        match self {
            Arith::Add => a + b,
            Arith::Sub => a - b,
            Arith::Mul => a * b,
            Arith::Div => a / b,
        }
    }

    /// The result for two fixnums or two flonums, when it is one of them: the
    /// instructions' fast path.
    #[inline(always)]
    pub fn fast(self, a: Value, b: Value) -> Option<Value> {
        match (a, b) {
            (Value::Float(x), Value::Float(y)) => Some(Value::Float(self.floats(x, y))),
            (Value::Int(x), Value::Int(y)) => self.ints(x, y).map(Value::Int),
            _ => None,
        }
    }
}

/// A fused type or identity test branch, packed in a byte: the test primitive (`null?`,
/// `pair?`, `zero?`, `not`, `eq?`, `eqv?`) and whether the branch is taken when the test
/// holds or when it fails.
#[derive(Clone, Copy, Debug)]
pub struct Test(u8);

impl Test {
    const PRIMS: [Prim; 6] = [
        Prim::IsNull,
        Prim::IsPair,
        Prim::IsZero,
        Prim::Not,
        Prim::Eq,
        Prim::Eqv,
    ];

    /// A branch taken when `(prim x ...)` is `jump_if`; `None` if `prim` is not a test.
    pub fn new(prim: Prim, jump_if: bool) -> Option<Test> {
        let i = Test::PRIMS.iter().position(|&p| p == prim)? as u8;
        Some(Test(i | u8::from(jump_if) << 7))
    }

    /// The test primitive.
    #[inline(always)]
    pub fn prim(self) -> Prim {
        Test::PRIMS[usize::from(self.0 & 7)]
    }

    /// Whether the branch is taken when the test holds (else when it fails).
    #[inline(always)]
    pub fn jump_if(self) -> bool {
        self.0 & 0x80 != 0
    }
}

/// An operand an instruction reads directly: a local slot (0-127) or, with the top bit
/// set, a captured variable (0-127) of the running closure.
#[derive(Clone, Copy, Debug)]
pub struct Var(u8);

impl Var {
    const FREE: u8 = 0x80;

    /// Local slot `s`, if it is small enough.
    pub fn local(s: u16) -> Option<Var> {
        u8::try_from(s).ok().filter(|&s| s < Var::FREE).map(Var)
    }

    /// Captured variable `i`, if it is small enough.
    pub fn free(i: u16) -> Option<Var> {
        u8::try_from(i)
            .ok()
            .filter(|&i| i < Var::FREE)
            .map(|i| Var(i | Var::FREE))
    }

    /// The captured variable's index, or `Err` with the local slot.
    #[inline(always)]
    pub fn free_index(self) -> Result<usize, usize> {
        if self.0 & Var::FREE != 0 {
            Ok(usize::from(self.0 & !Var::FREE))
        } else {
            Err(usize::from(self.0))
        }
    }
}

/// One VM instruction.
#[derive(Clone, Copy, Debug)]
pub enum Op {
    /// Push constant `k`.
    Const(u32),
    /// Push local slot.
    Local(u16),
    /// Push two local slots (the first, then the second).
    Local2(u16, u16),
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
    /// Return a local slot.
    ReturnLocal(u16),
    /// Apply an inlined primitive.
    Prim(Prim),
    /// Apply an inlined two-argument primitive to two variables.
    PrimVV(Prim, Var, Var),
    /// Arithmetic on two variables.
    ArithVV(Arith, Var, Var),
    /// Arithmetic on two variables, stored into local slot `s` (a `let` variable's
    /// initial value).
    ArithVVTo(Arith, Var, Var, u16),
    /// Arithmetic on two variables, then on that result and a third variable: `(op2 (op1
    /// x y) z)`, or `(op2 z (op1 x y))` when the flag is set; pushes the result. Fixnums and
    /// flonums only: anything else runs the instruction's general code.
    ArithVVV(Arith, Var, Var, Arith, Var, bool),
    /// [`Op::ArithVVV`] with constant `k` as the third operand.
    ArithVVK(Arith, Var, Var, Arith, u16, bool),
    /// Arithmetic on the top of stack and a variable: `(op top x)`, or `(op x top)` when
    /// the flag is set; replaces the top.
    ArithSV(Arith, Var, bool),
    /// Arithmetic on the top of stack and constant `k`: `(op top k)`, or `(op k top)` when
    /// the flag is set; replaces the top.
    ArithSK(Arith, u16, bool),
    /// Exchange the top two values (general code of an [`Op::ArithSV`] or [`Op::ArithSK`]
    /// whose operands are swapped).
    Swap,
    /// Pop; jump if it is not `#f`.
    JumpIfTrue(u32),
    /// Pop two values, compare them, and jump as the comparison says.
    JumpCmp(Cmp, u32),
    /// Compare two variables and jump as the comparison says.
    JumpCmpVV(Cmp, Var, Var, u32),
    /// Compare a variable with a fixnum and jump as the comparison says.
    JumpCmpVI(Cmp, Var, i8, u32),
    /// Pop a value, compare it with constant `k`, and jump as the comparison says.
    JumpCmpSK(Cmp, u16, u32),
    /// Compare two local slots (0-255) and jump as the comparison says: [`Op::JumpCmpVV`]
    /// without the operands' captured-variable checks.
    JumpCmpLL(Cmp, u8, u8, u32),
    /// Add a small constant to the top of stack.
    AddImm(i32),
    /// Push a local slot plus a small constant.
    LocalAddImm(u16, i32),
    /// Tail call of the running closure with `n` arguments (no callee on the stack; the
    /// compiler has checked the argument count).
    TailCallSelf(u16),
    /// Apply an inlined one-argument primitive to a variable.
    PrimV(Prim, Var),
    /// Pop the test's operands, apply it, and jump as it says.
    JumpTest(Test, u32),
    /// Apply a one-argument test to a variable and jump as it says.
    JumpTestV(Test, Var, u32),
    /// Apply a two-argument test to two variables and jump as it says.
    JumpTestVV(Test, Var, Var, u32),
    /// Jump if the top of stack is true, keeping it there (`or`).
    JumpIfTrueKeep(u32),
    /// Pop `n` values into local slots `first..first + n` (the top into the last) and jump
    /// to the target: the next iteration of a loop running in its enclosing frame.
    Loop(u16, u8, u32),
    /// Tail call with `n` arguments of global `g`, which the running closure was defined
    /// as: when `g` still holds the running closure, a jump to its start, as
    /// [`Op::TailCallSelf`]; else the instruction's general code runs (see
    /// [`Proto::general`]).
    TailCallSelfGlobal(u32, u16),
    /// Put the value of a global below the top `n` values (the callee of a call whose
    /// arguments are pushed already: a deoptimised primitive, see [`Guard`]).
    GlobalUnder(u32, u16),
}

// Instructions stay two words wide: the dispatch loop loads one per step.
const _: () = assert!(std::mem::size_of::<Op>() == 8);

impl Op {
    /// The same conditional jump with another target.
    pub fn with_target(self, target: u32) -> Op {
        match self {
            Op::Jump(_) => Op::Jump(target),
            Op::JumpIfFalse(_) => Op::JumpIfFalse(target),
            Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
            Op::JumpCmp(c, _) => Op::JumpCmp(c, target),
            Op::JumpCmpVV(c, a, b, _) => Op::JumpCmpVV(c, a, b, target),
            Op::JumpCmpVI(c, a, k, _) => Op::JumpCmpVI(c, a, k, target),
            Op::JumpCmpSK(c, k, _) => Op::JumpCmpSK(c, k, target),
            Op::JumpCmpLL(c, a, b, _) => Op::JumpCmpLL(c, a, b, target),
            Op::JumpTest(c, _) => Op::JumpTest(c, target),
            Op::JumpTestV(c, a, _) => Op::JumpTestV(c, a, target),
            Op::JumpTestVV(c, a, b, _) => Op::JumpTestVV(c, a, b, target),
            Op::JumpIfTrueKeep(_) => Op::JumpIfTrueKeep(target),
            Op::Loop(s, n, _) => Op::Loop(s, n, target),
            op => op,
        }
    }

    /// The jump target of a jump instruction.
    pub fn target(self) -> Option<u32> {
        match self {
            Op::Jump(t)
            | Op::JumpIfFalse(t)
            | Op::JumpIfTrue(t)
            | Op::JumpCmp(_, t)
            | Op::JumpCmpVV(.., t)
            | Op::JumpCmpVI(.., t)
            | Op::JumpCmpSK(.., t)
            | Op::JumpCmpLL(.., t)
            | Op::JumpTest(_, t)
            | Op::JumpTestV(_, _, t)
            | Op::JumpTestVV(.., t)
            | Op::JumpIfTrueKeep(t)
            | Op::Loop(.., t) => Some(t),
            _ => None,
        }
    }
}

/// A primitive inlined in code for the standard procedure a global holds when the code is
/// compiled (a name the program may still define or assign, such as `car`). The
/// instruction at `site` computes the primitive; `stub` is code that does what it does by
/// calling the globals instead and then continues after `site`. When one of `slots` comes
/// to hold another procedure, the instruction at `site` becomes a jump to `stub`.
#[derive(Clone, Debug)]
pub struct Guard {
    /// The inlined instruction.
    pub site: u32,
    /// Where the general code for it starts.
    pub stub: u32,
    /// The globals it was compiled for (a fused test may stand for `not` and a primitive).
    pub slots: Box<[u32]>,
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
    /// Most values the code keeps on the stack above its local slots.
    pub max_stack: u32,
    /// Stack room a call of the code needs: `nslots + max_stack`.
    pub frame_size: u32,
    /// The argument count a call may start the code with as it is: `nparams`, or `u32::MAX`
    /// with a rest parameter.
    pub direct_argc: u32,
    /// Captured variables the closure carries.
    pub nfree: u16,
    /// Instructions. A site of a [`Guard`] may become a jump to its stub while the code
    /// runs, hence the cells.
    pub code: Vec<Cell<Op>>,
    /// Source position of each instruction.
    pub spans: Vec<Span>,
    /// Constants.
    pub consts: Vec<Value>,
    /// Nested lambdas.
    pub children: Vec<Rc<Proto>>,
    /// Library-internal code hidden from backtraces.
    pub internal: bool,
    /// The primitives inlined for globals the program may redefine.
    pub guards: Box<[Guard]>,
    /// Instruction index → where its general code starts, for the instructions that take
    /// it when their fast path does not apply ([`Op::TailCallSelfGlobal`]).
    pub general: Box<[(u32, u32)]>,
    /// Collector bookkeeping.
    pub mark_epoch: Cell<u32>,
}

/// Dropping the code of deeply nested procedures takes it apart one level at a time, so it
/// cannot overflow the Rust stack.
impl Drop for Proto {
    fn drop(&mut self) {
        let mut pending = std::mem::take(&mut self.children);
        while let Some(child) = pending.pop() {
            if let Ok(mut p) = Rc::try_unwrap(child) {
                pending.append(&mut p.children);
            }
        }
    }
}

impl Proto {
    /// Where the general code of the instruction at `site` starts (see
    /// [`Proto::general`]).
    #[cold]
    pub fn general_code(&self, site: usize) -> u32 {
        let i = self
            .general
            .binary_search_by_key(&(site as u32), |&(s, _)| s)
            .expect("general code of an instruction");
        self.general[i].1
    }
}
