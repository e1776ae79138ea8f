//! Numbers beyond the basic arithmetic in `base`: predicates, integer division, rounding,
//! exactness, transcendental functions, square roots, conversion to and from text, and
//! pseudo-random numbers. Exact integers are fixnums that overflow into bignums.

use super::{index, real, string, Registry};
use crate::run::heap::Heap;
use crate::run::numeric::{self, compare, num, to_f64, Num};
use crate::run::value::{Error, NResult, Object, Value};
use crate::run::vm::Vm;
use num_bigint::{BigInt, Sign};
use num_traits::{FromPrimitive, One, Signed, ToPrimitive, Zero};
use std::cell::Cell;
use std::cmp::Ordering;

/// Largest result, in bits, that `expt` computes exactly.
const EXPT_MAX_BITS: u64 = 1 << 26;

fn bool_result(b: bool) -> NResult {
    Ok(Value::Bool(b))
}

/// `Some(f)` for a flonum, `None` for an exact integer; a type error otherwise.
fn inexact_part(heap: &Heap, who: &str, v: Value) -> NResult<Option<f64>> {
    match v {
        Value::Float(f) => Ok(Some(f)),
        _ if numeric::is_exact_integer(heap, v) => Ok(None),
        _ => Err(Error::wrong_type(who, "a number", v)),
    }
}

/// An integer argument: `Ok(None)` when exact, `Ok(Some(f))` for an integral flonum.
fn integer_part(heap: &Heap, who: &str, v: Value) -> NResult<Option<f64>> {
    match inexact_part(heap, who, v) {
        Ok(Some(f)) if f.is_finite() && f.fract() == 0.0 => Ok(Some(f)),
        Ok(None) => Ok(None),
        _ => Err(Error::wrong_type(who, "an integer", v)),
    }
}

/// An integer argument as a `BigInt`, and whether it was inexact.
fn big_integer(heap: &Heap, who: &str, v: Value) -> NResult<(BigInt, bool)> {
    match integer_part(heap, who, v)? {
        Some(f) => Ok((BigInt::from_f64(f).unwrap_or_default(), true)),
        None => Ok((numeric::integer(heap, who, v)?, false)),
    }
}

// ---- predicates -------------------------------------------------------------------------

fn is_number(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(numeric::is_number(&vm.heap, args[0]))
}

fn is_rational(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(match args[0] {
        Value::Float(f) => f.is_finite(),
        v => numeric::is_exact_integer(&vm.heap, v),
    })
}

fn is_integer(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(match args[0] {
        Value::Float(f) => f.is_finite() && f.fract() == 0.0,
        v => numeric::is_exact_integer(&vm.heap, v),
    })
}

fn is_exact_integer(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(numeric::is_exact_integer(&vm.heap, args[0]))
}

fn is_exact(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(inexact_part(&vm.heap, "exact?", args[0])?.is_none())
}

fn is_inexact(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(inexact_part(&vm.heap, "inexact?", args[0])?.is_some())
}

fn is_nan(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(inexact_part(&vm.heap, "nan?", args[0])?.is_some_and(f64::is_nan))
}

fn is_infinite(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(inexact_part(&vm.heap, "infinite?", args[0])?.is_some_and(f64::is_infinite))
}

fn is_finite(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(inexact_part(&vm.heap, "finite?", args[0])?.map_or(true, f64::is_finite))
}

fn sign_is(vm: &Vm, who: &str, v: Value, want: Ordering) -> NResult {
    bool_result(compare(&vm.heap, who, v, Value::Int(0))? == Some(want))
}

fn is_positive(vm: &mut Vm, args: &[Value]) -> NResult {
    sign_is(vm, "positive?", args[0], Ordering::Greater)
}

fn is_negative(vm: &mut Vm, args: &[Value]) -> NResult {
    sign_is(vm, "negative?", args[0], Ordering::Less)
}

fn is_odd_number(vm: &Vm, who: &str, v: Value) -> NResult<bool> {
    Ok(match (integer_part(&vm.heap, who, v)?, v) {
        (Some(f), _) => f % 2.0 != 0.0,
        (None, Value::Int(i)) => i & 1 == 1,
        (None, _) => vm.heap.big(v).is_some_and(|b| b.bit(0)),
    })
}

fn is_odd(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(is_odd_number(vm, "odd?", args[0])?)
}

fn is_even(vm: &mut Vm, args: &[Value]) -> NResult {
    bool_result(!is_odd_number(vm, "even?", args[0])?)
}

// ---- max, min, abs ----------------------------------------------------------------------

/// `max`/`min`: the argument that compares as `want` against all others; inexact if any
/// argument is, NaN if any argument is NaN.
fn extremum(vm: &Vm, who: &str, args: &[Value], want: Ordering) -> NResult {
    let mut best = args[0];
    let mut inexact = inexact_part(&vm.heap, who, best)?.is_some();
    for &x in &args[1..] {
        inexact |= inexact_part(&vm.heap, who, x)?.is_some();
        match compare(&vm.heap, who, x, best)? {
            Some(o) if o == want => best = x,
            Some(_) => {}
            None => best = Value::Float(f64::NAN),
        }
    }
    if inexact && !matches!(best, Value::Float(_)) {
        best = Value::Float(to_f64(&num(&vm.heap, who, best)?));
    }
    Ok(best)
}

fn max(vm: &mut Vm, args: &[Value]) -> NResult {
    extremum(vm, "max", args, Ordering::Greater)
}

fn min(vm: &mut Vm, args: &[Value]) -> NResult {
    extremum(vm, "min", args, Ordering::Less)
}

fn abs(vm: &mut Vm, args: &[Value]) -> NResult {
    match args[0] {
        Value::Int(i) => match i.checked_abs() {
            Some(a) => Ok(Value::Int(a)),
            None => Ok(vm.heap.integer(BigInt::from(i).abs())),
        },
        Value::Float(f) => Ok(Value::Float(f.abs())),
        v => {
            let b = numeric::integer(&vm.heap, "abs", v)?;
            Ok(vm.heap.integer(b.abs()))
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

fn division_by_zero(who: &str) -> Error {
    Error::with("range-error", format!("{who}: division by zero"), vec![])
}

/// Integer division of `a` by `b`: quotient and remainder.
fn divide(vm: &mut Vm, who: &str, a: Value, b: Value, how: Rounding) -> NResult<(Value, Value)> {
    // Fixnums first: the common case needs none of the checks below.
    if let (Value::Int(x), Value::Int(y)) = (a, b) {
        if y == 0 {
            return Err(division_by_zero(who));
        }
        if let Some((q, r)) = numeric::fixnum_divide(x, y, matches!(how, Rounding::Floor)) {
            return Ok((Value::Int(q), Value::Int(r)));
        }
    }
    let fa = integer_part(&vm.heap, who, a)?;
    let fb = integer_part(&vm.heap, who, b)?;
    if fa.is_some() || fb.is_some() {
        let x = fa.unwrap_or_else(|| real_of(&vm.heap, a));
        let y = fb.unwrap_or_else(|| real_of(&vm.heap, b));
        let (q, r) = float_divide(who, x, y, how)?;
        return Ok((Value::Float(q), Value::Float(r)));
    }
    let x = numeric::integer(&vm.heap, who, a)?;
    let y = numeric::integer(&vm.heap, who, b)?;
    if y.is_zero() {
        return Err(division_by_zero(who));
    }
    let (mut q, mut r) = (&x / &y, &x % &y);
    if matches!(how, Rounding::Floor) && !r.is_zero() && r.is_negative() != y.is_negative() {
        q -= 1;
        r += &y;
    }
    Ok((vm.heap.integer(q), vm.heap.integer(r)))
}

fn real_of(heap: &Heap, v: Value) -> f64 {
    num(heap, "", v).map_or(f64::NAN, |n| to_f64(&n))
}

fn float_divide(who: &str, x: f64, y: f64, how: Rounding) -> NResult<(f64, f64)> {
    if y == 0.0 {
        return Err(division_by_zero(who));
    }
    let r = x % y;
    Ok(match how {
        Rounding::Floor if r != 0.0 && (r < 0.0) != (y < 0.0) => ((x / y).floor(), r + y),
        Rounding::Floor => ((x / y).floor(), r),
        Rounding::Truncate => ((x / y).trunc(), r),
    })
}

fn two_values(vm: &mut Vm, (a, b): (Value, Value)) -> NResult {
    Ok(vm.heap.alloc(Object::Values(vec![a, b])))
}

macro_rules! division_natives {
    ($($f:ident $name:literal $how:ident $pick:tt;)*) => {
        $(fn $f(vm: &mut Vm, args: &[Value]) -> NResult {
            Ok(divide(vm, $name, args[0], args[1], Rounding::$how)?.$pick)
        })*
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

fn floor_div(vm: &mut Vm, args: &[Value]) -> NResult {
    let qr = divide(vm, "floor/", args[0], args[1], Rounding::Floor)?;
    two_values(vm, qr)
}

fn truncate_div(vm: &mut Vm, args: &[Value]) -> NResult {
    let qr = divide(vm, "truncate/", args[0], args[1], Rounding::Truncate)?;
    two_values(vm, qr)
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
    vm: &mut Vm,
    who: &str,
    args: &[Value],
    init: i64,
    f: fn(BigInt, BigInt) -> BigInt,
) -> NResult {
    let mut acc = BigInt::from(init);
    let mut inexact = false;
    for &a in args {
        let (x, inex) = big_integer(&vm.heap, who, a)?;
        inexact |= inex;
        acc = f(acc, x);
    }
    if inexact {
        return Ok(Value::Float(acc.to_f64().unwrap_or(f64::NAN)));
    }
    Ok(vm.heap.integer(acc))
}

fn gcd(vm: &mut Vm, args: &[Value]) -> NResult {
    fold_integers(vm, "gcd", args, 0, big_gcd)
}

fn lcm(vm: &mut Vm, args: &[Value]) -> NResult {
    fold_integers(vm, "lcm", args, 1, |a, b| {
        if a.is_zero() || b.is_zero() {
            return BigInt::zero();
        }
        let g = big_gcd(a.clone(), b.clone());
        (a / g * b).abs()
    })
}

// ---- rounding and exactness -------------------------------------------------------------

/// Applies `op` to a flonum argument; exact integers are already whole.
fn round_with(vm: &Vm, who: &str, v: Value, op: fn(f64) -> f64) -> NResult {
    Ok(match inexact_part(&vm.heap, who, v)? {
        Some(f) => Value::Float(op(f)),
        None => v,
    })
}

fn floor(vm: &mut Vm, args: &[Value]) -> NResult {
    round_with(vm, "floor", args[0], f64::floor)
}

fn ceiling(vm: &mut Vm, args: &[Value]) -> NResult {
    round_with(vm, "ceiling", args[0], f64::ceil)
}

fn round(vm: &mut Vm, args: &[Value]) -> NResult {
    round_with(vm, "round", args[0], f64::round_ties_even)
}

fn truncate(vm: &mut Vm, args: &[Value]) -> NResult {
    round_with(vm, "truncate", args[0], f64::trunc)
}

fn to_exact(vm: &mut Vm, who: &str, v: Value) -> NResult {
    match inexact_part(&vm.heap, who, v)? {
        None => Ok(v),
        Some(f) => match BigInt::from_f64(f).filter(|_| f.fract() == 0.0) {
            Some(b) => Ok(vm.heap.integer(b)),
            None => Err(Error::with(
                "range-error",
                format!("{who}: no exact representation for"),
                vec![v],
            )),
        },
    }
}

fn to_inexact(vm: &Vm, who: &str, v: Value) -> NResult {
    match inexact_part(&vm.heap, who, v)? {
        Some(_) => Ok(v),
        None => Ok(Value::Float(real_of(&vm.heap, v))),
    }
}

fn exact(vm: &mut Vm, args: &[Value]) -> NResult {
    to_exact(vm, "exact", args[0])
}

fn inexact_to_exact(vm: &mut Vm, args: &[Value]) -> NResult {
    to_exact(vm, "inexact->exact", args[0])
}

fn inexact(vm: &mut Vm, args: &[Value]) -> NResult {
    to_inexact(vm, "inexact", args[0])
}

fn exact_to_inexact(vm: &mut Vm, args: &[Value]) -> NResult {
    to_inexact(vm, "exact->inexact", args[0])
}

// ---- text -------------------------------------------------------------------------------

/// An optional radix argument (2 to 36, default 10).
fn radix(who: &str, v: Option<&Value>) -> NResult<u32> {
    match v {
        None => Ok(10),
        Some(&Value::Int(r)) if (2..=36).contains(&r) => Ok(r as u32),
        Some(&v) => Err(Error::wrong_type(who, "a radix between 2 and 36", v)),
    }
}

fn number_to_string(vm: &mut Vm, args: &[Value]) -> NResult {
    let r = radix("number->string", args.get(1))?;
    let s = numeric::number_to_string(&vm.heap, args[0], r)
        .map_err(|_| Error::wrong_type("number->string", "a number", args[0]))?;
    Ok(vm.heap.string(s))
}

fn string_to_number(vm: &mut Vm, args: &[Value]) -> NResult {
    let s = string(vm, "string->number", args[0])?;
    let r = radix("string->number", args.get(1))?;
    Ok(numeric::parse_number(&mut vm.heap, &s, r).unwrap_or(Value::Bool(false)))
}

// ---- powers, roots, transcendental functions --------------------------------------------

/// Exact `base^e` for a non-negative exponent, refusing results too large to hold.
fn exact_power(heap: &mut Heap, base: BigInt, e: BigInt) -> NResult {
    if base.is_zero() || base.is_one() || e.is_zero() {
        return Ok(heap.integer(if e.is_zero() { BigInt::one() } else { base }));
    }
    if base == BigInt::from(-1) {
        return Ok(Value::Int(if e.bit(0) { -1 } else { 1 }));
    }
    let e = e
        .to_u64()
        .filter(|&e| base.bits().saturating_mul(e) <= EXPT_MAX_BITS);
    match e.and_then(|e| u32::try_from(e).ok()) {
        Some(e) => Ok(heap.integer(base.pow(e))),
        None => Err(Error::with("range-error", "expt: result too large", vec![])),
    }
}

fn expt(vm: &mut Vm, args: &[Value]) -> NResult {
    match (
        num(&vm.heap, "expt", args[0])?,
        num(&vm.heap, "expt", args[1])?,
    ) {
        (Num::Int(b), Num::Int(e)) if !e.is_negative() => exact_power(&mut vm.heap, b, e),
        (b, e) => Ok(Value::Float(to_f64(&b).powf(to_f64(&e)))),
    }
}

/// Natural logarithm, accurate for bignums beyond the flonum range.
fn ln(vm: &Vm, who: &str, v: Value) -> NResult<f64> {
    match num(&vm.heap, who, v)? {
        Num::Int(i) if i.bits() > 1000 && i.sign() == Sign::Plus => {
            let shift = i.bits() - 64;
            let top = to_f64(&Num::Int(i >> shift));
            Ok(top.ln() + shift as f64 * std::f64::consts::LN_2)
        }
        n => Ok(to_f64(&n).ln()),
    }
}

fn log(vm: &mut Vm, args: &[Value]) -> NResult {
    let x = ln(vm, "log", args[0])?;
    Ok(Value::Float(match args.get(1) {
        Some(&b) => x / ln(vm, "log", b)?,
        None => x,
    }))
}

fn atan(vm: &mut Vm, args: &[Value]) -> NResult {
    let y = real(vm, "atan", args[0])?;
    Ok(Value::Float(match args.get(1) {
        Some(&x) => y.atan2(real(vm, "atan", x)?),
        None => y.atan(),
    }))
}

macro_rules! float_natives {
    ($($f:ident $name:literal $op:path;)*) => {
        $(fn $f(vm: &mut Vm, args: &[Value]) -> NResult {
            Ok(Value::Float($op(real(vm, $name, args[0])?)))
        })*
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

fn sqrt(vm: &mut Vm, args: &[Value]) -> NResult {
    match num(&vm.heap, "sqrt", args[0])? {
        Num::Int(n) if !n.is_negative() => {
            let s = n.sqrt();
            if &s * &s == n {
                Ok(vm.heap.integer(s))
            } else if n.bits() < 1000 {
                Ok(Value::Float(to_f64(&Num::Int(n)).sqrt()))
            } else {
                Ok(Value::Float(to_f64(&Num::Int(s))))
            }
        }
        n => Ok(Value::Float(to_f64(&n).sqrt())),
    }
}

fn exact_integer_sqrt(vm: &mut Vm, args: &[Value]) -> NResult {
    let v = args[0];
    let n = match num(&vm.heap, "exact-integer-sqrt", v) {
        Ok(Num::Int(n)) if !n.is_negative() => n,
        _ => {
            return Err(Error::wrong_type(
                "exact-integer-sqrt",
                "a non-negative exact integer",
                v,
            ))
        }
    };
    let s = n.sqrt();
    let rest = &n - &s * &s;
    let pair = (vm.heap.integer(s), vm.heap.integer(rest));
    two_values(vm, pair)
}

fn square(vm: &mut Vm, args: &[Value]) -> NResult {
    num(&vm.heap, "square", args[0])?;
    numeric::mul(&mut vm.heap, args[0], args[0])
}

fn add1(vm: &mut Vm, args: &[Value]) -> NResult {
    num(&vm.heap, "1+", args[0])?;
    numeric::add(&mut vm.heap, args[0], Value::Int(1))
}

// ---- random numbers ---------------------------------------------------------------------

thread_local! {
    static RANDOM_STATE: Cell<u64> = const { Cell::new(0) };
}

/// The next output of a xorshift64 generator seeded from the clock on first use.
fn next_random() -> u64 {
    RANDOM_STATE.with(|state| {
        let mut x = state.get();
        if x == 0 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            x = (nanos ^ 0x9E37_79B9_7F4A_7C15) | 1;
        }
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        state.set(x);
        x
    })
}

/// A random integer in `[0, n)` for a positive bignum `n`.
fn random_big(n: &BigInt) -> BigInt {
    let words = n.bits() / 32 + 3;
    let digits: Vec<u32> = (0..words).map(|_| next_random() as u32).collect();
    BigInt::from_slice(Sign::Plus, &digits) % n
}

fn random(vm: &mut Vm, args: &[Value]) -> NResult {
    let v = args[0];
    match v {
        Value::Int(n) if n > 0 => Ok(Value::Int(
            ((next_random() as u128 * n as u128) >> 64) as i64,
        )),
        Value::Float(f) if f > 0.0 && f.is_finite() => Ok(Value::Float(
            (next_random() >> 11) as f64 / (1u64 << 53) as f64 * f,
        )),
        _ => match vm.heap.big(v).filter(|b| b.is_positive()) {
            Some(b) => {
                let r = random_big(b);
                Ok(vm.heap.integer(r))
            }
            None => Err(Error::wrong_type("random", "a positive number", v)),
        },
    }
}

fn random_seed(_: &mut Vm, args: &[Value]) -> NResult {
    let seed = index("random-seed!", args[0])? as u64;
    RANDOM_STATE.with(|s| s.set(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1));
    Ok(Value::Unspecified)
}

/// Registers the number natives.
pub fn register(reg: &mut Registry) {
    for name in ["number?", "complex?", "real?"] {
        reg.simple(name, 1, Some(1), is_number);
    }
    reg.simple("rational?", 1, Some(1), is_rational);
    reg.simple("integer?", 1, Some(1), is_integer);
    reg.simple("exact-integer?", 1, Some(1), is_exact_integer);
    reg.simple("exact?", 1, Some(1), is_exact);
    reg.simple("inexact?", 1, Some(1), is_inexact);
    reg.simple("nan?", 1, Some(1), is_nan);
    reg.simple("infinite?", 1, Some(1), is_infinite);
    reg.simple("finite?", 1, Some(1), is_finite);
    reg.simple("positive?", 1, Some(1), is_positive);
    reg.simple("negative?", 1, Some(1), is_negative);
    reg.simple("odd?", 1, Some(1), is_odd);
    reg.simple("even?", 1, Some(1), is_even);
    reg.simple("max", 1, None, max);
    reg.simple("min", 1, None, min);
    reg.simple("abs", 1, Some(1), abs);
    reg.simple("quotient", 2, Some(2), quotient);
    reg.simple("remainder", 2, Some(2), remainder);
    reg.simple("modulo", 2, Some(2), modulo);
    reg.simple("truncate-quotient", 2, Some(2), truncate_quotient);
    reg.simple("truncate-remainder", 2, Some(2), truncate_remainder);
    reg.simple("floor-quotient", 2, Some(2), floor_quotient);
    reg.simple("floor-remainder", 2, Some(2), floor_remainder);
    reg.simple("floor/", 2, Some(2), floor_div);
    reg.simple("truncate/", 2, Some(2), truncate_div);
    reg.simple("gcd", 0, None, gcd);
    reg.simple("lcm", 0, None, lcm);
    reg.simple("floor", 1, Some(1), floor);
    reg.simple("ceiling", 1, Some(1), ceiling);
    reg.simple("round", 1, Some(1), round);
    reg.simple("truncate", 1, Some(1), truncate);
    reg.simple("exact", 1, Some(1), exact);
    reg.simple("inexact->exact", 1, Some(1), inexact_to_exact);
    reg.simple("inexact", 1, Some(1), inexact);
    reg.simple("exact->inexact", 1, Some(1), exact_to_inexact);
    reg.simple("number->string", 1, Some(2), number_to_string);
    reg.simple("string->number", 1, Some(2), string_to_number);
    reg.simple("expt", 2, Some(2), expt);
    reg.simple("exp", 1, Some(1), exp);
    reg.simple("log", 1, Some(2), log);
    reg.simple("sin", 1, Some(1), sin);
    reg.simple("cos", 1, Some(1), cos);
    reg.simple("tan", 1, Some(1), tan);
    reg.simple("asin", 1, Some(1), asin);
    reg.simple("acos", 1, Some(1), acos);
    reg.simple("atan", 1, Some(2), atan);
    reg.simple("sqrt", 1, Some(1), sqrt);
    reg.simple("exact-integer-sqrt", 1, Some(1), exact_integer_sqrt);
    reg.simple("square", 1, Some(1), square);
    reg.simple("1+", 1, Some(1), add1);
    reg.simple("random", 1, Some(1), random);
    reg.simple("random-seed!", 1, Some(1), random_seed);
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
                "number->string: expected a radix between 2 and 36, got 1",
            ),
            (
                "(number->string 'a)",
                "number->string: expected a number, got a",
            ),
            (
                "(string->number 5)",
                "string->number: expected a string, got 5",
            ),
            ("(expt 2 'a)", "expt: expected a number, got a"),
            ("(expt 2 (expt 10 10))", "expt: result too large"),
            ("(sin 'a)", "sin: expected a number, got a"),
            ("(log 'a)", "log: expected a number, got a"),
            ("(atan 1 'a)", "atan: expected a number, got a"),
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
