//! Pseudo-random numbers: `random` (exact below an exact bound of any size, a flonum
//! below a flonum bound) and `random-seed!`.

use super::Registry;
use crate::native;
use crate::run::ctx::Ctx;
use crate::run::value::{Error, NResult, Value};
use num_bigint::{BigInt, Sign};
use num_traits::Signed;
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

/// Registers the random-number natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[RANDOM, RANDOM_SEED]);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check, check_errors};

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
            ("(random 0)", "random: expected a positive number, got 0"),
            (
                "(random -1.0)",
                "random: expected a positive number, got -1.0",
            ),
            (
                "(random 1/2)",
                "random: expected a positive number, got 1/2",
            ),
        ]);
    }
}
