//! The embedding API: an [`Interpreter`] evaluates source text and files, loads libraries,
//! calls Scheme procedures from Rust and hosts native libraries.

use super::error::{self, file_error, SchemeError};
use super::library::{Libraries, LinkError};
use crate::compile::autoload;
use crate::compile::library_envs::LibraryEnvs;
use crate::compile::module::{GlobalBinding, Module};
use crate::compile::toplevel::Toplevel;
use crate::natives::scheduler::TaskErrorReport;
use crate::natives::{self, NativeDef, PRELUDE};
use crate::natives::{builtins, Registry};
use crate::read::reader::{self, ReadError};
use crate::read::source_files::Location;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Span, Syn};
use crate::run::heap::Heap;
use crate::run::printer;
use crate::run::value::Value;
use crate::run::vm::{Uncaught, Vm};
use std::any::TypeId;
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A Sigil interpreter.
pub struct Interpreter {
    /// The machine (for natives and advanced embedders).
    pub(crate) vm: Vm,
    /// The top-level environment and the prelude's lazily compiled procedures, shared with
    /// the VM (its compiler).
    pub(super) top: Rc<RefCell<Toplevel>>,
    /// The library system, shared with the VM (for `eval` and `load`).
    pub(super) libs: Rc<Libraries>,
}

impl Default for Interpreter {
    fn default() -> Self {
        Self::new()
    }
}

/// Compiles a top-level form in `module` into a procedure of no arguments.
pub(super) fn compile_form(
    vm: &mut Vm,
    form: &Syn,
    module: &mut Module,
    libraries: &LibraryEnvs,
    internal: bool,
) -> Result<Value, SchemeError> {
    let globals = &mut vm.globals;
    crate::compile::compile_thunk(globals, &mut vm.heap, module, libraries, form, internal)
        .map_err(|e| SchemeError::compile(e, &vm.files))
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
        let libs = Rc::new(Libraries::new(top.clone(), Module::default(), 0));
        let mut interp = Interpreter { vm, top, libs };
        // Procedure definitions compile on first use (see `autoload`); the rest runs now,
        // in the prelude environment kept by the autoloader.
        interp.top.borrow_mut().autoload.env = core;
        for (name, src) in PRELUDE {
            let file = interp.vm.files.register(&format!("<prelude>/{name}.sgl"));
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
                    let thunk = {
                        let mut top = interp.top.borrow_mut();
                        let top = &mut *top;
                        let env = &mut top.autoload.env;
                        compile_form(&mut interp.vm, f, env, &top.libraries, true)
                    };
                    if let Err(e) = thunk.and_then(|t| interp.run_thunk(t)) {
                        panic!("prelude {name} failed: {e}");
                    }
                }
            }
        }
        // The prelude's macros resolve their free names in the prelude, wherever they
        // are used (an environment of `(scheme base)` alone has no `guard-aux`).
        let (mut core, prelude_env) = {
            let mut top = interp.top.borrow_mut();
            let top = &mut *top;
            let id = top.libraries.register(&top.autoload.env);
            (top.autoload.env.clone(), id)
        };
        core.own.clear();
        core.mirrors = true;
        interp.top.borrow_mut().env = core.clone();
        interp.libs = Rc::new(Libraries::new(interp.top.clone(), core, prelude_env));
        interp.vm.linker = Some(interp.libs.clone());
        for (name, register) in natives::LIBRARIES {
            interp.define_native_library(name, register);
        }
        for (name, src) in natives::LIBRARY_SOURCES {
            interp.add_library_source(name, src);
        }
        interp.on_task_error(|id, e| eprintln!("error in task {id}: {e}"));
        if let Some(n) = std::env::var("SIGIL_MAX_DEPTH")
            .ok()
            .and_then(|n| n.parse().ok())
        {
            interp.set_max_depth(n);
        }
        if let Ok(p) = std::env::var("SIGIL_PATH") {
            for dir in std::env::split_paths(&p).filter(|p| !p.as_os_str().is_empty()) {
                interp.add_search_path(dir);
            }
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

    /// Sets how the error of a `(sigil async)` task that nobody will see otherwise is
    /// reported: a task started with `spawn-detached`, when it ends; one that nobody
    /// awaited, when `async-run` returns. `report` gets the task's number and its error
    /// (kind, message, location and frames), after the program's output so far is
    /// flushed. By default the error is printed on standard error as
    /// `error in task N: FILE:LINE:COL: message`.
    pub fn on_task_error(&mut self, report: impl Fn(u32, &SchemeError) + 'static) {
        let report = TaskErrorReport(Box::new(move |vm, id, u| {
            report(id, &SchemeError::uncaught(vm, u))
        }));
        self.vm
            .host
            .insert(TypeId::of::<TaskErrorReport>(), Box::new(report));
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

    /// Set while the running program handles an interrupt itself: a `(sigil async)`
    /// scheduler then starts the tasks the program registered for it instead of
    /// stopping (`ws-serve` registers one, to stop gracefully on Ctrl-C). A signal
    /// handler whose default is to end the program sets the interrupt flag instead
    /// while this is `true`.
    pub fn interrupt_wanted(&self) -> std::sync::Arc<std::sync::atomic::AtomicBool> {
        self.vm.interrupt_wanted.clone()
    }

    /// The heap, to read the values the interpreter returns (see [`Heap::str`],
    /// [`Heap::pair`], ...).
    pub fn heap(&self) -> &Heap {
        &self.vm.heap
    }

    /// The file index spans use for file `name` in this interpreter: what to give
    /// [`reader::read_all`] for data to evaluate with [`Interpreter::eval_toplevel`], so
    /// that their errors name the file.
    pub fn source_file(&mut self, name: &str) -> u32 {
        self.vm.files.register(name)
    }

    /// Reads every datum of `src`, text named `name` in positions, as one input of an
    /// interactive session: `fold_case` says whether `#!fold-case` is in force at the
    /// start and is left as the text sets it, so that a directive lasts into the next
    /// input (until `#!no-fold-case`), as in Chibi's REPL.
    pub fn read_input(
        &mut self,
        src: &str,
        name: &str,
        fold_case: &mut bool,
    ) -> Result<Vec<Syn>, SchemeError> {
        let file = self.source_file(name);
        let mut reader = reader::Reader::new(src, file, 1);
        reader.set_fold_case(*fold_case);
        let mut forms = Vec::new();
        while let Some(form) = reader.read().map_err(|e| self.read_error(e))? {
            forms.push(form);
        }
        *fold_case = reader.fold_case();
        Ok(forms)
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

    /// Sets what `(command-line)` returns.
    pub fn set_command_line(&mut self, args: Vec<String>) {
        self.vm.command_line = args;
    }

    /// Adds a directory searched for user libraries.
    pub fn add_search_path(&mut self, dir: impl Into<PathBuf>) {
        self.libs.add_search_path(dir.into(), false);
    }

    /// Makes library source text available under a library name such as
    /// `"sigil websocket"`, without touching the file system.
    pub fn add_library_source(&mut self, name: &str, source: &'static str) {
        self.libs.add_source(name, source);
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
        self.libs.add_library(name, module);
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

    /// Evaluates source text form by form, as it reads it: a form runs before the next is
    /// read, so a syntax error stops the program where it is, after what came before ran
    /// (as in Guile and Python). `name` is used in error positions.
    pub fn eval_source(&mut self, src: &str, name: &str) -> Result<Value, SchemeError> {
        let file = self.vm.files.register(name);
        let mut reader = reader::Reader::script(src, file, 1);
        let mut last = Value::Unspecified;
        let r = loop {
            match reader.read() {
                Ok(Some(form)) => match self.eval_toplevel(&form) {
                    Ok(v) => last = v,
                    Err(e) => break Err(e),
                },
                Ok(None) => break Ok(last),
                Err(e) => break Err(self.read_error(e)),
            }
        };
        self.vm.flush();
        r
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
            self.libs.add_search_path(dir.to_path_buf(), true);
        }
        self.eval_source(&src, &path.display().to_string())
    }

    /// Evaluates one top-level datum (handles `import` and `define-library`).
    pub fn eval_toplevel(&mut self, form: &Syn) -> Result<Value, SchemeError> {
        let libs = self.libs.clone();
        match libs.program_form(&mut self.vm, form) {
            Ok(Some(thunk)) => self.run_thunk(thunk),
            Ok(None) => Ok(Value::Unspecified),
            Err(LinkError::Scheme(e)) => Err(e),
            Err(LinkError::Raised(u)) => Err(self.uncaught_error(u)),
        }
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
            location: None,
            trace: vec![],
            exit: None,
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

    /// Where `span` of this interpreter's source points, when it is known.
    pub fn locate(&self, span: Span) -> Option<Location> {
        error::locate(span, &self.vm.files)
    }

    /// The error for text that does not read, with its file named.
    pub fn read_error(&self, e: ReadError) -> SchemeError {
        SchemeError::read(e, &self.vm.files)
    }

    fn run_thunk(&mut self, thunk: Value) -> Result<Value, SchemeError> {
        self.vm
            .apply(thunk, &[])
            .map_err(|u| self.uncaught_error(u))
    }

    fn uncaught_error(&mut self, u: Uncaught) -> SchemeError {
        self.vm.flush();
        if let Some(code) = self.vm.exit_code(u.value) {
            return SchemeError {
                kind: "exit".into(),
                message: format!("exit with status {code}"),
                location: None,
                trace: vec![],
                exit: Some(code),
            };
        }
        let mut e = SchemeError::uncaught(&self.vm, &u);
        if e.kind == "unbound-variable" {
            if let Some(name) = e.message.strip_prefix("unbound variable: ") {
                let libs = self.libs.clone();
                let hint = libs.import_hint(&mut self.vm, Symbol::intern(name));
                e.message.push_str(&hint);
            }
        }
        e
    }
}
