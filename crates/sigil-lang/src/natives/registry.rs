//! Binding natives to names: a [`NativeDef`] is what `#[native]` makes of a function, and
//! a [`Registry`] binds definitions and values into a module (the core library, or a
//! native library that Scheme code imports).

use crate::compile::module::{GlobalBinding, Module};
use crate::read::symbol::Symbol;
use crate::run::native::{Arity, ClosureFn, ControlFn, Native, NativeFn, SimpleFn};
use crate::run::value::{Object, Value};
use crate::run::vm::Vm;
use std::rc::Rc;

/// A native procedure ready to be registered: its name, arity and function. `#[native]`
/// defines one for each function it is on.
#[derive(Clone, Copy)]
pub struct NativeDef {
    name: &'static str,
    arity: Arity,
    f: DefFn,
}

#[derive(Clone, Copy)]
enum DefFn {
    Simple(SimpleFn),
    Control(ControlFn),
}

impl NativeDef {
    /// A native that computes a value. This is what `#[native]` expands to; by hand, `f`
    /// gets the arguments as they are (only their number is checked against `arity`) and
    /// a panic in it is not caught, so write natives with `#[native]`, which converts the
    /// arguments, names the procedure in errors and turns a panic into an error.
    pub const fn simple(name: &'static str, arity: Arity, f: SimpleFn) -> NativeDef {
        NativeDef {
            name,
            arity,
            f: DefFn::Simple(f),
        }
    }

    /// A native that may tail-call or park ([`Ctl`](crate::Ctl)); as for
    /// [`NativeDef::simple`], `#[native]` is the way to write one.
    pub const fn control(name: &'static str, arity: Arity, f: ControlFn) -> NativeDef {
        NativeDef {
            name,
            arity,
            f: DefFn::Control(f),
        }
    }

    /// The procedure's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The argument counts it accepts.
    pub const fn arity(&self) -> Arity {
        self.arity
    }

    fn native_fn(&self) -> NativeFn {
        match self.f {
            DefFn::Simple(f) => NativeFn::Simple(f),
            DefFn::Control(f) => NativeFn::Control(f),
        }
    }
}

/// Binds natives and values into a module: the core library's, or a native library's
/// (see `Interpreter::define_native_library`).
pub struct Registry<'a> {
    pub(crate) vm: &'a mut Vm,
    pub(crate) module: &'a mut Module,
    /// Whether bindings are also recorded as builtins the compiler may reference.
    pub(crate) core: bool,
}

impl Registry<'_> {
    /// Binds `name` to a value (defines it, as a top-level `define` does).
    pub fn define(&mut self, name: &str, v: Value) {
        let s = Symbol::intern(name);
        let slot = self.module.define_slot(&mut self.vm.globals, s);
        self.vm.globals.set(slot, v);
        if self.core {
            self.vm.globals.set_builtin(s, v);
        }
    }

    /// Binds each native under its name.
    pub fn add(&mut self, natives: &[NativeDef]) {
        for n in natives {
            self.native(n.name, n.arity, n.native_fn());
        }
    }

    /// Binds `name` to native `def`, which keeps its own name in messages: the native
    /// behind a procedure of that name written in Sigil (`%member` behind `member`).
    pub fn add_as(&mut self, name: &str, def: &NativeDef) {
        let native = Native::new(def.name, def.arity, def.native_fn());
        let v = (self.vm.heap).alloc(Object::Native(Rc::new(native)));
        self.define(name, v);
    }

    /// Binds `name` to the value already bound to `existing` (a second name for the same
    /// procedure).
    pub fn alias(&mut self, name: &str, existing: &str) {
        let v = match self.module.map.get(&Symbol::intern(existing)) {
            Some(GlobalBinding::Var(slot)) => self.vm.globals.get(*slot),
            _ => Value::Undefined,
        };
        self.define(name, v);
    }

    /// Binds `name` to a native made of a Rust closure (see `register_fn`).
    pub(crate) fn closure(&mut self, name: &str, arity: Arity, f: ClosureFn) {
        self.native(name, arity, NativeFn::Closure(f));
    }

    fn native(&mut self, name: &str, arity: Arity, f: NativeFn) {
        let v = (self.vm.heap).alloc(Object::Native(Rc::new(Native::new(name, arity, f))));
        self.define(name, v);
    }
}
