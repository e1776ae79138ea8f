//! Symbols, booleans, structural equivalence (`equal?`) and the end-of-file object.

use super::Registry;
use crate::native;
use crate::natives::{FromValue, Rest};
use crate::read::symbol::Symbol;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{ObjRef, Object, Value};
use std::borrow::Cow;
use std::collections::HashSet;

/// Pairs of objects compared by `equal?` before it starts remembering which pairs it has
/// seen (so that circular structures terminate without slowing down small comparisons).
const CYCLE_CHECK_AFTER: usize = 1000;

/// `equal?`: `eqv?` on atoms, structural on pairs, vectors, strings and bytevectors.
/// Iterative, so deep structures do not exhaust the Rust stack, and terminating on
/// circular structures.
pub fn equal(heap: &Heap, a: Value, b: Value) -> bool {
    // Atoms and identical objects need no work list.
    if numeric::eqv(heap, a, b) {
        return true;
    }
    if !matches!((a, b), (Value::Obj(_), Value::Obj(_))) {
        return false;
    }
    let mut work = vec![(a, b)];
    let mut seen: HashSet<(ObjRef, ObjRef)> = HashSet::new();
    let mut steps = 0usize;
    while let Some((x, y)) = work.pop() {
        if numeric::eqv(heap, x, y) {
            continue;
        }
        let (Value::Obj(rx), Value::Obj(ry)) = (x, y) else {
            return false;
        };
        steps += 1;
        if steps > CYCLE_CHECK_AFTER && !seen.insert((rx, ry)) {
            continue;
        }
        match (heap.get(rx), heap.get(ry)) {
            (Object::Pair(a1, d1), Object::Pair(a2, d2)) => {
                work.push((*d1, *d2));
                work.push((*a1, *a2));
            }
            (Object::Vector(v1), Object::Vector(v2)) if v1.len() == v2.len() => {
                work.extend(v1.iter().copied().zip(v2.iter().copied()).rev());
            }
            // Records of one type compare field by field, as in Guile and Chibi (R7RS
            // leaves records to the implementation).
            (Object::Record(t1, f1), Object::Record(t2, f2)) if t1 == t2 => {
                work.extend(f1.iter().copied().zip(f2.iter().copied()).rev());
            }
            (Object::Str(s1), Object::Str(s2)) if s1 == s2 => {}
            (Object::Bytes(b1), Object::Bytes(b2)) if b1 == b2 => {}
            _ => return false,
        }
    }
    true
}

/// `(equal? obj1 obj2)`.
#[native("equal?")]
fn is_equal(ctx: &mut Ctx, a: Value, b: Value) -> bool {
    equal(ctx.heap(), a, b)
}

/// `(symbol? obj)`.
#[native("symbol?")]
fn is_symbol(v: Value) -> bool {
    matches!(v, Value::Sym(_))
}

/// `(symbol->string symbol)`.
#[native("symbol->string")]
fn symbol_to_string(s: Symbol) -> String {
    s.name().to_string()
}

/// `(string->symbol string)`.
#[native("string->symbol")]
fn string_to_symbol(s: &str) -> Symbol {
    Symbol::intern(s)
}

/// `(symbol=? symbol1 symbol2 ...)`.
#[native("symbol=?")]
fn symbol_eq(first: Symbol, more: Rest<Symbol>) -> bool {
    more.iter().all(|&s| s == first)
}

/// The interpreter's count of `gensym` calls (host data: each interpreter has its own).
struct GensymCount(u64);

/// A name given as a string or a symbol.
struct Name(String);

impl FromValue<'_> for Name {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        match v {
            Value::Sym(s) => Some(Name(s.name().to_string())),
            _ => heap.str(v).map(|s| Name(s.to_string())),
        }
    }
    fn expected() -> Cow<'static, str> {
        "a string or symbol".into()
    }
}

/// `(gensym [prefix])`: a new symbol named PREFIX%N (PREFIX defaults to `g`); the `%`
/// keeps it apart from names people write.
#[native("gensym")]
fn gensym(ctx: &mut Ctx, prefix: Option<Name>) -> Symbol {
    let prefix = prefix.map_or_else(|| "g".to_string(), |n| n.0);
    let n = match ctx.host_mut::<GensymCount>() {
        Some(count) => {
            count.0 = count.0.wrapping_add(1);
            count.0
        }
        None => {
            ctx.set_host(GensymCount(1));
            1
        }
    };
    Symbol::intern(&format!("{prefix}%{n}"))
}

/// `(boolean? obj)`.
#[native("boolean?")]
fn is_boolean(v: Value) -> bool {
    matches!(v, Value::Bool(_))
}

/// `(boolean=? boolean1 boolean2 ...)`.
#[native("boolean=?")]
fn boolean_eq(first: bool, more: Rest<bool>) -> bool {
    more.iter().all(|&b| b == first)
}

/// `(eof-object)`.
#[native("eof-object")]
fn eof_object() -> Value {
    Value::Eof
}

/// `(eof-object? obj)`.
#[native("eof-object?")]
fn is_eof_object(v: Value) -> bool {
    matches!(v, Value::Eof)
}

/// Registers the symbol, boolean and equivalence natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        IS_EQUAL,
        IS_SYMBOL,
        SYMBOL_TO_STRING,
        STRING_TO_SYMBOL,
        SYMBOL_EQ,
        GENSYM,
        IS_BOOLEAN,
        BOOLEAN_EQ,
        EOF_OBJECT,
        IS_EOF_OBJECT,
    ]);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check, check_errors};

    #[test]
    fn symbols() {
        check(&[
            ("(symbol? 'a)", "#t"),
            ("(symbol? \"a\")", "#f"),
            ("(symbol->string 'abc)", "\"abc\""),
            ("(string->symbol \"xyz\")", "xyz"),
            ("(eq? (string->symbol \"q\") 'q)", "#t"),
            ("(symbol=? 'a 'a 'a)", "#t"),
            ("(symbol=? 'a 'a 'b)", "#f"),
            ("(symbol? (gensym))", "#t"),
            ("(eq? (gensym) (gensym))", "#f"),
            ("(symbol=? (gensym 'tmp) 'tmp)", "#f"),
        ]);
    }

    #[test]
    fn booleans_and_eof() {
        check(&[
            ("(boolean? #f)", "#t"),
            ("(boolean? '())", "#f"),
            ("(boolean=? #t #t)", "#t"),
            ("(boolean=? #f #f #t)", "#f"),
            ("(eof-object? (eof-object))", "#t"),
            ("(eof-object? '())", "#f"),
        ]);
    }

    #[test]
    fn equality() {
        check(&[
            (
                "(equal? '(1 (2 #(3 \"x\")) . 4) (list 1 (list 2 (vector 3 \"x\")) . (4)))",
                "#f",
            ),
            (
                "(equal? '(1 (2 #(3 \"x\")) . 4) (cons 1 (cons (list 2 (vector 3 \"x\")) 4)))",
                "#t",
            ),
            ("(equal? \"abc\" \"abc\")", "#t"),
            ("(equal? \"abc\" \"abd\")", "#f"),
            ("(equal? #(1 2) #(1 2 3))", "#f"),
            ("(equal? #u8(1 2) #u8(1 2))", "#t"),
            ("(equal? #u8(1 2) #u8(1 3))", "#f"),
            ("(equal? 2 2.0)", "#f"),
            ("(equal? 2.5 2.5)", "#t"),
            ("(equal? (expt 2 100) (expt 2 100))", "#t"),
            ("(equal? 'a 'a)", "#t"),
            ("(equal? '() '())", "#t"),
            ("(equal? car car)", "#t"),
            ("(equal? (lambda (x) x) (lambda (x) x))", "#f"),
            (
                "(define-record-type point (mk x) point? (x px)) (equal? (mk 1) (mk 1))",
                "#t",
            ),
            ("(equal? (mk 1) (mk 2))", "#f"),
            ("(equal? (mk (list 1 \"a\")) (mk (list 1 \"a\")))", "#t"),
            (
                "(define-record-type other (mk2 x) other? (x ox)) (equal? (mk 1) (mk2 1))",
                "#f",
            ),
            ("(let ((p (mk 1))) (equal? p p))", "#t"),
        ]);
    }

    #[test]
    fn equality_of_deep_and_circular_structures() {
        check(&[
            (
                "(define (deep n acc) (if (= n 0) acc (deep (- n 1) (list acc))))
                 (equal? (deep 200000 '()) (deep 200000 '()))",
                "#t",
            ),
            ("(equal? (deep 200000 'a) (deep 200000 'b))", "#f"),
            (
                "(define (ring) (let ((c (list 1 2 3))) (set-cdr! (cddr c) c) c))
                 (equal? (ring) (ring))",
                "#t",
            ),
            ("(let ((r (ring))) (set-car! r 5) (equal? r (ring)))", "#f"),
        ]);
    }

    #[test]
    fn errors() {
        check_errors(&[
            (
                "(symbol->string \"a\")",
                "symbol->string: expected a symbol, got \"a\"",
            ),
            (
                "(string->symbol 'a)",
                "string->symbol: expected a string, got a",
            ),
            (
                "(symbol=? 'a 1)",
                "symbol=?: expected a symbol (argument 2), got 1",
            ),
            (
                "(boolean=? #t 1)",
                "boolean=?: expected a boolean (argument 2), got 1",
            ),
            ("(gensym 5)", "gensym: expected a string or symbol, got 5"),
        ]);
    }
}
