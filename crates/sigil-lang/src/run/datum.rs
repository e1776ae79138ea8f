//! Data and syntax: converting what the reader produced into run-time values (quoted
//! constants, `read`) and back (`eval`).

use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::value::*;
use crate::run::vm::Vm;
use std::rc::Rc;

impl Vm {
    /// Converts syntax to a run-time datum (aliases stripped).
    pub fn syntax_to_value(&mut self, x: &Syn) -> Value {
        match &x.e {
            Sexp::Nil => Value::Null,
            Sexp::Bool(b) => Value::Bool(*b),
            Sexp::Int(i) => Value::Int(*i),
            Sexp::Big(b) => self.heap.integer((**b).clone()),
            Sexp::Float(f) => Value::Float(*f),
            Sexp::Char(c) => Value::Char(*c),
            Sexp::Str(s) => self.heap.string(&**s),
            Sexp::Sym(s) => Value::Sym(s.strip()),
            Sexp::Bytes(b) => self.heap.bytes(b.to_vec()),
            Sexp::Vector(items) => {
                let v = items.iter().map(|i| self.syntax_to_value(i)).collect();
                self.heap.vector(v)
            }
            Sexp::List(items, tail) => {
                let tail = match tail {
                    Some(t) => self.syntax_to_value(t),
                    None => Value::Null,
                };
                let items: Vec<Value> = items.iter().map(|i| self.syntax_to_value(i)).collect();
                self.heap.list_with_tail(&items, tail)
            }
        }
    }

    /// Converts a datum to syntax (for `eval`); `None` for values that are not data.
    pub fn value_to_syntax(&self, v: Value, span: Span) -> Option<Syn> {
        let e = match v {
            Value::Null => Sexp::Nil,
            Value::Bool(b) => Sexp::Bool(b),
            Value::Int(i) => Sexp::Int(i),
            Value::Float(f) => Sexp::Float(f),
            Value::Char(c) => Sexp::Char(c),
            Value::Sym(s) => Sexp::Sym(s),
            Value::Obj(_) => match self.heap.obj(v)? {
                Object::Str(s) => Sexp::Str(Rc::from(s.as_str())),
                Object::Big(b) => Sexp::Big(Rc::new(b.clone())),
                Object::Bytes(b) => Sexp::Bytes(Rc::from(b.as_slice())),
                Object::Vector(items) => Sexp::Vector(
                    items
                        .iter()
                        .map(|i| self.value_to_syntax(*i, span))
                        .collect::<Option<Vec<_>>>()?
                        .into(),
                ),
                Object::Pair(..) => {
                    let mut items = Vec::new();
                    let mut cur = v;
                    while let Some((a, d)) = self.heap.pair(cur) {
                        items.push(self.value_to_syntax(a, span)?);
                        cur = d;
                    }
                    let tail = match cur {
                        Value::Null => None,
                        t => Some(Rc::new(self.value_to_syntax(t, span)?)),
                    };
                    Sexp::List(items.into(), tail)
                }
                _ => return None,
            },
            _ => return None,
        };
        Some(Syn::new(e, span))
    }
}
