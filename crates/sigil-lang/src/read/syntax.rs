//! Source syntax: the s-expression tree the reader produces and the compiler consumes,
//! with a source position on every node.

use crate::read::symbol::Symbol;
use num_bigint::BigInt;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

/// A source position: file, 1-based line and 1-based column. `file == 0` means unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// Index into the file-name table (see [`Span::file_name`]); 0 is "no file".
    pub file: u32,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

thread_local! {
    static FILES: RefCell<Vec<Rc<str>>> = RefCell::new(vec![Rc::from("")]);
}

impl Span {
    /// Registers a file name and returns its index for use in spans.
    pub fn register_file(name: &str) -> u32 {
        FILES.with(|f| {
            let mut f = f.borrow_mut();
            if let Some(i) = f.iter().position(|n| &**n == name) {
                return i as u32;
            }
            f.push(Rc::from(name));
            (f.len() - 1) as u32
        })
    }

    /// The name of the file this span points into.
    pub fn file_name(&self) -> Rc<str> {
        FILES.with(|f| f.borrow()[self.file as usize].clone())
    }

    /// Whether the span carries a real position.
    pub fn is_known(&self) -> bool {
        self.line != 0
    }
}

impl fmt::Display for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.file_name();
        let name = if name.is_empty() { "<input>" } else { &name };
        write!(f, "{}:{}:{}", name, self.line, self.col)
    }
}

/// An s-expression node with its position.
#[derive(Clone, Debug)]
pub struct Syn {
    /// The expression.
    pub e: Sexp,
    /// Where it starts in the source.
    pub span: Span,
}

/// The shapes of source data.
#[derive(Clone, Debug)]
pub enum Sexp {
    /// `()`.
    Nil,
    /// `#t` / `#f`.
    Bool(bool),
    /// A fixnum.
    Int(i64),
    /// An integer beyond 64 bits.
    Big(Rc<BigInt>),
    /// A flonum.
    Float(f64),
    /// A character.
    Char(char),
    /// A string literal.
    Str(Rc<str>),
    /// A symbol (possibly a macro-introduced alias).
    Sym(Symbol),
    /// A bytevector literal `#u8(...)`.
    Bytes(Rc<[u8]>),
    /// A vector literal `#(...)`.
    Vector(Rc<[Syn]>),
    /// A proper list of at least one element, or an improper one with a tail.
    List(Rc<[Syn]>, Option<Rc<Syn>>),
}

impl Syn {
    /// Wraps an expression with a span.
    pub fn new(e: Sexp, span: Span) -> Syn {
        Syn { e, span }
    }

    /// A symbol node.
    pub fn sym(s: Symbol, span: Span) -> Syn {
        Syn::new(Sexp::Sym(s), span)
    }

    /// A proper list node (or `()` when empty).
    pub fn list(items: Vec<Syn>, span: Span) -> Syn {
        if items.is_empty() {
            Syn::new(Sexp::Nil, span)
        } else {
            Syn::new(Sexp::List(items.into(), None), span)
        }
    }

    /// The symbol, if this node is one.
    pub fn as_sym(&self) -> Option<Symbol> {
        match self.e {
            Sexp::Sym(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this node is a proper list (`()` gives an empty slice).
    pub fn as_list(&self) -> Option<&[Syn]> {
        match &self.e {
            Sexp::Nil => Some(&[]),
            Sexp::List(items, None) => Some(items),
            _ => None,
        }
    }
}

impl fmt::Display for Syn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.e {
            Sexp::Nil => write!(f, "()"),
            Sexp::Bool(b) => write!(f, "{}", if *b { "#t" } else { "#f" }),
            Sexp::Int(i) => write!(f, "{i}"),
            Sexp::Big(b) => write!(f, "{b}"),
            Sexp::Float(x) => write!(f, "{x:?}"),
            Sexp::Char(c) => write!(f, "#\\{c}"),
            Sexp::Str(s) => write!(f, "{s:?}"),
            Sexp::Sym(s) => write!(f, "{s}"),
            Sexp::Bytes(b) => {
                write!(f, "#u8(")?;
                for (i, x) in b.iter().enumerate() {
                    write!(f, "{}{x}", if i > 0 { " " } else { "" })?;
                }
                write!(f, ")")
            }
            Sexp::Vector(items) => {
                write!(f, "#(")?;
                for (i, x) in items.iter().enumerate() {
                    write!(f, "{}{x}", if i > 0 { " " } else { "" })?;
                }
                write!(f, ")")
            }
            Sexp::List(items, tail) => {
                write!(f, "(")?;
                for (i, x) in items.iter().enumerate() {
                    write!(f, "{}{x}", if i > 0 { " " } else { "" })?;
                }
                if let Some(t) = tail {
                    write!(f, " . {t}")?;
                }
                write!(f, ")")
            }
        }
    }
}
