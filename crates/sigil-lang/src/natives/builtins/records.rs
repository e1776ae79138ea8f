//! Records (`define-record-type`): the natives its expansion calls to make a record type
//! and its procedures. The VM applies those procedures itself (`run/records.rs`).

use super::{list, symbol, Registry};
use crate::run::value::{Error, NResult, ObjRef, Object, RecordProc, RecordType, Value};
use crate::run::vm::Vm;

fn record_type(vm: &Vm, who: &str, v: Value) -> NResult<ObjRef> {
    match (v, vm.heap.obj(v)) {
        (Value::Obj(r), Some(Object::RecordType(_))) => Ok(r),
        _ => Err(Error::wrong_type(who, "a record type", v)),
    }
}

fn field_index(vm: &Vm, t: ObjRef, who: &str, field: Value) -> NResult<u32> {
    let f = symbol(who, field)?;
    match vm.heap.get(t) {
        Object::RecordType(rt) => rt
            .fields
            .iter()
            .position(|x| *x == f)
            .map(|i| i as u32)
            .ok_or_else(|| Error::with("error", format!("{who}: no field named {f}"), vec![])),
        _ => Err(Error::msg("not a record type")),
    }
}

fn make_record_type(vm: &mut Vm, args: &[Value]) -> NResult {
    let name = symbol("define-record-type", args[0])?;
    let fields = list(vm, "define-record-type", args[1])?
        .into_iter()
        .map(|f| symbol("define-record-type", f))
        .collect::<NResult<Vec<_>>>()?;
    Ok(vm.heap.alloc(Object::RecordType(Box::new(RecordType {
        name,
        fields,
        ctor_fields: vec![],
    }))))
}

fn record_constructor(vm: &mut Vm, args: &[Value]) -> NResult {
    let t = record_type(vm, "record-constructor", args[0])?;
    let names = list(vm, "record-constructor", args[1])?;
    let idx = names
        .iter()
        .map(|n| field_index(vm, t, "record-constructor", *n))
        .collect::<NResult<Vec<_>>>()?;
    let k = match vm.heap.get_mut(t) {
        Object::RecordType(rt) => {
            rt.ctor_fields.push(idx);
            rt.ctor_fields.len() as u32 - 1
        }
        _ => 0,
    };
    Ok(vm
        .heap
        .alloc(Object::RecordProc(RecordProc::Constructor(t, k))))
}

fn record_predicate(vm: &mut Vm, args: &[Value]) -> NResult {
    let t = record_type(vm, "record-predicate", args[0])?;
    Ok(vm.heap.alloc(Object::RecordProc(RecordProc::Predicate(t))))
}

fn record_accessor(vm: &mut Vm, args: &[Value]) -> NResult {
    let t = record_type(vm, "record-accessor", args[0])?;
    let i = field_index(vm, t, "record-accessor", args[1])?;
    Ok(vm
        .heap
        .alloc(Object::RecordProc(RecordProc::Accessor(t, i))))
}

fn record_modifier(vm: &mut Vm, args: &[Value]) -> NResult {
    let t = record_type(vm, "record-modifier", args[0])?;
    let i = field_index(vm, t, "record-modifier", args[1])?;
    Ok(vm
        .heap
        .alloc(Object::RecordProc(RecordProc::Modifier(t, i))))
}

/// Registers the record natives.
pub fn register(reg: &mut Registry) {
    reg.simple("%make-record-type", 2, Some(2), make_record_type);
    reg.simple("%record-constructor", 2, Some(2), record_constructor);
    reg.simple("%record-predicate", 1, Some(1), record_predicate);
    reg.simple("%record-accessor", 2, Some(2), record_accessor);
    reg.simple("%record-modifier", 2, Some(2), record_modifier);
}
