//! The reader: source text to syntax objects ([`Syn`], each with its position), one datum
//! at a time, for every external representation R7RS 7.1.2 allows.
//!
//! The [`lexer`](crate::read::lexer) makes tokens; this module assembles them. Open lists,
//! vectors, quote abbreviations, datum labels and datum comments wait on an explicit
//! stack, so nesting is limited by memory, not by the Rust stack (and [`Syn`] drops and
//! prints iteratively too). Sigil used the `lexpr` crate until it was measured to stop at
//! 127 levels of lists and overflow the stack on about 30 000 nested quotes, among other
//! gaps (`docs/language.md`, "The reader").
//!
//! Datum labels: a reference `#n#` after the labelled datum ends shares that datum's
//! syntax; a reference inside it (a cycle) becomes [`Sexp::LabelRef`], and the datum is
//! wrapped in [`Sexp::Labelled`]. Only `quote` (and `read`) can turn a cycle into data.

use crate::read::lexer::{Lexer, Open, Token};
pub use crate::read::lexer::{Position, ReadError};
use crate::read::symbol::{FastMap, FastSet, Symbol};
use crate::read::syntax::{Sexp, Span, Syn};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

/// A construct that has started and waits for more data.
enum Frame {
    /// A list, vector or bytevector.
    Seq(Seq),
    /// `'`, `` ` ``, `,` or `,@` (the form's name), waiting for its datum.
    Prefix(&'static str, Span),
    /// `#n=`, waiting for its datum.
    Label { n: u64, id: u32, span: Span },
    /// `#;`, waiting for the datum it comments out.
    Comment(Span),
}

/// An open list, vector or bytevector.
struct Seq {
    open: Open,
    span: Span,
    /// Where its elements start in [`Reader::items`].
    start: usize,
    dot: Dot,
}

/// Where a list is with respect to a dotted tail.
enum Dot {
    None,
    /// A `.` (at this position) was read; its datum comes next.
    Expecting(Span),
    /// The datum after the `.`.
    Got(Syn),
}

/// A datum label of the datum being read.
enum Label {
    /// Its datum (labelled [`Sexp::Labelled`] number `id` if it turns out cyclic) is being
    /// read.
    Open(u32),
    /// Its datum, complete.
    Done(Syn),
}

/// Numbers for [`Sexp::Labelled`] cycles, unique in the process, so that data read
/// separately (say, by a macro and its use) never mix up their labels.
static NEXT_LABEL: AtomicU32 = AtomicU32::new(0);

/// Reads data from a text.
pub struct Reader<'a> {
    lex: Lexer<'a>,
    stack: Vec<Frame>,
    /// The elements of the open sequences, innermost last (one buffer for all, so a
    /// list costs one allocation when it closes).
    items: Vec<Syn>,
    labels: FastMap<u64, Label>,
    /// The labels (by id) referenced from inside their own datum.
    cyclic: FastSet<u32>,
}

impl<'a> Reader<'a> {
    /// A reader of `src`, a piece of file `file` (see [`Span::register_file`]) that starts
    /// on line `line`.
    pub fn new(src: &'a str, file: u32, line: u32) -> Self {
        Reader::with_lexer(Lexer::new(src, file, line))
    }

    fn with_lexer(lex: Lexer<'a>) -> Self {
        Reader {
            lex,
            stack: Vec::new(),
            items: Vec::new(),
            labels: FastMap::default(),
            cyclic: FastSet::default(),
        }
    }

    /// A reader of a whole source file: a leading byte-order mark and a `#!` line (such as
    /// `#!/usr/bin/env sigil`) are skipped.
    pub fn script(src: &'a str, file: u32, line: u32) -> Self {
        let mut r = Reader::new(src, file, line);
        r.lex.skip_script_header();
        r
    }

    /// A reader of `src` (of file `file`) that continues at `at`, where a reader of the
    /// same text stopped (see [`Reader::position`]).
    pub fn resume(src: &'a str, file: u32, at: Position) -> Self {
        Reader::with_lexer(Lexer::resume(src, file, at))
    }

    /// Where the reader is: after the last datum read (or the script header skipped).
    pub fn position(&self) -> Position {
        self.lex.position()
    }

    /// Whether `#!fold-case` is in force (identifiers and character names read in lower
    /// case).
    pub fn fold_case(&self) -> bool {
        self.lex.fold_case
    }

    /// Turns case folding on or off, as `#!fold-case` / `#!no-fold-case` do.
    pub fn set_fold_case(&mut self, on: bool) {
        self.lex.fold_case = on;
    }

    /// Byte offset just past what has been read.
    pub fn offset(&self) -> usize {
        self.lex.offset()
    }

    /// The next datum, or `None` when only whitespace and comments remain.
    pub fn read(&mut self) -> Result<Option<Syn>, ReadError> {
        self.labels.clear();
        self.cyclic.clear();
        self.stack.clear();
        self.items.clear();
        loop {
            let (token, span) = self.lex.token()?;
            let datum = match token {
                Token::Atom(e) => Syn::new(e, span),
                Token::Open(open) => {
                    self.stack.push(Frame::Seq(Seq {
                        open,
                        span,
                        start: self.items.len(),
                        dot: Dot::None,
                    }));
                    continue;
                }
                Token::Close(c) => self.close(c, span)?,
                Token::Dot => {
                    self.dot(span)?;
                    continue;
                }
                Token::Prefix(name) => {
                    self.stack.push(Frame::Prefix(name, span));
                    continue;
                }
                Token::DatumComment => {
                    self.stack.push(Frame::Comment(span));
                    continue;
                }
                Token::LabelDef(n) => {
                    let id = NEXT_LABEL.fetch_add(1, Ordering::Relaxed);
                    self.labels.insert(n, Label::Open(id));
                    self.stack.push(Frame::Label { n, id, span });
                    continue;
                }
                Token::LabelRef(n) => self.label_ref(n, span)?,
                Token::Eof => {
                    return match self.stack.pop() {
                        None => Ok(None),
                        Some(frame) => Err(self.lex.unfinished(
                            frame_span(&frame),
                            format!("{}: the input ends before it is complete", describe(&frame)),
                        )),
                    };
                }
            };
            if let Some(done) = self.deliver(datum)? {
                return Ok(Some(done));
            }
        }
    }

    /// Hands a complete datum to the construct waiting for it; returns it when nothing
    /// waits (a whole top-level datum).
    fn deliver(&mut self, mut datum: Syn) -> Result<Option<Syn>, ReadError> {
        loop {
            match self.stack.pop() {
                None => return Ok(Some(datum)),
                Some(Frame::Seq(mut seq)) => {
                    self.add_to(&mut seq, datum)?;
                    self.stack.push(Frame::Seq(seq));
                    return Ok(None);
                }
                Some(Frame::Comment(_)) => return Ok(None),
                Some(Frame::Prefix(name, span)) => {
                    let head = Syn::sym(Symbol::intern(name), span);
                    datum = Syn::new(Sexp::List(Rc::from([head, datum]), None), span);
                }
                Some(Frame::Label { n, id, span }) => {
                    datum = self.label_done(n, id, span, datum)?
                }
            }
        }
    }

    /// Adds an element to an open sequence.
    fn add_to(&mut self, seq: &mut Seq, datum: Syn) -> Result<(), ReadError> {
        if seq.open == Open::Bytes && !matches!(datum.e, Sexp::Int(0..=255)) {
            return Err(self.lex.error(
                datum.span,
                format!("a bytevector holds bytes (0 to 255), not `{datum}`"),
            ));
        }
        match &seq.dot {
            Dot::None => self.items.push(datum),
            Dot::Expecting(_) => seq.dot = Dot::Got(datum),
            Dot::Got(_) => {
                return Err(self.lex.error(
                    datum.span,
                    format!("unexpected `{datum}`: only one datum may follow `.`"),
                ))
            }
        }
        Ok(())
    }

    /// `.` in a list.
    fn dot(&mut self, span: Span) -> Result<(), ReadError> {
        let count = self.items.len();
        match self.stack.last_mut() {
            Some(Frame::Seq(seq))
                if matches!(seq.open, Open::List(_))
                    && count > seq.start
                    && matches!(seq.dot, Dot::None) =>
            {
                seq.dot = Dot::Expecting(span);
                Ok(())
            }
            _ => Err(self.lex.error(
                span,
                "unexpected `.` (it may only come before the last datum of a list)",
            )),
        }
    }

    /// `)` or `]`: closes the innermost sequence.
    fn close(&mut self, c: u8, span: Span) -> Result<Syn, ReadError> {
        let closer = c as char;
        let seq = match self.stack.pop() {
            Some(Frame::Seq(seq)) => seq,
            None => {
                return Err(self
                    .lex
                    .error(span, format!("unexpected `{closer}` (no list is open)")))
            }
            Some(frame) => {
                return Err(self.lex.error(
                    span,
                    format!(
                        "unexpected `{closer}`: {} at {}:{} needs a datum first",
                        describe(&frame),
                        frame_span(&frame).line,
                        frame_span(&frame).col
                    ),
                ))
            }
        };
        let expected = match seq.open {
            Open::List(close) => close,
            _ => b')',
        };
        if c != expected {
            return Err(self.lex.error(
                span,
                format!(
                    "unexpected `{closer}`: `{}` at {}:{} is closed by `{}`",
                    opener(seq.open),
                    seq.span.line,
                    seq.span.col,
                    expected as char
                ),
            ));
        }
        let items = self.items.drain(seq.start..);
        let e = match (seq.open, seq.dot) {
            (Open::Vector, _) => Sexp::Vector(items.collect()),
            (Open::Bytes, _) => Sexp::Bytes(
                items
                    .map(|x| match x.e {
                        Sexp::Int(b) => b as u8,
                        _ => 0,
                    })
                    .collect(),
            ),
            (Open::List(_), Dot::None) if items.len() == 0 => Sexp::Nil,
            (Open::List(_), Dot::None) => Sexp::List(items.collect(), None),
            (Open::List(_), Dot::Expecting(dot)) => {
                return Err(self
                    .lex
                    .error(dot, "`.` must be followed by a datum before the list ends"))
            }
            (Open::List(_), Dot::Got(tail)) => match &tail.e {
                Sexp::Nil => Sexp::List(items.collect(), None),
                // `(a . (b c))` is `(a b c)`
                Sexp::List(more, more_tail) => Sexp::List(
                    items.chain(more.iter().cloned()).collect(),
                    more_tail.clone(),
                ),
                _ => Sexp::List(items.collect(), Some(Rc::new(tail))),
            },
        };
        Ok(Syn::new(e, seq.span))
    }

    /// `#n#`.
    fn label_ref(&mut self, n: u64, span: Span) -> Result<Syn, ReadError> {
        match self.labels.get(&n) {
            Some(Label::Done(datum)) => Ok(Syn::new(datum.e.clone(), span)),
            Some(&Label::Open(id)) => {
                self.cyclic.insert(id);
                Ok(Syn::new(Sexp::LabelRef(id), span))
            }
            None => Err(self
                .lex
                .error(span, format!("undefined datum label `#{n}#`"))),
        }
    }

    /// The datum labelled `#n=` is complete.
    fn label_done(&mut self, n: u64, id: u32, span: Span, datum: Syn) -> Result<Syn, ReadError> {
        if matches!(datum.e, Sexp::LabelRef(r) if r == id) {
            return Err(self
                .lex
                .error(span, format!("datum label `#{n}=` labels only itself")));
        }
        let datum = if self.cyclic.contains(&id) {
            Syn::new(Sexp::Labelled(id, Rc::new(datum)), span)
        } else {
            datum
        };
        self.labels.insert(n, Label::Done(datum.clone()));
        Ok(datum)
    }
}

/// How a waiting construct is written, for messages.
fn describe(frame: &Frame) -> String {
    match frame {
        Frame::Seq(seq) => format!("unbalanced `{}`", opener(seq.open)),
        Frame::Prefix(name, _) => format!("`{}`", abbreviation(name)),
        Frame::Label { n, .. } => format!("`#{n}=`"),
        Frame::Comment(_) => "`#;`".into(),
    }
}

fn frame_span(frame: &Frame) -> Span {
    match frame {
        Frame::Seq(seq) => seq.span,
        Frame::Prefix(_, span) | Frame::Label { span, .. } | Frame::Comment(span) => *span,
    }
}

fn opener(open: Open) -> &'static str {
    match open {
        Open::List(b']') => "[",
        Open::List(_) => "(",
        Open::Vector => "#(",
        Open::Bytes => "#u8(",
    }
}

fn abbreviation(name: &str) -> &'static str {
    match name {
        "quote" => "'",
        "quasiquote" => "`",
        "unquote" => ",",
        _ => ",@",
    }
}

/// Reads every datum of a source file's text `src` (a byte-order mark and a `#!` first
/// line are skipped); `file` is the span file index (see [`Span::register_file`]).
pub fn read_all(src: &str, file: u32) -> Result<Vec<Syn>, ReadError> {
    read_all_at(src, file, 1)
}

/// Like [`read_all`] for a piece of `file` that starts on line `first_line`, so that
/// positions count from there.
pub fn read_all_at(src: &str, file: u32, first_line: u32) -> Result<Vec<Syn>, ReadError> {
    let mut reader = Reader::script(src, file, first_line);
    let mut out = Vec::new();
    while let Some(d) = reader.read()? {
        out.push(d);
    }
    Ok(out)
}

impl ReadError {
    /// The error with its position counted from the start of a text of which the reader
    /// saw only the part after `before` (a port read from the middle).
    pub fn after(mut self, before: &str) -> ReadError {
        let lines = before.matches('\n').count() as u32;
        let last_line = before.rsplit('\n').next().unwrap_or("");
        if self.span.line == 1 {
            self.span.col += last_line.chars().count() as u32;
        }
        self.span.line += lines;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read1(s: &str) -> String {
        let v = read_all(s, 0).unwrap_or_else(|e| panic!("{s}: {e}"));
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn error(s: &str) -> ReadError {
        match read_all(s, 0) {
            Ok(v) => panic!("{s} read as {v:?}"),
            Err(e) => e,
        }
    }

    /// The error's `line:col` and message.
    fn error_at(s: &str) -> (u32, u32, String) {
        let e = error(s);
        (e.span.line, e.span.col, e.message)
    }

    fn sym_name(x: &Syn) -> String {
        x.as_sym().map(|s| s.name().to_string()).unwrap_or_default()
    }

    #[test]
    fn atoms() {
        assert_eq!(
            read1("(#true #false #t #f #T #FALSE)"),
            "(#t #f #t #f #t #f)"
        );
        assert_eq!(
            read1("(1 -2 +3 1.5 .5 -.25 1. 1e3 1s2 1f2 1d2 1l2 #x10 #b-101 #o17 #e1.0 #i3)"),
            "(1 -2 3 1.5 0.5 -0.25 1.0 1000.0 100.0 100.0 100.0 100.0 16 -5 15 1 3.0)"
        );
        assert_eq!(
            read1("(+inf.0 -inf.0 +NaN.0 +INF.0)"),
            "(+inf.0 -inf.0 +nan.0 +inf.0)"
        );
        assert_eq!(
            read1("123456789012345678901234567890"),
            "123456789012345678901234567890"
        );
        assert_eq!(
            read1("(1+ -1+ 1- - + ... ->x a.b λ é)"),
            "(1+ -1+ 1- - + ... ->x a.b λ é)"
        );
        assert!(matches!(read_all("1+", 0).unwrap()[0].e, Sexp::Sym(_)));
        assert_eq!(read1("#u8(1 #xff 0)"), "#u8(1 255 0)");
        assert_eq!(read1("#U8()"), "#u8()");
        assert_eq!(read1("#(1 #(2) \"s\")"), "#(1 #(2) \"s\")");
        assert_eq!(read1("[a (b) [c]]"), "(a (b) (c))");
    }

    #[test]
    fn a_reader_resumes_where_another_stopped() {
        let src = "#!/usr/bin/env sigil\n(a) #!fold-case (B\n  C) ;c\n  D";
        let mut first = Reader::script(src, 0, 1);
        assert_eq!(first.read().unwrap().unwrap().to_string(), "(a)");
        let mut data = Vec::new();
        let mut at = first.position();
        loop {
            let mut next = Reader::resume(src, 0, at);
            let Some(d) = next.read().unwrap() else { break };
            data.push((d.to_string(), d.span.line, d.span.col));
            at = next.position();
        }
        // Positions and the `#!fold-case` setting carry over.
        assert_eq!(
            data,
            [("(b c)".to_string(), 2, 17), ("d".to_string(), 4, 3)]
        );
    }

    #[test]
    fn unicode_whitespace_separates_tokens() {
        for space in [
            '\u{a0}', '\u{1680}', '\u{2003}', '\u{202f}', '\u{3000}', '\u{2028}',
        ] {
            let src = format!("(a{space}1{space}\"s\"{space}#\\b{space}|c|){space}x");
            assert_eq!(
                read1(&src),
                "(a 1 \"s\" #\\b c) x",
                "U+{:04X}",
                space as u32
            );
        }
        // Not whitespace: a zero-width space and a letter stay in the symbol.
        assert_eq!(read_all("a\u{200b}b", 0).unwrap().len(), 1);
        assert_eq!(read1("#\\\u{3000}"), "#\\\u{3000}");
        // Columns count characters.
        let e = error("\u{3000}\u{a0})");
        assert_eq!((e.span.line, e.span.col), (1, 3));
    }

    #[test]
    fn characters() {
        assert_eq!(
            read1("(#\\a #\\A #\\space #\\x41 #\\x #\\( #\\) #\\; #\\\" #\\| #\\λ)"),
            "(#\\a #\\A #\\  #\\A #\\x #\\( #\\) #\\; #\\\" #\\| #\\λ)"
        );
        assert_eq!(
            read1(
                "(#\\alarm #\\backspace #\\delete #\\escape #\\newline #\\null #\\return #\\tab)"
            ),
            "(#\\\u{7} #\\\u{8} #\\\u{7f} #\\\u{1b} #\\\n #\\\0 #\\\r #\\\t)"
        );
        assert_eq!(read1("#\\ "), "#\\ ");
        let (line, col, msg) = error_at("\n  #\\bogus");
        assert_eq!((line, col), (2, 3));
        assert!(msg.contains("`#\\bogus`"), "{msg}");
        assert!(error("#\\xD800").message.contains("#\\xD800"));
        assert!(error("#\\").incomplete);
    }

    #[test]
    fn strings_with_every_escape() {
        let v = read_all(r#""a\nb\tc\rd\ae\bf\\g\"h\|i\x41;\x3bb;j""#, 0).unwrap();
        let Sexp::Str(s) = &v[0].e else { panic!() };
        assert_eq!(&**s, "a\nb\tc\rd\x07e\x08f\\g\"h|iA\u{3bb}j");
        let v = read_all("\"one \\   \n    two\" x", 0).unwrap();
        assert_eq!(v[0].to_string(), "\"one two\"");
        assert_eq!((v[1].span.line, v[1].span.col), (2, 10));
        let v = read_all("\"a\r\nb\rc\"", 0).unwrap();
        assert_eq!(v[0].to_string(), "\"a\\nb\\nc\"");
        let (line, col, msg) = error_at("(x \"ab\\qc\")");
        assert_eq!((line, col), (1, 7));
        assert!(msg.contains("`\\q`"), "{msg}");
        assert!(error("\"\\x41\"").message.contains("\\x41"));
        assert!(error("\"\\  x\"").message.contains("line ending"));
    }

    #[test]
    fn bar_symbols() {
        let v = read_all(
            r"(|hello world| || |a\|b| |\x41;\n| |.| |+i| |1x| |ABC|)",
            0,
        )
        .unwrap();
        let names: Vec<String> = v[0].as_list().unwrap().iter().map(sym_name).collect();
        assert_eq!(
            names,
            ["hello world", "", "a|b", "A\n", ".", "+i", "1x", "ABC"]
        );
        // `|` delimits: `a|b c|` is `a` then `|b c|`
        assert_eq!(read_all("a|b c|", 0).unwrap().len(), 2);
        let e = error("(x |abc");
        assert!(e.incomplete && e.message.contains("unterminated `|symbol|`"));
        assert_eq!((e.span.line, e.span.col), (1, 4));
    }

    #[test]
    fn quote_abbreviations_and_dotted_pairs() {
        assert_eq!(
            read1("'a `(b ,c ,@d) '(1 . 2) '(1 . (2 3)) '(1 . ()) (a b . c)"),
            "(quote a) (quasiquote (b (unquote c) (unquote-splicing d))) \
             (quote (1 . 2)) (quote (1 2 3)) (quote (1)) (a b . c)"
        );
        assert_eq!(read1("'  ; comment\n  x"), "(quote x)");
    }

    #[test]
    fn comments_and_directives() {
        assert_eq!(read1("(a #| x #| nested |# y |# b)"), "(a b)");
        assert_eq!(read1("(a #;(b (c \")\")) d)"), "(a d)");
        assert_eq!(read1("(a #; #;b c d)"), "(a d)");
        assert_eq!(read1("#;'x y"), "y");
        assert_eq!(read1("(a #;b)"), "(a)");
        assert_eq!(read1("; only\n(x) ; after"), "(x)");
        assert_eq!(
            read1("(Abc #!fold-case Abc #\\SPACE |Q| #!no-fold-case Abc)"),
            "(Abc abc #\\  Q Abc)"
        );
        assert!(error("(a #!bogus)").message.contains("`#!bogus`"));
        assert!(error("#| never").incomplete);
        let e = error("(a #;)");
        assert!(
            e.message.contains("`#;`") && e.message.contains("1:4"),
            "{}",
            e.message
        );
    }

    #[test]
    fn script_header() {
        assert_eq!(read1("#!/usr/bin/env sigil\n(x)"), "(x)");
        assert_eq!(read1("\u{feff}(x)"), "(x)");
        assert_eq!(read1("\u{feff}#!/usr/bin/env sigil\n(x)"), "(x)");
        let v = read_all("\u{feff}(x)", 0).unwrap();
        assert_eq!((v[0].span.line, v[0].span.col), (1, 1));
        // at the start, `#!fold-case` is a directive, not a `#!` line
        assert_eq!(read1("#!fold-case ABC"), "abc");
    }

    #[test]
    fn positions() {
        let v = read_all("\n  (foo\n   bar) λλ baz", 3).unwrap();
        assert_eq!((v[0].span.file, v[0].span.line, v[0].span.col), (3, 2, 3));
        let items = v[0].as_list().unwrap();
        assert_eq!((items[1].span.line, items[1].span.col), (3, 4));
        // columns count characters, not bytes
        assert_eq!((v[2].span.line, v[2].span.col), (3, 12));
        let v = read_all_at("x\ny", 0, 10).unwrap();
        assert_eq!((v[1].span.line, v[1].span.col), (11, 1));
    }

    #[test]
    fn unbalanced_parentheses_say_where() {
        let e = error("(define (f x)\n  (if x\n      1 2)");
        assert!(e.incomplete);
        assert_eq!((e.span.line, e.span.col), (1, 1));
        assert!(e.message.contains("unbalanced `(`"), "{}", e.message);
        let e = error("(a #(b");
        assert_eq!((e.span.col, e.incomplete), (4, true));
        assert!(e.message.contains("`#(`"));
        for src in [")", "(foo))", "  ]"] {
            let e = error(src);
            assert!(
                e.message.contains("unexpected `") && !e.incomplete,
                "{src}: {e}"
            );
        }
        assert_eq!(error_at("(foo))").1, 6);
        let (_, col, msg) = error_at("(a ']");
        assert_eq!(col, 5);
        assert!(msg.contains("`'` at 1:4"), "{msg}");
        assert!(error("(a]").message.contains("closed by `)`"));
        assert!(error("'").incomplete);
        assert!(error("#0=").incomplete);
    }

    #[test]
    fn malformed_tokens_are_named() {
        for (src, shown) in [
            ("#e1e1000000", "`#e1e1000000`"),
            ("(x #e1e-1000000)", "`#e1e-1000000`"),
            ("#x1g", "`#x1g`"),
            ("#foo", "`#foo`"),
            ("#", "`#`"),
            ("#u8(1 256)", "`256`"),
            ("#u8(a)", "`a`"),
            ("#1x", "`#1x`"),
        ] {
            let e = error(src);
            assert!(e.message.contains(shown), "{src}: {}", e.message);
            assert!(!e.message.contains("expected"), "{src}: {}", e.message);
        }
        assert!(error("#e1e1000000").message.contains("is too large"));
        assert_eq!(
            read1("(1/3 -7/14 #e1.5 +i 1.5-2.5i 1@0)"),
            "(1/3 -1/2 3/2 +i 1.5-2.5i 1)"
        );
        for src in ["(. a)", "(a . b c)", "(a .)", "#(a . b)", "."] {
            let e = error(src);
            assert!(e.message.contains('.') && !e.incomplete, "{src}: {e}");
        }
    }

    #[test]
    fn datum_labels() {
        // a later reference shares the datum's syntax
        let v = read_all("(#0=(a b) #0# #1=x #1#)", 0).unwrap();
        let items = v[0].as_list().unwrap();
        let (Sexp::List(a, _), Sexp::List(b, _)) = (&items[0].e, &items[1].e) else {
            panic!("{}", v[0]);
        };
        assert!(Rc::ptr_eq(a, b));
        assert_eq!(v[0].to_string(), "((a b) (a b) x x)");
        // a reference inside the datum makes a cycle
        let v = read_all("#0=(1 . #0#)", 0).unwrap();
        let Sexp::Labelled(id, d) = &v[0].e else {
            panic!("{}", v[0])
        };
        let Sexp::List(_, Some(tail)) = &d.e else {
            panic!()
        };
        assert!(matches!(tail.e, Sexp::LabelRef(r) if r == *id));
        assert!(error("#0#").message.contains("undefined datum label `#0#`"));
        assert!(error("#0=#0#").message.contains("`#0=`"));
        // labels are local to one datum
        assert!(read_all("#0=a #0#", 0).is_err());
        // a label defined again inside its own datum: both data are cycles (the last
        // `#5#` shares the inner one, which prints with its label again)
        let printed = read1("#5=(#5# #5=(#5# a) #5#)");
        assert_eq!(printed.matches('=').count(), 3, "{printed}");
    }

    #[test]
    fn reader_reads_one_datum_at_a_time() {
        let mut r = Reader::new("  (a b) c ; end", 0, 1);
        assert_eq!(r.read().unwrap().unwrap().to_string(), "(a b)");
        assert_eq!(r.offset(), 7);
        assert_eq!(r.read().unwrap().unwrap().to_string(), "c");
        assert!(r.read().unwrap().is_none());
        // a token ends at a delimiter, not later
        let mut r = Reader::new("-1.5 .5", 0, 1);
        r.read().unwrap();
        assert_eq!(r.offset(), 4);
    }

    #[test]
    fn error_positions_from_the_middle_of_a_text() {
        let text = "ab\ncd (x";
        let e = Reader::new(&text[6..], 0, 1)
            .read()
            .unwrap_err()
            .after(&text[..6]);
        assert_eq!((e.span.line, e.span.col), (2, 4));
    }

    /// Nesting is bounded by memory, not the stack: this test thread has 2 MiB of stack.
    #[test]
    fn deep_nesting_reads_prints_and_drops() {
        const DEPTH: usize = 100_000;
        for (open, close) in [
            ("(", ")"),
            ("#(", ")"),
            ("'", ""),
            ("[", "]"),
            ("#0=(", ")"),
        ] {
            let src = format!("{}x{}", open.repeat(DEPTH), close.repeat(DEPTH));
            let v = read_all(&src, 0).unwrap_or_else(|e| panic!("{open}: {e}"));
            let printed = v[0].to_string();
            assert!(printed.len() > DEPTH, "{open}");
        }
        let e = error(&"(".repeat(DEPTH));
        assert_eq!((e.span.col, e.incomplete), (DEPTH as u32, true));
        let src = format!("{}(){}", "(a . ".repeat(1000), ")".repeat(1000));
        assert_eq!(read_all(&src, 0).unwrap()[0].as_list().unwrap().len(), 1000);
    }
}
