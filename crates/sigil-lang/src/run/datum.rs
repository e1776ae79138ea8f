//! Syntax to data (the value of a quoted datum, or of what `read` read) and back (for
//! `eval`).
//!
//! Both are iterative, so data nested deeper than the Rust stack allows convert. Every pair and
//! vector is allocated before its elements are filled in, which is what lets a datum
//! labelled `#n=` contain itself: a [`Sexp::LabelRef`] becomes the object made for the
//! enclosing [`Sexp::Labelled`]. Syntax shared within the datum (a later `#n#` reference
//! shares the labelled datum's nodes) becomes one shared object, as `#n#` means.

use crate::read::symbol::{FastMap, FastSet};
use crate::read::syntax::{Sexp, Span, Syn};
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{ObjRef, Object, Value};
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
            Sexp::Number(n) => numeric::from_num(heap, (**n).clone()),
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

/// What is left to do in [`value_to_syntax`].
enum Step {
    /// Convert a value (pushing its syntax on the results).
    Visit(Value),
    /// Make a list of the last results: one per pair of the spine, then the tail if any.
    List(Vec<ObjRef>, bool),
    /// Make a vector of the last `n` results.
    Vector(ObjRef, usize),
}

/// The syntax for datum `v`, every node at `span` (for `eval`); `None` when `v` is not
/// a datum (a procedure, say) or is circular. Macro aliases in symbols are kept.
pub fn value_to_syntax(heap: &Heap, v: Value, span: Span) -> Option<Syn> {
    let mut steps = vec![Step::Visit(v)];
    let mut done: Vec<Syn> = Vec::new();
    // The pairs and vectors being converted: meeting one again means a cycle.
    let mut open: FastSet<ObjRef> = FastSet::default();
    while let Some(step) = steps.pop() {
        let e = match step {
            Step::Visit(v) => match atom_syntax(heap, v) {
                Some(e) => e,
                None => {
                    visit_compound(heap, v, &mut steps, &mut open)?;
                    continue;
                }
            },
            Step::List(spine, has_tail) => {
                let tail = if has_tail {
                    done.pop().map(Rc::new)
                } else {
                    None
                };
                let items = done.split_off(done.len().checked_sub(spine.len())?);
                spine.iter().for_each(|p| {
                    open.remove(p);
                });
                Sexp::List(items.into(), tail)
            }
            Step::Vector(r, n) => {
                let items = done.split_off(done.len().checked_sub(n)?);
                open.remove(&r);
                Sexp::Vector(items.into())
            }
        };
        done.push(Syn::new(e, span));
    }
    done.pop()
}

/// The syntax of a datum without parts, `None` for anything else.
fn atom_syntax(heap: &Heap, v: Value) -> Option<Sexp> {
    Some(match v {
        Value::Null => Sexp::Nil,
        Value::Bool(b) => Sexp::Bool(b),
        Value::Int(i) => Sexp::Int(i),
        Value::Float(f) => Sexp::Float(f),
        Value::Char(c) => Sexp::Char(c),
        Value::Sym(s) => Sexp::Sym(s),
        Value::Obj(r) => match heap.get(r) {
            Object::Str(s) => Sexp::Str(Rc::from(s.as_str())),
            Object::Big(b) => Sexp::Big(Rc::new(b.clone())),
            Object::Ratio(_) | Object::Complex(_) => {
                Sexp::Number(Rc::new(numeric::num(heap, v).ok()?))
            }
            Object::Bytes(b) => Sexp::Bytes(Rc::from(b.as_slice())),
            _ => return None,
        },
        _ => return None,
    })
}

/// Queues the conversion of a pair (its whole spine) or a vector; `None` when `v` is
/// neither, or is already being converted (a cycle).
fn visit_compound(
    heap: &Heap,
    v: Value,
    steps: &mut Vec<Step>,
    open: &mut FastSet<ObjRef>,
) -> Option<()> {
    let Value::Obj(r) = v else { return None };
    match heap.get(r) {
        Object::Vector(items) => {
            if !open.insert(r) {
                return None;
            }
            steps.push(Step::Vector(r, items.len()));
            steps.extend(items.iter().rev().map(|x| Step::Visit(*x)));
        }
        Object::Pair(..) => {
            let (mut spine, mut cars) = (Vec::new(), Vec::new());
            let mut rest = v;
            while let (Value::Obj(p), Some((a, d))) = (rest, heap.pair(rest)) {
                if !open.insert(p) {
                    return None;
                }
                spine.push(p);
                cars.push(a);
                rest = d;
            }
            let has_tail = !matches!(rest, Value::Null);
            steps.push(Step::List(spine, has_tail));
            if has_tail {
                steps.push(Step::Visit(rest));
            }
            steps.extend(cars.into_iter().rev().map(Step::Visit));
        }
        _ => return None,
    }
    Some(())
}
