//! The virtual machine: runs compiled code on an explicit stack of frames, so Scheme calls
//! never recurse on the Rust stack. Tail calls reuse the caller's frame; continuations copy
//! the stack; natives may ask to park the computation until a file descriptor or timer is
//! ready.

use crate::code::{Op, Prim, Proto};
use crate::heap::Heap;
use crate::numeric;
use crate::symbol::{FastMap, Symbol};
use crate::syntax::{Sexp, Span, Syn};
use crate::value::*;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A procedure activation.
#[derive(Clone)]
pub struct Frame {
    /// The running code. Kept alive by `closure` (a GC root while the frame exists), which
    /// owns the `Rc<Proto>`; see [`Frame::proto`].
    proto: *const Proto,
    /// The closure being run (for captured variables).
    pub closure: Value,
    /// Next instruction (saved when the frame is not the innermost).
    pub pc: u32,
    /// Stack index of the first argument / local slot.
    pub base: u32,
}

impl Frame {
    /// The frame's code.
    #[inline(always)]
    pub fn proto(&self) -> &Proto {
        // SAFETY: `self.closure` is the closure object whose `Rc<Proto>` this points into.
        // Frames are GC roots (in the VM and in continuations), so the closure, and with it
        // the prototype, outlives the frame.
        unsafe { &*self.proto }
    }
}

/// A captured continuation: a copy of the control stack and the dynamic state.
pub struct Continuation {
    /// Values below the `call/cc` call.
    pub stack: Vec<Value>,
    /// Frames at capture.
    pub frames: Vec<Frame>,
    /// Exception handler stack at capture.
    pub handlers: Value,
    /// `dynamic-wind` stack at capture.
    pub winders: Value,
}

impl Continuation {
    /// Reports the values the continuation keeps alive.
    pub fn trace(&self, out: &mut Vec<Value>) {
        out.extend_from_slice(&self.stack);
        out.extend(self.frames.iter().map(|f| f.closure));
        out.extend([self.handlers, self.winders]);
    }
}

/// An error that reached the top level with no handler: the raised value plus where it
/// happened and the innermost Scheme frames.
#[derive(Clone)]
pub struct Uncaught {
    /// The raised object (usually a condition).
    pub value: Value,
    /// Position of the expression that failed.
    pub span: Span,
    /// Innermost frames: procedure name and call position.
    pub trace: Vec<(String, Span)>,
}

/// How [`Vm::run`] stopped.
enum Outcome {
    Done(Value),
    Parked(Wait),
}

/// How a wait is carried out when no scheduler runs: blocks the thread.
pub type Blocker = fn(&mut Vm, Wait) -> Result<(), Error>;

/// The machine.
pub struct Vm {
    /// The object heap.
    pub heap: Heap,
    /// Global variable values.
    pub globals: Vec<Value>,
    /// Global variable names.
    pub global_names: Vec<Symbol>,
    /// Global slots whose standard binding the compiler may inline.
    pub prims: FastMap<u32, Prim>,
    builtins: FastMap<Symbol, Value>,
    /// Prelude procedures compiled on first use.
    pub(crate) autoload: crate::autoload::Autoload,
    /// The value stack.
    pub stack: Vec<Value>,
    /// The frame stack.
    pub frames: Vec<Frame>,
    /// Current exception handlers (a list, innermost first).
    pub handlers: Value,
    /// Current `dynamic-wind` entries (a list of (before . after)).
    pub winders: Value,
    /// The Scheme `raise` procedure, used to signal errors from natives.
    pub raise_proc: Value,
    /// Maximum frame depth before "recursion too deep".
    pub max_depth: usize,
    depth_limit: usize,
    /// Set (from a signal handler, say) to interrupt the running computation.
    pub interrupt: Arc<AtomicBool>,
    ticks: u32,
    /// Buffered standard output.
    pub out: Vec<u8>,
    sink: Box<dyn Write>,
    /// Extra GC roots held for Rust code.
    pub roots: Vec<Value>,
    /// Command-line arguments seen by `(command-line)`.
    pub command_line: Vec<String>,
    /// The top-level environment of the program or REPL (`eval` compiles into it).
    pub env: crate::expand::Module,
    /// Where the last uncaught error happened.
    pub last_uncaught: Option<Uncaught>,
    /// Host data for native libraries, keyed by type.
    pub host: HashMap<std::any::TypeId, Box<dyn std::any::Any>>,
    /// Carries out parked waits when no scheduler runs.
    pub blocker: Blocker,
    /// Set while a scheduler runs a task: parking natives then suspend the task instead of
    /// blocking the thread.
    pub suspendable: bool,
    parked: Option<ParkedCall>,
    /// Hook for the scheduler's own GC roots (other tasks' fibers, channel contents).
    pub extra_roots: Option<fn(&Vm, &mut Vec<Value>)>,
    argbuf: Vec<Value>,
}

const DEFAULT_MAX_DEPTH: usize = 1_000_000;

enum Flow {
    Continue,
    Done(Value),
    /// A native parked the running task (only when [`Vm::suspendable`] is set).
    Park(Wait),
}

/// A native call that parked its task: how to continue it when the task is resumed.
#[derive(Clone, Copy)]
pub struct ParkedCall {
    argc: usize,
    tail: bool,
    resume: Resume,
}

/// The control state of one coroutine: what the VM swaps when the scheduler switches
/// tasks.
pub struct Fiber {
    /// Value stack.
    pub stack: Vec<Value>,
    /// Frames.
    pub frames: Vec<Frame>,
    /// Exception handlers.
    pub handlers: Value,
    /// `dynamic-wind` entries.
    pub winders: Value,
    /// The native call the fiber is parked in, if any.
    pub parked: Option<ParkedCall>,
}

impl Fiber {
    /// A fiber about to call `thunk` with no arguments.
    pub fn new(thunk: Value) -> Fiber {
        Fiber {
            stack: vec![thunk],
            frames: Vec::new(),
            handlers: Value::Null,
            winders: Value::Null,
            parked: None,
        }
    }

    /// Reports the values the fiber keeps alive.
    pub fn trace(&self, out: &mut Vec<Value>) {
        out.extend_from_slice(&self.stack);
        out.extend(self.frames.iter().map(|f| f.closure));
        out.extend([self.handlers, self.winders]);
    }
}

/// How a task's run ended.
pub enum TaskOutcome {
    /// It returned a value.
    Done(Value),
    /// It parked waiting for something.
    Parked(Wait),
    /// It raised an error nobody handled.
    Failed(Uncaught),
}

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// A machine with an empty global table.
    pub fn new() -> Vm {
        Vm {
            heap: Heap::default(),
            globals: Vec::new(),
            global_names: Vec::new(),
            prims: FastMap::default(),
            builtins: FastMap::default(),
            autoload: crate::autoload::Autoload::default(),
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(256),
            handlers: Value::Null,
            winders: Value::Null,
            raise_proc: Value::Bool(false),
            max_depth: DEFAULT_MAX_DEPTH,
            depth_limit: DEFAULT_MAX_DEPTH,
            interrupt: Arc::new(AtomicBool::new(false)),
            ticks: 0,
            out: Vec::with_capacity(8192),
            sink: Box::new(std::io::stdout()),
            roots: Vec::new(),
            command_line: Vec::new(),
            env: Default::default(),
            last_uncaught: None,
            host: HashMap::new(),
            blocker: block_thread,
            suspendable: false,
            parked: None,
            extra_roots: None,
            argbuf: Vec::new(),
        }
    }

    /// Sets how many nested (non-tail) calls may be active before a call raises
    /// "recursion too deep".
    pub fn set_max_depth(&mut self, n: usize) {
        self.max_depth = n;
        self.depth_limit = n;
    }

    // ---- globals and builtins ------------------------------------------------------

    /// Allocates a new (unbound) global slot.
    pub fn new_global(&mut self, name: Symbol) -> u32 {
        self.globals.push(Value::Undefined);
        self.global_names.push(name);
        (self.globals.len() - 1) as u32
    }

    /// Records a core procedure so the expander can refer to it directly.
    pub fn set_builtin(&mut self, name: Symbol, v: Value) {
        self.builtins.insert(name, v);
    }

    /// A core procedure by name.
    pub fn builtin(&self, name: &str) -> Option<Value> {
        self.builtins.get(&Symbol::intern(name)).copied()
    }

    /// Replaces where standard output goes (tests and embedders capture it this way).
    pub fn set_output(&mut self, sink: Box<dyn Write>) {
        self.flush();
        self.sink = sink;
    }

    /// Appends text to standard output.
    pub fn write_out(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
        if self.out.len() > 1 << 16 {
            self.flush();
        }
    }

    /// Flushes buffered standard output.
    pub fn flush(&mut self) {
        if !self.out.is_empty() {
            let _ = self.sink.write_all(&self.out);
            self.out.clear();
        }
        let _ = self.sink.flush();
    }

    // ---- values ---------------------------------------------------------------------

    /// Converts syntax to a run-time datum (aliases stripped).
    pub fn syntax_to_value(&mut self, x: &Syn) -> Value {
        match &x.e {
            Sexp::Nil => Value::Null,
            Sexp::Bool(b) => Value::Bool(*b),
            Sexp::Int(i) => Value::Int(*i),
            Sexp::Big(b) => self.heap.integer((**b).clone()),
            Sexp::Float(f) => Value::Float(*f),
            Sexp::Char(c) => Value::Char(*c),
            Sexp::Str(s) => self.heap.string(&**s),
            Sexp::Sym(s) => Value::Sym(s.strip()),
            Sexp::Bytes(b) => self.heap.bytes(b.to_vec()),
            Sexp::Vector(items) => {
                let v = items.iter().map(|i| self.syntax_to_value(i)).collect();
                self.heap.vector(v)
            }
            Sexp::List(items, tail) => {
                let tail = match tail {
                    Some(t) => self.syntax_to_value(t),
                    None => Value::Null,
                };
                let items: Vec<Value> = items.iter().map(|i| self.syntax_to_value(i)).collect();
                self.heap.list_with_tail(&items, tail)
            }
        }
    }

    /// Converts a datum to syntax (for `eval`); `None` for values that are not data.
    pub fn value_to_syntax(&self, v: Value, span: Span) -> Option<Syn> {
        let e = match v {
            Value::Null => Sexp::Nil,
            Value::Bool(b) => Sexp::Bool(b),
            Value::Int(i) => Sexp::Int(i),
            Value::Float(f) => Sexp::Float(f),
            Value::Char(c) => Sexp::Char(c),
            Value::Sym(s) => Sexp::Sym(s),
            Value::Obj(_) => match self.heap.obj(v)? {
                Object::Str(s) => Sexp::Str(Rc::from(s.as_str())),
                Object::Big(b) => Sexp::Big(Rc::new(b.clone())),
                Object::Bytes(b) => Sexp::Bytes(Rc::from(b.as_slice())),
                Object::Vector(items) => Sexp::Vector(
                    items
                        .iter()
                        .map(|i| self.value_to_syntax(*i, span))
                        .collect::<Option<Vec<_>>>()?
                        .into(),
                ),
                Object::Pair(..) => {
                    let mut items = Vec::new();
                    let mut cur = v;
                    while let Some((a, d)) = self.heap.pair(cur) {
                        items.push(self.value_to_syntax(a, span)?);
                        cur = d;
                    }
                    let tail = match cur {
                        Value::Null => None,
                        t => Some(Rc::new(self.value_to_syntax(t, span)?)),
                    };
                    Sexp::List(items.into(), tail)
                }
                _ => return None,
            },
            _ => return None,
        };
        Some(Syn::new(e, span))
    }

    /// Makes a condition object from an error.
    pub fn make_condition(&mut self, e: Error, span: Span) -> Value {
        match e {
            Error::Raise(v) => v,
            Error::Msg(kind, message, irritants) => {
                self.heap.alloc(Object::Condition(Box::new(Condition {
                    kind,
                    message,
                    irritants,
                    span,
                })))
            }
        }
    }

    // ---- collection -----------------------------------------------------------------

    /// Runs a full collection now.
    pub fn collect_garbage(&mut self) {
        let h = &mut self.heap;
        h.begin_collection();
        for &v in self.stack.iter().chain(&self.globals).chain(&self.roots) {
            h.mark(v);
        }
        for f in &self.frames {
            h.mark(f.closure);
            h.mark_proto(f.proto());
        }
        for &v in self.builtins.values() {
            h.mark(v);
        }
        h.mark(self.handlers);
        h.mark(self.winders);
        h.mark(self.raise_proc);
        if let Some(hook) = self.extra_roots {
            let mut extra = Vec::new();
            hook(self, &mut extra);
            for v in extra {
                self.heap.mark(v);
            }
        }
        self.heap.finish();
    }

    // ---- running --------------------------------------------------------------------

    /// Calls a procedure with arguments and runs it to completion.
    pub fn apply(&mut self, f: Value, args: &[Value]) -> Result<Value, Uncaught> {
        let entry_frames = self.frames.len();
        let entry_stack = self.stack.len();
        let saved_handlers = self.handlers;
        self.stack.push(f);
        self.stack.extend_from_slice(args);
        let r = match self.call(args.len(), false, entry_frames) {
            Ok(Flow::Done(v)) => Ok(Outcome::Done(v)),
            Ok(Flow::Continue) => self.run(entry_frames),
            Ok(Flow::Park(w)) => Ok(Outcome::Parked(w)),
            Err(e) => Err(e),
        };
        let r = match r {
            Ok(Outcome::Parked(_)) => {
                let e = Error::msg("internal: a computation parked outside a scheduler task");
                let v = self.make_condition(e, Span::default());
                self.record_uncaught(v);
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
                self.handlers = saved_handlers;
                self.depth_limit = self.max_depth;
                Err(u)
            }
        }
    }

    /// Exchanges the VM's control state with `fiber` (the scheduler's task switch).
    pub fn swap_fiber(&mut self, fiber: &mut Fiber) {
        std::mem::swap(&mut self.stack, &mut fiber.stack);
        std::mem::swap(&mut self.frames, &mut fiber.frames);
        std::mem::swap(&mut self.handlers, &mut fiber.handlers);
        std::mem::swap(&mut self.winders, &mut fiber.winders);
        std::mem::swap(&mut self.parked, &mut fiber.parked);
    }

    /// Runs the fiber currently swapped in (see [`Vm::swap_fiber`]) until it finishes,
    /// parks or fails: starts it if it is new, else continues its parked native call.
    pub fn run_task(&mut self) -> TaskOutcome {
        let was = std::mem::replace(&mut self.suspendable, true);
        let flow = match self.parked.take() {
            None => self.call(0, false, 0),
            Some(ParkedCall { argc, tail, resume }) => match resume {
                Resume::Retry => self.call(argc, tail, 0),
                Resume::Return(v) => self.return_value(v, tail, 0),
            },
        };
        let r = match flow {
            Ok(Flow::Continue) => self.run(0),
            Ok(Flow::Done(v)) => Ok(Outcome::Done(v)),
            Ok(Flow::Park(w)) => Ok(Outcome::Parked(w)),
            Err(e) => Err(e),
        };
        self.suspendable = was;
        match r {
            Ok(Outcome::Done(v)) => TaskOutcome::Done(v),
            Ok(Outcome::Parked(w)) => TaskOutcome::Parked(w),
            Err(e) => {
                let u = self.last_uncaught.take().unwrap_or(Uncaught {
                    value: e,
                    span: Span::default(),
                    trace: vec![],
                });
                self.frames.clear();
                self.stack.clear();
                self.depth_limit = self.max_depth;
                TaskOutcome::Failed(u)
            }
        }
    }

    fn span_here(&self) -> Span {
        match self.frames.last() {
            Some(f) => f
                .proto()
                .spans
                .get((f.pc as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default(),
            None => Span::default(),
        }
    }

    /// Signals an error at the current position: calls the Scheme handler if there is one,
    /// otherwise records the uncaught error and fails with the raised value.
    fn throw(&mut self, e: Error, entry: usize) -> Result<Flow, Value> {
        self.throw_at(e, false, entry)
    }

    /// Like [`Vm::throw`], calling the handler in tail position when `tail` is set.
    fn throw_at(&mut self, e: Error, tail: bool, entry: usize) -> Result<Flow, Value> {
        let span = self.span_here();
        let v = self.make_condition(e, span);
        if matches!(self.handlers, Value::Null) || matches!(self.raise_proc, Value::Bool(false)) {
            self.record_uncaught(v);
            return Err(v);
        }
        self.stack.push(self.raise_proc);
        self.stack.push(v);
        self.call(1, tail, entry)
    }

    fn record_uncaught(&mut self, v: Value) {
        let mut trace = Vec::new();
        let mut span = Span::default();
        for f in self.frames.iter().rev() {
            if f.proto().internal {
                continue;
            }
            let s = f
                .proto()
                .spans
                .get((f.pc as usize).saturating_sub(1))
                .copied()
                .unwrap_or_default();
            if !span.is_known() && s.is_known() {
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
    #[inline(always)]
    fn call(&mut self, mut argc: usize, mut tail: bool, entry: usize) -> Result<Flow, Value> {
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
                            let expect = if p.rest {
                                format!("at least {np}")
                            } else {
                                np.to_string()
                            };
                            self.stack.truncate(fpos);
                            return self.throw_at(
                                Error::with(
                                    "arity-error",
                                    format!("{name}: expected {expect} arguments, got {argc}"),
                                    vec![],
                                ),
                                tail,
                                entry,
                            );
                        }
                    } else if p.rest {
                        self.stack.push(Value::Null);
                    }
                    let base = if tail {
                        self.pop_frame_for_tail_call(fpos) + 1
                    } else {
                        fpos + 1
                    };
                    let used = np + p.rest as usize;
                    let nslots = p.nslots as usize;
                    if nslots > used {
                        self.stack
                            .resize(self.stack.len() + nslots - used, Value::Undefined);
                    }
                    if self.frames.len() >= self.depth_limit {
                        self.depth_limit = self.max_depth + 10_000;
                        let limit = self.max_depth;
                        self.stack.truncate(base - 1);
                        return self.throw(
                            Error::with(
                                "recursion-error",
                                format!("recursion too deep (more than {limit} nested calls)"),
                                vec![],
                            ),
                            entry,
                        );
                    }
                    self.frames.push(Frame {
                        proto,
                        closure: f,
                        pc: 0,
                        base: base as u32,
                    });
                    return Ok(Flow::Continue);
                }
                Object::Native(n) => {
                    if argc < n.min || n.max.is_some_and(|m| argc > m) {
                        let expect = match n.max {
                            Some(m) if m == n.min => m.to_string(),
                            Some(m) => format!("{} to {m}", n.min),
                            None => format!("at least {}", n.min),
                        };
                        let msg = format!("{}: expected {expect} arguments, got {argc}", n.name);
                        self.stack.truncate(fpos);
                        return self.throw_at(Error::with("arity-error", msg, vec![]), tail, entry);
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
                    let result = match &func {
                        NativeFn::Simple(g) => g(self, &args).map(Ctl::Return),
                        NativeFn::Control(g) => g(self, &args),
                        NativeFn::Dyn(g) => g(self, &args).map(Ctl::Return),
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
                            if let Err(e) = (self.blocker)(self, wait) {
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
                Object::Cont(_) => {
                    let v = if argc == 1 {
                        self.stack[fpos + 1]
                    } else {
                        let vals = self.stack[fpos + 1..].to_vec();
                        self.heap.alloc(Object::Values(vals))
                    };
                    let Object::Cont(k) = self.heap.get(r) else {
                        unreachable!()
                    };
                    self.stack.clear();
                    self.stack.extend_from_slice(&k.stack);
                    self.frames.clear();
                    self.frames.extend_from_slice(&k.frames);
                    self.handlers = k.handlers;
                    self.winders = k.winders;
                    return self.return_value(v, false, entry);
                }
                Object::RecordProc(p) => {
                    let p = *p;
                    let args = self.stack[fpos + 1..].to_vec();
                    let r = crate::builtins::records::call_record_proc(self, p, &args);
                    match r {
                        Ok(v) => {
                            self.stack.truncate(fpos);
                            return self.return_value(v, tail, entry);
                        }
                        Err(e) => {
                            self.stack.truncate(fpos);
                            return self.throw_at(e, tail, entry);
                        }
                    }
                }
                Object::Param(v, _) => {
                    let v = *v;
                    if argc != 0 {
                        self.stack.truncate(fpos);
                        let e = Error::msg("parameter: expected 0 arguments");
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

    /// Removes the innermost frame, moving the callee and arguments at `fpos` down to where
    /// that frame's callee was; returns the callee's new position.
    fn pop_frame_for_tail_call(&mut self, fpos: usize) -> usize {
        let cur = self.frames.pop().expect("frame for tail call");
        let dst = cur.base as usize - 1;
        let len = self.stack.len() - fpos;
        self.stack.copy_within(fpos.., dst);
        self.stack.truncate(dst + len);
        dst
    }

    /// Delivers a value to the current continuation: the innermost frame if `tail` is false
    /// (the value is pushed), else the frame's caller.
    fn return_value(&mut self, v: Value, tail: bool, entry: usize) -> Result<Flow, Value> {
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

    /// Runs until the frame depth drops to `entry` or the task parks.
    fn run(&mut self, entry: usize) -> Result<Outcome, Value> {
        'outer: loop {
            let frame = self.frames.last().expect("frame");
            // SAFETY: see `Frame::proto`; the frame stays alive while this code runs, and the
            // loop re-reads it after anything that may pop it.
            let proto: &Proto = unsafe { &*frame.proto };
            let closure = frame.closure;
            let base = frame.base as usize;
            let mut pc = frame.pc as usize;
            let code = &proto.code[..];
            macro_rules! save_pc {
                () => {
                    self.frames.last_mut().expect("frame").pc = pc as u32
                };
            }
            macro_rules! fail {
                ($e:expr) => {{
                    save_pc!();
                    match self.throw($e, entry)? {
                        Flow::Continue => continue 'outer,
                        Flow::Done(v) => return Ok(Outcome::Done(v)),
                        Flow::Park(w) => return Ok(Outcome::Parked(w)),
                    }
                }};
            }
            loop {
                let op = code[pc];
                pc += 1;
                match op {
                    Op::Const(k) => self.stack.push(proto.consts[k as usize]),
                    Op::Local(s) => self.stack.push(self.stack[base + s as usize]),
                    Op::SetLocal(s) => {
                        let v = self.stack.pop().expect("value");
                        self.stack[base + s as usize] = v;
                    }
                    Op::LocalBox(s) => {
                        let b = self.stack[base + s as usize];
                        match self.heap.obj(b) {
                            Some(Object::Boxed(Value::Undefined)) => {
                                fail!(self.undefined_error(proto))
                            }
                            Some(Object::Boxed(v)) => self.stack.push(*v),
                            _ => self.stack.push(b),
                        }
                    }
                    Op::SetLocalBox(s) => {
                        let v = self.stack.pop().expect("value");
                        let b = self.stack[base + s as usize];
                        if let Some(Object::Boxed(cell)) = self.heap.obj_mut(b) {
                            *cell = v;
                        }
                    }
                    Op::BoxLocal(s) => {
                        let v = self.stack[base + s as usize];
                        self.stack[base + s as usize] = self.heap.alloc(Object::Boxed(v));
                    }
                    Op::SelfClosure => self.stack.push(closure),
                    Op::Free(i) => {
                        let v = match self.heap.obj(closure) {
                            Some(Object::Closure(c)) => c.free[i as usize],
                            _ => Value::Undefined,
                        };
                        self.stack.push(v);
                    }
                    Op::FreeBox(i) => {
                        let b = match self.heap.obj(closure) {
                            Some(Object::Closure(c)) => c.free[i as usize],
                            _ => Value::Undefined,
                        };
                        match self.heap.obj(b) {
                            Some(Object::Boxed(Value::Undefined)) => {
                                fail!(self.undefined_error(proto))
                            }
                            Some(Object::Boxed(v)) => self.stack.push(*v),
                            _ => self.stack.push(b),
                        }
                    }
                    Op::SetFreeBox(i) => {
                        let v = self.stack.pop().expect("value");
                        let b = match self.heap.obj(closure) {
                            Some(Object::Closure(c)) => c.free[i as usize],
                            _ => Value::Undefined,
                        };
                        if let Some(Object::Boxed(cell)) = self.heap.obj_mut(b) {
                            *cell = v;
                        }
                    }
                    Op::Global(g) => {
                        let mut v = self.globals[g as usize];
                        if let Value::Undefined = v {
                            v = match self.load_global(g) {
                                Ok(v) => v,
                                Err(e) => fail!(e),
                            };
                        }
                        self.stack.push(v);
                    }
                    Op::SetGlobal(g) => {
                        if let Value::Undefined = self.globals[g as usize] {
                            fail!(self.unbound_error(g, "set!: "));
                        }
                        self.globals[g as usize] = self.stack.pop().expect("value");
                    }
                    Op::DefGlobal(g) => self.globals[g as usize] = self.stack.pop().expect("value"),
                    Op::Pop => {
                        self.stack.pop();
                    }
                    Op::Jump(t) => pc = t as usize,
                    Op::JumpIfFalse(t) => {
                        if let Some(Value::Bool(false)) = self.stack.pop() {
                            pc = t as usize;
                        }
                    }
                    Op::Closure(i) => {
                        let child = proto.children[i as usize].clone();
                        let n = child.nfree as usize;
                        let at = self.stack.len() - n;
                        let free: Box<[Value]> = self.stack[at..].into();
                        self.stack.truncate(at);
                        let c = self
                            .heap
                            .alloc(Object::Closure(Closure { proto: child, free }));
                        self.stack.push(c);
                    }
                    Op::Call(n) | Op::TailCall(n) => {
                        save_pc!();
                        self.ticks = self.ticks.wrapping_add(1);
                        if self.ticks & 0x3ff == 0 {
                            if self.heap.wants_collection() {
                                self.collect_garbage();
                            }
                            if self.interrupt.swap(false, Ordering::Relaxed) {
                                fail!(Error::with("interrupt", "interrupted", vec![]));
                            }
                        }
                        let tail = matches!(op, Op::TailCall(_));
                        match self.call(n as usize, tail, entry)? {
                            Flow::Continue => continue 'outer,
                            Flow::Done(v) => return Ok(Outcome::Done(v)),
                            Flow::Park(w) => return Ok(Outcome::Parked(w)),
                        }
                    }
                    Op::Return => {
                        let v = self.stack.pop().expect("value");
                        let f = self.frames.pop().expect("frame");
                        self.stack.truncate(f.base as usize - 1);
                        if self.frames.len() <= entry {
                            return Ok(Outcome::Done(v));
                        }
                        self.stack.push(v);
                        continue 'outer;
                    }
                    Op::JumpIfTrue(t) => {
                        if !matches!(self.stack.pop(), Some(Value::Bool(false))) {
                            pc = t as usize;
                        }
                    }
                    Op::JumpIfNot(p, t) => {
                        let n = self.stack.len();
                        let r = if let (Value::Int(a), Value::Int(b)) =
                            (self.stack[n - 2], self.stack[n - 1])
                        {
                            self.stack.truncate(n - 2);
                            match p {
                                Prim::Lt => a < b,
                                Prim::Gt => a > b,
                                Prim::Le => a <= b,
                                Prim::Ge => a >= b,
                                _ => a == b,
                            }
                        } else {
                            if let Err(e) = self.prim(p) {
                                fail!(e);
                            }
                            self.stack.pop().is_some_and(Value::is_true)
                        };
                        if !r {
                            pc = t as usize;
                        }
                    }
                    Op::AddImm(k) => {
                        let n = self.stack.len();
                        match self.stack[n - 1] {
                            Value::Int(a) if a.checked_add(k as i64).is_some() => {
                                self.stack[n - 1] = Value::Int(a + k as i64)
                            }
                            a => match numeric::add(&mut self.heap, a, Value::Int(k as i64)) {
                                Ok(v) => self.stack[n - 1] = v,
                                Err(_) => {
                                    let who = if k < 0 { "-" } else { "+" };
                                    fail!(Error::wrong_type(who, "a number", a))
                                }
                            },
                        }
                    }
                    Op::Prim(p) => {
                        if let Err(e) = self.prim(p) {
                            fail!(e);
                        }
                    }
                }
            }
        }
    }

    fn undefined_error(&self, proto: &Proto) -> Error {
        let who = proto.name.map_or("lambda".to_string(), |n| n.to_string());
        Error::with(
            "unbound-variable",
            format!("{who}: variable used before its definition"),
            vec![],
        )
    }

    #[inline]
    fn prim(&mut self, p: Prim) -> Result<(), Error> {
        let n = self.stack.len();
        macro_rules! binop_int {
            ($fast:expr) => {{
                if let (Value::Int(a), Value::Int(b)) = (self.stack[n - 2], self.stack[n - 1]) {
                    if let Some(r) = $fast(a, b) {
                        self.stack.truncate(n - 2);
                        self.stack.push(r);
                        return Ok(());
                    }
                }
            }};
        }
        match p {
            Prim::Add => binop_int!(|a: i64, b: i64| a.checked_add(b).map(Value::Int)),
            Prim::Sub => binop_int!(|a: i64, b: i64| a.checked_sub(b).map(Value::Int)),
            Prim::Mul => binop_int!(|a: i64, b: i64| a.checked_mul(b).map(Value::Int)),
            Prim::Lt => binop_int!(|a: i64, b: i64| Some(Value::Bool(a < b))),
            Prim::Gt => binop_int!(|a: i64, b: i64| Some(Value::Bool(a > b))),
            Prim::Le => binop_int!(|a: i64, b: i64| Some(Value::Bool(a <= b))),
            Prim::Ge => binop_int!(|a: i64, b: i64| Some(Value::Bool(a >= b))),
            Prim::NumEq => binop_int!(|a: i64, b: i64| Some(Value::Bool(a == b))),
            Prim::Car | Prim::Cdr => {
                if let Some((a, d)) = self.heap.pair(self.stack[n - 1]) {
                    self.stack[n - 1] = if p == Prim::Car { a } else { d };
                    return Ok(());
                }
            }
            Prim::Cons => {
                let v = self.heap.cons(self.stack[n - 2], self.stack[n - 1]);
                self.stack.truncate(n - 2);
                self.stack.push(v);
                return Ok(());
            }
            Prim::IsNull => {
                self.stack[n - 1] = Value::Bool(matches!(self.stack[n - 1], Value::Null));
                return Ok(());
            }
            Prim::IsPair => {
                self.stack[n - 1] = Value::Bool(self.heap.pair(self.stack[n - 1]).is_some());
                return Ok(());
            }
            Prim::Not => {
                self.stack[n - 1] = Value::Bool(matches!(self.stack[n - 1], Value::Bool(false)));
                return Ok(());
            }
            Prim::Eq => {
                let r = self.stack[n - 2].eq(self.stack[n - 1]);
                self.stack.truncate(n - 2);
                self.stack.push(Value::Bool(r));
                return Ok(());
            }
            Prim::Eqv => {
                let r = numeric::eqv(&self.heap, self.stack[n - 2], self.stack[n - 1]);
                self.stack.truncate(n - 2);
                self.stack.push(Value::Bool(r));
                return Ok(());
            }
            Prim::IsZero => {
                if let Value::Int(a) = self.stack[n - 1] {
                    self.stack[n - 1] = Value::Bool(a == 0);
                    return Ok(());
                }
            }
            Prim::VectorRef => {
                if let (Some(Object::Vector(v)), Value::Int(i)) =
                    (self.heap.obj(self.stack[n - 2]), self.stack[n - 1])
                {
                    if let Some(x) = usize::try_from(i).ok().and_then(|i| v.get(i)) {
                        let x = *x;
                        self.stack.truncate(n - 2);
                        self.stack.push(x);
                        return Ok(());
                    }
                }
            }
            Prim::VectorSet => {
                let (vec, idx, x) = (self.stack[n - 3], self.stack[n - 2], self.stack[n - 1]);
                if let (Some(Object::Vector(v)), Value::Int(i)) = (self.heap.obj_mut(vec), idx) {
                    if let Some(slot) = usize::try_from(i).ok().and_then(|i| v.get_mut(i)) {
                        *slot = x;
                        self.stack.truncate(n - 3);
                        self.stack.push(Value::Unspecified);
                        return Ok(());
                    }
                }
            }
        }
        // Slow path: the general procedure handles other types and reports errors.
        let k = p.arity();
        let args: Vec<Value> = self.stack[n - k..].to_vec();
        let f = self.builtin(p.name()).expect("primitive procedure");
        let r = match self.heap.obj(f) {
            Some(Object::Native(nat)) => match &nat.f {
                NativeFn::Simple(g) => g(self, &args)?,
                _ => return Err(Error::msg("internal: primitive is not simple")),
            },
            _ => return Err(Error::msg("internal: primitive missing")),
        };
        self.stack.truncate(n - k);
        self.stack.push(r);
        Ok(())
    }

    /// The "unbound variable" error for global `g` (`prefix` names the operation).
    pub(crate) fn unbound_error(&self, g: u32, prefix: &str) -> Error {
        let name = self.global_names[g as usize];
        Error::with(
            "unbound-variable",
            format!("{prefix}unbound variable: {name}"),
            vec![],
        )
    }
}

/// Blocks the thread until the wait is satisfied (used outside a scheduler). Checks the
/// interrupt flag every 50 ms.
pub fn block_thread(vm: &mut Vm, wait: Wait) -> Result<(), Error> {
    use std::time::{Duration, Instant};
    match wait {
        Wait::Until(deadline)
        | Wait::ReadableUntil(_, deadline)
        | Wait::WritableUntil(_, deadline) => loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            if vm.interrupt.swap(false, Ordering::Relaxed) {
                return Err(Error::with("interrupt", "interrupted", vec![]));
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
        },
        Wait::Readable(_) | Wait::Writable(_) | Wait::Yield => Ok(()),
        Wait::Event => Err(Error::msg(
            "deadlock: waiting for an event with no scheduler running",
        )),
    }
}
