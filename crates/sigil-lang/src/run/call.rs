//! Calls and frames: how a call of each kind of procedure is made (closures, natives,
//! continuations, record procedures, parameters), tail calls, returns, arity errors, and
//! raising errors to Scheme handlers. [`Vm::apply`] is the entry point from Rust.

use crate::read::syntax::Span;
use crate::run::code::Proto;
use crate::run::ctx::Ctx;
use crate::run::fiber::ParkedCall;
use crate::run::native::{Arity, NativeFn, SimpleFn};
use crate::run::value::*;
use crate::run::vm::{Uncaught, Vm, TOPLEVEL_FRAMES};
use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

/// A procedure that the VM calls without a frame of its own (see [`Vm::direct`]).
#[derive(Clone, Copy)]
pub(crate) enum Direct {
    /// A simple native procedure.
    Native(SimpleFn),
    /// A record constructor, predicate, accessor or modifier.
    Record(RecordProc),
}

/// A procedure activation. The closure being run sits on the value stack just below the
/// frame's slots, at `base - 1` (it was the callee of the call that made the frame).
#[derive(Clone)]
pub struct Frame {
    /// The running code, owned by the closure at `base - 1`; see [`Frame::proto`].
    pub(crate) proto: *const Proto,
    /// Next instruction (saved when the frame is not the innermost).
    pub pc: u32,
    /// Stack index of the first argument / local slot.
    pub base: u32,
}

impl Frame {
    /// The frame's code.
    #[inline(always)]
    pub fn proto(&self) -> &Proto {
        // SAFETY: the closure at stack index `base - 1` owns the `Rc<Proto>` this points
        // into. Frames and their stacks are kept together (in the VM, fibers and
        // continuations) and the stack is a GC root, so the closure, and with it the
        // prototype, outlives the frame.
        unsafe { &*self.proto }
    }
}

/// How [`Vm::run`] stopped.
pub(crate) enum Outcome {
    Done(Value),
    Parked(Wait),
}

pub(crate) enum Flow {
    Continue,
    Done(Value),
    /// A native parked the running task (only when [`Vm::suspendable`] is set).
    Park(Wait),
}

impl Vm {
    /// Calls a procedure with arguments and runs it to completion.
    ///
    /// The call is a computation of its own: it starts with no exception handlers (an
    /// error it does not handle comes back as `Err`), natives in it block rather than park,
    /// and no continuation may take it below where it started, into frames its Rust caller
    /// is still running (see [`Vm::floor`]).
    pub fn apply(&mut self, f: Value, args: &[Value]) -> Result<Value, Uncaught> {
        let entry_frames = self.frames.len();
        let entry_stack = self.stack.len();
        let saved_handlers = std::mem::replace(&mut self.handlers, Value::Null);
        let saved_suspendable = std::mem::replace(&mut self.suspendable, false);
        let saved_floor = std::mem::replace(&mut self.floor, (entry_frames, entry_stack));
        let saved_winders = self.winders;
        let r = self.apply_from(f, args, entry_frames, entry_stack);
        if r.is_err() {
            // The after-thunks of what the failed call entered will not run: the dynamic
            // extent is the caller's again.
            self.winders = saved_winders;
        }
        self.handlers = saved_handlers;
        self.suspendable = saved_suspendable;
        self.floor = saved_floor;
        r
    }

    fn apply_from(
        &mut self,
        f: Value,
        args: &[Value],
        entry_frames: usize,
        entry_stack: usize,
    ) -> Result<Value, Uncaught> {
        self.stack.push(f);
        self.stack.extend_from_slice(args);
        let r = self.contained(|vm| match vm.call(args.len(), false, entry_frames) {
            Ok(Flow::Done(v)) => Ok(Outcome::Done(v)),
            Ok(Flow::Continue) => vm.run(entry_frames),
            Ok(Flow::Park(w)) => Ok(Outcome::Parked(w)),
            Err(e) => Err(e),
        });
        let r = match r {
            Ok(Outcome::Parked(_)) => {
                let e = Error::msg("internal: a computation parked outside a scheduler task");
                let v = self.make_condition(e, Span::default());
                self.record_uncaught(v, false);
                Err(v)
            }
            Ok(Outcome::Done(v)) => Ok(v),
            Err(e) => Err(e),
        };
        match r {
            Ok(v) => {
                self.stack.truncate(entry_stack);
                Ok(v)
            }
            Err(e) => {
                let u = self.last_uncaught.take().unwrap_or(Uncaught {
                    value: e,
                    span: Span::default(),
                    trace: vec![],
                });
                self.frames.truncate(entry_frames);
                self.stack.truncate(entry_stack);
                self.depth_limit = self.max_depth + TOPLEVEL_FRAMES;
                Err(u)
            }
        }
    }

    /// Runs `body`, the machine running Scheme code, so that a panic in it (a bug, or a
    /// value from another interpreter's heap) fails it with an error instead of unwinding
    /// into the Rust code that called it. The caller cuts the frames and the stack back to
    /// where it started, as after any uncaught error, so the machine stays consistent.
    pub(crate) fn contained(
        &mut self,
        body: impl FnOnce(&mut Vm) -> Result<Outcome, Value>,
    ) -> Result<Outcome, Value> {
        match catch_unwind(AssertUnwindSafe(|| body(self))) {
            Ok(r) => r,
            Err(payload) => {
                let why = panic_message(payload.as_ref());
                let e = Error::msg(format!("internal error: the interpreter panicked: {why}"));
                let v = self.make_condition(e, Span::default());
                self.record_uncaught(v, true);
                Err(v)
            }
        }
    }

    /// Where an error is reported: the current position of the innermost frame running the
    /// program's own code, not library code (prelude, stdlib); of the innermost frame when
    /// every frame is library code.
    pub(crate) fn span_here(&self) -> Span {
        let user = self.frames.iter().rev().find(|f| !f.proto().internal);
        user.or(self.frames.last())
            .map_or(Span::default(), frame_span)
    }

    /// Signals an error at the current position: calls the Scheme handler if there is one,
    /// otherwise records the uncaught error and fails with the raised value.
    #[inline(never)]
    pub(crate) fn throw(&mut self, e: Error, entry: usize) -> Result<Flow, Value> {
        self.throw_at(e, false, entry)
    }

    /// Like [`Vm::throw`], calling the handler in tail position when `tail` is set.
    pub(crate) fn throw_at(&mut self, e: Error, tail: bool, entry: usize) -> Result<Flow, Value> {
        let span = self.span_here();
        let fresh = e.raised().is_none();
        let v = self.make_condition(e, span);
        let handled = !matches!(self.handlers, Value::Null)
            && !matches!(self.raise_proc, Value::Bool(false))
            && self.exit_code(v).is_none();
        if !handled {
            self.record_uncaught(v, fresh);
            return Err(v);
        }
        self.stack.push(self.raise_proc);
        self.stack.push(v);
        self.call(1, tail, entry)
    }

    /// The exit status `v` asks for, when it is the condition `exit` raises (which no
    /// handler sees).
    pub(crate) fn exit_code(&self, v: Value) -> Option<i32> {
        match self.heap.obj(v) {
            Some(Object::Condition(c)) => c.exit_code(),
            _ => None,
        }
    }

    /// Records `v` as the uncaught error with the innermost frames. Library frames are
    /// left out, except, for a `fresh` error (raised here by a native or the VM, not
    /// re-raised by `raise`), the library frames it happened in.
    pub(crate) fn record_uncaught(&mut self, v: Value, fresh: bool) {
        let mut trace = Vec::new();
        let mut span = Span::default();
        let mut in_library = fresh;
        for f in self.frames.iter().rev() {
            in_library &= f.proto().internal;
            if f.proto().internal && !in_library {
                continue;
            }
            let s = frame_span(f);
            if !in_library && !span.is_known() && s.is_known() {
                span = s;
            }
            let name = f
                .proto()
                .name
                .map_or("lambda".to_string(), |n| n.to_string());
            let len = trace.len();
            match trace.last_mut() {
                Some((n, sp, count)) if *n == name && *sp == s => *count += 1,
                _ if len < 12 => trace.push((name, s, 1)),
                _ => {}
            }
        }
        let trace = trace
            .into_iter()
            .map(|(name, s, count)| match count {
                1 => (name, s),
                n => (format!("{name} [{n} times]"), s),
            })
            .collect();
        self.last_uncaught = Some(Uncaught {
            value: v,
            span,
            trace,
        });
    }

    /// Performs a call of the procedure sitting below `argc` arguments on the stack.
    #[inline(never)]
    pub(crate) fn call(&mut self, argc: usize, tail: bool, entry: usize) -> Result<Flow, Value> {
        let fpos = self.stack.len() - argc - 1;
        let f = self.stack[fpos];
        if let Some(proto) = self.exact_closure(f, argc) {
            return self.enter(proto, fpos, tail, entry);
        }
        if let Some(d) = self.direct(f, argc) {
            return match self.call_direct(d, fpos) {
                Ok(v) => self.return_value(v, tail, entry),
                Err(e) => self.throw_at(e, tail, entry),
            };
        }
        self.call_general(argc, tail, entry)
    }

    /// How `f` runs when it returns without a frame of its own: a simple native procedure
    /// accepting `argc` arguments, or a record procedure (which checks its arguments itself).
    #[inline(always)]
    pub(crate) fn direct(&self, f: Value, argc: usize) -> Option<Direct> {
        match self.heap.obj(f)? {
            Object::Native(n) => match n.f {
                NativeFn::Simple(g) if n.arity.accepts(argc) => Some(Direct::Native(g)),
                _ => None,
            },
            Object::RecordProc(p) => Some(Direct::Record(*p)),
            _ => None,
        }
    }

    /// Calls `d` with the values above stack index `fpos` as arguments, then removes the
    /// callee and the arguments from the stack.
    #[inline(never)]
    pub(crate) fn call_direct(&mut self, d: Direct, fpos: usize) -> NResult {
        let run = |vm: &mut Vm, args: &[Value]| match d {
            Direct::Native(g) => g(&mut Ctx::new(vm), args),
            Direct::Record(p) => crate::run::records::call_record_proc(vm, p, args),
        };
        // The arguments are copied out of the stack (the native may push on it); a few of
        // them fit in a local buffer.
        const SMALL: usize = 6;
        let n = self.stack.len() - fpos - 1;
        let r = if n <= SMALL {
            let mut buf = [Value::Unspecified; SMALL];
            buf[..n].copy_from_slice(&self.stack[fpos + 1..]);
            run(self, &buf[..n])
        } else {
            let mut args = std::mem::take(&mut self.argbuf);
            args.clear();
            args.extend_from_slice(&self.stack[fpos + 1..]);
            let r = run(self, &args);
            self.argbuf = args;
            r
        };
        self.stack.truncate(fpos);
        r
    }

    /// Pushes a frame for the closure at `fpos`, whose arguments (the rest list included)
    /// are on the stack; a tail call replaces the innermost frame.
    #[inline(always)]
    pub(crate) fn enter(
        &mut self,
        proto: *const Proto,
        fpos: usize,
        tail: bool,
        entry: usize,
    ) -> Result<Flow, Value> {
        let base = if tail {
            self.pop_frame_for_tail_call(fpos) + 1
        } else {
            fpos + 1
        };
        // SAFETY: the closure at `base - 1` owns the prototype (see `Frame::proto`).
        let nslots = unsafe { (*proto).nslots } as usize;
        if self.stack.len() < base + nslots {
            self.stack.resize(base + nslots, Value::Undefined);
        }
        if self.frames.len() >= self.depth_limit {
            return self.too_deep(base, entry);
        }
        self.frames.push(Frame {
            proto,
            pc: 0,
            base: base as u32,
        });
        Ok(Flow::Continue)
    }

    /// Saves `pc` in the innermost frame and pushes a frame running `proto` at `base` (the
    /// caller has checked the depth limit).
    #[inline(always)]
    pub(crate) fn push_frame(&mut self, pc: usize, proto: *const Proto, base: usize) {
        let depth = self.frames.len();
        if depth == self.frames.capacity() {
            self.frames.reserve(1);
        }
        debug_assert!(depth > 0, "a running frame");
        // SAFETY: the innermost frame, the caller's, is at `depth - 1` (`Vm::run` only calls
        // from a running frame), and the buffer has room at `depth`.
        unsafe {
            let f = self.frames.as_mut_ptr();
            (*f.add(depth - 1)).pc = pc as u32;
            f.add(depth).write(Frame {
                proto,
                pc: 0,
                base: base as u32,
            });
            self.frames.set_len(depth + 1);
        }
    }

    /// Raises "recursion too deep" for a call whose frame would start at `base`.
    #[cold]
    pub(crate) fn too_deep(&mut self, base: usize, entry: usize) -> Result<Flow, Value> {
        self.depth_limit = self.max_depth + 10_000;
        let limit = self.max_depth;
        self.stack.truncate(base - 1);
        self.throw(
            Error::with(
                "recursion-error",
                format!("recursion too deep (more than {limit} nested calls)"),
                vec![],
            ),
            entry,
        )
    }

    /// [`Vm::call`] for everything but a closure called with exactly its parameters:
    /// rest parameters, natives, continuations, record procedures, parameters, errors.
    #[inline(never)]
    pub(crate) fn call_general(
        &mut self,
        mut argc: usize,
        mut tail: bool,
        entry: usize,
    ) -> Result<Flow, Value> {
        loop {
            let fpos = self.stack.len() - argc - 1;
            let f = self.stack[fpos];
            let Value::Obj(r) = f else {
                self.stack.truncate(fpos);
                return self.throw_at(
                    Error::with("type-error", "not a procedure:", vec![f]),
                    tail,
                    entry,
                );
            };
            match self.heap.get(r) {
                Object::Closure(c) => {
                    let proto: *const Proto = Rc::as_ptr(&c.proto);
                    // SAFETY: the closure `f` is on the stack (a GC root) and owns the Rc.
                    let p = unsafe { &*proto };
                    let np = p.nparams as usize;
                    if argc != np {
                        if p.rest && argc > np {
                            let rest = self.heap.list(&self.stack[fpos + 1 + np..]);
                            self.stack.truncate(fpos + 1 + np);
                            self.stack.push(rest);
                        } else if p.rest && argc == np {
                            self.stack.push(Value::Null);
                        } else {
                            let name = p.name.map_or("lambda".into(), |n| n.to_string());
                            let arity = if p.rest {
                                Arity::at_least(np)
                            } else {
                                Arity::exact(np)
                            };
                            self.stack.truncate(fpos);
                            return self.throw_at(arity.error(&name, argc), tail, entry);
                        }
                    } else if p.rest {
                        self.stack.push(Value::Null);
                    }
                    return self.enter(proto, fpos, tail, entry);
                }
                Object::Native(n) => {
                    if !n.arity.accepts(argc) {
                        let e = n.arity.error(&n.name, argc);
                        self.stack.truncate(fpos);
                        return self.throw_at(e, tail, entry);
                    }
                    let func = n.f.clone();
                    let mut fpos = fpos;
                    if tail && matches!(func, NativeFn::Control(_)) {
                        // A control native may capture or replace the continuation: run it
                        // as the caller's callee so the current frame is already gone.
                        fpos = self.pop_frame_for_tail_call(fpos);
                        tail = false;
                    }
                    let mut args = std::mem::take(&mut self.argbuf);
                    args.clear();
                    args.extend_from_slice(&self.stack[fpos + 1..]);
                    let ctx = &mut Ctx::new(self);
                    let result = match &func {
                        NativeFn::Simple(g) => g(ctx, &args).map(Ctl::Return),
                        NativeFn::Control(g) => g(ctx, &args),
                        NativeFn::Closure(g) => g(ctx, &args).map(Ctl::Return),
                    };
                    self.argbuf = args;
                    match result {
                        Ok(Ctl::Return(v)) => {
                            self.stack.truncate(fpos);
                            return self.return_value(v, tail, entry);
                        }
                        Ok(Ctl::TailCall(g, args)) => {
                            self.stack.truncate(fpos);
                            self.stack.push(g);
                            argc = args.len();
                            self.stack.extend(args);
                            continue;
                        }
                        Ok(Ctl::Park(wait, resume)) if self.suspendable => {
                            if let Resume::Return(_) = resume {
                                self.stack.truncate(fpos);
                            }
                            self.parked = Some(ParkedCall { argc, tail, resume });
                            return Ok(Flow::Park(wait));
                        }
                        Ok(Ctl::Park(wait, resume)) => {
                            self.flush();
                            if let Err(e) = crate::run::block::block_thread(self, &wait) {
                                self.stack.truncate(fpos);
                                return self.throw_at(e, tail, entry);
                            }
                            match resume {
                                Resume::Retry => continue,
                                Resume::Return(v) => {
                                    self.stack.truncate(fpos);
                                    return self.return_value(v, tail, entry);
                                }
                            }
                        }
                        Err(e) => {
                            self.stack.truncate(fpos);
                            return self.throw_at(e, tail, entry);
                        }
                    }
                }
                Object::Cont(k) => {
                    if k.escape.is_none() && !self.may_enter(k) {
                        self.stack.truncate(fpos);
                        let e = Error::msg(
                            "continuation: cannot jump out of a procedure called from Rust",
                        );
                        return self.throw_at(e, tail, entry);
                    }
                    let winders = k.winders;
                    if !winders.eq(self.winders) && !matches!(self.rewind_proc, Value::Bool(false))
                    {
                        // Outside its dynamic extent: `(rewind k winders value ...)` runs the
                        // `dynamic-wind` thunks on the way, then invokes `k` again.
                        let k = self.stack[fpos];
                        self.stack[fpos] = self.rewind_proc;
                        self.stack.splice(fpos + 1..fpos + 1, [k, winders]);
                        return self.call(argc + 2, tail, entry);
                    }
                    let v = if argc == 1 {
                        self.stack[fpos + 1]
                    } else {
                        let vals = self.stack[fpos + 1..].to_vec();
                        self.heap.alloc(Object::Values(vals))
                    };
                    let Object::Cont(k) = self.heap.get(r) else {
                        unreachable!()
                    };
                    if let Some(e) = &k.escape {
                        if !self.may_escape(e) {
                            self.stack.truncate(fpos);
                            let e =
                                Error::msg("escape continuation: called after its extent ended");
                            return self.throw_at(e, tail, entry);
                        }
                        self.stack.truncate(e.stack);
                        self.frames.truncate(e.frames);
                        self.handlers = k.handlers;
                        self.winders = k.winders;
                        return self.return_value(v, false, entry);
                    }
                    self.stack.clear();
                    self.stack.extend_from_slice(&k.stack);
                    self.frames.clear();
                    self.frames.extend_from_slice(&k.frames);
                    self.handlers = k.handlers;
                    self.winders = k.winders;
                    return self.return_value(v, false, entry);
                }
                Object::RecordProc(p) => {
                    // Reached when a native tail-calls a record procedure (`apply`).
                    return match self.call_direct(Direct::Record(*p), fpos) {
                        Ok(v) => self.return_value(v, tail, entry),
                        Err(e) => self.throw_at(e, tail, entry),
                    };
                }
                Object::Param(v, _) => {
                    let v = *v;
                    if argc != 0 {
                        self.stack.truncate(fpos);
                        let e = Arity::exact(0).error("parameter", argc);
                        return self.throw_at(e, tail, entry);
                    }
                    self.stack.truncate(fpos);
                    return self.return_value(v, tail, entry);
                }
                _ => {
                    self.stack.truncate(fpos);
                    let e = Error::with("type-error", "not a procedure:", vec![f]);
                    return self.throw_at(e, tail, entry);
                }
            }
        }
    }

    /// Whether continuation `k` may replace the running computation: it must keep the
    /// frames and the stack below [`Vm::floor`] (those of the Rust code that called
    /// [`Vm::apply`]) as they are.
    fn may_enter(&self, k: &crate::run::fiber::Continuation) -> bool {
        let (frames, stack) = self.floor;
        k.frames.len() >= frames
            && k.stack.len() >= stack
            && k.frames[..frames]
                .iter()
                .zip(&self.frames[..frames])
                .all(|(a, b)| std::ptr::eq(a.proto, b.proto) && a.base == b.base)
    }

    /// Removes the innermost frame, moving the callee and arguments at `fpos` down to where
    /// that frame's callee was; returns the callee's new position.
    pub(crate) fn pop_frame_for_tail_call(&mut self, fpos: usize) -> usize {
        let cur = self.frames.pop().expect("frame for tail call");
        let dst = cur.base as usize - 1;
        let len = self.stack.len() - fpos;
        self.stack.copy_within(fpos.., dst);
        self.stack.truncate(dst + len);
        dst
    }

    /// Delivers a value to the current continuation: the innermost frame if `tail` is false
    /// (the value is pushed), else the frame's caller.
    pub(crate) fn return_value(
        &mut self,
        v: Value,
        tail: bool,
        entry: usize,
    ) -> Result<Flow, Value> {
        if tail {
            let f = self.frames.pop().expect("frame");
            self.stack.truncate(f.base as usize - 1);
        }
        if self.frames.len() <= entry {
            return Ok(Flow::Done(v));
        }
        self.stack.push(v);
        Ok(Flow::Continue)
    }

    /// The closure prototype of `f` when it is a closure taking exactly `argc` arguments
    /// (no rest parameter).
    #[inline(always)]
    pub(crate) fn exact_closure(&self, f: Value, argc: usize) -> Option<*const Proto> {
        let Some(Object::Closure(c)) = self.heap.obj(f) else {
            return None;
        };
        let p = &*c.proto;
        (p.direct_argc as usize == argc).then_some(p as *const Proto)
    }

    #[cold]
    #[inline(never)]
    pub(crate) fn unbound_error(&self, g: u32, prefix: &str) -> Error {
        let name = self.globals.name(g);
        Error::with(
            "unbound-variable",
            format!("{prefix}unbound variable: {name}"),
            vec![],
        )
    }
}

/// The position of the instruction frame `f` is running (or last ran).
fn frame_span(f: &Frame) -> Span {
    let spans = &f.proto().spans;
    spans
        .get((f.pc as usize).saturating_sub(1))
        .copied()
        .unwrap_or_default()
}

/// The text of a panic's payload (a `&str` or a `String`; other payloads have none).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}
