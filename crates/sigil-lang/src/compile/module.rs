//! Modules: the top-level environments of a program, the REPL and each library (which name
//! means which global slot or macro).

use crate::compile::macros::Macro;
use crate::read::symbol::{FastMap, FastSet, Symbol};
use crate::run::globals::Globals;
use std::rc::Rc;

/// What a name means at the top level of a module.
#[derive(Clone)]
pub enum GlobalBinding {
    /// A global variable slot.
    Var(u32),
    /// A macro.
    Macro(Rc<Macro>),
}

/// A top-level environment: a program, the REPL, or a library.
#[derive(Clone, Default)]
pub struct Module {
    /// Name bindings.
    pub map: FastMap<Symbol, GlobalBinding>,
    /// Names this module defined itself (others are imported).
    pub own: FastSet<Symbol>,
}

impl Module {
    /// Adds imported bindings (they replace the module's own definitions of those names).
    pub fn import(&mut self, bindings: Vec<(Symbol, GlobalBinding)>) {
        for (name, b) in bindings {
            self.map.insert(name, b);
            self.own.remove(&name);
        }
    }

    /// The slot a top-level `define` of `s` in this module writes: the module's own
    /// slot, created (unbound) if it has none yet.
    pub fn define_slot(&mut self, globals: &mut Globals, s: Symbol) -> u32 {
        let s = s.strip();
        if self.own.contains(&s) {
            if let Some(GlobalBinding::Var(slot)) = self.map.get(&s) {
                return *slot;
            }
        }
        let slot = globals.new_slot(s);
        self.map.insert(s, GlobalBinding::Var(slot));
        self.own.insert(s);
        slot
    }
}
