//! The primitives the compiler inlines: their fast paths on fixnums, flonums, pairs and
//! vectors, and the fall-back to their general procedures.

use crate::run::code::Prim;
use crate::run::heap::Heap;
use crate::run::native::NativeFn;
use crate::run::numeric;
use crate::run::value::*;
use crate::run::vm::Vm;

/// `v` as a flonum operand: a flonum, or a fixnum that converts to `f64` exactly.
#[inline(always)]
fn flonum(v: Value) -> Option<f64> {
    const EXACT: i64 = 1 << 53;
    match v {
        Value::Float(x) => Some(x),
        Value::Int(i) if (-EXACT..=EXACT).contains(&i) => Some(i as f64),
        _ => None,
    }
}

/// Both operands as flonums, when one of them is a flonum and the other a flonum or a
/// fixnum that converts exactly: the arithmetic the general procedures do on such
/// operands (the fixnum becomes a flonum), without their conversions. Other numbers take
/// the general path.
#[inline(always)]
fn flonums(a: Value, b: Value) -> Option<(f64, f64)> {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Some((x, y)),
        (Value::Float(_), _) | (_, Value::Float(_)) => Some((flonum(a)?, flonum(b)?)),
        _ => None,
    }
}

/// A numeric primitive on a flonum and a fixnum (see [`flonums`]); `None` for other
/// operands. (Two flonums take [`prim_fast`].)
fn flonum_prim(p: Prim, args: &[Value]) -> Option<Value> {
    use Value::{Bool, Float};
    let &[a, b] = args else { return None };
    let (x, y) = flonums(a, b)?;
    Some(match p {
        Prim::Add => Float(x + y),
        Prim::Sub => Float(x - y),
        Prim::Mul => Float(x * y),
        Prim::Div => Float(x / y),
        Prim::Lt => Bool(x < y),
        Prim::Gt => Bool(x > y),
        Prim::Le => Bool(x <= y),
        Prim::Ge => Bool(x >= y),
        Prim::NumEq => Bool(x == y),
        _ => return None,
    })
}

/// Exact fixnum division when it comes out even.
#[inline(always)]
fn fixnum_div(a: i64, b: i64) -> Option<i64> {
    match numeric::fixnum_divide(a, b, false)? {
        (q, 0) => Some(q),
        _ => None,
    }
}

/// An inlined primitive's result when its arguments allow a fast path (fixnums, flonums,
/// pairs, vectors); `None` when its general procedure must run.
#[inline(always)]
pub(crate) fn prim_fast(heap: &mut Heap, p: Prim, args: &[Value]) -> Option<Value> {
    use Value::{Bool, Float, Int};
    let divide = |floor| match args {
        &[Int(a), Int(b)] => numeric::fixnum_divide(a, b, floor),
        _ => None,
    };
    Some(match (p, args) {
        (Prim::Add, &[Int(a), Int(b)]) => Int(a.checked_add(b)?),
        (Prim::Sub, &[Int(a), Int(b)]) => Int(a.checked_sub(b)?),
        (Prim::Mul, &[Int(a), Int(b)]) => Int(a.checked_mul(b)?),
        (Prim::Div, &[Int(a), Int(b)]) => Int(fixnum_div(a, b)?),
        (Prim::Lt, &[Int(a), Int(b)]) => Bool(a < b),
        (Prim::Gt, &[Int(a), Int(b)]) => Bool(a > b),
        (Prim::Le, &[Int(a), Int(b)]) => Bool(a <= b),
        (Prim::Ge, &[Int(a), Int(b)]) => Bool(a >= b),
        (Prim::NumEq, &[Int(a), Int(b)]) => Bool(a == b),
        (Prim::Add, &[Float(a), Float(b)]) => Float(a + b),
        (Prim::Sub, &[Float(a), Float(b)]) => Float(a - b),
        (Prim::Mul, &[Float(a), Float(b)]) => Float(a * b),
        (Prim::Div, &[Float(a), Float(b)]) => Float(a / b),
        (Prim::Lt, &[Float(a), Float(b)]) => Bool(a < b),
        (Prim::Gt, &[Float(a), Float(b)]) => Bool(a > b),
        (Prim::Le, &[Float(a), Float(b)]) => Bool(a <= b),
        (Prim::Ge, &[Float(a), Float(b)]) => Bool(a >= b),
        (Prim::NumEq, &[Float(a), Float(b)]) => Bool(a == b),
        (Prim::Quotient, _) => Int(divide(false)?.0),
        (Prim::Remainder, _) => Int(divide(false)?.1),
        (Prim::Modulo, _) => Int(divide(true)?.1),
        (Prim::Car, &[x]) => heap.pair(x)?.0,
        (Prim::Cdr, &[x]) => heap.pair(x)?.1,
        (Prim::Cons, &[a, b]) => heap.cons(a, b),
        (Prim::IsNull, &[x]) => Bool(matches!(x, Value::Null)),
        (Prim::IsPair, &[x]) => Bool(heap.pair(x).is_some()),
        (Prim::Not, &[x]) => Bool(matches!(x, Bool(false))),
        (Prim::Eq, &[a, b]) => Bool(a.eq(b)),
        (Prim::Eqv, &[a, b]) => Bool(numeric::eqv(heap, a, b)),
        (Prim::IsZero, &[x]) => match x {
            Int(a) => Bool(a == 0),
            Float(a) => Bool(a == 0.0),
            _ => return None,
        },
        (Prim::VectorRef, &[v, Int(i)]) => match heap.obj(v)? {
            Object::Vector(items) => *items.get(usize::try_from(i).ok()?)?,
            _ => return None,
        },
        (Prim::SetCar, &[pair, x]) => match heap.obj_mut(pair)? {
            Object::Pair(a, _) => {
                *a = x;
                Value::Unspecified
            }
            _ => return None,
        },
        (Prim::SetCdr, &[pair, x]) => match heap.obj_mut(pair)? {
            Object::Pair(_, d) => {
                *d = x;
                Value::Unspecified
            }
            _ => return None,
        },
        (Prim::VectorLength, &[v]) => match heap.obj(v)? {
            Object::Vector(items) => Int(items.len() as i64),
            _ => return None,
        },
        (Prim::StringLength, &[s]) => Int(heap.string_object(s)?.char_len() as i64),
        (Prim::StringRef, &[s, Int(k)]) => {
            Value::Char(heap.string_object(s)?.char_at(usize::try_from(k).ok()?)?)
        }
        (Prim::CharToInteger, &[Value::Char(c)]) => Int(i64::from(u32::from(c))),
        (Prim::VectorSet, &[v, Int(i), x]) => match heap.obj_mut(v)? {
            Object::Vector(items) => {
                *items.get_mut(usize::try_from(i).ok()?)? = x;
                Value::Unspecified
            }
            _ => return None,
        },
        _ => return None,
    })
}

/// A test primitive's truth when its arguments allow a fast path; `None` when its general
/// procedure must run (`zero?` of a non-fixnum, non-flonum).
#[inline(always)]
pub(crate) fn test_fast(heap: &Heap, p: Prim, args: &[Value]) -> Option<bool> {
    use Value::{Bool, Float, Int, Null};
    Some(match (p, args) {
        (Prim::IsNull, &[x]) => matches!(x, Null),
        (Prim::IsPair, &[x]) => matches!(heap.obj(x), Some(Object::Pair(..))),
        (Prim::Not, &[x]) => matches!(x, Bool(false)),
        (Prim::Eq, &[a, b]) => a.eq(b),
        (Prim::Eqv, &[a, b]) => numeric::eqv(heap, a, b),
        (Prim::IsZero, &[Int(a)]) => a == 0,
        (Prim::IsZero, &[Float(a)]) => a == 0.0,
        _ => return None,
    })
}

impl Vm {
    /// `a + k` for [`Op::AddImm`] when `a` is not a fixnum or the sum overflows.
    #[cold]
    #[inline(never)]
    pub(crate) fn add_slow(&mut self, a: Value, k: i32) -> Result<Value, Error> {
        numeric::add(&mut self.heap, a, Value::Int(k.into())).map_err(|_| {
            let who = if k < 0 { "-" } else { "+" };
            Error::wrong_type(who, "a number", a)
        })
    }

    /// Runs an inlined primitive's general procedure (other types, errors), after the
    /// flonum paths for a flonum and a fixnum. The primitives' procedures are plain natives
    /// that do not call back into Scheme.
    #[cold]
    #[inline(never)]
    pub(crate) fn prim_slow(&mut self, p: Prim, args_in: &[Value]) -> Result<Value, Error> {
        if let Some(v) = flonum_prim(p, args_in) {
            return Ok(v);
        }
        let mut buf = [Value::Unspecified; 3];
        let args = &mut buf[..args_in.len()];
        args.copy_from_slice(args_in);
        let f = match self.heap.obj(self.globals.prim_proc(p)) {
            Some(Object::Native(nat)) => nat.f.clone(),
            _ => return Err(Error::msg("internal: primitive missing")),
        };
        let ctx = &mut crate::run::ctx::Ctx::new(self);
        match f {
            NativeFn::Simple(g) => g(ctx, args),
            _ => Err(Error::msg("internal: primitive is not simple")),
        }
    }
}
