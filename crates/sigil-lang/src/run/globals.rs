//! Global variables: one slot for each top-level name of every module, the names (for
//! messages), and what the compiler needs to know of the core library: which slots hold
//! the primitives it inlines, and the core procedures its expansions refer to directly.
//!
//! A module refers to the variables it imports through slots of its own, *mirrors*, that
//! follow the imported slot's writes until the module defines or assigns the name itself
//! (see `compile::module`): so a program's `(define (car x) ...)` reaches code written
//! above it, and a library's own references stay untouched. Code inlines a primitive for a
//! mirror of the primitive's slot only as long as the mirror holds the standard procedure:
//! when it comes to hold another, the inlined instructions are patched into jumps to code
//! that calls the global (see [`Guard`]).

use crate::read::symbol::{FastMap, Symbol};
use crate::run::code::{Op, Prim, Proto};
use crate::run::value::Value;
use std::rc::{Rc, Weak};

/// A slot's [`Globals::watch`] bit: mirrors follow its writes.
const FOLLOWED: u8 = 1;
/// A slot's [`Globals::watch`] bit: it mirrors a primitive's slot (see [`Guarded`]).
const GUARDED: u8 = 2;

/// The code inlined for a primitive through a mirror of its slot.
struct Guarded {
    prim: Prim,
    /// The inlined instructions: each is patched into a jump to its stub when the mirror
    /// comes to hold another procedure.
    sites: Vec<Site>,
}

struct Site {
    proto: Weak<Proto>,
    at: u32,
    stub: u32,
}

/// The global variable slots.
#[derive(Default)]
pub struct Globals {
    /// Slot values; [`Value::Undefined`] while a slot is unbound.
    pub(crate) values: Vec<Value>,
    names: Vec<Symbol>,
    /// For each slot, what a write of it must also do: [`FOLLOWED`], [`GUARDED`] bits
    /// (0 for most slots).
    watch: Vec<u8>,
    prims: FastMap<u32, Prim>,
    /// The standard procedure of each primitive, by [`Prim`] index.
    prim_procs: Vec<Value>,
    builtins: FastMap<Symbol, Value>,
    /// Mirror slot → the slot it mirrors (its value until the mirror has one).
    sources: FastMap<u32, u32>,
    /// Slot → the mirrors that follow its writes.
    followers: FastMap<u32, Vec<u32>>,
    /// Mirror of a primitive's slot → the code inlined through it.
    guarded: FastMap<u32, Guarded>,
}

impl Globals {
    /// A new, unbound slot for a variable named `name`.
    pub fn new_slot(&mut self, name: Symbol) -> u32 {
        self.values.push(Value::Undefined);
        self.names.push(name);
        self.watch.push(0);
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

    /// Stores `v` in slot `slot` (and in the mirrors that follow it).
    #[inline]
    pub fn set(&mut self, slot: u32, v: Value) {
        self.values[slot as usize] = v;
        if self.watch[slot as usize] != 0 {
            self.written(slot);
        }
    }

    /// What a write of a watched slot also does: mirrors following it take the value, and
    /// code inlining a primitive for it is deoptimised when it no longer holds the
    /// primitive's procedure.
    #[cold]
    #[inline(never)]
    fn written(&mut self, slot: u32) {
        let v = self.values[slot as usize];
        let watch = self.watch[slot as usize];
        if watch & FOLLOWED != 0 {
            // A follower's own followers and guards are other slots' entries: this
            // slot's list stays as it is while the loop runs.
            let n = self.followers.get(&slot).map_or(0, Vec::len);
            for i in 0..n {
                let f = self.followers[&slot][i];
                self.set(f, v);
            }
        }
        if watch & GUARDED != 0 {
            self.check_guard(slot);
        }
    }

    /// Deoptimises the code inlined for mirror `slot` if it no longer holds its
    /// primitive's standard procedure: from now on that code calls the global, and new
    /// code does not inline the primitive for it.
    fn check_guard(&mut self, slot: u32) {
        let v = self.values[slot as usize];
        let Some(g) = self.guarded.get_mut(&slot) else {
            return;
        };
        if v.eq(self.prim_procs[g.prim as usize]) || matches!(v, Value::Undefined) {
            return;
        }
        for site in g.sites.drain(..) {
            if let Some(proto) = site.proto.upgrade() {
                proto.code[site.at as usize].set(Op::Jump(site.stub));
            }
        }
        self.prims.remove(&slot);
    }

    /// A new slot for `name` that mirrors slot `source`: it holds `source`'s value and
    /// follows its writes; and when `source` holds a primitive the compiler inlines, the
    /// mirror stands for that primitive too, guarded.
    pub(crate) fn new_mirror(&mut self, name: Symbol, source: u32) -> u32 {
        let slot = self.new_slot(name);
        self.follow(slot, source);
        self.values[slot as usize] = self.values[source as usize];
        if let Some(&p) = self.prims.get(&source) {
            self.prims.insert(slot, p);
            let sites = Vec::new();
            self.guarded.insert(slot, Guarded { prim: p, sites });
            self.watch[slot as usize] |= GUARDED;
        }
        slot
    }

    fn follow(&mut self, slot: u32, source: u32) {
        self.sources.insert(slot, source);
        self.followers.entry(source).or_default().push(slot);
        self.watch[source as usize] |= FOLLOWED;
    }

    /// Mirror `slot` stops following its source: its module defines or assigns the name
    /// now. New code does not inline a primitive for it (code compiled before keeps its
    /// guard). Until the module's definition runs, an unbound mirror still takes the
    /// source's value on first read.
    pub(crate) fn detach(&mut self, slot: u32) {
        if let Some(&source) = self.sources.get(&slot) {
            if let Some(f) = self.followers.get_mut(&source) {
                f.retain(|&x| x != slot);
            }
        }
        self.prims.remove(&slot);
    }

    /// Mirror `slot` follows `source` from now on (an `import` rebound the name) and
    /// takes its value.
    pub(crate) fn retarget(&mut self, slot: u32, source: u32) {
        self.detach(slot);
        self.follow(slot, source);
        if let Some(p) = self.guarded.get(&slot).map(|g| g.prim) {
            if self.prims.get(&source) == Some(&p) {
                self.prims.insert(slot, p);
            }
        }
        self.set(slot, self.values[source as usize]);
    }

    /// The slot mirror `slot` takes its value from while it has none.
    pub(crate) fn source(&self, slot: u32) -> Option<u32> {
        self.sources.get(&slot).copied()
    }

    /// Whether code inlining the primitive of `slot` must be guarded (it is a mirror).
    pub fn guarded(&self, slot: u32) -> bool {
        self.guarded.contains_key(&slot)
    }

    /// Records that instruction `at` of `proto` inlines the primitive of mirror `slot`,
    /// with general code at `stub` (see [`Guard`](crate::run::code::Guard)).
    pub(crate) fn add_site(&mut self, slot: u32, proto: &Rc<Proto>, at: u32, stub: u32) {
        let Some(g) = self.guarded.get_mut(&slot) else {
            return;
        };
        if g.sites.len() == g.sites.capacity() && g.sites.len() >= 64 {
            g.sites.retain(|s| s.proto.strong_count() > 0);
        }
        let proto = Rc::downgrade(proto);
        g.sites.push(Site { proto, at, stub });
        self.check_guard(slot);
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
