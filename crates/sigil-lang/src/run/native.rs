//! Native procedures as the VM sees them: a name, an [`Arity`] the VM checks before the
//! call, and a Rust function. A native returns a value, or (a control native) asks the VM
//! to tail-call a procedure or to park the computation until something happens ([`Ctl`]).
//!
//! Natives are written as plain Rust functions with typed parameters and turned into
//! these by `#[native]` (see [`crate::natives`]); this module is only the calling
//! convention.

use crate::run::ctx::Ctx;
use crate::run::value::{Error, NResult, Value};
use std::fmt;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::rc::Rc;
use std::time::Instant;

/// How many arguments a procedure accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arity {
    min: u32,
    /// `u32::MAX`: no maximum.
    max: u32,
}

impl Arity {
    /// Exactly `n` arguments.
    pub const fn exact(n: usize) -> Arity {
        Arity::between(n, n)
    }

    /// From `min` to `max` arguments.
    pub const fn between(min: usize, max: usize) -> Arity {
        assert!(min <= max && max < u32::MAX as usize, "arity out of range");
        Arity {
            min: min as u32,
            max: max as u32,
        }
    }

    /// `min` arguments or more.
    pub const fn at_least(min: usize) -> Arity {
        assert!(min < u32::MAX as usize, "arity out of range");
        Arity {
            min: min as u32,
            max: u32::MAX,
        }
    }

    /// The fewest arguments accepted.
    pub const fn min(self) -> usize {
        self.min as usize
    }

    /// The most arguments accepted; `None` when there is no limit.
    pub const fn max(self) -> Option<usize> {
        if self.max == u32::MAX {
            None
        } else {
            Some(self.max as usize)
        }
    }

    /// Whether a call with `n` arguments is accepted.
    #[inline(always)]
    pub fn accepts(self, n: usize) -> bool {
        n >= self.min as usize && n <= self.max as usize
    }

    /// Whether a call may have more than one argument (then argument errors say which
    /// argument was wrong).
    pub const fn several(self) -> bool {
        self.max > 1
    }

    /// The `arity-error` of a call of `name` with `got` arguments:
    /// `NAME: expected 2 arguments, got 1`.
    pub fn error(self, name: &str, got: usize) -> Error {
        Error::with(
            "arity-error",
            format!("{name}: expected {self}, got {got}"),
            vec![],
        )
    }
}

impl fmt::Display for Arity {
    /// `1 argument`, `2 arguments`, `1 to 3 arguments`, `at least 1 argument`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = |n: u32| if n == 1 { "argument" } else { "arguments" };
        match self.max() {
            None => write!(f, "at least {} {}", self.min, noun(self.min)),
            Some(_) if self.max == self.min => write!(f, "{} {}", self.min, noun(self.min)),
            Some(_) => write!(f, "{} to {} {}", self.min, self.max, noun(self.max)),
        }
    }
}

/// The Rust function behind a native that computes a value.
pub type SimpleFn = fn(&mut Ctx, &[Value]) -> NResult;

/// The Rust function behind a native that may tail-call or park ([`Ctl`]).
pub type ControlFn = fn(&mut Ctx, &[Value]) -> NResult<Ctl>;

/// A native implemented by a Rust closure (`register_fn`).
pub type ClosureFn = Rc<dyn Fn(&mut Ctx, &[Value]) -> NResult>;

/// The Rust function behind a native procedure. The VM has checked the argument count
/// against the native's [`Arity`] before it calls one.
#[derive(Clone)]
pub enum NativeFn {
    /// Computes a value; the VM calls it on its fast path.
    Simple(SimpleFn),
    /// May tail-call a procedure or park the computation.
    Control(ControlFn),
    /// A Rust closure that computes a value.
    Closure(ClosureFn),
}

/// A native procedure.
pub struct Native {
    /// Name used in error messages.
    pub(crate) name: Rc<str>,
    /// The argument counts it accepts.
    pub(crate) arity: Arity,
    /// The implementation.
    pub(crate) f: NativeFn,
}

impl Native {
    /// A native procedure named `name`.
    pub(crate) fn new(name: &str, arity: Arity, f: NativeFn) -> Native {
        Native {
            name: Rc::from(name),
            arity,
            f,
        }
    }

    /// The procedure's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The argument counts it accepts.
    pub fn arity(&self) -> Arity {
        self.arity
    }
}

/// What a control native asks the VM to do next.
pub enum Ctl {
    /// Return this value to the caller.
    Return(Value),
    /// Call `proc` with `args` in place of the native (a tail call).
    TailCall(Value, Vec<Value>),
    /// Suspend the computation until `Wait` is satisfied, then resume as `Resume` says.
    Park(Wait, Resume),
}

/// What a parked computation waits for.
#[derive(Clone, Debug)]
pub enum Wait {
    /// The descriptor becomes readable.
    Readable(Descriptor),
    /// The descriptor becomes writable.
    Writable(Descriptor),
    /// The descriptor becomes readable, or the deadline passes, whichever is first.
    ReadableUntil(Descriptor, Instant),
    /// The descriptor becomes writable, or the deadline passes, whichever is first.
    WritableUntil(Descriptor, Instant),
    /// The deadline passes.
    Until(Instant),
    /// A scheduler event wakes the task (task join, channel).
    Event,
    /// Let other tasks run first.
    Yield,
}

/// A file descriptor a parked computation waits on. It shares the ownership of what
/// holds the descriptor open (a socket, say), so the descriptor stays open for as long as
/// the computation waits on it, whatever the native's own objects do meanwhile.
#[derive(Clone)]
pub struct Descriptor(Rc<dyn AsFd>);

impl Descriptor {
    /// A descriptor kept open by `owner` (an `Rc<OwnedFd>`, an `Rc<TcpStream>`, ...).
    pub fn new(owner: Rc<impl AsFd + 'static>) -> Descriptor {
        Descriptor(owner)
    }
}

impl AsFd for Descriptor {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.0.as_fd()
    }
}

impl fmt::Debug for Descriptor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Descriptor({})", self.as_fd().as_raw_fd())
    }
}

/// How a parked native continues.
#[derive(Clone, Copy, Debug)]
pub enum Resume {
    /// Call the native again with the same arguments.
    Retry,
    /// Return this value.
    Return(Value),
}

#[cfg(test)]
mod tests {
    use super::Arity;

    #[test]
    fn arity_accepts_and_describes() {
        let cases = [
            (Arity::exact(1), "1 argument", [false, true, false, false]),
            (Arity::exact(2), "2 arguments", [false, false, true, false]),
            (
                Arity::between(1, 2),
                "1 to 2 arguments",
                [false, true, true, false],
            ),
            (Arity::at_least(0), "at least 0 arguments", [true; 4]),
            (
                Arity::at_least(1),
                "at least 1 argument",
                [false, true, true, true],
            ),
        ];
        for (arity, text, accepts) in cases {
            assert_eq!(arity.to_string(), text);
            for (n, ok) in accepts.into_iter().enumerate() {
                assert_eq!(arity.accepts(n), ok, "{text} with {n}");
            }
        }
        assert_eq!(Arity::at_least(2).max(), None);
        assert_eq!(Arity::between(1, 3).max(), Some(3));
        assert!(!Arity::between(0, 1).several());
        assert!(Arity::at_least(1).several());
    }
}
