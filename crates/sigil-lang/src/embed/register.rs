//! Typed native procedures: register plain Rust closures with Scheme and convert values
//! between Rust and Scheme.
//!
//! ```
//! use sigil_lang::Interpreter;
//!
//! let mut interp = Interpreter::new();
//! interp.register_fn("rust-add", |a: i64, b: i64| a + b);
//! interp.register_fn("shout", |s: String| s.to_uppercase() + "!");
//! let v = interp.eval_str(r#"(shout "hi")"#).unwrap();
//! assert_eq!(interp.from_value::<String>(v).unwrap(), "HI!");
//! let v = interp.eval_str("(rust-add 1 2)").unwrap();
//! assert_eq!(interp.from_value::<i64>(v).unwrap(), 3);
//! ```
//!
//! Arguments are converted with [`FromValue`], results with [`IntoValue`]; a closure that
//! returns `Result<T, E>` raises a Scheme error carrying `E`'s message when it returns `Err`.
//! The wrapper checks the number of arguments and their types, so the closure only sees
//! well-typed values, and every error message names the procedure.

use crate::embed::interp::Interpreter;
use crate::embed::SchemeError;
use crate::natives::builtins::Registry;
use crate::run::value::{Error, NResult, Native, NativeFn, Object, Value};
use crate::run::vm::Vm;
use num_traits::ToPrimitive;
use std::fmt::Display;
use std::rc::Rc;

// ---- conversions --------------------------------------------------------------------------

/// Converts a Scheme value into a Rust value (a native procedure's argument).
pub trait FromValue: Sized {
    /// Converts `v`, or describes the expected type on failure (`"an integer"`), to be used
    /// in a message such as `f: expected an integer (argument 1), got "x"`.
    fn from_value(vm: &Vm, v: Value) -> Result<Self, String>;

    /// A short description of the accepted Scheme values, with an article: `"an integer"`.
    fn type_name() -> &'static str;
}

/// Converts a Rust value into a Scheme value (a native procedure's result).
pub trait IntoValue {
    /// Converts `self`, allocating on the VM's heap if needed.
    fn into_value(self, vm: &mut Vm) -> Value;
}

fn expected<T: FromValue>() -> String {
    T::type_name().to_string()
}

impl FromValue for Value {
    fn from_value(_vm: &Vm, v: Value) -> Result<Self, String> {
        Ok(v)
    }
    fn type_name() -> &'static str {
        "any value"
    }
}

impl IntoValue for Value {
    fn into_value(self, _vm: &mut Vm) -> Value {
        self
    }
}

impl FromValue for i64 {
    fn from_value(_vm: &Vm, v: Value) -> Result<Self, String> {
        match v {
            Value::Int(i) => Ok(i),
            _ => Err(expected::<Self>()),
        }
    }
    fn type_name() -> &'static str {
        "an integer"
    }
}

macro_rules! int_from_value {
    ($t:ty, $name:expr) => {
        impl FromValue for $t {
            fn from_value(_vm: &Vm, v: Value) -> Result<Self, String> {
                match v {
                    Value::Int(i) => <$t>::try_from(i).map_err(|_| expected::<Self>()),
                    _ => Err(expected::<Self>()),
                }
            }
            fn type_name() -> &'static str {
                $name
            }
        }
    };
}

int_from_value!(i32, "an integer in 32-bit range");
int_from_value!(u32, "a non-negative integer in 32-bit range");
int_from_value!(usize, "a non-negative integer");

/// `IntoValue` for integer types that always fit a fixnum.
macro_rules! fixnum_into_value {
    ($($t:ty),*) => {$(
        impl IntoValue for $t {
            fn into_value(self, _vm: &mut Vm) -> Value {
                Value::Int(i64::from(self))
            }
        }
    )*};
}

fixnum_into_value!(i64, i32, u32);

impl IntoValue for usize {
    fn into_value(self, vm: &mut Vm) -> Value {
        match i64::try_from(self) {
            Ok(i) => Value::Int(i),
            Err(_) => vm.heap.integer(self.into()),
        }
    }
}

impl FromValue for f64 {
    fn from_value(vm: &Vm, v: Value) -> Result<Self, String> {
        match v {
            Value::Float(f) => Ok(f),
            Value::Int(i) => Ok(i as f64),
            _ => match vm.heap.big(v).and_then(|b| b.to_f64()) {
                Some(f) => Ok(f),
                None => Err(expected::<Self>()),
            },
        }
    }
    fn type_name() -> &'static str {
        "a real number"
    }
}

impl IntoValue for f64 {
    fn into_value(self, _vm: &mut Vm) -> Value {
        Value::Float(self)
    }
}

/// `FromValue`/`IntoValue` for types that are exactly one `Value` variant.
macro_rules! variant_conversion {
    ($t:ty, $variant:ident, $name:expr) => {
        impl FromValue for $t {
            fn from_value(_vm: &Vm, v: Value) -> Result<Self, String> {
                match v {
                    Value::$variant(x) => Ok(x),
                    _ => Err(expected::<Self>()),
                }
            }
            fn type_name() -> &'static str {
                $name
            }
        }

        impl IntoValue for $t {
            fn into_value(self, _vm: &mut Vm) -> Value {
                Value::$variant(self)
            }
        }
    };
}

variant_conversion!(bool, Bool, "a boolean");
variant_conversion!(char, Char, "a character");

impl FromValue for String {
    fn from_value(vm: &Vm, v: Value) -> Result<Self, String> {
        vm.heap
            .str(v)
            .map(str::to_owned)
            .ok_or_else(expected::<Self>)
    }
    fn type_name() -> &'static str {
        "a string"
    }
}

impl IntoValue for String {
    fn into_value(self, vm: &mut Vm) -> Value {
        vm.heap.string(self)
    }
}

impl IntoValue for &str {
    fn into_value(self, vm: &mut Vm) -> Value {
        vm.heap.string(self)
    }
}

impl FromValue for Vec<u8> {
    fn from_value(vm: &Vm, v: Value) -> Result<Self, String> {
        vm.heap
            .bytevector(v)
            .map(<[u8]>::to_vec)
            .ok_or_else(expected::<Self>)
    }
    fn type_name() -> &'static str {
        "a bytevector"
    }
}

impl IntoValue for Vec<u8> {
    fn into_value(self, vm: &mut Vm) -> Value {
        vm.heap.bytes(self)
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    /// Accepts a proper list or a vector whose elements all convert to `T`.
    fn from_value(vm: &Vm, v: Value) -> Result<Self, String> {
        let items = match vm.heap.obj(v) {
            Some(Object::Vector(items)) => items.clone(),
            _ => vm.heap.list_to_vec(v).ok_or_else(expected::<Self>)?,
        };
        items
            .into_iter()
            .map(|x| T::from_value(vm, x))
            .collect::<Result<Vec<T>, String>>()
            .map_err(|what| format!("a list or vector of elements each {what}"))
    }
    fn type_name() -> &'static str {
        "a list or vector"
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    /// Builds a proper list.
    fn into_value(self, vm: &mut Vm) -> Value {
        let items: Vec<Value> = self.into_iter().map(|x| x.into_value(vm)).collect();
        vm.heap.list(&items)
    }
}

impl<T: FromValue> FromValue for Option<T> {
    /// `#f` is `None`; anything else must convert to `T`.
    fn from_value(vm: &Vm, v: Value) -> Result<Self, String> {
        match v {
            Value::Bool(false) => Ok(None),
            _ => T::from_value(vm, v)
                .map(Some)
                .map_err(|what| format!("{what} or #f")),
        }
    }
    fn type_name() -> &'static str {
        "a value or #f"
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    /// `None` becomes `#f`.
    fn into_value(self, vm: &mut Vm) -> Value {
        match self {
            Some(x) => x.into_value(vm),
            None => Value::Bool(false),
        }
    }
}

impl IntoValue for () {
    /// The unspecified value.
    fn into_value(self, _vm: &mut Vm) -> Value {
        Value::Unspecified
    }
}

// ---- results --------------------------------------------------------------------------------

/// What a registered closure may return: any [`IntoValue`], `Result<T, E>` with
/// `E: Display` (an `Err` raises a Scheme error `"NAME: MESSAGE"`), or `Result<T, Error>`
/// (an `Err` is raised as is, for full control over the condition's kind and irritants).
pub trait IntoNativeResult {
    /// Converts the closure's result for the procedure named `who`.
    fn into_native_result(self, vm: &mut Vm, who: &str) -> NResult;
}

impl<T: IntoValue> IntoNativeResult for T {
    fn into_native_result(self, vm: &mut Vm, _who: &str) -> NResult {
        Ok(self.into_value(vm))
    }
}

impl<T: IntoValue, E: Display> IntoNativeResult for Result<T, E> {
    fn into_native_result(self, vm: &mut Vm, who: &str) -> NResult {
        match self {
            Ok(x) => Ok(x.into_value(vm)),
            Err(e) => Err(Error::msg(format!("{who}: {e}"))),
        }
    }
}

impl<T: IntoValue> IntoNativeResult for Result<T, Error> {
    fn into_native_result(self, vm: &mut Vm, _who: &str) -> NResult {
        self.map(|x| x.into_value(vm))
    }
}

// ---- closures -------------------------------------------------------------------------------

/// The dynamically typed form every registered closure is turned into.
pub type DynNative = Rc<dyn Fn(&mut Vm, &[Value]) -> NResult>;

/// A Rust closure that can be registered as a Scheme procedure. `Args` is the tuple of its
/// argument types; it is implemented for `Fn(A1, ..., An) -> R` with `n <= 6`, every
/// `Ai: FromValue` and `R: IntoNativeResult`.
pub trait IntoNative<Args> {
    /// The number of arguments.
    const ARITY: usize;
    /// Wraps the closure: converts and checks arguments, converts the result; error
    /// messages name the procedure `name`.
    fn into_native(self, name: &str) -> DynNative;
}

/// A Rust closure that also receives the VM (to allocate, inspect the heap, or call
/// Scheme procedures with [`Vm::apply`]): `Fn(&mut Vm, A1, ..., An) -> R` with `n <= 6`.
pub trait IntoNativeVm<Args> {
    /// The number of Scheme arguments (not counting the VM).
    const ARITY: usize;
    /// Wraps the closure like [`IntoNative::into_native`].
    fn into_native(self, name: &str) -> DynNative;
}

/// Converts argument `k` (0-based) for procedure `who`.
fn arg<T: FromValue>(vm: &Vm, who: &str, args: &[Value], k: usize) -> NResult<T> {
    T::from_value(vm, args[k])
        .map_err(|what| Error::wrong_type(who, &format!("{what} (argument {})", k + 1), args[k]))
}

macro_rules! impl_into_native {
    ($n:expr; $($a:ident $k:tt),*) => {
        impl<F, R, $($a,)*> IntoNative<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R + 'static,
            R: IntoNativeResult,
            $($a: FromValue + 'static,)*
        {
            const ARITY: usize = $n;
            #[allow(unused_variables)]
            fn into_native(self, name: &str) -> DynNative {
                let name: Rc<str> = Rc::from(name);
                Rc::new(move |vm: &mut Vm, args: &[Value]| {
                    if args.len() != $n {
                        return Err(Error::with(
                            "arity-error",
                            format!("{name}: expected {} arguments, got {}", $n, args.len()),
                            vec![],
                        ));
                    }
                    let r = (self)($(arg::<$a>(vm, &name, args, $k)?),*);
                    r.into_native_result(vm, &name)
                })
            }
        }

        impl<F, R, $($a,)*> IntoNativeVm<($($a,)*)> for F
        where
            F: Fn(&mut Vm, $($a),*) -> R + 'static,
            R: IntoNativeResult,
            $($a: FromValue + 'static,)*
        {
            const ARITY: usize = $n;
            #[allow(unused_variables)]
            fn into_native(self, name: &str) -> DynNative {
                let name: Rc<str> = Rc::from(name);
                Rc::new(move |vm: &mut Vm, args: &[Value]| {
                    if args.len() != $n {
                        return Err(Error::with(
                            "arity-error",
                            format!("{name}: expected {} arguments, got {}", $n, args.len()),
                            vec![],
                        ));
                    }
                    $(let $a = arg::<$a>(vm, &name, args, $k)?;)*
                    let r = (self)(vm, $($a),*);
                    r.into_native_result(vm, &name)
                })
            }
        }
    };
}

#[allow(non_snake_case)]
mod impls {
    use super::*;
    impl_into_native!(0;);
    impl_into_native!(1; A1 0);
    impl_into_native!(2; A1 0, A2 1);
    impl_into_native!(3; A1 0, A2 1, A3 2);
    impl_into_native!(4; A1 0, A2 1, A3 2, A4 3);
    impl_into_native!(5; A1 0, A2 1, A3 2, A4 3, A5 4);
    impl_into_native!(6; A1 0, A2 1, A3 2, A4 3, A5 4, A6 5);
}

// ---- registration ---------------------------------------------------------------------------

impl Registry<'_> {
    /// Binds `name` to a typed Rust closure (see [`IntoNative`]): the procedure takes
    /// exactly as many arguments as the closure, converted with [`FromValue`].
    pub fn register_fn<Args, F: IntoNative<Args>>(&mut self, name: &str, f: F) {
        self.closure(name, F::ARITY, Some(F::ARITY), f.into_native(name));
    }

    /// Like [`Registry::register_fn`] for closures whose first parameter is `&mut Vm`.
    pub fn register_fn_vm<Args, F: IntoNativeVm<Args>>(&mut self, name: &str, f: F) {
        self.closure(name, F::ARITY, Some(F::ARITY), f.into_native(name));
    }
}

/// A value rooted by [`Interpreter::keep`]: the collector will not free it (or anything it
/// refers to) until it is given back to [`Interpreter::release`]. Dropping a `Kept` without
/// releasing it keeps the value alive for the interpreter's lifetime.
#[derive(Debug)]
#[must_use = "a kept value stays rooted until released"]
pub struct Kept {
    index: usize,
    value: Value,
}

impl Kept {
    /// The kept value.
    pub fn value(&self) -> Value {
        self.value
    }
}

impl Interpreter {
    fn define_dyn(&mut self, name: &str, arity: usize, f: DynNative) {
        let v = self.vm.heap.alloc(Object::Native(Rc::new(Native {
            name: Rc::from(name),
            min: arity,
            max: Some(arity),
            f: NativeFn::Dyn(f),
        })));
        self.define(name, v);
    }

    /// Binds the top-level procedure `name` to a typed Rust closure, for example
    /// `interp.register_fn("rust-add", |a: i64, b: i64| a + b)`. See [`IntoNative`] for
    /// the closures accepted and [`FromValue`]/[`IntoValue`] for the types.
    pub fn register_fn<Args, F: IntoNative<Args>>(&mut self, name: &str, f: F) {
        self.define_dyn(name, F::ARITY, f.into_native(name));
    }

    /// Like [`Interpreter::register_fn`] for closures whose first parameter is `&mut Vm`.
    pub fn register_fn_vm<Args, F: IntoNativeVm<Args>>(&mut self, name: &str, f: F) {
        self.define_dyn(name, F::ARITY, f.into_native(name));
    }

    /// Converts a Rust value to a Scheme value.
    pub fn to_value(&mut self, x: impl IntoValue) -> Value {
        x.into_value(&mut self.vm)
    }

    /// Converts a Scheme value to a Rust value; a mismatch is a `type-error`.
    pub fn from_value<T: FromValue>(&self, v: Value) -> Result<T, SchemeError> {
        T::from_value(&self.vm, v).map_err(|what| SchemeError {
            kind: "type-error".into(),
            message: format!("expected {what}, got {}", self.write(v)),
            span: None,
            trace: vec![],
        })
    }

    /// Calls the top-level procedure `name` with Rust arguments (already converted with
    /// [`Interpreter::to_value`]) and converts its result to `R`.
    pub fn call_fn<R: FromValue>(&mut self, name: &str, args: &[Value]) -> Result<R, SchemeError> {
        let v = self.call_global(name, args)?;
        self.from_value(v)
    }

    /// Roots `v` so it survives collections while Rust holds it between evaluations.
    /// (Only heap objects need rooting; other values are returned in a `Kept` as is.)
    pub fn keep(&mut self, v: Value) -> Kept {
        if !matches!(v, Value::Obj(_)) {
            return Kept {
                index: usize::MAX,
                value: v,
            };
        }
        let roots = &mut self.vm.roots;
        let index = match roots.iter().position(|r| matches!(r, Value::Undefined)) {
            Some(i) => {
                roots[i] = v;
                i
            }
            None => {
                roots.push(v);
                roots.len() - 1
            }
        };
        Kept { index, value: v }
    }

    /// Unroots a value kept with [`Interpreter::keep`] (on this interpreter) and returns it.
    /// It stays valid until the next evaluation or call.
    pub fn release(&mut self, k: Kept) -> Value {
        let roots = &mut self.vm.roots;
        if let Some(slot) = roots.get_mut(k.index) {
            *slot = Value::Undefined;
        }
        while matches!(roots.last(), Some(Value::Undefined)) {
            roots.pop();
        }
        k.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interp() -> Interpreter {
        Interpreter::new()
    }

    fn eval(i: &mut Interpreter, src: &str) -> String {
        match i.eval_str(src) {
            Ok(v) => i.write(v),
            Err(e) => format!("error[{}]: {}", e.kind, e.message),
        }
    }

    fn roundtrip<T: IntoValue + FromValue + PartialEq + std::fmt::Debug + Clone>(
        i: &mut Interpreter,
        x: T,
    ) {
        let v = i.to_value(x.clone());
        assert_eq!(i.from_value::<T>(v).unwrap(), x);
    }

    #[test]
    fn register_conversions_roundtrip() {
        let i = &mut interp();
        roundtrip(i, 42i64);
        roundtrip(i, -7i32);
        roundtrip(i, 7u32);
        roundtrip(i, 12usize);
        roundtrip(i, 1.5f64);
        roundtrip(i, true);
        roundtrip(i, false);
        roundtrip(i, '\u{3bb}');
        roundtrip(i, "h\u{e9}llo".to_string());
        roundtrip(i, vec![1u8, 2, 255]);
        roundtrip(i, vec![1i64, 2, 3]);
        roundtrip(i, vec!["a".to_string(), "b".to_string()]);
        roundtrip(i, Some(3i64));
        roundtrip(i, None::<i64>);
        roundtrip(i, vec![vec![1i64], vec![]]);
    }

    #[test]
    fn register_conversions_to_scheme() {
        let mut i = interp();
        let cases: Vec<(Value, &str)> = vec![
            (i.to_value(5i64), "5"),
            (i.to_value(2.5f64), "2.5"),
            (i.to_value(true), "#t"),
            (i.to_value('a'), "#\\a"),
            (i.to_value("hi"), "\"hi\""),
            (i.to_value(vec![1u8, 2]), "#u8(1 2)"),
            (i.to_value(vec![1i64, 2]), "(1 2)"),
            (i.to_value(None::<String>), "#f"),
            (i.to_value(Some('x')), "#\\x"),
            (i.to_value(usize::MAX), "18446744073709551615"),
        ];
        for (v, want) in cases {
            assert_eq!(i.write(v), want);
        }
        assert!(matches!(i.to_value(()), Value::Unspecified));
        let s = i.to_value("x");
        assert!(i.to_value(s).eq(s));
    }

    #[test]
    fn register_conversions_from_scheme() {
        let mut i = interp();
        let v = i.eval_str("3").unwrap();
        assert_eq!(i.from_value::<f64>(v).unwrap(), 3.0);
        let v = i.eval_str("'(1 2 3)").unwrap();
        assert_eq!(i.from_value::<Vec<i64>>(v).unwrap(), vec![1, 2, 3]);
        let v = i.eval_str("'#(1 2 3)").unwrap();
        assert_eq!(i.from_value::<Vec<i64>>(v).unwrap(), vec![1, 2, 3]);
        let v = i.eval_str("#f").unwrap();
        assert_eq!(i.from_value::<Option<String>>(v).unwrap(), None);
        let v = i.eval_str("-1").unwrap();
        let e = i.from_value::<usize>(v).unwrap_err();
        assert_eq!(e.kind, "type-error");
        assert_eq!(e.message, "expected a non-negative integer, got -1");
        let v = i.eval_str("5000000000").unwrap();
        assert!(i.from_value::<i32>(v).is_err());
        assert!(i.from_value::<u32>(v).is_err());
        assert_eq!(i.from_value::<i64>(v).unwrap(), 5_000_000_000);
        let v = i.eval_str("1").unwrap();
        assert!(i.from_value::<bool>(v).is_err());
        assert!(i.from_value::<String>(v).is_err());
        let v = i.eval_str("'(1 \"x\")").unwrap();
        let e = i.from_value::<Vec<i64>>(v).unwrap_err();
        assert_eq!(
            e.message,
            "expected a list or vector of elements each an integer, got (1 \"x\")"
        );
    }

    #[test]
    fn register_fn_calls() {
        let mut i = interp();
        i.register_fn("rust-add", |a: i64, b: i64| a + b);
        i.register_fn("shout", |s: String| s.to_uppercase());
        i.register_fn("answer", || 42i64);
        i.register_fn("sum-all", |xs: Vec<f64>| xs.iter().sum::<f64>());
        i.register_fn("maybe-len", |s: Option<String>| s.map(|s| s.len()));
        i.register_fn("six", |a: i64, b: i64, c: i64, d: i64, e: i64, f: i64| {
            vec![a, b, c, d, e, f]
        });
        i.register_fn("nothing", |_: Value| ());
        assert_eq!(eval(&mut i, "(rust-add 1 2)"), "3");
        assert_eq!(eval(&mut i, "(shout \"hey\")"), "\"HEY\"");
        assert_eq!(eval(&mut i, "(answer)"), "42");
        assert_eq!(eval(&mut i, "(sum-all '(1 2.5))"), "3.5");
        assert_eq!(eval(&mut i, "(sum-all '#(1 2))"), "3.0");
        assert_eq!(eval(&mut i, "(maybe-len \"abc\")"), "3");
        assert_eq!(eval(&mut i, "(maybe-len #f)"), "#f");
        assert_eq!(eval(&mut i, "(six 1 2 3 4 5 6)"), "(1 2 3 4 5 6)");
        assert_eq!(eval(&mut i, "(map rust-add '(1 2) '(10 20))"), "(11 22)");
        assert!(matches!(i.eval_str("(nothing 1)"), Ok(Value::Unspecified)));
    }

    #[test]
    fn register_fn_arity_errors() {
        let mut i = interp();
        i.register_fn("rust-add", |a: i64, b: i64| a + b);
        assert_eq!(
            eval(&mut i, "(rust-add 1)"),
            "error[arity-error]: rust-add: expected 2 arguments, got 1"
        );
        assert_eq!(
            eval(&mut i, "(apply rust-add '(1 2 3))"),
            "error[arity-error]: rust-add: expected 2 arguments, got 3"
        );
        // The wrapper checks too, for callers that bypass the VM's check.
        let f = IntoNative::<(i64,)>::into_native(|x: i64| x, "direct");
        let e = f(&mut i.vm, &[]).err().unwrap();
        assert!(matches!(e, Error::Msg(_, ref m, _) if m == "direct: expected 1 arguments, got 0"));
    }

    #[test]
    fn register_fn_type_errors() {
        let mut i = interp();
        i.register_fn("add1", |a: i64| a + 1);
        i.register_fn("pick", |_a: i64, b: String| b);
        i.register_fn("small", |a: u32| a);
        assert_eq!(
            eval(&mut i, "(add1 \"x\")"),
            "error[type-error]: add1: expected an integer (argument 1), got \"x\""
        );
        assert_eq!(
            eval(&mut i, "(pick 1 'sym)"),
            "error[type-error]: pick: expected a string (argument 2), got sym"
        );
        assert_eq!(
            eval(&mut i, "(small -1)"),
            "error[type-error]: small: expected a non-negative integer in 32-bit range \
             (argument 1), got -1"
        );
    }

    #[test]
    fn register_fn_result_errors() {
        let mut i = interp();
        i.register_fn("safe-div", |a: i64, b: i64| {
            if b == 0 {
                Err("division by zero")
            } else {
                Ok(a / b)
            }
        });
        i.register_fn("custom", |x: Value| -> Result<i64, Error> {
            Err(Error::with("range-error", "custom: out of range", vec![x]))
        });
        assert_eq!(eval(&mut i, "(safe-div 7 2)"), "3");
        let e = i.eval_str("(safe-div 1 0)").unwrap_err();
        assert_eq!(e.kind, "error");
        assert_eq!(e.message, "safe-div: division by zero");
        assert_eq!(
            eval(
                &mut i,
                "(guard (e ((error-object? e) (error-object-message e))) (safe-div 1 0))"
            ),
            "\"safe-div: division by zero\""
        );
        assert_eq!(
            eval(&mut i, "(custom 5)"),
            "error[range-error]: custom: out of range 5"
        );
    }

    #[test]
    fn register_fn_vm_and_native_library() {
        let mut i = interp();
        i.register_fn_vm("twice", |vm: &mut Vm, f: Value, x: Value| {
            let y = vm.apply(f, &[x]).map_err(|_| Error::msg("twice: failed"))?;
            vm.apply(f, &[y]).map_err(|_| Error::msg("twice: failed"))
        });
        assert_eq!(eval(&mut i, "(twice (lambda (x) (* x 3)) 2)"), "18");
        i.define_native_library("demo math", |reg| {
            reg.register_fn("square", |x: i64| x * x);
            reg.register_fn_vm("pair-up", |vm: &mut Vm, a: Value, b: Value| {
                vm.heap.cons(a, b)
            });
        });
        assert_eq!(
            eval(&mut i, "(import (demo math)) (pair-up (square 4) 1)"),
            "(16 . 1)"
        );
    }

    #[test]
    fn register_call_scheme_from_rust() {
        let mut i = interp();
        i.eval_str("(define (scale xs k) (map (lambda (x) (* x k)) xs))")
            .unwrap();
        let xs = i.to_value(vec![1i64, 2, 3]);
        let k = i.to_value(10i64);
        let r: Vec<i64> = i.call_fn("scale", &[xs, k]).unwrap();
        assert_eq!(r, vec![10, 20, 30]);
        let f = i.eval_str("(lambda (a b) (cons b a))").unwrap();
        let a = i.to_value('a');
        let b = i.to_value(2.5f64);
        let r = i.call(f, &[a, b]).unwrap();
        assert_eq!(i.write(r), "(2.5 . #\\a)");
        let e = i.call_fn::<i64>("scale", &[k]).unwrap_err();
        assert_eq!(e.kind, "arity-error");
        let xs = i.to_value(vec![1i64]);
        let e = i.call_fn::<String>("scale", &[xs, k]).unwrap_err();
        assert_eq!(e.kind, "type-error");
        assert_eq!(e.message, "expected a string, got (10)");
        let e = i.call_fn::<i64>("no-such-procedure", &[]).unwrap_err();
        assert_eq!(e.kind, "unbound-variable");
    }

    #[test]
    fn register_keep_survives_gc() {
        let mut i = interp();
        let v = i.eval_str("(cons (cons 1 2) (cons 3 '()))").unwrap();
        let k = i.keep(v);
        let s = i.to_value("other".to_string());
        let k2 = i.keep(s);
        let unkept = i.eval_str("(cons 'gone 'soon)").unwrap();
        i.eval_str("(let loop ((n 0)) (if (< n 1000) (begin (cons n n) (loop (+ n 1)))))")
            .unwrap();
        i.eval_str("(gc)").unwrap();
        // The unrooted value was collected; the kept ones were not.
        assert!(matches!(i.vm.heap.obj(unkept), Some(Object::Free)));
        // Allocate objects that would reuse freed slots.
        i.eval_str("(define junk (map (lambda (x) (cons x x)) '(1 2 3 4 5 6 7 8 9 10)))")
            .unwrap();
        assert_eq!(i.write(k.value()), "((1 . 2) 3)");
        assert_eq!(i.write(k2.value()), "\"other\"");
        assert_eq!(i.vm.roots.len(), 2);
        i.release(k);
        let k3 = i.keep(v);
        assert_eq!(k3.index, 0);
        let k4 = i.keep(Value::Int(1));
        assert_eq!(i.vm.roots.len(), 2);
        assert!(i.release(k4).eq(Value::Int(1)));
        i.release(k2);
        assert_eq!(i.vm.roots.len(), 1);
        i.release(k3);
        assert!(i.vm.roots.is_empty());
    }
}
