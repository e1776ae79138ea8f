//! The procedures the compiler inlines (their out-of-line versions and slow paths), basic
//! arithmetic and comparison, and equivalence. Output procedures live in `ports`.

use super::seq::out_of_range;
use super::Registry;
use crate::native;
use crate::run::ctx::Ctx;
use crate::run::numeric::{self, compare};
use crate::run::value::{Error, NResult, Value};
use std::cmp::Ordering;

/// `(+ z ...)`.
#[native("+")]
fn plus(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult {
    let heap = &mut ctx.vm.heap;
    let mut acc = Value::Int(0);
    for &a in args {
        acc = numeric::add(heap, acc, a)?;
    }
    if let [only] = args {
        numeric::num(heap, *only)?;
    }
    Ok(acc)
}

/// `(* z ...)`.
#[native("*")]
fn times(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult {
    let mut acc = Value::Int(1);
    for &a in args {
        acc = numeric::mul(&mut ctx.vm.heap, acc, a)?;
    }
    Ok(acc)
}

/// `(- z)` negates; `(- z1 z2 ...)` subtracts the others from `z1`.
#[native("-")]
fn minus(ctx: &mut Ctx, first: Value, #[rest] others: &[Value]) -> NResult {
    let heap = &mut ctx.vm.heap;
    if others.is_empty() {
        // Multiplying by -1 rather than subtracting from 0 keeps the sign of a zero:
        // `(- 0.0)` is `-0.0`.
        return numeric::mul(heap, Value::Int(-1), first);
    }
    let mut acc = first;
    for &a in others {
        acc = numeric::sub(heap, acc, a)?;
    }
    Ok(acc)
}

/// `(/ z)` inverts; `(/ z1 z2 ...)` divides `z1` by the others.
#[native("/")]
fn divide(ctx: &mut Ctx, first: Value, #[rest] others: &[Value]) -> NResult {
    let heap = &mut ctx.vm.heap;
    if others.is_empty() {
        return numeric::div(heap, Value::Int(1), first);
    }
    let mut acc = first;
    for &a in others {
        acc = numeric::div(heap, acc, a)?;
    }
    Ok(acc)
}

/// Whether each adjacent pair of numbers compares as `ok` says.
fn chain(ctx: &Ctx, args: &[Value], ok: fn(Ordering) -> bool) -> NResult<bool> {
    let heap = ctx.heap();
    let mut result = true;
    for w in args.windows(2) {
        match compare(heap, w[0], w[1])? {
            Some(o) if ok(o) => {}
            _ => result = false,
        }
    }
    if let [only] = args {
        numeric::real(heap, *only)?;
    }
    Ok(result)
}

/// `(< x1 x2 ...)`.
#[native("<")]
fn lt(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult<bool> {
    chain(ctx, args, Ordering::is_lt)
}

/// `(> x1 x2 ...)`.
#[native(">")]
fn gt(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult<bool> {
    chain(ctx, args, Ordering::is_gt)
}

/// `(<= x1 x2 ...)`.
#[native("<=")]
fn le(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult<bool> {
    chain(ctx, args, Ordering::is_le)
}

/// `(>= x1 x2 ...)`.
#[native(">=")]
fn ge(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult<bool> {
    chain(ctx, args, Ordering::is_ge)
}

/// `(= z1 z2 ...)`: numeric equality, complex numbers included.
#[native("=")]
fn num_eq(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult<bool> {
    let heap = ctx.heap();
    let mut result = true;
    for w in args.windows(2) {
        result &= numeric::num_eq(heap, w[0], w[1])?;
    }
    if let [only] = args {
        numeric::num(heap, *only)?;
    }
    Ok(result)
}

/// `(zero? z)`.
#[native("zero?")]
fn is_zero(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    numeric::num_eq(ctx.heap(), z, Value::Int(0))
}

/// The pair's fields, or the error of a procedure that wanted a pair.
fn pair(ctx: &Ctx, v: Value) -> NResult<(Value, Value)> {
    ctx.heap()
        .pair(v)
        .ok_or_else(|| Error::expected("a pair", v))
}

/// `(car pair)`.
#[native("car")]
fn car(ctx: &mut Ctx, p: Value) -> NResult {
    Ok(pair(ctx, p)?.0)
}

/// `(cdr pair)`.
#[native("cdr")]
fn cdr(ctx: &mut Ctx, p: Value) -> NResult {
    Ok(pair(ctx, p)?.1)
}

/// `(cons obj1 obj2)`.
#[native("cons")]
fn cons(ctx: &mut Ctx, a: Value, b: Value) -> Value {
    ctx.cons(a, b)
}

/// `(null? obj)`.
#[native("null?")]
fn is_null(v: Value) -> bool {
    matches!(v, Value::Null)
}

/// `(pair? obj)`.
#[native("pair?")]
fn is_pair(ctx: &mut Ctx, v: Value) -> bool {
    ctx.heap().pair(v).is_some()
}

/// `(not obj)`.
#[native("not")]
fn not(v: Value) -> bool {
    matches!(v, Value::Bool(false))
}

/// `(eq? obj1 obj2)`.
#[native("eq?")]
fn eq(a: Value, b: Value) -> bool {
    a.eq(b)
}

/// `(eqv? obj1 obj2)`.
#[native("eqv?")]
fn eqv(ctx: &mut Ctx, a: Value, b: Value) -> bool {
    numeric::eqv(ctx.heap(), a, b)
}

/// `(vector-ref vector k)`.
#[native("vector-ref")]
fn vector_ref(v: &[Value], k: usize) -> NResult {
    v.get(k).copied().ok_or_else(|| out_of_range(k, v.len()))
}

/// `(vector-set! vector k obj)`.
#[native("vector-set!")]
fn vector_set(items: &mut [Value], k: usize, x: Value) -> NResult<()> {
    let len = items.len();
    let slot = items.get_mut(k).ok_or_else(|| out_of_range(k, len))?;
    *slot = x;
    Ok(())
}

/// Registers the base natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        PLUS, TIMES, MINUS, DIVIDE, LT, GT, LE, GE, NUM_EQ, CAR, CDR, CONS, IS_NULL, IS_PAIR, NOT,
        EQ, EQV, IS_ZERO, VECTOR_REF, VECTOR_SET,
    ]);
}
