//! Integer division (`quotient`, `floor/`, `truncate/` and friends), `gcd` and `lcm`: on
//! exact integers, or integral flonums (then the results are flonums).

use super::Registry;
use crate::native;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{Error, NResult, Object, Value};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{ToPrimitive, Zero};

/// An integer argument (exact, or an integral flonum) as a `BigInt`, and whether it was
/// inexact.
pub(super) fn integer_arg(heap: &Heap, v: Value) -> NResult<(BigInt, bool)> {
    let inexact = matches!(v, Value::Float(_));
    Ok((numeric::integer(heap, v)?, inexact))
}

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
    let (x, x_inexact) = integer_arg(heap, a)?;
    let (y, y_inexact) = integer_arg(heap, b)?;
    if x_inexact || y_inexact {
        let real = |v| numeric::real_to_f64(heap, v).unwrap_or(f64::NAN);
        let (q, r) = float_divide(real(a), real(b), how)?;
        return Ok((Value::Float(q), Value::Float(r)));
    }
    if y.is_zero() {
        return Err(division_by_zero());
    }
    let (q, r) = match how {
        Rounding::Floor => x.div_mod_floor(&y),
        Rounding::Truncate => x.div_rem(&y),
    };
    Ok((ctx.integer(q), ctx.integer(r)))
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

/// Folds `gcd`/`lcm` over integer arguments; inexact if any argument is.
fn fold_integers(
    ctx: &mut Ctx,
    args: &[Value],
    init: i64,
    f: fn(&BigInt, &BigInt) -> BigInt,
) -> NResult {
    let mut acc = BigInt::from(init);
    let mut inexact = false;
    for &a in args {
        let (x, inex) = integer_arg(ctx.heap(), a)?;
        inexact |= inex;
        acc = f(&acc, &x);
    }
    if inexact {
        return Ok(Value::Float(acc.to_f64().unwrap_or(f64::NAN)));
    }
    Ok(ctx.integer(acc))
}

/// `(gcd n ...)`: non-negative; `(gcd)` is 0.
#[native("gcd")]
fn gcd(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult {
    fold_integers(ctx, args, 0, Integer::gcd)
}

/// `(lcm n ...)`: non-negative; `(lcm)` is 1.
#[native("lcm")]
fn lcm(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult {
    fold_integers(ctx, args, 1, Integer::lcm)
}

/// Registers the integer division natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
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
    ]);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check, check_errors};

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
    fn errors() {
        check_errors(&[
            ("(quotient 1 0)", "quotient: division by zero"),
            ("(modulo (expt 2 70) 0)", "modulo: division by zero"),
            ("(floor/ 1.0 0)", "floor/: division by zero"),
            (
                "(remainder 1.5 1)",
                "remainder: expected an integer, got 1.5",
            ),
            ("(modulo 1/2 1)", "modulo: expected an integer, got 1/2"),
            ("(quotient 1+i 1)", "quotient: expected an integer, got 1+i"),
            ("(gcd 'a)", "gcd: expected an integer, got a"),
            ("(lcm 1/2)", "lcm: expected an integer, got 1/2"),
        ]);
    }
}
