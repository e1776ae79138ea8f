//! The reader's tokens (R7RS 7.1.1 lexical structure): atmosphere (whitespace, comments,
//! `#!fold-case` directives) is skipped, and each token comes with its position.
//!
//! Tokens are delimited by whitespace, `(`, `)`, `[`, `]`, `"`, `;` and `|`. A token that
//! is not number syntax is a symbol, so names such as `1+` or `λ` read as symbols; the
//! printer puts bars around any symbol whose name is not an R7RS identifier.

use crate::read::number_syntax::{
    is_number_syntax, parse_number, Number, NumberError, MAX_EXACT_EXPONENT,
};
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span};
use std::rc::Rc;

/// A syntax error found while reading, with its position.
#[derive(Clone, Debug)]
pub struct ReadError {
    /// What is wrong, naming what was found.
    pub message: String,
    /// Where.
    pub span: Span,
    /// Whether the input merely ends too early (inside a list, string, comment ...):
    /// more text could complete it. The REPL reads another line then.
    pub incomplete: bool,
}

/// `line:col: read error: message` (the file's name is the interpreter's to give: see
/// [`SourceFiles`](crate::read::source_files::SourceFiles)).
impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.span;
        write!(f, "{}:{}: read error: {}", at.line, at.col, self.message)
    }
}

/// What opens a sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Open {
    /// `(`, or `[` (closed by the matching bracket).
    List(u8),
    /// `#(`.
    Vector,
    /// `#u8(`.
    Bytes,
}

/// A token.
#[derive(Debug)]
pub enum Token {
    /// `(`, `[`, `#(` or `#u8(`.
    Open(Open),
    /// `)` or `]`.
    Close(u8),
    /// `.` inside a list.
    Dot,
    /// `'`, `` ` ``, `,` or `,@`: the name of the form it abbreviates.
    Prefix(&'static str),
    /// `#;`: the next datum is a comment.
    DatumComment,
    /// `#n=`.
    LabelDef(u64),
    /// `#n#`.
    LabelRef(u64),
    /// A complete atom: number, string, character, boolean or symbol.
    Atom(Sexp),
    /// End of input.
    Eof,
}

/// Whether ASCII character `b` ends a token.
pub fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t'
            | b'\n'
            | b'\r'
            | b'\x0b'
            | b'\x0c'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'"'
            | b';'
            | b'|'
    )
}

/// Whether `text` starts with whitespace outside ASCII: a character with the Unicode
/// White_Space property (every space separator of category Zs, such as U+00A0, U+2003 and
/// U+3000, and U+0085, U+2028, U+2029), which separates tokens as a space does (what
/// `char-whitespace?` says is whitespace).
fn starts_with_unicode_space(text: &str) -> bool {
    text.as_bytes().first().is_some_and(|&b| b >= 0x80)
        && text.chars().next().is_some_and(char::is_whitespace)
}

/// Whether `text` starts with a character that ends a token (or is empty).
fn starts_with_delimiter(text: &str) -> bool {
    text.as_bytes()
        .first()
        .is_none_or(|&b| is_delimiter(b) || starts_with_unicode_space(text))
}

/// A place in a text between two data, with the `#!fold-case` setting in force there: a
/// reader can stop there and another continue (`load` reads a form, runs it, reads on).
#[derive(Clone, Copy, Debug)]
pub struct Position {
    offset: usize,
    line: u32,
    col: u32,
    fold_case: bool,
}

/// The lexer: a position in the source text.
pub struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    col: u32,
    file: u32,
    /// Whether `#!fold-case` is in force.
    pub fold_case: bool,
}

impl<'a> Lexer<'a> {
    /// A lexer over `src` (of file `file`), whose first character is at `line`, column 1.
    pub fn new(src: &'a str, file: u32, line: u32) -> Self {
        Lexer {
            src,
            pos: 0,
            line,
            col: 1,
            file,
            fold_case: false,
        }
    }

    /// Byte offset of the next unread character.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// Where the lexer is: what [`Lexer::resume`] continues from.
    pub fn position(&self) -> Position {
        Position {
            offset: self.pos,
            line: self.line,
            col: self.col,
            fold_case: self.fold_case,
        }
    }

    /// A lexer over `src` (of file `file`) that continues at `at`, a position a lexer
    /// over the same text reached.
    pub fn resume(src: &'a str, file: u32, at: Position) -> Self {
        Lexer {
            src,
            pos: at.offset.min(src.len()),
            line: at.line,
            col: at.col,
            file,
            fold_case: at.fold_case,
        }
    }

    /// The position of the next unread character.
    pub fn span(&self) -> Span {
        Span {
            file: self.file,
            line: self.line,
            col: self.col,
        }
    }

    /// An error at `span`.
    pub fn error(&self, span: Span, message: impl Into<String>) -> ReadError {
        ReadError {
            message: message.into(),
            span,
            incomplete: false,
        }
    }

    /// An error saying the input ends inside the construct opened at `span`.
    pub fn unfinished(&self, span: Span, message: impl Into<String>) -> ReadError {
        ReadError {
            incomplete: true,
            ..self.error(span, message)
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.src.as_bytes().get(self.pos + ahead).copied()
    }

    /// The text not read yet.
    fn rest(&self) -> &'a str {
        &self.src[self.pos..]
    }

    /// Moves past one byte, keeping line and column (in characters) up to date.
    fn bump(&mut self) {
        let b = self.src.as_bytes()[self.pos];
        self.pos += 1;
        if b == b'\n' {
            self.line += 1;
            self.col = 1;
        } else if b & 0xc0 != 0x80 {
            self.col += 1;
        }
    }

    /// Moves past `n` ASCII bytes (none of them a newline).
    fn skip_ascii(&mut self, n: usize) {
        self.pos += n;
        self.col += n as u32;
    }

    /// Moves past a whole UTF-8 character and returns it.
    fn next_char(&mut self) -> Option<char> {
        let c = self.src[self.pos..].chars().next()?;
        for _ in 0..c.len_utf8() {
            self.bump();
        }
        Some(c)
    }

    /// Moves to the end of the token starting here: the first delimiter or the end.
    fn token_end(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(b) = self.peek() {
            // (a byte from 0xc0 starts a multi-byte character)
            if is_delimiter(b) || (b >= 0xc0 && starts_with_unicode_space(self.rest())) {
                break;
            }
            self.bump();
        }
        &self.src[start..self.pos]
    }

    /// Skips a leading byte-order mark and a `#!` line (not a `#!fold-case` directive):
    /// what a script file may start with.
    pub fn skip_script_header(&mut self) {
        if self.src.starts_with('\u{feff}') {
            self.pos += '\u{feff}'.len_utf8();
        }
        let rest = &self.src[self.pos..];
        if rest.starts_with("#!") && directive(rest).is_none() {
            while self.peek().is_some_and(|b| b != b'\n') {
                self.bump();
            }
        }
    }

    /// Skips whitespace, comments and directives.
    fn skip_atmosphere(&mut self) -> Result<(), ReadError> {
        while let Some(b) = self.peek() {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c' => self.bump(),
                0xc0.. if starts_with_unicode_space(self.rest()) => {
                    self.next_char();
                }
                b';' => {
                    while self.peek().is_some_and(|b| b != b'\n') {
                        self.bump();
                    }
                }
                b'#' if self.peek_at(1) == Some(b'|') => self.block_comment()?,
                b'#' if self.peek_at(1) == Some(b'!') => {
                    let start = self.span();
                    let Some((fold, len)) = directive(&self.src[self.pos..]) else {
                        let found = self.token_end();
                        return Err(self.error(start, format!("unknown directive `{found}`")));
                    };
                    self.fold_case = fold;
                    self.skip_ascii(len);
                }
                _ => break,
            }
        }
        Ok(())
    }

    /// Skips a `#| ... |#` comment (they nest).
    fn block_comment(&mut self) -> Result<(), ReadError> {
        let start = self.span();
        self.skip_ascii(2);
        let mut depth = 1;
        while depth > 0 {
            match (self.peek(), self.peek_at(1)) {
                (None, _) => return Err(self.unfinished(start, "unterminated block comment `#|`")),
                (Some(b'|'), Some(b'#')) => {
                    self.skip_ascii(2);
                    depth -= 1;
                }
                (Some(b'#'), Some(b'|')) => {
                    self.skip_ascii(2);
                    depth += 1;
                }
                _ => self.bump(),
            }
        }
        Ok(())
    }

    /// The next token and where it starts.
    pub fn token(&mut self) -> Result<(Token, Span), ReadError> {
        self.skip_atmosphere()?;
        let span = self.span();
        let Some(b) = self.peek() else {
            return Ok((Token::Eof, span));
        };
        let simple = match b {
            b'(' | b'[' => Some(Token::Open(Open::List(if b == b'(' { b')' } else { b']' }))),
            b')' | b']' => Some(Token::Close(b)),
            b'\'' => Some(Token::Prefix("quote")),
            b'`' => Some(Token::Prefix("quasiquote")),
            b',' if self.peek_at(1) == Some(b'@') => {
                self.skip_ascii(2);
                return Ok((Token::Prefix("unquote-splicing"), span));
            }
            b',' => Some(Token::Prefix("unquote")),
            _ => None,
        };
        if let Some(t) = simple {
            self.skip_ascii(1);
            return Ok((t, span));
        }
        let token = match b {
            b'"' => Token::Atom(self.string(span)?),
            b'|' => {
                let name = self.bar_symbol(span)?;
                Token::Atom(Sexp::Sym(Symbol::intern(&name)))
            }
            b'#' => self.hash_syntax(span)?,
            _ => self.bare_token(span)?,
        };
        Ok((token, span))
    }

    /// A token without a special first character: `.`, a number or a symbol.
    fn bare_token(&mut self, span: Span) -> Result<Token, ReadError> {
        let text = self.token_end();
        if text == "." {
            return Ok(Token::Dot);
        }
        if let Some(n) = self.number(text, span)? {
            return Ok(Token::Atom(n));
        }
        if self.fold_case {
            return Ok(Token::Atom(Sexp::Sym(Symbol::intern(&text.to_lowercase()))));
        }
        Ok(Token::Atom(Sexp::Sym(Symbol::intern(text))))
    }

    /// `text` as a number, `None` when it is not number syntax (a symbol), or an error for
    /// an exact number too large to make (`#e1e1000000`).
    fn number(&self, text: &str, span: Span) -> Result<Option<Sexp>, ReadError> {
        let b = text.as_bytes();
        let may_be_number = b[0].is_ascii_digit()
            || b[0] == b'#'
            || (matches!(b[0], b'+' | b'-' | b'.') && b.len() > 1);
        if !may_be_number {
            return Ok(None);
        }
        match parse_number(text, 10) {
            Ok(Number::Fixnum(i)) => Ok(Some(Sexp::Int(i))),
            Ok(Number::Big(b)) => Ok(Some(Sexp::Big(Rc::new(b)))),
            Ok(Number::Flonum(x)) => Ok(Some(Sexp::Float(x))),
            Ok(n) => Ok(Some(Sexp::Number(Rc::new(n)))),
            Err(NumberError::NotANumber) => Ok(None),
            Err(NumberError::TooLarge) => Err(self.error(
                span,
                format!(
                    "cannot read `{text}`: an exact number with a decimal exponent beyond \
                     ±{MAX_EXACT_EXPONENT} is too large"
                ),
            )),
        }
    }

    /// After `#`: vectors, bytevectors, characters, booleans, prefixed numbers, datum
    /// comments and datum labels.
    fn hash_syntax(&mut self, span: Span) -> Result<Token, ReadError> {
        match self.peek_at(1) {
            Some(b'(') => {
                self.skip_ascii(2);
                return Ok(Token::Open(Open::Vector));
            }
            Some(b';') => {
                self.skip_ascii(2);
                return Ok(Token::DatumComment);
            }
            Some(b'\\') => return Ok(Token::Atom(Sexp::Char(self.character(span)?))),
            Some(b'0'..=b'9') => return self.datum_label(span),
            None => {
                self.skip_ascii(1);
                return Err(self.unfinished(span, "the input ends after `#`"));
            }
            _ => {}
        }
        let rest = &self.src.as_bytes()[self.pos..];
        if rest.len() >= 4 && rest[1..3].eq_ignore_ascii_case(b"u8") && rest[3] == b'(' {
            self.skip_ascii(4);
            return Ok(Token::Open(Open::Bytes));
        }
        let text = self.token_end();
        let boolean = match text.to_ascii_lowercase().as_str() {
            "#t" | "#true" => Some(true),
            "#f" | "#false" => Some(false),
            _ => None,
        };
        if let Some(b) = boolean {
            return Ok(Token::Atom(Sexp::Bool(b)));
        }
        if let Some(n) = self.number(text, span)? {
            return Ok(Token::Atom(n));
        }
        let what = match text.as_bytes().get(1).map(u8::to_ascii_lowercase) {
            Some(b'x' | b'b' | b'o' | b'd' | b'e' | b'i') => "bad number",
            _ => "unknown syntax",
        };
        Err(self.error(span, format!("{what} `{text}`")))
    }

    /// `#n=` or `#n#`.
    fn datum_label(&mut self, span: Span) -> Result<Token, ReadError> {
        self.skip_ascii(1);
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.skip_ascii(1);
        }
        let digits = &self.src[start..self.pos];
        let n = digits.parse::<u64>();
        match (self.peek(), n) {
            (Some(b'='), Ok(n)) => {
                self.skip_ascii(1);
                Ok(Token::LabelDef(n))
            }
            (Some(b'#'), Ok(n)) => {
                self.skip_ascii(1);
                Ok(Token::LabelRef(n))
            }
            (None, _) => Err(self.unfinished(span, format!("unfinished datum label `#{digits}`"))),
            _ => {
                let rest = self.token_end();
                Err(self.error(span, format!("bad datum label `#{digits}{rest}`")))
            }
        }
    }

    /// `#\c`, `#\name`, `#\xHH`.
    fn character(&mut self, span: Span) -> Result<char, ReadError> {
        self.skip_ascii(2);
        let start = self.pos;
        let Some(first) = self.next_char() else {
            return Err(self.unfinished(span, "the input ends after `#\\`"));
        };
        if first.is_ascii() && is_delimiter(first as u8) {
            return Ok(first);
        }
        self.token_end();
        let text = &self.src[start..self.pos];
        if text.len() == first.len_utf8() {
            return Ok(first);
        }
        let folded;
        let name = if self.fold_case {
            folded = text.to_lowercase();
            &folded
        } else {
            text
        };
        char_by_name(name)
            .ok_or_else(|| self.error(span, format!("unknown character name `#\\{text}`")))
    }

    /// A string literal, with R7RS escapes.
    fn string(&mut self, span: Span) -> Result<Sexp, ReadError> {
        self.skip_ascii(1);
        let text = self.escaped(b'"', span)?;
        Ok(Sexp::Str(Rc::from(text)))
    }

    /// A `|symbol|`'s name, with the same escapes as strings.
    fn bar_symbol(&mut self, span: Span) -> Result<String, ReadError> {
        self.skip_ascii(1);
        self.escaped(b'|', span)
    }

    /// The text up to the closing `quote`, decoding escapes: `\a \b \t \n \r \" \\ \|`,
    /// `\xHH;`, and `\` + blanks + line ending + blanks (which stands for nothing). A line
    /// ending without `\` reads as a newline.
    fn escaped(&mut self, quote: u8, span: Span) -> Result<String, ReadError> {
        let what = if quote == b'"' {
            "string"
        } else {
            "`|symbol|`"
        };
        let mut out = String::new();
        loop {
            let start = self.pos;
            while self
                .peek()
                .is_some_and(|b| b != quote && b != b'\\' && b != b'\r')
            {
                self.bump();
            }
            out.push_str(&self.src[start..self.pos]);
            let escape_at = self.span();
            match self.peek() {
                None => return Err(self.unfinished(span, format!("unterminated {what}"))),
                Some(b'\r') => {
                    self.bump();
                    if self.peek() != Some(b'\n') {
                        out.push('\n');
                    }
                }
                Some(b) if b == quote => {
                    self.skip_ascii(1);
                    return Ok(out);
                }
                _ => {
                    self.skip_ascii(1);
                    self.escape(&mut out, escape_at, span, what)?;
                }
            }
        }
    }

    /// One escape after `\` (at `at`), appended to `out`.
    fn escape(
        &mut self,
        out: &mut String,
        at: Span,
        open: Span,
        what: &str,
    ) -> Result<(), ReadError> {
        let Some(c) = self.next_char() else {
            return Err(self.unfinished(open, format!("unterminated {what}")));
        };
        let decoded = match c {
            'a' => '\x07',
            'b' => '\x08',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            '0' => '\0',
            '"' | '\\' | '|' => c,
            'x' | 'X' => return self.hex_escape(out, at),
            ' ' | '\t' | '\r' | '\n' => return self.line_continuation(c, at),
            _ => return Err(self.error(at, format!("unknown escape `\\{c}` in {what}"))),
        };
        out.push(decoded);
        Ok(())
    }

    /// `\xHH;` after the `x`.
    fn hex_escape(&mut self, out: &mut String, at: Span) -> Result<(), ReadError> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
            self.skip_ascii(1);
        }
        let hex = &self.src[start..self.pos];
        let c = (self.peek() == Some(b';'))
            .then(|| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32))
            .flatten();
        let Some(c) = c else {
            let shown = self.src[start..]
                .chars()
                .take(hex.len() + 1)
                .collect::<String>();
            return Err(self.error(
                at,
                format!("bad escape `\\x{shown}` (expected `\\x` hex digits `;`)"),
            ));
        };
        self.skip_ascii(1);
        out.push(c);
        Ok(())
    }

    /// `\` + blanks + line ending + blanks, after the first blank `c`.
    fn line_continuation(&mut self, mut c: char, at: Span) -> Result<(), ReadError> {
        while c == ' ' || c == '\t' {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r' | b'\n') => c = self.next_char().unwrap_or(' '),
                _ => {
                    return Err(
                        self.error(at, "bad escape: `\\` followed by blanks but no line ending")
                    )
                }
            }
        }
        if c == '\r' && self.peek() == Some(b'\n') {
            self.bump();
        }
        while self.peek().is_some_and(|b| b == b' ' || b == b'\t') {
            self.bump();
        }
        Ok(())
    }
}

/// `#!fold-case` or `#!no-fold-case` at the start of `text`: the new fold-case setting
/// and the directive's length.
fn directive(text: &str) -> Option<(bool, usize)> {
    [("#!fold-case", true), ("#!no-fold-case", false)]
        .into_iter()
        .find(|(d, _)| text.starts_with(d) && starts_with_delimiter(&text[d.len()..]))
        .map(|(d, fold)| (fold, d.len()))
}

/// R7RS character names, a few traditional ones, and `xHH` hex escapes.
pub fn char_by_name(name: &str) -> Option<char> {
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
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            return u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
        }
    })
}

/// Whether `name` reads back as itself without bars: an R7RS identifier (letters taken to
/// include every non-ASCII character that is not whitespace) that is not number syntax.
pub fn is_plain_identifier(name: &str) -> bool {
    let Some(first) = name.chars().next() else {
        return false;
    };
    let special_initial = |c: char| "!$%&*/:<=>?^_~".contains(c);
    let initial = |c: char| c.is_ascii_alphabetic() || special_initial(c) || is_other_letter(c);
    let subsequent = |c: char| initial(c) || c.is_ascii_digit() || "+-.@".contains(c);
    let sign_subsequent = |c: char| initial(c) || c == '+' || c == '-' || c == '@';
    let dot_subsequent = |c: char| sign_subsequent(c) || c == '.';
    let mut rest = name.chars().skip(1);
    let grammatical = match first {
        c if initial(c) => rest.all(subsequent),
        // <peculiar identifier>: `+`, `-`, `+a...`, `+.a...`, `.a...` (`.` alone is not one)
        '+' | '-' => match rest.next() {
            None => true,
            Some('.') => rest.next().is_some_and(dot_subsequent) && rest.all(subsequent),
            Some(c) => sign_subsequent(c) && rest.all(subsequent),
        },
        '.' => rest.next().is_some_and(dot_subsequent) && rest.all(subsequent),
        _ => false,
    };
    // only a sign or a dot can start both an identifier and a number (`+i`, `-inf.0`)
    grammatical && !(matches!(first, '+' | '-' | '.') && is_number_syntax(name))
}

/// A non-ASCII character allowed in identifiers (not whitespace, not a control).
fn is_other_letter(c: char) -> bool {
    !c.is_ascii() && !c.is_whitespace() && !c.is_control() && c != '\u{feff}'
}
