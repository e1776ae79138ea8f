//! Numbers at run time: the R7RS numeric tower. Fixnums and flonums are immediate values;
//! bignums, exact rationals and complex numbers are heap objects. A number taken apart
//! is a [`Number`] (the reader's type): the general arithmetic below works on those,
//! after the cases of fixnums and flonums alone have been done without taking anything
//! apart.
//!
//! Exactness follows R7RS: an operation on exact numbers is exact (`(/ 1 3)` is `1/3`),
//! an inexact operand makes the result inexact, and comparisons between exact and
//! inexact numbers compare the exact value of the flonum, so they are transitive.

use crate::read::number_format::format_number;
use crate::read::number_syntax::{Complex, ExactComplex, InexactComplex, Number, Rational};
use crate::run::heap::Heap;
use crate::run::value::{Error, NResult, Object, Value};
use num_bigint::BigInt;
use num_traits::Zero;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

/// Whether `v` is a number.
pub fn is_number(heap: &Heap, v: Value) -> bool {
    match v {
        Value::Int(_) | Value::Float(_) => true,
        Value::Obj(_) => matches!(
            heap.obj(v),
            Some(Object::Big(_) | Object::Ratio(_) | Object::Complex(_))
        ),
        _ => false,
    }
}

/// Whether `v` is an exact integer.
pub fn is_exact_integer(heap: &Heap, v: Value) -> bool {
    matches!(v, Value::Int(_)) || heap.big(v).is_some()
}

/// Takes a number apart. The type error names no procedure: a native's wrapper adds
/// its name (see [`Error::expected`]); so do the errors of the other functions here.
pub fn num(heap: &Heap, v: Value) -> NResult<Number> {
    match v {
        Value::Int(i) => Ok(Number::Fixnum(i)),
        Value::Float(f) => Ok(Number::Flonum(f)),
        _ => match heap.obj(v) {
            Some(Object::Big(b)) => Ok(Number::Big(b.clone())),
            Some(Object::Ratio(r)) => Ok(Number::Ratio((**r).clone())),
            Some(Object::Complex(z)) => Ok(Number::Complex((**z).clone())),
            _ => Err(Error::expected("a number", v)),
        },
    }
}

/// A real number taken apart; a type error for anything else.
pub fn real(heap: &Heap, v: Value) -> NResult<Number> {
    match num(heap, v)? {
        Number::Complex(_) => Err(Error::expected("a real number", v)),
        n => Ok(n),
    }
}

/// Stores a number as a value.
pub fn from_num(heap: &mut Heap, n: Number) -> Value {
    match n {
        Number::Fixnum(i) => Value::Int(i),
        Number::Big(b) => heap.integer(b),
        Number::Ratio(r) => heap.alloc(Object::Ratio(Box::new(r))),
        Number::Flonum(x) => Value::Float(x),
        Number::Complex(z) => heap.alloc(Object::Complex(Box::new(z))),
    }
}

/// `eqv?`: identity, plus equality of numbers of the same exactness and kind (`0.0` and
/// `-0.0` differ; all NaNs are the same).
#[inline]
pub fn eqv(heap: &Heap, a: Value, b: Value) -> bool {
    match (a, b) {
        // Distinct objects are only `eqv?` when they are equal numbers (most are not
        // numbers: that test stays inline).
        (Value::Obj(x), Value::Obj(y)) if x != y => {
            let a = heap.get(x);
            matches!(a, Object::Big(_) | Object::Ratio(_) | Object::Complex(_))
                && eqv_numbers(a, heap.get(y))
        }
        (Value::Float(x), Value::Float(y)) => same_float(x, y),
        _ => a.eq(b),
    }
}

/// Whether two flonums are `eqv?`: the same bits, or both NaN.
#[inline]
fn same_float(x: f64, y: f64) -> bool {
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
}

#[inline(never)]
fn eqv_numbers(a: &Object, b: &Object) -> bool {
    match (a, b) {
        (Object::Big(p), Object::Big(q)) => p == q,
        (Object::Ratio(p), Object::Ratio(q)) => p == q,
        (Object::Complex(p), Object::Complex(q)) => match (&**p, &**q) {
            (Complex::Exact(x), Complex::Exact(y)) => x == y,
            (Complex::Inexact(x), Complex::Inexact(y)) => {
                same_float(x.re, y.re) && same_float(x.im, y.im)
            }
            _ => false,
        },
        _ => false,
    }
}

/// The bits of a flonum for hashing consistently with [`eqv`] (one NaN).
pub fn float_hash_bits(x: f64) -> u64 {
    if x.is_nan() {
        f64::NAN.to_bits()
    } else {
        x.to_bits()
    }
}

/// Hashes a complex number consistently with [`eqv`].
pub fn hash_complex(z: &Complex, h: &mut impl Hasher) {
    match z {
        Complex::Exact(z) => z.hash(h),
        Complex::Inexact(z) => {
            h.write_u64(float_hash_bits(z.re));
            h.write_u64(float_hash_bits(z.im));
        }
    }
}

// ---- arithmetic ---------------------------------------------------------------------------

/// The operands of a binary operation brought to their common kind: exact integers,
/// exact rationals, flonums, exact complex or inexact complex numbers.
enum Operands {
    Ints(BigInt, BigInt),
    Ratios(Rational, Rational),
    Floats(f64, f64),
    Exact(ExactComplex, ExactComplex),
    Inexact(InexactComplex, InexactComplex),
}

fn operands(a: Number, b: Number) -> Operands {
    let complex = !a.is_real() || !b.is_real();
    if !a.is_exact() || !b.is_exact() {
        return if complex {
            Operands::Inexact(inexact_parts(&a), inexact_parts(&b))
        } else {
            Operands::Floats(real_f64(&a), real_f64(&b))
        };
    }
    if complex {
        return Operands::Exact(exact_parts(a), exact_parts(b));
    }
    match (a, b) {
        (Number::Fixnum(x), Number::Fixnum(y)) => Operands::Ints(x.into(), y.into()),
        (a @ (Number::Fixnum(_) | Number::Big(_)), b @ (Number::Fixnum(_) | Number::Big(_))) => {
            Operands::Ints(exact_integer(a), exact_integer(b))
        }
        (a, b) => Operands::Ratios(rational(&a), rational(&b)),
    }
}

/// An exact integer's value (0 for anything else, which callers do not pass).
fn exact_integer(n: Number) -> BigInt {
    match n {
        Number::Fixnum(i) => i.into(),
        Number::Big(b) => b,
        _ => BigInt::zero(),
    }
}

/// An exact real's value (0 for anything else, which callers do not pass).
fn rational(n: &Number) -> Rational {
    n.to_rational().unwrap_or_default()
}

/// A real's nearest flonum (NaN for a non-real, which callers do not pass).
pub fn real_f64(n: &Number) -> f64 {
    n.real_to_f64().unwrap_or(f64::NAN)
}

/// An exact number's parts.
fn exact_parts(n: Number) -> ExactComplex {
    match n {
        Number::Complex(Complex::Exact(z)) => z,
        real => ExactComplex::new(rational(&real), Rational::zero()),
    }
}

/// A number's parts as flonums.
pub fn inexact_parts(n: &Number) -> InexactComplex {
    match n.to_inexact() {
        Number::Complex(Complex::Inexact(z)) => z,
        real => InexactComplex::new(real_f64(&real), 0.0),
    }
}

fn division_by_zero() -> Error {
    Error::range("division by zero")
}

/// `a + b` on numbers of any kind.
pub fn add_numbers(a: Number, b: Number) -> Number {
    match operands(a, b) {
        Operands::Ints(x, y) => Number::integer(x + y),
        Operands::Ratios(x, y) => Number::rational(x + y),
        Operands::Floats(x, y) => Number::Flonum(x + y),
        Operands::Exact(x, y) => Number::exact_complex(x + y),
        Operands::Inexact(x, y) => Number::Complex(Complex::Inexact(x + y)),
    }
}

/// `a - b` on numbers of any kind.
pub fn sub_numbers(a: Number, b: Number) -> Number {
    match operands(a, b) {
        Operands::Ints(x, y) => Number::integer(x - y),
        Operands::Ratios(x, y) => Number::rational(x - y),
        Operands::Floats(x, y) => Number::Flonum(x - y),
        Operands::Exact(x, y) => Number::exact_complex(x - y),
        Operands::Inexact(x, y) => Number::Complex(Complex::Inexact(x - y)),
    }
}

/// `a × b` on numbers of any kind. An inexact complex number times a real scales both
/// parts (so `(* +inf.0+1.0i 2)` has no NaN from `inf × 0`).
pub fn mul_numbers(a: Number, b: Number) -> Number {
    if let Some((z, x)) = complex_and_real(&a, &b) {
        return Number::Complex(Complex::Inexact(z * x));
    }
    match operands(a, b) {
        Operands::Ints(x, y) => Number::integer(x * y),
        Operands::Ratios(x, y) => Number::rational(x * y),
        Operands::Floats(x, y) => Number::Flonum(x * y),
        Operands::Exact(x, y) => Number::exact_complex(x * y),
        Operands::Inexact(x, y) => Number::Complex(Complex::Inexact(x * y)),
    }
}

/// `a / b` on numbers of any kind; exact division by an exact zero is an error.
pub fn div_numbers(a: Number, b: Number) -> NResult<Number> {
    if let (Some((z, x)), false) = (complex_and_real(&a, &b), a.is_real()) {
        return Ok(Number::Complex(Complex::Inexact(z / x)));
    }
    Ok(match operands(a, b) {
        Operands::Ints(_, y) if y.is_zero() => return Err(division_by_zero()),
        Operands::Ints(x, y) => Number::rational(Rational::new(x, y)),
        Operands::Ratios(_, y) if y.is_zero() => return Err(division_by_zero()),
        Operands::Ratios(x, y) => Number::rational(x / y),
        Operands::Floats(x, y) => Number::Flonum(x / y),
        Operands::Exact(_, y) if y.is_zero() => return Err(division_by_zero()),
        Operands::Exact(x, y) => Number::exact_complex(x / y),
        Operands::Inexact(x, y) => Number::Complex(Complex::Inexact(x / y)),
    })
}

/// An inexact complex operand and the other, real, operand as a flonum, if the operands
/// are one of each (in either order).
fn complex_and_real(a: &Number, b: &Number) -> Option<(InexactComplex, f64)> {
    match (a, b) {
        (Number::Complex(Complex::Inexact(z)), x) | (x, Number::Complex(Complex::Inexact(z)))
            if x.is_real() =>
        {
            Some((*z, real_f64(x)))
        }
        _ => None,
    }
}

/// Applies `general` to two numbers, after the cases where both are flonums or one is a
/// fixnum and the other a flonum (`float` then computes the result without taking
/// anything apart). Out of line, so that the fixnum and flonum cases of its callers
/// stay small enough to inline.
#[inline(never)]
fn arith(
    heap: &mut Heap,
    a: Value,
    b: Value,
    float: fn(f64, f64) -> f64,
    general: fn(Number, Number) -> NResult<Number>,
) -> NResult {
    let n = match (a, b) {
        (Value::Float(x), Value::Float(y)) => return Ok(Value::Float(float(x, y))),
        (Value::Int(x), Value::Float(y)) => return Ok(Value::Float(float(x as f64, y))),
        (Value::Float(x), Value::Int(y)) => return Ok(Value::Float(float(x, y as f64))),
        _ => general(num(heap, a)?, num(heap, b)?)?,
    };
    Ok(from_num(heap, n))
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
    arith(heap, a, b, |x, y| x + y, |x, y| Ok(add_numbers(x, y)))
}

/// `(- a b)`.
pub fn sub(heap: &mut Heap, a: Value, b: Value) -> NResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = x.checked_sub(y) {
            return Ok(Value::Int(r));
        }
    }
    arith(heap, a, b, |x, y| x - y, |x, y| Ok(sub_numbers(x, y)))
}

/// `(* a b)`.
pub fn mul(heap: &mut Heap, a: Value, b: Value) -> NResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if let Some(r) = x.checked_mul(y) {
            return Ok(Value::Int(r));
        }
    }
    arith(heap, a, b, |x, y| x * y, |x, y| Ok(mul_numbers(x, y)))
}

/// `(/ a b)`: exact for exact operands (`(/ 1 3)` is `1/3`); exact division by zero is
/// an error.
pub fn div(heap: &mut Heap, a: Value, b: Value) -> NResult {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if y != 0 && x.checked_rem(y) == Some(0) {
            return Ok(Value::Int(x / y));
        }
    }
    arith(heap, a, b, |x, y| x / y, div_numbers)
}

// ---- comparison ---------------------------------------------------------------------------

/// Integers up to this magnitude convert to flonums exactly.
const EXACT_FLOAT_INTEGER: u64 = 1 << 53;

/// Compares two reals exactly (`None` when a NaN is involved); a type error for a number
/// that is not real.
pub fn compare(heap: &Heap, a: Value, b: Value) -> NResult<Option<Ordering>> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => return Ok(Some(x.cmp(&y))),
        (Value::Float(x), Value::Float(y)) => return Ok(x.partial_cmp(&y)),
        (Value::Int(x), Value::Float(y)) if x.unsigned_abs() <= EXACT_FLOAT_INTEGER => {
            return Ok((x as f64).partial_cmp(&y));
        }
        (Value::Float(x), Value::Int(y)) if y.unsigned_abs() <= EXACT_FLOAT_INTEGER => {
            return Ok(x.partial_cmp(&(y as f64)));
        }
        _ => {}
    }
    Ok(compare_reals(&real(heap, a)?, &real(heap, b)?))
}

/// Compares two reals exactly: a flonum against an exact number compares its exact value
/// (so `9007199254740992.0` is less than `9007199254740993`). `None` when a NaN is
/// involved (or a number is not real, which callers check).
pub fn compare_reals(a: &Number, b: &Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Fixnum(x), Number::Fixnum(y)) => Some(x.cmp(y)),
        (Number::Flonum(x), Number::Flonum(y)) => x.partial_cmp(y),
        (Number::Flonum(x), e) => float_vs_exact(*x, e),
        (e, Number::Flonum(y)) => float_vs_exact(*y, e).map(Ordering::reverse),
        (x, y) => Some(x.to_rational()?.cmp(&y.to_rational()?)),
    }
}

/// How flonum `x` compares with exact real `e`.
fn float_vs_exact(x: f64, e: &Number) -> Option<Ordering> {
    if x.is_infinite() {
        return Some(if x > 0.0 {
            Ordering::Greater
        } else {
            Ordering::Less
        });
    }
    // `from_float` is `None` for a NaN, which is unordered.
    Some(Rational::from_float(x)?.cmp(&e.to_rational()?))
}

/// `(= a b)`: numeric equality, exact across exactness, part by part for complex numbers.
pub fn num_eq(heap: &Heap, a: Value, b: Value) -> NResult<bool> {
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        return Ok(x == y);
    }
    if is_real_value(heap, a) && is_real_value(heap, b) {
        return Ok(compare(heap, a, b)? == Some(Ordering::Equal));
    }
    Ok(numbers_equal(&num(heap, a)?, &num(heap, b)?))
}

/// Whether `v` is a real number (without taking it apart).
fn is_real_value(heap: &Heap, v: Value) -> bool {
    match v {
        Value::Int(_) | Value::Float(_) => true,
        _ => matches!(heap.obj(v), Some(Object::Big(_) | Object::Ratio(_))),
    }
}

/// Numeric equality of two numbers of any kind.
pub fn numbers_equal(a: &Number, b: &Number) -> bool {
    let ((ar, ai), (br, bi)) = (parts(a), parts(b));
    compare_reals(&ar, &br) == Some(Ordering::Equal)
        && compare_reals(&ai, &bi) == Some(Ordering::Equal)
}

/// The real and imaginary parts of a number (a real's imaginary part is an exact 0).
pub fn parts(n: &Number) -> (Number, Number) {
    match n {
        Number::Complex(Complex::Exact(z)) => (
            Number::rational(z.re.clone()),
            Number::rational(z.im.clone()),
        ),
        Number::Complex(Complex::Inexact(z)) => (Number::Flonum(z.re), Number::Flonum(z.im)),
        real => (real.clone(), Number::Fixnum(0)),
    }
}

// ---- integers, text -----------------------------------------------------------------------

/// An exact integer argument as a `BigInt` (an integral flonum is converted).
pub fn integer(heap: &Heap, v: Value) -> NResult<BigInt> {
    match num(heap, v).map_err(|_| Error::expected("an integer", v))? {
        Number::Fixnum(i) => Ok(i.into()),
        Number::Big(b) => Ok(b),
        Number::Flonum(f) if f.fract() == 0.0 && f.is_finite() => {
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

/// `number->string` with a radix (2 to 36).
pub fn number_to_string(heap: &Heap, v: Value, radix: u32) -> NResult<String> {
    if let (Value::Int(i), 10) = (v, radix) {
        return Ok(i.to_string());
    }
    Ok(format_number(&num(heap, v)?, radix))
}

/// `string->number`: `None` when the text is not a number (or is an exact number too
/// large to make). Same parser as the reader.
pub fn parse_number(heap: &mut Heap, s: &str, radix: u32) -> Option<Value> {
    let n = crate::read::number_syntax::parse_number(s, radix).ok()?;
    Some(from_num(heap, n))
}

/// A real number as the nearest flonum, if `v` is one.
pub fn real_to_f64(heap: &Heap, v: Value) -> Option<f64> {
    match v {
        Value::Float(f) => Some(f),
        Value::Int(i) => Some(i as f64),
        _ => num(heap, v).ok()?.real_to_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::number_syntax::parse_number;

    fn n(s: &str) -> Number {
        parse_number(s, 10).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    #[test]
    fn exactness_contagion() {
        assert_eq!(add_numbers(n("1/2"), n("1/3")), n("5/6"));
        assert_eq!(add_numbers(n("1/2"), n("1/2")), n("1"));
        assert_eq!(add_numbers(n("1/2"), n("0.25")), n("0.75"));
        assert_eq!(sub_numbers(n("1+2i"), n("+2i")), n("1"));
        assert_eq!(mul_numbers(n("+i"), n("+i")), n("-1"));
        assert_eq!(mul_numbers(n("1/2"), n("2+4i")), n("1+2i"));
        assert_eq!(mul_numbers(n("1.0+1.0i"), n("2")), n("2.0+2.0i"));
        assert_eq!(add_numbers(n("1+i"), n("0.5")), n("1.5+1.0i"));
        assert_eq!(
            mul_numbers(n("+inf.0+1.0i"), n("2")),
            n("+inf.0+2.0i"),
            "no NaN from inf × 0"
        );
        assert_eq!(
            add_numbers(n("9223372036854775807"), n("1")),
            n("9223372036854775808")
        );
    }

    #[test]
    fn division() {
        assert_eq!(div_numbers(n("1"), n("3")).ok(), Some(n("1/3")));
        assert_eq!(div_numbers(n("-6"), n("4")).ok(), Some(n("-3/2")));
        assert_eq!(div_numbers(n("1/3"), n("1/3")).ok(), Some(n("1")));
        assert_eq!(div_numbers(n("1"), n("+i")).ok(), Some(n("-i")));
        assert_eq!(div_numbers(n("2.0+4.0i"), n("2")).ok(), Some(n("1.0+2.0i")));
        assert_eq!(div_numbers(n("1"), n("0.0")).ok(), Some(n("+inf.0")));
        for zero in ["0", "0/5"] {
            for x in ["1", "1/2", "1+i"] {
                assert!(div_numbers(n(x), n(zero)).is_err(), "{x} / {zero}");
            }
        }
    }

    #[test]
    fn exact_comparison_with_flonums() {
        let less = Some(Ordering::Less);
        assert_eq!(
            compare_reals(&n("9007199254740992.0"), &n("9007199254740993")),
            less
        );
        assert_eq!(
            compare_reals(&n("1/3"), &n("0.3333333333333333")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare_reals(&n("0.1"), &n("1/10")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare_reals(&n("-inf.0"), &n("-99999999999999999999999")),
            less
        );
        assert_eq!(compare_reals(&n("+nan.0"), &n("1")), None);
        assert_eq!(compare_reals(&n("1/2"), &n("0.5")), Some(Ordering::Equal));
        assert!(numbers_equal(&n("1+2i"), &n("1.0+2.0i")));
        assert!(!numbers_equal(&n("1+2i"), &n("1")));
        assert!(numbers_equal(&n("1.0+0.0i"), &n("1")));
    }
}
