//! Number syntax (R7RS 7.1.1 `<number>`): the one parser behind both the reader and
//! `string->number`, and the numbers it makes ([`Number`]: the numeric tower as plain
//! data, which the VM's arithmetic works on too). The written form is in
//! [`number_format`](crate::read::number_format).
//!
//! Text is parsed in two steps: the grammar gives each real part a [`Real`] (an integer, a
//! ratio, a decimal or an infinity/NaN, still exact as written), then [`make_real`]
//! applies the exactness prefix and [`complex`] puts a rectangular (`1+2i`, `+i`) or polar
//! (`1@2`) number together from its parts.

use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};

/// An exact rational (`num-rational`'s `BigRational`: lowest terms, positive denominator).
pub type Rational = num_rational::BigRational;

/// A complex number with exact rational parts.
pub type ExactComplex = num_complex::Complex<Rational>;

/// A complex number with flonum parts.
pub type InexactComplex = num_complex::Complex64;

/// A non-real complex number. Both parts have the same exactness: an exact complex has a
/// non-zero imaginary part (otherwise it is a real), an inexact one may have `0.0` there
/// (`1.0+0.0i` is not `real?`, as in R7RS).
#[derive(Clone, Debug, PartialEq)]
pub enum Complex {
    /// Exact parts; the imaginary part is not zero.
    Exact(ExactComplex),
    /// Flonum parts.
    Inexact(InexactComplex),
}

/// A number: the numeric tower as plain data. Every constructor below normalises, so
/// each value has one representation: an integer that fits in 64 bits is a `Fixnum`, a
/// ratio whose denominator is 1 is an integer, an exact complex whose imaginary part is 0
/// is a real.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// An exact integer that fits in 64 bits.
    Fixnum(i64),
    /// A larger exact integer.
    Big(BigInt),
    /// An exact rational that is not an integer.
    Ratio(Rational),
    /// An inexact real.
    Flonum(f64),
    /// A non-real complex number.
    Complex(Complex),
}

impl Number {
    /// An exact integer, as a fixnum when it fits.
    pub fn integer(n: BigInt) -> Number {
        match n.to_i64() {
            Some(i) => Number::Fixnum(i),
            None => Number::Big(n),
        }
    }

    /// An exact rational, as an integer when its denominator is 1.
    pub fn rational(r: Rational) -> Number {
        if r.is_integer() {
            Number::integer(r.to_integer())
        } else {
            Number::Ratio(r)
        }
    }

    /// An exact complex number, as a real when its imaginary part is 0.
    pub fn exact_complex(z: ExactComplex) -> Number {
        if z.im.is_zero() {
            Number::rational(z.re)
        } else {
            Number::Complex(Complex::Exact(z))
        }
    }

    /// An inexact complex number (kept complex even when its imaginary part is `0.0`).
    pub fn inexact_complex(re: f64, im: f64) -> Number {
        Number::Complex(Complex::Inexact(InexactComplex::new(re, im)))
    }

    /// `re + im·i` from real parts: `re` itself when `im` is an exact 0, exact when both
    /// parts are, otherwise inexact (R7RS `make-rectangular`). `None` when a part is not
    /// real.
    pub fn rectangular(re: Number, im: Number) -> Option<Number> {
        if im.is_exact_zero() {
            return re.is_real().then_some(re);
        }
        match (re.to_rational(), im.to_rational()) {
            (Some(re), Some(im)) => Some(Number::exact_complex(ExactComplex::new(re, im))),
            _ => Some(Number::inexact_complex(
                re.real_to_f64()?,
                im.real_to_f64()?,
            )),
        }
    }

    /// `magnitude·e^(angle·i)` from real parts: the magnitude itself for an exact zero
    /// angle, otherwise an inexact complex number (R7RS `make-polar`). `None` when a part
    /// is not real.
    pub fn polar(magnitude: Number, angle: Number) -> Option<Number> {
        if angle.is_exact_zero() {
            return magnitude.is_real().then_some(magnitude);
        }
        let (m, a) = (magnitude.real_to_f64()?, angle.real_to_f64()?);
        Some(Number::inexact_complex(m * a.cos(), m * a.sin()))
    }

    /// Whether the number is exact.
    pub fn is_exact(&self) -> bool {
        !matches!(
            self,
            Number::Flonum(_) | Number::Complex(Complex::Inexact(_))
        )
    }

    /// Whether the number is real (not a [`Complex`]).
    pub fn is_real(&self) -> bool {
        !matches!(self, Number::Complex(_))
    }

    /// Whether the number is an exact 0.
    pub fn is_exact_zero(&self) -> bool {
        matches!(self, Number::Fixnum(0))
    }

    /// An exact real as a rational; `None` for inexact and non-real numbers.
    pub fn to_rational(&self) -> Option<Rational> {
        match self {
            Number::Fixnum(i) => Some(Rational::from_integer(BigInt::from(*i))),
            Number::Big(b) => Some(Rational::from_integer(b.clone())),
            Number::Ratio(r) => Some(r.clone()),
            Number::Flonum(_) | Number::Complex(_) => None,
        }
    }

    /// A real as the nearest flonum (correctly rounded; beyond the flonum range, an
    /// infinity); `None` for a non-real number.
    pub fn real_to_f64(&self) -> Option<f64> {
        Some(match self {
            Number::Fixnum(i) => *i as f64,
            Number::Big(b) => big_to_f64(b),
            Number::Ratio(r) => ratio_to_f64(r),
            Number::Flonum(x) => *x,
            Number::Complex(_) => return None,
        })
    }

    /// The number with flonum parts (R7RS `inexact`).
    pub fn to_inexact(&self) -> Number {
        match self {
            Number::Complex(Complex::Exact(z)) => {
                Number::inexact_complex(ratio_to_f64(&z.re), ratio_to_f64(&z.im))
            }
            Number::Complex(Complex::Inexact(_)) | Number::Flonum(_) => self.clone(),
            real => Number::Flonum(real.real_to_f64().unwrap_or(f64::NAN)),
        }
    }

    /// The number with exact parts (R7RS `exact`): a flonum's exact binary value; `None`
    /// for an infinity or a NaN.
    pub fn to_exact(&self) -> Option<Number> {
        match self {
            Number::Flonum(x) => Some(Number::rational(Rational::from_float(*x)?)),
            Number::Complex(Complex::Inexact(z)) => Some(Number::exact_complex(ExactComplex::new(
                Rational::from_float(z.re)?,
                Rational::from_float(z.im)?,
            ))),
            exact => Some(exact.clone()),
        }
    }
}

/// A bignum as the nearest flonum (`num-bigint` rounds to nearest; beyond the range it
/// gives an infinity).
fn big_to_f64(b: &BigInt) -> f64 {
    b.to_f64().unwrap_or(f64::NAN)
}

/// A rational as the nearest flonum (`num-rational` rounds correctly, subnormals and
/// overflow included).
fn ratio_to_f64(r: &Rational) -> f64 {
    r.to_f64().unwrap_or(f64::NAN)
}

/// Why text is not a number Sigil can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Not number syntax at all (the reader takes such a token as a symbol).
    NotANumber,
    /// An exact number whose decimal exponent is beyond [`MAX_EXACT_EXPONENT`]
    /// (`#e1e1000000` would be a megabyte).
    TooLarge,
}

/// Largest decimal exponent (either sign) an exact decimal may have.
pub const MAX_EXACT_EXPONENT: i64 = 100_000;

/// Exactness requested by a `#e` / `#i` prefix.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Exactness {
    /// No prefix: integers and ratios are exact, decimals inexact.
    Default,
    Exact,
    Inexact,
}

/// A real number as written, sign included, before exactness is applied.
enum Real<'a> {
    /// `<sign> <uinteger>`.
    Integer(BigInt),
    /// `<sign> <uinteger> / <uinteger>`.
    Ratio(BigInt, BigInt),
    /// `<sign> <decimal 10>`.
    Decimal(Decimal<'a>),
    /// `+inf.0`, `-inf.0`, `+nan.0`, `-nan.0`.
    Special(f64),
}

/// The parts of a decimal: `[-] int . frac × 10^exponent`, and its whole text.
struct Decimal<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
    exponent: i64,
    text: &'a str,
}

/// Parses `text` as a number in `radix` (2 to 36; R7RS has 2, 8, 10 and 16) unless a
/// `#x`/`#b`/`#o`/`#d` prefix says otherwise; `#e`/`#i` set the exactness. The whole text
/// must be the number.
pub fn parse_number(text: &str, radix: u32) -> Result<Number, NumberError> {
    if let Some(n) = small_integer(text, radix) {
        return Ok(Number::Fixnum(n));
    }
    let (radix, exactness, body) = prefixes(text, radix)?;
    complex(body, radix, exactness)
}

/// Whether `text` is number syntax (the printer puts bars around a symbol with such a
/// name so that it reads back as a symbol).
pub fn is_number_syntax(text: &str) -> bool {
    !matches!(parse_number(text, 10), Err(NumberError::NotANumber))
}

/// The common case, without allocating: an optionally signed decimal fixnum.
fn small_integer(text: &str, radix: u32) -> Option<i64> {
    let b = text.as_bytes();
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    if radix != 10 || digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + i64::from(d - b'0');
    }
    Some(if neg { -n } else { n })
}

/// Strips `<prefix R>`: at most one radix and one exactness prefix, in either order.
fn prefixes(mut text: &str, mut radix: u32) -> Result<(u32, Exactness, &str), NumberError> {
    let (mut seen_radix, mut exactness) = (false, Exactness::Default);
    while let Some(rest) = text.strip_prefix('#') {
        let mut chars = rest.chars();
        let c = chars.next().ok_or(NumberError::NotANumber)?;
        match c.to_ascii_lowercase() {
            'x' | 'b' | 'o' | 'd' if !seen_radix => {
                seen_radix = true;
                radix = match c.to_ascii_lowercase() {
                    'x' => 16,
                    'b' => 2,
                    'o' => 8,
                    _ => 10,
                };
            }
            'e' | 'i' if exactness == Exactness::Default => {
                exactness = if c.eq_ignore_ascii_case(&'e') {
                    Exactness::Exact
                } else {
                    Exactness::Inexact
                };
            }
            _ => return Err(NumberError::NotANumber),
        }
        text = chars.as_str();
    }
    Ok((radix, exactness, text))
}

/// `<complex R>`: a real, a polar `<real> @ <real>` or a rectangular number.
fn complex(body: &str, radix: u32, exactness: Exactness) -> Result<Number, NumberError> {
    let part = |text| match real(text, radix) {
        Some(r) => make_real(r, exactness),
        None => Err(NumberError::NotANumber),
    };
    if let Some(r) = real(body, radix) {
        return make_real(r, exactness);
    }
    if let Some((magnitude, angle)) = body.split_once('@') {
        let polar = Number::polar(part(magnitude)?, part(angle)?).ok_or(NumberError::NotANumber)?;
        return match exactness {
            Exactness::Exact => polar.to_exact().ok_or(NumberError::NotANumber),
            _ => Ok(polar),
        };
    }
    let (re, im) = rectangular_parts(body, radix).ok_or(NumberError::NotANumber)?;
    let re = if re.is_empty() {
        Number::Fixnum(0)
    } else {
        part(re)?
    };
    let im = match im {
        "+" | "-" => make_real(
            Real::Integer(BigInt::from(if im == "+" { 1 } else { -1 })),
            exactness,
        )?,
        im => part(im)?,
    };
    Number::rectangular(re, im).ok_or(NumberError::NotANumber)
}

/// Splits `a+bi`, `a-bi`, `a+i`, `+bi`, `+i`, `a+inf.0i` and the like into the real part
/// (empty when absent) and the signed imaginary part without its `i` (a lone sign for
/// `±i`). `None` when `body` is not of that shape.
fn rectangular_parts(body: &str, radix: u32) -> Option<(&str, &str)> {
    let without_i = body.strip_suffix('i').or_else(|| body.strip_suffix('I'))?;
    // The imaginary part starts at the last sign that is not the first character and
    // does not follow an exponent marker.
    let b = without_i.as_bytes();
    let split = (0..b.len()).rev().find(|&i| {
        matches!(b[i], b'+' | b'-')
            && (i == 0
                || radix != 10
                || !is_exponent_marker(b[i - 1])
                || !preceded_by_digit(b, i - 1))
    })?;
    Some(without_i.split_at(split))
}

/// Whether `b[i]` follows a decimal digit or a `.` (so an `e` there is an exponent marker).
fn preceded_by_digit(b: &[u8], i: usize) -> bool {
    i > 0 && (b[i - 1].is_ascii_digit() || b[i - 1] == b'.')
}

fn is_exponent_marker(b: u8) -> bool {
    matches!(b.to_ascii_lowercase(), b'e' | b's' | b'f' | b'd' | b'l')
}

/// `<real R>`: `<sign> <ureal R>` or an infinity / NaN (in any letter case).
fn real(text: &str, radix: u32) -> Option<Real<'_>> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'+' => (false, &text[1..]),
        b'-' => (true, &text[1..]),
        _ => (false, text),
    };
    if unsigned.len() != text.len() {
        if unsigned.eq_ignore_ascii_case("inf.0") {
            return Some(Real::Special(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            }));
        }
        if unsigned.eq_ignore_ascii_case("nan.0") {
            return Some(Real::Special(f64::NAN));
        }
    }
    let negate = |n: BigInt| if negative { -n } else { n };
    if let Some((num, den)) = unsigned.split_once('/') {
        let (num, den) = (uinteger(num, radix)?, uinteger(den, radix)?);
        return Some(Real::Ratio(negate(num), den));
    }
    if let Some(n) = uinteger(unsigned, radix) {
        return Some(Real::Integer(negate(n)));
    }
    if radix != 10 {
        return None;
    }
    let (int, frac, exponent) = decimal(unsigned)?;
    Some(Real::Decimal(Decimal {
        negative,
        int,
        frac,
        exponent,
        text,
    }))
}

/// `<uinteger R>`: one or more digits of the radix.
fn uinteger(text: &str, radix: u32) -> Option<BigInt> {
    if text.is_empty() || !text.bytes().all(|b| (b as char).is_digit(radix)) {
        return None;
    }
    BigInt::parse_bytes(text.as_bytes(), radix)
}

/// `<decimal 10>` without its sign: the digits before and after the point, and the
/// exponent.
fn decimal(text: &str) -> Option<(&str, &str, i64)> {
    let b = text.as_bytes();
    let mantissa_end = b
        .iter()
        .position(|&c| is_exponent_marker(c))
        .unwrap_or(b.len());
    let (mantissa, suffix) = text.split_at(mantissa_end);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|c| c.is_ascii_digit());
    if int.len() + frac.len() == 0 || !all_digits(int) || !all_digits(frac) {
        return None;
    }
    let mut exponent: i64 = 0;
    if !suffix.is_empty() {
        let e = &suffix[1..];
        let e_digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        if e_digits.is_empty() || !all_digits(e_digits) {
            return None;
        }
        // An exponent too large for i64 saturates: the value is 0 or infinite anyway.
        exponent = e.parse().unwrap_or(if e.starts_with('-') {
            i64::MIN / 2
        } else {
            i64::MAX / 2
        });
    }
    Some((int, frac, exponent))
}

impl Decimal<'_> {
    /// The nearest flonum.
    fn to_f64(&self) -> f64 {
        // Rust's parser takes this grammar, but only `e` as the exponent marker.
        let parsed =
            if !(self.text.bytes()).any(|c| is_exponent_marker(c) && !matches!(c, b'e' | b'E')) {
                self.text.parse()
            } else {
                let text: String = (self.text.bytes())
                    .map(|c| {
                        if is_exponent_marker(c) {
                            'e'
                        } else {
                            c as char
                        }
                    })
                    .collect();
                text.parse()
            };
        parsed.unwrap_or(f64::NAN)
    }

    /// The exact value: `digits × 10^exponent`, refused beyond [`MAX_EXACT_EXPONENT`].
    fn to_exact(&self) -> Result<Number, NumberError> {
        let mut digits = BigInt::parse_bytes(format!("{}{}", self.int, self.frac).as_bytes(), 10)
            .unwrap_or_default();
        if digits.is_zero() {
            return Ok(Number::Fixnum(0));
        }
        if self.negative {
            digits = -digits;
        }
        let exponent = self.exponent.saturating_sub(self.frac.len() as i64);
        if exponent.abs() > MAX_EXACT_EXPONENT {
            return Err(NumberError::TooLarge);
        }
        let scale = num_traits::pow(BigInt::from(10), exponent.unsigned_abs() as usize);
        Ok(Number::rational(if exponent < 0 {
            Rational::new(digits, scale)
        } else {
            Rational::from_integer(digits * scale)
        }))
    }
}

/// The number a [`Real`] denotes under the requested exactness.
fn make_real(r: Real<'_>, exactness: Exactness) -> Result<Number, NumberError> {
    let exact = match r {
        Real::Special(x) if exactness != Exactness::Exact => return Ok(Number::Flonum(x)),
        Real::Special(_) => return Err(NumberError::NotANumber),
        Real::Integer(n) => Number::integer(n),
        Real::Ratio(num, den) if den.is_zero() => {
            if exactness != Exactness::Inexact {
                return Err(NumberError::NotANumber);
            }
            // `#i1/0`, `#i-1/0`, `#i0/0`: what flonum division gives.
            let num = num.to_f64().unwrap_or(f64::NAN);
            return Ok(Number::Flonum(num / 0.0));
        }
        Real::Ratio(num, den) => Number::rational(Rational::new(num, den)),
        Real::Decimal(d) if exactness != Exactness::Exact => return Ok(Number::Flonum(d.to_f64())),
        Real::Decimal(d) => d.to_exact()?,
    };
    Ok(if exactness == Exactness::Inexact {
        exact.to_inexact()
    } else {
        exact
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Number {
        parse_number(s, 10).unwrap_or_else(|e| panic!("{s}: {e:?}"))
    }

    fn float(s: &str) -> f64 {
        match num(s) {
            Number::Flonum(x) => x,
            n => panic!("{s}: {n:?}"),
        }
    }

    fn ratio(n: i64, d: i64) -> Number {
        Number::rational(Rational::new(n.into(), d.into()))
    }

    fn exact_complex(re: Number, im: Number) -> Number {
        let part = |n: Number| n.to_rational().expect("exact part");
        Number::exact_complex(ExactComplex::new(part(re), part(im)))
    }

    fn inexact(s: &str) -> (f64, f64) {
        match num(s) {
            Number::Complex(Complex::Inexact(z)) => (z.re, z.im),
            n => panic!("{s}: {n:?}"),
        }
    }

    #[test]
    fn integers_in_every_radix() {
        assert_eq!(num("42"), Number::Fixnum(42));
        assert_eq!(num("-17"), Number::Fixnum(-17));
        assert_eq!(num("+17"), Number::Fixnum(17));
        assert_eq!(num("#xff"), Number::Fixnum(255));
        assert_eq!(num("#XFF"), Number::Fixnum(255));
        assert_eq!(num("#x-10"), Number::Fixnum(-16));
        assert_eq!(num("#b101"), Number::Fixnum(5));
        assert_eq!(num("#o17"), Number::Fixnum(15));
        assert_eq!(num("#d99"), Number::Fixnum(99));
        assert_eq!(parse_number("ff", 16), Ok(Number::Fixnum(255)));
        assert_eq!(parse_number("#d10", 16), Ok(Number::Fixnum(10)));
        assert_eq!(
            num("123456789012345678901234567890"),
            Number::Big("123456789012345678901234567890".parse().unwrap())
        );
        assert_eq!(num("9223372036854775807"), Number::Fixnum(i64::MAX));
        assert_eq!(num("-9223372036854775808"), Number::Fixnum(i64::MIN));
    }

    #[test]
    fn prefixes_in_either_order() {
        assert_eq!(num("#e#x10"), Number::Fixnum(16));
        assert_eq!(num("#x#e10"), Number::Fixnum(16));
        assert_eq!(num("#i#x10"), Number::Flonum(16.0));
        assert_eq!(num("#x#i10"), Number::Flonum(16.0));
        assert_eq!(num("#i5"), Number::Flonum(5.0));
        assert_eq!(num("#X#E1/2"), ratio(1, 2));
        for bad in ["#x#x10", "#e#i1", "#", "#x", "#q1", "#e", "#x#"] {
            assert_eq!(parse_number(bad, 10), Err(NumberError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn decimals_and_exponent_markers() {
        assert_eq!(float("1.5"), 1.5);
        assert_eq!(float(".5"), 0.5);
        assert_eq!(float("-.25"), -0.25);
        assert_eq!(float("1."), 1.0);
        assert_eq!(float("1.e2"), 100.0);
        assert_eq!(float(".5e1"), 5.0);
        assert_eq!(float("+1.5"), 1.5);
        for s in [
            "1e2", "1E2", "1s2", "1f2", "1d2", "1l2", "1L2", "10e+1", "1000e-1",
        ] {
            assert_eq!(float(s), 100.0, "{s}");
        }
        assert_eq!(float("#d1.5e1"), 15.0);
        assert_eq!(float("1e400"), f64::INFINITY);
        assert_eq!(float("1e-400"), 0.0);
        assert_eq!(float("1e99999999999999999999"), f64::INFINITY);
        for bad in [
            "1e", "e1", ".", "..5", "1.2.3", "1e2.5", "#x1.5", "1e+", "-", "+.",
        ] {
            assert_eq!(parse_number(bad, 10), Err(NumberError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn infinities_and_nans_in_any_case() {
        assert_eq!(float("+inf.0"), f64::INFINITY);
        assert_eq!(float("-INF.0"), f64::NEG_INFINITY);
        assert_eq!(float("+Inf.0"), f64::INFINITY);
        assert!(float("+nan.0").is_nan());
        assert!(float("-NaN.0").is_nan());
        assert!(float("#i+inf.0").is_infinite());
        for bad in ["inf.0", "nan.0", "+inf", "#e+inf.0", "+inf.00"] {
            assert_eq!(parse_number(bad, 10), Err(NumberError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn fractions() {
        assert_eq!(num("1/3"), ratio(1, 3));
        assert_eq!(num("-7/14"), ratio(-1, 2));
        assert_eq!(num("+6/4"), ratio(3, 2));
        assert_eq!(num("6/3"), Number::Fixnum(2));
        assert_eq!(num("-6/3"), Number::Fixnum(-2));
        assert_eq!(num("0/5"), Number::Fixnum(0));
        assert_eq!(num("#x10/3"), ratio(16, 3));
        assert_eq!(num("#b-101/11"), ratio(-5, 3));
        assert_eq!(parse_number("a/b", 16), Ok(ratio(10, 11)));
        assert_eq!(num("#x10/2"), Number::Fixnum(8));
        let big = num("1/123456789012345678901234567890");
        assert!(matches!(big, Number::Ratio(_)), "{big:?}");
        for bad in [
            "1/0", "1/", "/2", "1/-2", "1/2/3", "1.5/2", "1/2.5", "#x1/g",
        ] {
            assert_eq!(parse_number(bad, 10), Err(NumberError::NotANumber), "{bad}");
        }
    }

    #[test]
    fn exactness() {
        assert_eq!(num("#e1.0"), Number::Fixnum(1));
        assert_eq!(num("#e1.5"), ratio(3, 2));
        assert_eq!(num("#e-0.125"), ratio(-1, 8));
        assert_eq!(num("#e1.5e1"), Number::Fixnum(15));
        assert_eq!(num("#e1e3"), Number::Fixnum(1000));
        assert_eq!(num("#e1e-3"), ratio(1, 1000));
        assert_eq!(num("#e.1"), ratio(1, 10));
        assert_eq!(num("#e-0.0"), Number::Fixnum(0));
        assert_eq!(
            num("#e1e20"),
            Number::Big("100000000000000000000".parse().unwrap())
        );
        assert_eq!(num("#i1/4"), Number::Flonum(0.25));
        assert_eq!(float("#i1/3"), 1.0 / 3.0);
        assert_eq!(float("#i-2/3"), -2.0 / 3.0);
        let huge = format!("#i{}/{}", "9".repeat(400), "3".repeat(400));
        assert_eq!(float(&huge), 3.0);
        assert_eq!(float("#i1/0"), f64::INFINITY);
        assert_eq!(float("#i-1/0"), f64::NEG_INFINITY);
        assert!(float("#i0/0").is_nan());
        assert!(matches!(num("#e1.5e100000"), Number::Big(_)));
        for too_large in ["#e1e1000000", "#e1e-1000000", "#e1.5e100002", "#e1e-100001"] {
            assert_eq!(
                parse_number(too_large, 10),
                Err(NumberError::TooLarge),
                "{too_large}"
            );
        }
        assert!(is_number_syntax("#e1e1000000"));
    }

    #[test]
    fn rectangular_complex_numbers() {
        let one = Number::Fixnum(1);
        let minus_one = Number::Fixnum(-1);
        let zero = Number::Fixnum(0);
        assert_eq!(num("+i"), exact_complex(zero.clone(), one.clone()));
        assert_eq!(num("-I"), exact_complex(zero.clone(), minus_one.clone()));
        assert_eq!(num("1+i"), exact_complex(one.clone(), one.clone()));
        assert_eq!(num("1-i"), exact_complex(one.clone(), minus_one));
        assert_eq!(num("1+2i"), exact_complex(one.clone(), Number::Fixnum(2)));
        assert_eq!(num("-1/2+3/4i"), exact_complex(ratio(-1, 2), ratio(3, 4)));
        assert_eq!(num("+2i"), exact_complex(zero.clone(), Number::Fixnum(2)));
        assert_eq!(
            num("#x-a+fi"),
            exact_complex(Number::Fixnum(-10), Number::Fixnum(15))
        );
        assert_eq!(parse_number("1f+ai", 16), Ok(num("31+10i")));
        assert_eq!(num("#e1.5+2.5i"), exact_complex(ratio(3, 2), ratio(5, 2)));
        // An exact zero imaginary part leaves a real; an inexact one does not.
        assert_eq!(num("3+0i"), Number::Fixnum(3));
        assert_eq!(num("1.5+0i"), Number::Flonum(1.5));
        assert_eq!(num("1/2-0/3i"), ratio(1, 2));
        assert_eq!(inexact("1+0.i"), (1.0, 0.0));
        assert_eq!(inexact("#i1+0i"), (1.0, 0.0));
        assert_eq!(inexact("1.5e3+2i"), (1500.0, 2.0));
        assert_eq!(inexact("1e-3-2.5i"), (0.001, -2.5));
        assert_eq!(inexact("+1e+2i"), (0.0, 100.0));
        assert_eq!(inexact("1e2+1e-2i"), (100.0, 0.01));
        assert_eq!(inexact("#i1/2+i"), (0.5, 1.0));
        assert_eq!(inexact("-0.0-0.0i").0.to_bits(), (-0.0f64).to_bits());
        assert_eq!(inexact("+inf.0i"), (0.0, f64::INFINITY));
        assert_eq!(inexact("-inf.0i"), (0.0, f64::NEG_INFINITY));
        assert_eq!(inexact("1-INF.0i"), (1.0, f64::NEG_INFINITY));
        assert_eq!(inexact("+inf.0+inf.0i"), (f64::INFINITY, f64::INFINITY));
        assert!(inexact("+nan.0i").1.is_nan());
        assert!(inexact("+nan.0+1i").0.is_nan());
    }

    #[test]
    fn polar_complex_numbers() {
        assert_eq!(num("2@0"), Number::Fixnum(2));
        assert_eq!(num("1/2@0"), ratio(1, 2));
        let (re, im) = inexact("1@1");
        assert_eq!((re, im), (1f64.cos(), 1f64.sin()));
        let (re, im) = inexact("-2@1.5");
        assert_eq!((re, im), (-2.0 * 1.5f64.cos(), -2.0 * 1.5f64.sin()));
        assert_eq!(num("2.0@0"), Number::Flonum(2.0));
        assert_eq!(inexact("2@0.0"), (2.0, 0.0));
        assert!(matches!(num("#e1@1"), Number::Complex(Complex::Exact(_))));
        assert_eq!(parse_number("#e+inf.0@1", 10), Err(NumberError::NotANumber));
    }

    #[test]
    fn symbols_that_look_like_numbers() {
        for s in [
            "1+", "-x", "+", "-", "...", "1x", "a", "i", "+a", "1/2/3", "@", "1@", "@1", "1@2@3",
            "+-1", "1_000", " 5", "", "1+2", "1i", "1+2j", "1++i", "+i+i", "1+2i3", "1e+2i",
            "+inf.0ii", "1@2i", "1+2@3",
        ] {
            assert_eq!(parse_number(s, 10), Err(NumberError::NotANumber), "{s}");
        }
        assert!(is_number_syntax("+i"));
        assert!(is_number_syntax("1/2"));
        assert!(!is_number_syntax("1+"));
    }
}
