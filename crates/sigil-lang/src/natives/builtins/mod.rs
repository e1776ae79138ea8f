//! The core library's native procedures, grouped by subject. Each submodule has a
//! `register` function that binds its procedures in the core module.

pub use crate::natives::Registry;
use crate::read::symbol::Symbol;
use crate::run::numeric;
use crate::run::value::{Error, NResult, Value};
use crate::run::vm::Vm;

pub mod base;
pub mod binary_ports;
pub mod bytevectors;
pub mod chars;
pub mod control;
pub mod eval;
pub mod lists;
pub mod numbers;
pub mod ports;
pub mod records;
mod seq;
pub mod strings;
pub mod symbols;
pub mod tables;
pub mod vectors;

// ---- argument helpers shared by the natives ---------------------------------------------

/// A fixnum argument.
pub fn int(who: &str, v: Value) -> NResult<i64> {
    match v {
        Value::Int(i) => Ok(i),
        Value::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(Error::wrong_type(who, "an integer", v)),
    }
}

/// A non-negative index argument.
pub fn index(who: &str, v: Value) -> NResult<usize> {
    match v {
        Value::Int(i) if i >= 0 => Ok(i as usize),
        _ => Err(Error::wrong_type(who, "a non-negative integer", v)),
    }
}

/// A real-number argument as a float.
pub fn real(vm: &Vm, who: &str, v: Value) -> NResult<f64> {
    let n = numeric::num(&vm.heap, v).map_err(|e| e.in_procedure(who))?;
    Ok(numeric::to_f64(&n))
}

/// A string argument (copied out of the heap).
pub fn string(vm: &Vm, who: &str, v: Value) -> NResult<String> {
    vm.heap
        .str(v)
        .map(str::to_owned)
        .ok_or_else(|| Error::wrong_type(who, "a string", v))
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
    vm.heap
        .list_to_vec(v)
        .ok_or_else(|| Error::wrong_type(who, "a proper list", v))
}

/// A procedure argument.
pub fn procedure(vm: &Vm, who: &str, v: Value) -> NResult<Value> {
    if vm.heap.is_procedure(v) {
        Ok(v)
    } else {
        Err(Error::wrong_type(who, "a procedure", v))
    }
}

/// Registers every core native.
pub fn register_core(reg: &mut Registry) {
    base::register(reg);
    control::register(reg);
    eval::register(reg);
    records::register(reg);
    lists::register(reg);
    numbers::register(reg);
    symbols::register(reg);
    chars::register(reg);
    strings::register(reg);
    vectors::register(reg);
    bytevectors::register(reg);
    tables::register(reg);
    ports::register(reg);
    binary_ports::register(reg);
}
