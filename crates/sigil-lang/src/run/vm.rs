//! The virtual machine: runs compiled code on an explicit stack of frames, so Scheme calls
//! never recurse on the Rust stack. Tail calls reuse the caller's frame; continuations copy
//! the stack; natives may ask to park the computation until a file descriptor or timer is
//! ready.
//!
//! This file holds the machine's state and its configuration; the dispatch loop, calls,
//! fibers, primitives and collection roots have files of their own in this folder.

use crate::read::source_files::SourceFiles;
use crate::read::syntax::{Span, Syn};
use crate::run::call::Frame;
use crate::run::fiber::ParkedCall;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::rc::Rc;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

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

/// What the VM asks of the compiler while a program runs. The interpreter installs it
/// (`compile::toplevel`); the VM knows nothing else of the compiler.
pub(crate) trait Compiler {
    /// The value of global `slot`, read while unbound: a procedure compiled now, or
    /// `None` when the slot stands for nothing to load.
    fn load_global(&mut self, slot: u32, globals: &mut Globals, heap: &mut Heap)
        -> Option<NResult>;
}

/// What the VM asks of the library system while a program runs: the top-level forms that
/// `eval` and `load` run (`import` and `define-library` among them) and the environments
/// `environment` makes. The interpreter installs it (`embed::library`).
pub(crate) trait Linker {
    /// Prepares top-level `form` to run in environment `env` (an environment object, or
    /// the unspecified value for the program's top level): an `import` or
    /// `define-library` form is carried out now (`None`); any other form is compiled into
    /// a procedure of no arguments that runs it.
    fn toplevel(&self, vm: &mut Vm, form: &Syn, env: Value) -> NResult<Option<Value>>;

    /// A new environment object holding the bindings that the import sets `sets` bring in.
    fn environment(&self, vm: &mut Vm, sets: &[Syn]) -> NResult;
}

/// The machine.
pub(crate) struct Vm {
    /// The object heap.
    pub(crate) heap: Heap,
    /// Global variables.
    pub(crate) globals: Globals,
    /// The names of the files the spans of this machine's code refer to.
    pub(crate) files: SourceFiles,
    /// The compiler, for globals read while unbound.
    pub(crate) compiler: Option<Rc<RefCell<dyn Compiler>>>,
    /// The library system, for code compiled at run time.
    pub(crate) linker: Option<Rc<dyn Linker>>,
    /// The value stack.
    pub(crate) stack: Vec<Value>,
    /// The frame stack.
    pub(crate) frames: Vec<Frame>,
    /// Current exception handlers (a list, innermost first).
    pub(crate) handlers: Value,
    /// Current `dynamic-wind` entries (a list of (before . after)).
    pub(crate) winders: Value,
    /// The Scheme `raise` procedure, used to signal errors from natives.
    pub(crate) raise_proc: Value,
    /// The Scheme procedure that runs the `dynamic-wind` thunks on the way to a
    /// continuation invoked outside its dynamic extent, then invokes it (`#f` until the
    /// prelude sets it).
    pub(crate) rewind_proc: Value,
    /// Maximum frame depth before "recursion too deep".
    pub(crate) max_depth: usize,
    pub(crate) depth_limit: usize,
    /// Set (from a signal handler, say) to interrupt the running computation.
    pub(crate) interrupt: Arc<AtomicBool>,
    /// Set while a running scheduler has tasks to start on an interrupt
    /// (`%on-interrupt`): the scheduler takes the interrupt then, not the running code.
    pub(crate) interrupt_wanted: Arc<AtomicBool>,
    pub(crate) ticks: u32,
    /// Buffered standard output.
    pub(crate) out: Vec<u8>,
    pub(crate) sink: Box<dyn Write>,
    /// Extra GC roots held for Rust code.
    pub(crate) roots: Vec<Value>,
    /// Command-line arguments seen by `(command-line)`.
    pub(crate) command_line: Vec<String>,
    /// Where the last uncaught error happened.
    pub(crate) last_uncaught: Option<Uncaught>,
    /// Host data for native libraries, keyed by type.
    pub(crate) host: HashMap<std::any::TypeId, Box<dyn std::any::Any>>,
    /// Set while a scheduler runs a task: parking natives then suspend the task instead of
    /// blocking the thread.
    pub(crate) suspendable: bool,
    pub(crate) parked: Option<ParkedCall>,
    /// The frames and stack length the running computation may not go below: those of
    /// the Rust code that called [`Vm::apply`], which it relies on. `(0, 0)` at the top.
    pub(crate) floor: (usize, usize),
    /// Hook for the scheduler's own GC roots (other tasks' fibers, channel contents).
    pub(crate) extra_roots: Option<fn(&Vm, &mut Vec<Value>)>,
    pub(crate) argbuf: Vec<Value>,
}

const DEFAULT_MAX_DEPTH: usize = 1_000_000;

/// Frames the depth limit does not count: the frame of the top-level form being run.
pub(crate) const TOPLEVEL_FRAMES: usize = 1;

impl Default for Vm {
    fn default() -> Self {
        Self::new()
    }
}

impl Vm {
    /// A machine with an empty global table.
    pub fn new() -> Vm {
        Vm {
            heap: Heap::new(),
            globals: Globals::default(),
            files: SourceFiles::default(),
            compiler: None,
            linker: None,
            stack: Vec::with_capacity(1024),
            frames: Vec::with_capacity(256),
            handlers: Value::Null,
            winders: Value::Null,
            raise_proc: Value::Bool(false),
            rewind_proc: Value::Bool(false),
            max_depth: DEFAULT_MAX_DEPTH,
            depth_limit: DEFAULT_MAX_DEPTH + TOPLEVEL_FRAMES,
            interrupt: Arc::new(AtomicBool::new(false)),
            interrupt_wanted: Arc::new(AtomicBool::new(false)),
            ticks: 0,
            out: Vec::with_capacity(8192),
            sink: Box::new(std::io::stdout()),
            roots: Vec::new(),
            command_line: Vec::new(),
            last_uncaught: None,
            host: HashMap::new(),
            suspendable: false,
            parked: None,
            floor: (0, 0),
            extra_roots: None,
            argbuf: Vec::new(),
        }
    }

    /// Sets how many nested (non-tail) calls may be active before a call raises
    /// "recursion too deep".
    pub fn set_max_depth(&mut self, n: usize) {
        self.max_depth = n;
        self.depth_limit = n + TOPLEVEL_FRAMES;
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

    /// The value for a read of global `g` that found it unbound: the value of the slot it
    /// mirrors, what the compiler loads for it (a prelude procedure), or the "unbound
    /// variable" error.
    #[cold]
    #[inline(never)]
    pub(crate) fn load_global(&mut self, g: u32) -> NResult {
        if let Some(source) = self.globals.source(g) {
            let v = match self.globals.get(source) {
                Value::Undefined => self.load_global(source)?,
                v => v,
            };
            self.globals.set(g, v);
            return Ok(v);
        }
        let compiler = self.compiler.clone();
        let loaded = compiler.and_then(|c| {
            let mut c = c.try_borrow_mut().ok()?;
            c.load_global(g, &mut self.globals, &mut self.heap)
        });
        match loaded {
            Some(v) => {
                let v = v?;
                self.globals.set(g, v);
                Ok(v)
            }
            None => Err(self.unbound_error(g, "")),
        }
    }

    /// Puts the value of global `g` below the top `n` values of the stack (the callee of
    /// a call whose arguments are pushed already: see [`Op::GlobalUnder`]).
    ///
    /// [`Op::GlobalUnder`]: crate::run::code::Op::GlobalUnder
    #[cold]
    #[inline(never)]
    pub(crate) fn global_under(&mut self, g: u32, n: usize) -> NResult<()> {
        let v = match self.globals.get(g) {
            Value::Undefined => self.load_global(g)?,
            v => v,
        };
        let at = self.stack.len() - n;
        self.stack.insert(at, v);
        Ok(())
    }

    /// Prepares top-level `form` to run in environment `env` (see [`Linker::toplevel`]).
    pub(crate) fn toplevel_form(&mut self, form: &Syn, env: Value) -> NResult<Option<Value>> {
        self.linker()?.toplevel(self, form, env)
    }

    /// A new environment of the bindings import sets `sets` bring in (see
    /// [`Linker::environment`]).
    pub(crate) fn environment(&mut self, sets: &[Syn]) -> NResult {
        self.linker()?.environment(self, sets)
    }

    fn linker(&self) -> NResult<Rc<dyn Linker>> {
        self.linker
            .clone()
            .ok_or_else(|| Error::msg("internal: no library system installed"))
    }

    /// Makes a condition object from an error.
    pub fn make_condition(&mut self, e: Error, span: Span) -> Value {
        match e.into_condition() {
            Err(v) => v,
            Ok(c) => self
                .heap
                .alloc(Object::Condition(Box::new(Condition { span, ..c }))),
        }
    }
}
