//! Characters: predicates, comparisons, case conversion and digit values.

use super::Registry;
use crate::run::value::{Error, NResult, Value};
use crate::run::vm::Vm;

/// A character argument.
pub fn char_arg(who: &str, v: Value) -> NResult<char> {
    match v {
        Value::Char(c) => Ok(c),
        _ => Err(Error::wrong_type(who, "a character", v)),
    }
}

/// Code points of the digit zero in the Unicode decimal-digit (Nd) ranges Sigil knows.
const DIGIT_ZEROS: &[u32] = &[
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xAA50, 0xABF0, 0xFF10,
];

/// The value of a decimal digit character, if it is one.
pub fn digit_value(c: char) -> Option<u32> {
    let n = c as u32;
    if c.is_ascii() {
        return c.to_digit(10);
    }
    DIGIT_ZEROS
        .iter()
        .find(|&&z| n >= z && n < z + 10)
        .map(|z| n - z)
}

/// Upper-case form of a character (unchanged when the mapping is not a single character).
pub fn upcase(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Lower-case form of a character (unchanged when the mapping is not a single character).
pub fn downcase(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

fn is_char(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(a[0], Value::Char(_))))
}

fn char_to_integer(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Int(char_arg("char->integer", a[0])? as i64))
}

fn integer_to_char(_: &mut Vm, a: &[Value]) -> NResult {
    let n = super::int("integer->char", a[0])?;
    u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .map(Value::Char)
        .ok_or_else(|| {
            Error::with(
                "range-error",
                format!("integer->char: {n} is not a Unicode scalar value"),
                vec![],
            )
        })
}

fn compare(who: &str, a: &[Value], fold: bool, ok: fn(char, char) -> bool) -> NResult {
    let mut chars = Vec::with_capacity(a.len());
    for &v in a {
        let c = char_arg(who, v)?;
        chars.push(if fold { downcase(upcase(c)) } else { c });
    }
    Ok(Value::Bool(chars.windows(2).all(|w| ok(w[0], w[1]))))
}

fn char_eq(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char=?", a, false, |x, y| x == y)
}
fn char_lt(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char<?", a, false, |x, y| x < y)
}
fn char_gt(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char>?", a, false, |x, y| x > y)
}
fn char_le(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char<=?", a, false, |x, y| x <= y)
}
fn char_ge(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char>=?", a, false, |x, y| x >= y)
}
fn char_ci_eq(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char-ci=?", a, true, |x, y| x == y)
}
fn char_ci_lt(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char-ci<?", a, true, |x, y| x < y)
}
fn char_ci_gt(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char-ci>?", a, true, |x, y| x > y)
}
fn char_ci_le(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char-ci<=?", a, true, |x, y| x <= y)
}
fn char_ci_ge(_: &mut Vm, a: &[Value]) -> NResult {
    compare("char-ci>=?", a, true, |x, y| x >= y)
}

fn is_alphabetic(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(
        char_arg("char-alphabetic?", a[0])?.is_alphabetic(),
    ))
}
fn is_numeric(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(
        digit_value(char_arg("char-numeric?", a[0])?).is_some(),
    ))
}
fn is_whitespace(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(
        char_arg("char-whitespace?", a[0])?.is_whitespace(),
    ))
}
fn is_upper(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(
        char_arg("char-upper-case?", a[0])?.is_uppercase(),
    ))
}
fn is_lower(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(
        char_arg("char-lower-case?", a[0])?.is_lowercase(),
    ))
}
fn char_upcase(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Char(upcase(char_arg("char-upcase", a[0])?)))
}
fn char_downcase(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Char(downcase(char_arg("char-downcase", a[0])?)))
}
fn char_foldcase(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Char(downcase(upcase(char_arg(
        "char-foldcase",
        a[0],
    )?))))
}
fn char_digit_value(_: &mut Vm, a: &[Value]) -> NResult {
    Ok(digit_value(char_arg("digit-value", a[0])?)
        .map_or(Value::Bool(false), |d| Value::Int(d as i64)))
}

/// Registers the character natives.
pub fn register(reg: &mut Registry) {
    reg.simple("char?", 1, Some(1), is_char);
    reg.simple("char->integer", 1, Some(1), char_to_integer);
    reg.simple("integer->char", 1, Some(1), integer_to_char);
    reg.simple("char=?", 1, None, char_eq);
    reg.simple("char<?", 1, None, char_lt);
    reg.simple("char>?", 1, None, char_gt);
    reg.simple("char<=?", 1, None, char_le);
    reg.simple("char>=?", 1, None, char_ge);
    reg.simple("char-ci=?", 1, None, char_ci_eq);
    reg.simple("char-ci<?", 1, None, char_ci_lt);
    reg.simple("char-ci>?", 1, None, char_ci_gt);
    reg.simple("char-ci<=?", 1, None, char_ci_le);
    reg.simple("char-ci>=?", 1, None, char_ci_ge);
    reg.simple("char-alphabetic?", 1, Some(1), is_alphabetic);
    reg.simple("char-numeric?", 1, Some(1), is_numeric);
    reg.simple("char-whitespace?", 1, Some(1), is_whitespace);
    reg.simple("char-upper-case?", 1, Some(1), is_upper);
    reg.simple("char-lower-case?", 1, Some(1), is_lower);
    reg.simple("char-upcase", 1, Some(1), char_upcase);
    reg.simple("char-downcase", 1, Some(1), char_downcase);
    reg.simple("char-foldcase", 1, Some(1), char_foldcase);
    reg.simple("digit-value", 1, Some(1), char_digit_value);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{err, ev};

    #[test]
    fn predicates_and_conversions() {
        assert_eq!(
            ev("(list (char? #\\a) (char? \"a\") (char? 97))"),
            "(#t #f #f)"
        );
        assert_eq!(ev("(char->integer #\\A)"), "65");
        assert_eq!(ev("(char->integer (string-ref \"λ\" 0))"), "955");
        assert_eq!(ev("(integer->char 955)"), "#\\λ");
        assert_eq!(ev("(integer->char 32)"), "#\\space");
        assert!(err("(integer->char 55296)").contains("integer->char"));
        assert!(err("(integer->char -1)").contains("integer->char"));
        assert!(err("(char->integer \"a\")").contains("char->integer"));
    }

    #[test]
    fn comparisons() {
        assert_eq!(
            ev("(list (char=? #\\a #\\a #\\a) (char=? #\\a #\\b))"),
            "(#t #f)"
        );
        assert_eq!(
            ev("(list (char<? #\\a #\\b #\\c) (char<? #\\a #\\c #\\b))"),
            "(#t #f)"
        );
        assert_eq!(
            ev("(list (char>? #\\c #\\b) (char<=? #\\a #\\a #\\b) (char>=? #\\b #\\c))"),
            "(#t #t #f)"
        );
        assert_eq!(
            ev("(list (char-ci=? #\\a #\\A) (char-ci<? #\\a #\\B) (char-ci>? #\\a #\\B))"),
            "(#t #t #f)"
        );
        assert_eq!(
            ev("(list (char-ci<=? #\\A #\\a) (char-ci>=? #\\Z #\\a))"),
            "(#t #t)"
        );
        assert!(err("(char<? #\\a 1)").contains("char<?"));
    }

    #[test]
    fn classes_and_case() {
        assert_eq!(
            ev("(map char-alphabetic? (list #\\a #\\1 (string-ref \"é\" 0) #\\space))"),
            "(#t #f #t #f)"
        );
        assert_eq!(ev("(map char-numeric? (list #\\a #\\1))"), "(#f #t)");
        assert_eq!(
            ev("(map char-whitespace? (list #\\a #\\space #\\newline))"),
            "(#f #t #t)"
        );
        assert_eq!(
            ev("(list (char-upper-case? #\\A) (char-upper-case? #\\a))"),
            "(#t #f)"
        );
        assert_eq!(
            ev("(list (char-lower-case? #\\A) (char-lower-case? #\\a))"),
            "(#f #t)"
        );
        assert_eq!(
            ev("(list (char-upcase #\\a) (char-upcase (string-ref \"é\" 0)) (char-upcase (string-ref \"ß\" 0)))"),
            "(#\\A #\\É #\\ß)"
        );
        assert_eq!(
            ev("(list (char-downcase #\\A) (char-foldcase (string-ref \"Σ\" 0)))"),
            "(#\\a #\\σ)"
        );
        assert_eq!(
            ev("(map digit-value (list #\\7 #\\a (integer->char #x664)))"),
            "(7 #f 4)"
        );
        assert!(err("(char-upcase 1)").contains("char-upcase"));
    }
}
