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

/// An interned symbol, or an alias a macro expansion made of one: cheap to copy and
/// compare.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Symbol(u32);

/// The bit that marks an alias: the rest is its index in [`Interner::aliases`].
const ALIAS: u32 = 1 << 31;

#[derive(Default)]
struct Interner {
    names: Vec<Rc<str>>,
    map: FastMap<Rc<str>, Symbol>,
    /// The aliases macro expansions made: base symbol, definition-scope depth and library
    /// environment. They live only as long as the compilation of the form that made them
    /// (see [`Symbol::release_aliases`]), unless a macro defined there keeps them.
    aliases: Vec<(Symbol, u32, u32)>,
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
            i.aliases.push((base, depth, env));
            Symbol((i.aliases.len() - 1) as u32 | ALIAS)
        })
    }

    /// How many aliases exist: a mark for [`Symbol::release_aliases`].
    pub fn alias_mark() -> usize {
        INTERNER.with(|i| i.borrow().aliases.len())
    }

    /// Forgets the aliases made since `mark`: the compiler calls this when it has compiled
    /// a form and none of them can be used any more (no macro defined there keeps them),
    /// so that expanding macros again and again does not grow memory.
    pub fn release_aliases(mark: usize) {
        INTERNER.with(|i| i.borrow_mut().aliases.truncate(mark));
    }

    /// The symbol this alias was made from, if it is an alias.
    pub fn alias_base(self) -> Option<Symbol> {
        self.alias().map(|(b, _, _)| b)
    }

    /// The base symbol, definition-scope depth and library environment of an alias.
    pub fn alias(self) -> Option<(Symbol, u32, u32)> {
        if self.0 & ALIAS == 0 {
            return None;
        }
        INTERNER.with(|i| i.borrow().aliases.get((self.0 & !ALIAS) as usize).copied())
    }

    /// The original interned symbol behind any chain of aliases.
    pub fn strip(self) -> Symbol {
        let mut s = self;
        while let Some(b) = s.alias_base() {
            s = b;
        }
        s
    }

    /// The symbol's name (an alias has the name of the symbol it was made from).
    pub fn name(self) -> Rc<str> {
        let s = self.strip();
        INTERNER.with(|i| {
            let i = i.borrow();
            match i.names.get(s.0 as usize) {
                Some(name) => name.clone(),
                None => Rc::from("#<forgotten alias>"),
            }
        })
    }

    /// Whether the symbol's name equals `s` (aliases included).
    pub fn is(self, s: &str) -> bool {
        let sym = self.strip();
        INTERNER.with(|i| {
            i.borrow()
                .names
                .get(sym.0 as usize)
                .is_some_and(|n| &**n == s)
        })
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
        let mark = Symbol::alias_mark();
        let again = Symbol::fresh_alias(al, 1, 0);
        assert_eq!(again.strip(), a);
        Symbol::release_aliases(mark);
        assert_eq!(Symbol::alias_mark(), mark);
        assert_eq!(al.strip(), a);
    }
}
