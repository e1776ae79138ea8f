//! The steps of a native's wrapper, which `#[native]` writes and `register_fn` closures
//! share: convert argument `k`, run the function (a panic becomes an error), convert the
//! result. Every error names the procedure, and a wrong argument names its position when
//! the procedure takes more than one.

use crate::natives::convert::{FromValue, FromValueMut, NativeResult, Rest};
use crate::run::call::panic_message;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::native::{Arity, Ctl};
use crate::run::value::{Error, NResult, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Argument `k` of a call of `name`, converted to `T`. The VM has checked the argument
/// count against `arity`, so argument `k` is there.
#[inline(always)]
pub fn arg<'h, T: FromValue<'h>>(
    heap: &'h Heap,
    args: &[Value],
    k: usize,
    name: &str,
    arity: Arity,
) -> NResult<T> {
    let v = args[k];
    match T::from_value(heap, v) {
        Some(x) => Ok(x),
        None => Err(wrong_arg::<T>(name, arity, k, v)),
    }
}

/// Argument `k`, a heap object to change.
#[inline(always)]
pub fn arg_mut<'c, T: FromValueMut + ?Sized>(
    ctx: &'c mut Ctx,
    args: &[Value],
    k: usize,
    name: &str,
    arity: Arity,
) -> NResult<&'c mut T> {
    let v = args[k];
    match T::from_value_mut(ctx, v) {
        Some(x) => Ok(x),
        None => Err(wrong(name, arity, k, &T::expected(), v)),
    }
}

/// Optional argument `k`, converted to `T`; `None` when the call leaves it out.
#[inline(always)]
pub fn opt_arg<'h, T: FromValue<'h>>(
    heap: &'h Heap,
    args: &[Value],
    k: usize,
    name: &str,
    arity: Arity,
) -> NResult<Option<T>> {
    match args.get(k) {
        Some(_) => arg(heap, args, k, name, arity).map(Some),
        None => Ok(None),
    }
}

/// The arguments from `k` on, each converted to `T`.
pub fn rest<'h, T: FromValue<'h>>(
    heap: &'h Heap,
    args: &[Value],
    k: usize,
    name: &str,
    arity: Arity,
) -> NResult<Rest<T>> {
    (k..args.len())
        .map(|i| arg(heap, args, i, name, arity))
        .collect::<NResult<Vec<T>>>()
        .map(Rest)
}

/// The type error for argument `k` (1-based) of a native that converts its rest
/// arguments itself (`#[rest] args: &[Value]`); its wrapper adds the procedure's name.
#[cold]
#[inline(never)]
pub fn expected_arg<'h, T: FromValue<'h>>(k: usize, v: Value) -> Error {
    Error::expected(&format!("{} (argument {k})", T::expected()), v)
}

/// The type error for argument `k` (0-based) of `name`: `NAME: expected WHAT, got V`,
/// with `(argument K)` after `WHAT` when the procedure takes more than one argument.
#[cold]
#[inline(never)]
pub fn wrong_arg<'h, T: FromValue<'h>>(name: &str, arity: Arity, k: usize, v: Value) -> Error {
    wrong(name, arity, k, &T::expected(), v)
}

#[cold]
#[inline(never)]
fn wrong(name: &str, arity: Arity, k: usize, what: &str, v: Value) -> Error {
    if arity.several() {
        Error::wrong_type(name, &format!("{what} (argument {})", k + 1), v)
    } else {
        Error::wrong_type(name, what, v)
    }
}

/// Runs a native's function; a panic in it becomes an error naming the procedure instead
/// of unwinding through the VM.
#[inline(always)]
pub fn guard<R>(name: &str, f: AssertUnwindSafe<impl FnOnce() -> R>) -> NResult<R> {
    match catch_unwind(f) {
        Ok(r) => Ok(r),
        Err(payload) => Err(panicked(name, payload.as_ref())),
    }
}

#[cold]
#[inline(never)]
fn panicked(name: &str, payload: &(dyn std::any::Any + Send)) -> Error {
    let why = panic_message(payload);
    Error::msg(format!("{name}: the Rust function panicked: {why}"))
}

/// The result of a native that computes a value, its errors named after `name`.
#[inline(always)]
pub fn finish(r: NResult<impl NativeResult>, ctx: &mut Ctx, name: &str) -> NResult {
    match r.and_then(|r| r.into_result(ctx)) {
        Ok(v) => Ok(v),
        Err(e) => Err(named(e, name)),
    }
}

/// The result of a control native, its errors named after `name`.
#[inline(always)]
pub fn finish_control(r: NResult<NResult<Ctl>>, _: &mut Ctx, name: &str) -> NResult<Ctl> {
    match r.and_then(|r| r) {
        Ok(c) => Ok(c),
        Err(e) => Err(named(e, name)),
    }
}

/// `e` as raised by `name`, out of line so that the wrapper's normal path stays short.
#[cold]
#[inline(never)]
fn named(e: Error, name: &str) -> Error {
    e.in_procedure(name)
}
