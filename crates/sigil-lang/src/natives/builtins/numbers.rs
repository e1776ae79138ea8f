//! Numbers beyond the basic arithmetic in `base`: predicates, integer division, rounding,
//! exactness, transcendental functions, square roots, conversion to and from text, and
//! pseudo-random numbers. Exact integers are fixnums that overflow into bignums.

use super::Registry;
use crate::native;
use crate::natives::FromValue;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric::{self, compare, num, to_f64, Num};
use crate::run::value::{Error, NResult, Object, Value};
use num_bigint::{BigInt, Sign};
use num_traits::{FromPrimitive, One, Signed, ToPrimitive, Zero};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Largest result, in bits, that `expt` computes exactly.
const EXPT_MAX_BITS: u64 = 1 << 26;

/// `Some(f)` for a flonum, `None` for an exact integer; a type error otherwise.
fn inexact_part(heap: &Heap, v: Value) -> NResult<Option<f64>> {
    match v {
        Value::Float(f) => Ok(Some(f)),
        _ if numeric::is_exact_integer(heap, v) => Ok(None),
        _ => Err(Error::expected("a number", v)),
    }
}

/// An integer argument: `Ok(None)` when exact, `Ok(Some(f))` for an integral flonum.
fn integer_part(heap: &Heap, v: Value) -> NResult<Option<f64>> {
    match inexact_part(heap, v) {
        Ok(Some(f)) if f.is_finite() && f.fract() == 0.0 => Ok(Some(f)),
        Ok(None) => Ok(None),
        _ => Err(Error::expected("an integer", v)),
    }
}

/// An integer argument as a `BigInt`, and whether it was inexact.
fn big_integer(heap: &Heap, v: Value) -> NResult<(BigInt, bool)> {
    match integer_part(heap, v)? {
        Some(f) => Ok((BigInt::from_f64(f).unwrap_or_default(), true)),
        None => Ok((numeric::integer(heap, v)?, false)),
    }
}

// ---- predicates -------------------------------------------------------------------------

/// `(number? obj)`; also `complex?` and `real?`.
#[native("number?")]
fn is_number(ctx: &mut Ctx, v: Value) -> bool {
    numeric::is_number(ctx.heap(), v)
}

/// `(rational? obj)`.
#[native("rational?")]
fn is_rational(ctx: &mut Ctx, v: Value) -> bool {
    match v {
        Value::Float(f) => f.is_finite(),
        v => numeric::is_exact_integer(ctx.heap(), v),
    }
}

/// `(integer? obj)`.
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

/// `(exact? z)`.
#[native("exact?")]
fn is_exact(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_part(ctx.heap(), z)?.is_none())
}

/// `(inexact? z)`.
#[native("inexact?")]
fn is_inexact(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_part(ctx.heap(), z)?.is_some())
}

/// `(nan? z)`.
#[native("nan?")]
fn is_nan(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_part(ctx.heap(), z)?.is_some_and(f64::is_nan))
}

/// `(infinite? z)`.
#[native("infinite?")]
fn is_infinite(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_part(ctx.heap(), z)?.is_some_and(f64::is_infinite))
}

/// `(finite? z)`.
#[native("finite?")]
fn is_finite(ctx: &mut Ctx, z: Value) -> NResult<bool> {
    Ok(inexact_part(ctx.heap(), z)?.map_or(true, f64::is_finite))
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
    Ok(match (integer_part(heap, v)?, v) {
        (Some(f), _) => f % 2.0 != 0.0,
        (None, Value::Int(i)) => i & 1 == 1,
        (None, _) => heap.big(v).is_some_and(|b| b.bit(0)),
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
    let mut inexact = inexact_part(heap, best)?.is_some();
    for &x in more {
        inexact |= inexact_part(heap, x)?.is_some();
        match compare(heap, x, best)? {
            Some(o) if o == want => best = x,
            Some(_) => {}
            None => best = Value::Float(f64::NAN),
        }
    }
    if inexact && !matches!(best, Value::Float(_)) {
        best = Value::Float(to_f64(&num(heap, best)?));
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
    match x {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Ok(Value::Int(a)),
            None => Ok(ctx.integer(BigInt::from(i).abs())),
        },
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v => {
            let b = numeric::integer(ctx.heap(), v)?;
            Ok(ctx.integer(b.abs()))
        }
    }
}

// ---- integer division -------------------------------------------------------------------

/// Which way integer division rounds its quotient.
#[derive(Clone, Copy)]
enum Rounding {
    /// Toward zero (`truncate/`, `quotient`, `remainder`).
    Truncate,
    /// Toward negative infinity (`floor/`, `modulo`).
    Floor,
}

fn division_by_zero() -> Error {
    Error::range("division by zero")
}

/// Integer division of `a` by `b`: quotient and remainder.
fn divide(ctx: &mut Ctx, a: Value, b: Value, how: Rounding) -> NResult<(Value, Value)> {
    // Fixnums first: the common case needs none of the checks below.
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if y == 0 {
            return Err(division_by_zero());
        }
        if let Some((q, r)) = numeric::fixnum_divide(x, y, matches!(how, Rounding::Floor)) {
            return Ok((Value::Int(q), Value::Int(r)));
        }
    }
    let heap = ctx.heap();
    let fa = integer_part(heap, a)?;
    let fb = integer_part(heap, b)?;
    if fa.is_some() || fb.is_some() {
        let x = fa.unwrap_or_else(|| real_of(heap, a));
        let y = fb.unwrap_or_else(|| real_of(heap, b));
        let (q, r) = float_divide(x, y, how)?;
        return Ok((Value::Float(q), Value::Float(r)));
    }
    let x = numeric::integer(heap, a)?;
    let y = numeric::integer(heap, b)?;
    if y.is_zero() {
        return Err(division_by_zero());
    }
    let (mut q, mut r) = (&x / &y, &x % &y);
    if matches!(how, Rounding::Floor) && !r.is_zero() && r.is_negative() != y.is_negative() {
        q -= 1;
        r += &y;
    }
    Ok((ctx.integer(q), ctx.integer(r)))
}

fn real_of(heap: &Heap, v: Value) -> f64 {
    num(heap, v).map_or(f64::NAN, |n| to_f64(&n))
}

fn float_divide(x: f64, y: f64, how: Rounding) -> NResult<(f64, f64)> {
    if y == 0.0 {
        return Err(division_by_zero());
    }
    let r = x % y;
    Ok(match how {
        Rounding::Floor if r != 0.0 && (r < 0.0) != (y < 0.0) => ((x / y).floor(), r + y),
        Rounding::Floor => ((x / y).floor(), r),
        Rounding::Truncate => ((x / y).trunc(), r),
    })
}

fn two_values(ctx: &mut Ctx, (a, b): (Value, Value)) -> Value {
    ctx.alloc(Object::Values(vec![a, b]))
}

macro_rules! division_natives {
    ($($f:ident $name:literal $how:ident $pick:tt;)*) => {
        $(
            #[doc = concat!("`(", $name, " n1 n2)`.")]
            #[native($name)]
            fn $f(ctx: &mut Ctx, a: Value, b: Value) -> NResult {
                Ok(divide(ctx, a, b, Rounding::$how)?.$pick)
            }
        )*
    };
}

division_natives! {
    quotient "quotient" Truncate 0;
    remainder "remainder" Truncate 1;
    modulo "modulo" Floor 1;
    truncate_quotient "truncate-quotient" Truncate 0;
    truncate_remainder "truncate-remainder" Truncate 1;
    floor_quotient "floor-quotient" Floor 0;
    floor_remainder "floor-remainder" Floor 1;
}

/// `(floor/ n1 n2)`: quotient and remainder, rounding toward negative infinity.
#[native("floor/")]
fn floor_div(ctx: &mut Ctx, a: Value, b: Value) -> NResult {
    let qr = divide(ctx, a, b, Rounding::Floor)?;
    Ok(two_values(ctx, qr))
}

/// `(truncate/ n1 n2)`: quotient and remainder, rounding toward zero.
#[native("truncate/")]
fn truncate_div(ctx: &mut Ctx, a: Value, b: Value) -> NResult {
    let qr = divide(ctx, a, b, Rounding::Truncate)?;
    Ok(two_values(ctx, qr))
}

fn big_gcd(mut a: BigInt, mut b: BigInt) -> BigInt {
    while !b.is_zero() {
        let r = &a % &b;
        a = b;
        b = r;
    }
    a.abs()
}

/// Folds `gcd`/`lcm` over integer arguments; inexact if any argument is.
fn fold_integers(
    ctx: &mut Ctx,
    args: &[Value],
    init: i64,
    f: fn(BigInt, BigInt) -> BigInt,
) -> NResult {
    let mut acc = BigInt::from(init);
    let mut inexact = false;
    for &a in args {
        let (x, inex) = big_integer(ctx.heap(), a)?;
        inexact |= inex;
        acc = f(acc, x);
    }
    if inexact {
        return Ok(Value::Float(acc.to_f64().unwrap_or(f64::NAN)));
    }
    Ok(ctx.integer(acc))
}

/// `(gcd n ...)`.
#[native("gcd")]
fn gcd(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult {
    fold_integers(ctx, args, 0, big_gcd)
}

/// `(lcm n ...)`.
#[native("lcm")]
fn lcm(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult {
    fold_integers(ctx, args, 1, |a, b| {
        if a.is_zero() || b.is_zero() {
            return BigInt::zero();
        }
        let g = big_gcd(a.clone(), b.clone());
        (a / g * b).abs()
    })
}

// ---- rounding and exactness -------------------------------------------------------------

/// Applies `op` to a flonum argument; exact integers are already whole.
fn round_with(heap: &Heap, v: Value, op: fn(f64) -> f64) -> NResult {
    Ok(match inexact_part(heap, v)? {
        Some(f) => Value::Float(op(f)),
        None => v,
    })
}

macro_rules! rounding_natives {
    ($($f:ident $name:literal $op:path;)*) => {$(
        #[doc = concat!("`(", $name, " x)`.")]
        #[native($name)]
        fn $f(ctx: &mut Ctx, x: Value) -> NResult {
            round_with(ctx.heap(), x, $op)
        }
    )*};
}

rounding_natives! {
    floor "floor" f64::floor;
    ceiling "ceiling" f64::ceil;
    round "round" f64::round_ties_even;
    truncate "truncate" f64::trunc;
}

/// `(exact z)`; also `inexact->exact`.
#[native("exact")]
fn exact(ctx: &mut Ctx, z: Value) -> NResult {
    match inexact_part(ctx.heap(), z)? {
        None => Ok(z),
        Some(f) => match BigInt::from_f64(f).filter(|_| f.fract() == 0.0) {
            Some(b) => Ok(ctx.integer(b)),
            None => Err(Error::range("no exact representation for").with_irritants(vec![z])),
        },
    }
}

/// `(inexact z)`; also `exact->inexact`.
#[native("inexact")]
fn inexact(ctx: &mut Ctx, z: Value) -> NResult {
    match inexact_part(ctx.heap(), z)? {
        Some(_) => Ok(z),
        None => Ok(Value::Float(real_of(ctx.heap(), z))),
    }
}

// ---- text -------------------------------------------------------------------------------

/// A radix argument: 2 to 36.
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

/// `(number->string z [radix])`.
#[native("number->string")]
fn number_to_string(ctx: &mut Ctx, z: Value, radix: Option<Radix>) -> NResult<String> {
    numeric::number_to_string(ctx.heap(), z, radix.map_or(10, |r| r.0))
        .map_err(|_| Error::expected("a number", z))
}

/// `(string->number string [radix])`: the number, or `#f`.
#[native("string->number")]
fn string_to_number(ctx: &mut Ctx, s: String, radix: Option<Radix>) -> Option<Value> {
    numeric::parse_number(&mut ctx.vm.heap, &s, radix.map_or(10, |r| r.0))
}

// ---- powers, roots, transcendental functions --------------------------------------------

/// Exact `base^e` for a non-negative exponent, refusing results too large to hold.
fn exact_power(ctx: &mut Ctx, base: BigInt, e: BigInt) -> NResult {
    if base.is_zero() || base.is_one() || e.is_zero() {
        return Ok(ctx.integer(if e.is_zero() { BigInt::one() } else { base }));
    }
    if base == BigInt::from(-1) {
        return Ok(Value::Int(if e.bit(0) { -1 } else { 1 }));
    }
    let e = e
        .to_u64()
        .filter(|&e| base.bits().saturating_mul(e) <= EXPT_MAX_BITS);
    match e.and_then(|e| u32::try_from(e).ok()) {
        Some(e) => Ok(ctx.integer(base.pow(e))),
        None => Err(Error::range("result too large")),
    }
}

/// `(expt z1 z2)`.
#[native("expt")]
fn expt(ctx: &mut Ctx, base: Num, e: Num) -> NResult {
    match (base, e) {
        (Num::Int(b), Num::Int(e)) if !e.is_negative() => exact_power(ctx, b, e),
        (b, e) => Ok(Value::Float(to_f64(&b).powf(to_f64(&e)))),
    }
}

/// Natural logarithm, accurate for bignums beyond the flonum range.
fn ln(n: Num) -> f64 {
    match n {
        Num::Int(i) if i.bits() > 1000 && i.sign() == Sign::Plus => {
            let shift = i.bits() - 64;
            let top = to_f64(&Num::Int(i >> shift));
            top.ln() + shift as f64 * std::f64::consts::LN_2
        }
        n => to_f64(&n).ln(),
    }
}

/// `(log z [base])`.
#[native("log")]
fn log(z: Num, base: Option<Num>) -> f64 {
    let x = ln(z);
    match base {
        Some(b) => x / ln(b),
        None => x,
    }
}

/// `(atan y [x])`.
#[native("atan")]
fn atan(y: f64, x: Option<f64>) -> f64 {
    match x {
        Some(x) => y.atan2(x),
        None => y.atan(),
    }
}

macro_rules! float_natives {
    ($($f:ident $name:literal $op:path;)*) => {
        $(
            #[doc = concat!("`(", $name, " z)`.")]
            #[native($name)]
            fn $f(z: f64) -> f64 {
                $op(z)
            }
        )*
    };
}

float_natives! {
    exp "exp" f64::exp;
    sin "sin" f64::sin;
    cos "cos" f64::cos;
    tan "tan" f64::tan;
    asin "asin" f64::asin;
    acos "acos" f64::acos;
}

/// `(sqrt z)`: exact for exact squares.
#[native("sqrt")]
fn sqrt(ctx: &mut Ctx, z: Num) -> Value {
    match z {
        Num::Int(n) if !n.is_negative() => {
            let s = n.sqrt();
            if &s * &s == n {
                ctx.integer(s)
            } else if n.bits() < 1000 {
                Value::Float(to_f64(&Num::Int(n)).sqrt())
            } else {
                Value::Float(to_f64(&Num::Int(s)))
            }
        }
        n => Value::Float(to_f64(&n).sqrt()),
    }
}

/// A non-negative exact integer argument.
struct Natural(BigInt);

impl FromValue<'_> for Natural {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        match num(heap, v) {
            Ok(Num::Int(n)) if !n.is_negative() => Some(Natural(n)),
            _ => None,
        }
    }
    fn expected() -> Cow<'static, str> {
        "a non-negative exact integer".into()
    }
}

/// `(exact-integer-sqrt k)`: the root and the remainder.
#[native("exact-integer-sqrt")]
fn exact_integer_sqrt(ctx: &mut Ctx, k: Natural) -> Value {
    let n = k.0;
    let s = n.sqrt();
    let rest = &n - &s * &s;
    let pair = (ctx.integer(s), ctx.integer(rest));
    two_values(ctx, pair)
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

// ---- random numbers ---------------------------------------------------------------------

/// The state of the interpreter's xorshift64 generator (host data: each interpreter has
/// its own).
struct RandomState(u64);

/// The next output of the interpreter's generator, seeded from the clock on first use.
fn next_random(ctx: &mut Ctx) -> u64 {
    let mut x = ctx.host::<RandomState>().map_or(0, |s| s.0);
    if x == 0 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        x = (nanos ^ 0x9E37_79B9_7F4A_7C15) | 1;
    }
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    ctx.set_host(RandomState(x));
    x
}

/// A random integer in `[0, n)` for a positive bignum `n`.
fn random_big(ctx: &mut Ctx, n: &BigInt) -> BigInt {
    let words = n.bits() / 32 + 3;
    let digits: Vec<u32> = (0..words).map(|_| next_random(ctx) as u32).collect();
    BigInt::from_slice(Sign::Plus, &digits) % n
}

/// `(random n)`: a random number in `[0, n)`, exact when `n` is.
#[native("random")]
fn random(ctx: &mut Ctx, n: Value) -> NResult {
    match n {
        Value::Int(k) if k > 0 => Ok(Value::Int(
            ((next_random(ctx) as u128 * k as u128) >> 64) as i64,
        )),
        Value::Float(f) if f > 0.0 && f.is_finite() => Ok(Value::Float(
            (next_random(ctx) >> 11) as f64 / (1u64 << 53) as f64 * f,
        )),
        _ => match ctx.heap().big(n).filter(|b| b.is_positive()).cloned() {
            Some(b) => {
                let r = random_big(ctx, &b);
                Ok(ctx.integer(r))
            }
            None => Err(Error::expected("a positive number", n)),
        },
    }
}

/// `(random-seed! k)`.
#[native("random-seed!")]
fn random_seed(ctx: &mut Ctx, seed: usize) {
    ctx.set_host(RandomState(
        (seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
    ));
}

/// Registers the number natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        IS_NUMBER,
        IS_RATIONAL,
        IS_INTEGER,
        IS_EXACT_INTEGER,
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
        QUOTIENT,
        REMAINDER,
        MODULO,
        TRUNCATE_QUOTIENT,
        TRUNCATE_REMAINDER,
        FLOOR_QUOTIENT,
        FLOOR_REMAINDER,
        FLOOR_DIV,
        TRUNCATE_DIV,
        GCD,
        LCM,
        FLOOR,
        CEILING,
        ROUND,
        TRUNCATE,
        EXACT,
        INEXACT,
        NUMBER_TO_STRING,
        STRING_TO_NUMBER,
        EXPT,
        EXP,
        LOG,
        SIN,
        COS,
        TAN,
        ASIN,
        ACOS,
        ATAN,
        SQRT,
        EXACT_INTEGER_SQRT,
        SQUARE,
        ADD1,
        RANDOM,
        RANDOM_SEED,
    ]);
    reg.alias("complex?", "number?");
    reg.alias("real?", "number?");
    reg.alias("inexact->exact", "exact");
    reg.alias("exact->inexact", "inexact");
}

#[cfg(test)]
mod tests {
    use crate::test_util::ev;

    /// `inf` and `nan` for the cases, then [`crate::test_util::check`].
    fn check(cases: &[(&str, &str)]) {
        ev("(define inf (/ 1.0 0.0)) (define nan (- inf inf))");
        crate::test_util::check(cases);
    }

    /// `inf` and `nan` for the cases, then [`crate::test_util::check_errors`].
    fn check_errors(cases: &[(&str, &str)]) {
        ev("(define inf (/ 1.0 0.0)) (define nan (- inf inf))");
        crate::test_util::check_errors(cases);
    }

    #[test]
    fn type_predicates() {
        check(&[
            (
                "(list (number? 1) (number? 1.5) (number? (expt 2 80)) (number? 'a))",
                "(#t #t #t #f)",
            ),
            (
                "(list (complex? 1) (real? 1.5) (real? \"1\"))",
                "(#t #t #f)",
            ),
            (
                "(list (rational? 1) (rational? 0.5) (rational? inf) (rational? nan))",
                "(#t #t #f #f)",
            ),
            (
                "(list (integer? 3) (integer? 3.0) (integer? 3.5) (integer? inf) (integer? 'x))",
                "(#t #t #f #f #f)",
            ),
            (
                "(list (exact? 1) (exact? (expt 3 50)) (exact? 1.0) (inexact? 1.0) (inexact? 1))",
                "(#t #t #f #t #f)",
            ),
            (
                "(list (exact-integer? 5) (exact-integer? 5.0) (exact-integer? (expt 2 64)))",
                "(#t #f #t)",
            ),
            ("(list (nan? nan) (nan? 1.0) (nan? 1))", "(#t #f #f)"),
            (
                "(list (infinite? (- inf)) (infinite? (expt 10.0 300)) (infinite? 7))",
                "(#t #f #f)",
            ),
            (
                "(list (finite? 1.0) (finite? inf) (finite? nan) (finite? (expt 2 100)))",
                "(#t #f #f #t)",
            ),
        ]);
    }

    #[test]
    fn sign_and_parity() {
        check(&[
            (
                "(list (positive? 3) (positive? 0) (positive? -0.5) (positive? (expt 2 70)))",
                "(#t #f #f #t)",
            ),
            (
                "(list (negative? -3) (negative? 0.0) (negative? (- (expt 2 70))) (negative? nan))",
                "(#t #f #t #f)",
            ),
            (
                "(list (odd? 3) (odd? -3) (odd? 0) (odd? 5.0) (odd? (+ (expt 2 70) 1)))",
                "(#t #t #f #t #t)",
            ),
            (
                "(list (even? 4) (even? -3) (even? 0) (even? 6.0) (even? (expt 2 70)))",
                "(#t #f #t #t #t)",
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
            ("(max 7)", "7"),
            ("(max 1 (expt 2 70))", "1180591620717411303424"),
            ("(min 1 nan 2)", "+nan.0"),
            ("(abs -5)", "5"),
            ("(abs 5)", "5"),
            ("(abs -2.5)", "2.5"),
            ("(abs (- (expt 2 70)))", "1180591620717411303424"),
            ("(abs -9223372036854775808)", "9223372036854775808"),
        ]);
    }

    #[test]
    fn integer_division() {
        check(&[
            (
                "(list (quotient 17 5) (remainder 17 5) (modulo 17 5))",
                "(3 2 2)",
            ),
            (
                "(list (quotient -17 5) (remainder -17 5) (modulo -17 5))",
                "(-3 -2 3)",
            ),
            (
                "(list (quotient 17 -5) (remainder 17 -5) (modulo 17 -5))",
                "(-3 2 -3)",
            ),
            (
                "(list (quotient -17 -5) (remainder -17 -5) (modulo -17 -5))",
                "(3 -2 -2)",
            ),
            (
                "(list (floor-quotient -7 2) (floor-remainder -7 2))",
                "(-4 1)",
            ),
            (
                "(list (truncate-quotient -7 2) (truncate-remainder -7 2))",
                "(-3 -1)",
            ),
            (
                "(call-with-values (lambda () (floor/ 5 -2)) list)",
                "(-3 -1)",
            ),
            (
                "(call-with-values (lambda () (truncate/ 5 -2)) list)",
                "(-2 1)",
            ),
            ("(modulo 5 9223372036854775807)", "5"),
            ("(modulo -1 -9223372036854775808)", "-1"),
            ("(quotient -9223372036854775808 -1)", "9223372036854775808"),
            ("(modulo -9223372036854775808 -1)", "0"),
            (
                "(quotient (expt 10 30) 7)",
                "142857142857142857142857142857",
            ),
            ("(remainder (expt 10 30) 7)", "1"),
            ("(modulo (- (expt 10 30)) 7)", "6"),
            (
                "(floor-quotient (- (expt 10 30)) 7)",
                "-142857142857142857142857142858",
            ),
            ("(modulo 7.0 -2)", "-1.0"),
            ("(quotient 7.0 2)", "3.0"),
            ("(remainder -7 2.0)", "-1.0"),
        ]);
    }

    #[test]
    fn gcd_lcm() {
        check(&[
            ("(gcd)", "0"),
            ("(gcd 12 18)", "6"),
            ("(gcd -12 18 8)", "2"),
            ("(gcd 0 5)", "5"),
            ("(gcd (expt 2 100) (expt 6 50))", "1125899906842624"),
            ("(gcd 12.0 18)", "6.0"),
            ("(lcm)", "1"),
            ("(lcm 4 6)", "12"),
            ("(lcm -4 6)", "12"),
            ("(lcm 0 6)", "0"),
            ("(lcm (expt 2 70) 3)", "3541774862152233910272"),
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
        ]);
    }

    #[test]
    fn exactness() {
        check(&[
            ("(exact 2.0)", "2"),
            ("(exact 5)", "5"),
            ("(exact (* 1.0 (expt 10 20)))", "100000000000000000000"),
            ("(inexact->exact -3.0)", "-3"),
            ("(inexact 2)", "2.0"),
            ("(inexact 2.5)", "2.5"),
            ("(exact->inexact (expt 2 70))", "1.1805916207174113e21"),
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
            ("(string->number \"1/3\")", "#f"),
            ("(string->number \"10/2\" 16)", "8"),
            ("(string->number \"-NAN.0\")", "+nan.0"),
        ]);
    }

    #[test]
    fn powers() {
        check(&[
            ("(expt 2 10)", "1024"),
            ("(expt 2 100)", "1267650600228229401496703205376"),
            ("(expt 0 0)", "1"),
            ("(expt 0 5)", "0"),
            ("(expt -1 (expt 10 30))", "1"),
            ("(expt -1 (+ 1 (expt 10 30)))", "-1"),
            ("(expt 1 (expt 10 30))", "1"),
            ("(expt 2 -1)", "0.5"),
            ("(expt 2.0 3)", "8.0"),
            ("(expt 4 0.5)", "2.0"),
            ("(square 5)", "25"),
            ("(square 1.5)", "2.25"),
            ("(square (expt 2 40))", "1208925819614629174706176"),
        ]);
    }

    #[test]
    fn increment() {
        check(&[
            ("(1+ 9223372036854775807)", "9223372036854775808"),
            ("(1+ 1.5)", "2.5"),
        ]);
        check_errors(&[("(1+ 'a)", "1+: expected a number, got a")]);
    }

    #[test]
    fn roots() {
        check(&[
            ("(sqrt 16)", "4"),
            ("(sqrt 2)", "1.4142135623730951"),
            ("(sqrt 16.0)", "4.0"),
            ("(sqrt 0)", "0"),
            ("(sqrt (expt 10 40))", "100000000000000000000"),
            ("(sqrt (+ 1 (expt 10 40)))", "1e20"),
            ("(exact? (sqrt (expt 3 200)))", "#t"),
            ("(sqrt -4.0)", "+nan.0"),
            (
                "(call-with-values (lambda () (exact-integer-sqrt 17)) list)",
                "(4 1)",
            ),
            (
                "(call-with-values (lambda () (exact-integer-sqrt (+ (expt 10 40) 5))) list)",
                "(100000000000000000000 5)",
            ),
        ]);
    }

    #[test]
    fn transcendental() {
        check(&[
            ("(exp 0)", "1.0"),
            ("(log 1)", "0.0"),
            ("(log 100 10)", "2.0"),
            ("(log 8 2)", "3.0"),
            ("(< 6931.47 (log (expt 2 10000)) 6931.48)", "#t"),
            ("(log 0)", "-inf.0"),
            ("(sin 0)", "0.0"),
            ("(cos 0)", "1.0"),
            ("(tan 0)", "0.0"),
            ("(asin 1)", "1.5707963267948966"),
            ("(acos 1)", "0.0"),
            ("(atan 1)", "0.7853981633974483"),
            ("(atan 1 -1)", "2.356194490192345"),
            ("(nan? (asin 2))", "#t"),
        ]);
    }

    #[test]
    fn random_numbers() {
        check(&[
            ("(let loop ((i 0)) (if (= i 200) #t (let ((r (random 10))) (if (and (exact? r) (<= 0 r 9)) (loop (+ i 1)) r))))", "#t"),
            ("(let ((r (random 2.5))) (and (inexact? r) (<= 0 r) (< r 2.5)))", "#t"),
            ("(let ((r (random (expt 10 30)))) (and (exact? r) (<= 0 r) (< r (expt 10 30))))", "#t"),
            ("(random 1)", "0"),
            ("(random-seed! 7) (define a (random 1000000)) (random-seed! 7) (= a (random 1000000))", "#t"),
        ]);
    }

    #[test]
    fn errors() {
        check_errors(&[
            ("(exact? 'a)", "exact?: expected a number, got a"),
            ("(nan? \"x\")", "nan?: expected a number, got \"x\""),
            ("(positive? 'a)", "positive?: expected a number, got a"),
            ("(odd? 1.5)", "odd?: expected an integer, got 1.5"),
            ("(max 1 'a)", "max: expected a number, got a"),
            ("(abs 'a)", "abs: expected a number, got a"),
            ("(quotient 1 0)", "quotient: division by zero"),
            ("(modulo (expt 2 70) 0)", "modulo: division by zero"),
            ("(floor/ 1.0 0)", "floor/: division by zero"),
            (
                "(remainder 1.5 1)",
                "remainder: expected an integer, got 1.5",
            ),
            ("(gcd 'a)", "gcd: expected an integer, got a"),
            ("(round 'a)", "round: expected a number, got a"),
            ("(exact 2.5)", "exact: no exact representation for 2.5"),
            ("(exact inf)", "exact: no exact representation for +inf.0"),
            ("(inexact 'a)", "inexact: expected a number, got a"),
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
            ("(expt 2 'a)", "expt: expected a number (argument 2), got a"),
            ("(expt 2 (expt 10 10))", "expt: result too large"),
            ("(sin 'a)", "sin: expected a number, got a"),
            ("(log 'a)", "log: expected a number (argument 1), got a"),
            ("(atan 1 'a)", "atan: expected a number (argument 2), got a"),
            ("(sqrt 'a)", "sqrt: expected a number, got a"),
            (
                "(exact-integer-sqrt -1)",
                "exact-integer-sqrt: expected a non-negative exact integer, got -1",
            ),
            (
                "(exact-integer-sqrt 2.0)",
                "exact-integer-sqrt: expected a non-negative exact integer, got 2.0",
            ),
            ("(square \"a\")", "square: expected a number, got \"a\""),
            ("(random 0)", "random: expected a positive number, got 0"),
            (
                "(random -1.0)",
                "random: expected a positive number, got -1.0",
            ),
        ]);
    }
}
