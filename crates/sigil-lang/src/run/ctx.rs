//! [`Ctx`]: what a native procedure receives instead of the machine. Everything it offers
//! is safe: it reads the heap, allocates and changes objects (but never replaces one, so
//! the procedures and continuations the VM runs stay as they are), keeps host data, and
//! calls Scheme procedures. The machine itself stays out of reach.

use crate::run::heap::Heap;
use crate::run::printer;
use crate::run::roots::Kept;
use crate::run::value::{Error, NResult, NativeObject, Object, Value};
use crate::run::vm::Vm;
use num_bigint::BigInt;
use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The context a native procedure runs in.
pub struct Ctx<'a> {
    pub(crate) vm: &'a mut Vm,
}

impl<'a> Ctx<'a> {
    /// The context of a native running on `vm`.
    #[inline(always)]
    pub(crate) fn new(vm: &'a mut Vm) -> Ctx<'a> {
        Ctx { vm }
    }

    // ---- reading ------------------------------------------------------------------------

    /// The heap, to read values: [`Heap::str`], [`Heap::pair`], [`Heap::opaque`], ...
    #[inline(always)]
    pub fn heap(&self) -> &Heap {
        &self.vm.heap
    }

    /// The `display` form of a value.
    pub fn display(&self, v: Value) -> String {
        printer::display(&self.vm.heap, v)
    }

    /// The `write` form of a value.
    pub fn write(&self, v: Value) -> String {
        printer::write(&self.vm.heap, v)
    }

    // ---- allocating ---------------------------------------------------------------------

    /// Stores a new object.
    pub fn alloc(&mut self, obj: Object) -> Value {
        self.vm.heap.alloc(obj)
    }

    /// A new string.
    pub fn string(&mut self, s: impl Into<String>) -> Value {
        self.vm.heap.string(s)
    }

    /// A new bytevector.
    pub fn bytes(&mut self, b: Vec<u8>) -> Value {
        self.vm.heap.bytes(b)
    }

    /// A new vector.
    pub fn vector(&mut self, items: Vec<Value>) -> Value {
        self.vm.heap.vector(items)
    }

    /// A new pair.
    pub fn cons(&mut self, car: Value, cdr: Value) -> Value {
        self.vm.heap.cons(car, cdr)
    }

    /// A new proper list of `items`.
    pub fn list(&mut self, items: &[Value]) -> Value {
        self.vm.heap.list(items)
    }

    /// A new list of `items` ending in `tail`.
    pub fn list_with_tail(&mut self, items: &[Value], tail: Value) -> Value {
        self.vm.heap.list_with_tail(items, tail)
    }

    /// An exact integer (a fixnum when it fits).
    pub fn integer(&mut self, n: BigInt) -> Value {
        self.vm.heap.integer(n)
    }

    /// A new opaque object wrapping a Rust value.
    pub fn opaque(&mut self, x: impl NativeObject) -> Value {
        self.vm.heap.alloc(Object::Opaque(Box::new(x)))
    }

    // ---- changing objects -----------------------------------------------------------------

    /// The text of string `v`, to change it.
    pub fn string_mut(&mut self, v: Value) -> Option<&mut String> {
        match self.vm.heap.obj_mut(v) {
            Some(Object::Str(s)) => Some(s.text_mut()),
            _ => None,
        }
    }

    /// The bytes of bytevector `v`, to change them.
    pub fn bytes_mut(&mut self, v: Value) -> Option<&mut Vec<u8>> {
        match self.vm.heap.obj_mut(v) {
            Some(Object::Bytes(b)) => Some(b),
            _ => None,
        }
    }

    /// The elements of vector `v`, to change them.
    pub fn vector_mut(&mut self, v: Value) -> Option<&mut Vec<Value>> {
        match self.vm.heap.obj_mut(v) {
            Some(Object::Vector(items)) => Some(items),
            _ => None,
        }
    }

    /// The car and cdr of pair `v`, to change them.
    pub fn pair_mut(&mut self, v: Value) -> Option<(&mut Value, &mut Value)> {
        match self.vm.heap.obj_mut(v) {
            Some(Object::Pair(a, d)) => Some((a, d)),
            _ => None,
        }
    }

    /// The Rust value inside opaque object `v`, if it is a `T`.
    pub fn opaque_mut<T: NativeObject>(&mut self, v: Value) -> Option<&mut T> {
        match self.vm.heap.obj_mut(v) {
            Some(Object::Opaque(o)) => o.as_any_mut().downcast_mut(),
            _ => None,
        }
    }

    // ---- host data --------------------------------------------------------------------------

    /// The interpreter's host data of type `T` (one value per type, kept for native
    /// libraries: a connection pool, the last error, ...).
    pub fn host<T: Any>(&self) -> Option<&T> {
        self.vm.host.get(&TypeId::of::<T>())?.downcast_ref()
    }

    /// The host data of type `T`, to change it.
    pub fn host_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.vm.host.get_mut(&TypeId::of::<T>())?.downcast_mut()
    }

    /// Stores host data of type `T`, returning what it replaces.
    pub fn set_host<T: Any>(&mut self, x: T) -> Option<T> {
        let old = self.vm.host.insert(TypeId::of::<T>(), Box::new(x))?;
        old.downcast().ok().map(|b| *b)
    }

    /// Removes and returns the host data of type `T`.
    pub fn take_host<T: Any>(&mut self) -> Option<T> {
        let old = self.vm.host.remove(&TypeId::of::<T>())?;
        old.downcast().ok().map(|b| *b)
    }

    // ---- the machine ------------------------------------------------------------------------

    /// Calls procedure `f` with `args` and runs it to completion. An error it does not
    /// handle comes back as an error that raises the same condition. The arguments and the
    /// native's own arguments stay rooted during the call; other values the native made
    /// before it may be collected (see `docs/embedding.md`).
    pub fn apply(&mut self, f: Value, args: &[Value]) -> NResult {
        self.vm.apply(f, args).map_err(|u| Error::raise(u.value))
    }

    /// Roots `v` until [`Ctx::release`], so it survives the collections that may run
    /// during [`Ctx::apply`] (see `docs/embedding.md`).
    pub fn keep(&mut self, v: Value) -> Kept {
        self.vm.keep(v)
    }

    /// Unroots a value kept with [`Ctx::keep`] and returns it.
    pub fn release(&mut self, k: Kept) -> Value {
        self.vm.release(k)
    }

    /// Whether the native runs in a task of `(sigil async)`: a wait it asks for
    /// (`Ctl::Park`) then lets other tasks run instead of blocking the thread.
    pub fn in_task(&self) -> bool {
        self.vm.suspendable
    }

    /// The interrupt flag (`Interpreter::interrupt_flag`), for a native that blocks in
    /// waits of its own: it looks at the flag at least every 50 ms and, once it is set,
    /// stops with [`Ctx::interrupted`].
    pub fn interrupt_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.vm.interrupt)
    }

    /// The `interrupt` condition the VM raises itself, for a wait the interrupt flag
    /// stopped; the flag is cleared, as the VM does when it reacts to it.
    pub fn interrupted(&mut self) -> Error {
        self.vm.interrupt.store(false, Ordering::Relaxed);
        Error::with("interrupt", "interrupted", vec![])
    }

    /// Appends text to standard output (buffered).
    pub fn write_out(&mut self, s: &str) {
        self.vm.write_out(s);
    }

    /// Flushes buffered standard output.
    pub fn flush(&mut self) {
        self.vm.flush();
    }
}
