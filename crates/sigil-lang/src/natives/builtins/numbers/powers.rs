//! Powers and roots: `expt`, `sqrt`, `exact-integer-sqrt`. Exact arguments give exact
//! results whenever the result is exact (`(sqrt 16)` is `4`, `(sqrt -4)` is `+2i`,
//! `(sqrt 1/4)` is `1/2`, `(expt 4 1/2)` is `2`, `(expt 2 -2)` is `1/4`); an exact power
//! larger than [`EXPT_MAX_BITS`] is refused rather than computed.

use super::Registry;
use crate::native;
use crate::natives::FromValue;
use crate::read::number_syntax::{Complex, ExactComplex, InexactComplex, Number, Rational};
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric::{self, inexact_parts, real_f64};
use crate::run::value::{Error, NResult, Object, Value};
use num_bigint::BigInt;
use num_traits::{FromPrimitive, One, Signed, ToPrimitive, Zero};
use std::borrow::Cow;

/// Largest exact power `expt` computes, in bits of its numerator, denominator and parts
/// together (2^26 bits: 8 MiB); beyond it `expt` raises a `range-error`.
pub const EXPT_MAX_BITS: u64 = 1 << 26;

fn too_large() -> Error {
    Error::range(format!(
        "exact result too large (more than {EXPT_MAX_BITS} bits)"
    ))
}

/// The exact integer an exact integer number holds.
fn exact_integer(n: &Number) -> Option<BigInt> {
    match n {
        Number::Fixnum(i) => Some((*i).into()),
        Number::Big(b) => Some(b.clone()),
        _ => None,
    }
}

/// Bits of a rational's numerator and denominator.
fn ratio_bits(r: &Rational) -> u64 {
    r.numer().bits() + r.denom().bits()
}

/// Exact `base^k` for an exact base and an exact integer exponent.
fn exact_power(base: Number, k: &BigInt) -> NResult<Number> {
    if k.is_zero() {
        return Ok(Number::Fixnum(1));
    }
    if base.is_exact_zero() {
        return match k.is_positive() {
            true => Ok(Number::Fixnum(0)),
            false => Err(Error::range("division by zero")),
        };
    }
    if let Some(r) = base.to_rational() {
        if r.abs().is_one() {
            let odd = k.bit(0);
            return Ok(Number::Fixnum(if r.is_negative() && odd { -1 } else { 1 }));
        }
    }
    let bits = match &base {
        Number::Complex(Complex::Exact(z)) => ratio_bits(&z.re) + ratio_bits(&z.im),
        n => ratio_bits(&n.to_rational().unwrap_or_default()),
    };
    let k = k
        .to_i32()
        .filter(|k| bits.saturating_mul(k.unsigned_abs().into()) <= EXPT_MAX_BITS)
        .ok_or_else(too_large)?;
    Ok(match base {
        Number::Complex(Complex::Exact(z)) => Number::exact_complex(z.powi(k)),
        n => Number::rational(n.to_rational().unwrap_or_default().pow(k)),
    })
}

/// The exact `q`-th root of a non-negative rational, if it has one.
fn exact_root(r: &Rational, q: &BigInt) -> Option<Rational> {
    let q = q.to_u32()?;
    let root = |n: &BigInt| {
        let s = n.nth_root(q);
        (num_traits::pow(s.clone(), q as usize) == *n).then_some(s)
    };
    Some(Rational::new(root(r.numer())?, root(r.denom())?))
}

/// `base^e` for numbers of any kind.
fn expt_numbers(base: Number, e: Number) -> NResult<Number> {
    if e.is_exact_zero() {
        return Ok(Number::Fixnum(1));
    }
    if let Some(k) = exact_integer(&e) {
        if base.is_exact() {
            return exact_power(base, &k);
        }
        if let (Number::Complex(Complex::Inexact(z)), Some(k)) = (&base, k.to_i32()) {
            return Ok(Number::Complex(Complex::Inexact(z.powi(k))));
        }
    }
    if base.is_exact_zero() {
        // R7RS: 0^z is 1 for z = 0, 0 when z's real part is positive, an error otherwise.
        let re = real_f64(&numeric::parts(&e).0);
        return match () {
            _ if re > 0.0 => Ok(Number::Fixnum(0)),
            _ if re == 0.0 && real_f64(&numeric::parts(&e).1) == 0.0 => Ok(Number::Flonum(1.0)),
            _ => Err(Error::range("division by zero")),
        };
    }
    if let (Number::Ratio(q), Some(b)) = (&e, base.to_rational()) {
        if !b.is_negative() {
            if let Some(root) = exact_root(&b, q.denom()) {
                return exact_power(Number::rational(root), q.numer());
            }
        }
    }
    if base.is_real() && e.is_real() {
        let (b, x) = (real_f64(&base), real_f64(&e));
        if b >= 0.0 || x.fract() == 0.0 || b.is_nan() || x.is_nan() {
            return Ok(Number::Flonum(b.powf(x)));
        }
    }
    let (b, x) = (inexact_parts(&base), inexact_parts(&e));
    if b.is_zero() {
        return Ok(Number::Complex(Complex::Inexact(if x.re > 0.0 {
            InexactComplex::zero()
        } else {
            InexactComplex::new(f64::NAN, f64::NAN)
        })));
    }
    Ok(Number::Complex(Complex::Inexact(b.powc(x))))
}

/// `(expt z1 z2)`: exact for an exact base and an exact integer exponent, or an exact
/// rational exponent whose root comes out exact; the principal value otherwise.
#[native("expt")]
fn expt(base: Number, e: Number) -> NResult<Number> {
    expt_numbers(base, e)
}

/// The exact square root of a non-negative rational, if it has one.
fn exact_sqrt(r: &Rational) -> Option<Rational> {
    exact_root(r, &BigInt::from(2))
}

/// The square root of a non-negative rational as the nearest flonum, also beyond the
/// flonum range (`(sqrt (expt 10 400))` is `1e200`).
fn sqrt_f64(r: &Rational) -> f64 {
    let x = numeric::real_f64(&Number::rational(r.clone()));
    if x.is_normal() {
        return x.sqrt();
    }
    // Scale by an even power of two so the integer square root keeps ~64 significant
    // bits, then scale back (exactly, through a rational).
    let shift = (128 + r.denom().bits() as i64 - r.numer().bits() as i64) / 2;
    let scaled = if shift >= 0 {
        (r.numer() << (2 * shift) as usize) / r.denom()
    } else {
        r.numer() / (r.denom() << (-2 * shift) as usize)
    };
    let root = Rational::from_integer(scaled.sqrt());
    let scale = Rational::from_integer(BigInt::one() << shift.unsigned_abs() as usize);
    let result = if shift >= 0 {
        root / scale
    } else {
        root * scale
    };
    real_f64(&Number::rational(result))
}

/// The principal square root of a number of any kind.
pub(super) fn sqrt_number(z: Number) -> Number {
    match z {
        Number::Flonum(x) if x < 0.0 => Number::inexact_complex(0.0, (-x).sqrt()),
        Number::Flonum(x) => Number::Flonum(x.sqrt()),
        Number::Complex(Complex::Inexact(z)) => Number::Complex(Complex::Inexact(z.sqrt())),
        Number::Complex(Complex::Exact(z)) => exact_complex_sqrt(&z),
        exact => {
            let r = exact.to_rational().unwrap_or_default();
            let root = |r: &Rational| match exact_sqrt(r) {
                Some(s) => Number::rational(s),
                None => Number::Flonum(sqrt_f64(r)),
            };
            if r.is_negative() {
                Number::rectangular(Number::Fixnum(0), root(&-r)).unwrap_or(Number::Fixnum(0))
            } else {
                root(&r)
            }
        }
    }
}

/// The square root of an exact complex number: exact when it is a Gaussian integer whose
/// square is `z` (`(sqrt -3+4i)` is `1+2i`), otherwise inexact.
fn exact_complex_sqrt(z: &ExactComplex) -> Number {
    let w = inexact_parts(&Number::Complex(Complex::Exact(z.clone()))).sqrt();
    let round = |x: f64| BigInt::from_f64(x.round());
    if let (Some(re), Some(im)) = (round(w.re), round(w.im)) {
        let candidate = ExactComplex::new(Rational::from_integer(re), Rational::from_integer(im));
        if &(&candidate * &candidate) == z {
            return Number::exact_complex(candidate);
        }
    }
    Number::Complex(Complex::Inexact(w))
}

/// `(sqrt z)`: exact for an exact square (`(sqrt 16)` is `4`, `(sqrt 1/4)` is `1/2`,
/// `(sqrt -4)` is `+2i`), the principal root otherwise (`(sqrt -4.0)` is `0.0+2.0i`).
#[native("sqrt")]
fn sqrt(z: Number) -> Number {
    sqrt_number(z)
}

/// A non-negative exact integer argument.
struct Natural(BigInt);

impl FromValue<'_> for Natural {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        match numeric::num(heap, v).ok()? {
            Number::Fixnum(i) if i >= 0 => Some(Natural(i.into())),
            Number::Big(b) if !b.is_negative() => Some(Natural(b)),
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
    let (s, rest) = (ctx.integer(s), ctx.integer(rest));
    ctx.alloc(Object::Values(vec![s, rest]))
}

/// Registers the power and root natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[EXPT, SQRT, EXACT_INTEGER_SQRT]);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check, check_errors};

    #[test]
    fn powers() {
        check(&[
            ("(expt 2 10)", "1024"),
            ("(expt 2 100)", "1267650600228229401496703205376"),
            ("(expt 0 0)", "1"),
            ("(expt 0 5)", "0"),
            ("(expt 0.0 0)", "1"),
            ("(expt 1.5+2.5i 0)", "1"),
            ("(expt 0 0.0)", "1.0"),
            ("(expt 0 2.5)", "0"),
            ("(expt 0.0 2.5)", "0.0"),
            ("(expt -1 (expt 10 30))", "1"),
            ("(expt -1 (+ 1 (expt 10 30)))", "-1"),
            ("(expt 1 (expt 10 30))", "1"),
            ("(expt 2 -1)", "1/2"),
            ("(expt 2/3 3)", "8/27"),
            ("(expt -2/3 -3)", "-27/8"),
            ("(expt 2.0 3)", "8.0"),
            ("(expt 2 0.5)", "1.4142135623730951"),
            ("(expt 4 1/2)", "2"),
            ("(expt 8 -2/3)", "1/4"),
            ("(expt 27/8 2/3)", "9/4"),
            ("(expt 2 1/2)", "1.4142135623730951"),
            ("(expt 4 0.5)", "2.0"),
            ("(expt +i 2)", "-1"),
            ("(expt 1+i 4)", "-4"),
            ("(expt 1+i -1)", "1/2-1/2i"),
            ("(expt 2.0+1.0i 2)", "3.0+4.0i"),
            ("(expt -1 0.5)", "6.123233995736766e-17+1.0i"),
            ("(expt -8.0 1/3)", "1.0+1.732050807568877i"),
            ("(expt 2.0 (expt 10 10))", "+inf.0"),
            ("(expt 0.5 (expt 10 10))", "0.0"),
        ]);
    }

    #[test]
    fn roots() {
        check(&[
            ("(sqrt 16)", "4"),
            ("(sqrt 2)", "1.4142135623730951"),
            ("(sqrt 16.0)", "4.0"),
            ("(sqrt 0)", "0"),
            ("(sqrt 1/4)", "1/2"),
            ("(sqrt 8/18)", "2/3"),
            ("(sqrt 1/2)", "0.7071067811865476"),
            ("(sqrt -4)", "+2i"),
            ("(sqrt -1/4)", "+1/2i"),
            ("(sqrt -2)", "0.0+1.4142135623730951i"),
            ("(sqrt -4.0)", "0.0+2.0i"),
            ("(sqrt -0.0)", "-0.0"),
            ("(sqrt -3+4i)", "1+2i"),
            ("(sqrt +2i)", "1+i"),
            ("(sqrt +i)", "0.7071067811865476+0.7071067811865476i"),
            ("(sqrt -4.0+0.0i)", "0.0+2.0i"),
            ("(sqrt (expt 10 40))", "100000000000000000000"),
            ("(sqrt (+ 1 (expt 10 40)))", "1.0e+20"),
            ("(sqrt (+ 1 (expt 10 400)))", "1.0e+200"),
            ("(sqrt (/ 1 (+ 1 (expt 10 400))))", "1.0e-200"),
            ("(exact? (sqrt (expt 3 200)))", "#t"),
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
    fn errors() {
        check_errors(&[
            ("(expt 2 'a)", "expt: expected a number (argument 2), got a"),
            (
                "(expt 2 (expt 10 10))",
                "expt: exact result too large (more than 67108864 bits)",
            ),
            (
                "(expt 1/3 -100000000)",
                "expt: exact result too large (more than 67108864 bits)",
            ),
            ("(expt 0 -1)", "expt: division by zero"),
            (
                "(expt 1/2 (expt 10 30))",
                "expt: exact result too large (more than 67108864 bits)",
            ),
            ("(expt 0 -1.5)", "expt: division by zero"),
            ("(sqrt 'a)", "sqrt: expected a number, got a"),
            (
                "(exact-integer-sqrt -1)",
                "exact-integer-sqrt: expected a non-negative exact integer, got -1",
            ),
            (
                "(exact-integer-sqrt 2.0)",
                "exact-integer-sqrt: expected a non-negative exact integer, got 2.0",
            ),
        ]);
    }
}
