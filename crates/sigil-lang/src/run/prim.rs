//! The primitives the compiler inlines: their fast paths on fixnums, pairs and vectors,
//! and the fall-back to their general procedures.

use crate::run::code::Prim;
use crate::run::heap::Heap;
use crate::run::native::NativeFn;
use crate::run::numeric;
use crate::run::value::*;
use crate::run::vm::Vm;

/// An inlined primitive's result when its arguments allow a fast path (fixnums, pairs,
/// vectors); `None` when its general procedure must run.
#[inline(always)]
pub(crate) fn prim_fast(heap: &mut Heap, p: Prim, args: &[Value]) -> Option<Value> {
    use Value::{Bool, Int};
    let divide = |floor| match args {
        &[Int(a), Int(b)] => numeric::fixnum_divide(a, b, floor),
        _ => None,
    };
    Some(match (p, args) {
        (Prim::Add, &[Int(a), Int(b)]) => Int(a.checked_add(b)?),
        (Prim::Sub, &[Int(a), Int(b)]) => Int(a.checked_sub(b)?),
        (Prim::Mul, &[Int(a), Int(b)]) => Int(a.checked_mul(b)?),
        (Prim::Lt, &[Int(a), Int(b)]) => Bool(a < b),
        (Prim::Gt, &[Int(a), Int(b)]) => Bool(a > b),
        (Prim::Le, &[Int(a), Int(b)]) => Bool(a <= b),
        (Prim::Ge, &[Int(a), Int(b)]) => Bool(a >= b),
        (Prim::NumEq, &[Int(a), Int(b)]) => Bool(a == b),
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
        (Prim::IsZero, &[Int(a)]) => Bool(a == 0),
        (Prim::VectorRef, &[v, Int(i)]) => match heap.obj(v)? {
            Object::Vector(items) => *items.get(usize::try_from(i).ok()?)?,
            _ => return None,
        },
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

    /// Runs an inlined primitive's general procedure (other types, errors). The primitives'
    /// procedures are plain natives that do not call back into Scheme.
    #[cold]
    #[inline(never)]
    pub(crate) fn prim_slow(&mut self, p: Prim, args_in: &[Value]) -> Result<Value, Error> {
        let mut buf = [Value::Unspecified; 3];
        let args = &mut buf[..args_in.len()];
        args.copy_from_slice(args_in);
        let f = self.globals.builtin(p.name()).expect("primitive procedure");
        let f = match self.heap.obj(f) {
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
