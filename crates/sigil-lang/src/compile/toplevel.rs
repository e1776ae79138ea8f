//! The top-level environment as the running program sees it: the module that `eval` and
//! `load` compile into, and the prelude procedures not compiled yet. The interpreter owns
//! it and installs it in the VM as its [`Compiler`], which the VM calls when a global is
//! read while unbound and when a program compiles code.

use crate::compile::autoload::Autoload;
use crate::compile::library_envs::LibraryEnvs;
use crate::compile::module::Module;
use crate::read::source_files::SourceFiles;
use crate::read::syntax::Syn;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::{Error, NResult};
use crate::run::vm::Compiler;

/// The program's top-level environment and the prelude's lazily compiled procedures.
#[derive(Default)]
pub(crate) struct Toplevel {
    /// The top-level environment of the program or REPL.
    pub env: Module,
    /// The prelude's procedures not compiled yet.
    pub autoload: Autoload,
    /// The environments of the libraries defined so far.
    pub libraries: LibraryEnvs,
}

impl Compiler for Toplevel {
    fn load_global(
        &mut self,
        slot: u32,
        globals: &mut Globals,
        heap: &mut Heap,
    ) -> Option<NResult> {
        self.autoload.load(slot, globals, heap, &self.libraries)
    }

    fn compile(
        &mut self,
        form: &Syn,
        globals: &mut Globals,
        heap: &mut Heap,
        files: &SourceFiles,
    ) -> NResult {
        let libraries = &self.libraries;
        super::compile_thunk(globals, heap, &mut self.env, libraries, form, false).map_err(|e| {
            let at = if e.span.is_known() {
                format!("{}: ", files.locate(e.span))
            } else {
                String::new()
            };
            Error::with("syntax-error", format!("{at}{}", e.message), vec![])
        })
    }
}
