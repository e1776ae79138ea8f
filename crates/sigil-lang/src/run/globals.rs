//! Global variables: one slot for each top-level name of every module, the names (for
//! messages), and what the compiler needs to know of the core library: which slots hold
//! the primitives it inlines, and the core procedures its expansions refer to directly.

use crate::read::symbol::{FastMap, Symbol};
use crate::run::code::Prim;
use crate::run::value::Value;

/// The global variable slots.
#[derive(Default)]
pub struct Globals {
    /// Slot values; [`Value::Undefined`] while a slot is unbound.
    pub(crate) values: Vec<Value>,
    names: Vec<Symbol>,
    prims: FastMap<u32, Prim>,
    /// The standard procedure of each primitive, by [`Prim`] index.
    prim_procs: Vec<Value>,
    builtins: FastMap<Symbol, Value>,
}

impl Globals {
    /// A new, unbound slot for a variable named `name`.
    pub fn new_slot(&mut self, name: Symbol) -> u32 {
        self.values.push(Value::Undefined);
        self.names.push(name);
        (self.values.len() - 1) as u32
    }

    /// The name of slot `slot`.
    pub fn name(&self, slot: u32) -> Symbol {
        self.names[slot as usize]
    }

    /// The value in slot `slot` ([`Value::Undefined`] while unbound).
    pub fn get(&self, slot: u32) -> Value {
        self.values[slot as usize]
    }

    /// Stores `v` in slot `slot`.
    pub fn set(&mut self, slot: u32, v: Value) {
        self.values[slot as usize] = v;
    }

    /// The primitive the compiler may inline for a call of slot `slot`.
    pub fn prim(&self, slot: u32) -> Option<Prim> {
        self.prims.get(&slot).copied()
    }

    /// Marks slot `slot` as holding the standard procedure of primitive `p` (which it
    /// must hold already).
    pub fn set_prim(&mut self, slot: u32, p: Prim) {
        self.prims.insert(slot, p);
        if self.prim_procs.is_empty() {
            self.prim_procs = vec![Value::Undefined; Prim::COUNT];
        }
        self.prim_procs[p as usize] = self.values[slot as usize];
    }

    /// The standard procedure of primitive `p` (its general path).
    #[inline]
    pub fn prim_proc(&self, p: Prim) -> Value {
        self.prim_procs[p as usize]
    }

    /// A core procedure by name, for expansions that refer to it directly.
    pub fn builtin(&self, name: &str) -> Option<Value> {
        self.builtins.get(&Symbol::intern(name)).copied()
    }

    /// Records a core procedure so that expansions can refer to it directly.
    pub fn set_builtin(&mut self, name: Symbol, v: Value) {
        self.builtins.insert(name, v);
    }

    /// Every value the globals keep alive.
    pub(crate) fn roots(&self) -> impl Iterator<Item = Value> + '_ {
        self.values.iter().chain(self.builtins.values()).copied()
    }
}
