//! The registration entry points of the first native mechanism: untyped natives that
//! take the machine and the arguments by hand (`fn(&mut Vm, &[Value])`). Only the natives
//! not yet written with `#[native]` use them; they go when the last one moves.

use crate::natives::Registry;
use crate::run::ctx::Ctx;
use crate::run::native::{Arity, Ctl};
use crate::run::value::{NResult, Value};
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
    /// Binds a native that computes a value. `max` is `None` for variadic procedures.
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

    /// Binds a native that may tail-call or park.
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
