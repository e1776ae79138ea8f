//! Number syntax (R7RS 7.1.1 `<number>`): the one parser behind both the reader and
//! `string->number`, and the written form of flonums ([`format_float`]).
//!
//! Text is parsed in two steps: the grammar gives a [`Real`] (an integer, a ratio, a
//! decimal or an infinity/NaN, still exact as written), then [`make_real`] applies the
//! exactness prefix and picks the value type. Sigil's numbers are fixnums, bignums and
//! flonums, so syntax for values it cannot represent yet — an exact ratio that does not
//! come out even (`1/3`, `#e1.5`), a rectangular (`1+2i`, `+i`) or polar (`1@2`) complex
//! — is recognised and reported as [`NumberError::Unsupported`]: when exact rationals and
//! complex numbers join the value types, they plug in at `make_real` and [`complex`].

use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};

/// A number the syntax denotes.
#[derive(Clone, Debug, PartialEq)]
pub enum Number {
    /// An exact integer that fits in 64 bits.
    Fixnum(i64),
    /// A larger exact integer.
    Big(BigInt),
    /// An inexact real.
    Flonum(f64),
}

/// Why text is not a number Sigil can make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// Not number syntax at all (the reader takes such a token as a symbol).
    NotANumber,
    /// Valid R7RS number syntax for a kind of number Sigil does not have yet, named here
    /// in the plural ("exact rationals", "complex numbers").
    Unsupported(&'static str),
}

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

/// Largest decimal exponent `#e` expands exactly (`#e1e1000000` would be a megabyte).
const MAX_EXACT_EXPONENT: i64 = 100_000;

/// Parses `text` as a number in `radix` (2, 8, 10 or 16) unless a `#x`/`#b`/`#o`/`#d`
/// prefix says otherwise; `#e`/`#i` set the exactness. The whole text must be the number.
pub fn parse_number(text: &str, radix: u32) -> Result<Number, NumberError> {
    if let Some(n) = small_integer(text, radix) {
        return Ok(Number::Fixnum(n));
    }
    let (radix, exactness, body) = prefixes(text, radix)?;
    complex(body, radix, exactness)
}

/// Whether `text` is number syntax, including syntax Sigil cannot represent yet (the
/// printer puts bars around a symbol with such a name so that it reads back as a symbol).
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

/// `<complex R>`: a real, or one of the complex forms (not supported yet).
fn complex(body: &str, radix: u32, exactness: Exactness) -> Result<Number, NumberError> {
    if let Some(r) = real(body, radix) {
        return make_real(r, exactness);
    }
    if is_rectangular(body, radix) || is_polar(body, radix) {
        return Err(NumberError::Unsupported("complex numbers"));
    }
    Err(NumberError::NotANumber)
}

/// `<real R> @ <real R>`.
fn is_polar(body: &str, radix: u32) -> bool {
    body.split_once('@')
        .is_some_and(|(m, a)| real(m, radix).is_some() && real(a, radix).is_some())
}

/// `a+bi`, `a-bi`, `a+i`, `+bi`, `+i`, `a+inf.0i` and the like.
fn is_rectangular(body: &str, radix: u32) -> bool {
    let Some(without_i) = body.strip_suffix('i').or_else(|| body.strip_suffix('I')) else {
        return false;
    };
    // The imaginary part starts at the last sign that is not the first character and
    // does not follow an exponent marker.
    let b = without_i.as_bytes();
    let split = (0..b.len()).rev().find(|&i| {
        matches!(b[i], b'+' | b'-')
            && (i == 0
                || radix != 10
                || !is_exponent_marker(b[i - 1])
                || !preceded_by_digit(b, i - 1))
    });
    let Some(split) = split else { return false };
    let (re, im) = without_i.split_at(split);
    let im_ok = im.len() == 1 || real(im, radix).is_some();
    im_ok && (re.is_empty() || real(re, radix).is_some())
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

    /// `digits × 10^exponent`: the significant digits and the power of ten that scales
    /// them (`12.5e1` is `125 × 10^0`).
    fn scaled_digits(&self) -> (BigInt, i64) {
        let mut digits = BigInt::parse_bytes(format!("{}{}", self.int, self.frac).as_bytes(), 10)
            .unwrap_or_default();
        if self.negative {
            digits = -digits;
        }
        (digits, self.exponent.saturating_sub(self.frac.len() as i64))
    }
}

/// The number a [`Real`] denotes under the requested exactness.
fn make_real(r: Real<'_>, exactness: Exactness) -> Result<Number, NumberError> {
    let exact = match r {
        Real::Special(x) if exactness != Exactness::Exact => return Ok(Number::Flonum(x)),
        Real::Special(_) => return Err(NumberError::NotANumber),
        Real::Integer(n) => n,
        Real::Ratio(num, den) if exactness == Exactness::Inexact => {
            return Ok(Number::Flonum(ratio_to_f64(&num, &den)));
        }
        Real::Ratio(num, den) => {
            if den.is_zero() {
                return Err(NumberError::NotANumber);
            }
            if !(&num % &den).is_zero() {
                return Err(NumberError::Unsupported("exact rationals"));
            }
            num / den
        }
        Real::Decimal(d) if exactness != Exactness::Exact => return Ok(Number::Flonum(d.to_f64())),
        Real::Decimal(d) => {
            let (digits, exponent) = d.scaled_digits();
            exact_decimal(digits, exponent)?
        }
    };
    Ok(if exactness == Exactness::Inexact {
        Number::Flonum(exact.to_f64().unwrap_or(f64::NAN))
    } else {
        integer(exact)
    })
}

/// `digits × 10^exponent` as an exact integer, if it is one.
fn exact_decimal(mut digits: BigInt, mut exponent: i64) -> Result<BigInt, NumberError> {
    let ten = BigInt::from(10);
    while exponent < 0 && !digits.is_zero() && (&digits % &ten).is_zero() {
        digits /= &ten;
        exponent += 1;
    }
    if digits.is_zero() {
        return Ok(digits);
    }
    if exponent < 0 {
        return Err(NumberError::Unsupported("exact rationals"));
    }
    if exponent > MAX_EXACT_EXPONENT {
        return Err(NumberError::Unsupported("exact numbers this large"));
    }
    Ok(digits * num_traits::pow(ten, exponent as usize))
}

/// `num / den` as the nearest flonum (also when both are too large for `f64`).
fn ratio_to_f64(num: &BigInt, den: &BigInt) -> f64 {
    match (num.to_f64(), den.to_f64()) {
        (Some(n), Some(d)) if n.is_finite() && d.is_finite() => n / d,
        _ => {
            // Scale both down to f64 range, keeping 64 significant bits of each.
            let shift = num.bits().max(den.bits()).saturating_sub(64);
            let (n, d) = (num >> shift, den >> shift);
            n.to_f64().unwrap_or(f64::NAN) / d.to_f64().unwrap_or(f64::NAN)
        }
    }
}

/// An exact integer as a fixnum when it fits.
fn integer(n: BigInt) -> Number {
    match n.to_i64() {
        Some(i) => Number::Fixnum(i),
        None => Number::Big(n),
    }
}

/// Formats a flonum the Scheme way: `1.0`, `0.5`, `+inf.0`, `+nan.0`.
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "+nan.0".into()
    } else if f.is_infinite() {
        if f > 0.0 { "+inf.0" } else { "-inf.0" }.into()
    } else {
        format!("{f:?}")
    }
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
    fn exactness() {
        assert_eq!(num("#e1.0"), Number::Fixnum(1));
        assert_eq!(num("#e1.5e1"), Number::Fixnum(15));
        assert_eq!(num("#e1e3"), Number::Fixnum(1000));
        assert_eq!(num("#e-0.0"), Number::Fixnum(0));
        assert_eq!(
            num("#e1e20"),
            Number::Big("100000000000000000000".parse().unwrap())
        );
        assert_eq!(num("#i1/4"), Number::Flonum(0.25));
        assert_eq!(num("#x10/2"), Number::Fixnum(8));
        assert_eq!(num("6/3"), Number::Fixnum(2));
        assert_eq!(num("-6/3"), Number::Fixnum(-2));
        assert_eq!(float("#i1/3"), 1.0 / 3.0);
        let huge = format!("#i{}/{}", "9".repeat(400), "3".repeat(400));
        assert_eq!(float(&huge), 3.0);
        assert_eq!(parse_number("1/0", 10), Err(NumberError::NotANumber));
        assert_eq!(float("#i1/0"), f64::INFINITY);
    }

    #[test]
    fn syntax_sigil_cannot_represent_yet() {
        let rational = Err(NumberError::Unsupported("exact rationals"));
        assert_eq!(parse_number("1/3", 10), rational);
        assert_eq!(parse_number("#e1.5", 10), rational);
        assert_eq!(parse_number("#e1e-3", 10), rational);
        let complex = Err(NumberError::Unsupported("complex numbers"));
        for s in [
            "+i",
            "-i",
            "1+2i",
            "1-2i",
            "1.5e3+2i",
            "1e-3-2.5i",
            "+2i",
            "1+i",
            "-inf.0i",
        ] {
            assert_eq!(parse_number(s, 10), complex, "{s}");
        }
        assert_eq!(parse_number("1@2", 10), complex);
        assert_eq!(parse_number("#x1f+ai", 10), complex);
        assert_eq!(
            parse_number("#e1e1000000", 10),
            Err(NumberError::Unsupported("exact numbers this large"))
        );
    }

    #[test]
    fn symbols_that_look_like_numbers() {
        for s in [
            "1+", "-x", "+", "-", "...", "1x", "a", "i", "+a", "1/2/3", "@", "1@", "+-1", "1_000",
            " 5", "",
        ] {
            assert_eq!(parse_number(s, 10), Err(NumberError::NotANumber), "{s}");
        }
        assert!(is_number_syntax("+i"));
        assert!(is_number_syntax("1/2"));
        assert!(!is_number_syntax("1+"));
    }
}
