//! Strings. Sigil strings are Rust `String`s; every index seen by Scheme code counts
//! characters, with a fast path for ASCII text.

use super::seq::{alloc_size, out_of_range, range, MAX_ALLOC};
use super::Registry;
use crate::native;
use crate::natives::args::expected_arg;
use crate::natives::{FromValue, List, Rest, Vector};
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::value::{Error, NResult, Str, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// The number of characters in `s`.
pub fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The byte offset of character index `ci` in `s` (`ci` may equal the length).
fn byte_offset(s: &str, ci: usize) -> Option<usize> {
    if ci <= s.len() && s.as_bytes()[..ci].is_ascii() {
        return Some(ci);
    }
    s.char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(s.len()))
        .nth(ci)
}

/// The character index of byte offset `b` (a character boundary) in `s`.
fn char_index(s: &str, b: usize) -> usize {
    char_len(&s[..b])
}

/// The byte range of the characters the optional `start` and `end` select in `s`.
fn byte_range(s: &str, start: Option<usize>, end: Option<usize>) -> NResult<(usize, usize)> {
    if start.is_none() && end.is_none() {
        return Ok((0, s.len()));
    }
    let r = range(start, end, char_len(s))?;
    let b0 = byte_offset(s, r.start).unwrap_or(s.len());
    let b1 = b0 + byte_offset(&s[b0..], r.len()).unwrap_or(s.len() - b0);
    Ok((b0, b1))
}

/// The characters of `s` the optional `start` and `end` select.
pub fn substring(s: &str, start: Option<usize>, end: Option<usize>) -> NResult<&str> {
    let (b0, b1) = byte_range(s, start, end)?;
    Ok(&s[b0..b1])
}

/// Full case folding, as used by the `-ci` comparisons and `string-foldcase`.
pub fn foldcase(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.chars()
        .flat_map(char::to_uppercase)
        .flat_map(char::to_lowercase)
        .collect()
}

/// `(string? obj)`.
#[native("string?")]
fn is_string(ctx: &mut Ctx, v: Value) -> bool {
    ctx.heap().str(v).is_some()
}

/// `(make-string k [char])`: `char` defaults to a space.
#[native("make-string")]
fn make_string(k: usize, c: Option<char>) -> NResult<String> {
    let c = c.unwrap_or(' ');
    let k = alloc_size(k)?;
    if k.saturating_mul(c.len_utf8()) > MAX_ALLOC {
        return Err(Error::range(format!("length {k} is too large")));
    }
    Ok(std::iter::repeat_n(c, k).collect())
}

/// `(string char ...)`.
#[native("string")]
fn string(chars: Rest<char>) -> String {
    chars.iter().collect()
}

/// `(string-length string)`.
#[native("string-length")]
fn string_length(s: &Str) -> usize {
    s.char_len()
}

/// `(string-ref string k)`.
#[native("string-ref")]
fn string_ref(s: &Str, k: usize) -> NResult<char> {
    s.char_at(k).ok_or_else(|| out_of_range(k, s.char_len()))
}

/// `(string-set! string k char)`.
#[native("string-set!")]
fn string_set(s: &mut Str, k: usize, c: char) -> NResult<()> {
    if s.set_char(k, c) {
        Ok(())
    } else {
        Err(out_of_range(k, s.char_len()))
    }
}

/// `(substring string start [end])`.
#[native("substring")]
fn substring_native(s: &str, start: usize, end: Option<usize>) -> NResult<String> {
    substring(s, Some(start), end).map(str::to_string)
}

/// `(string-copy string [start [end]])`.
#[native("string-copy")]
fn string_copy(s: &str, start: Option<usize>, end: Option<usize>) -> NResult<String> {
    substring(s, start, end).map(str::to_string)
}

/// `(string-append string ...)`.
#[native("string-append")]
fn string_append(ctx: &mut Ctx, #[rest] parts: &[Value]) -> NResult {
    // By hand rather than with `Rest<&str>`: this is hot, and needs no list of the parts.
    let heap = ctx.heap();
    let text = |k: usize, v: Value| heap.str(v).ok_or_else(|| expected_arg::<&str>(k + 1, v));
    let mut len = 0;
    for (k, &v) in parts.iter().enumerate() {
        len += text(k, v)?.len();
    }
    let mut out = String::with_capacity(len);
    for (k, &v) in parts.iter().enumerate() {
        out.push_str(text(k, v)?);
    }
    Ok(ctx.string(out))
}

/// `(string-copy! to at from [start [end]])`.
#[native("string-copy!")]
fn string_copy_to(
    dst: &mut String,
    at: usize,
    from: String,
    start: Option<usize>,
    end: Option<usize>,
) -> NResult<()> {
    let src = substring(&from, start, end)?;
    let n = char_len(src);
    let len = char_len(dst);
    if at > len || len - at < n {
        return Err(Error::range(format!(
            "cannot copy {n} characters to index {at} of a string of length {len}"
        )));
    }
    let b0 = byte_offset(dst, at).unwrap_or(dst.len());
    let b1 = b0 + byte_offset(&dst[b0..], n).unwrap_or(dst.len() - b0);
    dst.replace_range(b0..b1, src);
    Ok(())
}

/// `(string-fill! string char [start [end]])`.
#[native("string-fill!")]
fn string_fill(s: &mut String, c: char, start: Option<usize>, end: Option<usize>) -> NResult<()> {
    let (b0, b1) = byte_range(s, start, end)?;
    let n = char_len(&s[b0..b1]);
    s.replace_range(b0..b1, &std::iter::repeat_n(c, n).collect::<String>());
    Ok(())
}

/// `(string->list string [start [end]])`.
#[native("string->list")]
fn string_to_list(s: &str, start: Option<usize>, end: Option<usize>) -> NResult<List<char>> {
    Ok(List(substring(s, start, end)?.chars().collect()))
}

/// `(list->string list)`.
#[native("list->string")]
fn list_to_string(chars: List<char>) -> String {
    chars.iter().collect()
}

/// `(string->vector string [start [end]])`.
#[native("string->vector")]
fn string_to_vector(s: &str, start: Option<usize>, end: Option<usize>) -> NResult<Vector<char>> {
    Ok(Vector(substring(s, start, end)?.chars().collect()))
}

/// `(vector->string vector [start [end]])`.
#[native("vector->string")]
fn vector_to_string(v: Vector<char>, start: Option<usize>, end: Option<usize>) -> NResult<String> {
    Ok(v[range(start, end, v.len())?].iter().collect())
}

/// Whether each adjacent pair of strings (case-folded with `fold`) compares as `ok` says.
fn ordered<'s>(first: &'s str, more: &[&'s str], fold: bool, ok: fn(Ordering) -> bool) -> bool {
    let key = |s: &'s str| -> Cow<'s, str> {
        if fold {
            Cow::Owned(foldcase(s))
        } else {
            Cow::Borrowed(s)
        }
    };
    let mut prev = key(first);
    more.iter().all(|s| {
        let s = key(s);
        let holds = ok(prev.as_ref().cmp(s.as_ref()));
        prev = s;
        holds
    })
}

macro_rules! comparisons {
    ($($f:ident $name:literal $fold:literal $op:ident;)*) => {$(
        #[doc = concat!("`(", $name, " string1 string2 ...)`.")]
        #[native($name)]
        fn $f(first: &str, more: Rest<&str>) -> bool {
            ordered(first, &more, $fold, Ordering::$op)
        }
    )*};
}

comparisons! {
    string_eq "string=?" false is_eq;
    string_lt "string<?" false is_lt;
    string_gt "string>?" false is_gt;
    string_le "string<=?" false is_le;
    string_ge "string>=?" false is_ge;
    string_ci_eq "string-ci=?" true is_eq;
    string_ci_lt "string-ci<?" true is_lt;
    string_ci_gt "string-ci>?" true is_gt;
    string_ci_le "string-ci<=?" true is_le;
    string_ci_ge "string-ci>=?" true is_ge;
}

/// `(string-upcase string)`.
#[native("string-upcase")]
fn string_upcase(s: &str) -> String {
    s.to_uppercase()
}

/// `(string-downcase string)`.
#[native("string-downcase")]
fn string_downcase(s: &str) -> String {
    s.to_lowercase()
}

/// `(string-foldcase string)`.
#[native("string-foldcase")]
fn string_foldcase(s: &str) -> String {
    foldcase(s)
}

/// `(%string-index string char)`: the index of the first `char`, or `#f` (`string-index`,
/// which also takes a predicate, is in the prelude).
#[native("string-index")]
fn string_index(s: &str, c: char) -> Option<usize> {
    s.find(c).map(|b| char_index(s, b))
}

/// `(string-contains string needle)`: the index where `needle` first occurs, or `#f`.
#[native("string-contains")]
fn string_contains(s: &str, needle: &str) -> Option<usize> {
    s.find(needle).map(|b| char_index(s, b))
}

/// A separator given as a character or a string.
enum Delimiter<'h> {
    Char(char),
    Str(&'h str),
}

impl<'h> FromValue<'h> for Delimiter<'h> {
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        match v {
            Value::Char(c) => Some(Delimiter::Char(c)),
            _ => heap.str(v).map(Delimiter::Str),
        }
    }
    fn expected() -> Cow<'static, str> {
        "a character or string".into()
    }
}

/// `(string-split string [delimiter])`: splits at every occurrence of a character or
/// string delimiter, keeping empty fields; an empty delimiter splits into characters.
/// Without a delimiter, splits at runs of whitespace and drops empty fields.
#[native("string-split")]
fn string_split(s: &str, delimiter: Option<Delimiter>) -> List<String> {
    List(match delimiter {
        None => s.split_whitespace().map(str::to_string).collect(),
        Some(Delimiter::Char(c)) => s.split(c).map(str::to_string).collect(),
        Some(Delimiter::Str("")) => s.chars().map(String::from).collect(),
        Some(Delimiter::Str(d)) => s.split(d).map(str::to_string).collect(),
    })
}

/// `(string-join list [delimiter])`: the delimiter defaults to a space.
#[native("string-join")]
fn string_join(items: List<&str>, delimiter: Option<&str>) -> String {
    items.join(delimiter.unwrap_or(" "))
}

/// Whether `x` is a character the trim procedures remove: whitespace, or `c` when given.
fn trimmed(c: Option<char>) -> impl Fn(char) -> bool {
    move |x| match c {
        Some(c) => x == c,
        None => x.is_whitespace(),
    }
}

/// `(string-trim string [char])`: without the leading and trailing whitespace (or
/// `char`).
#[native("string-trim")]
fn string_trim(s: &str, c: Option<char>) -> String {
    s.trim_matches(trimmed(c)).to_string()
}

/// `(string-trim-left string [char])`.
#[native("string-trim-left")]
fn string_trim_left(s: &str, c: Option<char>) -> String {
    s.trim_start_matches(trimmed(c)).to_string()
}

/// `(string-trim-right string [char])`.
#[native("string-trim-right")]
fn string_trim_right(s: &str, c: Option<char>) -> String {
    s.trim_end_matches(trimmed(c)).to_string()
}

/// `(string-prefix? prefix string)`.
#[native("string-prefix?")]
fn string_prefix(prefix: &str, s: &str) -> bool {
    s.starts_with(prefix)
}

/// `(string-suffix? suffix string)`.
#[native("string-suffix?")]
fn string_suffix(suffix: &str, s: &str) -> bool {
    s.ends_with(suffix)
}

/// `(string-null? string)`.
#[native("string-null?")]
fn string_null(s: &str) -> bool {
    s.is_empty()
}

/// `(string-reverse string)`.
#[native("string-reverse")]
fn string_reverse(s: &str) -> String {
    s.chars().rev().collect()
}

/// `(string->utf8 string [start [end]])`.
#[native("string->utf8")]
fn string_to_utf8(s: &str, start: Option<usize>, end: Option<usize>) -> NResult<Vec<u8>> {
    Ok(substring(s, start, end)?.as_bytes().to_vec())
}

/// `(utf8->string bytevector [start [end]])`.
#[native("utf8->string")]
fn utf8_to_string(b: &[u8], start: Option<usize>, end: Option<usize>) -> NResult<String> {
    let r = range(start, end, b.len())?;
    let from = r.start;
    std::str::from_utf8(&b[r]).map(str::to_string).map_err(|e| {
        Error::new(
            "error",
            format!("invalid UTF-8 at byte {}", from + e.valid_up_to()),
        )
    })
}

/// Registers the string natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        IS_STRING,
        MAKE_STRING,
        STRING,
        STRING_LENGTH,
        STRING_REF,
        STRING_SET,
        SUBSTRING_NATIVE,
        STRING_APPEND,
        STRING_COPY,
        STRING_COPY_TO,
        STRING_FILL,
        STRING_TO_LIST,
        LIST_TO_STRING,
        STRING_TO_VECTOR,
        VECTOR_TO_STRING,
        STRING_EQ,
        STRING_LT,
        STRING_GT,
        STRING_LE,
        STRING_GE,
        STRING_CI_EQ,
        STRING_CI_LT,
        STRING_CI_GT,
        STRING_CI_LE,
        STRING_CI_GE,
        STRING_UPCASE,
        STRING_DOWNCASE,
        STRING_FOLDCASE,
        STRING_CONTAINS,
        STRING_SPLIT,
        STRING_JOIN,
        STRING_TRIM,
        STRING_TRIM_LEFT,
        STRING_TRIM_RIGHT,
        STRING_PREFIX,
        STRING_SUFFIX,
        STRING_NULL,
        STRING_REVERSE,
        STRING_TO_UTF8,
        UTF8_TO_STRING,
    ]);
    reg.add_as("%string-index", &STRING_INDEX);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{err, ev};

    #[test]
    fn construction_and_access() {
        assert_eq!(ev("(list (string? \"a\") (string? #\\a))"), "(#t #f)");
        assert_eq!(ev("(make-string 3 #\\x)"), "\"xxx\"");
        assert_eq!(ev("(make-string 2)"), "\"  \"");
        assert_eq!(ev("(string #\\a #\\b)"), "\"ab\"");
        assert_eq!(ev("(string)"), "\"\"");
        assert_eq!(ev("(string-length \"hello\")"), "5");
        assert_eq!(ev("(string-ref \"abc\" 2)"), "#\\c");
        let e = err("(string-ref \"abc\" 5)");
        assert!(e.contains("string-ref") && e.contains('5'), "{e}");
        assert!(err("(string-ref 'abc 0)").contains("string-ref"));
        assert!(err("(string-ref \"abc\" -1)").contains("string-ref"));
        assert!(err("(make-string -1)").contains("make-string"));
        assert!(err("(make-string 100000000000)").contains("make-string"));
        assert!(err("(string #\\a 1)").contains("string"));
    }

    #[test]
    fn non_ascii_indexing() {
        assert_eq!(ev("(string-length \"héllo\")"), "5");
        assert_eq!(ev("(string-ref \"héllo\" 1)"), "#\\é");
        assert_eq!(ev("(string-ref \"héllo\" 4)"), "#\\o");
        assert_eq!(ev("(substring \"héllo\" 1 3)"), "\"él\"");
        assert_eq!(
            ev("(let ((s (string-copy \"héllo\"))) (string-set! s 1 #\\e) s)"),
            "\"hello\""
        );
        assert_eq!(
            ev("(let ((s (string-copy \"hello\"))) (string-set! s 0 (string-ref \"λ\" 0)) s)"),
            "\"λello\""
        );
        assert_eq!(ev("(string->list \"añb\")"), "(#\\a #\\ñ #\\b)");
        assert_eq!(ev("(string-index \"héllo\" #\\l)"), "2");
        assert_eq!(ev("(string-contains \"日本語テキスト\" \"テキ\")"), "3");
        assert_eq!(ev("(string-reverse \"héllo\")"), "\"olléh\"");
        assert_eq!(ev("(string-upcase \"héllo\")"), "\"HÉLLO\"");
        assert_eq!(ev("(string->utf8 \"é\")"), "#u8(195 169)");
        assert!(err("(string-ref \"héllo\" 5)").contains("string-ref"));
        assert!(err("(substring \"héllo\" 2 9)").contains("substring"));
    }

    #[test]
    fn mutation() {
        assert_eq!(
            ev("(let ((s (make-string 3 #\\a))) (string-set! s 1 #\\b) s)"),
            "\"aba\""
        );
        assert!(
            err("(let ((s (make-string 3 #\\a))) (string-set! s 3 #\\b) s)")
                .contains("string-set!")
        );
        assert!(err("(string-set! (make-string 3) 0 1)").contains("string-set!"));
        assert_eq!(
            ev("(let ((s (make-string 5 #\\-))) (string-copy! s 1 \"abc\") s)"),
            "\"-abc-\""
        );
        assert_eq!(
            ev("(let ((s (make-string 5 #\\-))) (string-copy! s 0 \"abcdef\" 3 5) s)"),
            "\"de---\""
        );
        assert_eq!(
            ev("(let ((s (string-copy \"abcde\"))) (string-copy! s 1 s 0 3) s)"),
            "\"aabce\""
        );
        assert!(err("(string-copy! (make-string 2) 1 \"abc\")").contains("string-copy!"));
        assert_eq!(
            ev("(let ((s (make-string 4 #\\a))) (string-fill! s #\\z 1 3) s)"),
            "\"azza\""
        );
        assert_eq!(
            ev("(let ((s (string-copy \"héllo\"))) (string-fill! s (string-ref \"ü\" 0)) s)"),
            "\"üüüüü\""
        );
    }

    #[test]
    fn slicing_and_conversion() {
        assert_eq!(ev("(substring \"hello\" 1 3)"), "\"el\"");
        assert_eq!(ev("(substring \"hello\" 2)"), "\"llo\"");
        assert!(err("(substring \"hello\" 3 2)").contains("substring"));
        assert_eq!(ev("(string-append \"a\" \"bc\" \"\" \"d\")"), "\"abcd\"");
        assert_eq!(ev("(string-append)"), "\"\"");
        assert!(err("(string-append \"a\" 'b)").contains("string-append"));
        assert_eq!(ev("(string-copy \"hello\" 1)"), "\"ello\"");
        assert_eq!(ev("(string-copy \"hello\" 1 2)"), "\"e\"");
        assert_eq!(ev("(string->list \"abc\" 1)"), "(#\\b #\\c)");
        assert_eq!(ev("(list->string (list #\\a #\\b))"), "\"ab\"");
        assert!(err("(list->string (list #\\a 2))").contains("list->string"));
        assert_eq!(ev("(string->vector \"abc\")"), "#(#\\a #\\b #\\c)");
        assert_eq!(ev("(vector->string #(#\\x #\\y #\\z) 1)"), "\"yz\"");
        assert!(err("(vector->string #(1))").contains("vector->string"));
        assert_eq!(ev("(utf8->string #u8(104 195 169))"), "\"hé\"");
        assert_eq!(ev("(utf8->string #u8(97 98 99) 1 2)"), "\"b\"");
        assert!(err("(utf8->string #u8(255))").contains("utf8->string"));
        assert_eq!(ev("(string->utf8 \"abc\" 1)"), "#u8(98 99)");
    }

    #[test]
    fn comparison_and_case() {
        assert_eq!(
            ev("(list (string=? \"a\" \"a\" \"a\") (string=? \"a\" \"b\"))"),
            "(#t #f)"
        );
        assert_eq!(
            ev("(list (string<? \"a\" \"b\" \"c\") (string<? \"b\" \"a\"))"),
            "(#t #f)"
        );
        assert_eq!(
            ev("(list (string>? \"b\" \"a\") (string<=? \"a\" \"a\") (string>=? \"a\" \"b\"))"),
            "(#t #t #f)"
        );
        assert_eq!(
            ev("(list (string-ci=? \"Hello\" \"hELLO\") (string-ci<? \"a\" \"B\"))"),
            "(#t #t)"
        );
        assert_eq!(ev("(list (string-ci>? \"a\" \"B\") (string-ci<=? \"A\" \"a\") (string-ci>=? \"b\" \"A\"))"), "(#f #t #t)");
        assert_eq!(ev("(string-ci=? \"Straße\" \"STRASSE\")"), "#t");
        assert!(err("(string<? \"a\" 1)").contains("string<?"));
        assert_eq!(ev("(string-upcase \"abc\")"), "\"ABC\"");
        assert_eq!(ev("(string-downcase \"ABC\")"), "\"abc\"");
        assert_eq!(ev("(string-foldcase \"ABC\")"), "\"abc\"");
    }

    #[test]
    fn searching_splitting_trimming() {
        assert_eq!(ev("(string-index \"hello\" #\\z)"), "#f");
        assert_eq!(ev("(string-index \"hello\" char-upper-case?)"), "#f");
        assert_eq!(ev("(string-index \"heLlo\" char-upper-case?)"), "2");
        assert!(err("(string-index 5 #\\a)").contains("string-index"));
        assert_eq!(ev("(string-contains \"hello\" \"ll\")"), "2");
        assert_eq!(ev("(string-contains \"hello\" \"z\")"), "#f");
        assert_eq!(
            ev("(string-split \"a,b,,c\" #\\,)"),
            "(\"a\" \"b\" \"\" \"c\")"
        );
        assert_eq!(ev("(string-split \"a::b\" \"::\")"), "(\"a\" \"b\")");
        assert_eq!(ev("(string-split \"  a  b \")"), "(\"a\" \"b\")");
        assert_eq!(ev("(string-split \"ab\" \"\")"), "(\"a\" \"b\")");
        assert!(err("(string-split \"ab\" 1)").contains("string-split"));
        assert_eq!(
            ev("(string-join (list \"a\" \"b\" \"c\") \", \")"),
            "\"a, b, c\""
        );
        assert_eq!(ev("(string-join (list \"a\" \"b\"))"), "\"a b\"");
        assert_eq!(ev("(string-join '())"), "\"\"");
        assert!(err("(string-join (list \"a\" 1))").contains("string-join"));
        assert_eq!(ev("(string-trim \"  hi  \")"), "\"hi\"");
        assert_eq!(ev("(string-trim-left \"  hi  \")"), "\"hi  \"");
        assert_eq!(ev("(string-trim-right \"  hi  \")"), "\"  hi\"");
        assert_eq!(ev("(string-trim \"xxhixx\" #\\x)"), "\"hi\"");
        assert_eq!(
            ev("(list (string-prefix? \"he\" \"hello\") (string-prefix? \"lo\" \"hello\"))"),
            "(#t #f)"
        );
        assert_eq!(
            ev("(list (string-suffix? \"lo\" \"hello\") (string-suffix? \"he\" \"hello\"))"),
            "(#t #f)"
        );
        assert_eq!(
            ev("(list (string-null? \"\") (string-null? \"a\"))"),
            "(#t #f)"
        );
        assert!(err("(string-null? 'a)").contains("string-null?"));
    }

    #[test]
    fn higher_order() {
        assert_eq!(ev("(string-map char-upcase \"abc\")"), "\"ABC\"");
        assert_eq!(
            ev("(string-map (lambda (a b) (if (char<? a b) a b)) \"adc\" \"bbbz\")"),
            "\"abb\""
        );
        assert_eq!(
            ev("(let ((n 0)) (string-for-each (lambda (c) (set! n (+ n (char->integer c)))) \"ab\") n)"),
            "195"
        );
        assert!(err("(string-map char-upcase 5)").contains("string-map"));
        assert!(err("(string-map (lambda (c) 1) \"a\")").contains("string-map"));
    }
}
