//! Code generation: the core tree ([`Node`]) to VM instructions ([`Proto`]).
//!
//! Variables live in frame slots; closures are flat (they copy the values they capture).
//! A variable that is both captured and assigned lives in a box so every closure shares it.

use crate::code::{Op, Prim, Proto};
use crate::expand::{Lambda, Node, VarId, VarInfo};
use crate::symbol::{FastMap, Symbol};
use crate::syntax::Span;
use crate::value::Value;
use std::cell::Cell;
use std::rc::Rc;

struct FnCtx {
    self_var: Option<VarId>,
    slots: FastMap<VarId, u16>,
    next_slot: u16,
    max_slots: u16,
    free: Vec<VarId>,
    code: Vec<Op>,
    spans: Vec<Span>,
    consts: Vec<Value>,
    children: Vec<Rc<Proto>>,
}

enum Place {
    Local(u16),
    Free(u16),
}

/// Generates code for one top-level form.
pub struct Codegen<'a> {
    vars: &'a [VarInfo],
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
            fns: Vec::new(),
            span: Span::default(),
            internal,
        }
    }

    /// Compiles a top-level form as a procedure of no arguments.
    pub fn compile_toplevel(mut self, node: &Node, span: Span) -> Rc<Proto> {
        self.span = span;
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
        info.mutated || (info.captured && info.assigned)
    }

    fn f(&mut self) -> &mut FnCtx {
        self.fns.last_mut().expect("function context")
    }

    fn emit(&mut self, op: Op) -> usize {
        let span = self.span;
        let f = self.f();
        f.code.push(op);
        f.spans.push(span);
        f.code.len() - 1
    }

    fn constant(&mut self, v: Value) {
        let f = self.f();
        let k = match f.consts.iter().position(|c| c.eq(v)) {
            Some(k) => k,
            None => {
                f.consts.push(v);
                f.consts.len() - 1
            }
        };
        self.emit(Op::Const(k as u32));
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
        match node {
            Node::Const(v) => {
                self.constant(*v);
                self.ret_if(tail);
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
                self.compile(x, false);
                self.emit(if matches!(node, Node::SetGlobal(..)) {
                    Op::SetGlobal(*g)
                } else {
                    Op::DefGlobal(*g)
                });
                self.constant(Value::Unspecified);
                self.ret_if(tail);
            }
            Node::If(c, t, e) => {
                let jf = self.compile_test(c);
                self.compile(t, tail);
                let jend = if tail {
                    None
                } else {
                    Some(self.emit(Op::Jump(0)))
                };
                let else_at = self.f().code.len() as u32;
                self.patch(jf, else_at);
                self.compile(e, tail);
                if let Some(j) = jend {
                    let end = self.f().code.len() as u32;
                    self.f().code[j] = Op::Jump(end);
                }
            }
            Node::Lambda(l) => {
                self.compile_lambda(l);
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
            Node::Call(f, args, span) => {
                self.span = *span;
                self.compile(f, false);
                for a in args {
                    self.compile(a, false);
                }
                self.span = *span;
                let n = args.len() as u16;
                self.emit(if tail { Op::TailCall(n) } else { Op::Call(n) });
            }
            Node::Prim(p @ (Prim::Add | Prim::Sub), args, span) if matches!(args[1], Node::Const(Value::Int(k)) if k.unsigned_abs() < 1 << 30) =>
            {
                let Node::Const(Value::Int(k)) = args[1] else {
                    unreachable!()
                };
                self.compile(&args[0], false);
                self.span = *span;
                self.emit(Op::AddImm(if *p == Prim::Add { k } else { -k } as i32));
                self.ret_if(tail);
            }
            Node::Prim(p, args, span) => {
                for a in args {
                    self.compile(a, false);
                }
                self.span = *span;
                self.emit(Op::Prim(*p));
                self.ret_if(tail);
            }
            Node::Let(binds, body) => {
                for (_, init) in binds {
                    self.compile(init, false);
                }
                let saved = self.f().next_slot;
                let slots: Vec<(VarId, u16)> = binds
                    .iter()
                    .map(|(v, _)| (*v, self.alloc_slot(*v)))
                    .collect();
                for &(v, s) in slots.iter().rev() {
                    self.emit(Op::SetLocal(s));
                    if self.boxed(v) {
                        self.emit(Op::BoxLocal(s));
                    }
                }
                self.compile(body, tail);
                self.f().next_slot = saved;
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

    /// Compiles a test followed by a jump taken when it is false; returns the jump's index
    /// for [`Codegen::patch`].
    fn compile_test(&mut self, c: &Node) -> usize {
        match c {
            Node::Prim(Prim::Not, args, _) => {
                self.compile(&args[0], false);
                self.emit(Op::JumpIfTrue(0))
            }
            Node::Prim(
                p @ (Prim::Lt | Prim::Gt | Prim::Le | Prim::Ge | Prim::NumEq),
                args,
                span,
            ) => {
                for a in args {
                    self.compile(a, false);
                }
                self.span = *span;
                self.emit(Op::JumpIfNot(*p, 0))
            }
            _ => {
                self.compile(c, false);
                self.emit(Op::JumpIfFalse(0))
            }
        }
    }

    /// Sets the target of a conditional jump made by [`Codegen::compile_test`].
    fn patch(&mut self, at: usize, target: u32) {
        let f = self.f();
        f.code[at] = match f.code[at] {
            Op::JumpIfTrue(_) => Op::JumpIfTrue(target),
            Op::JumpIfNot(p, _) => Op::JumpIfNot(p, target),
            _ => Op::JumpIfFalse(target),
        };
    }

    fn begin_fn(&mut self, l: &Lambda) {
        self.fns.push(FnCtx {
            self_var: l.self_var,
            slots: FastMap::default(),
            next_slot: 0,
            max_slots: 0,
            free: Vec::new(),
            code: Vec::new(),
            spans: Vec::new(),
            consts: Vec::new(),
            children: Vec::new(),
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
        let f = self.fns.pop().expect("function context");
        Rc::new(Proto {
            name: l.name,
            nparams: l.params.len() as u16,
            rest: l.rest.is_some(),
            nslots: f.max_slots,
            nfree: f.free.len() as u16,
            code: f.code,
            spans: f.spans,
            consts: f.consts,
            children: f.children,
            internal: self.internal,
            mark_epoch: Cell::new(0),
        })
    }

    fn compile_lambda(&mut self, l: &Lambda) {
        let span = self.span;
        self.begin_fn(l);
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

/// Primitive lookup by name, used when registering the core library.
pub fn prim_by_name(name: &str) -> Option<Prim> {
    Prim::ALL.iter().find(|p| p.1 == name).map(|p| p.0)
}
