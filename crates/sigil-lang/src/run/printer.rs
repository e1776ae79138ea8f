//! Printing values: `display` (human-readable) and `write` (readable back).

use crate::run::heap::Heap;
use crate::run::numeric::format_float;
use crate::run::value::{ObjRef, Object, Port, Value};
use std::collections::HashSet;
use std::fmt::Write;

/// Renders a value as `display` would.
pub fn display(heap: &Heap, v: Value) -> String {
    let mut s = String::new();
    print(heap, v, false, &mut s);
    s
}

/// Renders a value as `write` would.
pub fn write(heap: &Heap, v: Value) -> String {
    let mut s = String::new();
    print(heap, v, true, &mut s);
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
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn symbol_needs_bars(name: &str) -> bool {
    name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || "()\"';`|".contains(c))
        || name.parse::<f64>().is_ok()
}

/// Pieces of output still to produce, innermost last.
enum Task {
    Value(Value),
    Text(&'static str),
    /// The rest of a list after an element was printed.
    ListTail(Value),
    /// Leave a container (for cycle detection).
    Close(ObjRef),
}

/// Appends the printed form of `v` to `out`. Iterative, so deeply nested data cannot
/// overflow the Rust stack; a structure that contains itself prints the repeated part as
/// `...` instead of looping.
pub fn print(heap: &Heap, v: Value, write_mode: bool, out: &mut String) {
    let mut tasks = vec![Task::Value(v)];
    let mut open: HashSet<ObjRef> = HashSet::new();
    let mut steps = 0usize;
    while let Some(task) = tasks.pop() {
        steps += 1;
        // Cycles are only possible through mutation; don't pay for tracking on small data.
        let track = steps > 10_000;
        match task {
            Task::Text(t) => out.push_str(t),
            Task::Close(r) => {
                open.remove(&r);
            }
            Task::ListTail(rest) => match (rest, heap.pair(rest)) {
                (Value::Obj(r), Some((a, d))) => {
                    if track && !open.insert(r) {
                        out.push_str(" ...)");
                        continue;
                    }
                    out.push(' ');
                    tasks.push(Task::Close(r));
                    tasks.push(Task::ListTail(d));
                    tasks.push(Task::Value(a));
                }
                (Value::Null, _) => out.push(')'),
                (other, _) => {
                    out.push_str(" . ");
                    tasks.push(Task::Text(")"));
                    tasks.push(Task::Value(other));
                }
            },
            Task::Value(v) => {
                let Value::Obj(r) = v else {
                    print_atom(heap, v, write_mode, out);
                    continue;
                };
                if track && open.contains(&r) {
                    out.push_str("...");
                    continue;
                }
                match heap.get(r) {
                    Object::Pair(a, d) => {
                        if let Some(p) = quote_prefix(heap, *a, *d) {
                            out.push_str(p.0);
                            tasks.push(Task::Value(p.1));
                            continue;
                        }
                        out.push('(');
                        if track {
                            open.insert(r);
                        }
                        tasks.push(Task::Close(r));
                        tasks.push(Task::ListTail(*d));
                        tasks.push(Task::Value(*a));
                    }
                    Object::Vector(items) => {
                        out.push_str("#(");
                        if track {
                            open.insert(r);
                        }
                        tasks.push(Task::Close(r));
                        tasks.push(Task::Text(")"));
                        for (i, x) in items.iter().enumerate().rev() {
                            tasks.push(Task::Value(*x));
                            if i > 0 {
                                tasks.push(Task::Text(" "));
                            }
                        }
                    }
                    _ => print_atom(heap, v, write_mode, out),
                }
            }
        }
    }
}

/// `'x`, `` `x ``, `,x`, `,@x` for two-element lists headed by the quote symbols.
fn quote_prefix(heap: &Heap, head: Value, rest: Value) -> Option<(&'static str, Value)> {
    let Value::Sym(s) = head else { return None };
    let (x, Value::Null) = heap.pair(rest)? else {
        return None;
    };
    let prefix = match &*s.name() {
        "quote" => "'",
        "quasiquote" => "`",
        "unquote" => ",",
        "unquote-splicing" => ",@",
        _ => return None,
    };
    Some((prefix, x))
}

/// Prints anything that is not a pair or a vector.
fn print_atom(heap: &Heap, v: Value, write_mode: bool, out: &mut String) {
    match v {
        Value::Null => out.push_str("()"),
        Value::Unspecified => {}
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
                    None => {
                        let _ = write!(out, "#\\{c}");
                    }
                }
            } else {
                out.push(c)
            }
        }
        Value::Sym(s) => {
            let name = s.name();
            if write_mode && symbol_needs_bars(&name) {
                let _ = write!(out, "|{name}|");
            } else {
                out.push_str(&name)
            }
        }
        Value::Obj(r) => match heap.get(r) {
            Object::Free => out.push_str("#<freed>"),
            Object::Pair(..) | Object::Vector(_) => print(heap, v, write_mode, out),
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
            Object::Closure(c) => match c.proto.name {
                Some(n) => {
                    let _ = write!(out, "#<procedure {n}>");
                }
                None => out.push_str("#<procedure>"),
            },
            Object::Native(n) => {
                let _ = write!(out, "#<procedure {}>", n.name);
            }
            Object::Boxed(x) => print(heap, *x, write_mode, out),
            Object::Record(t, fields) => {
                let name = match heap.get(*t) {
                    Object::RecordType(rt) => rt.name.to_string(),
                    _ => "record".into(),
                };
                let name = name.trim_start_matches('<').trim_end_matches('>');
                let _ = write!(out, "#<{name}");
                for f in fields.iter() {
                    out.push(' ');
                    print(heap, *f, true, out);
                }
                out.push('>');
            }
            Object::RecordType(rt) => {
                let _ = write!(out, "#<record-type {}>", rt.name);
            }
            Object::RecordProc(_) => out.push_str("#<procedure record>"),
            Object::Table(t) => {
                let _ = write!(out, "#<hash-table {}>", t.len);
            }
            Object::Values(items) => {
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    print(heap, *x, write_mode, out);
                }
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
            Object::Condition(c) => {
                if write_mode {
                    out.push_str("#<condition ");
                }
                out.push_str(&c.message);
                for x in &c.irritants {
                    out.push(' ');
                    print(heap, *x, true, out);
                }
                if write_mode {
                    out.push('>');
                }
            }
            Object::Param(..) => out.push_str("#<parameter>"),
            Object::Opaque(o) => {
                let _ = write!(out, "#<{}>", o.type_name());
            }
        },
    }
}
