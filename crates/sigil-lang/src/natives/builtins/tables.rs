//! Hash tables (SRFI 69 names). Natives cover everything that needs no procedure
//! argument; `hash-table-ref`, `hash-table-update!`, `hash-table-walk` and friends are
//! written in Sigil on top of them (`prelude/collections.sgl`).

use super::Registry;
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{Error, NResult, Object, Table, TableKind, Value};
use crate::run::vm::Vm;
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
                h.add(f.to_bits());
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

fn table<'a>(vm: &'a Vm, who: &str, v: Value) -> NResult<&'a Table> {
    match vm.heap.obj(v) {
        Some(Object::Table(t)) => Ok(t),
        _ => Err(Error::wrong_type(who, "a hash table", v)),
    }
}

fn table_mut<'a>(vm: &'a mut Vm, who: &str, v: Value) -> NResult<&'a mut Table> {
    match vm.heap.obj_mut(v) {
        Some(Object::Table(t)) => Ok(t),
        _ => Err(Error::wrong_type(who, "a hash table", v)),
    }
}

/// Finds `key` in table `tv`: its hash and, when present, its position in the bucket.
fn locate(vm: &Vm, who: &str, tv: Value, key: Value) -> NResult<(u64, Option<usize>)> {
    let t = table(vm, who, tv)?;
    let h = hash_value(&vm.heap, key, t.kind);
    let pos = t.buckets.get(&h).and_then(|b| {
        b.iter()
            .position(|&(k, _)| same_key(&vm.heap, t.kind, k, key))
    });
    Ok((h, pos))
}

/// Looks `key` up in table `tv`.
fn lookup(vm: &Vm, who: &str, tv: Value, key: Value) -> NResult<Option<Value>> {
    let t = table(vm, who, tv)?;
    let h = hash_value(&vm.heap, key, t.kind);
    Ok(t.buckets.get(&h).and_then(|b| {
        b.iter()
            .find(|&&(k, _)| same_key(&vm.heap, t.kind, k, key))
            .map(|e| e.1)
    }))
}

/// Sets `key` to `val` in table `tv`.
fn insert(vm: &mut Vm, who: &str, tv: Value, key: Value, val: Value) -> NResult<()> {
    let (h, pos) = locate(vm, who, tv, key)?;
    let t = table_mut(vm, who, tv)?;
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

fn new_table(vm: &mut Vm, kind: TableKind) -> Value {
    vm.heap.alloc(Object::Table(Box::new(Table {
        kind,
        buckets: Default::default(),
        len: 0,
    })))
}

/// The table kind for an equivalence-procedure argument.
fn kind_for(vm: &Vm, equiv: Option<Value>) -> TableKind {
    let is = |name: &str, v: Value| vm.globals.builtin(name).is_some_and(|b| b.eq(v));
    match equiv {
        Some(v) if is("eq?", v) || is("eqv?", v) => TableKind::Eqv,
        _ => TableKind::Equal,
    }
}

/// `(make-hash-table [equivalence [hash]])`: `eq?`/`eqv?` give an eqv table, anything
/// else an `equal?` table.
fn make_hash_table(vm: &mut Vm, a: &[Value]) -> NResult {
    let kind = kind_for(vm, a.first().copied());
    Ok(new_table(vm, kind))
}

fn make_equal_table(vm: &mut Vm, _: &[Value]) -> NResult {
    Ok(new_table(vm, TableKind::Equal))
}

fn make_eqv_table(vm: &mut Vm, _: &[Value]) -> NResult {
    Ok(new_table(vm, TableKind::Eqv))
}

/// `(alist->hash-table alist [equivalence])`: earlier associations take precedence.
fn alist_to_table(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "alist->hash-table";
    let items = super::list(vm, WHO, a[0])?;
    let kind = kind_for(vm, a.get(1).copied());
    let t = new_table(vm, kind);
    for item in items {
        let (k, v) = vm
            .heap
            .pair(item)
            .ok_or_else(|| Error::wrong_type(WHO, "an association list", a[0]))?;
        if lookup(vm, WHO, t, k)?.is_none() {
            insert(vm, WHO, t, k, v)?;
        }
    }
    Ok(t)
}

fn is_table(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(
        vm.heap.obj(a[0]),
        Some(Object::Table(_))
    )))
}

fn set(vm: &mut Vm, a: &[Value]) -> NResult {
    insert(vm, "hash-table-set!", a[0], a[1], a[2])?;
    Ok(Value::Unspecified)
}

/// `(%hash-table-lookup who table key default)`: like `hash-table-ref/default`, but errors
/// name the procedure `who` (a symbol) on whose behalf the lookup is made.
fn lookup_for(vm: &mut Vm, a: &[Value]) -> NResult {
    if !matches!(vm.heap.obj(a[1]), Some(Object::Table(_))) {
        let who = super::symbol("%hash-table-lookup", a[0])?.name();
        return Err(Error::wrong_type(&who, "a hash table", a[1]));
    }
    Ok(lookup(vm, "%hash-table-lookup", a[1], a[2])?.unwrap_or(a[3]))
}

/// `(hash-table-ref/default table key default)`.
fn ref_default(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(lookup(vm, "hash-table-ref/default", a[0], a[1])?.unwrap_or(a[2]))
}

fn delete(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "hash-table-delete!";
    let (h, pos) = locate(vm, WHO, a[0], a[1])?;
    if let Some(i) = pos {
        let t = table_mut(vm, WHO, a[0])?;
        if let Some(bucket) = t.buckets.get_mut(&h) {
            bucket.swap_remove(i);
            if bucket.is_empty() {
                t.buckets.remove(&h);
            }
            t.len -= 1;
        }
    }
    Ok(Value::Unspecified)
}

fn contains(vm: &mut Vm, a: &[Value]) -> NResult {
    let (_, pos) = locate(vm, "hash-table-contains?", a[0], a[1])?;
    Ok(Value::Bool(pos.is_some()))
}

fn count(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Int(table(vm, "hash-table-count", a[0])?.len as i64))
}

fn entries(vm: &Vm, who: &str, v: Value) -> NResult<Vec<(Value, Value)>> {
    Ok(table(vm, who, v)?
        .buckets
        .values()
        .flatten()
        .copied()
        .collect())
}

fn keys(vm: &mut Vm, a: &[Value]) -> NResult {
    let ks: Vec<Value> = entries(vm, "hash-table-keys", a[0])?
        .into_iter()
        .map(|e| e.0)
        .collect();
    Ok(vm.heap.list(&ks))
}

fn values(vm: &mut Vm, a: &[Value]) -> NResult {
    let vs: Vec<Value> = entries(vm, "hash-table-values", a[0])?
        .into_iter()
        .map(|e| e.1)
        .collect();
    Ok(vm.heap.list(&vs))
}

fn to_alist(vm: &mut Vm, a: &[Value]) -> NResult {
    let es = entries(vm, "hash-table->alist", a[0])?;
    let pairs: Vec<Value> = es.into_iter().map(|(k, v)| vm.heap.cons(k, v)).collect();
    Ok(vm.heap.list(&pairs))
}

fn clear(vm: &mut Vm, a: &[Value]) -> NResult {
    let t = table_mut(vm, "hash-table-clear!", a[0])?;
    t.buckets.clear();
    t.len = 0;
    Ok(Value::Unspecified)
}

/// `(hash-table-copy table [mutable?])`: tables are always mutable.
fn copy(vm: &mut Vm, a: &[Value]) -> NResult {
    let t = table(vm, "hash-table-copy", a[0])?;
    let copy = Table {
        kind: t.kind,
        buckets: t.buckets.clone(),
        len: t.len,
    };
    Ok(vm.heap.alloc(Object::Table(Box::new(copy))))
}

/// Registers the hash-table natives.
pub fn register(reg: &mut Registry) {
    reg.simple("make-hash-table", 0, None, make_hash_table);
    reg.simple("make-equal-hash-table", 0, Some(1), make_equal_table);
    reg.simple("make-eqv-hash-table", 0, Some(1), make_eqv_table);
    reg.simple("make-strong-eqv-hash-table", 0, Some(1), make_eqv_table);
    reg.simple("alist->hash-table", 1, None, alist_to_table);
    reg.simple("hash-table?", 1, Some(1), is_table);
    reg.simple("hash-table-set!", 3, Some(3), set);
    reg.simple("hash-table-ref/default", 3, Some(3), ref_default);
    reg.simple("%hash-table-lookup", 4, Some(4), lookup_for);
    reg.simple("hash-table-delete!", 2, Some(2), delete);
    reg.simple("hash-table-contains?", 2, Some(2), contains);
    reg.simple("hash-table-exists?", 2, Some(2), contains);
    reg.simple("hash-table-count", 1, Some(1), count);
    reg.simple("hash-table-size", 1, Some(1), count);
    reg.simple("hash-table-keys", 1, Some(1), keys);
    reg.simple("hash-table-values", 1, Some(1), values);
    reg.simple("hash-table->alist", 1, Some(1), to_alist);
    reg.simple("hash-table-clear!", 1, Some(1), clear);
    reg.simple("hash-table-copy", 1, Some(2), copy);
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
