//! The reader: `lexpr` parses the text; a thin pre-pass first closes the gaps between
//! lexpr 0.2 and the R7RS lexical syntax Sigil accepts.
//!
//! The pre-pass rewrites the source into text of exactly the same byte length (so lexpr's
//! line/column positions stay true) by:
//! - blanking `#| ... |#` block comments (nested), `#;` datum comments and a leading `#!` line;
//! - turning `#true`/`#false` into `#t`/`#f` (lexpr reads `#true` as `#t` then `rue`);
//! - replacing integer literals that do not fit 64 bits, and `#x`/`#b`/`#o`/`#d` literals,
//!   by a placeholder symbol naming an entry of a side table (lexpr would silently read a
//!   big integer as a float).

use crate::symbol::Symbol;
use crate::syntax::{Sexp, Span, Syn};
use lexpr::datum::Ref;
use lexpr::parse::{Options, Parser};
use num_bigint::BigInt;
use num_traits::{Num, ToPrimitive};
use std::fmt;
use std::rc::Rc;

/// A syntax error found while reading, with its position.
#[derive(Clone, Debug)]
pub struct ReadError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: read error: {}", self.span, self.message)
    }
}

const PLACEHOLDER: &str = "%%num";

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'(' | b')' | b'[' | b']' | b'"' | b';')
}

struct Prepass<'a> {
    src: &'a [u8],
    out: Vec<u8>,
    numbers: Vec<Sexp>,
    file: u32,
}

impl<'a> Prepass<'a> {
    fn error(&self, at: usize, message: &str) -> ReadError {
        let before = &self.src[..at.min(self.src.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = (before.len() - before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1))
            as u32
            + 1;
        ReadError {
            message: message.to_string(),
            span: Span {
                file: self.file,
                line,
                col,
            },
        }
    }

    fn blank(&mut self, from: usize, to: usize) {
        for i in from..to {
            if self.out[i] != b'\n' {
                self.out[i] = b' ';
            }
        }
    }

    /// End of a string literal starting at `i` (which holds `"`).
    fn string_end(&self, mut i: usize) -> Result<usize, ReadError> {
        let start = i;
        i += 1;
        while i < self.src.len() {
            match self.src[i] {
                b'\\' => i += 2,
                b'"' => return Ok(i + 1),
                _ => i += 1,
            }
        }
        Err(self.error(start, "unterminated string"))
    }

    /// End of a block comment starting at `i` (which holds `#|`).
    fn block_comment_end(&self, mut i: usize) -> Result<usize, ReadError> {
        let start = i;
        let mut depth = 0;
        while i + 1 < self.src.len() {
            match (self.src[i], self.src[i + 1]) {
                (b'#', b'|') => {
                    depth += 1;
                    i += 2
                }
                (b'|', b'#') => {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        return Ok(i);
                    }
                }
                _ => i += 1,
            }
        }
        Err(self.error(start, "unterminated block comment"))
    }

    fn token_end(&self, mut i: usize) -> usize {
        if self.src[i..].starts_with(b"#\\") {
            // the character after `#\` is always part of the token, even a delimiter
            i += 2;
            i += utf8_len(self.src.get(i).copied().unwrap_or(b' '));
        }
        while i < self.src.len() && !is_delim(self.src[i]) {
            i += 1;
        }
        i
    }

    /// Skips whitespace and comments from `i`.
    fn skip_atmosphere(&self, mut i: usize) -> Result<usize, ReadError> {
        loop {
            match self.src.get(i) {
                Some(b) if b.is_ascii_whitespace() => i += 1,
                Some(b';') => {
                    while i < self.src.len() && self.src[i] != b'\n' {
                        i += 1
                    }
                }
                Some(b'#') if self.src.get(i + 1) == Some(&b'|') => {
                    i = self.block_comment_end(i)?
                }
                Some(b'#') if self.src.get(i + 1) == Some(&b';') => i = self.datum_end(i + 2)?,
                _ => return Ok(i),
            }
        }
    }

    /// End of the datum that starts at or after `i`.
    fn datum_end(&self, i: usize) -> Result<usize, ReadError> {
        let i = self.skip_atmosphere(i)?;
        let rest = &self.src[i..];
        if rest.is_empty() {
            return Err(self.error(i, "datum comment without a datum"));
        }
        if rest.starts_with(b",@") {
            return self.datum_end(i + 2);
        }
        match rest[0] {
            b'\'' | b'`' | b',' => self.datum_end(i + 1),
            b'"' => self.string_end(i),
            b'(' | b'[' => self.list_end(i),
            b'#' if rest.starts_with(b"#(") => self.list_end(i + 1),
            b'#' if rest.starts_with(b"#u8(") => self.list_end(i + 3),
            b')' | b']' => Err(self.error(i, "unexpected `)`")),
            _ => Ok(self.token_end(i)),
        }
    }

    fn list_end(&self, open: usize) -> Result<usize, ReadError> {
        let mut i = open + 1;
        loop {
            i = self.skip_atmosphere(i)?;
            match self.src.get(i) {
                None => return Err(self.error(open, "unbalanced parenthesis")),
                Some(b')' | b']') => return Ok(i + 1),
                _ => i = self.datum_end(i)?,
            }
        }
    }

    fn run(&mut self) -> Result<(), ReadError> {
        let mut i = 0;
        if self.src.starts_with(b"#!") {
            let end = self.src.iter().position(|&b| b == b'\n').unwrap_or(self.src.len());
            self.blank(0, end);
            i = end;
        }
        while i < self.src.len() {
            let b = self.src[i];
            let at_token_start = i == 0 || is_delim(self.src[i - 1]) || self.src[i - 1] == b'\'';
            match b {
                b';' => {
                    while i < self.src.len() && self.src[i] != b'\n' {
                        i += 1
                    }
                }
                b'"' => i = self.string_end(i)?,
                b'#' if self.src.get(i + 1) == Some(&b'|') => {
                    let end = self.block_comment_end(i)?;
                    self.blank(i, end);
                    i = end;
                }
                b'#' if self.src.get(i + 1) == Some(&b';') => {
                    let end = self.datum_end(i + 2)?;
                    self.blank(i, end);
                    i = end;
                }
                b'#' if self.src.get(i + 1) == Some(&b'\\') => i = self.token_end(i),
                _ if at_token_start && !is_delim(b) => {
                    let end = self.token_end(i);
                    self.rewrite_token(i, end);
                    i = end;
                }
                _ => i += 1,
            }
        }
        Ok(())
    }

    fn rewrite_token(&mut self, start: usize, end: usize) {
        let tok = std::str::from_utf8(&self.src[start..end]).unwrap_or("");
        let replacement: Option<Vec<u8>> = match tok {
            "#true" => Some(b"#t".to_vec()),
            "#false" => Some(b"#f".to_vec()),
            _ => self.number_token(tok).map(|n| {
                let idx = self.numbers.len();
                self.numbers.push(n);
                format!("{PLACEHOLDER}{idx}").into_bytes()
            }),
        };
        if let Some(r) = replacement {
            if r.len() <= end - start {
                self.blank(start, end);
                self.out[start..start + r.len()].copy_from_slice(&r);
            } else {
                // Too short to hold a placeholder: only tiny radix literals such as `#x1`.
                if let Some(Sexp::Int(n)) = self.numbers.pop() {
                    let d = n.to_string();
                    self.blank(start, end);
                    self.out[start..start + d.len()].copy_from_slice(d.as_bytes());
                }
            }
        }
    }

    /// Integer literals lexpr cannot read faithfully: radix prefixes and big integers.
    fn number_token(&self, tok: &str) -> Option<Sexp> {
        let (radix, digits) = match tok.get(..2) {
            Some("#x" | "#X") => (16, &tok[2..]),
            Some("#b" | "#B") => (2, &tok[2..]),
            Some("#o" | "#O") => (8, &tok[2..]),
            Some("#d" | "#D") => (10, &tok[2..]),
            _ => {
                let body = tok.strip_prefix(['-', '+']).unwrap_or(tok);
                if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                if tok.parse::<i64>().is_ok() {
                    return None;
                }
                (10, tok)
            }
        };
        let digits = digits.strip_prefix('+').unwrap_or(digits);
        let big = BigInt::from_str_radix(digits, radix).ok()?;
        Some(match big.to_i64() {
            Some(n) => Sexp::Int(n),
            None => Sexp::Big(Rc::new(big)),
        })
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0..=0x7f => 1,
        0xc0..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    }
}

/// Reads every datum in `src`; `file` is the span file index (see [`Span::register_file`]).
pub fn read_all(src: &str, file: u32) -> Result<Vec<Syn>, ReadError> {
    let mut out = Vec::new();
    let (text, numbers) = prepare(src, file)?;
    let mut parser = Parser::from_str_custom(&text, Options::new());
    loop {
        match parser.next_datum() {
            Ok(Some(d)) => out.push(convert(d.as_ref(), file, &numbers)?),
            Ok(None) => return Ok(out),
            Err(e) => return Err(lexpr_error(e, file)),
        }
    }
}

/// Reads the first datum of `src`, returning it and the byte offset just past it, or
/// `None` when only whitespace and comments remain.
pub fn read_one(src: &str, file: u32) -> Result<Option<(Syn, usize)>, ReadError> {
    let (text, numbers) = prepare(src, file)?;
    let pre = Prepass {
        src: text.as_bytes(),
        out: Vec::new(),
        numbers: Vec::new(),
        file,
    };
    let start = pre.skip_atmosphere(0)?;
    if start >= text.len() {
        return Ok(None);
    }
    let end = pre.datum_end(start)?;
    let mut parser = Parser::from_str_custom(&text[..end], Options::new());
    match parser.next_datum() {
        Ok(Some(d)) => Ok(Some((convert(d.as_ref(), file, &numbers)?, end))),
        Ok(None) => Ok(None),
        Err(e) => Err(lexpr_error(e, file)),
    }
}

fn prepare(src: &str, file: u32) -> Result<(String, Vec<Sexp>), ReadError> {
    let mut p = Prepass {
        src: src.as_bytes(),
        out: src.as_bytes().to_vec(),
        numbers: Vec::new(),
        file,
    };
    p.run()?;
    // Only ASCII bytes were written over ASCII-or-blanked regions, but a blanked
    // multi-byte character leaves its continuation bytes replaced too, so this is valid.
    let text = String::from_utf8(p.out).map_err(|_| ReadError {
        message: "invalid UTF-8 in source".into(),
        span: Span::default(),
    })?;
    Ok((text, p.numbers))
}

fn lexpr_error(e: lexpr::parse::Error, file: u32) -> ReadError {
    let (line, col) = match e.location() {
        Some(l) => (l.line() as u32, l.column() as u32 + 1),
        None => (0, 0),
    };
    let msg = e.to_string();
    let msg = msg.split(" at line").next().unwrap_or(&msg).to_string();
    ReadError {
        message: msg,
        span: Span { file, line, col },
    }
}

fn convert(r: Ref<'_>, file: u32, numbers: &[Sexp]) -> Result<Syn, ReadError> {
    use lexpr::Value as V;
    let pos = r.span().start();
    let span = Span {
        file,
        line: pos.line() as u32,
        col: pos.column() as u32 + 1,
    };
    let e = match r.value() {
        V::Nil | V::Null => Sexp::Nil,
        V::Bool(b) => Sexp::Bool(*b),
        V::Number(n) => {
            if let Some(i) = n.as_i64() {
                Sexp::Int(i)
            } else if let Some(u) = n.as_u64() {
                Sexp::Big(Rc::new(BigInt::from(u)))
            } else {
                Sexp::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        V::Char(c) => Sexp::Char(*c),
        V::String(s) => Sexp::Str(Rc::from(&**s)),
        V::Symbol(s) => match s.strip_prefix(PLACEHOLDER) {
            Some(idx) => numbers[idx.parse::<usize>().unwrap_or(0)].clone(),
            None => Sexp::Sym(Symbol::intern(s)),
        },
        V::Keyword(k) => Sexp::Sym(Symbol::intern(&format!("#:{k}"))),
        V::Bytes(b) => Sexp::Bytes(Rc::from(&**b)),
        V::Vector(_) => {
            let items = r
                .vector_iter()
                .into_iter()
                .flatten()
                .map(|x| convert(x, file, numbers))
                .collect::<Result<Vec<_>, _>>()?;
            Sexp::Vector(items.into())
        }
        V::Cons(_) => {
            let mut items = Vec::new();
            let mut iter = r.list_iter().expect("cons is a list");
            for x in iter.by_ref() {
                items.push(convert(x, file, numbers)?);
            }
            let tail = match iter.next() {
                Some(t) => Some(Rc::new(convert(t, file, numbers)?)),
                None => None,
            };
            Sexp::List(items.into(), tail)
        }
    };
    Ok(Syn::new(e, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read1(s: &str) -> String {
        let v = read_all(s, 0).unwrap();
        v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn booleans_long_form() {
        assert_eq!(read1("(#true #false #t #f)"), "(#t #f #t #f)");
    }

    #[test]
    fn block_and_datum_comments() {
        assert_eq!(read1("(a #| x #| nested |# y |# b)"), "(a b)");
        assert_eq!(read1("(a #;(b (c \")\")) d)"), "(a d)");
        assert_eq!(read1("(a #; #;b c d)"), "(a d)");
        assert_eq!(read1("#;'x y"), "y");
    }

    #[test]
    fn shebang_line() {
        assert_eq!(read1("#!/usr/bin/env sigil\n(x)"), "(x)");
    }

    #[test]
    fn big_integers_stay_exact() {
        assert_eq!(
            read1("123456789012345678901234567890"),
            "123456789012345678901234567890"
        );
        assert_eq!(read1("-99999999999999999999"), "-99999999999999999999");
        assert_eq!(read1("(#xff #b101 #x1)"), "(255 5 1)");
    }

    #[test]
    fn literals() {
        assert_eq!(read1("#u8(1 2 3)"), "#u8(1 2 3)");
        assert_eq!(read1("(#\\a #\\space #\\x41 #\\( )"), "(#\\a #\\  #\\A #\\()");
        assert_eq!(read1("\"a\\nb\\x41;\""), "\"a\\nbA\"");
        assert_eq!(read1("'(a . b)"), "(quote (a . b))");
        assert_eq!(read1("`(a ,b ,@c)"), "(quasiquote (a (unquote b) (unquote-splicing c)))");
    }

    #[test]
    fn positions() {
        let v = read_all("\n  (foo\n   bar)", 3).unwrap();
        assert_eq!((v[0].span.line, v[0].span.col), (2, 3));
        let items = v[0].as_list().unwrap();
        assert_eq!((items[1].span.line, items[1].span.col), (3, 4));
    }

    #[test]
    fn errors_have_positions() {
        let e = read_all("(a\n (b", 0).unwrap_err();
        assert!(e.span.line >= 1, "{e}");
        let e = read_all("(a #| never", 0).unwrap_err();
        assert!(e.message.contains("block comment"));
    }

    #[test]
    fn read_one_reports_offset() {
        let (d, end) = read_one("  (a b) c", 0).unwrap().unwrap();
        assert_eq!(d.to_string(), "(a b)");
        assert_eq!(end, 7);
        assert!(read_one("  ; nothing\n", 0).unwrap().is_none());
    }
}
