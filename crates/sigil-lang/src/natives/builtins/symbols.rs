//! Symbols, booleans, structural equivalence (`equal?`) and the end-of-file object.

use super::{string, symbol, Registry};
use crate::read::symbol::Symbol;
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{Error, NResult, ObjRef, Object, Value};
use crate::run::vm::Vm;
use std::cell::Cell;
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
            (Object::Str(s1), Object::Str(s2)) if s1 == s2 => {}
            (Object::Bytes(b1), Object::Bytes(b2)) if b1 == b2 => {}
            _ => return false,
        }
    }
    true
}

fn is_equal(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(equal(&vm.heap, args[0], args[1])))
}

fn is_symbol(_: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(args[0], Value::Sym(_))))
}

fn symbol_to_string(vm: &mut Vm, args: &[Value]) -> NResult {
    let s = symbol("symbol->string", args[0])?;
    Ok(vm.heap.string(&*s.name()))
}

fn string_to_symbol(vm: &mut Vm, args: &[Value]) -> NResult {
    let s = string(vm, "string->symbol", args[0])?;
    Ok(Value::Sym(Symbol::intern(&s)))
}

fn symbol_eq(_: &mut Vm, args: &[Value]) -> NResult {
    let first = symbol("symbol=?", args[0])?;
    let mut all = true;
    for &a in &args[1..] {
        all &= symbol("symbol=?", a)? == first;
    }
    Ok(Value::Bool(all))
}

thread_local! {
    static GENSYM_COUNTER: Cell<u64> = const { Cell::new(0) };
}

/// `(gensym [prefix])`: a new symbol named PREFIX%N (PREFIX defaults to `g`); the `%`
/// keeps it apart from names people write.
fn gensym(vm: &mut Vm, args: &[Value]) -> NResult {
    let prefix = match args.first() {
        None => "g".to_string(),
        Some(&Value::Sym(s)) => s.name().to_string(),
        Some(&v) => string(vm, "gensym", v)
            .map_err(|_| Error::wrong_type("gensym", "a string or symbol", v))?,
    };
    let n = GENSYM_COUNTER.with(|c| {
        let n = c.get().wrapping_add(1);
        c.set(n);
        n
    });
    Ok(Value::Sym(Symbol::intern(&format!("{prefix}%{n}"))))
}

fn is_boolean(_: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(args[0], Value::Bool(_))))
}

fn boolean_eq(_: &mut Vm, args: &[Value]) -> NResult {
    let as_bool = |v: Value| match v {
        Value::Bool(b) => Ok(b),
        _ => Err(Error::wrong_type("boolean=?", "a boolean", v)),
    };
    let first = as_bool(args[0])?;
    let mut all = true;
    for &a in &args[1..] {
        all &= as_bool(a)? == first;
    }
    Ok(Value::Bool(all))
}

fn eof_object(_: &mut Vm, _: &[Value]) -> NResult {
    Ok(Value::Eof)
}

fn is_eof_object(_: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(args[0], Value::Eof)))
}

/// Registers the symbol, boolean and equivalence natives.
pub fn register(reg: &mut Registry) {
    reg.simple("equal?", 2, Some(2), is_equal);
    reg.simple("symbol?", 1, Some(1), is_symbol);
    reg.simple("symbol->string", 1, Some(1), symbol_to_string);
    reg.simple("string->symbol", 1, Some(1), string_to_symbol);
    reg.simple("symbol=?", 1, None, symbol_eq);
    reg.simple("gensym", 0, Some(1), gensym);
    reg.simple("boolean?", 1, Some(1), is_boolean);
    reg.simple("boolean=?", 1, None, boolean_eq);
    reg.simple("eof-object", 0, Some(0), eof_object);
    reg.simple("eof-object?", 1, Some(1), is_eof_object);
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
            ("(symbol=? 'a 1)", "symbol=?: expected a symbol, got 1"),
            ("(boolean=? #t 1)", "boolean=?: expected a boolean, got 1"),
            ("(gensym 5)", "gensym: expected a string or symbol, got 5"),
        ]);
    }
}
