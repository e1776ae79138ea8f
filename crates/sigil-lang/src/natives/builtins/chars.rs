//! Characters: predicates, comparisons, case conversion and digit values.

use super::Registry;
use crate::native;
use crate::natives::Rest;
use crate::run::value::{Error, NResult, Value};

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

/// Case-folded form of a character, as the `-ci` comparisons use.
pub fn foldcase(c: char) -> char {
    downcase(upcase(c))
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

/// `(char? obj)`.
#[native("char?")]
fn is_char(v: Value) -> bool {
    matches!(v, Value::Char(_))
}

/// `(char->integer char)`.
#[native("char->integer")]
fn char_to_integer(c: char) -> i64 {
    i64::from(u32::from(c))
}

/// `(integer->char n)`.
#[native("integer->char")]
fn integer_to_char(n: i64) -> NResult<char> {
    u32::try_from(n)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| Error::range(format!("{n} is not a Unicode scalar value")))
}

/// Whether each adjacent pair of characters (case-folded with `fold`) is ordered as `ok`
/// says.
fn ordered(first: char, more: &[char], fold: bool, ok: fn(char, char) -> bool) -> bool {
    let key = |c: char| if fold { foldcase(c) } else { c };
    let mut prev = key(first);
    more.iter().all(|&c| {
        let c = key(c);
        let holds = ok(prev, c);
        prev = c;
        holds
    })
}

macro_rules! comparisons {
    ($($f:ident $name:literal $fold:literal $op:tt;)*) => {$(
        #[doc = concat!("`(", $name, " char1 char2 ...)`.")]
        #[native($name)]
        fn $f(first: char, more: Rest<char>) -> bool {
            ordered(first, &more, $fold, |x, y| x $op y)
        }
    )*};
}

comparisons! {
    char_eq "char=?" false ==;
    char_lt "char<?" false <;
    char_gt "char>?" false >;
    char_le "char<=?" false <=;
    char_ge "char>=?" false >=;
    char_ci_eq "char-ci=?" true ==;
    char_ci_lt "char-ci<?" true <;
    char_ci_gt "char-ci>?" true >;
    char_ci_le "char-ci<=?" true <=;
    char_ci_ge "char-ci>=?" true >=;
}

/// `(char-alphabetic? char)`.
#[native("char-alphabetic?")]
fn is_alphabetic(c: char) -> bool {
    c.is_alphabetic()
}

/// `(char-numeric? char)`.
#[native("char-numeric?")]
fn is_numeric(c: char) -> bool {
    digit_value(c).is_some()
}

/// `(char-whitespace? char)`.
#[native("char-whitespace?")]
fn is_whitespace(c: char) -> bool {
    c.is_whitespace()
}

/// `(char-upper-case? char)`.
#[native("char-upper-case?")]
fn is_upper(c: char) -> bool {
    c.is_uppercase()
}

/// `(char-lower-case? char)`.
#[native("char-lower-case?")]
fn is_lower(c: char) -> bool {
    c.is_lowercase()
}

/// `(char-upcase char)`.
#[native("char-upcase")]
fn char_upcase(c: char) -> char {
    upcase(c)
}

/// `(char-downcase char)`.
#[native("char-downcase")]
fn char_downcase(c: char) -> char {
    downcase(c)
}

/// `(char-foldcase char)`.
#[native("char-foldcase")]
fn char_foldcase(c: char) -> char {
    foldcase(c)
}

/// `(digit-value char)`: the digit's value, or `#f`.
#[native("digit-value")]
fn char_digit_value(c: char) -> Option<i64> {
    digit_value(c).map(i64::from)
}

/// Registers the character natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        IS_CHAR,
        CHAR_TO_INTEGER,
        INTEGER_TO_CHAR,
        CHAR_EQ,
        CHAR_LT,
        CHAR_GT,
        CHAR_LE,
        CHAR_GE,
        CHAR_CI_EQ,
        CHAR_CI_LT,
        CHAR_CI_GT,
        CHAR_CI_LE,
        CHAR_CI_GE,
        IS_ALPHABETIC,
        IS_NUMERIC,
        IS_WHITESPACE,
        IS_UPPER,
        IS_LOWER,
        CHAR_UPCASE,
        CHAR_DOWNCASE,
        CHAR_FOLDCASE,
        CHAR_DIGIT_VALUE,
    ]);
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
