//! Source syntax: the s-expression tree the reader produces and the compiler consumes,
//! with a source position on every node.

use crate::read::number_format::{format_float, format_number};
use crate::read::number_syntax::Number;
use crate::read::symbol::Symbol;
use num_bigint::BigInt;
use std::fmt;
use std::rc::Rc;

/// A source position: file, 1-based line and 1-based column. `file == 0` means unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// Index into the interpreter's file-name table ([`SourceFiles`](crate::read::source_files::SourceFiles)); 0 is "no file".
    pub file: u32,
    /// 1-based line, 0 when unknown.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

impl Span {
    /// Whether the span carries a real position.
    pub fn is_known(&self) -> bool {
        self.line != 0
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
    /// An exact rational that is not an integer, or a complex number (the reader gives the
    /// other numbers their own variants).
    Number(Rc<Number>),
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
    /// A datum labelled `#n=` that contains a reference to itself (a cycle); the number
    /// is unique within one read, not the `n` written.
    Labelled(u32, Rc<Syn>),
    /// A reference `#n#` inside the datum labelled `n`, pointing back to the enclosing
    /// [`Sexp::Labelled`] with the same number. (References after the labelled datum
    /// ends share its syntax instead.)
    LabelRef(u32),
}

impl Sexp {
    /// Whether this node holds other nodes.
    fn has_children(&self) -> bool {
        matches!(self, Sexp::List(..) | Sexp::Vector(_) | Sexp::Labelled(..))
    }

    /// Moves the nested nodes this node alone owns into `out`, leaving `()` behind.
    fn take_children(&mut self, out: &mut Vec<Sexp>) {
        let mut take = |s: &mut Syn| {
            if s.e.has_children() {
                out.push(std::mem::replace(&mut s.e, Sexp::Nil));
            }
        };
        match self {
            Sexp::List(items, tail) => {
                if let Some(items) = Rc::get_mut(items) {
                    items.iter_mut().for_each(&mut take);
                }
                if let Some(t) = tail.as_mut().and_then(Rc::get_mut) {
                    take(t);
                }
            }
            Sexp::Vector(items) => {
                if let Some(items) = Rc::get_mut(items) {
                    items.iter_mut().for_each(take);
                }
            }
            Sexp::Labelled(_, d) => {
                if let Some(d) = Rc::get_mut(d) {
                    take(d);
                }
            }
            _ => {}
        }
    }
}

/// Dropping a deeply nested tree takes apart one level at a time, so it cannot overflow
/// the Rust stack.
impl Drop for Sexp {
    fn drop(&mut self) {
        if !self.has_children() {
            return;
        }
        let mut pending = Vec::new();
        self.take_children(&mut pending);
        while let Some(mut e) = pending.pop() {
            e.take_children(&mut pending);
        }
    }
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

/// Prints the tree (iteratively: it may be nested deeper than the Rust stack allows).
impl fmt::Display for Syn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        enum Piece<'a> {
            Node(&'a Syn),
            Text(&'static str),
        }
        fn open_seq<'a>(todo: &mut Vec<Piece<'a>>, items: &'a [Syn], tail: Option<&'a Syn>) {
            todo.push(Piece::Text(")"));
            if let Some(t) = tail {
                todo.push(Piece::Node(t));
                todo.push(Piece::Text(" . "));
            }
            for (i, x) in items.iter().enumerate().rev() {
                todo.push(Piece::Node(x));
                if i > 0 {
                    todo.push(Piece::Text(" "));
                }
            }
        }
        let mut todo = vec![Piece::Node(self)];
        while let Some(piece) = todo.pop() {
            let node = match piece {
                Piece::Text(t) => {
                    f.write_str(t)?;
                    continue;
                }
                Piece::Node(node) => node,
            };
            match &node.e {
                Sexp::Nil => write!(f, "()")?,
                Sexp::Bool(b) => write!(f, "{}", if *b { "#t" } else { "#f" })?,
                Sexp::Int(i) => write!(f, "{i}")?,
                Sexp::Big(b) => write!(f, "{b}")?,
                Sexp::Float(x) => f.write_str(&format_float(*x))?,
                Sexp::Number(n) => f.write_str(&format_number(n, 10))?,
                Sexp::Char(c) => write!(f, "#\\{c}")?,
                Sexp::Str(s) => write!(f, "{s:?}")?,
                Sexp::Sym(s) => write!(f, "{s}")?,
                Sexp::Bytes(b) => {
                    write!(f, "#u8(")?;
                    for (i, x) in b.iter().enumerate() {
                        write!(f, "{}{x}", if i > 0 { " " } else { "" })?;
                    }
                    write!(f, ")")?
                }
                Sexp::Vector(items) => {
                    write!(f, "#(")?;
                    open_seq(&mut todo, items, None);
                }
                Sexp::List(items, tail) => {
                    write!(f, "(")?;
                    open_seq(&mut todo, items, tail.as_deref());
                }
                Sexp::Labelled(n, d) => {
                    write!(f, "#{n}=")?;
                    todo.push(Piece::Node(d));
                }
                Sexp::LabelRef(n) => write!(f, "#{n}#")?,
            }
        }
        Ok(())
    }
}
