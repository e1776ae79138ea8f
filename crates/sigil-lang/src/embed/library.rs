//! The library system: `import` sets (`only`, `except`, `prefix`, `rename`),
//! `define-library`, and finding a library among the native libraries, the library
//! sources given to the interpreter and the files on the search path.

use super::error::{file_error, syntax_error, SchemeError};
use super::interp::Interpreter;
use crate::compile::module::{GlobalBinding, Module};
use crate::read::reader;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use std::path::{Path, PathBuf};

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

impl Interpreter {
    /// The bindings a list of import sets brings in.
    pub(super) fn import_sets(
        &mut self,
        specs: &[Syn],
    ) -> Result<Vec<(Symbol, GlobalBinding)>, SchemeError> {
        let mut all = Vec::new();
        for spec in specs {
            all.extend(self.import_set(spec)?);
        }
        Ok(all)
    }

    /// Resolves an import set to the bindings it brings in.
    pub(super) fn import_set(
        &mut self,
        spec: &Syn,
    ) -> Result<Vec<(Symbol, GlobalBinding)>, SchemeError> {
        let bad = || syntax_error(spec.span, format!("import: bad import set {spec}"));
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

    pub(super) fn load_library(&mut self, key: &str, span: Span) -> Result<Module, SchemeError> {
        if let Some(m) = self.libraries.get(key) {
            return Ok(m.clone());
        }
        if key.starts_with("scheme ") || key.starts_with("srfi ") {
            // R7RS standard libraries: their procedures are built in.
            return Ok(Module::default());
        }
        if self.loading.iter().any(|k| k == key) {
            return Err(syntax_error(
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
                    let dirs: Vec<String> = self
                        .search_path
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect();
                    let looked = match dirs.as_slice() {
                        [] => ", but the library search path is empty".to_string(),
                        _ => format!(" in {}", dirs.join(", ")),
                    };
                    return Err(syntax_error(
                        span,
                        format!(
                            "import: library ({key}) not found (looked for {}{looked})",
                            rel.display()
                        ),
                    ));
                }
            }
        };
        let internal = name.starts_with("<stdlib>");
        self.loading.push(key.to_string());
        let r = self.load_library_source(key, &src, &name, internal);
        self.loading.pop();
        r?;
        self.libraries.get(key).cloned().ok_or_else(|| {
            syntax_error(
                span,
                format!("import: {name} does not define library ({key})"),
            )
        })
    }

    /// For an unbound `name`: ` (did you forget (import (a b))?)` naming the libraries
    /// that export it among those the interpreter knows without searching files (library
    /// sources, native libraries, libraries loaded so far; not `%` internal ones), else "".
    pub(super) fn import_hint(&mut self, name: Symbol) -> String {
        let mut keys: Vec<String> = (self.sources.keys().chain(self.libraries.keys()))
            .filter(|k| !k.contains('%'))
            .cloned()
            .collect();
        keys.sort();
        keys.dedup();
        let imports: Vec<String> = keys
            .into_iter()
            .filter(|k| {
                let lib = self.load_library(k, Span::default());
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

    pub(super) fn load_library_source(
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
                return Err(syntax_error(
                    form.span,
                    format!("library file for ({key}) may only contain define-library forms"),
                ));
            }
        }
        Ok(())
    }

    pub(super) fn define_library(&mut self, form: &Syn) -> Result<(), SchemeError> {
        self.define_library_with(form, false)
    }

    pub(super) fn define_library_with(
        &mut self,
        form: &Syn,
        internal: bool,
    ) -> Result<(), SchemeError> {
        let items = form.as_list().unwrap_or(&[]);
        let key = items
            .get(1)
            .and_then(library_key)
            .ok_or_else(|| syntax_error(form.span, "define-library: bad library name".into()))?;
        let mut module = self.core.clone();
        let mut exports: Vec<(Symbol, Symbol)> = Vec::new();
        for decl in &items[2..] {
            let parts = decl.as_list().filter(|p| !p.is_empty()).ok_or_else(|| {
                syntax_error(decl.span, format!("define-library: bad declaration {decl}"))
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
                                        return Err(syntax_error(
                                            e.span,
                                            "export: bad rename".into(),
                                        ))
                                    }
                                }
                            }
                            _ => return Err(syntax_error(e.span, format!("export: bad spec {e}"))),
                        }
                    }
                }
                Some("import") => {
                    let bindings = self.import_sets(&parts[1..])?;
                    module.import(&mut self.vm.globals, bindings);
                }
                Some("begin") => {
                    for f in &parts[1..] {
                        self.run_form(f, &mut module, internal)?;
                    }
                }
                Some("include") => {
                    for f in &parts[1..] {
                        let Sexp::Str(path) = &f.e else {
                            return Err(syntax_error(
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
                    return Err(syntax_error(
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
                    return Err(syntax_error(
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
