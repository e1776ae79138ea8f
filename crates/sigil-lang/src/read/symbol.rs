//! Interned symbols, including the fresh aliases that `syntax-rules` introduces for hygiene.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// A small, fast, non-cryptographic hasher (the Fx hash of rustc) for maps keyed by
/// symbols, slots and names: SipHash's flooding resistance buys nothing for keys that come
/// from the program itself.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(FX_SEED);
    }
}

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().unwrap_or([0; 8])));
        }
        for &b in chunks.remainder() {
            self.add(u64::from(b));
        }
    }
    #[inline]
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    #[inline]
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// A `HashMap` with [`FxHasher`].
pub type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// A `HashSet` with [`FxHasher`].
pub type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<FxHasher>>;

/// An interned symbol: cheap to copy and compare.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(u32);

#[derive(Default)]
struct Interner {
    names: Vec<Rc<str>>,
    alias_of: Vec<Option<(Symbol, u32, u32)>>,
    map: FastMap<Rc<str>, Symbol>,
}

thread_local! {
    static INTERNER: RefCell<Interner> = RefCell::new(Interner::default());
}

impl Symbol {
    /// Interns `name` and returns its symbol.
    pub fn intern(name: &str) -> Symbol {
        INTERNER.with(|i| {
            let mut i = i.borrow_mut();
            if let Some(s) = i.map.get(name) {
                return *s;
            }
            let s = Symbol(i.names.len() as u32);
            let rc: Rc<str> = Rc::from(name);
            i.names.push(rc.clone());
            i.alias_of.push(None);
            i.map.insert(rc, s);
            s
        })
    }

    /// Creates a fresh, uninterned alias of `base`: it prints like `base` but is a
    /// different identifier, so bindings a macro introduces cannot capture user names.
    /// `depth` is the number of lexical scopes around the macro's definition: when the
    /// alias is not bound by the expansion itself, it means what `base` means in those
    /// scopes, or globally in the macro's library environment `env` (0: the module where
    /// the expansion happens).
    pub fn fresh_alias(base: Symbol, depth: u32, env: u32) -> Symbol {
        INTERNER.with(|i| {
            let mut i = i.borrow_mut();
            let s = Symbol(i.names.len() as u32);
            let name = i.names[base.0 as usize].clone();
            i.names.push(name);
            i.alias_of.push(Some((base, depth, env)));
            s
        })
    }

    /// The symbol this alias was made from, if it is an alias.
    pub fn alias_base(self) -> Option<Symbol> {
        self.alias().map(|(b, _, _)| b)
    }

    /// The base symbol, definition-scope depth and library environment of an alias.
    pub fn alias(self) -> Option<(Symbol, u32, u32)> {
        INTERNER.with(|i| i.borrow().alias_of[self.0 as usize])
    }

    /// The original interned symbol behind any chain of aliases.
    pub fn strip(self) -> Symbol {
        let mut s = self;
        while let Some(b) = s.alias_base() {
            s = b;
        }
        s
    }

    /// The symbol's name.
    pub fn name(self) -> Rc<str> {
        INTERNER.with(|i| i.borrow().names[self.0 as usize].clone())
    }

    /// Whether the symbol's name equals `s` (aliases included).
    pub fn is(self, s: &str) -> bool {
        INTERNER.with(|i| &*i.borrow().names[self.0 as usize] == s)
    }

    /// Every interned (non-alias) name, for completion in the REPL.
    pub fn all_names() -> Vec<Rc<str>> {
        INTERNER.with(|i| i.borrow().map.keys().cloned().collect())
    }
}

impl fmt::Debug for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_and_aliases() {
        let a = Symbol::intern("foo");
        assert_eq!(a, Symbol::intern("foo"));
        let al = Symbol::fresh_alias(a, 0, 0);
        assert_ne!(a, al);
        assert_eq!(al.strip(), a);
        assert_eq!(&*al.name(), "foo");
    }
}
