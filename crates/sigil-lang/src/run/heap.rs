//! The object heap and its mark-and-sweep collector.
//!
//! Objects live in one vector and are named by index ([`ObjRef`]); freed slots are reused.
//! Collection only happens at the VM's safe points (procedure calls), where every live value
//! is reachable from the VM's registers, stacks, globals or explicit roots, so native code may
//! hold `Value`s in Rust locals freely between safe points.

use crate::run::code::Proto;
use crate::run::value::{Closure, NativeObject, ObjRef, Object, Str, Value};
use num_bigint::BigInt;
use num_traits::ToPrimitive;

/// Allocations (objects) after which a collection runs, at least.
const MIN_OBJECT_THRESHOLD: usize = 100_000;

/// Allocation volume (bytes) after which a collection runs, at least.
const MIN_BYTE_THRESHOLD: usize = 8 << 20;

/// Approximate heap bytes an object owns beyond its slot.
fn payload_bytes(obj: &Object) -> usize {
    match obj {
        Object::Str(s) => s.capacity(),
        Object::Bytes(b) => b.capacity(),
        Object::Vector(v) | Object::Values(v) => v.capacity() * std::mem::size_of::<Value>(),
        Object::Cont(k) => {
            k.stack.capacity() * std::mem::size_of::<Value>()
                + k.frames.capacity() * std::mem::size_of::<crate::run::call::Frame>()
        }
        _ => 0,
    }
}

/// The heap.
pub struct Heap {
    objs: Vec<Object>,
    marks: Vec<bool>,
    free: Vec<u32>,
    since_gc: usize,
    threshold: usize,
    /// Payload bytes of strings, bytevectors and vectors allocated since the last
    /// collection, and the limit that triggers one: large objects count by size, so a loop
    /// making megabyte buffers is collected long before the object count would say so.
    bytes_since_gc: usize,
    byte_threshold: usize,
    epoch: u32,
    gray: Vec<Value>,
    /// Number of completed collections.
    collections: usize,
}

impl Heap {
    /// An empty heap.
    pub(crate) fn new() -> Heap {
        Heap {
            objs: Vec::new(),
            marks: Vec::new(),
            free: Vec::new(),
            since_gc: 0,
            threshold: MIN_OBJECT_THRESHOLD,
            bytes_since_gc: 0,
            byte_threshold: MIN_BYTE_THRESHOLD,
            epoch: 1,
            gray: Vec::new(),
            collections: 0,
        }
    }

    /// Stores an object and returns a reference to it.
    #[inline]
    pub fn alloc(&mut self, obj: Object) -> Value {
        self.since_gc += 1;
        self.bytes_since_gc += payload_bytes(&obj);
        if let Some(i) = self.free.pop() {
            self.objs[i as usize] = obj;
            Value::Obj(ObjRef(i))
        } else {
            self.objs.push(obj);
            self.marks.push(false);
            Value::Obj(ObjRef(self.objs.len() as u32 - 1))
        }
    }

    /// The object behind a reference. (A reference from another interpreter's heap may
    /// lie beyond this one: that panics, and the VM turns the panic into an error.)
    #[inline]
    pub(crate) fn get(&self, r: ObjRef) -> &Object {
        &self.objs[r.0 as usize]
    }

    /// The object behind a reference, mutably.
    #[inline]
    pub(crate) fn get_mut(&mut self, r: ObjRef) -> &mut Object {
        &mut self.objs[r.0 as usize]
    }

    /// The object behind a value, if it is a heap object.
    #[inline]
    pub fn obj(&self, v: Value) -> Option<&Object> {
        match v {
            Value::Obj(r) => Some(self.get(r)),
            _ => None,
        }
    }

    /// The object behind a value, mutably; `None` for a value that is no heap object, and
    /// for procedures and continuations, which the VM runs and which nothing may change.
    #[inline]
    pub fn obj_mut(&mut self, v: Value) -> Option<&mut Object> {
        match v {
            Value::Obj(r) => match self.get_mut(r) {
                Object::Closure(_) | Object::Cont(_) => None,
                obj => Some(obj),
            },
            _ => None,
        }
    }

    /// Number of completed collections.
    pub fn collections(&self) -> usize {
        self.collections
    }

    /// Number of live (allocated) objects.
    pub fn live_objects(&self) -> usize {
        self.objs.len() - self.free.len()
    }

    /// Whether enough has been allocated since the last collection to collect again.
    #[inline]
    pub(crate) fn wants_collection(&self) -> bool {
        self.since_gc >= self.threshold || self.bytes_since_gc >= self.byte_threshold
    }

    // ---- constructors -------------------------------------------------------------

    /// A new pair.
    #[inline]
    pub fn cons(&mut self, a: Value, b: Value) -> Value {
        self.alloc(Object::Pair(a, b))
    }

    /// A new string.
    pub fn string(&mut self, s: impl Into<String>) -> Value {
        self.alloc(Object::Str(Str::new(s.into())))
    }

    /// A new bytevector.
    pub fn bytes(&mut self, b: Vec<u8>) -> Value {
        self.alloc(Object::Bytes(b))
    }

    /// A new vector.
    pub fn vector(&mut self, v: Vec<Value>) -> Value {
        self.alloc(Object::Vector(v))
    }

    /// A proper list of `items`.
    pub fn list(&mut self, items: &[Value]) -> Value {
        self.list_with_tail(items, Value::Null)
    }

    /// A list of `items` ending in `tail`.
    pub fn list_with_tail(&mut self, items: &[Value], tail: Value) -> Value {
        items.iter().rev().fold(tail, |acc, &x| self.cons(x, acc))
    }

    /// An exact integer, as a fixnum when it fits.
    pub fn integer(&mut self, b: BigInt) -> Value {
        match b.to_i64() {
            Some(i) => Value::Int(i),
            None => self.alloc(Object::Big(b)),
        }
    }

    // ---- accessors ------------------------------------------------------------------

    /// The pair's fields, if `v` is a pair.
    #[inline]
    pub fn pair(&self, v: Value) -> Option<(Value, Value)> {
        match self.obj(v) {
            Some(Object::Pair(a, b)) => Some((*a, *b)),
            _ => None,
        }
    }

    /// The string's text, if `v` is a string.
    #[inline]
    pub fn str(&self, v: Value) -> Option<&str> {
        self.string_object(v).map(Str::as_str)
    }

    /// The string object (its text and what is known of it), if `v` is a string.
    #[inline]
    pub fn string_object(&self, v: Value) -> Option<&Str> {
        match self.obj(v) {
            Some(Object::Str(s)) => Some(s),
            _ => None,
        }
    }

    /// The bytevector's bytes, if `v` is one.
    #[inline]
    pub fn bytevector(&self, v: Value) -> Option<&[u8]> {
        match self.obj(v) {
            Some(Object::Bytes(b)) => Some(b),
            _ => None,
        }
    }

    /// The elements of vector `v`.
    #[inline]
    pub fn vector_items(&self, v: Value) -> Option<&[Value]> {
        match self.obj(v) {
            Some(Object::Vector(items)) => Some(items),
            _ => None,
        }
    }

    /// The Rust value inside opaque object `v`, if it is a `T`.
    pub fn opaque<T: NativeObject>(&self, v: Value) -> Option<&T> {
        match self.obj(v) {
            Some(Object::Opaque(o)) => o.as_any().downcast_ref(),
            _ => None,
        }
    }

    /// The bignum, if `v` is one.
    pub fn big(&self, v: Value) -> Option<&BigInt> {
        match self.obj(v) {
            Some(Object::Big(b)) => Some(b),
            _ => None,
        }
    }

    /// Collects a proper list into a vector; `None` if `v` is not a proper list (improper
    /// or circular: a tortoise moving at half speed meets a cycle).
    pub fn list_to_vec(&self, mut v: Value) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        let mut slow = v;
        loop {
            match v {
                Value::Null => return Some(out),
                _ => {
                    let (a, d) = self.pair(v)?;
                    out.push(a);
                    v = d;
                    if out.len() % 2 == 0 {
                        slow = self.pair(slow)?.1;
                        if slow.eq(v) {
                            return None;
                        }
                    }
                }
            }
        }
    }

    /// Whether `v` is a procedure.
    pub fn is_procedure(&self, v: Value) -> bool {
        matches!(
            self.obj(v),
            Some(
                Object::Closure(_)
                    | Object::Native(_)
                    | Object::Cont(_)
                    | Object::RecordProc(_)
                    | Object::Param(..)
            )
        )
    }

    // ---- collection -----------------------------------------------------------------

    /// Starts a collection: call [`Heap::mark`] on every root, then [`Heap::finish`].
    pub(crate) fn begin_collection(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        self.gray.clear();
    }

    /// Marks a root value.
    #[inline]
    pub(crate) fn mark(&mut self, v: Value) {
        if let Value::Obj(r) = v {
            // A reference beyond the heap (from another interpreter) marks nothing.
            if let Some(mark @ false) = self.marks.get_mut(r.0 as usize) {
                *mark = true;
                self.gray.push(v);
            }
        }
    }

    /// Marks the constants of a procedure's code (and its nested procedures, one level at
    /// a time: they may be nested deeper than the Rust stack allows).
    pub(crate) fn mark_proto(&mut self, p: &Proto) {
        if !self.mark_proto_consts(p) || p.children.is_empty() {
            return;
        }
        let mut todo: Vec<&Proto> = p.children.iter().map(|c| &**c).collect();
        while let Some(p) = todo.pop() {
            if self.mark_proto_consts(p) {
                todo.extend(p.children.iter().map(|c| &**c));
            }
        }
    }

    /// Marks the constants of `p` unless this collection did; whether it did now.
    fn mark_proto_consts(&mut self, p: &Proto) -> bool {
        if p.mark_epoch.get() == self.epoch {
            return false;
        }
        p.mark_epoch.set(self.epoch);
        for &c in &p.consts {
            self.mark(c);
        }
        true
    }

    /// Marks the values `obj` refers to. Marks in place rather than collecting the values
    /// first (a large vector would be copied whole); `scratch` only receives what native
    /// objects and continuations report.
    fn mark_children(&mut self, obj: &Object, scratch: &mut Vec<Value>) {
        match obj {
            Object::Pair(a, b) | Object::Param(a, b) => {
                self.mark(*a);
                self.mark(*b);
            }
            Object::Vector(v) | Object::Values(v) => self.mark_all(v),
            Object::Closure(Closure { proto, free }) => {
                self.mark_all(free);
                self.mark_proto(proto);
            }
            Object::Boxed(v) => self.mark(*v),
            Object::Record(t, fields) => {
                self.mark(Value::Obj(*t));
                self.mark_all(fields);
            }
            Object::RecordProc(p) => {
                use crate::run::value::RecordProc::*;
                let (Constructor(t, _) | Predicate(t) | Accessor(t, _) | Modifier(t, _)) = p;
                self.mark(Value::Obj(*t));
            }
            Object::Table(t) => {
                for (k, v) in t.buckets.values().flatten() {
                    self.mark(*k);
                    self.mark(*v);
                }
            }
            Object::Condition(c) => self.mark_all(&c.irritants),
            Object::Cont(k) => self.mark_reported(scratch, |out| k.trace(out)),
            Object::Opaque(o) => self.mark_reported(scratch, |out| o.trace(out)),
            Object::Port(_)
            | Object::Free
            | Object::Str(_)
            | Object::Bytes(_)
            | Object::Big(_)
            | Object::Ratio(_)
            | Object::Complex(_)
            | Object::Native(_)
            | Object::RecordType(_) => {}
        }
    }

    /// Marks the values `report` puts in `scratch`.
    fn mark_reported(&mut self, scratch: &mut Vec<Value>, report: impl FnOnce(&mut Vec<Value>)) {
        scratch.clear();
        report(scratch);
        self.mark_all(scratch);
    }

    fn mark_all(&mut self, values: &[Value]) {
        for &v in values {
            self.mark(v);
        }
    }

    /// Traces everything reachable from the marked roots, frees the rest, and returns the
    /// number of objects freed.
    pub(crate) fn finish(&mut self) -> usize {
        let mut scratch = Vec::new();
        while let Some(Value::Obj(r)) = self.gray.pop() {
            let obj = std::mem::replace(&mut self.objs[r.0 as usize], Object::Free);
            self.mark_children(&obj, &mut scratch);
            self.objs[r.0 as usize] = obj;
        }
        let mut freed = 0;
        let mut live_bytes = 0;
        for (i, m) in self.marks.iter_mut().enumerate() {
            if *m {
                *m = false;
                live_bytes += payload_bytes(&self.objs[i]);
            } else if !matches!(self.objs[i], Object::Free) {
                self.objs[i] = Object::Free;
                self.free.push(i as u32);
                freed += 1;
            }
        }
        let live = self.live_objects();
        self.threshold = (live * 2).max(MIN_OBJECT_THRESHOLD);
        self.since_gc = 0;
        self.byte_threshold = (live_bytes * 2).max(MIN_BYTE_THRESHOLD);
        self.bytes_since_gc = 0;
        self.collections += 1;
        freed
    }
}
