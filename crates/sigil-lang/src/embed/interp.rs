//! The embedding API: an [`Interpreter`] evaluates source text and files, loads libraries,
//! calls Scheme procedures from Rust and hosts native libraries.

use crate::compile::autoload;
use crate::compile::expand::CompileError;
use crate::compile::module::{GlobalBinding, Module};
use crate::compile::toplevel::Toplevel;
use crate::natives::builtins::{self, Registry};
use crate::read::reader::{self, ReadError};
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::printer;
use crate::run::value::{Object, Value};
use crate::run::vm::{Uncaught, Vm};
use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// A Scheme error returned to Rust: what went wrong, where, and the Scheme frames.
#[derive(Clone, Debug)]
pub struct SchemeError {
    /// Category: `error`, `type-error`, `arity-error`, `unbound-variable`, `syntax-error`,
    /// `read-error`, `file-error`, `raise` (a non-condition was raised), ...
    pub kind: String,
    /// The message with its irritants.
    pub message: String,
    /// Source position, when known.
    pub span: Option<Span>,
    /// Innermost Scheme frames, formatted `name (file:line:col)`.
    pub trace: Vec<String>,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(s) => write!(f, "{s}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for SchemeError {}

impl From<ReadError> for SchemeError {
    fn from(e: ReadError) -> Self {
        SchemeError {
            kind: "read-error".into(),
            message: format!("read error: {}", e.message),
            span: Some(e.span).filter(Span::is_known),
            trace: vec![],
        }
    }
}

impl From<CompileError> for SchemeError {
    fn from(e: CompileError) -> Self {
        SchemeError {
            kind: "syntax-error".into(),
            message: e.message,
            span: Some(e.span).filter(Span::is_known),
            trace: vec![],
        }
    }
}

fn file_error(message: String) -> SchemeError {
    SchemeError {
        kind: "file-error".into(),
        message,
        span: None,
        trace: vec![],
    }
}

/// Library code written in Sigil, loaded into the core module at start-up, in order.
pub(crate) const PRELUDE: &[(&str, &str)] = &[
    ("core", include_str!("../natives/prelude/core.sgl")),
    ("lists", include_str!("../natives/prelude/lists.sgl")),
    (
        "collections",
        include_str!("../natives/prelude/collections.sgl"),
    ),
];

/// `(sigil async)`, part of the language (its natives are in [`crate::natives::scheduler`]).
const ASYNC_LIBRARY: &str = include_str!("../../../../stdlib/sigil/async.sgl");

/// A Sigil interpreter.
pub struct Interpreter {
    /// The machine (for natives and advanced embedders).
    pub vm: Vm,
    /// The top-level environment and the prelude's lazily compiled procedures, shared with
    /// the VM (its compiler).
    top: Rc<RefCell<Toplevel>>,
    core: Module,
    libraries: HashMap<String, Module>,
    sources: HashMap<String, &'static str>,
    search_path: Vec<PathBuf>,
    loading: Vec<String>,
}

impl Default for Interpreter {
    fn default() -> Self {
        Self::new()
    }
}

/// The key of a library name: `(sigil websocket)` → `"sigil websocket"`.
fn library_key(name: &Syn) -> Option<String> {
    let parts = name.as_list()?;
    let words: Option<Vec<String>> = parts
        .iter()
        .map(|p| match &p.e {
            Sexp::Sym(s) => Some(s.strip().to_string()),
            Sexp::Int(i) => Some(i.to_string()),
            _ => None,
        })
        .collect();
    words.map(|w| w.join(" "))
}

/// Compiles a top-level form in `module` into a procedure of no arguments.
fn compile_form(
    vm: &mut Vm,
    form: &Syn,
    module: &mut Module,
    internal: bool,
) -> Result<Value, SchemeError> {
    Ok(crate::compile::compile_thunk(
        &mut vm.globals,
        &mut vm.heap,
        module,
        form,
        internal,
    )?)
}

/// Adds imported bindings to `module` (they replace its own definitions of those names).
fn import_into(module: &mut Module, bindings: Vec<(Symbol, GlobalBinding)>) {
    for (name, b) in bindings {
        module.map.insert(name, b);
        module.own.remove(&name);
    }
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
        for (p, name, _) in crate::compile::code::Prim::ALL {
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
                    let thunk = compile_form(&mut interp.vm, f, &mut top.autoload.env, true);
                    drop(top);
                    if let Err(e) = thunk.and_then(|t| interp.run_thunk(t)) {
                        panic!("prelude {name} failed: {e}");
                    }
                }
            }
        }
        let mut core = interp.top.borrow().autoload.env.clone();
        core.own.clear();
        interp.top.borrow_mut().env = core.clone();
        interp.core = core;
        interp.define_native_library("sigil %async", crate::natives::scheduler::register);
        interp.add_library_source("sigil async", ASYNC_LIBRARY);
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
        let mut reg = Registry {
            vm: &mut self.vm,
            module: &mut self.top.borrow_mut().env,
            core: false,
        };
        reg.define(name, v);
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
                    import_into(&mut self.top.borrow_mut().env, bindings);
                    return Ok(Value::Unspecified);
                }
                Some(s) if s.is("define-library") => {
                    self.define_library(form)?;
                    return Ok(Value::Unspecified);
                }
                _ => {}
            }
        }
        let compiled = compile_form(&mut self.vm, form, &mut self.top.borrow_mut().env, false);
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

    fn run_form(
        &mut self,
        form: &Syn,
        module: &mut Module,
        internal: bool,
    ) -> Result<Value, SchemeError> {
        let thunk = compile_form(&mut self.vm, form, module, internal)?;
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

    // ---- libraries ------------------------------------------------------------------

    /// The bindings a list of import sets brings in.
    fn import_sets(&mut self, specs: &[Syn]) -> Result<Vec<(Symbol, GlobalBinding)>, SchemeError> {
        let mut all = Vec::new();
        for spec in specs {
            all.extend(self.import_set(spec)?);
        }
        Ok(all)
    }

    fn syntax_error(span: Span, message: String) -> SchemeError {
        SchemeError {
            kind: "syntax-error".into(),
            message,
            span: Some(span).filter(Span::is_known),
            trace: vec![],
        }
    }

    /// Resolves an import set to the bindings it brings in.
    fn import_set(&mut self, spec: &Syn) -> Result<Vec<(Symbol, GlobalBinding)>, SchemeError> {
        let bad = || Self::syntax_error(spec.span, format!("import: bad import set {spec}"));
        let items = spec.as_list().ok_or_else(bad)?;
        let head = items.first().and_then(Syn::as_sym).map(Symbol::strip);
        let names = |xs: &[Syn]| -> Result<Vec<Symbol>, SchemeError> {
            xs.iter()
                .map(|x| x.as_sym().map(Symbol::strip).ok_or_else(bad))
                .collect()
        };
        match head.map(|h| h.to_string()).as_deref() {
            Some("only") if items.len() >= 2 => {
                let inner = self.import_set(&items[1])?;
                let keep = names(&items[2..])?;
                Ok(inner
                    .into_iter()
                    .filter(|(n, _)| keep.contains(n))
                    .collect())
            }
            Some("except") if items.len() >= 2 => {
                let inner = self.import_set(&items[1])?;
                let drop = names(&items[2..])?;
                Ok(inner
                    .into_iter()
                    .filter(|(n, _)| !drop.contains(n))
                    .collect())
            }
            Some("prefix") if items.len() == 3 => {
                let inner = self.import_set(&items[1])?;
                let p = items[2].as_sym().ok_or_else(bad)?;
                Ok(inner
                    .into_iter()
                    .map(|(n, b)| (Symbol::intern(&format!("{p}{n}")), b))
                    .collect())
            }
            Some("rename") if items.len() >= 2 => {
                let mut inner = self.import_set(&items[1])?;
                for r in &items[2..] {
                    let pair = r.as_list().ok_or_else(bad)?;
                    let [from, to] = names(pair)?[..] else {
                        return Err(bad());
                    };
                    for (n, _) in inner.iter_mut() {
                        if *n == from {
                            *n = to;
                        }
                    }
                }
                Ok(inner)
            }
            _ => {
                let key = library_key(spec).ok_or_else(bad)?;
                let module = self.load_library(&key, spec.span)?;
                Ok(module.map.iter().map(|(k, v)| (*k, v.clone())).collect())
            }
        }
    }

    fn load_library(&mut self, key: &str, span: Span) -> Result<Module, SchemeError> {
        if let Some(m) = self.libraries.get(key) {
            return Ok(m.clone());
        }
        if key.starts_with("scheme ") || key.starts_with("srfi ") {
            // R7RS standard libraries: their procedures are built in.
            return Ok(Module::default());
        }
        if self.loading.iter().any(|k| k == key) {
            return Err(Self::syntax_error(
                span,
                format!("import: library ({key}) imports itself"),
            ));
        }
        let rel: PathBuf = key.split(' ').collect::<PathBuf>().with_extension("sgl");
        let (src, name): (String, String) = if let Some(s) = self.sources.get(key) {
            (s.to_string(), format!("<stdlib>/{}", rel.display()))
        } else {
            let found = self
                .search_path
                .iter()
                .map(|d| d.join(&rel))
                .find(|p| p.is_file());
            match found {
                Some(p) => (
                    std::fs::read_to_string(&p)
                        .map_err(|e| file_error(format!("cannot read {}: {e}", p.display())))?,
                    p.display().to_string(),
                ),
                None => {
                    return Err(Self::syntax_error(
                        span,
                        format!(
                            "import: library ({key}) not found (looked for {})",
                            rel.display()
                        ),
                    ))
                }
            }
        };
        let internal = name.starts_with("<stdlib>");
        self.loading.push(key.to_string());
        let r = self.load_library_source(key, &src, &name, internal);
        self.loading.pop();
        r?;
        self.libraries.get(key).cloned().ok_or_else(|| {
            Self::syntax_error(
                span,
                format!("import: {name} does not define library ({key})"),
            )
        })
    }

    fn load_library_source(
        &mut self,
        key: &str,
        src: &str,
        name: &str,
        internal: bool,
    ) -> Result<(), SchemeError> {
        let file = Span::register_file(name);
        for form in reader::read_all(src, file)? {
            let is_lib = form
                .as_list()
                .and_then(|l| l.first())
                .and_then(Syn::as_sym)
                .is_some_and(|s| s.strip().is("define-library"));
            if is_lib {
                self.define_library_with(&form, internal)?;
            } else {
                return Err(Self::syntax_error(
                    form.span,
                    format!("library file for ({key}) may only contain define-library forms"),
                ));
            }
        }
        Ok(())
    }

    fn define_library(&mut self, form: &Syn) -> Result<(), SchemeError> {
        self.define_library_with(form, false)
    }

    fn define_library_with(&mut self, form: &Syn, internal: bool) -> Result<(), SchemeError> {
        let items = form.as_list().unwrap_or(&[]);
        let key = items.get(1).and_then(library_key).ok_or_else(|| {
            Self::syntax_error(form.span, "define-library: bad library name".into())
        })?;
        let mut module = self.core.clone();
        let mut exports: Vec<(Symbol, Symbol)> = Vec::new();
        for decl in &items[2..] {
            let parts = decl.as_list().filter(|p| !p.is_empty()).ok_or_else(|| {
                Self::syntax_error(decl.span, format!("define-library: bad declaration {decl}"))
            })?;
            let head = parts[0].as_sym().map(Symbol::strip).map(|s| s.to_string());
            match head.as_deref() {
                Some("export") => {
                    for e in &parts[1..] {
                        match (&e.e, e.as_list()) {
                            (Sexp::Sym(s), _) => exports.push((s.strip(), s.strip())),
                            (_, Some([r, from, to]))
                                if r.as_sym().is_some_and(|s| s.is("rename")) =>
                            {
                                match (from.as_sym(), to.as_sym()) {
                                    (Some(f), Some(t)) => exports.push((f.strip(), t.strip())),
                                    _ => {
                                        return Err(Self::syntax_error(
                                            e.span,
                                            "export: bad rename".into(),
                                        ))
                                    }
                                }
                            }
                            _ => {
                                return Err(Self::syntax_error(
                                    e.span,
                                    format!("export: bad spec {e}"),
                                ))
                            }
                        }
                    }
                }
                Some("import") => import_into(&mut module, self.import_sets(&parts[1..])?),
                Some("begin") => {
                    for f in &parts[1..] {
                        self.run_form(f, &mut module, internal)?;
                    }
                }
                Some("include") => {
                    for f in &parts[1..] {
                        let Sexp::Str(path) = &f.e else {
                            return Err(Self::syntax_error(
                                f.span,
                                "include: expected a file name".into(),
                            ));
                        };
                        let base = Path::new(&*f.span.file_name())
                            .parent()
                            .map(Path::to_path_buf)
                            .unwrap_or_default();
                        let p = base.join(&**path);
                        let src = std::fs::read_to_string(&p).map_err(|e| {
                            file_error(format!("include: cannot read {}: {e}", p.display()))
                        })?;
                        let file = Span::register_file(&p.display().to_string());
                        for form in reader::read_all(&src, file)? {
                            self.run_form(&form, &mut module, internal)?;
                        }
                    }
                }
                _ => {
                    return Err(Self::syntax_error(
                        decl.span,
                        format!("define-library: unknown declaration {decl}"),
                    ))
                }
            }
        }
        crate::compile::module::register_library_env(&module);
        let mut out = Module::default();
        for (inner, outer) in exports {
            match module.map.get(&inner) {
                Some(b) => {
                    out.map.insert(outer, b.clone());
                }
                None => {
                    return Err(Self::syntax_error(
                        form.span,
                        format!("define-library ({key}): exported name {inner} is not defined"),
                    ))
                }
            }
        }
        self.libraries.insert(key, out);
        Ok(())
    }
}
