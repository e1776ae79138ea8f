//! The procedures the compiler inlines (their out-of-line versions and slow paths), basic
//! arithmetic and comparison, and equivalence. Output procedures live in `ports`.

use super::Registry;
use crate::run::numeric::{self, compare};
use crate::run::value::{Error, NResult, Object, Value};
use crate::run::vm::Vm;
use std::cmp::Ordering;

fn plus(vm: &mut Vm, args: &[Value]) -> NResult {
    let mut acc = Value::Int(0);
    for &a in args {
        acc = numeric::add(&mut vm.heap, acc, a)?;
    }
    if args.len() == 1 {
        numeric::num(&vm.heap, "+", args[0])?;
    }
    Ok(acc)
}

fn times(vm: &mut Vm, args: &[Value]) -> NResult {
    let mut acc = Value::Int(1);
    for &a in args {
        acc = numeric::mul(&mut vm.heap, acc, a)?;
    }
    Ok(acc)
}

fn minus(vm: &mut Vm, args: &[Value]) -> NResult {
    if args.len() == 1 {
        return numeric::sub(&mut vm.heap, Value::Int(0), args[0]);
    }
    let mut acc = args[0];
    for &a in &args[1..] {
        acc = numeric::sub(&mut vm.heap, acc, a)?;
    }
    Ok(acc)
}

fn divide(vm: &mut Vm, args: &[Value]) -> NResult {
    if args.len() == 1 {
        return numeric::div(&mut vm.heap, Value::Int(1), args[0]);
    }
    let mut acc = args[0];
    for &a in &args[1..] {
        acc = numeric::div(&mut vm.heap, acc, a)?;
    }
    Ok(acc)
}

fn chain(vm: &Vm, who: &str, args: &[Value], ok: fn(Ordering) -> bool) -> NResult {
    let mut result = true;
    for w in args.windows(2) {
        match compare(&vm.heap, who, w[0], w[1])? {
            Some(o) if ok(o) => {}
            _ => result = false,
        }
    }
    if args.len() == 1 {
        numeric::num(&vm.heap, who, args[0])?;
    }
    Ok(Value::Bool(result))
}

fn lt(vm: &mut Vm, a: &[Value]) -> NResult {
    chain(vm, "<", a, |o| o == Ordering::Less)
}
fn gt(vm: &mut Vm, a: &[Value]) -> NResult {
    chain(vm, ">", a, |o| o == Ordering::Greater)
}
fn le(vm: &mut Vm, a: &[Value]) -> NResult {
    chain(vm, "<=", a, |o| o != Ordering::Greater)
}
fn ge(vm: &mut Vm, a: &[Value]) -> NResult {
    chain(vm, ">=", a, |o| o != Ordering::Less)
}
fn num_eq(vm: &mut Vm, a: &[Value]) -> NResult {
    chain(vm, "=", a, |o| o == Ordering::Equal)
}

fn car(vm: &mut Vm, a: &[Value]) -> NResult {
    vm.heap
        .pair(a[0])
        .map(|p| p.0)
        .ok_or_else(|| Error::wrong_type("car", "a pair", a[0]))
}

fn cdr(vm: &mut Vm, a: &[Value]) -> NResult {
    vm.heap
        .pair(a[0])
        .map(|p| p.1)
        .ok_or_else(|| Error::wrong_type("cdr", "a pair", a[0]))
}

fn cons(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(vm.heap.cons(a[0], a[1]))
}

fn is_null(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(a[0], Value::Null)))
}

fn is_pair(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(vm.heap.pair(a[0]).is_some()))
}

fn not(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(a[0], Value::Bool(false))))
}

fn eq(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(a[0].eq(a[1])))
}

fn eqv(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(numeric::eqv(&vm.heap, a[0], a[1])))
}

fn is_zero(vm: &mut Vm, a: &[Value]) -> NResult {
    num_eq(vm, &[a[0], Value::Int(0)])
}

fn vector_ref(vm: &mut Vm, a: &[Value]) -> NResult {
    let i = super::index("vector-ref", a[1])?;
    match vm.heap.obj(a[0]) {
        Some(Object::Vector(v)) => v.get(i).copied().ok_or_else(|| {
            Error::with(
                "range-error",
                format!("vector-ref: index {i} out of range for length {}", v.len()),
                vec![],
            )
        }),
        _ => Err(Error::wrong_type("vector-ref", "a vector", a[0])),
    }
}

fn vector_set(vm: &mut Vm, a: &[Value]) -> NResult {
    let i = super::index("vector-set!", a[1])?;
    match vm.heap.obj_mut(a[0]) {
        Some(Object::Vector(v)) => {
            let len = v.len();
            match v.get_mut(i) {
                Some(slot) => {
                    *slot = a[2];
                    Ok(Value::Unspecified)
                }
                None => Err(Error::with(
                    "range-error",
                    format!("vector-set!: index {i} out of range for length {len}"),
                    vec![],
                )),
            }
        }
        _ => Err(Error::wrong_type("vector-set!", "a vector", a[0])),
    }
}

/// Registers the base natives.
pub fn register(reg: &mut Registry) {
    reg.simple("+", 0, None, plus);
    reg.simple("*", 0, None, times);
    reg.simple("-", 1, None, minus);
    reg.simple("/", 1, None, divide);
    reg.simple("<", 1, None, lt);
    reg.simple(">", 1, None, gt);
    reg.simple("<=", 1, None, le);
    reg.simple(">=", 1, None, ge);
    reg.simple("=", 1, None, num_eq);
    reg.simple("car", 1, Some(1), car);
    reg.simple("cdr", 1, Some(1), cdr);
    reg.simple("cons", 2, Some(2), cons);
    reg.simple("null?", 1, Some(1), is_null);
    reg.simple("pair?", 1, Some(1), is_pair);
    reg.simple("not", 1, Some(1), not);
    reg.simple("eq?", 2, Some(2), eq);
    reg.simple("eqv?", 2, Some(2), eqv);
    reg.simple("zero?", 1, Some(1), is_zero);
    reg.simple("vector-ref", 2, Some(2), vector_ref);
    reg.simple("vector-set!", 3, Some(3), vector_set);
}
