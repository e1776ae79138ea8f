//! The top-level environment as the running program sees it: the module that `eval` and
//! `load` compile into, and the prelude procedures not compiled yet. The interpreter owns
//! it and installs it in the VM as its [`Compiler`], which the VM calls when a global is
//! read while unbound. First-class environments ([`Environment`]) name where `eval` and
//! `load` compile.

use crate::compile::autoload::Autoload;
use crate::compile::library_envs::LibraryEnvs;
use crate::compile::module::Module;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::{NResult, NativeObject};
use crate::run::vm::Compiler;
use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

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
}

/// A first-class environment, the value of `interaction-environment`, `environment`,
/// `scheme-report-environment` and `null-environment`: where `eval` and `load` compile.
pub(crate) enum Environment {
    /// The program's (or the REPL's) top level.
    Toplevel,
    /// An environment of its own, made of the bindings of some libraries; definitions
    /// evaluated in it stay in it.
    Module(Rc<RefCell<Module>>),
}

impl NativeObject for Environment {
    fn type_name(&self) -> &str {
        "environment"
    }
    fn expected() -> &'static str {
        "an environment"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
