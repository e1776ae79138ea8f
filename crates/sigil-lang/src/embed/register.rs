//! Registering Rust closures as Scheme procedures, and converting values between Rust and
//! Scheme from the embedding program.
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
//! A closure is the closure form of a `#[native]` function: its parameters convert with
//! [`FromValue`] (`Option<T>` is an optional argument, a last [`Rest<T>`] takes the rest),
//! its result with [`NativeResult`], and the errors name the procedure and the argument.
//! Closures may capture state; `#[native]` functions are plain function pointers, which
//! the VM calls a little faster.

use crate::embed::interp::Interpreter;
use crate::embed::SchemeError;
use crate::natives::args::{arg, finish, guard, opt_arg, rest};
use crate::natives::{FromValue, IntoValue, NativeResult, Registry, Rest};
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::native::{Arity, ClosureFn};
use crate::run::roots::Kept;
use crate::run::value::{NResult, Value};
use std::panic::AssertUnwindSafe;
use std::rc::Rc;

/// How a closure parameter takes its argument.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ParamKind {
    /// Always given.
    Required,
    /// `Option<T>`: may be left out.
    Optional,
    /// `Rest<T>`: all remaining arguments.
    Rest,
}

/// A type a registered closure can take as a parameter: any owned [`FromValue`] type, an
/// optional argument (`Option<T>`), or the rest of the arguments (`Rest<T>`).
pub trait Param: Sized {
    /// How the parameter takes its argument.
    const KIND: ParamKind;
    /// Converts argument `k` (or the arguments from `k` on) of a call of `name`.
    fn take(heap: &Heap, args: &[Value], k: usize, name: &str, arity: Arity) -> NResult<Self>;
}

impl<T: for<'h> FromValue<'h>> Param for T {
    const KIND: ParamKind = ParamKind::Required;
    fn take(heap: &Heap, args: &[Value], k: usize, name: &str, arity: Arity) -> NResult<Self> {
        arg(heap, args, k, name, arity)
    }
}

impl<T: for<'h> FromValue<'h>> Param for Option<T> {
    const KIND: ParamKind = ParamKind::Optional;
    fn take(heap: &Heap, args: &[Value], k: usize, name: &str, arity: Arity) -> NResult<Self> {
        opt_arg(heap, args, k, name, arity)
    }
}

impl<T: for<'h> FromValue<'h>> Param for Rest<T> {
    const KIND: ParamKind = ParamKind::Rest;
    fn take(heap: &Heap, args: &[Value], k: usize, name: &str, arity: Arity) -> NResult<Self> {
        rest(heap, args, k, name, arity)
    }
}

/// The arity of a closure with parameters of these kinds: the required ones before the
/// last optional or rest one are needed, the rest may be left out.
fn arity_of(kinds: &[ParamKind]) -> Arity {
    let needed = kinds
        .iter()
        .rposition(|k| *k == ParamKind::Required)
        .map_or(0, |i| i + 1);
    if kinds.last() == Some(&ParamKind::Rest) {
        Arity::at_least(needed)
    } else {
        Arity::between(needed, kinds.len())
    }
}

/// A Rust closure that can be registered as a Scheme procedure: `Fn(A1, ..., An) -> R`
/// with `n <= 6`, every `Ai: Param` and `R: NativeResult`. `Args` is the tuple of its
/// parameter types.
pub trait IntoNative<Args> {
    /// The argument counts the procedure accepts.
    fn arity() -> Arity;
    /// Wraps the closure for the procedure named `name`.
    fn into_native(self, name: &str) -> ClosureFn;
}

/// A Rust closure that also receives the native's context (to allocate, keep host data,
/// or call Scheme procedures with [`Ctx::apply`]): `Fn(&mut Ctx, A1, ..., An) -> R`.
pub trait IntoNativeCtx<Args> {
    /// The argument counts the procedure accepts (the context is not one).
    fn arity() -> Arity;
    /// Wraps the closure for the procedure named `name`.
    fn into_native(self, name: &str) -> ClosureFn;
}

macro_rules! impl_into_native {
    ($($a:ident $k:tt),*) => {
        impl<F, R, $($a,)*> IntoNative<($($a,)*)> for F
        where
            F: Fn($($a),*) -> R + 'static,
            R: NativeResult,
            $($a: Param + 'static,)*
        {
            fn arity() -> Arity {
                arity_of(&[$($a::KIND),*])
            }
            #[allow(unused_variables)]
            fn into_native(self, name: &str) -> ClosureFn {
                let name: Rc<str> = Rc::from(name);
                let arity = <Self as IntoNative<($($a,)*)>>::arity();
                Rc::new(move |ctx: &mut Ctx, args: &[Value]| {
                    $(let $a = $a::take(ctx.heap(), args, $k, &name, arity)?;)*
                    let r = guard(&name, AssertUnwindSafe(|| (self)($($a),*)));
                    finish(r, ctx, &name)
                })
            }
        }

        impl<F, R, $($a,)*> IntoNativeCtx<($($a,)*)> for F
        where
            F: Fn(&mut Ctx, $($a),*) -> R + 'static,
            R: NativeResult,
            $($a: Param + 'static,)*
        {
            fn arity() -> Arity {
                arity_of(&[$($a::KIND),*])
            }
            #[allow(unused_variables)]
            fn into_native(self, name: &str) -> ClosureFn {
                let name: Rc<str> = Rc::from(name);
                let arity = <Self as IntoNativeCtx<($($a,)*)>>::arity();
                Rc::new(move |ctx: &mut Ctx, args: &[Value]| {
                    $(let $a = $a::take(ctx.heap(), args, $k, &name, arity)?;)*
                    let r = guard(&name, AssertUnwindSafe(|| (self)(ctx, $($a),*)));
                    finish(r, ctx, &name)
                })
            }
        }
    };
}

#[allow(non_snake_case)]
mod impls {
    use super::*;
    impl_into_native!();
    impl_into_native!(A1 0);
    impl_into_native!(A1 0, A2 1);
    impl_into_native!(A1 0, A2 1, A3 2);
    impl_into_native!(A1 0, A2 1, A3 2, A4 3);
    impl_into_native!(A1 0, A2 1, A3 2, A4 3, A5 4);
    impl_into_native!(A1 0, A2 1, A3 2, A4 3, A5 4, A6 5);
}

impl Registry<'_> {
    /// Binds `name` to a typed Rust closure (see [`IntoNative`]).
    pub fn register_fn<Args, F: IntoNative<Args>>(&mut self, name: &str, f: F) {
        self.closure(name, F::arity(), f.into_native(name));
    }

    /// Like [`Registry::register_fn`] for closures whose first parameter is `&mut Ctx`.
    pub fn register_fn_ctx<Args, F: IntoNativeCtx<Args>>(&mut self, name: &str, f: F) {
        self.closure(name, F::arity(), f.into_native(name));
    }
}

impl Interpreter {
    /// Binds the top-level procedure `name` to a typed Rust closure, for example
    /// `interp.register_fn("rust-add", |a: i64, b: i64| a + b)`. See [`IntoNative`] for
    /// the closures accepted and [`FromValue`]/[`IntoValue`] for the types.
    pub fn register_fn<Args, F: IntoNative<Args>>(&mut self, name: &str, f: F) {
        self.at_top_level(|reg| reg.register_fn(name, f));
    }

    /// Like [`Interpreter::register_fn`] for closures whose first parameter is `&mut Ctx`.
    pub fn register_fn_ctx<Args, F: IntoNativeCtx<Args>>(&mut self, name: &str, f: F) {
        self.at_top_level(|reg| reg.register_fn_ctx(name, f));
    }

    /// Converts a Rust value to a Scheme value.
    pub fn to_value(&mut self, x: impl IntoValue) -> Value {
        x.into_value(&mut Ctx::new(&mut self.vm))
    }

    /// Converts a Scheme value to a Rust value; a mismatch is a `type-error`.
    pub fn from_value<T: for<'h> FromValue<'h>>(&self, v: Value) -> Result<T, SchemeError> {
        T::from_value(&self.vm.heap, v).ok_or_else(|| SchemeError {
            kind: "type-error".into(),
            message: format!("expected {}, got {}", T::expected(), self.write(v)),
            location: None,
            trace: vec![],
            exit: None,
        })
    }

    /// Calls the top-level procedure `name` with Rust arguments (already converted with
    /// [`Interpreter::to_value`]) and converts its result to `R`.
    pub fn call_fn<R: for<'h> FromValue<'h>>(
        &mut self,
        name: &str,
        args: &[Value],
    ) -> Result<R, SchemeError> {
        let v = self.call_global(name, args)?;
        self.from_value(v)
    }

    /// Roots `v` so it survives collections while Rust holds it between evaluations.
    /// (Only heap objects need rooting; other values are returned in a `Kept` as is.)
    pub fn keep(&mut self, v: Value) -> Kept {
        self.vm.keep(v)
    }

    /// Unroots a value kept with [`Interpreter::keep`] (on this interpreter) and returns it.
    /// It stays valid until the next evaluation or call.
    pub fn release(&mut self, k: Kept) -> Value {
        self.vm.release(k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Error, Object};

    fn interp() -> Interpreter {
        Interpreter::new()
    }

    fn eval(i: &mut Interpreter, src: &str) -> String {
        match i.eval_str(src) {
            Ok(v) => i.write(v),
            Err(e) => format!("error[{}]: {}", e.kind, e.message),
        }
    }

    fn roundtrip<T: IntoValue + for<'h> FromValue<'h> + PartialEq + std::fmt::Debug + Clone>(
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
        i.register_fn("sum-rest", |first: i64, rest: Rest<i64>| {
            first + rest.iter().sum::<i64>()
        });
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
        assert_eq!(eval(&mut i, "(maybe-len)"), "#f");
        assert_eq!(eval(&mut i, "(sum-rest 1)"), "1");
        assert_eq!(eval(&mut i, "(sum-rest 1 2 3)"), "6");
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
        i.register_fn("opt", |a: i64, b: Option<i64>| a + b.unwrap_or(0));
        i.register_fn("many", |a: i64, _rest: Rest<Value>| a);
        i.register_fn("one", |a: i64| a);
        assert_eq!(
            eval(&mut i, "(opt)"),
            "error[arity-error]: opt: expected 1 to 2 arguments, got 0"
        );
        assert_eq!(
            eval(&mut i, "(many)"),
            "error[arity-error]: many: expected at least 1 argument, got 0"
        );
        assert_eq!(
            eval(&mut i, "(one 1 2)"),
            "error[arity-error]: one: expected 1 argument, got 2"
        );
    }

    #[test]
    fn register_fn_type_errors() {
        let mut i = interp();
        i.register_fn("add1", |a: i64| a + 1);
        i.register_fn("pick", |_a: i64, b: String| b);
        i.register_fn("small", |a: u32| a);
        assert_eq!(
            eval(&mut i, "(add1 \"x\")"),
            "error[type-error]: add1: expected an integer, got \"x\""
        );
        assert_eq!(
            eval(&mut i, "(pick 1 'sym)"),
            "error[type-error]: pick: expected a string (argument 2), got sym"
        );
        assert_eq!(
            eval(&mut i, "(small -1)"),
            "error[type-error]: small: expected a non-negative integer in 32-bit range, got -1"
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
        i.register_fn("named", |x: Value| -> Result<i64, Error> {
            Err(Error::range("too far").with_irritants(vec![x]))
        });
        assert_eq!(
            eval(&mut i, "(named 7)"),
            "error[range-error]: named: too far 7"
        );
    }

    #[test]
    fn register_fn_panics_become_errors() {
        let mut i = interp();
        i.register_fn("boom", |n: i64| -> i64 {
            if n > 0 {
                panic!("n was {n}");
            }
            n
        });
        let e = i.eval_str("(boom 3)").unwrap_err();
        assert_eq!(e.kind, "error");
        assert_eq!(e.message, "boom: the Rust function panicked: n was 3");
        // The interpreter is still usable, and Scheme code can catch the error.
        assert_eq!(eval(&mut i, "(boom 0)"), "0");
        assert_eq!(eval(&mut i, "(guard (e (#t 'caught)) (boom 1))"), "caught");
    }

    #[test]
    fn register_fn_ctx_and_native_library() {
        let mut i = interp();
        i.register_fn_ctx("twice", |ctx: &mut Ctx, f: Value, x: Value| {
            let y = ctx.apply(f, &[x])?;
            ctx.apply(f, &[y])
        });
        assert_eq!(eval(&mut i, "(twice (lambda (x) (* x 3)) 2)"), "18");
        // An error inside the procedure it calls reaches the caller's handlers.
        assert_eq!(
            eval(&mut i, "(guard (e (#t (condition-kind e))) (twice car 5))"),
            "type-error"
        );
        // A continuation from outside cannot jump out of the call Rust made: the Rust
        // function is still running.
        assert_eq!(
            eval(
                &mut i,
                "(call/cc (lambda (k) (twice (lambda (x) (k 1)) 2)))"
            ),
            "error[error]: continuation: cannot jump out of a procedure called from Rust"
        );
        // One captured inside it may be used there.
        assert_eq!(
            eval(
                &mut i,
                "(twice (lambda (x) (+ 1 (call/cc (lambda (k) (k (* x 10)))))) 1)"
            ),
            "111"
        );
        i.define_native_library("demo math", |reg| {
            reg.register_fn("square", |x: i64| x * x);
            reg.register_fn_ctx("pair-up", |ctx: &mut Ctx, a: Value, b: Value| {
                ctx.cons(a, b)
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
