//! TRANSITION: the first native mechanism, kept only for the natives of
//! `crates/sigil/src/websocket/connection.rs` and `options.rs` until they move to
//! `#[native]`: untyped natives that take the machine and their arguments by hand
//! (`fn(&mut Vm, &[Value])`), registered with [`Registry::simple`] and
//! [`Registry::control`], and the argument helpers they use (`sigil_lang::builtins`).
//! Everything here goes when they move.

use crate::natives::{FromValue, Registry};
use crate::run::ctx::Ctx;
use crate::run::native::{Arity, Ctl};
use crate::run::value::{Error, NResult, Value};
use crate::run::vm::Vm;
use std::rc::Rc;

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
        let call = move |ctx: &mut Ctx, args: &[Value]| f(ctx.vm, args);
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
        let call = move |ctx: &mut Ctx, args: &[Value]| f(ctx.vm, args);
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
        T::from_value(&vm.heap, v).ok_or_else(|| Error::wrong_type(who, &T::expected(), v))
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
