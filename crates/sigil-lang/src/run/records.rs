//! Record procedures (constructors, predicates, accessors, modifiers made by
//! `define-record-type`): the VM applies them directly, without a native in between.

use crate::run::heap::Heap;
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

/// The fields of `v` when it is a record of type `t`.
#[inline(always)]
fn fields_of(heap: &Heap, t: ObjRef, v: Value) -> Option<&[Value]> {
    match heap.obj(v) {
        Some(Object::Record(rt, fields)) if *rt == t => Some(fields),
        _ => None,
    }
}

/// What `(f x)` returns when `f` is a record predicate, or a record accessor and `x` a
/// record of its type: the VM's call instructions apply these without a call. `None` for
/// any other `f` (a constructor, a modifier) or `x`, which [`call_record_proc`] applies
/// (or reports).
///
/// The result is the field itself (or a constant boolean), which the VM copies to its
/// stack in 8-byte halves; a value returned in registers would be stored in its
/// fields' sizes, and the VM's next 8-byte load of it would wait for the stores to
/// complete (docs/performance.md, "Values read in halves").
#[inline(always)]
pub(crate) fn apply_fast(heap: &Heap, f: RecordProc, x: Value) -> Option<&Value> {
    static BOOLS: [Value; 2] = [Value::Bool(false), Value::Bool(true)];
    match f {
        RecordProc::Predicate(t) => Some(&BOOLS[usize::from(fields_of(heap, t, x).is_some())]),
        RecordProc::Accessor(t, i) => fields_of(heap, t, x)?.get(i as usize),
        _ => None,
    }
}

/// Applies a record procedure to arguments.
pub(crate) fn call_record_proc(vm: &mut Vm, p: RecordProc, args: &[Value]) -> NResult {
    match p {
        RecordProc::Constructor(t, k) => {
            let Object::RecordType(rt) = vm.heap.get(t) else {
                return Err(Error::msg("not a record type"));
            };
            let Some(idx) = rt.ctor_fields.get(k as usize) else {
                return Err(Error::msg("not a record constructor"));
            };
            if args.len() != idx.len() {
                let expected = Arity::exact(idx.len());
                let who = format!("make-{}", type_name(vm, t).trim_matches(['<', '>']));
                return Err(expected.error(&who, args.len()));
            }
            let mut fields = vec![Value::Bool(false); rt.fields.len()].into_boxed_slice();
            for (i, a) in idx.iter().zip(args) {
                if let Some(slot) = fields.get_mut(*i as usize) {
                    *slot = *a;
                }
            }
            Ok(vm.heap.alloc(Object::Record(t, fields)))
        }
        RecordProc::Predicate(t) => {
            one_arg(args)?;
            Ok(Value::Bool(fields_of(&vm.heap, t, args[0]).is_some()))
        }
        RecordProc::Accessor(t, i) => {
            one_arg(args)?;
            match fields_of(&vm.heap, t, args[0]) {
                Some(fields) => fields.get(i as usize).copied().ok_or_else(too_few_fields),
                None => Err(Error::wrong_type(
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
