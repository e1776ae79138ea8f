//! Hash tables (SRFI 69 names). Natives cover everything that needs no procedure
//! argument; `hash-table-ref`, `hash-table-update!`, `hash-table-walk` and friends are
//! written in Sigil on top of them (`prelude/collections.sgl`).

use super::Registry;
use crate::native;
use crate::natives::{FromValue, List};
use crate::read::symbol::Symbol;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{Error, NResult, Object, Table, TableKind, Value};
use std::borrow::Cow;
use std::hash::{Hash, Hasher};

/// A small, fast, non-cryptographic hasher (the Fx mixing step).
#[derive(Default)]
struct Fx(u64);

impl Fx {
    #[inline]
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }

    fn write_u64(&mut self, x: u64) {
        self.add(x);
    }
}

/// How many nodes of a pair/vector structure an `equal?` hash looks at.
const HASH_BUDGET: usize = 32;

/// Hashes `v` consistently with the key comparison of a table of kind `kind`: values that
/// are `eqv?` (for [`TableKind::Eqv`]) or `equal?` (for [`TableKind::Equal`]) hash alike.
pub fn hash_value(heap: &Heap, v: Value, kind: TableKind) -> u64 {
    let mut h = Fx::default();
    // Only pairs and vectors push work, so hashing an atom does not allocate.
    let mut work = Vec::new();
    let mut next = Some(v);
    let mut budget = HASH_BUDGET;
    while let Some(v) = next {
        if budget == 0 {
            break;
        }
        budget -= 1;
        match v {
            Value::Null => h.add(1),
            Value::Unspecified => h.add(2),
            Value::Undefined => h.add(3),
            Value::Eof => h.add(4),
            Value::Bool(b) => h.add(5 + b as u64),
            Value::Int(i) => {
                h.add(7);
                h.add(i as u64);
            }
            Value::Float(f) => {
                h.add(8);
                h.add(numeric::float_hash_bits(f));
            }
            Value::Char(c) => {
                h.add(9);
                h.add(c as u64);
            }
            Value::Sym(s) => {
                h.add(10);
                s.hash(&mut h);
            }
            Value::Obj(r) => match (heap.get(r), kind) {
                (Object::Big(b), _) => {
                    h.add(11);
                    b.hash(&mut h);
                }
                (Object::Ratio(r), _) => {
                    h.add(17);
                    r.hash(&mut h);
                }
                (Object::Complex(z), _) => {
                    h.add(18);
                    numeric::hash_complex(z, &mut h);
                }
                (Object::Str(s), TableKind::Equal) => {
                    h.add(12);
                    h.write(s.as_bytes());
                }
                (Object::Bytes(b), TableKind::Equal) => {
                    h.add(13);
                    h.write(b);
                }
                (Object::Pair(a, d), TableKind::Equal) => {
                    h.add(14);
                    work.push(*d);
                    work.push(*a);
                }
                (Object::Record(t, fields), TableKind::Equal) => {
                    h.add(19);
                    h.add(t.0 as u64);
                    work.extend(fields.iter().take(HASH_BUDGET).rev());
                }
                (Object::Vector(items), TableKind::Equal) => {
                    h.add(15);
                    h.add(items.len() as u64);
                    work.extend(items.iter().take(HASH_BUDGET).rev());
                }
                _ => {
                    h.add(16);
                    h.add(r.0 as u64);
                }
            },
        }
        next = work.pop();
    }
    h.finish()
}

/// Whether two keys are the same under a table's comparison.
#[inline]
fn same_key(heap: &Heap, kind: TableKind, a: Value, b: Value) -> bool {
    match kind {
        TableKind::Eqv => numeric::eqv(heap, a, b),
        TableKind::Equal => super::symbols::equal(heap, a, b),
    }
}

/// A hash table argument.
#[derive(Clone, Copy)]
struct TableArg(Value);

impl FromValue<'_> for TableArg {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        matches!(heap.obj(v), Some(Object::Table(_))).then_some(TableArg(v))
    }
    fn expected() -> Cow<'static, str> {
        "a hash table".into()
    }
}

impl TableArg {
    /// The table, to read.
    fn get(self, heap: &Heap) -> NResult<&Table> {
        match heap.obj(self.0) {
            Some(Object::Table(t)) => Ok(t),
            _ => Err(Error::expected("a hash table", self.0)),
        }
    }

    /// The table, to change.
    fn get_mut<'a>(self, ctx: &'a mut Ctx) -> NResult<&'a mut Table> {
        match ctx.vm.heap.obj_mut(self.0) {
            Some(Object::Table(t)) => Ok(t),
            _ => Err(Error::expected("a hash table", self.0)),
        }
    }

    /// `key`'s hash and, when the table has it, its position in the bucket.
    fn locate(self, heap: &Heap, key: Value) -> NResult<(u64, Option<usize>)> {
        let t = self.get(heap)?;
        let h = hash_value(heap, key, t.kind);
        let pos = t
            .buckets
            .get(&h)
            .and_then(|b| b.iter().position(|&(k, _)| same_key(heap, t.kind, k, key)));
        Ok((h, pos))
    }

    /// The value of `key`, if the table has it.
    fn lookup(self, heap: &Heap, key: Value) -> NResult<Option<Value>> {
        let t = self.get(heap)?;
        let h = hash_value(heap, key, t.kind);
        Ok(t.buckets.get(&h).and_then(|b| {
            b.iter()
                .find(|&&(k, _)| same_key(heap, t.kind, k, key))
                .map(|e| e.1)
        }))
    }

    /// Sets `key` to `val`.
    fn insert(self, ctx: &mut Ctx, key: Value, val: Value) -> NResult<()> {
        let (h, pos) = self.locate(ctx.heap(), key)?;
        let t = self.get_mut(ctx)?;
        let bucket = t.buckets.entry(h).or_default();
        match pos {
            Some(i) => bucket[i].1 = val,
            None => {
                bucket.push((key, val));
                t.len += 1;
            }
        }
        Ok(())
    }

    /// The table's entries.
    fn entries(self, heap: &Heap) -> NResult<Vec<(Value, Value)>> {
        Ok(self
            .get(heap)?
            .buckets
            .values()
            .flatten()
            .copied()
            .collect())
    }
}

fn new_table(ctx: &mut Ctx, kind: TableKind) -> Value {
    ctx.alloc(Object::Table(Box::new(Table::new(kind))))
}

/// The table kind for an equivalence-procedure argument: `eq?` and `eqv?` give an eqv
/// table, anything else an `equal?` table.
fn kind_for(ctx: &Ctx, equiv: Option<Value>) -> TableKind {
    let is = |name: &str, v: Value| ctx.vm.globals.builtin(name).is_some_and(|b| b.eq(v));
    match equiv {
        Some(v) if is("eq?", v) || is("eqv?", v) => TableKind::Eqv,
        _ => TableKind::Equal,
    }
}

/// `(make-hash-table [equivalence [hash]])`.
#[native("make-hash-table")]
fn make_hash_table(ctx: &mut Ctx, #[rest] args: &[Value]) -> Value {
    let kind = kind_for(ctx, args.first().copied());
    new_table(ctx, kind)
}

/// `(make-equal-hash-table [size])`.
#[native("make-equal-hash-table")]
fn make_equal_table(ctx: &mut Ctx, _size: Option<Value>) -> Value {
    new_table(ctx, TableKind::Equal)
}

/// `(make-eqv-hash-table [size])`; also `make-strong-eqv-hash-table`.
#[native("make-eqv-hash-table")]
fn make_eqv_table(ctx: &mut Ctx, _size: Option<Value>) -> Value {
    new_table(ctx, TableKind::Eqv)
}

/// `(alist->hash-table alist [equivalence [hash]])`: earlier associations take
/// precedence.
#[native("alist->hash-table")]
fn alist_to_table(ctx: &mut Ctx, alist: List<Value>, #[rest] args: &[Value]) -> NResult {
    let kind = kind_for(ctx, args.first().copied());
    let t = TableArg(new_table(ctx, kind));
    for &item in alist.iter() {
        let (k, v) = ctx
            .heap()
            .pair(item)
            .ok_or_else(|| Error::expected("an association list", item))?;
        if t.lookup(ctx.heap(), k)?.is_none() {
            t.insert(ctx, k, v)?;
        }
    }
    Ok(t.0)
}

/// `(hash-table? obj)`.
#[native("hash-table?")]
fn is_table(ctx: &mut Ctx, v: Value) -> bool {
    matches!(ctx.heap().obj(v), Some(Object::Table(_)))
}

/// `(hash-table-set! table key value)`.
#[native("hash-table-set!")]
fn set(ctx: &mut Ctx, t: TableArg, key: Value, val: Value) -> NResult<()> {
    t.insert(ctx, key, val)
}

/// `(%hash-table-lookup who table key default)`: like `hash-table-ref/default`, but errors
/// name the procedure `who` on whose behalf the lookup is made.
#[native("%hash-table-lookup")]
fn lookup_for(ctx: &mut Ctx, who: Symbol, t: Value, key: Value, default: Value) -> NResult {
    match TableArg::from_value(ctx.heap(), t) {
        Some(t) => Ok(t.lookup(ctx.heap(), key)?.unwrap_or(default)),
        None => Err(Error::wrong_type(&who.name(), "a hash table", t)),
    }
}

/// `(hash-table-ref/default table key default)`.
#[native("hash-table-ref/default")]
fn ref_default(ctx: &mut Ctx, t: TableArg, key: Value, default: Value) -> NResult {
    Ok(t.lookup(ctx.heap(), key)?.unwrap_or(default))
}

/// `(hash-table-delete! table key)`.
#[native("hash-table-delete!")]
fn delete(ctx: &mut Ctx, t: TableArg, key: Value) -> NResult<()> {
    let (h, pos) = t.locate(ctx.heap(), key)?;
    if let Some(i) = pos {
        let t = t.get_mut(ctx)?;
        if let Some(bucket) = t.buckets.get_mut(&h) {
            bucket.swap_remove(i);
            if bucket.is_empty() {
                t.buckets.remove(&h);
            }
            t.len -= 1;
        }
    }
    Ok(())
}

/// `(hash-table-contains? table key)`; also `hash-table-exists?`.
#[native("hash-table-contains?")]
fn contains(ctx: &mut Ctx, t: TableArg, key: Value) -> NResult<bool> {
    Ok(t.locate(ctx.heap(), key)?.1.is_some())
}

/// `(hash-table-count table)`; also `hash-table-size`.
#[native("hash-table-count")]
fn count(ctx: &mut Ctx, t: TableArg) -> NResult<usize> {
    Ok(t.get(ctx.heap())?.len)
}

/// `(hash-table-keys table)`.
#[native("hash-table-keys")]
fn keys(ctx: &mut Ctx, t: TableArg) -> NResult<List<Value>> {
    Ok(List(
        t.entries(ctx.heap())?.into_iter().map(|e| e.0).collect(),
    ))
}

/// `(hash-table-values table)`.
#[native("hash-table-values")]
fn values(ctx: &mut Ctx, t: TableArg) -> NResult<List<Value>> {
    Ok(List(
        t.entries(ctx.heap())?.into_iter().map(|e| e.1).collect(),
    ))
}

/// `(hash-table->alist table)`.
#[native("hash-table->alist")]
fn to_alist(ctx: &mut Ctx, t: TableArg) -> NResult {
    let pairs: Vec<Value> = t
        .entries(ctx.heap())?
        .into_iter()
        .map(|(k, v)| ctx.cons(k, v))
        .collect();
    Ok(ctx.list(&pairs))
}

/// `(hash-table-clear! table)`.
#[native("hash-table-clear!")]
fn clear(ctx: &mut Ctx, t: TableArg) -> NResult<()> {
    let t = t.get_mut(ctx)?;
    t.buckets.clear();
    t.len = 0;
    Ok(())
}

/// `(hash-table-copy table [mutable?])`: tables are always mutable.
#[native("hash-table-copy")]
fn copy(ctx: &mut Ctx, t: TableArg, _mutable: Option<Value>) -> NResult {
    let t = t.get(ctx.heap())?;
    let copy = Table {
        kind: t.kind,
        buckets: t.buckets.clone(),
        len: t.len,
    };
    Ok(ctx.alloc(Object::Table(Box::new(copy))))
}

/// Registers the hash-table natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        MAKE_HASH_TABLE,
        MAKE_EQUAL_TABLE,
        MAKE_EQV_TABLE,
        ALIST_TO_TABLE,
        IS_TABLE,
        SET,
        REF_DEFAULT,
        LOOKUP_FOR,
        DELETE,
        CONTAINS,
        COUNT,
        KEYS,
        VALUES,
        TO_ALIST,
        CLEAR,
        COPY,
    ]);
    reg.alias("make-strong-eqv-hash-table", "make-eqv-hash-table");
    reg.alias("hash-table-exists?", "hash-table-contains?");
    reg.alias("hash-table-size", "hash-table-count");
}

#[cfg(test)]
mod tests {
    use crate::test_util::{err, ev};

    #[test]
    fn string_keys() {
        let src = "(define t (make-hash-table))
                   (hash-table-set! t \"apple\" 1)
                   (hash-table-set! t (string-append \"app\" \"le\") 2)
                   (hash-table-set! t \"pear\" 3)
                   (list (hash-table-count t) (hash-table-ref t \"apple\")
                         (hash-table-ref/default t \"plum\" 'none)
                         (hash-table-contains? t \"pear\") (hash-table-exists? t \"fig\"))";
        assert_eq!(ev(src), "(2 2 none #t #f)");
        // An eqv table compares strings by identity.
        assert_eq!(
            ev(
                "(define t (make-hash-table eqv?)) (hash-table-set! t (string #\\a) 1)
                (hash-table-ref/default t (string #\\a) 'missing)"
            ),
            "missing"
        );
        assert_eq!(
            ev(
                "(define t (make-strong-eqv-hash-table)) (define k (string #\\a))
                (hash-table-set! t k 1) (hash-table-ref t k)"
            ),
            "1"
        );
    }

    #[test]
    fn many_numeric_keys() {
        let src = "(define t (make-equal-hash-table))
                   (do ((i 0 (+ i 1))) ((= i 100000))
                     (hash-table-set! t i (* i 2)))
                   (do ((i 0 (+ i 1))) ((= i 100000))
                     (hash-table-update!/default t (remainder i 1000) (lambda (x) (+ x 1)) 0))
                   (do ((i 0 (+ i 2))) ((>= i 100000))
                     (hash-table-delete! t i))
                   (list (hash-table-size t) (hash-table-ref t 99999) (hash-table-ref/default t 4 #f)
                         (hash-table-ref t 3) (hash-table-ref t 5000 (lambda () 'gone)))";
        assert_eq!(ev(src), "(50000 199998 #f 106 gone)");
    }

    #[test]
    fn structured_and_special_keys() {
        let src = "(define t (make-hash-table equal?))
                   (hash-table-set! t (list 1 (vector 2 \"x\")) 'a)
                   (hash-table-set! t 1.5 'b)
                   (hash-table-set! t #\\c 'c)
                   (hash-table-set! t 'sym 'd)
                   (hash-table-set! t (expt 2 100) 'e)
                   (hash-table-set! t #u8(1 2) 'f)
                   (list (hash-table-ref t (list 1 (vector 2 \"x\")))
                         (hash-table-ref t 1.5) (hash-table-ref t #\\c) (hash-table-ref t 'sym)
                         (hash-table-ref t (expt 2 100)) (hash-table-ref t (bytevector 1 2))
                         (hash-table-ref/default t 1 'no))";
        assert_eq!(ev(src), "(a b c d e f no)");
        assert_eq!(
            ev(
                "(define t (make-eqv-hash-table)) (hash-table-set! t (expt 2 70) 1)
                (hash-table-ref/default t (expt 2 70) 0)"
            ),
            "1"
        );
    }

    #[test]
    fn whole_table_operations() {
        let setup = "(define t (make-hash-table))
                     (hash-table-set! t 'a 1) (hash-table-set! t 'b 2) ";
        assert_eq!(ev(&format!("{setup} (length (hash-table-keys t))")), "2");
        assert_eq!(ev(&format!("{setup} (apply + (hash-table-values t))")), "3");
        assert_eq!(
            ev(&format!("{setup} (cdr (assq 'b (hash-table->alist t)))")),
            "2"
        );
        assert_eq!(
            ev(&format!(
                "{setup} (define c (hash-table-copy t)) (hash-table-clear! t)
                         (list (hash-table-count t) (hash-table-count c) (hash-table-ref c 'a))"
            )),
            "(0 2 1)"
        );
        assert_eq!(
            ev(&format!(
                "{setup} (define n 0) (hash-table-walk t (lambda (k v) (set! n (+ n v)))) n"
            )),
            "3"
        );
        assert_eq!(
            ev(&format!(
                "{setup} (hash-table-fold t (lambda (k v acc) (+ v acc)) 10)"
            )),
            "13"
        );
        assert_eq!(
            ev("(define t (alist->hash-table '((a . 1) (b . 2) (a . 3))))
                (list (hash-table-ref t 'a) (hash-table-count t))"),
            "(1 2)"
        );
        assert_eq!(
            ev("(list (hash-table? (make-hash-table)) (hash-table? '()))"),
            "(#t #f)"
        );
        assert_eq!(ev("(make-hash-table)"), "#<hash-table 0>");
    }

    #[test]
    fn ref_and_update() {
        let setup = "(define t (make-hash-table)) (hash-table-set! t 'a 1) ";
        assert_eq!(
            ev(&format!(
                "{setup} (hash-table-ref t 'a (lambda () 0) (lambda (v) (* v 10)))"
            )),
            "10"
        );
        assert_eq!(
            ev(&format!("{setup} (hash-table-ref t 'z (lambda () 'dflt))")),
            "dflt"
        );
        let e = err(&format!("{setup} (hash-table-ref t 'z)"));
        assert!(e.contains("hash-table-ref") && e.contains('z'), "{e}");
        assert_eq!(
            ev(&format!(
                "{setup} (hash-table-update! t 'a (lambda (x) (+ x 5))) (hash-table-ref t 'a)"
            )),
            "6"
        );
        assert_eq!(
            ev(&format!("{setup} (hash-table-update! t 'n (lambda (x) (+ x 5)) (lambda () 100)) (hash-table-ref t 'n)")),
            "105"
        );
        assert!(
            err(&format!("{setup} (hash-table-update! t 'q (lambda (x) x))"))
                .contains("hash-table-update!")
        );
        assert_eq!(
            ev(&format!("{setup} (hash-table-update!/default t 'a (lambda (x) (* x 7)) 0) (hash-table-ref t 'a)")),
            "7"
        );
    }

    #[test]
    fn type_errors_name_the_procedure() {
        for (src, who) in [
            ("(hash-table-set! '() 1 2)", "hash-table-set!"),
            ("(hash-table-ref 5 1)", "hash-table-ref"),
            ("(hash-table-ref/default 5 1 2)", "hash-table-ref/default"),
            (
                "(hash-table-update!/default 5 1 car 0)",
                "hash-table-update!/default",
            ),
            ("(hash-table-delete! \"t\" 1)", "hash-table-delete!"),
            ("(hash-table-count 1)", "hash-table-count"),
            ("(hash-table-keys 1)", "hash-table-keys"),
            ("(alist->hash-table '(1 2))", "alist->hash-table"),
        ] {
            let e = err(src);
            assert!(e.contains(who), "{src}: {e}");
        }
    }
}
