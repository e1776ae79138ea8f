//! The library system: `import` sets (`only`, `except`, `prefix`, `rename`),
//! `define-library`, finding a library among the standard libraries, the native
//! libraries, the library sources given to the interpreter and the files on the search
//! path, and the first-class environments of `eval`. [`Libraries`] is shared by the
//! interpreter and its VM (as the VM's [`Linker`]), so that code run by `eval` and `load`
//! imports and defines libraries as a program does.

use super::error::{file_error, locate, syntax_error, SchemeError};
use super::interp::compile_form;
use super::standard_libraries;
use crate::compile::expand::{feature_holds, is_special_form};
use crate::compile::module::{GlobalBinding, Module};
use crate::compile::toplevel::{Environment, Toplevel};
use crate::read::reader;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::value::{Error, NResult, Object, Value};
use crate::run::vm::{Linker, Uncaught, Vm};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// Why an `import` or `define-library` failed: an error of its own, or an error raised by
/// the code of a library it loaded.
pub(crate) enum LinkError {
    /// A syntax, file or read error with its position.
    Scheme(SchemeError),
    /// A condition a library body raised and did not handle.
    Raised(Uncaught),
}

impl From<SchemeError> for LinkError {
    fn from(e: SchemeError) -> Self {
        LinkError::Scheme(e)
    }
}

impl LinkError {
    /// The error a native raises for it: the same condition for a raised one.
    fn into_error(self) -> Error {
        match self {
            LinkError::Scheme(e) => Error::with(&e.kind, e.to_string(), vec![]),
            LinkError::Raised(u) => Error::raise(u.value),
        }
    }
}

type LinkResult<T> = Result<T, LinkError>;

/// Where a top-level form runs: the program's top level or an environment of its own.
enum Target {
    Toplevel,
    Module(Rc<RefCell<Module>>),
}

/// The library system of one interpreter. Its state is borrowed only for short moments,
/// never while library code runs, so that code may import libraries in turn.
pub(crate) struct Libraries {
    /// The top-level environment and the library environments macros resolve names in.
    top: Rc<RefCell<Toplevel>>,
    state: RefCell<State>,
}

#[derive(Default)]
struct State {
    /// The exports of each library loaded so far, by key (`"sigil websocket"`).
    defined: HashMap<String, Module>,
    /// Library source text given to the interpreter, by key.
    sources: HashMap<String, &'static str>,
    /// Directories searched for library files.
    search_path: Vec<PathBuf>,
    /// The keys of the libraries being loaded, to report a library that imports itself.
    loading: Vec<String>,
    /// The environment every library body starts in: all built-in procedures and syntax.
    core: Module,
    /// The library environment (of the prelude) in which the standard libraries'
    /// special form keywords resolve their templates.
    syntax_env: u32,
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

/// A `syntax-error` at `span` of `vm`'s code.
fn error_at(vm: &Vm, span: Span, message: String) -> SchemeError {
    syntax_error(locate(span, &vm.files), message)
}

/// The head keyword of `form` if it is one the library system carries out at top level:
/// `import`, `define-library`, `include` or `include-ci`.
fn library_form(form: &Syn) -> Option<&'static str> {
    let head = form.as_list()?.first()?.as_sym()?.strip();
    ["import", "define-library", "include", "include-ci"]
        .into_iter()
        .find(|k| head.is(k))
}

/// A library being defined: its environment, what it exports (inner and outer names),
/// and whether its code is hidden from backtraces.
struct LibraryBody {
    module: Module,
    exports: Vec<(Symbol, Symbol)>,
    internal: bool,
}

/// An export spec, `name` or `(rename inner outer)`, as (inner, outer).
fn export_spec(e: &Syn) -> Option<(Symbol, Symbol)> {
    if let Some(s) = e.as_sym() {
        return Some((s.strip(), s.strip()));
    }
    match e.as_list()? {
        [r, from, to] if r.as_sym().is_some_and(|s| s.strip().is("rename")) => {
            Some((from.as_sym()?.strip(), to.as_sym()?.strip()))
        }
        _ => None,
    }
}

/// The forms of the body of the first `cond-expand` clause whose feature requirement
/// holds (none if none does).
fn cond_expand(clauses: &[Syn]) -> &[Syn] {
    clauses
        .iter()
        .find_map(|clause| {
            let (req, body) = clause.as_list()?.split_first()?;
            feature_holds(req).then_some(body)
        })
        .unwrap_or(&[])
}

/// The forms of the files `names` of an `include` (`include-ci` when `fold_case`): each
/// file name is relative to the directory of the file the name is written in.
fn included_forms(vm: &mut Vm, names: &[Syn], fold_case: bool) -> LinkResult<Vec<Syn>> {
    let mut forms = Vec::new();
    for f in names {
        let Sexp::Str(path) = &f.e else {
            return Err(error_at(vm, f.span, "include: expected a file name".into()).into());
        };
        let base = Path::new(vm.files.name(f.span.file))
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let p = base.join(&**path);
        let src = std::fs::read_to_string(&p)
            .map_err(|e| file_error(format!("include: cannot read {}: {e}", p.display())))?;
        let file = vm.files.register(&p.display().to_string());
        let mut reader = reader::Reader::script(&src, file, 1);
        reader.set_fold_case(fold_case);
        while let Some(form) = reader.read().map_err(|e| SchemeError::read(e, &vm.files))? {
            forms.push(form);
        }
    }
    Ok(forms)
}

impl Libraries {
    /// The library system of an interpreter whose top level is `top`; `core` is the
    /// environment library bodies start in, `syntax_env` the library environment where
    /// no special form name is bound.
    pub(super) fn new(top: Rc<RefCell<Toplevel>>, core: Module, syntax_env: u32) -> Libraries {
        let state = State {
            core,
            syntax_env,
            ..State::default()
        };
        Libraries {
            top,
            state: RefCell::new(state),
        }
    }

    /// Adds a directory searched for library files, after (or, with `first`, before)
    /// the others.
    pub(super) fn add_search_path(&self, dir: PathBuf, first: bool) {
        let path = &mut self.state.borrow_mut().search_path;
        if first {
            path.insert(0, dir);
        } else {
            path.push(dir);
        }
    }

    /// Makes library source text available under a library key.
    pub(super) fn add_source(&self, key: &str, source: &'static str) {
        self.state
            .borrow_mut()
            .sources
            .insert(key.to_string(), source);
    }

    /// Defines a library whose exports are `module`'s bindings.
    pub(super) fn add_library(&self, key: &str, module: Module) {
        self.state
            .borrow_mut()
            .defined
            .insert(key.to_string(), module);
    }

    /// Whether `name` is bound in the environment library bodies start in.
    #[cfg(test)]
    pub(super) fn is_built_in(&self, name: Symbol) -> bool {
        self.state.borrow().core.map.contains_key(&name)
    }

    /// Runs top-level `form` of the program: `import` and `define-library` now, any other
    /// form compiled into a procedure of no arguments, which is returned.
    pub(super) fn program_form(&self, vm: &mut Vm, form: &Syn) -> LinkResult<Option<Value>> {
        self.run_toplevel(vm, form, &Target::Toplevel)
    }

    fn run_toplevel(&self, vm: &mut Vm, form: &Syn, target: &Target) -> LinkResult<Option<Value>> {
        let items = form.as_list().unwrap_or(&[]);
        match library_form(form) {
            Some("import") => {
                let bindings = self.import_sets(vm, &items[1..])?;
                match target {
                    Target::Toplevel => self.top.borrow_mut().env.import(&mut vm.globals, bindings),
                    Target::Module(m) => m.borrow_mut().import(&mut vm.globals, bindings),
                }
                Ok(None)
            }
            Some("define-library") => {
                self.define_library(vm, form, false)?;
                Ok(None)
            }
            Some(include) => {
                for f in included_forms(vm, &items[1..], include == "include-ci")? {
                    if let Some(thunk) = self.run_toplevel(vm, &f, target)? {
                        vm.apply(thunk, &[]).map_err(LinkError::Raised)?;
                    }
                }
                Ok(None)
            }
            None => {
                let thunk = match target {
                    Target::Toplevel => {
                        let mut top = self.top.borrow_mut();
                        let top = &mut *top;
                        compile_form(vm, form, &mut top.env, &top.libraries, false)
                    }
                    Target::Module(m) => {
                        let libraries = &self.top.borrow().libraries;
                        compile_form(vm, form, &mut m.borrow_mut(), libraries, false)
                    }
                };
                Ok(Some(thunk?))
            }
        }
    }

    /// Compiles `form` in `module` and runs it.
    fn run_form(
        &self,
        vm: &mut Vm,
        form: &Syn,
        module: &mut Module,
        internal: bool,
    ) -> LinkResult<Value> {
        let thunk = {
            let libraries = &self.top.borrow().libraries;
            compile_form(vm, form, module, libraries, internal)?
        };
        vm.apply(thunk, &[]).map_err(LinkError::Raised)
    }

    /// The bindings a list of import sets brings in.
    fn import_sets(&self, vm: &mut Vm, specs: &[Syn]) -> LinkResult<Vec<(Symbol, GlobalBinding)>> {
        let mut all = Vec::new();
        for spec in specs {
            all.extend(self.import_set(vm, spec)?);
        }
        Ok(all)
    }

    /// Resolves an import set to the bindings it brings in.
    fn import_set(&self, vm: &mut Vm, spec: &Syn) -> LinkResult<Vec<(Symbol, GlobalBinding)>> {
        crate::compile::deep(|| self.import_set_here(vm, spec))
    }

    fn import_set_here(&self, vm: &mut Vm, spec: &Syn) -> LinkResult<Vec<(Symbol, GlobalBinding)>> {
        let at = locate(spec.span, &vm.files);
        let bad = || syntax_error(at.clone(), format!("import: bad import set {spec}"));
        let items = spec.as_list().ok_or_else(bad)?;
        let head = items.first().and_then(Syn::as_sym).map(Symbol::strip);
        let names = |xs: &[Syn]| -> Result<Vec<Symbol>, SchemeError> {
            xs.iter()
                .map(|x| x.as_sym().map(Symbol::strip).ok_or_else(bad))
                .collect()
        };
        match head.map(|h| h.to_string()).as_deref() {
            Some("only") if items.len() >= 2 => {
                let inner = self.import_set(vm, &items[1])?;
                let keep = names(&items[2..])?;
                Ok(inner
                    .into_iter()
                    .filter(|(n, _)| keep.contains(n))
                    .collect())
            }
            Some("except") if items.len() >= 2 => {
                let inner = self.import_set(vm, &items[1])?;
                let drop = names(&items[2..])?;
                Ok(inner
                    .into_iter()
                    .filter(|(n, _)| !drop.contains(n))
                    .collect())
            }
            Some("prefix") if items.len() == 3 => {
                let inner = self.import_set(vm, &items[1])?;
                let p = items[2].as_sym().ok_or_else(bad)?;
                Ok(inner
                    .into_iter()
                    .map(|(n, b)| (Symbol::intern(&format!("{p}{n}")), b))
                    .collect())
            }
            Some("rename") if items.len() >= 2 => {
                let mut inner = self.import_set(vm, &items[1])?;
                for r in &items[2..] {
                    let pair = r.as_list().ok_or_else(bad)?;
                    let [from, to] = names(pair)?[..] else {
                        return Err(bad().into());
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
                let module = self.load_library(vm, &key, spec.span)?;
                Ok(module.map.iter().map(|(k, v)| (*k, v.clone())).collect())
            }
        }
    }

    /// The exports of library `key`, loading it first if it is not loaded yet.
    pub(super) fn load_library(&self, vm: &mut Vm, key: &str, span: Span) -> LinkResult<Module> {
        if let Some(m) = self.state.borrow().defined.get(key) {
            return Ok(m.clone());
        }
        if let Some(names) = standard_libraries::exports(key) {
            // A standard library: the built-in bindings of the names it exports, and
            // keywords for its special forms. Made once, then kept as a defined library.
            let mut module = Module::default();
            for name in names {
                let state = self.state.borrow();
                let binding = match state.core.map.get(&name) {
                    Some(b) => b.clone(),
                    None if is_special_form(&name.name()) || name.is("syntax-rules") => {
                        let m = standard_libraries::special_form_keyword(name, state.syntax_env)
                            .map_err(|e| error_at(vm, span, format!("internal: {e}")))?;
                        GlobalBinding::Macro(Rc::new(m))
                    }
                    None => continue,
                };
                module.map.insert(name, binding);
            }
            self.add_library(key, module.clone());
            return Ok(module);
        }
        if key.starts_with("srfi ") {
            // The SRFIs Sigil has are built in.
            return Ok(Module::default());
        }
        if self.state.borrow().loading.iter().any(|k| k == key) {
            return Err(syntax_error(
                locate(span, &vm.files),
                format!("import: library ({key}) imports itself"),
            )
            .into());
        }
        let (src, name) = self.find_library(vm, key, span)?;
        let internal = name.starts_with("<stdlib>");
        self.state.borrow_mut().loading.push(key.to_string());
        let r = self.load_library_source(vm, key, &src, &name, internal);
        self.state.borrow_mut().loading.pop();
        r?;
        let at = locate(span, &vm.files);
        let defined = self.state.borrow().defined.get(key).cloned();
        defined.ok_or_else(|| {
            syntax_error(
                at,
                format!("import: {name} does not define library ({key})"),
            )
            .into()
        })
    }

    /// The source text of library `key` and the name of where it came from.
    fn find_library(&self, vm: &Vm, key: &str, span: Span) -> LinkResult<(String, String)> {
        let rel: PathBuf = key.split(' ').collect::<PathBuf>().with_extension("sgl");
        let state = self.state.borrow();
        if let Some(s) = state.sources.get(key) {
            return Ok((s.to_string(), format!("<stdlib>/{}", rel.display())));
        }
        let found = state
            .search_path
            .iter()
            .map(|d| d.join(&rel))
            .find(|p| p.is_file());
        if let Some(p) = found {
            let src = std::fs::read_to_string(&p)
                .map_err(|e| file_error(format!("cannot read {}: {e}", p.display())))?;
            return Ok((src, p.display().to_string()));
        }
        let dirs: Vec<String> = state
            .search_path
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        let looked = match dirs.as_slice() {
            [] => ", but the library search path is empty".to_string(),
            _ => format!(" in {}", dirs.join(", ")),
        };
        Err(syntax_error(
            locate(span, &vm.files),
            format!(
                "import: library ({key}) not found (looked for {}{looked})",
                rel.display()
            ),
        )
        .into())
    }

    /// For an unbound `name`: ` (did you forget (import (a b))?)` naming the libraries
    /// that export it among those the interpreter knows without searching files (library
    /// sources, native libraries, libraries loaded so far; not `%` internal ones), else "".
    pub(super) fn import_hint(&self, vm: &mut Vm, name: Symbol) -> String {
        let mut keys: Vec<String> = {
            let state = self.state.borrow();
            (state.sources.keys().chain(state.defined.keys()))
                .filter(|k| !k.contains('%'))
                .cloned()
                .collect()
        };
        keys.sort();
        keys.dedup();
        let imports: Vec<String> = keys
            .into_iter()
            .filter(|k| {
                let lib = self.load_library(vm, k, Span::default());
                lib.is_ok_and(|m| m.map.contains_key(&name))
            })
            .map(|k| format!("(import ({k}))"))
            .collect();
        if imports.is_empty() {
            String::new()
        } else {
            format!(" (did you forget {}?)", imports.join(" or "))
        }
    }

    fn load_library_source(
        &self,
        vm: &mut Vm,
        key: &str,
        src: &str,
        name: &str,
        internal: bool,
    ) -> LinkResult<()> {
        let file = vm.files.register(name);
        let forms = reader::read_all(src, file).map_err(|e| SchemeError::read(e, &vm.files))?;
        for form in forms {
            if library_form(&form) == Some("define-library") {
                self.define_library(vm, &form, internal)?;
            } else {
                return Err(syntax_error(
                    locate(form.span, &vm.files),
                    format!("library file for ({key}) may only contain define-library forms"),
                )
                .into());
            }
        }
        Ok(())
    }

    /// Runs a `define-library` form; `internal` hides its code from backtraces.
    fn define_library(&self, vm: &mut Vm, form: &Syn, internal: bool) -> LinkResult<()> {
        let items = form.as_list().unwrap_or(&[]);
        let key = items
            .get(1)
            .and_then(library_key)
            .ok_or_else(|| error_at(vm, form.span, "define-library: bad library name".into()))?;
        let mut library = LibraryBody {
            module: self.state.borrow().core.clone(),
            exports: Vec::new(),
            internal,
        };
        for decl in &items[2..] {
            self.declaration(vm, decl, &mut library)?;
        }
        let LibraryBody {
            module, exports, ..
        } = library;
        self.top.borrow_mut().libraries.register(&module);
        let mut out = Module::default();
        for (inner, outer) in exports {
            match module.map.get(&inner) {
                Some(b) => {
                    out.map.insert(outer, b.clone());
                }
                None => {
                    return Err(syntax_error(
                        locate(form.span, &vm.files),
                        format!("define-library ({key}): exported name {inner} is not defined"),
                    )
                    .into())
                }
            }
        }
        self.add_library(&key, out);
        Ok(())
    }

    /// Carries out one declaration of a `define-library` form.
    fn declaration(&self, vm: &mut Vm, decl: &Syn, library: &mut LibraryBody) -> LinkResult<()> {
        let parts = decl.as_list().filter(|p| !p.is_empty()).ok_or_else(|| {
            error_at(
                vm,
                decl.span,
                format!("define-library: bad declaration {decl}"),
            )
        })?;
        let head = parts[0].as_sym().map(Symbol::strip).map(|s| s.to_string());
        match head.as_deref() {
            Some("export") => {
                for e in &parts[1..] {
                    library
                        .exports
                        .push(export_spec(e).ok_or_else(|| {
                            error_at(vm, e.span, format!("export: bad spec {e}"))
                        })?);
                }
            }
            Some("import") => {
                let bindings = self.import_sets(vm, &parts[1..])?;
                library.module.import(&mut vm.globals, bindings);
            }
            Some("begin") => {
                for f in &parts[1..] {
                    self.run_form(vm, f, &mut library.module, library.internal)?;
                }
            }
            Some(include @ ("include" | "include-ci")) => {
                for form in included_forms(vm, &parts[1..], include == "include-ci")? {
                    self.run_form(vm, &form, &mut library.module, library.internal)?;
                }
            }
            Some("include-library-declarations") => {
                for d in included_forms(vm, &parts[1..], false)? {
                    self.declaration(vm, &d, library)?;
                }
            }
            Some("cond-expand") => {
                for d in cond_expand(&parts[1..]) {
                    self.declaration(vm, d, library)?;
                }
            }
            _ => {
                return Err(error_at(
                    vm,
                    decl.span,
                    format!("define-library: unknown declaration {decl}"),
                )
                .into())
            }
        }
        Ok(())
    }
}

impl Linker for Libraries {
    fn toplevel(&self, vm: &mut Vm, form: &Syn, env: Value) -> NResult<Option<Value>> {
        let target = match vm.heap.opaque::<Environment>(env) {
            Some(Environment::Module(m)) => Target::Module(m.clone()),
            _ => Target::Toplevel,
        };
        self.run_toplevel(vm, form, &target)
            .map_err(LinkError::into_error)
    }

    fn environment(&self, vm: &mut Vm, sets: &[Syn]) -> NResult {
        let bindings = self.import_sets(vm, sets).map_err(LinkError::into_error)?;
        let mut module = Module::default();
        module.import(&mut vm.globals, bindings);
        let env = Environment::Module(Rc::new(RefCell::new(module)));
        Ok(vm.heap.alloc(Object::Opaque(Box::new(env))))
    }
}
