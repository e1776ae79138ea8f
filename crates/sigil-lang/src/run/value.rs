//! Run-time values. `Value` is a small `Copy` type; everything with identity or size lives in
//! the [`Heap`](crate::run::heap::Heap) and is referred to by an [`ObjRef`].

use crate::read::number_syntax::{Complex, Rational};
use crate::read::symbol::Symbol;
use crate::read::syntax::Span;
use crate::run::code::Proto;
use num_bigint::BigInt;
use std::any::Any;
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;

pub use crate::run::native::{Ctl, Native, Resume, Wait};

/// A reference to a heap object. Valid while the object is reachable from a GC root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ObjRef(pub(crate) u32);

/// A Scheme value.
///
/// `repr(C, u64)` makes the tag a whole word and puts every payload at offset 8, so a value
/// copies as two aligned words. (The default layout packs small payloads at offset 1, and
/// a one-byte tag leaves seven padding bytes that the compiler copies as a separate,
/// overlapping piece; both stall store forwarding on the VM's hot path.)
#[derive(Clone, Copy, Debug)]
#[repr(C, u64)]
pub enum Value {
    /// The empty list.
    Null,
    /// The value of expressions with no useful value (prints as nothing at the REPL).
    Unspecified,
    /// Marks a variable that has no value yet.
    Undefined,
    /// The end-of-file object.
    Eof,
    /// `#t` / `#f`.
    Bool(bool),
    /// A fixnum; arithmetic overflows into bignums.
    Int(i64),
    /// A flonum.
    Float(f64),
    /// A character.
    Char(char),
    /// A symbol.
    Sym(Symbol),
    /// A heap object.
    Obj(ObjRef),
}

impl Value {
    /// Scheme truth: everything but `#f` is true.
    #[inline]
    pub fn is_true(self) -> bool {
        !matches!(self, Value::Bool(false))
    }

    /// The symbol value named `s`.
    pub fn sym(s: &str) -> Value {
        Value::Sym(Symbol::intern(s))
    }

    /// Identity comparison (`eq?`). Not `PartialEq`: Scheme has several equalities and
    /// this one is the cheapest, so call sites name it explicitly.
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn eq(self, other: Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null)
            | (Value::Unspecified, Value::Unspecified)
            | (Value::Undefined, Value::Undefined)
            | (Value::Eof, Value::Eof) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a.to_bits() == b.to_bits(),
            (Value::Char(a), Value::Char(b)) => a == b,
            (Value::Sym(a), Value::Sym(b)) => a == b,
            (Value::Obj(a), Value::Obj(b)) => a == b,
            _ => false,
        }
    }
}

/// A string's text, and whether it is all ASCII (found on first need and kept while the
/// text does not change), so that indexing an ASCII string by characters takes constant
/// time.
pub struct Str {
    text: String,
    ascii: Cell<Ascii>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ascii {
    Unknown,
    Yes,
    No,
}

impl Str {
    /// A string object holding `text`.
    pub fn new(text: String) -> Str {
        Str {
            text,
            ascii: Cell::new(Ascii::Unknown),
        }
    }

    /// The text.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The text, to change it.
    pub fn text_mut(&mut self) -> &mut String {
        self.ascii.set(Ascii::Unknown);
        &mut self.text
    }

    /// Bytes allocated for the text.
    pub(crate) fn capacity(&self) -> usize {
        self.text.capacity()
    }

    /// Whether every character is ASCII (one byte each).
    #[inline]
    pub fn is_ascii(&self) -> bool {
        match self.ascii.get() {
            Ascii::Yes => true,
            Ascii::No => false,
            Ascii::Unknown => {
                let yes = self.text.is_ascii();
                self.ascii.set(if yes { Ascii::Yes } else { Ascii::No });
                yes
            }
        }
    }

    /// Number of characters.
    #[inline]
    pub fn char_len(&self) -> usize {
        if self.is_ascii() {
            self.text.len()
        } else {
            self.text.chars().count()
        }
    }

    /// Character `k`, if there is one.
    #[inline]
    pub fn char_at(&self, k: usize) -> Option<char> {
        if self.is_ascii() {
            self.text.as_bytes().get(k).map(|&b| char::from(b))
        } else {
            self.text.chars().nth(k)
        }
    }

    /// Replaces character `k` by `c`; `false` (and no change) if there is no character `k`.
    pub fn set_char(&mut self, k: usize, c: char) -> bool {
        if self.is_ascii() && c.is_ascii() {
            let Some(b) = self.text.get(k..=k) else {
                return false;
            };
            let mut buf = [0u8; 4];
            let new = c.encode_utf8(&mut buf);
            // Both the old and the new character are one byte.
            debug_assert_eq!(b.len(), new.len());
            self.text.replace_range(k..=k, new);
            return true;
        }
        let Some((b, old)) = self.text.char_indices().nth(k) else {
            return false;
        };
        let mut buf = [0u8; 4];
        self.text_mut()
            .replace_range(b..b + old.len_utf8(), c.encode_utf8(&mut buf));
        true
    }
}

impl std::ops::Deref for Str {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PartialEq for Str {
    fn eq(&self, other: &Str) -> bool {
        self.text == other.text
    }
}

/// A compiled procedure with its captured variables. Only the compiler makes them: the VM
/// trusts a closure's captured values to match its code.
pub struct Closure {
    /// The code.
    pub(crate) proto: Rc<Proto>,
    /// Captured values (boxes for variables that are assigned).
    pub(crate) free: Box<[Value]>,
}

/// A procedure specialised to one record type (constructor, predicate, accessor, modifier).
#[derive(Clone, Copy, Debug)]
pub enum RecordProc {
    /// Builds a record from field values in the given field order.
    Constructor(ObjRef, u32),
    /// Tests membership.
    Predicate(ObjRef),
    /// Reads field `n`.
    Accessor(ObjRef, u32),
    /// Writes field `n`.
    Modifier(ObjRef, u32),
}

/// A record type made by `define-record-type`.
pub struct RecordType {
    /// The type's name.
    pub(crate) name: Symbol,
    /// Field names in storage order.
    pub(crate) fields: Vec<Symbol>,
    /// For a constructor: storage index of each constructor argument.
    pub(crate) ctor_fields: Vec<Vec<u32>>,
}

impl RecordType {
    /// The type's name (`<point>`).
    pub fn name(&self) -> Symbol {
        self.name
    }

    /// The field names, in storage order.
    pub fn field_names(&self) -> &[Symbol] {
        &self.fields
    }
}

/// A condition raised by `error` or by the system.
#[derive(Clone)]
pub struct Condition {
    /// Category symbol: `error`, `type-error`, `arity-error`, `unbound-variable`,
    /// `read-error`, `file-error`, `range-error`, ...
    pub kind: Symbol,
    /// The message.
    pub message: String,
    /// Extra values.
    pub irritants: Vec<Value>,
    /// Where it was raised, when known.
    pub span: Span,
}

/// Hash table flavours.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// Keys compared with `eq?`/`eqv?`.
    Eqv,
    /// Keys compared with `equal?`.
    Equal,
}

/// Hashes keys that are already well-mixed hashes (of Scheme keys) by passing them through.
#[derive(Default, Clone, Copy)]
pub struct PrehashedHasher(u64);

impl std::hash::Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Hash-table buckets by key hash.
pub type Buckets =
    HashMap<u64, Vec<(Value, Value)>, std::hash::BuildHasherDefault<PrehashedHasher>>;

/// A hash table: buckets keyed by a hash of the key's content.
pub struct Table {
    /// Comparison used for keys.
    pub(crate) kind: TableKind,
    /// Entries by hash.
    pub(crate) buckets: Buckets,
    /// Number of entries.
    pub(crate) len: usize,
}

impl Table {
    /// An empty table comparing keys as `kind` says.
    pub fn new(kind: TableKind) -> Table {
        Table {
            kind,
            buckets: Buckets::default(),
            len: 0,
        }
    }

    /// How the table compares keys.
    pub fn kind(&self) -> TableKind {
        self.kind
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no entries.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A port.
pub enum Port {
    /// Reads from a string; `fold_case` is set by `#!fold-case` read from it.
    Input {
        /// The text.
        text: String,
        /// Read position (a byte offset).
        pos: usize,
        /// Whether symbols and characters read from here fold case.
        fold_case: bool,
    },
    /// Accumulates output in a string.
    Output(String),
    /// The process's standard output (buffered by the VM).
    Stdout,
    /// The process's standard error.
    Stderr,
    /// The process's standard input.
    Stdin,
    /// Writes to a file.
    FileOut(std::io::BufWriter<std::fs::File>),
    /// Reads bytes from a bytevector (or a binary file read whole).
    BytesIn {
        /// The bytes.
        data: Vec<u8>,
        /// Read position.
        pos: usize,
    },
    /// Accumulates output in a bytevector.
    BytesOut(Vec<u8>),
    /// Writes bytes to a file.
    BinaryFileOut(std::io::BufWriter<std::fs::File>),
    /// A port that has been closed; `input` tells which direction it had.
    Closed {
        /// Whether the port was an input port.
        input: bool,
    },
}

/// A Rust value wrapped as a Scheme object (a WebSocket connection, say).
pub trait NativeObject: Any {
    /// Name shown when printed: `#<NAME>`.
    fn type_name(&self) -> &str;
    /// Reports Scheme values this object holds so the collector keeps them.
    fn trace(&self, _out: &mut Vec<Value>) {}
    /// Upcast for downcasting.
    fn as_any(&self) -> &dyn Any;
    /// Upcast for downcasting.
    fn as_any_mut(&mut self) -> &mut dyn Any;
    /// What a native parameter of this type accepts, with an article (`"a channel"`), for
    /// error messages.
    fn expected() -> &'static str
    where
        Self: Sized,
    {
        "a native object"
    }
}

/// A heap object.
pub enum Object {
    /// A free slot (on the free list).
    Free,
    /// A pair.
    Pair(Value, Value),
    /// A mutable string.
    Str(Str),
    /// A vector.
    Vector(Vec<Value>),
    /// A bytevector.
    Bytes(Vec<u8>),
    /// An integer beyond 64 bits.
    Big(BigInt),
    /// An exact rational that is not an integer.
    Ratio(Box<Rational>),
    /// A non-real complex number.
    Complex(Box<Complex>),
    /// A compiled procedure.
    Closure(Closure),
    /// A native procedure.
    Native(Rc<Native>),
    /// A mutable cell for an assigned, captured variable.
    Boxed(Value),
    /// A record instance.
    Record(ObjRef, Box<[Value]>),
    /// A record type (boxed, like the other large variants, to keep `Object` small).
    RecordType(Box<RecordType>),
    /// A record procedure.
    RecordProc(RecordProc),
    /// A hash table.
    Table(Box<Table>),
    /// Several values returned at once.
    Values(Vec<Value>),
    /// A captured continuation.
    Cont(Box<crate::run::fiber::Continuation>),
    /// A port.
    Port(Port),
    /// A condition.
    Condition(Box<Condition>),
    /// A parameter object: current value and converter.
    Param(Value, Value),
    /// A wrapped Rust value.
    Opaque(Box<dyn NativeObject>),
}

/// An error travelling out of a native procedure or the VM: a condition to raise, or a
/// value raised by `raise`.
///
/// Errors made with [`Error::new`], [`Error::expected`] and [`Error::range`] do not name a
/// procedure: the native procedure they leave puts its name in front of their message
/// (`vector-ref: index 5 out of range for length 3`). The other constructors make the
/// message exactly as given.
#[derive(Clone)]
pub struct Error(Box<Repr>);

#[derive(Clone)]
enum Repr {
    Condition {
        kind: Symbol,
        message: String,
        irritants: Vec<Value>,
        /// Whether the message still wants the name of the procedure it comes from.
        unnamed: bool,
    },
    Raise(Value),
}

impl Error {
    fn condition(kind: &str, message: String, irritants: Vec<Value>, unnamed: bool) -> Error {
        Error(Box::new(Repr::Condition {
            kind: Symbol::intern(kind),
            message,
            irritants,
            unnamed,
        }))
    }

    /// A general error (kind `error`) with exactly this message.
    pub fn msg(message: impl Into<String>) -> Error {
        Error::condition("error", message.into(), Vec::new(), false)
    }

    /// An error of the given kind with exactly this message, and irritants.
    pub fn with(kind: &str, message: impl Into<String>, irritants: Vec<Value>) -> Error {
        Error::condition(kind, message.into(), irritants, false)
    }

    /// "`who`: expected `what`, got VALUE" (kind `type-error`).
    pub fn wrong_type(who: &str, what: &str, got: Value) -> Error {
        Error::with(
            "type-error",
            format!("{who}: expected {what}, got"),
            vec![got],
        )
    }

    /// Raises `v` itself (as `raise` does), not a condition.
    pub fn raise(v: Value) -> Error {
        Error(Box::new(Repr::Raise(v)))
    }

    /// An error of the given kind raised by a native procedure, whose name goes in front
    /// of `message`.
    pub fn new(kind: &str, message: impl Into<String>) -> Error {
        Error::condition(kind, message.into(), Vec::new(), true)
    }

    /// "expected `what`, got VALUE" (kind `type-error`), raised by a native procedure,
    /// whose name goes in front.
    pub fn expected(what: &str, got: Value) -> Error {
        Error::condition(
            "type-error",
            format!("expected {what}, got"),
            vec![got],
            true,
        )
    }

    /// A `range-error` raised by a native procedure, whose name goes in front of
    /// `message`.
    pub fn range(message: impl Into<String>) -> Error {
        Error::new("range-error", message)
    }

    /// The request to end the program with status `code` that `exit` (`unwinds`: it runs
    /// the `dynamic-wind` after-thunks on its way) and `emergency-exit` raise: a condition
    /// of kind [`EXIT_KIND`] that no handler sees; it unwinds to the caller of the
    /// evaluator.
    pub fn exit(code: i32, unwinds: bool) -> Error {
        let irritants = vec![Value::Int(i64::from(code)), Value::Bool(unwinds)];
        Error::with(EXIT_KIND, "exit", irritants)
    }

    /// The same error with `irritants` added: values printed after the message.
    pub fn with_irritants(mut self, more: Vec<Value>) -> Error {
        if let Repr::Condition { irritants, .. } = &mut *self.0 {
            irritants.extend(more);
        }
        self
    }

    /// The error as raised by procedure `name`: its name goes in front of a message that
    /// names no procedure yet.
    pub fn in_procedure(mut self, name: &str) -> Error {
        if let Repr::Condition {
            message, unnamed, ..
        } = &mut *self.0
        {
            if *unnamed {
                *message = format!("{name}: {message}");
                *unnamed = false;
            }
        }
        self
    }

    /// The condition's kind (`type-error`, ...); `None` for a raised value.
    pub fn kind(&self) -> Option<Symbol> {
        match &*self.0 {
            Repr::Condition { kind, .. } => Some(*kind),
            Repr::Raise(_) => None,
        }
    }

    /// The condition's message; `None` for a raised value.
    pub fn message(&self) -> Option<&str> {
        match &*self.0 {
            Repr::Condition { message, .. } => Some(message),
            Repr::Raise(_) => None,
        }
    }

    /// The raised value, for an error made by [`Error::raise`].
    pub fn raised(&self) -> Option<Value> {
        match &*self.0 {
            Repr::Raise(v) => Some(*v),
            Repr::Condition { .. } => None,
        }
    }

    /// The condition to raise for this error (at `span`), or the raised value.
    pub(crate) fn into_condition(self) -> Result<Condition, Value> {
        match *self.0 {
            Repr::Raise(v) => Err(v),
            Repr::Condition {
                kind,
                message,
                irritants,
                ..
            } => Ok(Condition {
                kind,
                message,
                irritants,
                span: Span::default(),
            }),
        }
    }
}

/// The kind of the condition [`Error::exit`] makes.
pub const EXIT_KIND: &str = "%exit";

impl Condition {
    /// The exit status, when this is the condition of [`Error::exit`].
    pub fn exit_code(&self) -> Option<i32> {
        match (self.kind.is(EXIT_KIND), self.irritants.as_slice()) {
            (true, [Value::Int(code), _]) => i32::try_from(*code).ok(),
            _ => None,
        }
    }

    /// Whether this is the condition of [`Error::exit`] from `exit`, which runs the
    /// `dynamic-wind` after-thunks (not from `emergency-exit`).
    pub fn exit_unwinds(&self) -> bool {
        self.exit_code().is_some() && matches!(self.irritants[1], Value::Bool(true))
    }
}

/// Shorthand for native results.
pub type NResult<T = Value> = Result<T, Error>;
