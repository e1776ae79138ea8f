//! The dispatch loop: runs the innermost frame's instructions until the frame depth drops
//! to where it started or the task parks. Everything else a call or an error needs is in
//! [`call`](crate::run::call); the inlined primitives' general paths are in
//! [`prim`](crate::run::prim).

use crate::run::call::{Direct, Flow, Outcome};
use crate::run::code::{Arith, Cmp, Op, Prim, Proto, Test, Var};
use crate::run::prim::{prim_fast, test_fast};
use crate::run::value::*;
use crate::run::vm::Vm;
use std::cell::Cell;
use std::mem::MaybeUninit;
use std::rc::Rc;

/// Reads the value at `p` as two 8-byte loads, never one 16-byte load.
///
/// The dispatch loop writes a value as two 8-byte stores when its halves are in registers
/// (a computed number, a pushed constant). On the AMD processors measured (2 CPUs, AMD
/// EPYC, family 23) a 16-byte load of such a value cannot be served from those stores
/// and waits for them to reach the cache (about 8 ns more per copy, measured by
/// `bench/cpu/store-forwarding.c`); 8-byte loads are served from stores of either width.
/// The loads are volatile so that the compiler does not merge them back into one
/// (docs/performance.md, "Values read in halves").
///
/// # Safety
/// `p` must point at a value.
#[inline(always)]
unsafe fn load(p: *const Value) -> Value {
    let w = p.cast::<MaybeUninit<u64>>();
    let halves = [w.read_volatile(), w.add(1).read_volatile()];
    // SAFETY: the 16 bytes, padding included, are those of the value at `p`.
    std::mem::transmute::<[MaybeUninit<u64>; 2], Value>(halves)
}

/// Copies `n` values from `src` to `dst`, which is not above `src` (the ranges may overlap).
/// A plain loop: the argument lists of tail calls are too short for `memmove` to pay off.
///
/// # Safety
/// Both ranges must be valid, and `dst <= src`.
#[inline(always)]
unsafe fn move_down(src: *const Value, dst: *mut Value, n: usize) {
    debug_assert!(dst as *const Value <= src);
    for i in 0..n {
        dst.add(i).write(load(src.add(i)));
    }
}

impl Vm {
    /// Runs until the frame depth drops to `entry` or the task parks.
    ///
    /// While a frame runs, the top of the value stack lives in locals: `top` points just
    /// above the last value in the stack's buffer and `fp` at the frame's first local
    /// slot; the innermost frame's other fields live in locals too. `sync!` writes them
    /// back before anything else looks at the stack; after code that may change the stack
    /// or frames in other ways, the loop reloads the innermost frame (`continue 'frame`).
    /// Switching to a frame reserves room for its [`Proto::max_stack`] temporaries, so
    /// pushes need no capacity check. A step that fails leaves the step loop with its
    /// error (`fail!`), which one exit after the loop raises.
    pub(crate) fn run(&mut self, entry: usize) -> Result<Outcome, Value> {
        'frame: loop {
            let frame = self.frames.last().expect("frame");
            // SAFETY (here and where frames are switched below): see `Frame::proto`; a frame's
            // closure, which owns the prototype, is a GC root while the frame exists.
            let mut proto: &Proto = unsafe { &*frame.proto };
            // SAFETY (here and wherever `top` and `fp` are set from the buffer): the stack's
            // length and the frame's base are within its buffer.
            let mut top: *mut Value = unsafe { self.stack.as_mut_ptr().add(self.stack.len()) };
            let mut fp: *mut Value = unsafe { self.stack.as_mut_ptr().add(frame.base as usize) };
            // The next instruction. SAFETY (here and wherever it is set): compiled code ends
            // in a return or tail call and its jumps land on instructions
            // (`codegen::assert_well_formed`), and saved `pc`s point at instructions, so `ip`
            // stays within `proto.code`.
            let mut ip: *const Cell<Op> = unsafe { proto.code.as_ptr().add(frame.pc as usize) };
            // The running closure's captured values, looked up at their first use.
            let mut free: *const Value = std::ptr::null();
            // The stack's length: the index of `top` in the buffer.
            macro_rules! sp {
                () => {
                    // SAFETY: `top` points into the stack's buffer.
                    unsafe { top.offset_from(self.stack.as_ptr()) as usize }
                };
            }
            // Makes sure `need` more values fit in the stack's buffer (which may move).
            macro_rules! room {
                ($need:expr) => {{
                    let need: usize = $need;
                    let sp = sp!();
                    if self.stack.capacity() - sp < need {
                        // SAFETY: `fp` points into the buffer, and every value below `sp` has
                        // been written.
                        let base = unsafe { fp.offset_from(self.stack.as_ptr()) as usize };
                        unsafe { self.stack.set_len(sp) };
                        self.stack.reserve(need);
                        let buf = self.stack.as_mut_ptr();
                        unsafe {
                            top = buf.add(sp);
                            fp = buf.add(base);
                        }
                    }
                }};
            }
            room!(proto.max_stack as usize);
            // Stack access. SAFETY (`push!`, `pop!`, `local!`, `callee!`, `set_local!`): the
            // frame's callee and slots `fp - 1..fp + nslots` are below `top` (the call filled
            // them; the compiler never pops below them) and slot indices are below `nslots`;
            // the compiler's `max_stack` bound keeps pushes within the capacity reserved when
            // the frame was switched to.
            // Writes value `v` at `p` whole, padding included, so that no part of it is a
            // store narrower than the 8-byte halves `load` reads.
            macro_rules! store {
                ($p:expr, $v:expr) => {{
                    let (p, v): (*mut Value, Value) = ($p, $v);
                    // SAFETY (the transmute): the bytes of a `Value`, padding included, are
                    // a valid `MaybeUninit<[u8; 16]>`, and writing them back is a copy of it.
                    unsafe {
                        let bytes: MaybeUninit<[u8; 16]> = std::mem::transmute(v);
                        p.cast::<MaybeUninit<[u8; 16]>>().write(bytes);
                    }
                }};
            }
            macro_rules! push {
                ($v:expr) => {{
                    let v = $v;
                    debug_assert!(sp!() < self.stack.capacity());
                    store!(top, v);
                    top = unsafe { top.add(1) };
                }};
            }
            // A call of `n` arguments whose callee, `d`, is a record predicate, or an
            // accessor given a record of its type: its result, computed without a call
            // (`records::apply_fast`); `None` for any other call.
            macro_rules! record_fast {
                ($d:expr, $n:expr) => {
                    match $d {
                        Direct::Record(p) if $n == 1 => {
                            // SAFETY: the compiler pushed the callee and one argument; the
                            // result points at a value.
                            let x = unsafe { load(top.sub(1)) };
                            crate::run::records::apply_fast(&self.heap, p, x)
                                .map(|v| unsafe { load(v) })
                        }
                        _ => None,
                    }
                };
            }
            macro_rules! pop {
                () => {{
                    debug_assert!(top > fp);
                    unsafe {
                        top = top.sub(1);
                        load(top)
                    }
                }};
            }
            macro_rules! local {
                ($s:expr) => {{
                    debug_assert!(($s as usize) < proto.nslots as usize);
                    unsafe { load(fp.add($s as usize)) }
                }};
            }
            // The running closure: it sits just below the frame's slots (the callee of the
            // call that made the frame).
            macro_rules! callee {
                () => {
                    unsafe { load(fp.sub(1)) }
                };
            }
            // Captured value `i`. SAFETY: the compiler only emits indices below `nfree`, the
            // length of the closure's captured values; those are never changed, and the
            // closure (a GC root on the stack) keeps them alive where they are.
            macro_rules! free_var {
                ($i:expr) => {{
                    debug_assert!(($i as usize) < proto.nfree as usize);
                    if free.is_null() {
                        free = self.free_values(callee!());
                    }
                    unsafe { load(free.add($i as usize)) }
                }};
            }
            // The value of an instruction operand.
            macro_rules! var {
                ($x:expr) => {{
                    let x: Var = $x;
                    match x.free_index() {
                        Ok(i) => free_var!(i),
                        Err(s) => local!(s),
                    }
                }};
            }
            macro_rules! set_local {
                ($s:expr, $v:expr) => {{
                    let v = $v;
                    debug_assert!(($s as usize) < proto.nslots as usize);
                    store!(unsafe { fp.add($s as usize) }, v);
                }};
            }
            // The index of the next instruction.
            macro_rules! pc {
                () => {
                    // SAFETY: `ip` points into `proto.code` (see its definition).
                    unsafe { ip.offset_from(proto.code.as_ptr()) as usize }
                };
            }
            // Continues at instruction `t`.
            macro_rules! jump {
                ($t:expr) => {
                    // SAFETY: jump targets are instructions (see `ip`).
                    ip = unsafe { proto.code.as_ptr().add($t as usize) }
                };
            }
            // Writes the stack length and `pc` back for code outside this loop.
            macro_rules! sync {
                () => {{
                    let sp = sp!();
                    debug_assert!(sp <= self.stack.capacity());
                    // SAFETY: every value below `top` has been written.
                    unsafe { self.stack.set_len(sp) };
                    self.frames.last_mut().expect("frame").pc = pc!() as u32;
                }};
            }
            // Picks the stack up again after a native ran (it may have grown the buffer).
            // The running closure (at `fp - 1`) is looked up again too: a continuation
            // invoked in a nested `apply` may have put another closure of the same code
            // there.
            macro_rules! reload {
                () => {{
                    let buf = self.stack.as_mut_ptr();
                    let base = self.frames.last().expect("frame").base as usize;
                    unsafe {
                        top = buf.add(self.stack.len());
                        fp = buf.add(base);
                    }
                    room!(proto.max_stack as usize);
                    free = std::ptr::null();
                }};
            }
            // Starts running a closure with prototype `p`, whose `n` arguments are the top of
            // the stack (the frame is already pushed): fills the other local slots.
            macro_rules! start {
                ($p:expr, $n:expr) => {{
                    proto = unsafe { &*$p };
                    jump!(0);
                    room!(proto.frame_size as usize);
                    free = std::ptr::null();
                    for _ in $n..proto.nslots as usize {
                        push!(Value::Undefined);
                    }
                }};
            }
            macro_rules! resume {
                ($flow:expr) => {
                    match $flow {
                        Flow::Continue => continue 'frame,
                        Flow::Done(v) => return Ok(Outcome::Done(v)),
                        Flow::Park(w) => return Ok(Outcome::Parked(w)),
                    }
                };
            }
            // A call: collects garbage and checks for interrupts every 1024th time.
            macro_rules! tick {
                () => {{
                    self.ticks = self.ticks.wrapping_add(1);
                    if self.ticks & 0x3ff == 0 {
                        sync!();
                        if let Err(e) = self.poll() {
                            fail!(e);
                        }
                    }
                }};
            }
            // A tail call of the running closure with the top `n` values as arguments: they
            // become its parameters, and it starts again.
            macro_rules! restart {
                ($n:expr) => {{
                    tick!();
                    let n = $n as usize;
                    // SAFETY: the top `n` values are the arguments, and the compiler checked
                    // that the frame has `n` parameter slots (no rest parameter).
                    unsafe {
                        move_down(top.sub(n), fp, n);
                        top = fp.add(proto.nslots as usize);
                    }
                    jump!(0);
                }};
            }
            // Applies primitive `p` to `args`, replacing the top `k` values by the result (or
            // removing them and passing the result `r` to `sink`).
            macro_rules! prim {
                ($p:expr, $args:expr, $k:expr) => {
                    prim!($p, $args, $k, r => push!(r))
                };
                ($p:expr, $args:expr, $k:expr, $r:ident => $sink:expr) => {{
                    let (p, args, k): (Prim, &[Value], usize) = ($p, $args, $k);
                    let r = match prim_fast(&mut self.heap, p, args) {
                        Some(v) => Ok(v),
                        None => {
                            sync!();
                            let r = self.prim_slow(p, args);
                            reload!();
                            r
                        }
                    };
                    match r {
                        Ok($r) => {
                            top = unsafe { top.sub(k) };
                            $sink;
                        }
                        Err(e) => fail!(e),
                    }
                }};
            }
            // Applies arithmetic `op` to `a` and `b`, replacing the top `k` values by the
            // result (or removing them and passing the result `r` to `sink`): fixnums and
            // flonums here, anything else through `prim!`.
            macro_rules! arith {
                ($op:expr, $a:expr, $b:expr, $k:expr) => {
                    arith!($op, $a, $b, $k, r => push!(r))
                };
                ($op:expr, $a:expr, $b:expr, $k:expr, $r:ident => $sink:expr) => {{
                    let (op, a, b, k): (Arith, Value, Value, usize) = ($op, $a, $b, $k);
                    match op.fast(a, b) {
                        Some($r) => {
                            top = unsafe { top.sub(k) };
                            $sink;
                        }
                        None => prim!(op.prim(), &[a, b], k, $r => $sink),
                    }
                }};
            }
            // Pushes `(op2 (op1 a b) c)`, or `(op2 c (op1 a b))` when `swap`, when both are
            // fixnum or flonum arithmetic; else runs the instruction's general code.
            macro_rules! arith2 {
                ($op1:expr, $a:expr, $b:expr, $op2:expr, $c:expr, $swap:expr) => {{
                    let (a, b, c): (Value, Value, Value) = ($a, $b, $c);
                    let r = $op1.fast(a, b).and_then(|r| match $swap {
                        false => $op2.fast(r, c),
                        true => $op2.fast(c, r),
                    });
                    match r {
                        Some(v) => push!(v),
                        None => {
                            let site = pc!() - 1;
                            jump!(proto.general_code(site));
                        }
                    }
                }};
            }
            // Applies arithmetic `op` to the top of stack and `b` (`b` first when `swap`),
            // replacing the top by the result.
            macro_rules! arith_top {
                ($op:expr, $b:expr, $swap:expr) => {{
                    // SAFETY: the compiler pushed the operand.
                    let a = unsafe { load(top.sub(1)) };
                    let b = $b;
                    if $swap {
                        arith!($op, b, a, 1)
                    } else {
                        arith!($op, a, b, 1)
                    }
                }};
            }
            // Pushes `a + k`.
            macro_rules! add_imm {
                ($a:expr, $k:expr) => {{
                    let (a, k): (Value, i32) = ($a, $k);
                    let sum = match a {
                        Value::Int(x) => x.checked_add(k.into()),
                        _ => None,
                    };
                    match sum {
                        Some(r) => push!(Value::Int(r)),
                        None => match self.add_slow(a, k) {
                            Ok(v) => push!(v),
                            Err(e) => fail!(e),
                        },
                    }
                }};
            }
            // Jumps to `t` when comparison `c` of `a` and `b` says so.
            macro_rules! branch {
                ($c:expr, $a:expr, $b:expr, $t:expr) => {{
                    let (c, a, b): (Cmp, Value, Value) = ($c, $a, $b);
                    let jump = match (a, b) {
                        (Value::Int(x), Value::Int(y)) => c.jumps_ints(x, y),
                        (Value::Float(x), Value::Float(y)) => c.jumps_floats(x, y),
                        _ => {
                            sync!();
                            let r = self.prim_slow(c.prim(), &[a, b]);
                            reload!();
                            match r {
                                Ok(r) => r.is_true() == c.jump_if(),
                                Err(e) => fail!(e),
                            }
                        }
                    };
                    if jump {
                        jump!($t);
                    }
                }};
            }
            // Jumps to `t` when test `c` of `args` says so.
            macro_rules! test {
                ($c:expr, $args:expr, $t:expr) => {{
                    let (c, args): (Test, &[Value]) = ($c, $args);
                    let holds = match test_fast(&self.heap, c.prim(), args) {
                        Some(b) => b,
                        None => {
                            sync!();
                            let r = self.prim_slow(c.prim(), args);
                            reload!();
                            match r {
                                Ok(r) => r.is_true(),
                                Err(e) => fail!(e),
                            }
                        }
                    };
                    if holds == c.jump_if() {
                        jump!($t);
                    }
                }};
            }
            // Returns `v` from the running frame to its caller.
            macro_rules! ret {
                ($v:expr) => {{
                    let v: Value = $v;
                    // The result replaces the callee.
                    top = unsafe { fp.sub(1) };
                    push!(v);
                    let depth = self.frames.len() - 1;
                    // SAFETY: drops the running frame, the innermost one (frames need no
                    // destructor).
                    unsafe { self.frames.set_len(depth) };
                    if depth <= entry {
                        let len = sp!() - 1;
                        // SAFETY: the values below the callee's position are initialised.
                        unsafe { self.stack.set_len(len) };
                        return Ok(Outcome::Done(v));
                    }
                    // SAFETY: `depth > entry`, so the caller's frame is still there.
                    let f = unsafe { self.frames.get_unchecked(depth - 1) };
                    proto = unsafe { &*f.proto };
                    fp = unsafe { self.stack.as_mut_ptr().add(f.base as usize) };
                    jump!(f.pc);
                    // The caller's `max_stack` values still fit: they did when it made the
                    // call, the stack is as high again, and the buffer never shrinks.
                    free = std::ptr::null();
                }};
            }
            let error: Error = 'step: loop {
                // Raises error `e` (in the code after this loop, shared by every step).
                macro_rules! fail {
                    ($e:expr) => {
                        break 'step $e
                    };
                }
                debug_assert!(pc!() < proto.code.len());
                // SAFETY: `ip` points at an instruction, and the one after it, if any, is the
                // next (see `ip`). The instruction is read in place (copying it out costs
                // more on every step): the only writes of instructions are the patches of
                // guarded primitive sites (`Globals::check_guard`), made by arms that read
                // `op` only before they run code that could make them (natives, global
                // writes, compiling); `op` is dropped at the end of each step.
                let op: &Op = unsafe { &*(*ip).as_ptr() };
                ip = unsafe { ip.add(1) };
                match *op {
                    Op::Const(k) => push!(proto.consts[k as usize]),
                    Op::Local(s) => push!(local!(s)),
                    Op::Local2(a, b) => {
                        push!(local!(a));
                        push!(local!(b));
                    }
                    Op::SetLocal(s) => {
                        let v = pop!();
                        set_local!(s, v);
                    }
                    Op::LocalBox(s) => match self.unbox(local!(s)) {
                        Some(v) => push!(v),
                        None => fail!(self.undefined_error(proto)),
                    },
                    Op::SetLocalBox(s) => {
                        let v = pop!();
                        self.set_box(local!(s), v);
                    }
                    Op::BoxLocal(s) => {
                        let b = self.new_box(local!(s));
                        set_local!(s, b);
                    }
                    Op::SelfClosure => push!(callee!()),
                    Op::Free(i) => push!(free_var!(i)),
                    Op::FreeBox(i) => match self.unbox(free_var!(i)) {
                        Some(v) => push!(v),
                        None => fail!(self.undefined_error(proto)),
                    },
                    Op::SetFreeBox(i) => {
                        let v = pop!();
                        self.set_box(free_var!(i), v);
                    }
                    Op::Global(g) => {
                        let mut v = self.globals.values[g as usize];
                        if let Value::Undefined = v {
                            v = match self.load_global(g) {
                                Ok(v) => v,
                                Err(e) => fail!(e),
                            };
                        }
                        push!(v);
                    }
                    Op::SetGlobal(g) => {
                        // An unbound mirror is bound to what it mirrors (loaded now).
                        if let Value::Undefined = self.globals.values[g as usize] {
                            if self.load_global(g).is_err() {
                                fail!(self.unbound_error(g, "set!: "));
                            }
                        }
                        let v = pop!();
                        self.globals.set(g, v);
                    }
                    Op::DefGlobal(g) => {
                        let v = pop!();
                        self.globals.set(g, v);
                    }
                    Op::GlobalUnder(g, n) => {
                        sync!();
                        if let Err(e) = self.global_under(g, n as usize) {
                            fail!(e);
                        }
                        continue 'frame;
                    }
                    Op::Pop => {
                        pop!();
                    }
                    Op::Jump(t) => jump!(t),
                    Op::JumpIfFalse(t) => {
                        if let Value::Bool(false) = pop!() {
                            jump!(t);
                        }
                    }
                    Op::JumpIfTrue(t) => {
                        if !matches!(pop!(), Value::Bool(false)) {
                            jump!(t);
                        }
                    }
                    Op::JumpCmp(c, t) => {
                        let b = pop!();
                        let a = pop!();
                        branch!(c, a, b, t);
                    }
                    Op::JumpCmpVV(c, x, y, t) => branch!(c, var!(x), var!(y), t),
                    Op::JumpCmpVI(c, x, k, t) => branch!(c, var!(x), Value::Int(k.into()), t),
                    Op::JumpCmpSK(c, k, t) => {
                        let a = pop!();
                        branch!(c, a, proto.consts[k as usize], t)
                    }
                    Op::JumpCmpLL(c, x, y, t) => branch!(c, local!(x), local!(y), t),
                    Op::Closure(i) => {
                        let child = &proto.children[i as usize];
                        let n = child.nfree as usize;
                        // SAFETY: the compiler pushed the `n` captured values.
                        let free = unsafe {
                            top = top.sub(n);
                            std::slice::from_raw_parts(top, n)
                        };
                        push!(self.new_closure(child, free));
                    }
                    Op::Call(n) => {
                        tick!();
                        let n = n as usize;
                        // SAFETY: the compiler pushed the callee and `n` arguments.
                        let f = unsafe { load(top.sub(n + 1)) };
                        match self.exact_closure(f, n) {
                            Some(p) if self.frames.len() < self.depth_limit => {
                                fp = unsafe { top.sub(n) };
                                let base = unsafe { fp.offset_from(self.stack.as_ptr()) as usize };
                                self.push_frame(pc!(), p, base);
                                start!(p, n);
                            }
                            _ => {
                                let Some(d) = self.direct(f, n) else {
                                    sync!();
                                    resume!(self.call(n, false, entry)?)
                                };
                                if let Some(v) = record_fast!(d, n) {
                                    top = unsafe { top.sub(2) };
                                    push!(v);
                                    continue;
                                }
                                sync!();
                                let r = self.call_direct(d, sp!() - n - 1);
                                reload!();
                                match r {
                                    Ok(v) => push!(v),
                                    Err(e) => fail!(e),
                                }
                            }
                        }
                    }
                    Op::TailCall(n) => {
                        tick!();
                        let n = n as usize;
                        // SAFETY: the compiler pushed the callee and `n` arguments.
                        let f = unsafe { load(top.sub(n + 1)) };
                        match self.exact_closure(f, n) {
                            Some(p) => {
                                // SAFETY: moves the callee and arguments down over this frame's
                                // callee and slots (the regions may overlap).
                                unsafe {
                                    move_down(top.sub(n + 1), fp.sub(1), n + 1);
                                    top = fp.add(n);
                                }
                                let frame = self.frames.last_mut().expect("frame");
                                frame.proto = p;
                                frame.pc = 0;
                                start!(p, n);
                            }
                            None => {
                                let Some(d) = self.direct(f, n) else {
                                    sync!();
                                    resume!(self.call(n, true, entry)?)
                                };
                                if let Some(v) = record_fast!(d, n) {
                                    ret!(v);
                                    continue;
                                }
                                sync!();
                                match self.call_direct(d, sp!() - n - 1) {
                                    Ok(v) => {
                                        // The native may have moved the stack's buffer.
                                        let base = self.frames.last().expect("frame").base;
                                        fp = unsafe { self.stack.as_mut_ptr().add(base as usize) };
                                        ret!(v);
                                    }
                                    Err(e) => resume!(self.throw_at(e, true, entry)?),
                                }
                            }
                        }
                    }
                    Op::TailCallSelfGlobal(g, n) => {
                        if !self.globals.values[g as usize].eq(callee!()) {
                            let site = pc!() - 1;
                            jump!(proto.general_code(site));
                            continue;
                        }
                        restart!(n);
                    }
                    Op::TailCallSelf(n) => restart!(n),
                    Op::Loop(first, n, t) => {
                        // A loop's next round counts as a call (an endless loop can be
                        // interrupted).
                        tick!();
                        let n = usize::from(n);
                        // SAFETY: the top `n` values are the loop's new values, and the
                        // compiler allocated slots `first..first + n` for its variables.
                        unsafe {
                            top = top.sub(n);
                            move_down(top, fp.add(usize::from(first)), n);
                        }
                        jump!(t);
                    }
                    Op::Return | Op::ReturnLocal(_) => {
                        let v = match *op {
                            Op::ReturnLocal(s) => local!(s),
                            _ => pop!(),
                        };
                        ret!(v);
                    }
                    Op::AddImm(k) => {
                        let a = pop!();
                        add_imm!(a, k);
                    }
                    Op::LocalAddImm(s, k) => add_imm!(local!(s), k),
                    Op::Prim(p) => {
                        let k = p.arity();
                        // SAFETY: the compiler pushed the primitive's `k` arguments.
                        let args = unsafe { std::slice::from_raw_parts(top.sub(k), k) };
                        prim!(p, args, k);
                    }
                    Op::PrimVV(p, x, y) => prim!(p, &[var!(x), var!(y)], 0),
                    Op::ArithVV(op, x, y) => arith!(op, var!(x), var!(y), 0),
                    Op::ArithVVV(op1, x, y, op2, z, swap) => {
                        arith2!(op1, var!(x), var!(y), op2, var!(z), swap)
                    }
                    Op::ArithVVK(op1, x, y, op2, k, swap) => {
                        arith2!(op1, var!(x), var!(y), op2, proto.consts[k as usize], swap)
                    }
                    Op::ArithVVTo(op, x, y, s) => {
                        arith!(op, var!(x), var!(y), 0, r => set_local!(s, r))
                    }
                    // SAFETY: the compiler pushed the two values.
                    Op::Swap => unsafe { std::ptr::swap(top.sub(1), top.sub(2)) },
                    Op::ArithSV(op, x, swap) => arith_top!(op, var!(x), swap),
                    Op::ArithSK(op, c, swap) => arith_top!(op, proto.consts[c as usize], swap),
                    Op::PrimV(p, x) => prim!(p, &[var!(x)], 0),
                    Op::JumpTest(c, t) => {
                        let k = c.prim().arity();
                        // SAFETY: the compiler pushed the test's `k` operands; they stay in
                        // the buffer (above `top`) while the test reads them.
                        let args = unsafe {
                            top = top.sub(k);
                            std::slice::from_raw_parts(top, k)
                        };
                        test!(c, args, t);
                    }
                    Op::JumpTestV(c, x, t) => test!(c, &[var!(x)], t),
                    Op::JumpTestVV(c, x, y, t) => test!(c, &[var!(x), var!(y)], t),
                    Op::JumpIfTrueKeep(t) => {
                        // SAFETY: the compiler pushed the value tested.
                        if unsafe { load(top.sub(1)) }.is_true() {
                            jump!(t);
                        }
                    }
                }
            };
            sync!();
            resume!(self.throw(error, entry)?)
        }
    }

    /// The value in box `b` (`b` itself when it is not a box); `None` while the boxed
    /// variable is still undefined.
    #[inline]
    pub(crate) fn unbox(&self, b: Value) -> Option<Value> {
        match self.heap.obj(b) {
            Some(Object::Boxed(Value::Undefined)) => None,
            Some(Object::Boxed(v)) => Some(*v),
            _ => Some(b),
        }
    }

    /// Stores `v` in box `b`.
    #[inline]
    pub(crate) fn set_box(&mut self, b: Value, v: Value) {
        if let Some(Object::Boxed(cell)) = self.heap.obj_mut(b) {
            *cell = v;
        }
    }

    /// A new box holding `v` (kept out of [`Vm::run`] to keep its loop small).
    #[inline(never)]
    pub(crate) fn new_box(&mut self, v: Value) -> Value {
        self.heap.alloc(Object::Boxed(v))
    }

    /// A new closure of `proto` capturing `free`.
    #[inline(never)]
    pub(crate) fn new_closure(&mut self, proto: &Rc<Proto>, free: &[Value]) -> Value {
        let c = Closure {
            proto: proto.clone(),
            free: free.into(),
        };
        self.heap.alloc(Object::Closure(c))
    }

    /// The captured values of `closure`.
    pub(crate) fn free_values(&self, closure: Value) -> *const Value {
        match self.heap.obj(closure) {
            Some(Object::Closure(c)) => c.free.as_ptr(),
            _ => unreachable!("a frame runs a closure"),
        }
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn undefined_error(&self, proto: &Proto) -> Error {
        let who = proto.name.map_or("lambda".to_string(), |n| n.to_string());
        Error::with(
            "unbound-variable",
            format!("{who}: variable used before its definition"),
            vec![],
        )
    }
}
