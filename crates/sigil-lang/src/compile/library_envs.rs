//! Library environments: the final bindings of each library, in which the macros the
//! library defines resolve their free names wherever they are used. Each interpreter keeps
//! its own (in its [`Toplevel`](crate::compile::toplevel::Toplevel)), so libraries of the
//! same name in two interpreters never mix.

use crate::compile::module::{GlobalBinding, Module};
use crate::read::symbol::{FastMap, Symbol};

/// The environments of the libraries defined so far, by id (ids start at 1: 0 means "the
/// module using the macro", see [`Macro::env`](crate::compile::macros::Macro::env)).
#[derive(Default)]
pub struct LibraryEnvs {
    envs: Vec<FastMap<Symbol, GlobalBinding>>,
}

impl LibraryEnvs {
    /// Records a library's final bindings so the macros it defines resolve their free
    /// names there; returns the environment's id.
    pub fn register(&mut self, module: &Module) -> u32 {
        self.envs.push(module.map.clone());
        let id = self.envs.len() as u32;
        for name in &module.own {
            if let Some(GlobalBinding::Macro(m)) = module.map.get(name) {
                if m.env.get() == 0 {
                    m.env.set(id);
                }
            }
        }
        id
    }

    /// What `s` means in library environment `env`.
    pub fn binding(&self, env: u32, s: Symbol) -> Option<GlobalBinding> {
        let index = (env as usize).checked_sub(1)?;
        self.envs.get(index)?.get(&s).cloned()
    }
}
