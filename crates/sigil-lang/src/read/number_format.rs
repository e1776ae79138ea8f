//! The written form of numbers: what `write`, `display` and `number->string` print, in
//! the syntax [`number_syntax`](crate::read::number_syntax) reads back as the same
//! number (`1/3`, `1.5`, `+inf.0`, `1+2i`, `1.5-2.5i`, `+i`).
//!
//! In a radix other than 10, exact numbers are written with the radix's digits (`ff`,
//! `1/a`); an inexact number is written in decimal after a `#d` prefix (`#d1.5`), since
//! R7RS has decimal points in radix 10 only.

use crate::read::number_syntax::{Complex, Number, Rational};
use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};
use std::fmt::Write;

/// The text of `n` in `radix` (2 to 36).
pub fn format_number(n: &Number, radix: u32) -> String {
    let mut out = String::new();
    write_number(n, radix, &mut out);
    out
}

/// Appends the text of `n` in `radix` (2 to 36) to `out`.
pub fn write_number(n: &Number, radix: u32, out: &mut String) {
    if radix != 10 && !n.is_exact() {
        out.push_str("#d");
        return write_number(n, 10, out);
    }
    match n {
        Number::Fixnum(i) if radix == 10 => {
            let _ = write!(out, "{i}");
        }
        Number::Fixnum(i) => write_integer(&BigInt::from(*i), radix, out),
        Number::Big(b) => write_integer(b, radix, out),
        Number::Ratio(r) => write_rational(r, radix, out),
        Number::Flonum(x) => write_float(*x, out),
        Number::Complex(z) => write_complex(z, radix, out),
    }
}

/// Formats a flonum the Scheme way: `1.0`, `0.5`, `1.0e+21`, `+inf.0`, `+nan.0`.
pub fn format_float(f: f64) -> String {
    let mut out = String::new();
    write_float(f, &mut out);
    out
}

fn write_float(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("+nan.0");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "+inf.0" } else { "-inf.0" });
    } else {
        // The shortest digits that read back as the same flonum. In exponent form the
        // mantissa keeps a `.` and the exponent its sign (`1.0e+21`, `5.0e-324`), as
        // chibi-scheme and Gauche write them, so the text always looks inexact.
        let start = out.len();
        let _ = write!(out, "{f:?}");
        if let Some(e) = out[start..].find('e').map(|i| start + i) {
            let positive = !out[e + 1..].starts_with('-');
            if positive {
                out.insert(e + 1, '+');
            }
            if !out[start..e].contains('.') {
                out.insert_str(e, ".0");
            }
        }
    }
}

fn write_integer(n: &BigInt, radix: u32, out: &mut String) {
    if radix == 10 {
        let _ = write!(out, "{n}");
    } else {
        out.push_str(&n.to_str_radix(radix));
    }
}

/// Appends an exact rational (`-1/2`, or an integer when its denominator is 1).
pub fn write_rational(r: &Rational, radix: u32, out: &mut String) {
    write_integer(r.numer(), radix, out);
    if !r.denom().is_one() {
        out.push('/');
        write_integer(r.denom(), radix, out);
    }
}

/// Appends a complex number: `1+2i`, `-1/2-i`, `+i` (an exact real part of 0 is left
/// out), `1.5+0.0i`, `0.0-inf.0i` (an inexact one always has both parts). In a radix
/// above 18, where `i` is a digit, both parts and the imaginary coefficient are always
/// written (`0+1i`), so the text does not read back as an integer.
pub fn write_complex(z: &Complex, radix: u32, out: &mut String) {
    match z {
        Complex::Exact(z) => {
            let explicit = radix > 18;
            if explicit || !z.re.is_zero() {
                write_rational(&z.re, radix, out);
            }
            if !z.im.is_negative() {
                out.push('+');
            }
            if explicit || !z.im.abs().is_one() {
                write_rational(&z.im, radix, out);
            } else if z.im.is_negative() {
                out.push('-');
            }
        }
        Complex::Inexact(z) => {
            write_float(z.re, out);
            let im = format_float(z.im);
            if !im.starts_with(['+', '-']) {
                out.push('+');
            }
            out.push_str(&im);
        }
    }
    out.push('i');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::number_syntax::{parse_number, ExactComplex};

    fn text(s: &str, radix: u32) -> String {
        let n = parse_number(s, 10).unwrap_or_else(|e| panic!("{s}: {e:?}"));
        format_number(&n, radix)
    }

    #[test]
    fn reals() {
        assert_eq!(text("42", 10), "42");
        assert_eq!(text("-255", 16), "-ff");
        assert_eq!(text("5", 2), "101");
        assert_eq!(
            text("123456789012345678901234567890", 16),
            "18ee90ff6c373e0ee4e3f0ad2"
        );
        assert_eq!(text("-7/14", 10), "-1/2");
        assert_eq!(text("#x10/3", 16), "10/3");
        assert_eq!(text("10/3", 2), "1010/11");
        assert_eq!(text("1.5", 10), "1.5");
        assert_eq!(text("2.0", 10), "2.0");
        assert_eq!(text("-0.0", 10), "-0.0");
        assert_eq!(text("1e21", 10), "1.0e+21");
        assert_eq!(text("1.5e-7", 10), "1.5e-7");
        assert_eq!(text("5e-324", 10), "5.0e-324");
        assert_eq!(
            text("-1.7976931348623157e308", 10),
            "-1.7976931348623157e+308"
        );
        assert_eq!(text("1e100+1e-100i", 10), "1.0e+100+1.0e-100i");
        assert_eq!(text("-inf.0", 10), "-inf.0");
        assert_eq!(text("+nan.0", 10), "+nan.0");
        assert_eq!(text("1.5", 16), "#d1.5");
        assert_eq!(text("+inf.0", 2), "#d+inf.0");
    }

    #[test]
    fn complex_numbers() {
        assert_eq!(text("+i", 10), "+i");
        assert_eq!(text("-i", 10), "-i");
        assert_eq!(text("1+i", 10), "1+i");
        assert_eq!(text("1+2i", 10), "1+2i");
        assert_eq!(text("-1/2-3/4i", 10), "-1/2-3/4i");
        assert_eq!(text("+2i", 10), "+2i");
        assert_eq!(text("1.5-2.5i", 10), "1.5-2.5i");
        assert_eq!(text("1+0.i", 10), "1.0+0.0i");
        assert_eq!(text("-0.0-0.0i", 10), "-0.0-0.0i");
        assert_eq!(text("+inf.0i", 10), "0.0+inf.0i");
        assert_eq!(text("1-inf.0i", 10), "1.0-inf.0i");
        assert_eq!(text("+nan.0i", 10), "0.0+nan.0i");
        assert_eq!(text("10+11i", 16), "a+bi");
        assert_eq!(text("1.5+2i", 16), "#d1.5+2.0i");
        assert_eq!(text("+i", 36), "0+1i");
        assert_eq!(text("-i", 19), "0-1i");
        assert_eq!(text("+i", 18), "+i");
    }

    #[test]
    fn written_numbers_read_back() {
        let mut samples: Vec<Number> = [
            "0",
            "-1",
            "9223372036854775807",
            "-9223372036854775808",
            "1/3",
            "-22/7",
            "123456789012345678901234567890/7",
            "0.1",
            "-1e-300",
            "5e-324",
            "1.7976931348623157e308",
            "+inf.0",
            "-inf.0",
            "1+i",
            "-i",
            "1/2-7/3i",
            "1e300+1e-300i",
            "-0.0+0.0i",
            "+inf.0-inf.0i",
            "3+4i",
        ]
        .iter()
        .map(|s| parse_number(s, 10).unwrap())
        .collect();
        samples.push(Number::exact_complex(ExactComplex::new(
            Rational::new(1.into(), 3.into()),
            Rational::from_integer(BigInt::from(1) << 100),
        )));
        for n in &samples {
            for radix in [2, 8, 10, 16, 19, 36] {
                let t = format_number(n, radix);
                assert_eq!(
                    parse_number(&t, radix).as_ref(),
                    Ok(n),
                    "{n:?} in radix {radix}: {t}"
                );
            }
        }
        let nan = parse_number(&format_number(&Number::Flonum(f64::NAN), 16), 16);
        assert!(matches!(nan, Ok(Number::Flonum(x)) if x.is_nan()));
    }
}
