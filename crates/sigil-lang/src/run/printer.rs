//! Printing values: `display` (human-readable), `write` (readable back), `write-shared`
//! and `write-simple`.
//!
//! Printing is iterative (an explicit stack of pieces still to print), so deeply nested
//! data cannot overflow the Rust stack. Before printing a pair, vector or other object
//! with parts, one pass over the data finds what needs a datum label: for `display` and
//! `write`, each object a cycle comes back to (so printing terminates); for
//! `write-shared`, every object reached more than once. The label `#n=` goes before the
//! first occurrence and `#n#` stands for the later ones. `write-simple` never labels: it
//! prints `...` where a cycle comes back instead.

use crate::read::lexer::is_plain_identifier;
use crate::read::number_format::{format_float, write_complex, write_rational};
use crate::read::symbol::{FastMap, FastSet};
use crate::run::heap::Heap;
use crate::run::value::{ObjRef, Object, Port, Value};
use std::fmt::Write;

/// How [`print`] renders data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `display`: strings and characters as their text, symbols bare; cycles labelled.
    Display,
    /// `write`: readable back by `read`; cycles labelled.
    Write,
    /// `write-shared`: like `write`, with every shared object labelled.
    Shared,
    /// `write-simple`: like `write`, never labelled (a cycle prints as `...`).
    Simple,
}

/// Renders a value as `display` would.
pub fn display(heap: &Heap, v: Value) -> String {
    render(heap, v, Style::Display)
}

/// Renders a value as `write` would.
pub fn write(heap: &Heap, v: Value) -> String {
    render(heap, v, Style::Write)
}

/// Renders a value in the given style.
pub fn render(heap: &Heap, v: Value, style: Style) -> String {
    let mut s = String::new();
    print(heap, v, style, &mut s);
    s
}

fn char_name(c: char) -> Option<&'static str> {
    Some(match c {
        ' ' => "space",
        '\n' => "newline",
        '\t' => "tab",
        '\r' => "return",
        '\0' => "null",
        '\x07' => "alarm",
        '\x08' => "backspace",
        '\x7f' => "delete",
        '\x1b' => "escape",
        _ => return None,
    })
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // Every control character (C0, DEL, C1): none is visible as it is.
            c if c.is_control() => {
                let _ = write!(out, "\\x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Writes a symbol's name so that `read` gives back the same symbol: bare when it is a
/// plain identifier, else between bars with `|`, `\\` and control characters escaped.
/// A name that starts like an infinity or a NaN (`+nan.0abc`) is an identifier for
/// R7RS but a number or an error for other readers, so it gets bars too, as
/// chibi-scheme writes it.
fn write_symbol(name: &str, out: &mut String) {
    if is_plain_identifier(name) && !looks_like_special_float(name) {
        out.push_str(name);
        return;
    }
    out.push('|');
    for c in name.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('|');
}

/// Whether `name` starts with `+inf.0`, `-inf.0`, `+nan.0` or `-nan.0`, in any case.
fn looks_like_special_float(name: &str) -> bool {
    let head = name.get(..6).unwrap_or("").to_ascii_lowercase();
    matches!(head.as_str(), "+inf.0" | "-inf.0" | "+nan.0" | "-nan.0")
}

/// The values directly inside an object that can contain others (the data printing
/// walks into), or `None` for an object printed whole.
fn parts(obj: &Object) -> Option<Vec<Value>> {
    Some(match obj {
        Object::Pair(a, d) => vec![*a, *d],
        Object::Vector(items) | Object::Values(items) => items.to_vec(),
        Object::Record(_, fields) => fields.to_vec(),
        Object::Boxed(x) => vec![*x],
        Object::Condition(c) => c.irritants.clone(),
        _ => return None,
    })
}

/// Whether printing walks into `v`'s parts.
fn is_compound(heap: &Heap, v: Value) -> Option<ObjRef> {
    match v {
        Value::Obj(r)
            if matches!(
                heap.get(r),
                Object::Pair(..)
                    | Object::Vector(_)
                    | Object::Values(_)
                    | Object::Record(..)
                    | Object::Boxed(_)
                    | Object::Condition(_)
            ) =>
        {
            Some(r)
        }
        _ => None,
    }
}

/// The objects inside `root` that need a label: those a cycle comes back to, and with
/// `all_shared` every object reached more than once. A depth-first walk: every cycle
/// has an edge back to an object still being walked, which gets the label.
fn objects_to_label(heap: &Heap, root: Value, all_shared: bool) -> FastSet<ObjRef> {
    enum Step {
        Enter(Value),
        Leave(ObjRef),
    }
    // false: being walked (on the current path); true: walked
    let mut seen: FastMap<ObjRef, bool> = FastMap::default();
    let mut labelled = FastSet::default();
    let mut steps = vec![Step::Enter(root)];
    while let Some(step) = steps.pop() {
        let r = match step {
            Step::Leave(r) => {
                seen.insert(r, true);
                continue;
            }
            Step::Enter(v) => match is_compound(heap, v) {
                Some(r) => r,
                None => continue,
            },
        };
        match seen.get(&r) {
            Some(false) => {
                labelled.insert(r);
            }
            Some(true) => {
                if all_shared {
                    labelled.insert(r);
                }
            }
            None => {
                seen.insert(r, false);
                steps.push(Step::Leave(r));
                let inside = parts(heap.get(r)).unwrap_or_default();
                steps.extend(inside.into_iter().map(Step::Enter));
            }
        }
    }
    labelled
}

/// Pieces of output still to produce, innermost last.
enum Task {
    /// A value, readable (`write`) or not.
    Value(Value, bool),
    Text(&'static str),
    /// The rest of a list after an element was printed.
    ListTail(Value, bool),
}

/// Appends the printed form of `v` to `out`.
pub fn print(heap: &Heap, v: Value, style: Style, out: &mut String) {
    let readable = style != Style::Display;
    if is_compound(heap, v).is_none() {
        print_atom(heap, v, readable, out);
        return;
    }
    let mut printer = Printer {
        heap,
        simple: style == Style::Simple,
        labels: objects_to_label(heap, v, style == Style::Shared)
            .into_iter()
            .map(|r| (r, None))
            .collect(),
        next_label: 0,
        out,
    };
    printer.run(v, readable);
}

/// A print in progress.
struct Printer<'a> {
    heap: &'a Heap,
    /// `write-simple`: labelled objects print as `...` after their first occurrence.
    simple: bool,
    /// The objects to label, with the number each got when first printed.
    labels: FastMap<ObjRef, Option<u32>>,
    next_label: u32,
    out: &'a mut String,
}

impl Printer<'_> {
    fn run(&mut self, v: Value, readable: bool) {
        let heap = self.heap;
        let mut tasks = vec![Task::Value(v, readable)];
        while let Some(task) = tasks.pop() {
            let (v, readable) = match task {
                Task::Text(t) => {
                    self.out.push_str(t);
                    continue;
                }
                Task::ListTail(rest, readable) => {
                    match (rest, heap.pair(rest)) {
                        (Value::Null, _) => self.out.push(')'),
                        (Value::Obj(r), Some((a, d))) if !self.labels.contains_key(&r) => {
                            self.out.push(' ');
                            tasks.push(Task::ListTail(d, readable));
                            tasks.push(Task::Value(a, readable));
                        }
                        (other, _) => {
                            self.out.push_str(" . ");
                            tasks.push(Task::Text(")"));
                            tasks.push(Task::Value(other, readable));
                        }
                    }
                    continue;
                }
                Task::Value(v, readable) => (v, readable),
            };
            let Some(r) = is_compound(heap, v) else {
                print_atom(heap, v, readable, self.out);
                continue;
            };
            if !self.label(r) {
                continue;
            }
            match heap.get(r) {
                Object::Pair(a, d) => {
                    if let Some((prefix, x)) = self.quote_prefix(*a, *d) {
                        self.out.push_str(prefix);
                        tasks.push(Task::Value(x, readable));
                        continue;
                    }
                    self.out.push('(');
                    tasks.push(Task::ListTail(*d, readable));
                    tasks.push(Task::Value(*a, readable));
                }
                Object::Vector(items) => {
                    self.out.push_str("#(");
                    tasks.push(Task::Text(")"));
                    push_separated(&mut tasks, items, " ", readable);
                }
                Object::Values(items) => push_separated(&mut tasks, items, " ", readable),
                Object::Boxed(x) => tasks.push(Task::Value(*x, readable)),
                Object::Record(t, fields) => {
                    let name = match heap.get(*t) {
                        Object::RecordType(rt) => rt.name.to_string(),
                        _ => "record".into(),
                    };
                    let name = name.trim_start_matches('<').trim_end_matches('>');
                    let _ = write!(self.out, "#<{name}");
                    tasks.push(Task::Text(">"));
                    for f in fields.iter().rev() {
                        tasks.push(Task::Value(*f, true));
                        tasks.push(Task::Text(" "));
                    }
                }
                Object::Condition(c) => {
                    if readable {
                        self.out.push_str("#<condition ");
                        tasks.push(Task::Text(">"));
                    }
                    self.out.push_str(&c.message);
                    for x in c.irritants.iter().rev() {
                        tasks.push(Task::Value(*x, true));
                        tasks.push(Task::Text(" "));
                    }
                }
                _ => print_atom(heap, v, readable, self.out),
            }
        }
    }

    /// Before printing object `r`: writes its label if it has one. `false` when the object
    /// was printed before and the label (or `...`) stands for it.
    fn label(&mut self, r: ObjRef) -> bool {
        let Some(n) = self.labels.get_mut(&r) else {
            return true;
        };
        match *n {
            Some(_) if self.simple => {
                self.out.push_str("...");
                false
            }
            Some(n) => {
                let _ = write!(self.out, "#{n}#");
                false
            }
            None => {
                let fresh = self.next_label;
                *n = Some(fresh);
                self.next_label += 1;
                if !self.simple {
                    let _ = write!(self.out, "#{fresh}=");
                }
                true
            }
        }
    }

    /// `'x`, `` `x ``, `,x`, `,@x` for a two-element list headed by a quote symbol
    /// (unless its second pair carries a label).
    fn quote_prefix(&self, head: Value, rest: Value) -> Option<(&'static str, Value)> {
        let Value::Sym(s) = head else { return None };
        let Value::Obj(r) = rest else { return None };
        let (x, Value::Null) = self.heap.pair(rest)? else {
            return None;
        };
        if self.labels.contains_key(&r) {
            return None;
        }
        let prefix = match &*s.name() {
            "quote" => "'",
            "quasiquote" => "`",
            "unquote" => ",",
            "unquote-splicing" => ",@",
            _ => return None,
        };
        Some((prefix, x))
    }
}

/// Queues `items` to print in order, with `sep` between them.
fn push_separated(tasks: &mut Vec<Task>, items: &[Value], sep: &'static str, readable: bool) {
    for (i, x) in items.iter().enumerate().rev() {
        tasks.push(Task::Value(*x, readable));
        if i > 0 {
            tasks.push(Task::Text(sep));
        }
    }
}

/// Prints a value without parts to walk into (see [`is_compound`]).
fn print_atom(heap: &Heap, v: Value, write_mode: bool, out: &mut String) {
    match v {
        Value::Null => out.push_str("()"),
        Value::Unspecified => out.push_str("#<unspecified>"),
        Value::Undefined => out.push_str("#<undefined>"),
        Value::Eof => out.push_str("#<eof>"),
        Value::Bool(b) => out.push_str(if b { "#t" } else { "#f" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float(f)),
        Value::Char(c) => {
            if write_mode {
                match char_name(c) {
                    Some(n) => {
                        let _ = write!(out, "#\\{n}");
                    }
                    None if c.is_control() => {
                        let _ = write!(out, "#\\x{:x}", c as u32);
                    }
                    None => {
                        let _ = write!(out, "#\\{c}");
                    }
                }
            } else {
                out.push(c)
            }
        }
        Value::Sym(s) if write_mode => write_symbol(&s.name(), out),
        Value::Sym(s) => out.push_str(&s.name()),
        Value::Obj(r) => match heap.get(r) {
            Object::Free => out.push_str("#<freed>"),
            Object::Pair(..)
            | Object::Vector(_)
            | Object::Values(_)
            | Object::Record(..)
            | Object::Boxed(_)
            | Object::Condition(_) => {
                let style = if write_mode {
                    Style::Write
                } else {
                    Style::Display
                };
                print(heap, v, style, out)
            }
            Object::Str(s) => {
                if write_mode {
                    write_string(s, out)
                } else {
                    out.push_str(s)
                }
            }
            Object::Bytes(b) => {
                out.push_str("#u8(");
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    let _ = write!(out, "{x}");
                }
                out.push(')');
            }
            Object::Big(b) => {
                let _ = write!(out, "{b}");
            }
            Object::Ratio(r) => write_rational(r, 10, out),
            Object::Complex(z) => write_complex(z, 10, out),
            Object::Closure(c) => match c.proto.name {
                Some(n) => {
                    let _ = write!(out, "#<procedure {n}>");
                }
                None => out.push_str("#<procedure>"),
            },
            Object::Native(n) => {
                let _ = write!(out, "#<procedure {}>", n.name);
            }
            Object::RecordType(rt) => {
                let _ = write!(out, "#<record-type {}>", rt.name);
            }
            Object::RecordProc(_) => out.push_str("#<procedure record>"),
            Object::Table(t) => {
                let _ = write!(out, "#<hash-table {}>", t.len);
            }
            Object::Cont(_) => out.push_str("#<continuation>"),
            Object::Port(p) => out.push_str(match p {
                Port::Input { .. } => "#<input-port string>",
                Port::Output(_) => "#<output-port string>",
                Port::Stdout => "#<output-port stdout>",
                Port::Stderr => "#<output-port stderr>",
                Port::Stdin => "#<input-port stdin>",
                Port::FileOut(_) => "#<output-port file>",
                Port::BytesIn { .. } => "#<input-port binary>",
                Port::BytesOut(_) => "#<output-port bytevector>",
                Port::BinaryFileOut(_) => "#<output-port binary file>",
                Port::Closed { .. } => "#<port closed>",
            }),
            Object::Param(..) => out.push_str("#<parameter>"),
            Object::Opaque(o) => {
                let _ = write!(out, "#<{}>", o.type_name());
            }
        },
    }
}
