//! Conversions between Scheme values and Rust values: [`FromValue`] for a native's
//! arguments, [`IntoValue`] and [`NativeResult`] for its result. The types that only
//! borrow from the heap (`&str`, `&[u8]`, `&[Value]`, `&T` of an opaque object) cost no
//! copy; a native that takes one cannot also take `&mut Ctx` (the borrow checker says so).

use crate::read::number_syntax::Number;
use crate::read::symbol::Symbol;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{Error, NResult, NativeObject, Str, Value};
use num_bigint::BigInt;
use std::borrow::Cow;
use std::fmt::Display;
use std::marker::PhantomData;
use std::ops::Deref;

/// Converts a Scheme value into a Rust value (a native's argument). `'h` is the heap
/// borrow the result may keep (`&'h str`, say); owned results ignore it.
pub trait FromValue<'h>: Sized {
    /// The Rust value for `v`; `None` when `v` is not of the type.
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self>;

    /// What the conversion accepts, with an article (`"a string"`), for the message
    /// `f: expected a string (argument 2), got 5`.
    fn expected() -> Cow<'static, str>;
}

/// A heap object a native may change, taken as its one `&mut T` parameter.
pub trait FromValueMut {
    /// The object behind `v`, to change it; `None` when `v` is not of the type.
    fn from_value_mut<'c>(ctx: &'c mut Ctx, v: Value) -> Option<&'c mut Self>;

    /// What the conversion accepts, with an article, for error messages.
    fn expected() -> Cow<'static, str>;
}

impl FromValueMut for String {
    fn from_value_mut<'c>(ctx: &'c mut Ctx, v: Value) -> Option<&'c mut Self> {
        ctx.string_mut(v)
    }
    fn expected() -> Cow<'static, str> {
        "a string".into()
    }
}

impl FromValueMut for Str {
    /// A string object, to change it through [`Str`]'s methods (which keep what is known
    /// of its text).
    fn from_value_mut<'c>(ctx: &'c mut Ctx, v: Value) -> Option<&'c mut Self> {
        match ctx.vm.heap.obj_mut(v) {
            Some(crate::run::value::Object::Str(s)) => Some(s),
            _ => None,
        }
    }
    fn expected() -> Cow<'static, str> {
        "a string".into()
    }
}

impl FromValueMut for [u8] {
    /// A bytevector's bytes.
    fn from_value_mut<'c>(ctx: &'c mut Ctx, v: Value) -> Option<&'c mut Self> {
        ctx.bytes_mut(v).map(Vec::as_mut_slice)
    }
    fn expected() -> Cow<'static, str> {
        "a bytevector".into()
    }
}

impl FromValueMut for [Value] {
    /// A vector's elements.
    fn from_value_mut<'c>(ctx: &'c mut Ctx, v: Value) -> Option<&'c mut Self> {
        ctx.vector_mut(v).map(Vec::as_mut_slice)
    }
    fn expected() -> Cow<'static, str> {
        "a vector".into()
    }
}

impl<T: NativeObject> FromValueMut for T {
    /// The Rust value inside an opaque object of type `T`.
    fn from_value_mut<'c>(ctx: &'c mut Ctx, v: Value) -> Option<&'c mut Self> {
        ctx.opaque_mut(v)
    }
    fn expected() -> Cow<'static, str> {
        <T as NativeObject>::expected().into()
    }
}

/// Converts a Rust value into a Scheme value (a native's result).
pub trait IntoValue {
    /// The Scheme value, allocated with `ctx` when it needs the heap.
    fn into_value(self, ctx: &mut Ctx) -> Value;
}

/// What a native (or a registered closure) may return: any [`IntoValue`];
/// `Result<T, Error>` (the error is raised; one made by [`Error::new`] gets the
/// procedure's name in front); or `Result<T, E>` with `E: Display` (raised as an `error`
/// whose message is the procedure's name and `E`'s text).
pub trait NativeResult {
    /// The value to return, or the error to raise.
    fn into_result(self, ctx: &mut Ctx) -> NResult;
}

impl<T: IntoValue> NativeResult for T {
    fn into_result(self, ctx: &mut Ctx) -> NResult {
        Ok(self.into_value(ctx))
    }
}

impl<T: IntoValue> NativeResult for Result<T, Error> {
    fn into_result(self, ctx: &mut Ctx) -> NResult {
        self.map(|x| x.into_value(ctx))
    }
}

impl<T: IntoValue, E: Display> NativeResult for Result<T, E> {
    fn into_result(self, ctx: &mut Ctx) -> NResult {
        match self {
            Ok(x) => Ok(x.into_value(ctx)),
            Err(e) => Err(Error::new("error", e.to_string())),
        }
    }
}

/// "a list of each ..." descriptions: the container alone when any element will do.
fn of_elements(container: &str, element: Cow<'static, str>) -> Cow<'static, str> {
    if element == <Value as FromValue>::expected() {
        Cow::Owned(container.to_string())
    } else {
        Cow::Owned(format!("{container} of elements each {element}"))
    }
}

// ---- values, booleans, characters, symbols ------------------------------------------------

impl FromValue<'_> for Value {
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        Some(v)
    }
    fn expected() -> Cow<'static, str> {
        "any value".into()
    }
}

impl IntoValue for Value {
    fn into_value(self, _: &mut Ctx) -> Value {
        self
    }
}

/// `FromValue` and `IntoValue` for types that are exactly one `Value` variant.
macro_rules! variant_conversion {
    ($t:ty, $variant:ident, $name:expr) => {
        impl FromValue<'_> for $t {
            #[inline]
            fn from_value(_: &Heap, v: Value) -> Option<Self> {
                match v {
                    Value::$variant(x) => Some(x),
                    _ => None,
                }
            }
            fn expected() -> Cow<'static, str> {
                $name.into()
            }
        }

        impl IntoValue for $t {
            #[inline]
            fn into_value(self, _: &mut Ctx) -> Value {
                Value::$variant(self)
            }
        }
    };
}

variant_conversion!(bool, Bool, "a boolean");
variant_conversion!(char, Char, "a character");
variant_conversion!(Symbol, Sym, "a symbol");
variant_conversion!(i64, Int, "an integer");

impl IntoValue for () {
    /// The unspecified value.
    fn into_value(self, _: &mut Ctx) -> Value {
        Value::Unspecified
    }
}

// ---- numbers ---------------------------------------------------------------------------------

/// `FromValue` and `IntoValue` for integer types narrower than a fixnum.
macro_rules! fixnum_conversion {
    ($($t:ty, $name:expr);*) => {$(
        impl FromValue<'_> for $t {
            #[inline]
            fn from_value(_: &Heap, v: Value) -> Option<Self> {
                match v {
                    Value::Int(i) => <$t>::try_from(i).ok(),
                    _ => None,
                }
            }
            fn expected() -> Cow<'static, str> {
                $name.into()
            }
        }

        impl IntoValue for $t {
            #[inline]
            fn into_value(self, _: &mut Ctx) -> Value {
                Value::Int(i64::from(self))
            }
        }
    )*};
}

fixnum_conversion!(
    i32, "an integer in 32-bit range";
    u32, "a non-negative integer in 32-bit range";
    u16, "an integer from 0 to 65535"
);

/// A byte argument, an exact integer from 0 to 255. (`u8` itself converts neither way,
/// so that `Vec<u8>` can be a bytevector.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Byte(pub u8);

impl FromValue<'_> for Byte {
    #[inline]
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        match v {
            Value::Int(i) => u8::try_from(i).ok().map(Byte),
            _ => None,
        }
    }
    fn expected() -> Cow<'static, str> {
        "a byte from 0 to 255".into()
    }
}

impl FromValue<'_> for usize {
    #[inline]
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        match v {
            Value::Int(i) => usize::try_from(i).ok(),
            _ => None,
        }
    }
    fn expected() -> Cow<'static, str> {
        "a non-negative integer".into()
    }
}

impl IntoValue for usize {
    /// A fixnum, or a bignum above `i64::MAX`.
    fn into_value(self, ctx: &mut Ctx) -> Value {
        match i64::try_from(self) {
            Ok(i) => Value::Int(i),
            Err(_) => ctx.integer(self.into()),
        }
    }
}

impl FromValue<'_> for f64 {
    /// Any real number; exact ones are converted to the nearest flonum.
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        numeric::real_to_f64(heap, v)
    }
    fn expected() -> Cow<'static, str> {
        "a number".into()
    }
}

impl IntoValue for f64 {
    fn into_value(self, _: &mut Ctx) -> Value {
        Value::Float(self)
    }
}

impl FromValue<'_> for Number {
    /// Any number, taken apart for arithmetic.
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        numeric::num(heap, v).ok()
    }
    fn expected() -> Cow<'static, str> {
        "a number".into()
    }
}

impl IntoValue for Number {
    fn into_value(self, ctx: &mut Ctx) -> Value {
        numeric::from_num(&mut ctx.vm.heap, self)
    }
}

impl IntoValue for BigInt {
    /// An exact integer (a fixnum when it fits).
    fn into_value(self, ctx: &mut Ctx) -> Value {
        ctx.integer(self)
    }
}

// ---- strings, bytevectors, vectors -------------------------------------------------------------

impl<'h> FromValue<'h> for &'h str {
    #[inline]
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        heap.str(v)
    }
    fn expected() -> Cow<'static, str> {
        "a string".into()
    }
}

impl<'h> FromValue<'h> for &'h Str {
    /// A string object (its text and what is known of it).
    #[inline]
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        heap.string_object(v)
    }
    fn expected() -> Cow<'static, str> {
        "a string".into()
    }
}

impl FromValue<'_> for String {
    /// A copy of the string.
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.str(v).map(str::to_owned)
    }
    fn expected() -> Cow<'static, str> {
        "a string".into()
    }
}

impl IntoValue for String {
    fn into_value(self, ctx: &mut Ctx) -> Value {
        ctx.string(self)
    }
}

impl IntoValue for &str {
    /// A new string with a copy of the text.
    fn into_value(self, ctx: &mut Ctx) -> Value {
        ctx.string(self)
    }
}

impl<'h> FromValue<'h> for &'h [u8] {
    #[inline]
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        heap.bytevector(v)
    }
    fn expected() -> Cow<'static, str> {
        "a bytevector".into()
    }
}

impl FromValue<'_> for Vec<u8> {
    /// A copy of the bytevector's bytes.
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.bytevector(v).map(<[u8]>::to_vec)
    }
    fn expected() -> Cow<'static, str> {
        "a bytevector".into()
    }
}

impl IntoValue for Vec<u8> {
    /// A new bytevector.
    fn into_value(self, ctx: &mut Ctx) -> Value {
        ctx.bytes(self)
    }
}

impl<'h> FromValue<'h> for &'h [Value] {
    /// The elements of a vector.
    #[inline]
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        heap.vector_items(v)
    }
    fn expected() -> Cow<'static, str> {
        "a vector".into()
    }
}

// ---- lists and sequences --------------------------------------------------------------------------

impl<'h, T: FromValue<'h>> FromValue<'h> for Vec<T> {
    /// A proper list or a vector whose elements each convert to `T`.
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        match heap.vector_items(v) {
            Some(items) => items.iter().map(|&x| T::from_value(heap, x)).collect(),
            None => List::<T>::from_value(heap, v).map(|l| l.0),
        }
    }
    fn expected() -> Cow<'static, str> {
        of_elements("a list or vector", T::expected())
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    /// A new proper list.
    fn into_value(self, ctx: &mut Ctx) -> Value {
        let items: Vec<Value> = self.into_iter().map(|x| x.into_value(ctx)).collect();
        ctx.list(&items)
    }
}

/// A proper list whose elements each convert to `T` (as an argument), or the elements of
/// a new proper list (as a result).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List<T>(pub Vec<T>);

impl<'h, T: FromValue<'h>> FromValue<'h> for List<T> {
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        let items = heap.list_to_vec(v)?;
        items
            .into_iter()
            .map(|a| T::from_value(heap, a))
            .collect::<Option<Vec<T>>>()
            .map(List)
    }
    fn expected() -> Cow<'static, str> {
        of_elements("a proper list", T::expected())
    }
}

impl<T: IntoValue> IntoValue for List<T> {
    fn into_value(self, ctx: &mut Ctx) -> Value {
        self.0.into_value(ctx)
    }
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

/// A vector whose elements each convert to `T`, copied (as an argument), or the elements
/// of a new vector (as a result).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vector<T>(pub Vec<T>);

impl<'h, T: FromValue<'h>> FromValue<'h> for Vector<T> {
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        let items = heap.vector_items(v)?;
        items
            .iter()
            .map(|&x| T::from_value(heap, x))
            .collect::<Option<Vec<T>>>()
            .map(Vector)
    }
    fn expected() -> Cow<'static, str> {
        of_elements("a vector", T::expected())
    }
}

impl<T> Deref for Vector<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: IntoValue> IntoValue for Vector<T> {
    fn into_value(self, ctx: &mut Ctx) -> Value {
        let items: Vec<Value> = self.0.into_iter().map(|x| x.into_value(ctx)).collect();
        ctx.vector(items)
    }
}

/// The remaining arguments of a call, each converted to `T`: the last parameter of a
/// native (or a registered closure) that takes any number of arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rest<T>(pub Vec<T>);

impl<T> Deref for Rest<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        &self.0
    }
}

impl<T: IntoValue> IntoValue for Option<T> {
    /// `None` becomes `#f`.
    fn into_value(self, ctx: &mut Ctx) -> Value {
        match self {
            Some(x) => x.into_value(ctx),
            None => Value::Bool(false),
        }
    }
}

// ---- procedures and opaque objects ----------------------------------------------------------------

/// A procedure argument (any value that can be called).
#[derive(Clone, Copy, Debug)]
pub struct Proc(pub Value);

impl FromValue<'_> for Proc {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.is_procedure(v).then_some(Proc(v))
    }
    fn expected() -> Cow<'static, str> {
        "a procedure".into()
    }
}

impl IntoValue for Proc {
    fn into_value(self, _: &mut Ctx) -> Value {
        self.0
    }
}

impl<'h, T: NativeObject> FromValue<'h> for &'h T {
    /// The Rust value inside an opaque object of type `T`.
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        heap.opaque(v)
    }
    fn expected() -> Cow<'static, str> {
        T::expected().into()
    }
}

/// An opaque object known to hold a `T` (checked when the argument is converted), to
/// change it with [`Opaque::get_mut`].
pub struct Opaque<T> {
    value: Value,
    of: PhantomData<fn() -> T>,
}

impl<T> Clone for Opaque<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Opaque<T> {}

impl<T: NativeObject> Opaque<T> {
    /// The object as a Scheme value.
    pub fn value(self) -> Value {
        self.value
    }

    /// The Rust value inside, to change it.
    pub fn get_mut<'c>(self, ctx: &'c mut Ctx) -> NResult<&'c mut T> {
        ctx.opaque_mut(self.value)
            .ok_or_else(|| Error::expected(T::expected(), self.value))
    }
}

impl<T: NativeObject> FromValue<'_> for Opaque<T> {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.opaque::<T>(v).map(|_| Opaque {
            value: v,
            of: PhantomData,
        })
    }
    fn expected() -> Cow<'static, str> {
        T::expected().into()
    }
}

impl<T: NativeObject> IntoValue for T {
    /// A new opaque object holding the value.
    fn into_value(self, ctx: &mut Ctx) -> Value {
        ctx.opaque(self)
    }
}
