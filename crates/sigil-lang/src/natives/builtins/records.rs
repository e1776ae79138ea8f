//! Records (`define-record-type`): the natives its expansion calls to make a record type
//! and its procedures. The VM applies those procedures itself (`run/records.rs`).

use super::Registry;
use crate::native;
use crate::natives::{FromValue, List};
use crate::read::symbol::Symbol;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::value::{Error, NResult, ObjRef, Object, RecordProc, RecordType, Value};
use std::borrow::Cow;

/// A record type argument.
#[derive(Clone, Copy)]
struct TypeArg(ObjRef);

impl FromValue<'_> for TypeArg {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        match (v, heap.obj(v)) {
            (Value::Obj(r), Some(Object::RecordType(_))) => Some(TypeArg(r)),
            _ => None,
        }
    }
    fn expected() -> Cow<'static, str> {
        "a record type".into()
    }
}

impl TypeArg {
    /// The storage index of field `f`.
    fn field(self, heap: &Heap, f: Symbol) -> NResult<u32> {
        match heap.get(self.0) {
            Object::RecordType(rt) => rt
                .fields
                .iter()
                .position(|x| *x == f)
                .map(|i| i as u32)
                .ok_or_else(|| Error::new("error", format!("no field named {f}"))),
            _ => Err(Error::msg("not a record type")),
        }
    }
}

/// `(%make-record-type name fields)`.
#[native("%make-record-type")]
fn make_record_type(ctx: &mut Ctx, name: Symbol, fields: List<Symbol>) -> Value {
    ctx.alloc(Object::RecordType(Box::new(RecordType {
        name,
        fields: fields.0,
        ctor_fields: vec![],
    })))
}

/// `(%record-constructor type field-names)`: a constructor taking those fields.
#[native("%record-constructor")]
fn record_constructor(ctx: &mut Ctx, t: TypeArg, names: List<Symbol>) -> NResult {
    let idx = names
        .iter()
        .map(|&n| t.field(ctx.heap(), n))
        .collect::<NResult<Vec<_>>>()?;
    let k = match ctx.vm.heap.get_mut(t.0) {
        Object::RecordType(rt) => {
            rt.ctor_fields.push(idx);
            rt.ctor_fields.len() as u32 - 1
        }
        _ => 0,
    };
    Ok(ctx.alloc(Object::RecordProc(RecordProc::Constructor(t.0, k))))
}

/// `(%record-predicate type)`.
#[native("%record-predicate")]
fn record_predicate(ctx: &mut Ctx, t: TypeArg) -> Value {
    ctx.alloc(Object::RecordProc(RecordProc::Predicate(t.0)))
}

/// `(%record-accessor type field)`.
#[native("%record-accessor")]
fn record_accessor(ctx: &mut Ctx, t: TypeArg, field: Symbol) -> NResult {
    let i = t.field(ctx.heap(), field)?;
    Ok(ctx.alloc(Object::RecordProc(RecordProc::Accessor(t.0, i))))
}

/// `(%record-modifier type field)`.
#[native("%record-modifier")]
fn record_modifier(ctx: &mut Ctx, t: TypeArg, field: Symbol) -> NResult {
    let i = t.field(ctx.heap(), field)?;
    Ok(ctx.alloc(Object::RecordProc(RecordProc::Modifier(t.0, i))))
}

/// Registers the record natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        MAKE_RECORD_TYPE,
        RECORD_CONSTRUCTOR,
        RECORD_PREDICATE,
        RECORD_ACCESSOR,
        RECORD_MODIFIER,
    ]);
}
