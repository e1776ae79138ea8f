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
    /// Whether the module's code refers to imported variables through mirrors: slots of
    /// its own that follow the imported ones until the module defines or assigns the name
    /// (see [`Globals`]). Then a definition reaches code written above it, as a top-level
    /// binding does in Scheme, and never the code of the library the name came from. Set
    /// for programs, the REPL and libraries; not for the prelude, which the core's
    /// procedures are defined in.
    pub mirrors: bool,
    /// Imported name → the module's mirror of it.
    aliases: FastMap<Symbol, u32>,
}

impl Module {
    /// Adds imported bindings (they replace the module's own definitions of those names).
    /// A mirror of an imported name follows the new binding.
    pub fn import(&mut self, globals: &mut Globals, bindings: Vec<(Symbol, GlobalBinding)>) {
        for (name, b) in bindings {
            match (&b, self.aliases.get(&name)) {
                (GlobalBinding::Var(source), Some(&alias)) => globals.retarget(alias, *source),
                (GlobalBinding::Macro(_), Some(_)) => {
                    self.aliases.remove(&name);
                }
                _ => {}
            }
            self.map.insert(name, b);
            self.own.remove(&name);
        }
    }

    /// The slot this module's code reads for `s`, bound to global `slot`: `slot` itself,
    /// or for an imported variable in a module that mirrors its imports, the mirror of it
    /// (made on first use).
    pub fn reference_slot(&mut self, globals: &mut Globals, s: Symbol, slot: u32) -> u32 {
        let s = s.strip();
        if !self.mirrors || self.own.contains(&s) {
            return slot;
        }
        *self
            .aliases
            .entry(s)
            .or_insert_with(|| globals.new_mirror(s, slot))
    }

    /// The slot a top-level `define` of `s` in this module writes: the module's own
    /// slot, made of its mirror of an imported `s` (so code using the name already sees
    /// the definition, and until the definition runs the name keeps the imported value),
    /// else created (unbound) if it has none yet.
    pub fn define_slot(&mut self, globals: &mut Globals, s: Symbol) -> u32 {
        let s = s.strip();
        match self.map.get(&s) {
            Some(GlobalBinding::Var(slot)) if self.own.contains(&s) => return *slot,
            Some(&GlobalBinding::Var(slot)) => {
                self.reference_slot(globals, s, slot);
            }
            _ => {}
        }
        let slot = match self.aliases.remove(&s) {
            Some(alias) => {
                globals.detach(alias);
                alias
            }
            None => globals.new_slot(s),
        };
        self.map.insert(s, GlobalBinding::Var(slot));
        self.own.insert(s);
        slot
    }

    /// The slot a top-level `set!` of `s` writes: the module's own slot for `s`, also an
    /// imported variable's in a module that mirrors its imports (the module's mirror,
    /// which stops following the import); `None` for an imported variable in any other
    /// module.
    pub fn assign_slot(&mut self, globals: &mut Globals, s: Symbol) -> Option<u32> {
        let s = s.strip();
        match self.map.get(&s) {
            Some(GlobalBinding::Var(slot)) if self.own.contains(&s) => Some(*slot),
            Some(GlobalBinding::Var(_)) if !self.mirrors => None,
            _ => Some(self.define_slot(globals, s)),
        }
    }
}
