//! Record procedures (constructors, predicates, accessors, modifiers made by
//! `define-record-type`): the VM applies them directly, without a native in between.

use crate::run::native::Arity;
use crate::run::value::{Error, NResult, ObjRef, Object, RecordProc, Value};
use crate::run::vm::Vm;

fn type_name(vm: &Vm, t: ObjRef) -> String {
    match vm.heap.get(t) {
        Object::RecordType(rt) => rt.name.to_string(),
        _ => "record".into(),
    }
}

fn field_name(vm: &Vm, t: ObjRef, i: u32) -> String {
    match vm.heap.get(t) {
        Object::RecordType(rt) => match rt.fields.get(i as usize) {
            Some(f) => f.to_string(),
            None => "field".into(),
        },
        _ => "field".into(),
    }
}

/// Applies a record procedure to arguments.
pub(crate) fn call_record_proc(vm: &mut Vm, p: RecordProc, args: &[Value]) -> NResult {
    let is_instance = |vm: &Vm, t: ObjRef, v: Value| matches!(vm.heap.obj(v), Some(Object::Record(rt, _)) if *rt == t);
    match p {
        RecordProc::Constructor(t, k) => {
            let (idx, nfields) = match vm.heap.get(t) {
                Object::RecordType(rt) => match rt.ctor_fields.get(k as usize) {
                    Some(idx) => (idx.clone(), rt.fields.len()),
                    None => return Err(Error::msg("not a record constructor")),
                },
                _ => return Err(Error::msg("not a record type")),
            };
            if args.len() != idx.len() {
                let who = format!("make-{}", type_name(vm, t).trim_matches(['<', '>']));
                return Err(Arity::exact(idx.len()).error(&who, args.len()));
            }
            let mut fields = vec![Value::Bool(false); nfields];
            for (i, a) in idx.iter().zip(args) {
                if let Some(slot) = fields.get_mut(*i as usize) {
                    *slot = *a;
                }
            }
            Ok(vm.heap.alloc(Object::Record(t, fields.into())))
        }
        RecordProc::Predicate(t) => {
            one_arg(args)?;
            Ok(Value::Bool(is_instance(vm, t, args[0])))
        }
        RecordProc::Accessor(t, i) => {
            one_arg(args)?;
            match vm.heap.obj(args[0]) {
                Some(Object::Record(rt, fields)) if *rt == t => {
                    fields.get(i as usize).copied().ok_or_else(too_few_fields)
                }
                _ => Err(Error::wrong_type(
                    &field_name(vm, t, i),
                    &format!("a {} record", type_name(vm, t)),
                    args[0],
                )),
            }
        }
        RecordProc::Modifier(t, i) => {
            if args.len() != 2 {
                return Err(Arity::exact(2).error("record modifier", args.len()));
            }
            match vm.heap.obj_mut(args[0]) {
                Some(Object::Record(rt, fields)) if *rt == t => match fields.get_mut(i as usize) {
                    Some(slot) => {
                        *slot = args[1];
                        Ok(Value::Unspecified)
                    }
                    None => Err(too_few_fields()),
                },
                _ => Err(Error::wrong_type(
                    &field_name(vm, t, i),
                    &format!("a {} record", type_name(vm, t)),
                    args[0],
                )),
            }
        }
    }
}

fn one_arg(args: &[Value]) -> NResult<()> {
    if args.len() == 1 {
        Ok(())
    } else {
        Err(Arity::exact(1).error("record procedure", args.len()))
    }
}

/// A record built by hand (`Object::Record`) with fewer fields than its type names.
fn too_few_fields() -> Error {
    Error::msg("record has fewer fields than its type")
}
