//! Numbers beyond the basic arithmetic in `base`: predicates, signs, `max`/`min`/`abs`,
//! rounding, exactness, rational parts, and conversion to and from text. Integer
//! division, powers and roots, complex numbers with the transcendental functions, and
//! pseudo-random numbers have files of their own. The arithmetic itself is in
//! `run::numeric`.

mod complex;
mod division;
mod powers;
mod random;

use super::Registry;
use crate::native;
use crate::natives::FromValue;
use crate::read::number_syntax::{Complex, Number, Rational};
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric::{self, compare};
use crate::run::value::{Error, NResult, Object, Value};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};
use std::borrow::Cow;
use std::cmp::Ordering;

/// A real number argument, taken apart.
struct Real(Number);

impl FromValue<'_> for Real {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        numeric::real(heap, v).ok().map(Real)
    }
    fn expected() -> Cow<'static, str> {
        "a real number".into()
    }
}

/// The parts of a number as flonums: `None` for an exact number; a type error for
/// anything else.
fn inexact_parts(heap: &Heap, v: Value) -> NResult<Option<(f64, f64)>> {
    match v {
        Value::Float(f) => Ok(Some((f, 0.0))),
        Value::Int(_) => Ok(None),
        _ => match heap.obj(v) {
            Some(Object::Complex(z)) => Ok(match &**z {
                Complex::Inexact(z) => Some((z.re, z.im)),
                Complex::Exact(_) => None,
            }),
            Some(Object::Big(_) | Object::Ratio(_)) => Ok(None),
            _ => Err(Error::expected("a number", v)),
        },
    }
}

// ---- predicates -------------------------------------------------------------------------

/// `(number? obj)`; also `complex?`.
#[native("number?")]
fn is_number(ctx: &mut Ctx, v: Value) -> bool {
    numeric::is_number(ctx.heap(), v)
}

/// `(real? obj)`: not for a complex number, even with an inexact zero imaginary part.
#[native("real?")]
fn is_real(ctx: &mut Ctx, v: Value) -> bool {
    numeric::real(ctx.heap(), v).is_ok()
}

/// `(rational? obj)`: exact reals and finite flonums.
#[native("rational?")]
fn is_rational(ctx: &mut Ctx, v: Value) -> bool {
    match v {
        Value::Float(f) => f.is_finite(),
        v => matches!(numeric::real(ctx.heap(), v), Ok(n) if n.is_exact()),
    }
}

/// `(integer? obj)`: exact integers and integral flonums.
#[native("integer?")]
fn is_integer(ctx: &mut Ctx, v: Value) -> bool {
    match v {
        Value::Float(f) => f.is_finite() && f.fract() == 0.0,
        v => numeric::is_exact_integer(ctx.heap(), v),
    }
}

/// `(exact-integer? obj)`.
#[native("exact-integer?")]
fn is_exact_integer(ctx: &mut Ctx, v: Value) -> bool {
    numeric::is_exact_integer(ctx.heap(), v)
}

/// `(exact-rational? obj)`: an exact real (integer or ratio).
#[native("exact-rational?")]
fn is_exact_rational(ctx: &mut Ctx, v: Value) -> bool {
    matches!(numeric::real(ctx.heap(), v), Ok(n) if n.is_exact())
}

/// `(exact? z)`.
#[native("exact?")]
fn is_exact(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_parts(ctx.heap(), z)?.is_none())
}

/// `(inexact? z)`.
#[native("inexact?")]
fn is_inexact(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_parts(ctx.heap(), z)?.is_some())
}

/// `(nan? z)`: a part is a NaN.
#[native("nan?")]
fn is_nan(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_parts(ctx.heap(), z)?.is_some_and(|(re, im)| re.is_nan() || im.is_nan()))
}

/// `(infinite? z)`: a part is infinite.
#[native("infinite?")]
fn is_infinite(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_parts(ctx.heap(), z)?.is_some_and(|(re, im)| re.is_infinite() || im.is_infinite()))
}

/// `(finite? z)`: both parts are finite.
#[native("finite?")]
fn is_finite(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_parts(ctx.heap(), z)?.is_none_or(|(re, im)| re.is_finite() && im.is_finite()))
}

/// `(positive? x)`.
#[native("positive?")]
fn is_positive(ctx: &mut Ctx, x: Value) -> NResult<bool> {
    Ok(compare(ctx.heap(), x, Value::Int(0))? == Some(Ordering::Greater))
}

/// `(negative? x)`.
#[native("negative?")]
fn is_negative(ctx: &mut Ctx, x: Value) -> NResult<bool> {
    Ok(compare(ctx.heap(), x, Value::Int(0))? == Some(Ordering::Less))
}

fn is_odd_number(heap: &Heap, v: Value) -> NResult<bool> {
    Ok(match v {
        Value::Int(i) => i & 1 == 1,
        v => division::integer_arg(heap, v)?.0.is_odd(),
    })
}

/// `(odd? n)`.
#[native("odd?")]
fn is_odd(ctx: &mut Ctx, n: Value) -> NResult<bool> {
    is_odd_number(ctx.heap(), n)
}

/// `(even? n)`.
#[native("even?")]
fn is_even(ctx: &mut Ctx, n: Value) -> NResult<bool> {
    Ok(!is_odd_number(ctx.heap(), n)?)
}

// ---- max, min, abs ----------------------------------------------------------------------

/// `max`/`min`: the argument that compares as `want` against all others; inexact if any
/// argument is, NaN if any argument is NaN.
fn extremum(heap: &Heap, first: Value, more: &[Value], want: Ordering) -> NResult {
    let mut best = first;
    let mut inexact = matches!(first, Value::Float(_));
    compare(heap, first, first)?;
    for &x in more {
        inexact |= matches!(x, Value::Float(_));
        match compare(heap, x, best)? {
            Some(o) if o == want => best = x,
            Some(_) => {}
            None => best = Value::Float(f64::NAN),
        }
    }
    if inexact && !matches!(best, Value::Float(_)) {
        best = Value::Float(numeric::real_to_f64(heap, best).unwrap_or(f64::NAN));
    }
    Ok(best)
}

/// `(max x1 x2 ...)`.
#[native("max")]
fn max(ctx: &mut Ctx, first: Value, #[rest] more: &[Value]) -> NResult {
    extremum(ctx.heap(), first, more, Ordering::Greater)
}

/// `(min x1 x2 ...)`.
#[native("min")]
fn min(ctx: &mut Ctx, first: Value, #[rest] more: &[Value]) -> NResult {
    extremum(ctx.heap(), first, more, Ordering::Less)
}

/// `(abs x)`.
#[native("abs")]
fn abs(ctx: &mut Ctx, x: Value) -> NResult {
    abs_value(ctx, x)
}

/// The absolute value of a real.
fn abs_value(ctx: &mut Ctx, x: Value) -> NResult {
    Ok(match x {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Value::Int(a),
            None => ctx.integer(BigInt::from(i).abs()),
        },
        Value::Float(f) => Value::Float(f.abs()),
        v => {
            let n = match numeric::real(ctx.heap(), v)? {
                Number::Big(b) => Number::integer(b.abs()),
                Number::Ratio(r) => Number::Ratio(r.abs()),
                n => n,
            };
            numeric::from_num(&mut ctx.vm.heap, n)
        }
    })
}

// ---- rounding and exactness -------------------------------------------------------------

/// How `floor`, `ceiling`, `round` and `truncate` take a real to an integer.
#[derive(Clone, Copy)]
enum Rounding {
    Floor,
    Ceiling,
    /// To the nearest integer, halves to even.
    Round,
    Truncate,
}

impl Rounding {
    fn float(self, f: f64) -> f64 {
        match self {
            Rounding::Floor => f.floor(),
            Rounding::Ceiling => f.ceil(),
            Rounding::Round => f.round_ties_even(),
            Rounding::Truncate => f.trunc(),
        }
    }

    fn ratio(self, r: &Rational) -> BigInt {
        match self {
            Rounding::Floor => r.floor().to_integer(),
            Rounding::Ceiling => r.ceil().to_integer(),
            Rounding::Truncate => r.trunc().to_integer(),
            Rounding::Round => {
                let floor = r.floor();
                let up = floor.to_integer() + 1;
                match (r - &floor).cmp(&Rational::new(1.into(), 2.into())) {
                    Ordering::Less => floor.to_integer(),
                    Ordering::Greater => up,
                    Ordering::Equal if up.is_even() => up,
                    Ordering::Equal => floor.to_integer(),
                }
            }
        }
    }

    /// Rounds a real: a flonum stays a flonum, an exact number gives an exact integer.
    fn apply(self, ctx: &mut Ctx, x: Value) -> NResult {
        Ok(match x {
            Value::Float(f) => Value::Float(self.float(f)),
            Value::Int(_) => x,
            v => match numeric::real(ctx.heap(), v)? {
                Number::Ratio(r) => ctx.integer(self.ratio(&r)),
                _ => v,
            },
        })
    }
}

macro_rules! rounding_natives {
    ($($f:ident $name:literal $how:ident;)*) => {$(
        #[doc = concat!("`(", $name, " x)`.")]
        #[native($name)]
        fn $f(ctx: &mut Ctx, x: Value) -> NResult {
            Rounding::$how.apply(ctx, x)
        }
    )*};
}

rounding_natives! {
    floor "floor" Floor;
    ceiling "ceiling" Ceiling;
    round "round" Round;
    truncate "truncate" Truncate;
}

/// `(exact z)`; also `inexact->exact`. A flonum becomes the exact value it holds
/// (`(exact .1)` is `3602879701896397/36028797018963968`); infinities and NaNs have none.
#[native("exact")]
fn exact(ctx: &mut Ctx, z: Value) -> NResult<Number> {
    numeric::num(ctx.heap(), z)?
        .to_exact()
        .ok_or_else(|| Error::range("no exact representation for").with_irritants(vec![z]))
}

/// `(inexact z)`; also `exact->inexact`: the nearest flonum (parts).
#[native("inexact")]
fn inexact(z: Number) -> Number {
    z.to_inexact()
}

// ---- rational parts ---------------------------------------------------------------------

/// A rational argument (an exact real or a finite flonum) as an exact rational, and
/// whether it was inexact.
fn rational_arg(x: Real) -> NResult<(Rational, bool)> {
    match x.0 {
        Number::Flonum(f) => Rational::from_float(f)
            .map(|r| (r, true))
            .ok_or_else(|| Error::expected("a rational number", Value::Float(f))),
        n => Ok((n.to_rational().unwrap_or_default(), false)),
    }
}

/// Part of a rational, as a flonum when the rational was inexact.
fn rational_part(part: &BigInt, inexact: bool) -> Number {
    let n = Number::integer(part.clone());
    if inexact {
        n.to_inexact()
    } else {
        n
    }
}

/// `(numerator q)`: of the rational in lowest terms; `(numerator 0.5)` is `1.0`.
#[native("numerator")]
fn numerator(q: Real) -> NResult<Number> {
    let (r, inexact) = rational_arg(q)?;
    Ok(rational_part(r.numer(), inexact))
}

/// `(denominator q)`: of the rational in lowest terms (`(denominator 0)` is 1).
#[native("denominator")]
fn denominator(q: Real) -> NResult<Number> {
    let (r, inexact) = rational_arg(q)?;
    Ok(rational_part(r.denom(), inexact))
}

/// `(rationalize x y)`: the simplest rational within `y` of `x` (`(rationalize 1/3 1/100)`
/// is `1/3`, `(rationalize .3 1/10)` is `#i1/3`); inexact if either argument is.
#[native("rationalize")]
fn rationalize(x: Real, y: Real) -> NResult<Number> {
    let (x, y) = (x.0, y.0);
    if x.is_exact() && y.is_exact() {
        let (x, y) = (x.to_rational(), y.to_rational());
        let (x, y) = (x.unwrap_or_default(), y.unwrap_or_default().abs());
        return Ok(Number::rational(simplest_between(&x - &y, x + y)));
    }
    let (fx, fy) = (numeric::real_f64(&x), numeric::real_f64(&y).abs());
    let (Some(rx), Some(ry)) = (Rational::from_float(fx), Rational::from_float(fy)) else {
        // An infinity or a NaN: R7RS's `(rationalize +inf.0 3)` is `+inf.0`,
        // `(rationalize 3 +inf.0)` is `0.0`.
        return Ok(Number::Flonum(match (fx.is_finite(), fy.is_finite()) {
            (true, false) if !fy.is_nan() => 0.0,
            (false, true) => fx,
            _ => f64::NAN,
        }));
    };
    Ok(Number::rational(simplest_between(&rx - &ry, rx + ry)).to_inexact())
}

/// The simplest rational in `[lo, hi]` (the one with the smallest denominator, and
/// numerator, there): its continued fraction, term by term.
fn simplest_between(lo: Rational, hi: Rational) -> Rational {
    if lo.is_positive() {
        simplest_positive(lo, hi)
    } else if hi.is_negative() {
        -simplest_positive(-hi, -lo)
    } else {
        Rational::zero()
    }
}

fn simplest_positive(mut lo: Rational, mut hi: Rational) -> Rational {
    let mut terms = Vec::new();
    let last = loop {
        let fl = lo.floor();
        if fl == lo {
            break fl;
        }
        if fl < hi.floor() {
            break fl + Rational::one();
        }
        (lo, hi) = ((&hi - &fl).recip(), (&lo - &fl).recip());
        terms.push(fl);
    };
    terms
        .into_iter()
        .rev()
        .fold(last, |acc, term| term + acc.recip())
}

// ---- text -------------------------------------------------------------------------------

/// A radix argument: 2 to 36 (R7RS has 2, 8, 10 and 16).
struct Radix(u32);

impl FromValue<'_> for Radix {
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        match v {
            Value::Int(r) if (2..=36).contains(&r) => Some(Radix(r as u32)),
            _ => None,
        }
    }
    fn expected() -> Cow<'static, str> {
        "a radix between 2 and 36".into()
    }
}

/// `(number->string z [radix])`: text that `string->number` reads back as `z` in the
/// same radix.
#[native("number->string")]
fn number_to_string(ctx: &mut Ctx, z: Value, radix: Option<Radix>) -> NResult<String> {
    numeric::number_to_string(ctx.heap(), z, radix.map_or(10, |r| r.0))
}

/// `(string->number string [radix])`: the number, or `#f`.
#[native("string->number")]
fn string_to_number(ctx: &mut Ctx, s: String, radix: Option<Radix>) -> Option<Value> {
    numeric::parse_number(&mut ctx.vm.heap, &s, radix.map_or(10, |r| r.0))
}

/// `(square z)`.
#[native("square")]
fn square(ctx: &mut Ctx, z: Value) -> NResult {
    numeric::mul(&mut ctx.vm.heap, z, z)
}

/// `(1+ z)`.
#[native("1+")]
fn add1(ctx: &mut Ctx, z: Value) -> NResult {
    numeric::add(&mut ctx.vm.heap, z, Value::Int(1))
}

/// Registers the number natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        IS_NUMBER,
        IS_REAL,
        IS_RATIONAL,
        IS_INTEGER,
        IS_EXACT_INTEGER,
        IS_EXACT_RATIONAL,
        IS_EXACT,
        IS_INEXACT,
        IS_NAN,
        IS_INFINITE,
        IS_FINITE,
        IS_POSITIVE,
        IS_NEGATIVE,
        IS_ODD,
        IS_EVEN,
        MAX,
        MIN,
        ABS,
        FLOOR,
        CEILING,
        ROUND,
        TRUNCATE,
        EXACT,
        INEXACT,
        NUMERATOR,
        DENOMINATOR,
        RATIONALIZE,
        NUMBER_TO_STRING,
        STRING_TO_NUMBER,
        SQUARE,
        ADD1,
    ]);
    reg.alias("complex?", "number?");
    reg.alias("inexact->exact", "exact");
    reg.alias("exact->inexact", "inexact");
    division::register(reg);
    powers::register(reg);
    complex::register(reg);
    random::register(reg);
}

#[cfg(test)]
mod tests {
    use crate::test_util::ev;

    /// `inf` and `nan` for the cases, then [`crate::test_util::check`].
    pub(super) fn check(cases: &[(&str, &str)]) {
        ev("(define inf (/ 1.0 0.0)) (define nan (- inf inf))");
        crate::test_util::check(cases);
    }

    /// `inf` and `nan` for the cases, then [`crate::test_util::check_errors`].
    pub(super) fn check_errors(cases: &[(&str, &str)]) {
        ev("(define inf (/ 1.0 0.0)) (define nan (- inf inf))");
        crate::test_util::check_errors(cases);
    }

    #[test]
    fn type_predicates() {
        check(&[
            (
                "(list (number? 1) (number? 1.5) (number? (expt 2 80)) (number? 1/2) (number? +i) (number? 'a))",
                "(#t #t #t #t #t #f)",
            ),
            (
                "(list (complex? 1) (complex? 1+2i) (real? 1.5) (real? 1/2) (real? \"1\"))",
                "(#t #t #t #t #f)",
            ),
            // R7RS: (real? -2.5+0i) is #t, (real? -2.5+0.0i) is #f.
            ("(list (real? -2.5+0i) (real? -2.5+0.0i) (real? 1+0.i) (real? +i))", "(#t #f #f #f)"),
            (
                "(list (rational? 1) (rational? 0.5) (rational? 6/10) (rational? inf) (rational? nan) (rational? 1+i))",
                "(#t #t #t #f #f #f)",
            ),
            (
                "(list (integer? 3) (integer? 3.0) (integer? 8/4) (integer? 3+0i) (integer? 3.5) (integer? 1/2) (integer? inf) (integer? 'x))",
                "(#t #t #t #t #f #f #f #f)",
            ),
            (
                "(list (exact? 1) (exact? 1/2) (exact? 1+i) (exact? (expt 3 50)) (exact? 1.0) (exact? 1.0+2.0i))",
                "(#t #t #t #t #f #f)",
            ),
            ("(list (inexact? 1.0) (inexact? 1) (inexact? 1/3) (inexact? 1.0+i))", "(#t #f #f #t)"),
            (
                "(list (exact-integer? 5) (exact-integer? 5.0) (exact-integer? (expt 2 64)) (exact-integer? 1/2))",
                "(#t #f #t #f)",
            ),
            (
                "(list (exact-rational? 1/2) (exact-rational? 5) (exact-rational? 0.5) (exact-rational? 1+i) (exact-rational? 'a))",
                "(#t #t #f #f #f)",
            ),
            ("(list (nan? nan) (nan? 1.0) (nan? 1) (nan? 1/2) (nan? +nan.0+1.0i) (nan? 1.0+nan.0i) (nan? 1+i))", "(#t #f #f #f #t #t #f)"),
            (
                "(list (infinite? (- inf)) (infinite? (expt 10.0 300)) (infinite? 7) (infinite? 1+inf.0i) (infinite? 1.0+2.0i))",
                "(#t #f #f #t #f)",
            ),
            (
                "(list (finite? 1.0) (finite? inf) (finite? nan) (finite? (expt 2 100)) (finite? 1/3) (finite? 1.0+inf.0i) (finite? 1+i))",
                "(#t #f #f #t #t #f #t)",
            ),
        ]);
    }

    #[test]
    fn sign_and_parity() {
        check(&[
            (
                "(list (positive? 3) (positive? 0) (positive? -0.5) (positive? (expt 2 70)) (positive? 1/2) (positive? -1/2))",
                "(#t #f #f #t #t #f)",
            ),
            (
                "(list (negative? -3) (negative? 0.0) (negative? (- (expt 2 70))) (negative? nan) (negative? -1/3))",
                "(#t #f #t #f #t)",
            ),
            (
                "(list (odd? 3) (odd? -3) (odd? 0) (odd? 5.0) (odd? (+ (expt 2 70) 1)) (odd? 6/2))",
                "(#t #t #f #t #t #t)",
            ),
            (
                "(list (even? 4) (even? -3) (even? 0) (even? 6.0) (even? (expt 2 70)))",
                "(#t #f #t #t #t)",
            ),
            (
                "(list (zero? 0) (zero? 0.0) (zero? -0.0) (zero? 0/5) (zero? 1/2) (zero? 0.0+0.0i) (zero? +i))",
                "(#t #t #t #t #f #t #f)",
            ),
        ]);
    }

    #[test]
    fn max_min_abs() {
        check(&[
            ("(max 1 3 2)", "3"),
            ("(min 1 3 2)", "1"),
            ("(max 1 2.0)", "2.0"),
            ("(max 3 2.0)", "3.0"),
            ("(min 1 2.0)", "1.0"),
            ("(max 1/2 1/3)", "1/2"),
            ("(min 1/2 0.25)", "0.25"),
            ("(max 1/2 0.25)", "0.5"),
            ("(max 7)", "7"),
            ("(max 1 (expt 2 70))", "1180591620717411303424"),
            ("(min 1 nan 2)", "+nan.0"),
            ("(abs -5)", "5"),
            ("(abs 5)", "5"),
            ("(abs -2.5)", "2.5"),
            ("(abs -7/2)", "7/2"),
            ("(abs (- (expt 2 70)))", "1180591620717411303424"),
            ("(abs -9223372036854775808)", "9223372036854775808"),
        ]);
    }

    #[test]
    fn rounding() {
        check(&[
            (
                "(list (floor 2.5) (ceiling 2.5) (round 2.5) (truncate 2.5))",
                "(2.0 3.0 2.0 2.0)",
            ),
            (
                "(list (floor -2.5) (ceiling -2.5) (round -2.5) (truncate -2.5))",
                "(-3.0 -2.0 -2.0 -2.0)",
            ),
            (
                "(list (round 3.5) (round 0.5) (round 1.5) (round 2.6))",
                "(4.0 0.0 2.0 3.0)",
            ),
            (
                "(list (floor 7) (round (expt 2 70)))",
                "(7 1180591620717411303424)",
            ),
            (
                "(list (floor 5/2) (ceiling 5/2) (round 5/2) (truncate 5/2))",
                "(2 3 2 2)",
            ),
            (
                "(list (floor -5/2) (ceiling -5/2) (round -5/2) (truncate -5/2))",
                "(-3 -2 -2 -2)",
            ),
            (
                "(list (round 7/2) (round -7/2) (round 1/3) (round 2/3) (round -2/3) (round 1/2))",
                "(4 -4 0 1 -1 0)",
            ),
        ]);
    }

    #[test]
    fn exactness() {
        check(&[
            ("(exact 2.0)", "2"),
            ("(exact 5)", "5"),
            ("(exact 2.5)", "5/2"),
            ("(exact -0.125)", "-1/8"),
            ("(exact .1)", "3602879701896397/36028797018963968"),
            ("(exact 1.5+2.5i)", "3/2+5/2i"),
            ("(exact 1.0+0.0i)", "1"),
            ("(exact 1/3)", "1/3"),
            ("(exact (* 1.0 (expt 10 20)))", "100000000000000000000"),
            ("(inexact->exact -3.0)", "-3"),
            ("(inexact 2)", "2.0"),
            ("(inexact 2.5)", "2.5"),
            ("(inexact 1/3)", "0.3333333333333333"),
            ("(inexact 1+2i)", "1.0+2.0i"),
            ("(inexact (/ (expt 10 400) (+ 1 (expt 10 399))))", "10.0"),
            ("(inexact (/ 1 (expt 10 400)))", "0.0"),
            ("(exact->inexact (expt 2 70))", "1.1805916207174113e+21"),
            ("(= (inexact (exact 0.1)) 0.1)", "#t"),
        ]);
    }

    #[test]
    fn rational_parts() {
        check(&[
            ("(list (numerator 6/4) (denominator 6/4))", "(3 2)"),
            ("(list (numerator -6/4) (denominator -6/4))", "(-3 2)"),
            (
                "(list (numerator 5) (denominator 5) (denominator 0))",
                "(5 1 1)",
            ),
            ("(list (numerator 0.5) (denominator 0.5))", "(1.0 2.0)"),
            ("(list (numerator -0.75) (denominator -0.75))", "(-3.0 4.0)"),
            ("(rationalize 1/3 1/100)", "1/3"),
            ("(rationalize 3/10 1/10)", "1/3"),
            ("(rationalize .3 1/10)", "0.3333333333333333"),
            ("(rationalize -3/10 1/10)", "-1/3"),
            ("(rationalize 3 1)", "2"),
            ("(rationalize 1/2 1)", "0"),
            ("(rationalize 5 0)", "5"),
            ("(rationalize 22/7 0)", "22/7"),
            ("(rationalize inf 3)", "+inf.0"),
            ("(rationalize 3 inf)", "0.0"),
            ("(nan? (rationalize nan 1))", "#t"),
        ]);
    }

    #[test]
    fn text_conversion() {
        check(&[
            ("(number->string 42)", "\"42\""),
            ("(number->string 255 16)", "\"ff\""),
            ("(number->string -5 2)", "\"-101\""),
            ("(number->string 1.5)", "\"1.5\""),
            ("(number->string 2.0)", "\"2.0\""),
            ("(number->string 1/3 2)", "\"1/11\""),
            ("(number->string -1/2+3i 16)", "\"-1/2+3i\""),
            ("(number->string 1.5 16)", "\"#d1.5\""),
            ("(number->string (expt 2 70))", "\"1180591620717411303424\""),
            ("(string->number \"42\")", "42"),
            ("(string->number \"-17\")", "-17"),
            ("(string->number \"+17\")", "17"),
            ("(string->number \"ff\" 16)", "255"),
            ("(string->number \"#xff\")", "255"),
            ("(string->number \"1.5e3\")", "1500.0"),
            ("(string->number \"1e-2\")", "0.01"),
            (
                "(string->number \"123456789012345678901234567890\")",
                "123456789012345678901234567890",
            ),
            ("(string->number \"abc\")", "#f"),
            ("(string->number \"\")", "#f"),
            ("(string->number \"1_000\")", "#f"),
            ("(string->number \"+-5\")", "#f"),
            ("(string->number \" 5\")", "#f"),
            ("(string->number \"12\" 2)", "#f"),
            ("(string->number \"+inf.0\")", "+inf.0"),
            ("(string->number \"1s-2\")", "0.01"),
            ("(string->number \"#e1.5e1\")", "15"),
            ("(string->number \"1/3\")", "1/3"),
            ("(string->number \"#e1.5\")", "3/2"),
            ("(string->number \"10/2\" 16)", "8"),
            ("(string->number \"a/c\" 16)", "5/6"),
            ("(string->number \"-NAN.0\")", "+nan.0"),
            ("(string->number \"1+2i\")", "1+2i"),
            ("(string->number \"#e1e1000000\")", "#f"),
            ("(string->number \"1@0\")", "1"),
        ]);
    }

    #[test]
    fn increment() {
        check(&[
            ("(1+ 9223372036854775807)", "9223372036854775808"),
            ("(1+ 1.5)", "2.5"),
            ("(1+ 1/2)", "3/2"),
            ("(square 5)", "25"),
            ("(square 1.5)", "2.25"),
            ("(square -2/3)", "4/9"),
            ("(square 1+i)", "+2i"),
            ("(square (expt 2 40))", "1208925819614629174706176"),
        ]);
        check_errors(&[("(1+ 'a)", "1+: expected a number, got a")]);
    }

    #[test]
    fn errors() {
        check_errors(&[
            ("(exact? 'a)", "exact?: expected a number, got a"),
            ("(nan? \"x\")", "nan?: expected a number, got \"x\""),
            ("(positive? 'a)", "positive?: expected a number, got a"),
            (
                "(positive? +i)",
                "positive?: expected a real number, got +i",
            ),
            ("(odd? 1.5)", "odd?: expected an integer, got 1.5"),
            ("(even? 1/2)", "even?: expected an integer, got 1/2"),
            ("(max 1 'a)", "max: expected a number, got a"),
            ("(max 1 1+i)", "max: expected a real number, got 1+i"),
            ("(max 'a)", "max: expected a number, got a"),
            ("(abs 'a)", "abs: expected a number, got a"),
            ("(abs 1+i)", "abs: expected a real number, got 1+i"),
            ("(round 'a)", "round: expected a number, got a"),
            (
                "(floor 1.5+2i)",
                "floor: expected a real number, got 1.5+2.0i",
            ),
            ("(exact inf)", "exact: no exact representation for +inf.0"),
            ("(exact nan)", "exact: no exact representation for +nan.0"),
            (
                "(exact 1.0+inf.0i)",
                "exact: no exact representation for 1.0+inf.0i",
            ),
            ("(inexact 'a)", "inexact: expected a number, got a"),
            (
                "(numerator inf)",
                "numerator: expected a rational number, got +inf.0",
            ),
            (
                "(denominator 1+i)",
                "denominator: expected a real number, got 1+i",
            ),
            (
                "(rationalize 'a 1)",
                "rationalize: expected a real number (argument 1), got a",
            ),
            (
                "(number->string 10 1)",
                "number->string: expected a radix between 2 and 36 (argument 2), got 1",
            ),
            (
                "(number->string 'a)",
                "number->string: expected a number, got a",
            ),
            (
                "(string->number 5)",
                "string->number: expected a string (argument 1), got 5",
            ),
            ("(square \"a\")", "square: expected a number, got \"a\""),
            ("(/ 1 0)", "/: division by zero"),
            ("(/ 1/2 0)", "/: division by zero"),
            ("(/ 1+i 0)", "/: division by zero"),
            ("(< 1 +i)", "<: expected a real number, got +i"),
            ("(< +i)", "<: expected a real number, got +i"),
        ]);
    }
}
