//! Complex numbers (`make-rectangular`, `make-polar`, `real-part`, `imag-part`,
//! `magnitude`, `angle`) and the transcendental functions, on reals and on complex
//! numbers (`num-complex`'s principal values): a real argument whose result is real
//! gives a flonum, one outside the real domain a complex number (`(log -1)` is
//! `0.0+3.141592653589793i`, `(asin 2)` is complex).

use super::powers::sqrt_number;
use super::{Real, Registry};
use crate::native;
use crate::read::number_syntax::{Complex, InexactComplex, Number, Rational};
use crate::run::ctx::Ctx;
use crate::run::numeric::{self, div_numbers, inexact_parts, real_f64};
use crate::run::value::{NResult, Value};
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use std::f64::consts::{LN_2, PI};

/// `(make-rectangular x1 x2)`: `x1 + x2·i`; exact when both parts are, `x1` itself
/// when `x2` is an exact 0.
#[native("make-rectangular")]
fn make_rectangular(re: Real, im: Real) -> Option<Number> {
    Number::rectangular(re.0, im.0)
}

/// `(make-polar x3 x4)`: `x3·e^(x4·i)`; `x3` itself when `x4` is an exact 0.
#[native("make-polar")]
fn make_polar(magnitude: Real, angle: Real) -> Option<Number> {
    Number::polar(magnitude.0, angle.0)
}

/// `(real-part z)`.
#[native("real-part")]
fn real_part(z: Number) -> Number {
    numeric::parts(&z).0
}

/// `(imag-part z)`: an exact 0 for a real.
#[native("imag-part")]
fn imag_part(z: Number) -> Number {
    numeric::parts(&z).1
}

/// `(magnitude z)`: `abs` for a real; exact for an exact complex number whose magnitude
/// is (`(magnitude 3+4i)` is `5`).
#[native("magnitude")]
fn magnitude(ctx: &mut Ctx, z: Value) -> NResult {
    let n = match numeric::num(ctx.heap(), z)? {
        Number::Complex(Complex::Exact(z)) => sqrt_number(Number::rational(z.norm_sqr())),
        Number::Complex(Complex::Inexact(z)) => Number::Flonum(z.norm()),
        _ => return super::abs_value(ctx, z),
    };
    Ok(numeric::from_num(&mut ctx.vm.heap, n))
}

/// `(angle z)`: in `(-π, π]`; an exact 0 for an exact non-negative real.
#[native("angle")]
fn angle(z: Number) -> Number {
    match z {
        Number::Complex(z) => {
            let z = inexact_parts(&Number::Complex(z));
            Number::Flonum(z.im.atan2(z.re))
        }
        Number::Flonum(x) => Number::Flonum(0f64.atan2(x)),
        exact if exact.to_rational().is_some_and(|r| r.is_negative()) => Number::Flonum(PI),
        _ => Number::Fixnum(0),
    }
}

/// Applies `real` to a real argument inside the domain `real_domain` gives, and `complex`
/// (the principal value) to anything else.
fn transcendental(
    z: Number,
    real_domain: fn(f64) -> bool,
    real: fn(f64) -> f64,
    complex: fn(InexactComplex) -> InexactComplex,
) -> Number {
    if z.is_real() {
        let x = real_f64(&z);
        if real_domain(x) || x.is_nan() {
            return Number::Flonum(real(x));
        }
    }
    Number::Complex(Complex::Inexact(complex(inexact_parts(&z))))
}

fn everywhere(_: f64) -> bool {
    true
}

macro_rules! transcendental_natives {
    ($($f:ident $name:literal $domain:expr, $real:path, $complex:path;)*) => {
        $(
            #[doc = concat!("`(", $name, " z)`.")]
            #[native($name)]
            fn $f(z: Number) -> Number {
                transcendental(z, $domain, $real, $complex)
            }
        )*
    };
}

transcendental_natives! {
    exp "exp" everywhere, f64::exp, InexactComplex::exp;
    sin "sin" everywhere, f64::sin, InexactComplex::sin;
    cos "cos" everywhere, f64::cos, InexactComplex::cos;
    tan "tan" everywhere, f64::tan, InexactComplex::tan;
    asin "asin" |x| x.abs() <= 1.0, f64::asin, InexactComplex::asin;
    acos "acos" |x| x.abs() <= 1.0, f64::acos, InexactComplex::acos;
}

/// Natural logarithm of a positive integer, also beyond the flonum range.
fn ln_integer(n: &BigInt) -> f64 {
    let shift = n.bits().saturating_sub(64);
    (n >> shift).to_f64().unwrap_or(f64::NAN).ln() + shift as f64 * LN_2
}

/// Natural logarithm of a positive rational, also beyond the flonum range.
fn ln_rational(r: &Rational) -> f64 {
    match real_f64(&Number::rational(r.clone())) {
        x if x.is_normal() => x.ln(),
        _ => ln_integer(r.numer()) - ln_integer(r.denom()),
    }
}

/// The principal natural logarithm (`(log 0)` is `-inf.0`, `(log -1)` is `πi`).
fn ln(z: Number) -> Number {
    let (magnitude_ln, negative) = match &z {
        Number::Complex(_) => return Number::Complex(Complex::Inexact(inexact_parts(&z).ln())),
        Number::Flonum(x) => (x.abs().ln(), *x < 0.0),
        exact => match exact.to_rational() {
            Some(r) if !r.is_zero() => (ln_rational(&r.abs()), r.is_negative()),
            _ => (f64::NEG_INFINITY, false),
        },
    };
    if negative {
        Number::inexact_complex(magnitude_ln, PI)
    } else {
        Number::Flonum(magnitude_ln)
    }
}

/// `(log z [base])`.
#[native("log")]
fn log(z: Number, base: Option<Number>) -> NResult<Number> {
    match base {
        Some(b) => div_numbers(ln(z), ln(b)),
        None => Ok(ln(z)),
    }
}

/// `(atan z)`, or `(atan y x)` (reals): the angle of `x + y·i`.
#[native("atan")]
fn atan(ctx: &mut Ctx, z: Value, x: Option<Real>) -> NResult<Number> {
    Ok(match x {
        Some(x) => {
            let y = numeric::real(ctx.heap(), z)?;
            Number::Flonum(real_f64(&y).atan2(real_f64(&x.0)))
        }
        None => {
            let z = numeric::num(ctx.heap(), z)?;
            transcendental(z, everywhere, f64::atan, InexactComplex::atan)
        }
    })
}

/// Registers the complex-number and transcendental natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        MAKE_RECTANGULAR,
        MAKE_POLAR,
        REAL_PART,
        IMAG_PART,
        MAGNITUDE,
        ANGLE,
        EXP,
        LOG,
        SIN,
        COS,
        TAN,
        ASIN,
        ACOS,
        ATAN,
    ]);
}

#[cfg(test)]
mod tests {
    use super::super::tests::{check, check_errors};

    #[test]
    fn parts() {
        check(&[
            ("(make-rectangular 1 2)", "1+2i"),
            ("(make-rectangular 1.5 -2)", "1.5-2.0i"),
            ("(make-rectangular 1.5 0)", "1.5"),
            ("(make-rectangular 1 0.0)", "1.0+0.0i"),
            ("(make-rectangular 1/2 -1)", "1/2-i"),
            ("(make-polar 2 0)", "2"),
            ("(make-polar 2 1)", "1.0806046117362795+1.682941969615793i"),
            ("(list (real-part 1+2i) (imag-part 1+2i))", "(1 2)"),
            (
                "(list (real-part 1.5-2.5i) (imag-part 1.5-2.5i))",
                "(1.5 -2.5)",
            ),
            (
                "(list (real-part 7) (imag-part 7) (imag-part 2.5) (real-part 1/2))",
                "(7 0 0 1/2)",
            ),
            (
                "(list (magnitude 3+4i) (magnitude -5) (magnitude -1/2) (magnitude 1+i))",
                "(5 5 1/2 1.4142135623730951)",
            ),
            ("(magnitude 3.0-4.0i)", "5.0"),
            ("(magnitude -2.5)", "2.5"),
            (
                "(list (angle 1) (angle -1) (angle 1.0) (angle -1.0) (angle +i))",
                "(0 3.141592653589793 0.0 3.141592653589793 1.5707963267948966)",
            ),
            ("(angle -1-i)", "-2.356194490192345"),
            (
                "(let ((z (make-polar 2 0.5))) (list (magnitude z) (angle z)))",
                "(2.0 0.5)",
            ),
        ]);
    }

    #[test]
    fn transcendental_on_reals() {
        check(&[
            ("(exp 0)", "1.0"),
            ("(exp 1)", "2.718281828459045"),
            ("(log 1)", "0.0"),
            ("(log 100 10)", "2.0"),
            ("(log 8 2)", "3.0"),
            ("(log 1/8 2)", "-3.0"),
            ("(< 6931.47 (log (expt 2 10000)) 6931.48)", "#t"),
            ("(< -6931.48 (log (/ 1 (expt 2 10000))) -6931.47)", "#t"),
            ("(log 0)", "-inf.0"),
            ("(log 0.0)", "-inf.0"),
            ("(sin 0)", "0.0"),
            ("(cos 0)", "1.0"),
            ("(tan 0)", "0.0"),
            ("(asin 1)", "1.5707963267948966"),
            ("(acos 1)", "0.0"),
            ("(atan 1)", "0.7853981633974483"),
            ("(atan 1 -1)", "2.356194490192345"),
            ("(atan 1/2 1/2)", "0.7853981633974483"),
            ("(nan? (sin nan))", "#t"),
        ]);
    }

    #[test]
    fn transcendental_on_complex_numbers() {
        check(&[
            ("(log -1)", "0.0+3.141592653589793i"),
            ("(log -1.0)", "0.0+3.141592653589793i"),
            ("(log +i)", "0.0+1.5707963267948966i"),
            ("(log -8 2)", "3.0+4.532360141827194i"),
            ("(real? (log -1))", "#f"),
            // R7RS: asin z = -i log(iz + sqrt(1 - z²)), acos z = π/2 - asin z.
            ("(asin 2)", "1.5707963267948966-1.3169578969248166i"),
        ]);
        // Values from the textbook identities, to within rounding.
        crate::test_util::ev("(define (close? a b) (< (magnitude (- a b)) 1e-12))");
        check(&[
            ("(close? (exp +3.141592653589793i) -1)", "#t"),
            (
                "(close? (exp 1+i) (* (exp 1) (make-rectangular (cos 1) (sin 1))))",
                "#t",
            ),
            (
                "(close? (sin +i) (make-rectangular 0 (/ (- (exp 1) (exp -1)) 2)))",
                "#t",
            ),
            ("(close? (cos +i) (/ (+ (exp 1) (exp -1)) 2))", "#t"),
            ("(close? (tan 1+i) (/ (sin 1+i) (cos 1+i)))", "#t"),
            ("(close? (sin (asin 2+i)) 2+i)", "#t"),
            ("(close? (cos (acos 2+i)) 2+i)", "#t"),
            ("(close? (tan (atan 1+i)) 1+i)", "#t"),
            (
                "(close? (acos 2) (- (/ 3.141592653589793 2) (asin 2)))",
                "#t",
            ),
            ("(real? (acos 2))", "#f"),
            ("(close? (exp (log 3-4i)) 3-4i)", "#t"),
            ("(close? (expt 2+i 1/2) (sqrt 2+i))", "#t"),
        ]);
    }

    #[test]
    fn errors() {
        check_errors(&[
            (
                "(make-rectangular 1 +i)",
                "make-rectangular: expected a real number (argument 2), got +i",
            ),
            (
                "(make-polar 'a 1)",
                "make-polar: expected a real number (argument 1), got a",
            ),
            ("(real-part 'a)", "real-part: expected a number, got a"),
            ("(magnitude 'a)", "magnitude: expected a number, got a"),
            ("(sin 'a)", "sin: expected a number, got a"),
            ("(log 'a)", "log: expected a number (argument 1), got a"),
            (
                "(atan 1 'a)",
                "atan: expected a real number (argument 2), got a",
            ),
            ("(atan +i 1)", "atan: expected a real number, got +i"),
        ]);
    }
}
