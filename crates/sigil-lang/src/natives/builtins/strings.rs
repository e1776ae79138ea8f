//! Strings. Sigil strings are Rust `String`s; every index seen by Scheme code counts
//! characters, with a fast path for ASCII text.

use super::chars::char_arg;
use super::{index, list, Registry};
use crate::run::value::{Error, NResult, Object, Value};
use crate::run::vm::Vm;
use std::cmp::Ordering;

/// The largest number of elements `make-string`, `make-vector` and friends will allocate.
pub const MAX_ALLOC: usize = 1 << 28;

/// A range error naming the procedure.
pub fn range_error(msg: String) -> Error {
    Error::with("range-error", msg, vec![])
}

/// Checks an allocation size argument against [`MAX_ALLOC`].
pub fn alloc_size(who: &str, v: Value) -> NResult<usize> {
    let k = index(who, v)?;
    if k > MAX_ALLOC {
        return Err(range_error(format!("{who}: length {k} is too large")));
    }
    Ok(k)
}

/// Reads the optional `[start [end]]` arguments in `args` against a sequence of length
/// `len`, checking `0 <= start <= end <= len`.
pub fn bounds(who: &str, args: &[Value], len: usize) -> NResult<(usize, usize)> {
    let start = match args.first() {
        Some(&v) => index(who, v)?,
        None => 0,
    };
    let end = match args.get(1) {
        Some(&v) => index(who, v)?,
        None => len,
    };
    if end > len {
        return Err(range_error(format!(
            "{who}: end index {end} out of range for length {len}"
        )));
    }
    if start > end {
        return Err(range_error(format!(
            "{who}: start index {start} is greater than end index {end}"
        )));
    }
    Ok((start, end))
}

/// A string argument, borrowed from the heap.
pub fn str_arg<'a>(vm: &'a Vm, who: &str, v: Value) -> NResult<&'a str> {
    vm.heap
        .str(v)
        .ok_or_else(|| Error::wrong_type(who, "a string", v))
}

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

/// The byte range of the characters `[start, end)` given by the optional arguments.
fn byte_range(who: &str, s: &str, args: &[Value]) -> NResult<(usize, usize)> {
    if args.is_empty() {
        return Ok((0, s.len()));
    }
    let (start, end) = bounds(who, args, char_len(s))?;
    let b0 = byte_offset(s, start).unwrap_or(s.len());
    let b1 = b0 + byte_offset(&s[b0..], end - start).unwrap_or(s.len() - b0);
    Ok((b0, b1))
}

/// The slice of string argument `v` selected by optional `[start [end]]` arguments.
pub fn slice<'a>(vm: &'a Vm, who: &str, v: Value, args: &[Value]) -> NResult<&'a str> {
    let s = str_arg(vm, who, v)?;
    let (b0, b1) = byte_range(who, s, args)?;
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

fn is_string(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(vm.heap.str(a[0]).is_some()))
}

fn make_string(vm: &mut Vm, a: &[Value]) -> NResult {
    let k = alloc_size("make-string", a[0])?;
    let c = match a.get(1) {
        Some(&v) => char_arg("make-string", v)?,
        None => ' ',
    };
    if k.saturating_mul(c.len_utf8()) > MAX_ALLOC {
        return Err(range_error(format!("make-string: length {k} is too large")));
    }
    Ok(vm
        .heap
        .string(std::iter::repeat(c).take(k).collect::<String>()))
}

fn string(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = a
        .iter()
        .map(|&v| char_arg("string", v))
        .collect::<NResult<String>>()?;
    Ok(vm.heap.string(s))
}

fn string_length(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Int(
        char_len(str_arg(vm, "string-length", a[0])?) as i64
    ))
}

fn out_of_range(who: &str, i: usize, len: usize) -> Error {
    range_error(format!("{who}: index {i} out of range for length {len}"))
}

fn string_ref(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = str_arg(vm, "string-ref", a[0])?;
    let i = index("string-ref", a[1])?;
    if i < s.len() && s.as_bytes()[..=i].is_ascii() {
        return Ok(Value::Char(s.as_bytes()[i] as char));
    }
    s.chars()
        .nth(i)
        .map(Value::Char)
        .ok_or_else(|| out_of_range("string-ref", i, char_len(s)))
}

fn string_set(vm: &mut Vm, a: &[Value]) -> NResult {
    let i = index("string-set!", a[1])?;
    let c = char_arg("string-set!", a[2])?;
    let Some(Object::Str(s)) = vm.heap.obj_mut(a[0]) else {
        return Err(Error::wrong_type("string-set!", "a string", a[0]));
    };
    let Some(b) = byte_offset(s, i).filter(|&b| b < s.len()) else {
        return Err(out_of_range("string-set!", i, char_len(s)));
    };
    let old = s[b..].chars().next().map_or(1, char::len_utf8);
    let mut buf = [0u8; 4];
    s.replace_range(b..b + old, c.encode_utf8(&mut buf));
    Ok(Value::Unspecified)
}

fn substring(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = slice(vm, "substring", a[0], &a[1..])?.to_string();
    Ok(vm.heap.string(s))
}

fn string_copy(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = slice(vm, "string-copy", a[0], &a[1..])?.to_string();
    Ok(vm.heap.string(s))
}

fn string_append(vm: &mut Vm, a: &[Value]) -> NResult {
    let mut len = 0;
    for &v in a {
        len += str_arg(vm, "string-append", v)?.len();
    }
    let mut out = String::with_capacity(len);
    for &v in a {
        out.push_str(str_arg(vm, "string-append", v)?);
    }
    Ok(vm.heap.string(out))
}

/// `(string-copy! to at from [start end])`.
fn string_copy_to(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "string-copy!";
    let src = slice(vm, WHO, a[2], &a[3..])?.to_string();
    let at = index(WHO, a[1])?;
    let Some(Object::Str(dst)) = vm.heap.obj_mut(a[0]) else {
        return Err(Error::wrong_type(WHO, "a string", a[0]));
    };
    let n = char_len(&src);
    let len = char_len(dst);
    if at > len || len - at < n {
        return Err(range_error(format!(
            "{WHO}: cannot copy {n} characters to index {at} of a string of length {len}"
        )));
    }
    let b0 = byte_offset(dst, at).unwrap_or(dst.len());
    let b1 = b0 + byte_offset(&dst[b0..], n).unwrap_or(dst.len() - b0);
    dst.replace_range(b0..b1, &src);
    Ok(Value::Unspecified)
}

fn string_fill(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "string-fill!";
    let c = char_arg(WHO, a[1])?;
    let Some(Object::Str(s)) = vm.heap.obj_mut(a[0]) else {
        return Err(Error::wrong_type(WHO, "a string", a[0]));
    };
    let (b0, b1) = byte_range(WHO, s, &a[2..])?;
    let n = char_len(&s[b0..b1]);
    s.replace_range(b0..b1, &std::iter::repeat(c).take(n).collect::<String>());
    Ok(Value::Unspecified)
}

fn string_to_list(vm: &mut Vm, a: &[Value]) -> NResult {
    let chars: Vec<Value> = slice(vm, "string->list", a[0], &a[1..])?
        .chars()
        .map(Value::Char)
        .collect();
    Ok(vm.heap.list(&chars))
}

fn chars_to_string(who: &str, items: &[Value]) -> NResult<String> {
    items.iter().map(|&v| char_arg(who, v)).collect()
}

fn list_to_string(vm: &mut Vm, a: &[Value]) -> NResult {
    let items = list(vm, "list->string", a[0])?;
    let s = chars_to_string("list->string", &items)?;
    Ok(vm.heap.string(s))
}

fn string_to_vector(vm: &mut Vm, a: &[Value]) -> NResult {
    let chars: Vec<Value> = slice(vm, "string->vector", a[0], &a[1..])?
        .chars()
        .map(Value::Char)
        .collect();
    Ok(vm.heap.vector(chars))
}

fn vector_to_string(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "vector->string";
    let Some(Object::Vector(v)) = vm.heap.obj(a[0]) else {
        return Err(Error::wrong_type(WHO, "a vector", a[0]));
    };
    let (start, end) = bounds(WHO, &a[1..], v.len())?;
    let s = chars_to_string(WHO, &v[start..end])?;
    Ok(vm.heap.string(s))
}

fn compare(vm: &Vm, who: &str, a: &[Value], fold: bool, ok: fn(Ordering) -> bool) -> NResult {
    let mut strs = Vec::with_capacity(a.len());
    for &v in a {
        let s = str_arg(vm, who, v)?;
        strs.push(if fold { foldcase(s) } else { s.to_string() });
    }
    Ok(Value::Bool(strs.windows(2).all(|w| ok(w[0].cmp(&w[1])))))
}

fn string_eq(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string=?", a, false, Ordering::is_eq)
}
fn string_lt(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string<?", a, false, Ordering::is_lt)
}
fn string_gt(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string>?", a, false, Ordering::is_gt)
}
fn string_le(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string<=?", a, false, Ordering::is_le)
}
fn string_ge(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string>=?", a, false, Ordering::is_ge)
}
fn string_ci_eq(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string-ci=?", a, true, Ordering::is_eq)
}
fn string_ci_lt(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string-ci<?", a, true, Ordering::is_lt)
}
fn string_ci_gt(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string-ci>?", a, true, Ordering::is_gt)
}
fn string_ci_le(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string-ci<=?", a, true, Ordering::is_le)
}
fn string_ci_ge(vm: &mut Vm, a: &[Value]) -> NResult {
    compare(vm, "string-ci>=?", a, true, Ordering::is_ge)
}

fn string_upcase(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = str_arg(vm, "string-upcase", a[0])?.to_uppercase();
    Ok(vm.heap.string(s))
}

fn string_downcase(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = str_arg(vm, "string-downcase", a[0])?.to_lowercase();
    Ok(vm.heap.string(s))
}

fn string_foldcase(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = foldcase(str_arg(vm, "string-foldcase", a[0])?);
    Ok(vm.heap.string(s))
}

/// `(%string-index string char)`: the index of the first `char`, or `#f`.
fn string_index(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = str_arg(vm, "string-index", a[0])?;
    let c = char_arg("string-index", a[1])?;
    Ok(s.find(c)
        .map_or(Value::Bool(false), |b| Value::Int(char_index(s, b) as i64)))
}

fn string_contains(vm: &mut Vm, a: &[Value]) -> NResult {
    let s = str_arg(vm, "string-contains", a[0])?;
    let needle = str_arg(vm, "string-contains", a[1])?;
    Ok(s.find(needle)
        .map_or(Value::Bool(false), |b| Value::Int(char_index(s, b) as i64)))
}

/// `(string-split string [delimiter])`: splits at every occurrence of a character or
/// string delimiter, keeping empty fields; an empty delimiter splits into characters.
/// Without a delimiter, splits at runs of whitespace and drops empty fields.
fn string_split(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "string-split";
    let s = str_arg(vm, WHO, a[0])?;
    let parts: Vec<String> = match a.get(1) {
        None => s.split_whitespace().map(str::to_string).collect(),
        Some(&Value::Char(c)) => s.split(c).map(str::to_string).collect(),
        Some(&d) => match vm.heap.str(d) {
            Some("") => s.chars().map(String::from).collect(),
            Some(d) => s.split(d).map(str::to_string).collect(),
            None => return Err(Error::wrong_type(WHO, "a character or string", d)),
        },
    };
    let items: Vec<Value> = parts.into_iter().map(|p| vm.heap.string(p)).collect();
    Ok(vm.heap.list(&items))
}

/// `(string-join list [delimiter])`: the delimiter defaults to a space.
fn string_join(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "string-join";
    let items = list(vm, WHO, a[0])?;
    let delim = match a.get(1) {
        Some(&v) => str_arg(vm, WHO, v)?,
        None => " ",
    };
    let mut out = String::new();
    for (i, &v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(delim);
        }
        out.push_str(str_arg(vm, WHO, v)?);
    }
    Ok(vm.heap.string(out))
}

/// The characters a trim procedure removes: whitespace, or the given character.
fn trim_pred(who: &str, a: &[Value]) -> NResult<Box<dyn Fn(char) -> bool>> {
    Ok(match a.get(1) {
        None => Box::new(char::is_whitespace),
        Some(&v) => {
            let c = char_arg(who, v)?;
            Box::new(move |x| x == c)
        }
    })
}

fn string_trim(vm: &mut Vm, a: &[Value]) -> NResult {
    let p = trim_pred("string-trim", a)?;
    let s = str_arg(vm, "string-trim", a[0])?
        .trim_matches(p)
        .to_string();
    Ok(vm.heap.string(s))
}

fn string_trim_left(vm: &mut Vm, a: &[Value]) -> NResult {
    let p = trim_pred("string-trim-left", a)?;
    let s = str_arg(vm, "string-trim-left", a[0])?
        .trim_start_matches(p)
        .to_string();
    Ok(vm.heap.string(s))
}

fn string_trim_right(vm: &mut Vm, a: &[Value]) -> NResult {
    let p = trim_pred("string-trim-right", a)?;
    let s = str_arg(vm, "string-trim-right", a[0])?
        .trim_end_matches(p)
        .to_string();
    Ok(vm.heap.string(s))
}

/// `(string-prefix? prefix string)`.
fn string_prefix(vm: &mut Vm, a: &[Value]) -> NResult {
    let p = str_arg(vm, "string-prefix?", a[0])?;
    let s = str_arg(vm, "string-prefix?", a[1])?;
    Ok(Value::Bool(s.starts_with(p)))
}

/// `(string-suffix? suffix string)`.
fn string_suffix(vm: &mut Vm, a: &[Value]) -> NResult {
    let p = str_arg(vm, "string-suffix?", a[0])?;
    let s = str_arg(vm, "string-suffix?", a[1])?;
    Ok(Value::Bool(s.ends_with(p)))
}

fn string_null(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(str_arg(vm, "string-null?", a[0])?.is_empty()))
}

fn string_reverse(vm: &mut Vm, a: &[Value]) -> NResult {
    let s: String = str_arg(vm, "string-reverse", a[0])?.chars().rev().collect();
    Ok(vm.heap.string(s))
}

fn string_to_utf8(vm: &mut Vm, a: &[Value]) -> NResult {
    let b = slice(vm, "string->utf8", a[0], &a[1..])?
        .as_bytes()
        .to_vec();
    Ok(vm.heap.bytes(b))
}

fn utf8_to_string(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "utf8->string";
    let b = vm
        .heap
        .bytevector(a[0])
        .ok_or_else(|| Error::wrong_type(WHO, "a bytevector", a[0]))?;
    let (start, end) = bounds(WHO, &a[1..], b.len())?;
    let s = std::str::from_utf8(&b[start..end])
        .map_err(|e| {
            Error::with(
                "error",
                format!("{WHO}: invalid UTF-8 at byte {}", start + e.valid_up_to()),
                vec![],
            )
        })?
        .to_string();
    Ok(vm.heap.string(s))
}

/// Registers the string natives.
pub fn register(reg: &mut Registry) {
    reg.simple("string?", 1, Some(1), is_string);
    reg.simple("make-string", 1, Some(2), make_string);
    reg.simple("string", 0, None, string);
    reg.simple("string-length", 1, Some(1), string_length);
    reg.simple("string-ref", 2, Some(2), string_ref);
    reg.simple("string-set!", 3, Some(3), string_set);
    reg.simple("substring", 2, Some(3), substring);
    reg.simple("string-append", 0, None, string_append);
    reg.simple("string-copy", 1, Some(3), string_copy);
    reg.simple("string-copy!", 3, Some(5), string_copy_to);
    reg.simple("string-fill!", 2, Some(4), string_fill);
    reg.simple("string->list", 1, Some(3), string_to_list);
    reg.simple("list->string", 1, Some(1), list_to_string);
    reg.simple("string->vector", 1, Some(3), string_to_vector);
    reg.simple("vector->string", 1, Some(3), vector_to_string);
    reg.simple("string=?", 1, None, string_eq);
    reg.simple("string<?", 1, None, string_lt);
    reg.simple("string>?", 1, None, string_gt);
    reg.simple("string<=?", 1, None, string_le);
    reg.simple("string>=?", 1, None, string_ge);
    reg.simple("string-ci=?", 1, None, string_ci_eq);
    reg.simple("string-ci<?", 1, None, string_ci_lt);
    reg.simple("string-ci>?", 1, None, string_ci_gt);
    reg.simple("string-ci<=?", 1, None, string_ci_le);
    reg.simple("string-ci>=?", 1, None, string_ci_ge);
    reg.simple("string-upcase", 1, Some(1), string_upcase);
    reg.simple("string-downcase", 1, Some(1), string_downcase);
    reg.simple("string-foldcase", 1, Some(1), string_foldcase);
    reg.simple("%string-index", 2, Some(2), string_index);
    reg.simple("string-contains", 2, Some(2), string_contains);
    reg.simple("string-split", 1, Some(2), string_split);
    reg.simple("string-join", 1, Some(2), string_join);
    reg.simple("string-trim", 1, Some(2), string_trim);
    reg.simple("string-trim-left", 1, Some(2), string_trim_left);
    reg.simple("string-trim-right", 1, Some(2), string_trim_right);
    reg.simple("string-prefix?", 2, Some(2), string_prefix);
    reg.simple("string-suffix?", 2, Some(2), string_suffix);
    reg.simple("string-null?", 1, Some(1), string_null);
    reg.simple("string-reverse", 1, Some(1), string_reverse);
    reg.simple("string->utf8", 1, Some(3), string_to_utf8);
    reg.simple("utf8->string", 1, Some(3), utf8_to_string);
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
