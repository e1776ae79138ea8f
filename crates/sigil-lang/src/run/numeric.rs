//! Numbers: fixnums that overflow into bignums, and flonums. Exact division that does not
//! come out even yields a flonum (Sigil has no exact rationals).

use crate::read::number_syntax::{format_float, Number};
use crate::run::heap::Heap;
use crate::run::value::{Error, NResult, Object, Value};
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};
use std::cmp::Ordering;

/// A number taken apart for arithmetic.
#[derive(Clone, Debug)]
pub enum Num {
    /// Exact integer (fixnum or bignum).
    Int(BigInt),
    /// Flonum.
    Float(f64),
}

/// Whether `v` is a number.
pub fn is_number(heap: &Heap, v: Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_)) || heap.big(v).is_some()
}

/// Whether `v` is an exact integer.
pub fn is_exact_integer(heap: &Heap, v: Value) -> bool {
    matches!(v, Value::Int(_)) || heap.big(v).is_some()
}

/// Takes a number apart. The type error names no procedure: a native's wrapper adds
/// its name (see [`Error::expected`]); so do the errors of the other functions here.
pub fn num(heap: &Heap, v: Value) -> NResult<Num> {
    match v {
        Value::Int(i) => Ok(Num::Int(BigInt::from(i))),
        Value::Float(f) => Ok(Num::Float(f)),
        _ => match heap.big(v) {
            Some(b) => Ok(Num::Int(b.clone())),
            None => Err(Error::expected("a number", v)),
        },
    }
}

/// Converts a number to a float.
pub fn to_f64(n: &Num) -> f64 {
    match n {
        Num::Int(i) => i.to_f64().unwrap_or(f64::NAN),
        Num::Float(f) => *f,
    }
}

/// Stores a number as a value.
pub fn from_num(heap: &mut Heap, n: Num) -> Value {
    match n {
        Num::Int(i) => heap.integer(i),
        Num::Float(f) => Value::Float(f),
    }
}

/// `eqv?`: identity, plus numeric equality of numbers of the same exactness.
#[inline]
pub fn eqv(heap: &Heap, a: Value, b: Value) -> bool {
    match (a, b) {
        // Distinct objects are only `eqv?` when they are equal bignums.
        (Value::Obj(x), Value::Obj(y)) if x != y => {
            matches!((heap.get(x), heap.get(y)), (Object::Big(p), Object::Big(q)) if p == q)
        }
        _ => a.eq(b),
    }
}

fn arith(
    heap: &mut Heap,
    a: Value,
    b: Value,
    int: fn(BigInt, BigInt) -> BigInt,
    float: fn(f64, f64) -> f64,
) -> NResult {
    let r = match (num(heap, a)?, num(heap, b)?) {
        (Num::Int(x), Num::Int(y)) => Num::Int(int(x, y)),
        (x, y) => Num::Float(float(to_f64(&x), to_f64(&y))),
    };
    Ok(from_num(heap, r))
}

/// `(+ a b)`.
pub fn add(heap: &mut Heap, a: Value, b: Value) -> NResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = x.checked_add(y) {
            return Ok(Value::Int(r));
        }
    }
    if let (Value::Float(x), Value::Float(y)) = (a, b) {
        return Ok(Value::Float(x + y));
    }
    arith(heap, a, b, |x, y| x + y, |x, y| x + y)
}

/// `(- a b)`.
pub fn sub(heap: &mut Heap, a: Value, b: Value) -> NResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = x.checked_sub(y) {
            return Ok(Value::Int(r));
        }
    }
    arith(heap, a, b, |x, y| x - y, |x, y| x - y)
}

/// `(* a b)`.
pub fn mul(heap: &mut Heap, a: Value, b: Value) -> NResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = x.checked_mul(y) {
            return Ok(Value::Int(r));
        }
    }
    arith(heap, a, b, |x, y| x * y, |x, y| x * y)
}

/// `(/ a b)`: exact when the division is even, else a flonum.
pub fn div(heap: &mut Heap, a: Value, b: Value) -> NResult {
    match (num(heap, a)?, num(heap, b)?) {
        (Num::Int(x), Num::Int(y)) => {
            if y.is_zero() {
                return Err(Error::range("division by zero"));
            }
            if (&x % &y).is_zero() {
                Ok(heap.integer(x / y))
            } else {
                Ok(Value::Float(to_f64(&Num::Int(x)) / to_f64(&Num::Int(y))))
            }
        }
        (x, y) => Ok(Value::Float(to_f64(&x) / to_f64(&y))),
    }
}

/// Compares two numbers (`None` when a NaN is involved).
pub fn compare(heap: &Heap, a: Value, b: Value) -> NResult<Option<Ordering>> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(Some(x.cmp(&y)));
    }
    Ok(match (num(heap, a)?, num(heap, b)?) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (x, y) => to_f64(&x).partial_cmp(&to_f64(&y)),
    })
}

/// An exact integer argument as a `BigInt`.
pub fn integer(heap: &Heap, v: Value) -> NResult<BigInt> {
    match num(heap, v)? {
        Num::Int(i) => Ok(i),
        Num::Float(f) if f.fract() == 0.0 && f.is_finite() => {
            num_traits::FromPrimitive::from_f64(f).ok_or_else(|| Error::expected("an integer", v))
        }
        _ => Err(Error::expected("an integer", v)),
    }
}

/// Fixnum division rounding toward zero, or toward negative infinity when `floor` is set:
/// quotient and remainder; `None` when `y` is 0 or the quotient overflows.
#[inline]
pub fn fixnum_divide(x: i64, y: i64, floor: bool) -> Option<(i64, i64)> {
    if y == 0 || (x == i64::MIN && y == -1) {
        return None;
    }
    let (q, r) = (x / y, x % y);
    Some(if floor && r != 0 && (r < 0) != (y < 0) {
        (q - 1, r + y)
    } else {
        (q, r)
    })
}

/// `number->string` with a radix.
pub fn number_to_string(heap: &Heap, v: Value, radix: u32) -> NResult<String> {
    if let (Value::Int(i), 10) = (v, radix) {
        return Ok(i.to_string());
    }
    Ok(match num(heap, v)? {
        Num::Int(i) => i.to_str_radix(radix),
        Num::Float(f) => format_float(f),
    })
}

/// `string->number`: `None` when the text is not a number (or is number syntax for a
/// kind of number Sigil does not have, such as `1/3`). Same parser as the reader.
pub fn parse_number(heap: &mut Heap, s: &str, radix: u32) -> Option<Value> {
    Some(
        match crate::read::number_syntax::parse_number(s, radix).ok()? {
            Number::Fixnum(i) => Value::Int(i),
            Number::Big(b) => heap.integer(b),
            Number::Flonum(x) => Value::Float(x),
        },
    )
}
