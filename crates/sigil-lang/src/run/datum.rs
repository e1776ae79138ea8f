//! Data and syntax: converting what the reader produced into run-time values (quoted
//! constants, `read`) and back (`eval`).

use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::heap::Heap;
use crate::run::value::*;
use std::rc::Rc;

/// Converts syntax to a run-time datum (aliases stripped).
pub fn syntax_to_value(heap: &mut Heap, x: &Syn) -> Value {
    match &x.e {
        Sexp::Nil => Value::Null,
        Sexp::Bool(b) => Value::Bool(*b),
        Sexp::Int(i) => Value::Int(*i),
        Sexp::Big(b) => heap.integer((**b).clone()),
        Sexp::Float(f) => Value::Float(*f),
        Sexp::Char(c) => Value::Char(*c),
        Sexp::Str(s) => heap.string(&**s),
        Sexp::Sym(s) => Value::Sym(s.strip()),
        Sexp::Bytes(b) => heap.bytes(b.to_vec()),
        Sexp::Vector(items) => {
            let v = items.iter().map(|i| syntax_to_value(heap, i)).collect();
            heap.vector(v)
        }
        Sexp::List(items, tail) => {
            let tail = match tail {
                Some(t) => syntax_to_value(heap, t),
                None => Value::Null,
            };
            let items: Vec<Value> = items.iter().map(|i| syntax_to_value(heap, i)).collect();
            heap.list_with_tail(&items, tail)
        }
    }
}

/// Converts a datum to syntax (for `eval`); `None` for values that are not data.
pub fn value_to_syntax(heap: &Heap, v: Value, span: Span) -> Option<Syn> {
    let e = match v {
        Value::Null => Sexp::Nil,
        Value::Bool(b) => Sexp::Bool(b),
        Value::Int(i) => Sexp::Int(i),
        Value::Float(f) => Sexp::Float(f),
        Value::Char(c) => Sexp::Char(c),
        Value::Sym(s) => Sexp::Sym(s),
        Value::Obj(_) => match heap.obj(v)? {
            Object::Str(s) => Sexp::Str(Rc::from(s.as_str())),
            Object::Big(b) => Sexp::Big(Rc::new(b.clone())),
            Object::Bytes(b) => Sexp::Bytes(Rc::from(b.as_slice())),
            Object::Vector(items) => Sexp::Vector(
                items
                    .iter()
                    .map(|i| value_to_syntax(heap, *i, span))
                    .collect::<Option<Vec<_>>>()?
                    .into(),
            ),
            Object::Pair(..) => {
                let mut items = Vec::new();
                let mut cur = v;
                while let Some((a, d)) = heap.pair(cur) {
                    items.push(value_to_syntax(heap, a, span)?);
                    cur = d;
                }
                let tail = match cur {
                    Value::Null => None,
                    t => Some(Rc::new(value_to_syntax(heap, t, span)?)),
                };
                Sexp::List(items.into(), tail)
            }
            _ => return None,
        },
        _ => return None,
    };
    Some(Syn::new(e, span))
}
