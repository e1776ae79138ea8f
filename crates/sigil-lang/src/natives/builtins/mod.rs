//! The core library's native procedures, grouped by subject. Each submodule has a
//! `register` function that binds its procedures in the core module.

use crate::compile::module::{GlobalBinding, Module};
use crate::read::symbol::Symbol;
use crate::run::numeric;
use crate::run::value::{Ctl, Error, NResult, Native, NativeFn, Object, Value};
use crate::run::vm::Vm;
use std::rc::Rc;

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
pub mod strings;
pub mod symbols;
pub mod tables;
pub mod vectors;

/// Binds natives into a module (the core module, or a native library's module).
pub struct Registry<'a> {
    /// The machine.
    pub vm: &'a mut Vm,
    /// The module receiving the bindings.
    pub module: &'a mut Module,
    /// Whether bindings are also recorded as builtins the compiler may reference.
    pub core: bool,
}

impl Registry<'_> {
    /// Binds `name` to a value.
    pub fn define(&mut self, name: &str, v: Value) {
        let s = Symbol::intern(name);
        let slot = self.vm.globals.new_slot(s);
        self.vm.globals.set(slot, v);
        self.module.map.insert(s, GlobalBinding::Var(slot));
        self.module.own.insert(s);
        if self.core {
            self.vm.globals.set_builtin(s, v);
        }
    }

    fn native(&mut self, name: &str, min: usize, max: Option<usize>, f: NativeFn) {
        let v = self.vm.heap.alloc(Object::Native(Rc::new(Native {
            name: Rc::from(name),
            min,
            max,
            f,
        })));
        self.define(name, v);
    }

    /// Binds a native that computes a value. `max` is `None` for variadic procedures.
    pub fn simple(
        &mut self,
        name: &str,
        min: usize,
        max: Option<usize>,
        f: fn(&mut Vm, &[Value]) -> NResult,
    ) {
        self.native(name, min, max, NativeFn::Simple(f));
    }

    /// Binds a native that may tail-call or park.
    pub fn control(
        &mut self,
        name: &str,
        min: usize,
        max: Option<usize>,
        f: fn(&mut Vm, &[Value]) -> NResult<Ctl>,
    ) {
        self.native(name, min, max, NativeFn::Control(f));
    }

    /// Binds a Rust closure.
    pub fn closure(
        &mut self,
        name: &str,
        min: usize,
        max: Option<usize>,
        f: crate::run::value::DynNative,
    ) {
        self.native(name, min, max, NativeFn::Dyn(f));
    }
}

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
    Ok(numeric::to_f64(&numeric::num(&vm.heap, who, v)?))
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
