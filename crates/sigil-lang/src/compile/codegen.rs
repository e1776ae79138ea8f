//! Code generation: the core tree ([`Node`]) to VM instructions ([`Proto`]).
//!
//! Variables live in frame slots; closures are flat (they copy the values they capture).
//! A variable that is both captured and assigned lives in a box so every closure shares it.

use crate::compile::loops::{named_let, Loops};
use crate::compile::tree::{Lambda, Node, VarId, VarInfo};
use crate::read::symbol::{FastMap, Symbol};
use crate::read::syntax::Span;
use crate::run::code::{Arith, Cmp, Guard, Op, Prim, Proto, Test, Var};
use crate::run::value::Value;
use std::cell::Cell;
use std::rc::Rc;

struct FnCtx {
    self_var: Option<VarId>,
    /// The global a top-level `define` binds this procedure to.
    self_global: Option<u32>,
    /// Required parameters and whether there is a rest parameter.
    nparams: usize,
    rest: bool,
    /// Values on the stack above the local slots at the current instruction, and their
    /// maximum ([`Proto::max_stack`]).
    depth: i32,
    max_depth: i32,
    slots: FastMap<VarId, u16>,
    next_slot: u16,
    max_slots: u16,
    free: Vec<VarId>,
    code: Vec<Op>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    children: Vec<Rc<Proto>>,
    /// General code for the guarded primitive instructions (see [`Guard`]), placed after
    /// the function's code when it is complete.
    stubs: Vec<Stub>,
    /// Instruction index → its stub in `stubs`.
    stub_at: FastMap<usize, usize>,
}

/// The general code of an instruction, placed after the function's code: for a guarded
/// primitive instruction, what it computes by calls of the globals its primitives stand
/// for; for a self tail call through a global, the plain tail call (see
/// [`Proto::general`]). Control continues after the instruction.
struct Stub {
    site: usize,
    /// The globals a guarded primitive instruction stands for.
    slots: Vec<u32>,
    /// Whether the instruction looks its general code up in [`Proto::general`].
    general: bool,
    ops: Vec<Op>,
    spans: Vec<Span>,
    /// The index in `ops` of the conditional jump that shares the instruction's target.
    jump: Option<usize>,
}

/// Arithmetic on two variables, as [`Codegen::arith_vv`] finds it in a tree.
#[derive(Clone, Copy)]
struct ArithVV {
    prim: Prim,
    op: Arith,
    a: Var,
    b: Var,
    span: Span,
    guard: Option<u32>,
}

enum Place {
    Local(u16),
    Free(u16),
}

/// A named-let loop running inline (see [`crate::compile::loops`]): where its variables
/// are stored and jumped back to.
struct InlineLoop {
    /// The instruction that stores the values on the stack into the loop's variables.
    head: u32,
    argc: usize,
    /// The first of the variables' consecutive slots, when one [`Op::Loop`] can store
    /// them (none is boxed).
    first: Option<u16>,
}

/// Generates code for one top-level form.
pub struct Codegen<'a> {
    vars: &'a [VarInfo],
    /// The form's loops and captured variables (filled by [`Codegen::compile_toplevel`]).
    loops: Loops<'a>,
    /// The inline loops being compiled, by loop variable.
    inline_loops: FastMap<VarId, InlineLoop>,
    fns: Vec<FnCtx>,
    span: Span,
    internal: bool,
}

impl<'a> Codegen<'a> {
    /// A generator over the expander's variable table; `internal` hides the code from
    /// backtraces (library code).
    pub fn new(vars: &'a [VarInfo], internal: bool) -> Self {
        Codegen {
            vars,
            loops: Loops::analyse(&Node::Const(Value::Unspecified), vars),
            inline_loops: FastMap::default(),
            fns: Vec::new(),
            span: Span::default(),
            internal,
        }
    }

    /// Compiles a top-level form as a procedure of no arguments.
    pub fn compile_toplevel(mut self, node: &Node, span: Span) -> Rc<Proto> {
        self.span = span;
        self.loops = Loops::analyse(node, self.vars);
        let l = Lambda {
            name: Some(Symbol::intern("toplevel")),
            params: vec![],
            rest: None,
            self_var: None,
            body: Node::Const(Value::Unspecified),
        };
        self.begin_fn(&l);
        // Not a tail position: the top-level frame stays on the stack while the form runs,
        // so an error in a call the form makes still reports the form's position.
        self.compile(node, false);
        self.emit(Op::Return);
        self.end_fn(&l)
    }

    /// Whether a variable lives in a box: when closures share it after it is initialised,
    /// and whenever `set!` assigns it (so a re-entered continuation, which copies the stack,
    /// still sees the variable's current value).
    fn boxed(&self, v: VarId) -> bool {
        let info = &self.vars[v as usize];
        info.mutated || (info.assigned && self.loops.captured(v))
    }

    fn f(&mut self) -> &mut FnCtx {
        self.fns.last_mut().expect("function context")
    }

    fn emit(&mut self, op: Op) -> usize {
        let span = self.span;
        let effect = self.stack_effect(op);
        let f = self.f();
        f.depth += effect;
        f.max_depth = f.max_depth.max(f.depth);
        f.code.push(op);
        f.spans.push(span);
        f.code.len() - 1
    }

    /// Emits `op`, a primitive instruction guarded by `slots`, whose general code is `stub`
    /// (see [`Guard`]).
    fn emit_guarded(&mut self, op: Op, slots: Vec<u32>, stub: Vec<Op>) -> usize {
        let depth = self.f().depth;
        let at = self.emit(op);
        self.add_stub(at, slots, depth, stub, None);
        at
    }

    /// How many values `op` leaves on the stack minus how many it takes.
    fn stack_effect(&self, op: Op) -> i32 {
        match op {
            Op::Const(_)
            | Op::Local(_)
            | Op::LocalBox(_)
            | Op::SelfClosure
            | Op::Free(_)
            | Op::FreeBox(_)
            | Op::Global(_)
            | Op::LocalAddImm(..)
            | Op::PrimVV(..)
            | Op::ArithVV(..)
            | Op::ArithVVV(..)
            | Op::ArithVVK(..)
            | Op::PrimV(..) => 1,
            Op::Local2(..) => 2,
            Op::SetLocal(_)
            | Op::SetLocalBox(_)
            | Op::SetFreeBox(_)
            | Op::SetGlobal(_)
            | Op::DefGlobal(_)
            | Op::Pop
            | Op::JumpIfFalse(_)
            | Op::JumpIfTrue(_)
            | Op::Return => -1,
            Op::ReturnLocal(_) => 0,
            Op::BoxLocal(_)
            | Op::Jump(_)
            | Op::JumpCmpVV(..)
            | Op::JumpCmpVI(..)
            | Op::JumpCmpLL(..)
            | Op::JumpTestV(..)
            | Op::JumpTestVV(..)
            | Op::JumpIfTrueKeep(_)
            | Op::ArithSV(..)
            | Op::ArithSK(..)
            | Op::ArithVVTo(..)
            | Op::Swap
            | Op::AddImm(_) => 0,
            Op::JumpTest(t, _) => -(t.prim().arity() as i32),
            Op::JumpCmp(..) => -2,
            Op::JumpCmpSK(..) => -1,
            Op::Closure(i) => {
                let f = self.fns.last().expect("function context");
                1 - i32::from(f.children[i as usize].nfree)
            }
            Op::Call(n) | Op::TailCall(n) | Op::TailCallSelf(n) => -i32::from(n),
            Op::TailCallSelfGlobal(_, n) => -i32::from(n),
            Op::Loop(_, n, _) => -i32::from(n),
            Op::GlobalUnder(..) => 1,
            Op::Prim(p) => 1 - p.arity() as i32,
        }
    }

    /// The frame slot of `node` when it is an unboxed local variable of the current function.
    fn plain_local(&self, node: &Node) -> Option<u16> {
        let Node::Local(v) = node else { return None };
        let f = self.fns.last()?;
        if self.boxed(*v) {
            return None;
        }
        f.slots.get(v).copied()
    }

    /// `node` as an instruction operand, when it is a variable that needs no unboxing.
    fn var(&mut self, node: &Node) -> Option<Var> {
        let Node::Local(v) = node else { return None };
        let d = self.fns.len() - 1;
        if self.boxed(*v) || self.is_self(d, *v) {
            return None;
        }
        match self.place(d, *v) {
            Place::Local(s) => Var::local(s),
            Place::Free(i) => Var::free(i),
        }
    }

    fn constant(&mut self, v: Value) {
        let op = self.const_op(v);
        self.emit(op);
    }

    /// The instruction that pushes constant `v`.
    fn const_op(&mut self, v: Value) -> Op {
        let f = self.f();
        let k = match f.consts.iter().position(|c| c.eq(v)) {
            Some(k) => k,
            None => {
                f.consts.push(v);
                f.consts.len() - 1
            }
        };
        Op::Const(k as u32)
    }

    /// The instruction that pushes the value of operand `x`.
    fn push_op(x: Var) -> Op {
        match x.free_index() {
            Ok(i) => Op::Free(i as u16),
            Err(s) => Op::Local(s as u16),
        }
    }

    /// Appends to `ops` what applies primitive `p` to the values on top of the stack: the
    /// call of global `guard` when it has one (see [`Guard`]), else the primitive.
    fn apply_ops(p: Prim, guard: Option<u32>, ops: &mut Vec<Op>) {
        let n = p.arity() as u16;
        match guard {
            Some(g) => ops.extend([Op::GlobalUnder(g, n), Op::Call(n)]),
            None => ops.push(Op::Prim(p)),
        }
    }

    /// Records `ops` as the general code of the instruction at `site`, guarded by `slots`
    /// (nothing when there are none), which starts with `depth` values on the stack.
    fn add_stub(
        &mut self,
        site: usize,
        slots: Vec<u32>,
        depth: i32,
        ops: Vec<Op>,
        jump: Option<usize>,
    ) {
        if slots.is_empty() {
            return;
        }
        let spans = vec![self.span; ops.len()];
        let stub = Stub {
            site,
            slots,
            general: false,
            ops,
            spans,
            jump,
        };
        self.push_stub(stub, depth);
    }

    /// Records `stub`, whose code starts with `depth` values on the stack.
    fn push_stub(&mut self, stub: Stub, depth: i32) {
        let mut d = depth;
        let mut max = depth;
        for &op in &stub.ops {
            d += self.stack_effect(op);
            max = max.max(d);
        }
        let f = self.f();
        f.max_depth = f.max_depth.max(max);
        f.stub_at.insert(stub.site, f.stubs.len());
        f.stubs.push(stub);
    }

    fn alloc_slot(&mut self, v: VarId) -> u16 {
        let f = self.f();
        let s = f.next_slot;
        f.next_slot += 1;
        f.max_slots = f.max_slots.max(f.next_slot);
        f.slots.insert(v, s);
        s
    }

    fn place(&mut self, depth: usize, v: VarId) -> Place {
        let f = &mut self.fns[depth];
        if let Some(&s) = f.slots.get(&v) {
            return Place::Local(s);
        }
        let idx = match f.free.iter().position(|&x| x == v) {
            Some(i) => i,
            None => {
                f.free.push(v);
                f.free.len() - 1
            }
        };
        Place::Free(idx as u16)
    }

    /// Whether `v` names the closure running in function context `depth` (an unboxed
    /// self-reference, loaded with [`Op::SelfClosure`]).
    fn is_self(&self, depth: usize, v: VarId) -> bool {
        let f = &self.fns[depth];
        f.self_var == Some(v) && !f.slots.contains_key(&v) && !self.boxed(v)
    }

    fn load(&mut self, v: VarId) {
        let d = self.fns.len() - 1;
        if self.is_self(d, v) {
            self.emit(Op::SelfClosure);
            return;
        }
        let boxed = self.boxed(v);
        let op = match (self.place(d, v), boxed) {
            (Place::Local(s), false) => Op::Local(s),
            (Place::Local(s), true) => Op::LocalBox(s),
            (Place::Free(i), false) => Op::Free(i),
            (Place::Free(i), true) => Op::FreeBox(i),
        };
        self.emit(op);
    }

    fn store(&mut self, v: VarId) {
        let d = self.fns.len() - 1;
        let boxed = self.boxed(v);
        let op = match (self.place(d, v), boxed) {
            (Place::Local(s), false) => Op::SetLocal(s),
            (Place::Local(s), true) => Op::SetLocalBox(s),
            (Place::Free(i), _) => Op::SetFreeBox(i),
        };
        self.emit(op);
    }

    fn ret_if(&mut self, tail: bool) {
        if tail {
            self.emit(Op::Return);
        }
    }

    fn compile(&mut self, node: &Node, tail: bool) {
        super::deep(|| self.compile_node(node, tail));
    }

    fn compile_node(&mut self, node: &Node, tail: bool) {
        match node {
            Node::Const(v) => {
                self.constant(*v);
                self.ret_if(tail);
            }
            Node::Local(_) if tail && self.plain_local(node).is_some() => {
                let s = self.plain_local(node).expect("plain local");
                self.emit(Op::ReturnLocal(s));
            }
            Node::Local(v) => {
                self.load(*v);
                self.ret_if(tail);
            }
            Node::Global(g, span) => {
                let outer = std::mem::replace(&mut self.span, *span);
                self.emit(Op::Global(*g));
                self.span = outer;
                self.ret_if(tail);
            }
            Node::SetLocal(v, x) => {
                self.compile(x, false);
                self.store(*v);
                self.constant(Value::Unspecified);
                self.ret_if(tail);
            }
            Node::SetGlobal(g, x) | Node::DefGlobal(g, x) => {
                match (node, &**x) {
                    (Node::DefGlobal(..), Node::Lambda(l)) => self.compile_lambda(l, Some(*g)),
                    _ => self.compile(x, false),
                }
                self.emit(if matches!(node, Node::SetGlobal(..)) {
                    Op::SetGlobal(*g)
                } else {
                    Op::DefGlobal(*g)
                });
                self.constant(Value::Unspecified);
                self.ret_if(tail);
            }
            Node::If(c, t, e) => {
                let jumps = self.compile_branch(c, false);
                let depth = self.f().depth;
                self.compile(t, tail);
                let jend = if tail {
                    None
                } else {
                    Some(self.emit(Op::Jump(0)))
                };
                let else_at = self.f().code.len() as u32;
                for j in jumps {
                    self.patch(j, else_at);
                }
                self.f().depth = depth;
                self.compile(e, tail);
                if let Some(j) = jend {
                    let end = self.f().code.len() as u32;
                    self.patch(j, end);
                }
            }
            Node::Lambda(l) => {
                self.compile_lambda(l, None);
                self.ret_if(tail);
            }
            Node::Seq(items) => {
                if items.is_empty() {
                    self.constant(Value::Unspecified);
                    self.ret_if(tail);
                }
                for (i, item) in items.iter().enumerate() {
                    if i + 1 == items.len() {
                        self.compile(item, tail);
                    } else {
                        self.compile(item, false);
                        self.emit(Op::Pop);
                    }
                }
            }
            Node::Call(f, args, span) if self.loop_call(f).is_some() => {
                let l = self.loop_call(f).expect("loop call");
                let argc = l.argc;
                debug_assert_eq!(argc, args.len());
                let jump = match l.first {
                    Some(first) => Op::Loop(first, argc as u8, l.head + 1),
                    // No values to move: the jump still counts as a call, so that an
                    // endless loop can be interrupted.
                    None => Op::Loop(0, 0, l.head),
                };
                self.span = *span;
                self.compile_args(args);
                self.emit(jump);
                // Control does not come back; what follows counts on the call's value.
                self.f().depth += 1 - argc as i32;
            }
            Node::Call(f, args, span) if tail && self.is_self_global_call(f, args.len()) => {
                let Node::Global(g, name_span) = **f else {
                    unreachable!()
                };
                self.span = *span;
                self.compile_args(args);
                self.span = *span;
                let n = args.len() as u16;
                let depth = self.f().depth;
                let at = self.emit(Op::TailCallSelfGlobal(g, n));
                let stub = Stub {
                    site: at,
                    slots: Vec::new(),
                    general: true,
                    ops: vec![Op::GlobalUnder(g, n), Op::TailCall(n)],
                    spans: vec![name_span, *span],
                    jump: None,
                };
                self.push_stub(stub, depth);
            }
            Node::Call(f, args, span) if tail && self.is_self_call(f, args.len()) => {
                self.span = *span;
                self.compile_args(args);
                self.span = *span;
                self.emit(Op::TailCallSelf(args.len() as u16));
            }
            Node::Call(f, args, span) => {
                self.span = *span;
                self.compile(f, false);
                self.compile_args(args);
                self.span = *span;
                let n = args.len() as u16;
                self.emit(if tail { Op::TailCall(n) } else { Op::Call(n) });
            }
            Node::Prim(p @ (Prim::Add | Prim::Sub), args, span, guard) if matches!(args[1], Node::Const(Value::Int(k)) if k.unsigned_abs() < 1 << 30) =>
            {
                let Node::Const(Value::Int(k)) = args[1] else {
                    unreachable!()
                };
                let mut stub = Vec::new();
                let op = match self.plain_local(&args[0]) {
                    Some(s) => {
                        stub.push(Op::Local(s));
                        Op::LocalAddImm(s, if *p == Prim::Add { k } else { -k } as i32)
                    }
                    None => {
                        self.compile(&args[0], false);
                        Op::AddImm(if *p == Prim::Add { k } else { -k } as i32)
                    }
                };
                stub.push(self.const_op(Value::Int(k)));
                Self::apply_ops(*p, *guard, &mut stub);
                self.span = *span;
                self.emit_guarded(op, guard.iter().copied().collect(), stub);
                self.ret_if(tail);
            }
            Node::Prim(p, args, span, guard)
                if Arith::new(*p).is_some()
                    && self.var(&args[0]).zip(self.var(&args[1])).is_none() =>
            {
                let op = Arith::new(*p).expect("arithmetic");
                // One operand computed on the stack; the other, a variable or a number, as
                // the instruction that pushes it (for the general code) and the arithmetic
                // instruction that takes it as an operand.
                let operand = |this: &mut Self, a: &Node, swap: bool| match a {
                    Node::Const(v @ (Value::Int(_) | Value::Float(_))) => match this.const_op(*v) {
                        Op::Const(k) => u16::try_from(k)
                            .ok()
                            .map(|k| (Op::Const(k.into()), Op::ArithSK(op, k, swap))),
                        _ => None,
                    },
                    _ => this
                        .var(a)
                        .map(|x| (Self::push_op(x), Op::ArithSV(op, x, swap))),
                };
                let (computed, other, swap) = if let Some(o) = operand(self, &args[1], false) {
                    (&args[0], Some(o), false)
                } else if let Some(o) = operand(self, &args[0], true) {
                    (&args[1], Some(o), true)
                } else {
                    (&args[0], None, false)
                };
                if let Some((push, site)) = other {
                    if let Some(inner) = self.arith_vv(computed) {
                        self.compile_arith2(inner, (*p, *span, *guard), push, site);
                        self.ret_if(tail);
                        return;
                    }
                }
                self.compile(computed, false);
                let mut stub = Vec::new();
                let site = match other {
                    Some((push, site)) => {
                        stub.push(push);
                        if swap {
                            stub.push(Op::Swap);
                        }
                        site
                    }
                    None => {
                        self.compile(&args[1], false);
                        Op::Prim(*p)
                    }
                };
                Self::apply_ops(*p, *guard, &mut stub);
                self.span = *span;
                self.emit_guarded(site, guard.iter().copied().collect(), stub);
                self.ret_if(tail);
            }
            Node::Prim(p, args, span, guard) => {
                let vars: Option<Vec<Var>> = args.iter().map(|a| self.var(a)).collect();
                let op = match vars.as_deref() {
                    Some(&[a]) => Op::PrimV(*p, a),
                    Some(&[a, b]) => match Arith::new(*p) {
                        Some(op) => Op::ArithVV(op, a, b),
                        None => Op::PrimVV(*p, a, b),
                    },
                    _ => {
                        for a in args {
                            self.compile(a, false);
                        }
                        Op::Prim(*p)
                    }
                };
                let mut stub = Vec::new();
                if let Op::PrimV(..) | Op::PrimVV(..) | Op::ArithVV(..) = op {
                    stub.extend(vars.iter().flatten().map(|&v| Self::push_op(v)));
                }
                Self::apply_ops(*p, *guard, &mut stub);
                self.span = *span;
                self.emit_guarded(op, guard.iter().copied().collect(), stub);
                self.ret_if(tail);
            }
            Node::Let(binds, body) if self.or_parts(binds, body).is_some() => {
                let (a, b) = self.or_parts(binds, body).expect("or");
                self.compile(a, false);
                let j = self.emit(Op::JumpIfTrueKeep(0));
                self.emit(Op::Pop);
                self.compile(b, tail);
                let end = self.f().code.len() as u32;
                self.patch(j, end);
                self.ret_if(tail);
            }
            Node::Let(binds, body) => {
                // The slots are taken before the initial values are computed, so that one
                // can be stored as soon as it is known (no initial value can see them).
                let saved = self.f().next_slot;
                let slots: Vec<(VarId, u16)> = binds
                    .iter()
                    .map(|(v, _)| (*v, self.alloc_slot(*v)))
                    .collect();
                let mut pushed = Vec::new();
                for (&(v, s), (_, init)) in slots.iter().zip(binds) {
                    if self.boxed(v) || !self.compile_into(init, s) {
                        self.compile(init, false);
                        pushed.push(s);
                    }
                }
                for &s in pushed.iter().rev() {
                    self.emit(Op::SetLocal(s));
                }
                for &(v, s) in &slots {
                    if self.boxed(v) {
                        self.emit(Op::BoxLocal(s));
                    }
                }
                self.compile(body, tail);
                self.f().next_slot = saved;
            }
            Node::Scope(..) if named_let(node).is_some_and(|(v, ..)| self.loops.inline(v)) => {
                let (v, l, inits) = named_let(node).expect("named let");
                self.compile_inline_loop(v, l, inits, tail);
            }
            Node::Scope(vars, body) => {
                let saved = self.f().next_slot;
                for &v in vars {
                    let s = self.alloc_slot(v);
                    self.constant(Value::Undefined);
                    self.emit(Op::SetLocal(s));
                    if self.boxed(v) {
                        self.emit(Op::BoxLocal(s));
                    }
                }
                self.compile(body, tail);
                self.f().next_slot = saved;
            }
        }
    }

    /// `node` when it is arithmetic on two variables.
    fn arith_vv(&mut self, node: &Node) -> Option<ArithVV> {
        let Node::Prim(p, args, span, guard) = node else {
            return None;
        };
        let (Some(op), [a, b]) = (Arith::new(*p), &args[..]) else {
            return None;
        };
        let (a, b) = self.var(a).zip(self.var(b))?;
        Some(ArithVV {
            prim: *p,
            op,
            a,
            b,
            span: *span,
            guard: *guard,
        })
    }

    /// Compiles `node` storing its value into local slot `s`, when it is arithmetic on two
    /// variables ([`Op::ArithVVTo`]); else emits nothing and returns false.
    fn compile_into(&mut self, node: &Node, s: u16) -> bool {
        let Some(x) = self.arith_vv(node) else {
            return false;
        };
        let mut stub = vec![Self::push_op(x.a), Self::push_op(x.b)];
        Self::apply_ops(x.prim, x.guard, &mut stub);
        stub.push(Op::SetLocal(s));
        self.span = x.span;
        let op = Op::ArithVVTo(x.op, x.a, x.b, s);
        self.emit_guarded(op, x.guard.iter().copied().collect(), stub);
        true
    }

    /// Compiles arithmetic `outer` (primitive, position, guard) whose computed operand is
    /// `inner`, arithmetic on two variables, as one instruction ([`Op::ArithVVV`],
    /// [`Op::ArithVVK`]): `site` is the [`Op::ArithSV`] or [`Op::ArithSK`] that would apply
    /// `outer`, and `push` pushes its other operand. The general code computes both steps
    /// by their primitives or globals, each at its own position.
    fn compile_arith2(
        &mut self,
        inner: ArithVV,
        outer: (Prim, Span, Option<u32>),
        push: Op,
        site: Op,
    ) {
        let (p, span, guard) = outer;
        let fused = match site {
            Op::ArithSV(op, z, swap) => Op::ArithVVV(inner.op, inner.a, inner.b, op, z, swap),
            Op::ArithSK(op, k, swap) => Op::ArithVVK(inner.op, inner.a, inner.b, op, k, swap),
            _ => unreachable!("an arithmetic instruction on the stack top"),
        };
        let mut ops = vec![Self::push_op(inner.a), Self::push_op(inner.b)];
        Self::apply_ops(inner.prim, inner.guard, &mut ops);
        let mut spans = vec![inner.span; ops.len()];
        ops.push(push);
        if let Op::ArithSV(.., true) | Op::ArithSK(.., true) = site {
            ops.push(Op::Swap);
        }
        Self::apply_ops(p, guard, &mut ops);
        spans.resize(ops.len(), span);
        let mut slots: Vec<u32> = inner.guard.into_iter().chain(guard).collect();
        slots.dedup();
        self.span = span;
        let depth = self.f().depth;
        let at = self.emit(fused);
        let stub = Stub {
            site: at,
            slots,
            general: true,
            ops,
            spans,
            jump: None,
        };
        self.push_stub(stub, depth);
    }

    /// Compiles the named let of loop variable `v`, lambda `l`, in the running frame: the
    /// initial values are pushed and stored into slots for the loop's variables, and the
    /// calls of `v` in its body store new values and jump back (see
    /// [`crate::compile::loops`]).
    fn compile_inline_loop(&mut self, v: VarId, l: &Lambda, inits: &[Node], tail: bool) {
        self.compile_args(inits);
        let saved = self.f().next_slot;
        let slots: Vec<(VarId, u16)> = l.params.iter().map(|&p| (p, self.alloc_slot(p))).collect();
        let head = self.f().code.len() as u32;
        let argc = slots.len();
        let first = match slots.first() {
            Some(&(_, s)) if argc <= 255 && !l.params.iter().any(|&p| self.boxed(p)) => Some(s),
            _ => None,
        };
        match first {
            Some(s) => {
                let next = head + 1;
                self.emit(Op::Loop(s, argc as u8, next));
            }
            None => {
                for &(p, s) in slots.iter().rev() {
                    self.emit(Op::SetLocal(s));
                    if self.boxed(p) {
                        self.emit(Op::BoxLocal(s));
                    }
                }
            }
        }
        self.inline_loops
            .insert(v, InlineLoop { head, argc, first });
        self.compile(&l.body, tail);
        self.inline_loops.remove(&v);
        self.f().next_slot = saved;
    }

    /// The inline loop that calling `f` continues.
    fn loop_call(&self, f: &Node) -> Option<&InlineLoop> {
        let Node::Local(v) = f else { return None };
        self.inline_loops.get(v)
    }

    /// Pushes the arguments of a call, two adjacent local variables at a time with
    /// [`Op::Local2`].
    fn compile_args(&mut self, args: &[Node]) {
        let mut i = 0;
        while i < args.len() {
            let pair = args
                .get(i + 1)
                .and_then(|b| self.plain_local(&args[i]).zip(self.plain_local(b)));
            match pair {
                Some((a, b)) => {
                    self.emit(Op::Local2(a, b));
                    i += 2;
                }
                None => {
                    self.compile(&args[i], false);
                    i += 1;
                }
            }
        }
    }

    /// Whether calling `f` with `argc` arguments is a call of the running closure with
    /// the right number of arguments (see [`Op::TailCallSelf`]).
    fn is_self_call(&self, f: &Node, argc: usize) -> bool {
        let Node::Local(v) = f else { return false };
        let d = self.fns.len() - 1;
        let ctx = &self.fns[d];
        self.is_self(d, *v) && !ctx.rest && ctx.nparams == argc
    }

    /// Whether calling `f` with `argc` arguments calls the global the running procedure
    /// was defined as, with the right number of arguments (see [`Op::TailCallSelfGlobal`]).
    fn is_self_global_call(&self, f: &Node, argc: usize) -> bool {
        let Node::Global(g, _) = f else { return false };
        let ctx = self.fns.last().expect("function context");
        ctx.self_global == Some(*g) && !ctx.rest && ctx.nparams == argc
    }

    /// Compiles a test followed by jumps taken when the test's truth is `jump_if`; returns
    /// the jumps' indices for [`Codegen::patch`]. An `and` or `or` (as the expander writes
    /// them) becomes a chain of tests and jumps.
    fn compile_branch(&mut self, c: &Node, jump_if: bool) -> Vec<usize> {
        // `(and a b)`: `(if a b #f)`; `(or a b)`: `(let ((t a)) (if t t b))`.
        let (first, second, and) = match c {
            Node::If(a, b, e) if matches!(**e, Node::Const(Value::Bool(false))) => {
                (&**a, &**b, true)
            }
            Node::Let(binds, body) => match self.or_parts(binds, body) {
                Some((a, b)) => (a, b, false),
                None => return vec![self.compile_test(c, jump_if)],
            },
            _ => return vec![self.compile_test(c, jump_if)],
        };
        // `first` decides alone when it is false (`and`) or true (`or`).
        if jump_if != and {
            let mut jumps = super::deep(|| self.compile_branch(first, jump_if));
            jumps.extend(super::deep(|| self.compile_branch(second, jump_if)));
            jumps
        } else {
            let skip = super::deep(|| self.compile_branch(first, !and));
            let jumps = super::deep(|| self.compile_branch(second, jump_if));
            let here = self.f().code.len() as u32;
            for j in skip {
                self.patch(j, here);
            }
            jumps
        }
    }

    /// The test and the alternative of an `or` as the expander writes it,
    /// `(let ((t a)) (if t t b))`, where `b` does not use `t`.
    fn or_parts<'n>(
        &self,
        binds: &'n [(VarId, Node)],
        body: &'n Node,
    ) -> Option<(&'n Node, &'n Node)> {
        let [(t, a)] = binds else { return None };
        let Node::If(c, x, b) = body else { return None };
        match (&**c, &**x) {
            // Only the expander's own `or` is taken: it mentions its temporary nowhere else,
            // where a program's own `(let ((t a)) (if t t b))` would need `b` searched,
            // which costs time in proportion to its size at each level of nesting.
            (Node::Local(c), Node::Local(x)) if c == t && x == t && self.vars[*t as usize].temp => {
                Some((a, b))
            }
            _ => None,
        }
    }

    /// Compiles a test followed by a jump taken when the test's truth is `jump_if`; returns
    /// the jump's index. A `not` around the test turns into the opposite jump, and a
    /// comparison or type test with its operands into one test-and-branch instruction.
    fn compile_test(&mut self, c: &Node, jump_if: bool) -> usize {
        // The `not`s around the test, outermost first, and the test.
        let mut nots = Vec::new();
        let mut test = c;
        let mut sense = jump_if;
        while let Node::Prim(Prim::Not, args, _, guard) = test {
            nots.push(*guard);
            test = &args[0];
            sense = !sense;
        }
        // What computes the test's value in the general code.
        let mut stub = Vec::new();
        let mut slots: Vec<u32> = Vec::new();
        let (at, depth) = match test {
            Node::Prim(p, args, span, guard) if Cmp::new(*p, sense).is_some() => {
                let cmp = Cmp::new(*p, sense).expect("comparison");
                let slot = |n| self.plain_local(n).and_then(|s| u8::try_from(s).ok());
                let slots_ll = slot(&args[0]).zip(slot(&args[1]));
                let a = self.var(&args[0]);
                let b = self.var(&args[1]);
                let op = match (slots_ll, a, b, &args[1]) {
                    (Some((x, y)), ..) => Op::JumpCmpLL(cmp, x, y, 0),
                    (_, Some(a), Some(b), _) => Op::JumpCmpVV(cmp, a, b, 0),
                    (_, Some(a), None, Node::Const(Value::Int(k))) if i8::try_from(*k).is_ok() => {
                        Op::JumpCmpVI(cmp, a, *k as i8, 0)
                    }
                    (_, None, _, Node::Const(v @ (Value::Int(_) | Value::Float(_)))) => {
                        self.compile(&args[0], false);
                        match self.const_op(*v) {
                            Op::Const(k) if k <= u32::from(u16::MAX) => {
                                Op::JumpCmpSK(cmp, k as u16, 0)
                            }
                            push => {
                                self.emit(push);
                                Op::JumpCmp(cmp, 0)
                            }
                        }
                    }
                    _ => {
                        for a in args {
                            self.compile(a, false);
                        }
                        Op::JumpCmp(cmp, 0)
                    }
                };
                match op {
                    Op::JumpCmpLL(_, x, y, _) => {
                        stub.extend([Op::Local(x.into()), Op::Local(y.into())]);
                    }
                    Op::JumpCmpVV(_, a, b, _) => stub.extend([Self::push_op(a), Self::push_op(b)]),
                    Op::JumpCmpVI(_, a, k, _) => {
                        let k = self.const_op(Value::Int(k.into()));
                        stub.extend([Self::push_op(a), k]);
                    }
                    Op::JumpCmpSK(_, k, _) => stub.push(Op::Const(k.into())),
                    _ => {}
                }
                Self::apply_ops(*p, *guard, &mut stub);
                slots.extend(guard);
                self.span = *span;
                let depth = self.f().depth;
                (self.emit(op), depth)
            }
            Node::Prim(p, args, span, guard) if Test::new(*p, sense).is_some() => {
                let t = Test::new(*p, sense).expect("test");
                let vars: Option<Vec<Var>> = args.iter().map(|a| self.var(a)).collect();
                let op = match vars.as_deref() {
                    Some(&[a]) => Op::JumpTestV(t, a, 0),
                    Some(&[a, b]) => Op::JumpTestVV(t, a, b, 0),
                    _ => {
                        for a in args {
                            self.compile(a, false);
                        }
                        Op::JumpTest(t, 0)
                    }
                };
                if let Op::JumpTestV(..) | Op::JumpTestVV(..) = op {
                    stub.extend(vars.iter().flatten().map(|&v| Self::push_op(v)));
                }
                Self::apply_ops(*p, *guard, &mut stub);
                slots.extend(guard);
                self.span = *span;
                let depth = self.f().depth;
                (self.emit(op), depth)
            }
            _ => match self.var(test) {
                // A variable's truth: whether `(not x)` fails.
                Some(x) => {
                    stub.push(Self::push_op(x));
                    let t = Test::new(Prim::Not, !sense).expect("test");
                    let depth = self.f().depth;
                    (self.emit(Op::JumpTestV(t, x, 0)), depth)
                }
                None => {
                    self.compile(test, false);
                    let depth = self.f().depth;
                    let op = if sense {
                        Op::JumpIfTrue(0)
                    } else {
                        Op::JumpIfFalse(0)
                    };
                    (self.emit(op), depth)
                }
            },
        };
        for guard in nots.iter().rev() {
            Self::apply_ops(Prim::Not, *guard, &mut stub);
            slots.extend(guard);
        }
        stub.push(if jump_if {
            Op::JumpIfTrue(0)
        } else {
            Op::JumpIfFalse(0)
        });
        let jump = Some(stub.len() - 1);
        self.add_stub(at, slots, depth, stub, jump);
        at
    }

    /// Sets the target of a jump.
    fn patch(&mut self, at: usize, target: u32) {
        let f = self.f();
        f.code[at] = f.code[at].with_target(target);
        if let Some(&i) = f.stub_at.get(&at) {
            let stub = &mut f.stubs[i];
            if let Some(j) = stub.jump {
                stub.ops[j] = stub.ops[j].with_target(target);
            }
        }
    }

    fn begin_fn(&mut self, l: &Lambda) {
        self.fns.push(FnCtx {
            self_var: l.self_var,
            self_global: None,
            nparams: l.params.len(),
            rest: l.rest.is_some(),
            depth: 0,
            max_depth: 0,
            slots: FastMap::default(),
            next_slot: 0,
            max_slots: 0,
            free: Vec::new(),
            code: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            children: Vec::new(),
            stubs: Vec::new(),
            stub_at: FastMap::default(),
        });
        for &p in l.params.iter().chain(l.rest.iter()) {
            self.alloc_slot(p);
        }
        for &p in l.params.iter().chain(l.rest.iter()) {
            if self.boxed(p) {
                let s = self.f().slots[&p];
                self.emit(Op::BoxLocal(s));
            }
        }
    }

    fn end_fn(&mut self, l: &Lambda) -> Rc<Proto> {
        let mut f = self.fns.pop().expect("function context");
        let mut guards = Vec::new();
        let mut general = Vec::new();
        for stub in std::mem::take(&mut f.stubs) {
            let start = f.code.len() as u32;
            let last = stub.spans.last().copied().unwrap_or_default();
            f.code.extend(stub.ops);
            f.spans.extend(stub.spans);
            f.code.push(Op::Jump(stub.site as u32 + 1));
            f.spans.push(last);
            if stub.general {
                general.push((stub.site as u32, start));
            }
            if !stub.slots.is_empty() {
                guards.push(Guard {
                    site: stub.site as u32,
                    stub: start,
                    slots: stub.slots.into(),
                });
            }
        }
        assert_well_formed(&f.code);
        Rc::new(Proto {
            name: l.name,
            nparams: l.params.len() as u16,
            rest: l.rest.is_some(),
            nslots: f.max_slots,
            max_stack: f.max_depth as u32,
            frame_size: u32::from(f.max_slots) + f.max_depth as u32,
            direct_argc: if l.rest.is_some() {
                u32::MAX
            } else {
                l.params.len() as u32
            },
            nfree: f.free.len() as u16,
            code: f.code.into_iter().map(Cell::new).collect(),
            spans: f.spans,
            consts: f.consts,
            children: f.children,
            internal: self.internal,
            guards: guards.into(),
            general: general.into(),
            mark_epoch: Cell::new(0),
        })
    }

    /// Compiles lambda `l`, which a top-level `define` binds to global `global` if given,
    /// and makes a closure of it.
    fn compile_lambda(&mut self, l: &Lambda, global: Option<u32>) {
        let span = self.span;
        self.begin_fn(l);
        self.f().self_global = global;
        self.compile(&l.body, true);
        let free = self.f().free.clone();
        let proto = self.end_fn(l);
        self.span = span;
        let d = self.fns.len() - 1;
        for v in free {
            if self.is_self(d, v) {
                self.emit(Op::SelfClosure);
                continue;
            }
            let op = match self.place(d, v) {
                Place::Local(s) => Op::Local(s),
                Place::Free(i) => Op::Free(i),
            };
            self.emit(op);
        }
        let f = self.f();
        f.children.push(proto);
        let idx = f.children.len() as u32 - 1;
        self.emit(Op::Closure(idx));
    }
}

/// Checks what the VM relies on to fetch instructions without bounds checks: the code ends
/// in a return, tail call or jump (control never runs off its end), and every jump lands on
/// an instruction.
fn assert_well_formed(code: &[Op]) {
    assert!(
        matches!(
            code.last(),
            Some(
                Op::Return
                    | Op::ReturnLocal(_)
                    | Op::TailCall(_)
                    | Op::TailCallSelf(_)
                    | Op::TailCallSelfGlobal(..)
                    | Op::Jump(_)
                    | Op::Loop(..)
            )
        ),
        "compiled code must end in a return, tail call or jump"
    );
    assert!(
        code.iter()
            .filter_map(|op| op.target())
            .all(|t| (t as usize) < code.len()),
        "jump target out of range"
    );
}
