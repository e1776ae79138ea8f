//! Syntax to data: the value of a quoted datum, or of what `read` read.
//!
//! Iterative, so data nested deeper than the Rust stack allows convert. Every pair and
//! vector is allocated before its elements are filled in, which is what lets a datum
//! labelled `#n=` contain itself: a [`Sexp::LabelRef`] becomes the object made for the
//! enclosing [`Sexp::Labelled`]. Syntax shared within the datum (a later `#n#` reference
//! shares the labelled datum's nodes) becomes one shared object, as `#n#` means.

use crate::heap::Heap;
use crate::symbol::FastMap;
use crate::syntax::{Sexp, Syn};
use crate::value::{ObjRef, Object, Value};
use std::rc::Rc;

/// Where a converted element goes.
#[derive(Clone, Copy)]
enum Slot {
    Car(ObjRef),
    Cdr(ObjRef),
    Element(ObjRef, usize),
}

/// The conversion in progress.
struct Converter<'s> {
    /// Elements still to convert, and where each goes.
    todo: Vec<(Slot, &'s Syn)>,
    /// The objects made for labelled data, by label number.
    labels: FastMap<u32, Value>,
    /// The objects made for shared syntax nodes, by the addresses of their parts.
    shared: FastMap<(usize, usize), Value>,
}

/// The datum `x` denotes, as heap data (aliases made by macros are stripped from symbols).
pub fn syntax_to_value(heap: &mut Heap, x: &Syn) -> Value {
    let mut conv = Converter {
        todo: Vec::new(),
        labels: FastMap::default(),
        shared: FastMap::default(),
    };
    let root = conv.value(heap, x);
    while let Some((slot, syn)) = conv.todo.pop() {
        let v = conv.value(heap, syn);
        match (slot, v) {
            (Slot::Car(r), v) => {
                if let Object::Pair(a, _) = heap.get_mut(r) {
                    *a = v;
                }
            }
            (Slot::Cdr(r), v) => {
                if let Object::Pair(_, d) = heap.get_mut(r) {
                    *d = v;
                }
            }
            (Slot::Element(r, i), v) => {
                if let Object::Vector(items) = heap.get_mut(r) {
                    items[i] = v;
                }
            }
        }
    }
    root
}

impl<'s> Converter<'s> {
    /// The value of `x`: atoms at once; a pair or vector is allocated now and its elements
    /// are queued.
    fn value(&mut self, heap: &mut Heap, x: &'s Syn) -> Value {
        match &x.e {
            Sexp::Nil => Value::Null,
            Sexp::Bool(b) => Value::Bool(*b),
            Sexp::Int(i) => Value::Int(*i),
            Sexp::Big(b) => heap.integer((**b).clone()),
            Sexp::Float(f) => Value::Float(*f),
            Sexp::Char(c) => Value::Char(*c),
            Sexp::Sym(s) => Value::Sym(s.strip()),
            Sexp::Str(s) => self.once((address(s), 0), Rc::strong_count(s), |_| heap.string(&**s)),
            Sexp::Bytes(b) => self.once((address(b), 0), Rc::strong_count(b), |_| {
                heap.bytes(b.to_vec())
            }),
            Sexp::Vector(items) => {
                self.once((address(items), 0), Rc::strong_count(items), |conv| {
                    let v = heap.vector(vec![Value::Unspecified; items.len()]);
                    if let Value::Obj(r) = v {
                        let slots = items.iter().enumerate();
                        conv.todo
                            .extend(slots.map(|(i, x)| (Slot::Element(r, i), x)));
                    }
                    v
                })
            }
            Sexp::List(items, tail) => {
                let key = (address(items), tail.as_ref().map_or(0, address));
                self.once(key, Rc::strong_count(items), |conv| {
                    let mut rest = Value::Null;
                    for (i, item) in items.iter().enumerate().rev() {
                        rest = heap.cons(Value::Unspecified, rest);
                        let Value::Obj(r) = rest else { continue };
                        conv.todo.push((Slot::Car(r), item));
                        if let (Some(t), true) = (tail, i == items.len() - 1) {
                            conv.todo.push((Slot::Cdr(r), t));
                        }
                    }
                    rest
                })
            }
            Sexp::Labelled(..) => {
                // `#0=#1=datum` nests labels: peel them all, then register the one object.
                let mut labels = Vec::new();
                let mut datum = x;
                while let Sexp::Labelled(n, inner) = &datum.e {
                    if let Some(&v) = self.labels.get(n) {
                        return v;
                    }
                    labels.push(*n);
                    datum = inner;
                }
                // Registered before the elements (queued) are converted.
                let v = self.value(heap, datum);
                for n in labels {
                    self.labels.insert(n, v);
                }
                v
            }
            Sexp::LabelRef(n) => self.labels.get(n).copied().unwrap_or(Value::Unspecified),
        }
    }

    /// `make`'s value, made once for a node whose syntax is shared (`count` > 1 owners).
    fn once(
        &mut self,
        key: (usize, usize),
        count: usize,
        make: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        if count == 1 {
            return make(self);
        }
        if let Some(&v) = self.shared.get(&key) {
            return v;
        }
        let v = make(self);
        self.shared.insert(key, v);
        v
    }
}

/// The address of shared syntax, as a key.
fn address<T: ?Sized>(rc: &Rc<T>) -> usize {
    Rc::as_ptr(rc) as *const u8 as usize
}
