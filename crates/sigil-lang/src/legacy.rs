//! TRANSITION: the first native mechanism, kept only for the natives of
//! `crates/sigil/src/websocket/connection.rs` and `options.rs` until they move to
//! `#[native]`: untyped natives that take a view of the machine ([`Vm`]) and their
//! arguments by hand, registered with [`Registry::simple`] and [`Registry::control`];
//! the argument helpers they use (`sigil_lang::builtins`); and waits on raw descriptors
//! ([`Wait`]), which the native promises to keep open. Everything here goes when they move.

use crate::natives::{FromValue, Registry};
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::native::{self, Arity, Descriptor, Resume};
use crate::run::value::{Error, NResult, Value};
use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::os::fd::{AsFd, BorrowedFd, RawFd};
use std::rc::Rc;
use std::time::Instant;

/// What an untyped native sees of the machine.
pub struct Vm<'a> {
    /// The heap.
    pub heap: &'a mut Heap,
    /// Host data, one value per type.
    pub host: &'a mut HashMap<TypeId, Box<dyn Any>>,
    /// Whether the native runs in a task of `(sigil async)`.
    pub suspendable: bool,
    /// The interrupt flag (Ctrl-C), for natives that block in waits of their own: they
    /// stop when it is set, clear it and raise `interrupt`.
    pub interrupt: &'a std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl<'a> Vm<'a> {
    fn of(ctx: &'a mut Ctx) -> Vm<'a> {
        let vm = &mut *ctx.vm;
        Vm {
            heap: &mut vm.heap,
            host: &mut vm.host,
            suspendable: vm.suspendable,
            interrupt: &vm.interrupt,
        }
    }
}

/// What an untyped control native asks the VM to do next (as [`crate::Ctl`], with waits
/// on raw descriptors).
pub enum Ctl {
    /// Return this value to the caller.
    Return(Value),
    /// Call `proc` with `args` in place of the native (a tail call).
    TailCall(Value, Vec<Value>),
    /// Suspend the computation until `Wait` is satisfied, then resume as `Resume` says.
    Park(Wait, Resume),
}

/// A wait on a raw descriptor, which the native promises stays open while it waits (the
/// typed [`crate::Wait`] holds its descriptor open instead).
#[derive(Clone, Copy, Debug)]
pub enum Wait {
    /// The descriptor becomes readable.
    Readable(RawFd),
    /// The descriptor becomes writable.
    Writable(RawFd),
    /// The descriptor becomes readable, or the deadline passes.
    ReadableUntil(RawFd, Instant),
    /// The descriptor becomes writable, or the deadline passes.
    WritableUntil(RawFd, Instant),
    /// The deadline passes.
    Until(Instant),
    /// A scheduler event wakes the task.
    Event,
    /// Let other tasks run first.
    Yield,
}

/// A raw descriptor the untyped native promised to keep open.
struct Promised(RawFd);

impl AsFd for Promised {
    fn as_fd(&self) -> BorrowedFd<'_> {
        // SAFETY: the untyped native that asked for the wait promised that the descriptor
        // stays open while the computation waits on it; the wait is all that holds this.
        unsafe { BorrowedFd::borrow_raw(self.0) }
    }
}

impl From<Ctl> for native::Ctl {
    fn from(c: Ctl) -> native::Ctl {
        let fd = |fd: RawFd| Descriptor::new(Rc::new(Promised(fd)));
        match c {
            Ctl::Return(v) => native::Ctl::Return(v),
            Ctl::TailCall(f, args) => native::Ctl::TailCall(f, args),
            Ctl::Park(w, r) => native::Ctl::Park(
                match w {
                    Wait::Readable(d) => native::Wait::Readable(fd(d)),
                    Wait::Writable(d) => native::Wait::Writable(fd(d)),
                    Wait::ReadableUntil(d, t) => native::Wait::ReadableUntil(fd(d), t),
                    Wait::WritableUntil(d, t) => native::Wait::WritableUntil(fd(d), t),
                    Wait::Until(t) => native::Wait::Until(t),
                    Wait::Event => native::Wait::Event,
                    Wait::Yield => native::Wait::Yield,
                },
                r,
            ),
        }
    }
}

/// The old path `sigil_lang::value`.
pub mod value {
    pub use super::{Ctl, Wait};
    pub use crate::run::native::Resume;
    pub use crate::run::value::{NativeObject, Object};
}

/// The old path `sigil_lang::vm`.
pub mod vm {
    pub use super::Vm;
}

/// The arity `min..=max` (`max` `None`: any number).
fn arity(min: usize, max: Option<usize>) -> Arity {
    match max {
        Some(max) => Arity::between(min, max),
        None => Arity::at_least(min),
    }
}

impl Registry<'_> {
    /// Binds an untyped native that computes a value. `max` is `None` for variadic
    /// procedures. (Transitional: write natives with `#[native]`.)
    pub fn simple(
        &mut self,
        name: &str,
        min: usize,
        max: Option<usize>,
        f: fn(&mut Vm, &[Value]) -> NResult,
    ) {
        let call = move |ctx: &mut Ctx, args: &[Value]| f(&mut Vm::of(ctx), args);
        self.closure(name, arity(min, max), Rc::new(call));
    }

    /// Binds an untyped native that may tail-call or park. (Transitional: write natives
    /// with `#[native]`.)
    pub fn control(
        &mut self,
        name: &str,
        min: usize,
        max: Option<usize>,
        f: fn(&mut Vm, &[Value]) -> NResult<Ctl>,
    ) {
        let call = move |ctx: &mut Ctx, args: &[Value]| f(&mut Vm::of(ctx), args).map(Into::into);
        self.control_closure(name, arity(min, max), Rc::new(call));
    }
}

/// The argument helpers of the untyped natives, at their old path `sigil_lang::builtins`.
pub mod builtins {
    use super::*;
    use crate::natives::List;
    use crate::read::symbol::Symbol;

    pub use crate::natives::Registry;

    /// Argument `v` of `who` converted to `T`, or the type error naming `who`.
    fn convert<T: for<'h> FromValue<'h>>(vm: &Vm, who: &str, v: Value) -> NResult<T> {
        T::from_value(vm.heap, v).ok_or_else(|| Error::wrong_type(who, &T::expected(), v))
    }

    /// An exact integer argument.
    pub fn int(who: &str, v: Value) -> NResult<i64> {
        match v {
            Value::Int(i) => Ok(i),
            _ => Err(Error::wrong_type(who, &i64::expected(), v)),
        }
    }

    /// A non-negative index argument.
    pub fn index(who: &str, v: Value) -> NResult<usize> {
        match v {
            Value::Int(i) if i >= 0 => Ok(i as usize),
            _ => Err(Error::wrong_type(who, &usize::expected(), v)),
        }
    }

    /// A real-number argument as a float.
    pub fn real(vm: &Vm, who: &str, v: Value) -> NResult<f64> {
        convert(vm, who, v)
    }

    /// A string argument (copied out of the heap).
    pub fn string(vm: &Vm, who: &str, v: Value) -> NResult<String> {
        convert(vm, who, v)
    }

    /// A symbol argument.
    pub fn symbol(who: &str, v: Value) -> NResult<Symbol> {
        match v {
            Value::Sym(s) => Ok(s),
            _ => Err(Error::wrong_type(who, "a symbol", v)),
        }
    }

    /// A proper-list argument.
    pub fn list(vm: &Vm, who: &str, v: Value) -> NResult<Vec<Value>> {
        convert::<List<Value>>(vm, who, v).map(|l| l.0)
    }
}
