//! The virtual machine: runs compiled code on an explicit stack of frames, so Scheme calls
//! never recurse on the Rust stack. Tail calls reuse the caller's frame; continuations copy
//! the stack; natives may ask to park the computation until a file descriptor or timer is
//! ready.

use crate::compile::code::{Cmp, Op, Prim, Proto, Var};
use crate::read::symbol::{FastMap, Symbol};
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::*;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// A procedure activation. The closure being run sits on the value stack just below the
/// frame's slots, at `base - 1` (it was the callee of the call that made the frame).
#[derive(Clone)]
pub struct Frame {
    /// The running code, owned by the closure at `base - 1`; see [`Frame::proto`].
    proto: *const Proto,
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

/// The Rust function behind a simple native procedure.
type SimpleFn = fn(&mut Vm, &[Value]) -> NResult;

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
    pub(crate) autoload: crate::compile::autoload::Autoload,
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
    pub env: crate::compile::expand::Module,
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
            autoload: crate::compile::autoload::Autoload::default(),
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
    #[inline(never)]
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
    #[inline(never)]
    fn call(&mut self, argc: usize, tail: bool, entry: usize) -> Result<Flow, Value> {
        let fpos = self.stack.len() - argc - 1;
        let f = self.stack[fpos];
        if let Some(proto) = self.exact_closure(f, argc) {
            return self.enter(proto, fpos, tail, entry);
        }
        if let Some(g) = self.simple_native(f, argc) {
            return match self.call_simple(g, fpos) {
                Ok(v) => self.return_value(v, tail, entry),
                Err(e) => self.throw_at(e, tail, entry),
            };
        }
        self.call_general(argc, tail, entry)
    }

    /// The function of `f` when it is a simple native procedure accepting `argc` arguments.
    #[inline(always)]
    fn simple_native(&self, f: Value, argc: usize) -> Option<SimpleFn> {
        let Some(Object::Native(n)) = self.heap.obj(f) else {
            return None;
        };
        let NativeFn::Simple(g) = n.f else {
            return None;
        };
        (argc >= n.min && n.max.map_or(true, |m| argc <= m)).then_some(g)
    }

    /// Calls the simple native `g` with the values above stack index `fpos` as arguments,
    /// then removes the callee and the arguments from the stack.
    #[inline(never)]
    fn call_simple(&mut self, g: SimpleFn, fpos: usize) -> NResult {
        let mut args = std::mem::take(&mut self.argbuf);
        args.clear();
        args.extend_from_slice(&self.stack[fpos + 1..]);
        let r = g(self, &args);
        self.argbuf = args;
        self.stack.truncate(fpos);
        r
    }

    /// Pushes a frame for the closure at `fpos`, whose arguments (the rest list included)
    /// are on the stack; a tail call replaces the innermost frame.
    #[inline(always)]
    fn enter(
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
    fn push_frame(&mut self, pc: usize, proto: *const Proto, base: usize) {
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
    fn too_deep(&mut self, base: usize, entry: usize) -> Result<Flow, Value> {
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
    fn call_general(
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
                    return self.enter(proto, fpos, tail, entry);
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
                    let r = crate::natives::builtins::records::call_record_proc(self, p, &args);
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
    ///
    /// While a frame runs, the top of the value stack lives in locals: `st` points at the
    /// stack's buffer and `sp` is its length; the innermost frame's fields live in locals
    /// too. `sync!` writes them back before anything else looks at the stack; after code
    /// that may change the stack or frames in other ways, the loop reloads the innermost
    /// frame (`continue 'frame`). Switching to a frame reserves room for its
    /// [`Proto::max_stack`] temporaries, so pushes need no capacity check.
    fn run(&mut self, entry: usize) -> Result<Outcome, Value> {
        'frame: loop {
            let mut st = self.stack.as_mut_ptr();
            let mut sp = self.stack.len();
            let frame = self.frames.last().expect("frame");
            // SAFETY (here and where frames are switched below): see `Frame::proto`; a frame's
            // closure, which owns the prototype, is a GC root while the frame exists.
            let mut proto: &Proto = unsafe { &*frame.proto };
            let mut base = frame.base as usize;
            // The next instruction. SAFETY (here and wherever it is set): compiled code ends
            // in a return or tail call and its jumps land on instructions
            // (`codegen::assert_well_formed`), and saved `pc`s point at instructions, so `ip`
            // stays within `proto.code`.
            let mut ip: *const Op = unsafe { proto.code.as_ptr().add(frame.pc as usize) };
            // The running closure's captured values, looked up at their first use.
            let mut free: *const Value = std::ptr::null();
            // Makes sure `need` more values fit in the stack's buffer.
            macro_rules! room {
                ($need:expr) => {{
                    let need: usize = $need;
                    if self.stack.capacity() - sp < need {
                        // SAFETY: every value below `sp` has been written.
                        unsafe { self.stack.set_len(sp) };
                        self.stack.reserve(need);
                        st = self.stack.as_mut_ptr();
                    }
                }};
            }
            room!(proto.max_stack as usize);
            // Stack access. SAFETY (`push!`, `pop!`, `local!`, `callee!`, `set_local!`): the
            // frame's callee and slots `base - 1..base + nslots` are below `sp` (the call
            // filled them; the compiler never pops below them) and slot indices are below
            // `nslots`; the compiler's `max_stack` bound keeps pushes within the capacity
            // reserved when the frame was switched to.
            macro_rules! push {
                ($v:expr) => {{
                    let v = $v;
                    debug_assert!(sp < self.stack.capacity());
                    unsafe { st.add(sp).write(v) };
                    sp += 1;
                }};
            }
            macro_rules! pop {
                () => {{
                    debug_assert!(sp > base);
                    sp -= 1;
                    unsafe { st.add(sp).read() }
                }};
            }
            macro_rules! local {
                ($s:expr) => {{
                    debug_assert!(($s as usize) < proto.nslots as usize);
                    unsafe { st.add(base + $s as usize).read() }
                }};
            }
            // The running closure: it sits just below the frame's slots (the callee of the
            // call that made the frame).
            macro_rules! callee {
                () => {
                    unsafe { st.add(base - 1).read() }
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
                    unsafe { free.add($i as usize).read() }
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
                    unsafe { st.add(base + $s as usize).write(v) };
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
                    debug_assert!(sp <= self.stack.capacity());
                    // SAFETY: every value below `sp` has been written.
                    unsafe { self.stack.set_len(sp) };
                    self.frames.last_mut().expect("frame").pc = pc!() as u32;
                }};
            }
            // Picks the stack up again after a native ran (it may have grown the buffer).
            macro_rules! reload {
                () => {{
                    st = self.stack.as_mut_ptr();
                    sp = self.stack.len();
                    room!(proto.max_stack as usize);
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
            macro_rules! fail {
                ($e:expr) => {{
                    let e = $e;
                    sync!();
                    resume!(self.throw(e, entry)?)
                }};
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
            // Applies primitive `p` to `args`, replacing the top `k` values by the result.
            macro_rules! prim {
                ($p:expr, $args:expr, $k:expr) => {{
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
                        Ok(v) => {
                            sp -= k;
                            push!(v);
                        }
                        Err(e) => fail!(e),
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
            loop {
                debug_assert!(pc!() < proto.code.len());
                // SAFETY: `ip` points at an instruction, and the one after it, if any, is the
                // next (see `ip`).
                let op = unsafe { &*ip };
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
                        let mut v = self.globals[g as usize];
                        if let Value::Undefined = v {
                            v = match self.load_global(g) {
                                Ok(v) => v,
                                Err(e) => fail!(e),
                            };
                        }
                        push!(v);
                    }
                    Op::SetGlobal(g) => {
                        if let Value::Undefined = self.globals[g as usize] {
                            fail!(self.unbound_error(g, "set!: "));
                        }
                        self.globals[g as usize] = pop!();
                    }
                    Op::DefGlobal(g) => self.globals[g as usize] = pop!(),
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
                    Op::JumpCmpLL(c, x, y, t) => branch!(c, local!(x), local!(y), t),
                    Op::Closure(i) => {
                        let child = &proto.children[i as usize];
                        let n = child.nfree as usize;
                        sp -= n;
                        // SAFETY: the compiler pushed the `n` captured values.
                        let free = unsafe { std::slice::from_raw_parts(st.add(sp), n) };
                        push!(self.new_closure(child, free));
                    }
                    Op::Call(n) => {
                        tick!();
                        let n = n as usize;
                        let fpos = sp - n - 1;
                        // SAFETY: the compiler pushed the callee and `n` arguments.
                        let f = unsafe { st.add(fpos).read() };
                        match self.exact_closure(f, n) {
                            Some(p) if self.frames.len() < self.depth_limit => {
                                base = fpos + 1;
                                self.push_frame(pc!(), p, base);
                                start!(p, n);
                            }
                            _ => {
                                sync!();
                                let Some(g) = self.simple_native(f, n) else {
                                    resume!(self.call(n, false, entry)?)
                                };
                                let r = self.call_simple(g, fpos);
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
                        let fpos = sp - n - 1;
                        // SAFETY: the compiler pushed the callee and `n` arguments.
                        let f = unsafe { st.add(fpos).read() };
                        match self.exact_closure(f, n) {
                            Some(p) => {
                                // SAFETY: moves the callee and arguments down over this frame's
                                // callee and slots (the regions may overlap).
                                unsafe { move_down(st.add(fpos), st.add(base - 1), n + 1) };
                                sp = base + n;
                                *self.frames.last_mut().expect("frame") = Frame {
                                    proto: p,
                                    pc: 0,
                                    base: base as u32,
                                };
                                start!(p, n);
                            }
                            None => {
                                sync!();
                                resume!(self.call(n, true, entry)?)
                            }
                        }
                    }
                    Op::TailCallSelf(n) => {
                        tick!();
                        let n = n as usize;
                        // SAFETY: the top `n` values are the arguments, and the compiler checked
                        // that the frame has `n` parameter slots (no rest parameter).
                        unsafe { move_down(st.add(sp - n), st.add(base), n) };
                        sp = base + proto.nslots as usize;
                        jump!(0);
                    }
                    Op::Return | Op::ReturnLocal(_) => {
                        let v = match *op {
                            Op::ReturnLocal(s) => local!(s),
                            _ => pop!(),
                        };
                        // The result replaces the callee.
                        sp = base - 1;
                        push!(v);
                        let depth = self.frames.len() - 1;
                        // SAFETY: drops the running frame, the innermost one (frames need no
                        // destructor).
                        unsafe { self.frames.set_len(depth) };
                        if depth <= entry {
                            // SAFETY: the values below the callee's position are initialised.
                            unsafe { self.stack.set_len(base - 1) };
                            return Ok(Outcome::Done(v));
                        }
                        // SAFETY: `depth > entry`, so the caller's frame is still there.
                        let f = unsafe { self.frames.get_unchecked(depth - 1) };
                        proto = unsafe { &*f.proto };
                        base = f.base as usize;
                        jump!(f.pc);
                        room!(proto.max_stack as usize);
                        free = std::ptr::null();
                    }
                    Op::AddImm(k) => {
                        let a = pop!();
                        add_imm!(a, k);
                    }
                    Op::LocalAddImm(s, k) => add_imm!(local!(s), k),
                    Op::Prim(p) => {
                        let k = p.arity();
                        // SAFETY: the compiler pushed the primitive's `k` arguments.
                        let args = unsafe { std::slice::from_raw_parts(st.add(sp - k), k) };
                        prim!(p, args, k);
                    }
                    Op::PrimVV(p, x, y) => prim!(p, &[var!(x), var!(y)], 0),
                }
            }
        }
    }

    /// Counts toward the next collection check; see `tick!` in [`Vm::run`].
    #[cold]
    fn poll(&mut self) -> Result<(), Error> {
        if self.heap.wants_collection() {
            self.collect_garbage();
        }
        if self.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Error::with("interrupt", "interrupted", vec![]));
        }
        Ok(())
    }

    /// The closure prototype of `f` when it is a closure taking exactly `argc` arguments
    /// (no rest parameter).
    #[inline(always)]
    fn exact_closure(&self, f: Value, argc: usize) -> Option<*const Proto> {
        let Some(Object::Closure(c)) = self.heap.obj(f) else {
            return None;
        };
        let p = &*c.proto;
        (p.direct_argc as usize == argc).then_some(p as *const Proto)
    }

    /// `a + k` for [`Op::AddImm`] when `a` is not a fixnum or the sum overflows.
    #[cold]
    fn add_slow(&mut self, a: Value, k: i32) -> Result<Value, Error> {
        numeric::add(&mut self.heap, a, Value::Int(k.into())).map_err(|_| {
            let who = if k < 0 { "-" } else { "+" };
            Error::wrong_type(who, "a number", a)
        })
    }

    /// The value in box `b` (`b` itself when it is not a box); `None` while the boxed
    /// variable is still undefined.
    #[inline]
    fn unbox(&self, b: Value) -> Option<Value> {
        match self.heap.obj(b) {
            Some(Object::Boxed(Value::Undefined)) => None,
            Some(Object::Boxed(v)) => Some(*v),
            _ => Some(b),
        }
    }

    /// Stores `v` in box `b`.
    #[inline]
    fn set_box(&mut self, b: Value, v: Value) {
        if let Some(Object::Boxed(cell)) = self.heap.obj_mut(b) {
            *cell = v;
        }
    }

    /// A new box holding `v` (kept out of [`Vm::run`] to keep its loop small).
    #[inline(never)]
    fn new_box(&mut self, v: Value) -> Value {
        self.heap.alloc(Object::Boxed(v))
    }

    /// A new closure of `proto` capturing `free`.
    #[inline(never)]
    fn new_closure(&mut self, proto: &Rc<Proto>, free: &[Value]) -> Value {
        let c = Closure {
            proto: proto.clone(),
            free: free.into(),
        };
        self.heap.alloc(Object::Closure(c))
    }

    /// The captured values of `closure`.
    fn free_values(&self, closure: Value) -> *const Value {
        match self.heap.obj(closure) {
            Some(Object::Closure(c)) => c.free.as_ptr(),
            _ => unreachable!("a frame runs a closure"),
        }
    }

    pub(crate) fn unbound_error(&self, g: u32, prefix: &str) -> Error {
        let name = self.global_names[g as usize];
        Error::with(
            "unbound-variable",
            format!("{prefix}unbound variable: {name}"),
            vec![],
        )
    }

    fn undefined_error(&self, proto: &Proto) -> Error {
        let who = proto.name.map_or("lambda".to_string(), |n| n.to_string());
        Error::with(
            "unbound-variable",
            format!("{who}: variable used before its definition"),
            vec![],
        )
    }

    /// Runs an inlined primitive's general procedure (other types, errors). The primitives'
    /// procedures are plain natives that do not call back into Scheme.
    #[cold]
    fn prim_slow(&mut self, p: Prim, args_in: &[Value]) -> Result<Value, Error> {
        let mut buf = [Value::Unspecified; 3];
        let args = &mut buf[..args_in.len()];
        args.copy_from_slice(args_in);
        let f = self.builtin(p.name()).expect("primitive procedure");
        match self.heap.obj(f) {
            Some(Object::Native(nat)) => match &nat.f {
                NativeFn::Simple(g) => g(self, args),
                _ => Err(Error::msg("internal: primitive is not simple")),
            },
            _ => Err(Error::msg("internal: primitive missing")),
        }
    }
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
        dst.add(i).write(src.add(i).read());
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

/// An inlined primitive's result when its arguments allow a fast path (fixnums, pairs,
/// vectors); `None` when its general procedure must run.
#[inline(always)]
fn prim_fast(heap: &mut Heap, p: Prim, args: &[Value]) -> Option<Value> {
    use Value::{Bool, Int};
    let divide = |floor| match args {
        &[Int(a), Int(b)] => numeric::fixnum_divide(a, b, floor),
        _ => None,
    };
    Some(match (p, args) {
        (Prim::Add, &[Int(a), Int(b)]) => Int(a.checked_add(b)?),
        (Prim::Sub, &[Int(a), Int(b)]) => Int(a.checked_sub(b)?),
        (Prim::Mul, &[Int(a), Int(b)]) => Int(a.checked_mul(b)?),
        (Prim::Lt, &[Int(a), Int(b)]) => Bool(a < b),
        (Prim::Gt, &[Int(a), Int(b)]) => Bool(a > b),
        (Prim::Le, &[Int(a), Int(b)]) => Bool(a <= b),
        (Prim::Ge, &[Int(a), Int(b)]) => Bool(a >= b),
        (Prim::NumEq, &[Int(a), Int(b)]) => Bool(a == b),
        (Prim::Quotient, _) => Int(divide(false)?.0),
        (Prim::Remainder, _) => Int(divide(false)?.1),
        (Prim::Modulo, _) => Int(divide(true)?.1),
        (Prim::Car, &[x]) => heap.pair(x)?.0,
        (Prim::Cdr, &[x]) => heap.pair(x)?.1,
        (Prim::Cons, &[a, b]) => heap.cons(a, b),
        (Prim::IsNull, &[x]) => Bool(matches!(x, Value::Null)),
        (Prim::IsPair, &[x]) => Bool(heap.pair(x).is_some()),
        (Prim::Not, &[x]) => Bool(matches!(x, Bool(false))),
        (Prim::Eq, &[a, b]) => Bool(a.eq(b)),
        (Prim::Eqv, &[a, b]) => Bool(numeric::eqv(heap, a, b)),
        (Prim::IsZero, &[Int(a)]) => Bool(a == 0),
        (Prim::VectorRef, &[v, Int(i)]) => match heap.obj(v)? {
            Object::Vector(items) => *items.get(usize::try_from(i).ok()?)?,
            _ => return None,
        },
        (Prim::VectorSet, &[v, Int(i), x]) => match heap.obj_mut(v)? {
            Object::Vector(items) => {
                *items.get_mut(usize::try_from(i).ok()?)? = x;
                Value::Unspecified
            }
            _ => return None,
        },
        _ => return None,
    })
}
