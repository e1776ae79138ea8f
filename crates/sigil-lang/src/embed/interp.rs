//! The embedding API: an [`Interpreter`] evaluates source text and files, loads libraries,
//! calls Scheme procedures from Rust and hosts native libraries.

use super::error::{file_error, SchemeError};
use crate::compile::autoload;
use crate::compile::module::{GlobalBinding, Module};
use crate::compile::toplevel::Toplevel;
use crate::natives::{self, NativeDef, PRELUDE};
use crate::natives::{builtins, Registry};
use crate::read::reader;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Span, Syn};
use crate::run::heap::Heap;
use crate::run::printer;
use crate::run::value::{Object, Value};
use crate::run::vm::{Uncaught, Vm};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A Sigil interpreter.
pub struct Interpreter {
    /// The machine (for natives and advanced embedders).
    pub(crate) vm: Vm,
    /// The top-level environment and the prelude's lazily compiled procedures, shared with
    /// the VM (its compiler).
    pub(super) top: Rc<RefCell<Toplevel>>,
    pub(super) core: Module,
    pub(super) libraries: HashMap<String, Module>,
    pub(super) sources: HashMap<String, &'static str>,
    pub(super) search_path: Vec<PathBuf>,
    pub(super) loading: Vec<String>,
}

impl Default for Interpreter {
    fn default() -> Self {
        Self::new()
    }
}

/// Compiles a top-level form in `module` into a procedure of no arguments, with
/// `stack_budget` bytes of Rust stack.
pub(super) fn compile_form(
    vm: &mut Vm,
    form: &Syn,
    module: &mut Module,
    internal: bool,
    stack_budget: usize,
) -> Result<Value, SchemeError> {
    Ok(crate::compile::compile_thunk(
        &mut vm.globals,
        &mut vm.heap,
        module,
        form,
        internal,
        stack_budget,
    )?)
}

impl Interpreter {
    /// A fresh interpreter with the core library loaded.
    pub fn new() -> Interpreter {
        let mut vm = Vm::new();
        let mut core = Module::default();
        {
            let mut reg = Registry {
                vm: &mut vm,
                module: &mut core,
                core: true,
            };
            builtins::register_core(&mut reg);
        }
        for (p, name, _) in crate::run::code::Prim::ALL {
            if let Some(GlobalBinding::Var(slot)) = core.map.get(&Symbol::intern(name)) {
                vm.globals.set_prim(*slot, p);
            }
        }
        let top = Rc::new(RefCell::new(Toplevel::default()));
        vm.compiler = Some(top.clone());
        let mut interp = Interpreter {
            vm,
            top,
            core: Module::default(),
            libraries: HashMap::new(),
            sources: HashMap::new(),
            search_path: Vec::new(),
            loading: Vec::new(),
        };
        // Procedure definitions compile on first use (see `autoload`); the rest runs now,
        // in the prelude environment kept by the autoloader.
        interp.top.borrow_mut().autoload.env = core;
        for (name, src) in PRELUDE {
            let file = Span::register_file(&format!("<prelude>/{name}.sgl"));
            for (line, chunk) in autoload::chunks(src) {
                let mut top = interp.top.borrow_mut();
                if let Some(proc_name) = autoload::procedure_name(chunk) {
                    let globals = &mut interp.vm.globals;
                    top.autoload.add(globals, proc_name, chunk, file, line);
                    continue;
                }
                let forms = reader::read_all_at(chunk, file, line).expect("prelude reads");
                drop(top);
                for f in &forms {
                    let mut top = interp.top.borrow_mut();
                    let budget = top.compile_stack;
                    let env = &mut top.autoload.env;
                    let thunk = compile_form(&mut interp.vm, f, env, true, budget);
                    drop(top);
                    if let Err(e) = thunk.and_then(|t| interp.run_thunk(t)) {
                        panic!("prelude {name} failed: {e}");
                    }
                }
            }
        }
        let mut core = interp.top.borrow().autoload.env.clone();
        core.own.clear();
        core.mirrors = true;
        interp.top.borrow_mut().env = core.clone();
        interp.core = core;
        for (name, register) in natives::LIBRARIES {
            interp.define_native_library(name, register);
        }
        for (name, src) in natives::LIBRARY_SOURCES {
            interp.add_library_source(name, src);
        }
        if let Some(n) = std::env::var("SIGIL_MAX_DEPTH")
            .ok()
            .and_then(|n| n.parse().ok())
        {
            interp.set_max_depth(n);
        }
        if let Ok(p) = std::env::var("SIGIL_PATH") {
            interp
                .search_path
                .extend(std::env::split_paths(&p).filter(|p| !p.as_os_str().is_empty()));
        }
        interp
    }

    // ---- configuration --------------------------------------------------------------

    /// Replaces where standard output goes (tests and embedders capture it this way).
    /// Output is buffered; it is flushed after each evaluation or call, and by
    /// [`Interpreter::flush`].
    pub fn set_output(&mut self, sink: Box<dyn std::io::Write>) {
        self.vm.set_output(sink);
    }

    /// Writes buffered standard output to its destination.
    pub fn flush(&mut self) {
        self.vm.flush();
    }

    /// The interrupt flag: storing `true` in it (from another thread or a signal handler)
    /// stops the running computation at its next procedure call, or within 50 ms while it
    /// sleeps or waits, with an `interrupt` error. The VM clears it when it reacts.
    pub fn interrupt_flag(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.vm.interrupt.clone()
    }

    /// The heap, to read the values the interpreter returns (see [`Heap::str`],
    /// [`Heap::pair`], ...).
    pub fn heap(&self) -> &Heap {
        &self.vm.heap
    }

    /// The value of a datum read with [`reader::read_all`], as `quote` would make it.
    pub fn datum(&mut self, d: &Syn) -> Value {
        crate::run::datum::syntax_to_value(&mut self.vm.heap, d)
    }

    /// Sets how many nested (non-tail) calls may be active before "recursion too deep"
    /// (default 1 000 000; the `SIGIL_MAX_DEPTH` environment variable sets the default).
    pub fn set_max_depth(&mut self, n: usize) {
        self.vm.set_max_depth(n);
    }

    /// Sets how many bytes of Rust stack compiling one form may use (default 640 KiB, safe
    /// on any thread with at least 2 MiB of stack). The expander recurses on the nesting
    /// of the code; beyond this it reports "expression nested too deeply" instead of
    /// overflowing the stack. A program running the interpreter on a thread with a larger
    /// stack can raise it to allow deeper code (the `sigil` command does).
    pub fn set_compile_stack(&mut self, bytes: usize) {
        self.top.borrow_mut().compile_stack = bytes;
    }

    /// Sets what `(command-line)` returns.
    pub fn set_command_line(&mut self, args: Vec<String>) {
        self.vm.command_line = args;
    }

    /// Adds a directory searched for user libraries.
    pub fn add_search_path(&mut self, dir: impl Into<PathBuf>) {
        self.search_path.push(dir.into());
    }

    /// Makes library source text available under a library name such as
    /// `"sigil websocket"`, without touching the file system.
    pub fn add_library_source(&mut self, name: &str, source: &'static str) {
        self.sources.insert(name.to_string(), source);
    }

    /// Defines a native library: `f` registers procedures with the [`Registry`]; Scheme code
    /// then imports it by `name` (for example `"sigil %websocket"` is imported as
    /// `(import (sigil %websocket))`).
    pub fn define_native_library(&mut self, name: &str, f: impl FnOnce(&mut Registry)) {
        let mut module = Module::default();
        {
            let mut reg = Registry {
                vm: &mut self.vm,
                module: &mut module,
                core: false,
            };
            f(&mut reg);
        }
        self.libraries.insert(name.to_string(), module);
    }

    /// Binds a global variable visible to programs and the REPL.
    pub fn define(&mut self, name: &str, v: Value) {
        self.at_top_level(|reg| reg.define(name, v));
    }

    /// Binds each native procedure (written with `#[native]`) at the top level under its
    /// name; [`Registry::add`] does the same in a native library.
    pub fn add(&mut self, natives: &[NativeDef]) {
        self.at_top_level(|reg| reg.add(natives));
    }

    /// Runs `f` with a registry that binds in the top-level environment.
    pub(crate) fn at_top_level(&mut self, f: impl FnOnce(&mut Registry)) {
        let mut reg = Registry {
            vm: &mut self.vm,
            module: &mut self.top.borrow_mut().env,
            core: false,
        };
        f(&mut reg);
    }

    /// The value of a top-level variable (compiling a prelude procedure on first use).
    pub fn global(&mut self, name: &str) -> Option<Value> {
        let binding = self
            .top
            .borrow()
            .env
            .map
            .get(&Symbol::intern(name))
            .cloned();
        match binding? {
            GlobalBinding::Var(slot) => match self.vm.globals.get(slot) {
                Value::Undefined => self.vm.load_global(slot).ok(),
                v => Some(v),
            },
            GlobalBinding::Macro(_) => None,
        }
    }

    /// Names bound at the top level (for completion).
    pub fn global_names(&self) -> Vec<String> {
        let top = self.top.borrow();
        top.env.map.keys().map(|s| s.to_string()).collect()
    }

    // ---- evaluation -----------------------------------------------------------------

    /// Evaluates every form in `src`, returning the last value.
    pub fn eval_str(&mut self, src: &str) -> Result<Value, SchemeError> {
        self.eval_source(src, "<eval>")
    }

    /// Evaluates source text; `name` is used in error positions.
    pub fn eval_source(&mut self, src: &str, name: &str) -> Result<Value, SchemeError> {
        let file = Span::register_file(name);
        let forms = reader::read_all(src, file)?;
        let mut last = Value::Unspecified;
        for f in &forms {
            last = self.eval_toplevel(f)?;
        }
        self.vm.flush();
        Ok(last)
    }

    /// Runs a script file. Its directory is searched for user libraries.
    pub fn eval_file(&mut self, path: &Path) -> Result<Value, SchemeError> {
        let src = std::fs::read_to_string(path)
            .map_err(|e| file_error(format!("cannot read {}: {e}", path.display())))?;
        if let Some(dir) = path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            self.search_path.insert(0, dir.to_path_buf());
        }
        self.eval_source(&src, &path.display().to_string())
    }

    /// Evaluates one top-level datum (handles `import` and `define-library`).
    pub fn eval_toplevel(&mut self, form: &Syn) -> Result<Value, SchemeError> {
        if let Some(items) = form.as_list() {
            match items.first().and_then(Syn::as_sym).map(Symbol::strip) {
                Some(s) if s.is("import") => {
                    let bindings = self.import_sets(&items[1..])?;
                    let globals = &mut self.vm.globals;
                    self.top.borrow_mut().env.import(globals, bindings);
                    return Ok(Value::Unspecified);
                }
                Some(s) if s.is("define-library") => {
                    self.define_library(form)?;
                    return Ok(Value::Unspecified);
                }
                _ => {}
            }
        }
        let budget = self.top.borrow().compile_stack;
        let compiled = compile_form(
            &mut self.vm,
            form,
            &mut self.top.borrow_mut().env,
            false,
            budget,
        );
        self.run_thunk(compiled?)
    }

    /// Calls a Scheme procedure with arguments.
    pub fn call(&mut self, f: Value, args: &[Value]) -> Result<Value, SchemeError> {
        let r = self.vm.apply(f, args).map_err(|u| self.uncaught_error(u));
        self.vm.flush();
        r
    }

    /// Calls the top-level procedure named `name`.
    pub fn call_global(&mut self, name: &str, args: &[Value]) -> Result<Value, SchemeError> {
        let f = self.global(name).ok_or_else(|| SchemeError {
            kind: "unbound-variable".into(),
            message: format!("unbound variable: {name}"),
            span: None,
            trace: vec![],
        })?;
        self.call(f, args)
    }

    /// `display` form of a value.
    pub fn display(&self, v: Value) -> String {
        printer::display(&self.vm.heap, v)
    }

    /// `write` form of a value.
    pub fn write(&self, v: Value) -> String {
        printer::write(&self.vm.heap, v)
    }

    pub(super) fn run_form(
        &mut self,
        form: &Syn,
        module: &mut Module,
        internal: bool,
    ) -> Result<Value, SchemeError> {
        let budget = self.top.borrow().compile_stack;
        let thunk = compile_form(&mut self.vm, form, module, internal, budget)?;
        self.run_thunk(thunk)
    }

    fn run_thunk(&mut self, thunk: Value) -> Result<Value, SchemeError> {
        self.vm
            .apply(thunk, &[])
            .map_err(|u| self.uncaught_error(u))
    }

    fn uncaught_error(&mut self, u: Uncaught) -> SchemeError {
        self.vm.flush();
        let heap = &self.vm.heap;
        let (kind, message, span) = match heap.obj(u.value) {
            Some(Object::Condition(c)) => {
                let mut m = c.message.clone();
                for i in &c.irritants {
                    m.push(' ');
                    m.push_str(&printer::write(heap, *i));
                }
                let span = if c.span.is_known() { c.span } else { u.span };
                (c.kind.to_string(), m, span)
            }
            _ => (
                "raise".to_string(),
                format!("uncaught exception: {}", printer::write(heap, u.value)),
                u.span,
            ),
        };
        let message = match message.strip_prefix("unbound variable: ") {
            Some(name) if kind == "unbound-variable" => {
                let hint = self.import_hint(Symbol::intern(name));
                message + &hint
            }
            _ => message,
        };
        SchemeError {
            kind,
            message,
            span: Some(span).filter(Span::is_known),
            trace: u
                .trace
                .iter()
                .map(|(name, s)| {
                    if s.is_known() {
                        format!("{name} ({s})")
                    } else {
                        name.clone()
                    }
                })
                .collect(),
        }
    }
}
