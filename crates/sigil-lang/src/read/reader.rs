//! The reader: `lexpr` parses the text; a thin pre-pass first closes the gaps between
//! lexpr 0.2 and the R7RS lexical syntax Sigil accepts.
//!
//! The pre-pass rewrites the source into text of exactly the same byte length (so lexpr's
//! line/column positions stay true) by:
//! - blanking `#| ... |#` block comments (nested), `#;` datum comments and a leading `#!` line;
//! - turning `#true`/`#false` into `#t`/`#f` (lexpr reads `#true` as `#t` then `rue`);
//! - reading itself the literals lexpr gets wrong or refuses — numbers other than plain
//!   64-bit integers (big integers, which lexpr silently turns into floats; `.5`, `1.`,
//!   `1e3`, `+inf.0`, radix prefixes), tokens such as `1+` that lexpr reads as a number,
//!   `|odd symbols|`, character names such as `#\escape`, and strings with `\<newline>`
//!   line continuations — and putting a placeholder symbol in their place; the converter
//!   swaps each placeholder for the literal recorded at its position.

use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use lexpr::datum::Ref;
use lexpr::parse::{Options, Parser};
use num_bigint::BigInt;
use num_traits::{Num, ToPrimitive};
use std::collections::HashMap;
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

/// Stands in for a literal read by the pre-pass: two ASCII bytes, so it fits in the
/// shortest token it replaces (`.5`, `1+`, `||`, `λ`), padded with spaces for longer ones.
/// A `%%` the user wrote stays a symbol: only recorded positions are replaced.
const PLACEHOLDER: &str = "%%";

/// Literals read by the pre-pass, by (line, 0-based byte column) of their placeholder.
type Literals = HashMap<(usize, usize), Sexp>;

fn is_delim(b: u8) -> bool {
    b.is_ascii_whitespace() || matches!(b, b'(' | b')' | b'[' | b']' | b'"' | b';')
}

struct Prepass<'a> {
    src: &'a [u8],
    out: Vec<u8>,
    literals: Literals,
    file: u32,
}

impl<'a> Prepass<'a> {
    fn error(&self, at: usize, message: &str) -> ReadError {
        let before = &self.src[..at.min(self.src.len())];
        let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let col = (before.len()
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1)) as u32
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

    /// Records `lit` for the source range, writing the placeholder over it.
    fn replace(&mut self, start: usize, end: usize, lit: Sexp) {
        let before = &self.src[..start];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let col = start
            - before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
        self.blank(start, end);
        self.out[start..start + PLACEHOLDER.len()].copy_from_slice(PLACEHOLDER.as_bytes());
        self.literals.insert((line, col), lit);
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
            if let Some(&b) = self.src.get(i) {
                i = (i + utf8_len(b)).min(self.src.len());
            }
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
            let end = self
                .src
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(self.src.len());
            self.blank(0, end);
            i = end;
        }
        let mut after_prefix = false;
        while i < self.src.len() {
            let b = self.src[i];
            let at_token_start = i == 0 || is_delim(self.src[i - 1]) || after_prefix;
            after_prefix = false;
            match b {
                b'\'' | b'`' | b',' => {
                    i += if self.src[i..].starts_with(b",@") {
                        2
                    } else {
                        1
                    };
                    after_prefix = true;
                }
                b';' => {
                    while i < self.src.len() && self.src[i] != b'\n' {
                        i += 1
                    }
                }
                b'"' => {
                    let end = self.string_end(i)?;
                    if has_line_continuation(&self.src[i..end]) {
                        let text = self.string_literal(i, end)?;
                        self.replace(i, end, Sexp::Str(Rc::from(text.as_str())));
                    }
                    i = end;
                }
                b'|' if at_token_start => {
                    let end = self.bar_symbol_end(i)?;
                    let name = self.escaped_text(i + 1, end - 1, b'|')?;
                    self.replace(i, end, Sexp::Sym(Symbol::intern(&name)));
                    i = end;
                }
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
                b'#' if self.src.get(i + 1) == Some(&b'\\') => {
                    let end = self.token_end(i);
                    let name = std::str::from_utf8(&self.src[i + 2..end]).unwrap_or("");
                    let mut chars = name.chars();
                    if let (Some(c), None) = (chars.next(), chars.next()) {
                        if !c.is_ascii() {
                            // lexpr reads only ASCII characters after `#\`
                            self.replace(i, end, Sexp::Char(c));
                        }
                    } else if !name.is_empty() {
                        match char_by_name(name) {
                            Some(c) => self.replace(i, end, Sexp::Char(c)),
                            None => {
                                return Err(
                                    self.error(i, &format!("unknown character name #\\{name}"))
                                )
                            }
                        }
                    }
                    i = end;
                }
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
        match tok {
            "#true" => {
                self.blank(start, end);
                self.out[start..start + 2].copy_from_slice(b"#t");
            }
            "#false" => {
                self.blank(start, end);
                self.out[start..start + 2].copy_from_slice(b"#f");
            }
            _ => match self.literal_token(tok) {
                // A fixnum written with a radix prefix fits in decimal: keep it inline, so it
                // also works where lexpr wants a number, as inside `#u8(...)`.
                Some(Sexp::Int(n)) if n.to_string().len() <= end - start => {
                    let digits = n.to_string();
                    self.blank(start, end);
                    self.out[start..start + digits.len()].copy_from_slice(digits.as_bytes());
                }
                Some(lit) => self.replace(start, end, lit),
                None => {}
            },
        }
    }

    /// The literal a token denotes when lexpr would misread it: any number but a plain
    /// 64-bit integer, or a symbol that starts like a number (`1+`).
    fn literal_token(&self, tok: &str) -> Option<Sexp> {
        let plain_int = {
            let body = tok.strip_prefix(['-', '+']).unwrap_or(tok);
            !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit())
        };
        if plain_int && tok.parse::<i64>().is_ok() {
            return None;
        }
        if let Some(n) = parse_number_literal(tok) {
            return Some(n);
        }
        if !tok.is_ascii() {
            // lexpr accepts only ASCII in symbols
            return Some(Sexp::Sym(Symbol::intern(tok)));
        }
        let b = tok.as_bytes();
        let numeric_start = b[0].is_ascii_digit()
            || (matches!(b[0], b'+' | b'-' | b'.') && b.get(1).is_some_and(u8::is_ascii_digit));
        numeric_start.then(|| Sexp::Sym(Symbol::intern(tok)))
    }

    fn bar_symbol_end(&self, start: usize) -> Result<usize, ReadError> {
        let mut i = start + 1;
        while i < self.src.len() {
            match self.src[i] {
                b'\\' => i += 2,
                b'|' => return Ok(i + 1),
                _ => i += 1,
            }
        }
        Err(self.error(start, "unterminated |symbol|"))
    }

    /// The text of a string literal spanning `start..end` (quotes included).
    fn string_literal(&self, start: usize, end: usize) -> Result<String, ReadError> {
        self.escaped_text(start + 1, end - 1, b'"')
    }

    /// Decodes R7RS escapes in `start..end`, including `\<spaces><newline><spaces>`.
    fn escaped_text(&self, start: usize, end: usize, quote: u8) -> Result<String, ReadError> {
        let raw = &self.src[start..end];
        let mut out = Vec::with_capacity(raw.len());
        let mut i = 0;
        while i < raw.len() {
            if raw[i] != b'\\' {
                out.push(raw[i]);
                i += 1;
                continue;
            }
            let at = start + i;
            i += 1;
            let Some(&c) = raw.get(i) else {
                return Err(self.error(at, "bad escape"));
            };
            i += 1;
            match c {
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'r' => out.push(b'\r'),
                b'a' => out.push(7),
                b'b' => out.push(8),
                b'0' => out.push(0),
                b'\\' => out.push(b'\\'),
                b'"' | b'|' if c == quote || c == b'"' || c == b'|' => out.push(c),
                b'x' | b'X' => {
                    let semi = raw[i..].iter().position(|&b| b == b';');
                    let hex = semi.and_then(|n| std::str::from_utf8(&raw[i..i + n]).ok());
                    let ch = hex
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .and_then(char::from_u32)
                        .ok_or_else(|| self.error(at, "bad \\x escape"))?;
                    let mut buf = [0; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    i += semi.unwrap_or(0) + 1;
                }
                b' ' | b'\t' | b'\n' | b'\r' => {
                    // line continuation: skip trailing blanks, the newline, leading blanks
                    i -= 1;
                    while raw
                        .get(i)
                        .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r'))
                    {
                        i += 1;
                    }
                    if raw.get(i) != Some(&b'\n') {
                        return Err(self.error(at, "bad escape"));
                    }
                    i += 1;
                    while raw.get(i).is_some_and(|b| matches!(b, b' ' | b'\t')) {
                        i += 1;
                    }
                }
                _ => return Err(self.error(at, "bad escape")),
            }
        }
        String::from_utf8(out).map_err(|_| self.error(start, "invalid UTF-8"))
    }
}

fn has_line_continuation(lit: &[u8]) -> bool {
    let mut i = 0;
    while i < lit.len() {
        if lit[i] == b'\\' {
            let mut j = i + 1;
            while lit
                .get(j)
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r'))
            {
                j += 1;
            }
            if lit.get(j) == Some(&b'\n') {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

/// R7RS character names (and `xHH` hex escapes).
fn char_by_name(name: &str) -> Option<char> {
    Some(match name {
        "alarm" => '\x07',
        "backspace" => '\x08',
        "delete" | "del" | "rubout" => '\x7f',
        "escape" | "altmode" => '\x1b',
        "newline" | "linefeed" | "nl" => '\n',
        "null" | "nul" => '\0',
        "return" => '\r',
        "space" => ' ',
        "tab" => '\t',
        _ => {
            let hex = name.strip_prefix(['x', 'X'])?;
            return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
        }
    })
}

/// Parses a numeric literal: integers (any size, optional radix prefix), decimals with
/// optional exponent, `+inf.0`, `-inf.0`, `+nan.0`.
pub fn parse_number_literal(tok: &str) -> Option<Sexp> {
    let (radix, body) = match tok.get(..2) {
        Some("#x" | "#X") => (16, &tok[2..]),
        Some("#b" | "#B") => (2, &tok[2..]),
        Some("#o" | "#O") => (8, &tok[2..]),
        Some("#d" | "#D") => (10, &tok[2..]),
        _ => (10, tok),
    };
    match body {
        "+inf.0" => return Some(Sexp::Float(f64::INFINITY)),
        "-inf.0" => return Some(Sexp::Float(f64::NEG_INFINITY)),
        "+nan.0" | "-nan.0" => return Some(Sexp::Float(f64::NAN)),
        _ => {}
    }
    let unsigned = body.strip_prefix(['+', '-']).unwrap_or(body);
    if unsigned.is_empty() {
        return None;
    }
    if unsigned.bytes().all(|b| (b as char).is_digit(radix)) {
        let digits = body.strip_prefix('+').unwrap_or(body);
        let big = BigInt::from_str_radix(digits, radix).ok()?;
        return Some(match big.to_i64() {
            Some(n) => Sexp::Int(n),
            None => Sexp::Big(Rc::new(big)),
        });
    }
    if radix != 10 {
        return None;
    }
    // decimal: digits [. digits] [e [sign] digits], at least one digit before the exponent
    let (mantissa, exponent) = match unsigned.find(['e', 'E']) {
        Some(p) => (&unsigned[..p], Some(&unsigned[p + 1..])),
        None => (unsigned, None),
    };
    let mantissa_ok = mantissa.bytes().filter(|&b| b == b'.').count() <= 1
        && mantissa.bytes().any(|b| b.is_ascii_digit())
        && mantissa.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    let exponent_ok = exponent.map_or(true, |e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    body.parse::<f64>().ok().map(Sexp::Float)
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
    read_all_at(src, file, 1)
}

/// Like [`read_all`] for a piece of `file` that starts on line `first_line`, so that
/// positions count from there.
pub fn read_all_at(src: &str, file: u32, first_line: u32) -> Result<Vec<Syn>, ReadError> {
    let mut out = Vec::new();
    let (text, literals) = prepare(src, file)?;
    let at = Origin {
        file,
        lines_before: first_line.saturating_sub(1),
        literals: &literals,
    };
    let mut parser = Parser::from_reader_custom(text.as_bytes(), Options::new());
    loop {
        match parser.next_datum() {
            Ok(Some(d)) => out.push(convert(d.as_ref(), &at)?),
            Ok(None) => return Ok(out),
            Err(e) => return Err(lexpr_error(e, file)),
        }
    }
}

/// Reads the first datum of `src`, returning it and the byte offset just past it, or
/// `None` when only whitespace and comments remain.
pub fn read_one(src: &str, file: u32) -> Result<Option<(Syn, usize)>, ReadError> {
    let (text, literals) = prepare(src, file)?;
    // Find the datum's extent in the original text (placeholders are shorter than the
    // literals they stand for).
    let pre = Prepass {
        src: src.as_bytes(),
        out: Vec::new(),
        literals: Literals::new(),
        file,
    };
    let start = pre.skip_atmosphere(0)?;
    if start >= text.len() {
        return Ok(None);
    }
    let end = pre.datum_end(start)?;
    let mut parser = Parser::from_reader_custom(&text.as_bytes()[..end], Options::new());
    match parser.next_datum() {
        Ok(Some(d)) => {
            let at = Origin {
                file,
                lines_before: 0,
                literals: &literals,
            };
            Ok(Some((convert(d.as_ref(), &at)?, end)))
        }
        Ok(None) => Ok(None),
        Err(e) => Err(lexpr_error(e, file)),
    }
}

fn prepare(src: &str, file: u32) -> Result<(String, Literals), ReadError> {
    let mut p = Prepass {
        src: src.as_bytes(),
        out: src.as_bytes().to_vec(),
        literals: Literals::new(),
        file,
    };
    p.run()?;
    // Only ASCII bytes were written over ASCII-or-blanked regions, but a blanked
    // multi-byte character leaves its continuation bytes replaced too, so this is valid.
    let text = String::from_utf8(p.out).map_err(|_| ReadError {
        message: "invalid UTF-8 in source".into(),
        span: Span::default(),
    })?;
    Ok((text, p.literals))
}

fn lexpr_error(e: lexpr::parse::Error, file: u32) -> ReadError {
    let (line, col) = match e.location() {
        Some(l) => (l.line() as u32, l.column().max(1) as u32),
        None => (0, 0),
    };
    let msg = e.to_string();
    let msg = msg.split(" at line").next().unwrap_or(&msg).to_string();
    ReadError {
        message: msg,
        span: Span { file, line, col },
    }
}

/// Where converted data come from: the file, how many of its lines precede the text
/// being read, and the literals the pre-pass set aside.
struct Origin<'a> {
    file: u32,
    lines_before: u32,
    literals: &'a Literals,
}

fn convert(r: Ref<'_>, at: &Origin<'_>) -> Result<Syn, ReadError> {
    use lexpr::Value as V;
    let pos = r.span().start();
    let span = Span {
        file: at.file,
        line: pos.line() as u32 + at.lines_before,
        // lexpr's streaming reader reports 1-based columns
        col: pos.column() as u32,
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
        V::Symbol(s) if &**s == PLACEHOLDER => at
            .literals
            .get(&(pos.line(), pos.column().saturating_sub(1)))
            .cloned()
            .unwrap_or_else(|| Sexp::Sym(Symbol::intern(s))),
        V::Symbol(s) => Sexp::Sym(Symbol::intern(s)),
        V::Keyword(k) => Sexp::Sym(Symbol::intern(&format!("#:{k}"))),
        V::Bytes(b) => Sexp::Bytes(Rc::from(&**b)),
        V::Vector(_) => {
            let items = r
                .vector_iter()
                .into_iter()
                .flatten()
                .map(|x| convert(x, at))
                .collect::<Result<Vec<_>, _>>()?;
            Sexp::Vector(items.into())
        }
        V::Cons(_) => {
            let mut items = Vec::new();
            let mut iter = r.list_iter().expect("cons is a list");
            for x in iter.by_ref() {
                items.push(convert(x, at)?);
            }
            let tail = match iter.next() {
                Some(t) => Some(Rc::new(convert(t, at)?)),
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
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn character_prefix_at_end_of_input_is_an_error() {
        assert!(read_all("#\\", 0).is_err());
        assert!(read_all("(a #\\", 0).is_err());
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
        assert_eq!(read1("#u8(#x83 0 #xff)"), "#u8(131 0 255)");
    }

    #[test]
    fn numbers_lexpr_misreads() {
        assert_eq!(
            read1("(.5 -.25 +.5 1. 1e3 5e-1 1E2)"),
            "(0.5 -0.25 0.5 1.0 1000.0 0.5 100.0)"
        );
        assert_eq!(read1("(+inf.0 -inf.0)"), "(inf -inf)");
        assert_eq!(read1("(1+ -1+ 1-)"), "(1+ -1+ 1-)");
        assert!(matches!(read_all("1+", 0).unwrap()[0].e, Sexp::Sym(_)));
    }

    #[test]
    fn bar_symbols_and_unicode_identifiers() {
        let v = read_all("(|hello world| || λ 'é)", 0).unwrap();
        let items = v[0].as_list().unwrap();
        assert_eq!(&*items[0].as_sym().unwrap().name(), "hello world");
        assert_eq!(&*items[1].as_sym().unwrap().name(), "");
        assert_eq!(&*items[2].as_sym().unwrap().name(), "λ");
        assert_eq!(items[3].to_string(), "(quote é)");
        // positions after a replaced token stay exact
        assert_eq!((items[2].span.line, items[2].span.col), (1, 19));
    }

    #[test]
    fn character_names_and_line_continuations() {
        assert_eq!(
            read1("(#\\escape #\\null #\\alarm #\\delete)"),
            "(#\\\u{1b} #\\\0 #\\\u{7} #\\\u{7f})"
        );
        assert!(read_all("#\\bogus", 0).is_err());
        assert_eq!(read1("(#\\λ #\\é)"), "(#\\λ #\\é)");
        let v = read_all("\"one \\\n    two\" x", 0).unwrap();
        assert_eq!(v[0].to_string(), "\"one two\"");
        assert_eq!(v[1].span.line, 2);
    }

    #[test]
    fn literals() {
        assert_eq!(read1("#u8(1 2 3)"), "#u8(1 2 3)");
        assert_eq!(
            read1("(#\\a #\\space #\\x41 #\\( )"),
            "(#\\a #\\  #\\A #\\()"
        );
        assert_eq!(read1("\"a\\nb\\x41;\""), "\"a\\nbA\"");
        assert_eq!(read1("'(a . b)"), "(quote (a . b))");
        assert_eq!(
            read1("`(a ,b ,@c)"),
            "(quasiquote (a (unquote b) (unquote-splicing c)))"
        );
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
        // literals the pre-pass reads itself still end where the source says
        let (d, end) = read_one("-1.5 .5", 0).unwrap().unwrap();
        assert_eq!((d.to_string(), end), ("-1.5".to_string(), 4));
    }
}
