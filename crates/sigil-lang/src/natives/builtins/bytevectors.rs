//! Bytevectors: fixed-length mutable sequences of bytes.

use super::strings::{alloc_size, bounds, range_error};
use super::{index, list, Registry};
use crate::run::value::{Error, NResult, Object, Value};
use crate::run::vm::Vm;

/// A bytevector argument, borrowed from the heap.
pub(super) fn bytes_arg<'a>(vm: &'a Vm, who: &str, v: Value) -> NResult<&'a [u8]> {
    vm.heap
        .bytevector(v)
        .ok_or_else(|| Error::wrong_type(who, "a bytevector", v))
}

/// A bytevector argument, mutably.
fn bytes_mut<'a>(vm: &'a mut Vm, who: &str, v: Value) -> NResult<&'a mut Vec<u8>> {
    match vm.heap.obj_mut(v) {
        Some(Object::Bytes(b)) => Ok(b),
        _ => Err(Error::wrong_type(who, "a bytevector", v)),
    }
}

/// A byte argument (an exact integer in 0..=255).
pub(super) fn byte(who: &str, v: Value) -> NResult<u8> {
    match v {
        Value::Int(i) => u8::try_from(i).map_err(|_| Error::wrong_type(who, "a byte (0..255)", v)),
        _ => Err(Error::wrong_type(who, "a byte (0..255)", v)),
    }
}

/// The bytes of bytevector argument `v` selected by optional `[start [end]]` arguments.
pub(super) fn slice<'a>(vm: &'a Vm, who: &str, v: Value, args: &[Value]) -> NResult<&'a [u8]> {
    let b = bytes_arg(vm, who, v)?;
    let (start, end) = bounds(who, args, b.len())?;
    Ok(&b[start..end])
}

fn out_of_range(who: &str, i: usize, len: usize) -> Error {
    range_error(format!("{who}: index {i} out of range for length {len}"))
}

fn is_bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(vm.heap.bytevector(a[0]).is_some()))
}

fn make_bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    let k = alloc_size("make-bytevector", a[0])?;
    let fill = match a.get(1) {
        Some(&v) => byte("make-bytevector", v)?,
        None => 0,
    };
    Ok(vm.heap.bytes(vec![fill; k]))
}

fn bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    let b = a
        .iter()
        .map(|&v| byte("bytevector", v))
        .collect::<NResult<Vec<u8>>>()?;
    Ok(vm.heap.bytes(b))
}

fn u8_ref(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "bytevector-u8-ref";
    let b = bytes_arg(vm, WHO, a[0])?;
    let i = index(WHO, a[1])?;
    b.get(i)
        .map(|&x| Value::Int(x as i64))
        .ok_or_else(|| out_of_range(WHO, i, b.len()))
}

fn u8_set(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "bytevector-u8-set!";
    let i = index(WHO, a[1])?;
    let x = byte(WHO, a[2])?;
    let b = bytes_mut(vm, WHO, a[0])?;
    let len = b.len();
    *b.get_mut(i).ok_or_else(|| out_of_range(WHO, i, len))? = x;
    Ok(Value::Unspecified)
}

fn bytevector_length(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Int(
        bytes_arg(vm, "bytevector-length", a[0])?.len() as i64
    ))
}

fn bytevector_copy(vm: &mut Vm, a: &[Value]) -> NResult {
    let b = slice(vm, "bytevector-copy", a[0], &a[1..])?.to_vec();
    Ok(vm.heap.bytes(b))
}

/// `(bytevector-copy! to at from [start end])`.
fn bytevector_copy_to(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "bytevector-copy!";
    let src = slice(vm, WHO, a[2], &a[3..])?.to_vec();
    let at = index(WHO, a[1])?;
    let dst = bytes_mut(vm, WHO, a[0])?;
    let len = dst.len();
    if at > len || len - at < src.len() {
        return Err(range_error(format!(
            "{WHO}: cannot copy {} bytes to index {at} of a bytevector of length {len}",
            src.len()
        )));
    }
    dst[at..at + src.len()].copy_from_slice(&src);
    Ok(Value::Unspecified)
}

fn bytevector_append(vm: &mut Vm, a: &[Value]) -> NResult {
    let mut out = Vec::new();
    for &v in a {
        out.extend_from_slice(bytes_arg(vm, "bytevector-append", v)?);
    }
    Ok(vm.heap.bytes(out))
}

fn bytevector_to_list(vm: &mut Vm, a: &[Value]) -> NResult {
    let items: Vec<Value> = slice(vm, "bytevector->list", a[0], &a[1..])?
        .iter()
        .map(|&x| Value::Int(x as i64))
        .collect();
    Ok(vm.heap.list(&items))
}

fn list_to_bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    let b = list(vm, "list->bytevector", a[0])?
        .into_iter()
        .map(|v| byte("list->bytevector", v))
        .collect::<NResult<Vec<u8>>>()?;
    Ok(vm.heap.bytes(b))
}

fn bytevector_eq(vm: &mut Vm, a: &[Value]) -> NResult {
    let first = bytes_arg(vm, "bytevector=?", a[0])?;
    let mut all = true;
    for &v in &a[1..] {
        all &= bytes_arg(vm, "bytevector=?", v)? == first;
    }
    Ok(Value::Bool(all))
}

/// Registers the bytevector natives.
pub fn register(reg: &mut Registry) {
    reg.simple("bytevector?", 1, Some(1), is_bytevector);
    reg.simple("make-bytevector", 1, Some(2), make_bytevector);
    reg.simple("bytevector", 0, None, bytevector);
    reg.simple("bytevector-u8-ref", 2, Some(2), u8_ref);
    reg.simple("bytevector-u8-set!", 3, Some(3), u8_set);
    reg.simple("bytevector-length", 1, Some(1), bytevector_length);
    reg.simple("bytevector-copy", 1, Some(3), bytevector_copy);
    reg.simple("bytevector-copy!", 3, Some(5), bytevector_copy_to);
    reg.simple("bytevector-append", 0, None, bytevector_append);
    reg.simple("bytevector->list", 1, Some(3), bytevector_to_list);
    reg.simple("list->bytevector", 1, Some(1), list_to_bytevector);
    reg.simple("bytevector=?", 1, None, bytevector_eq);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{err, ev};

    #[test]
    fn basics() {
        assert_eq!(
            ev("(list (bytevector? #u8(1)) (bytevector? #(1)))"),
            "(#t #f)"
        );
        assert_eq!(ev("(make-bytevector 3 7)"), "#u8(7 7 7)");
        assert_eq!(ev("(make-bytevector 2)"), "#u8(0 0)");
        assert!(err("(make-bytevector 2 256)").contains("make-bytevector"));
        assert_eq!(ev("(bytevector 1 2 255)"), "#u8(1 2 255)");
        assert!(err("(bytevector 1 -1)").contains("bytevector"));
        assert_eq!(ev("(bytevector-length #u8(1 2 3))"), "3");
        assert_eq!(ev("(bytevector-u8-ref #u8(5 6 7) 1)"), "6");
        let e = err("(bytevector-u8-ref #u8(5 6 7) 3)");
        assert!(e.contains("bytevector-u8-ref") && e.contains('3'), "{e}");
        assert_eq!(
            ev("(let ((b (make-bytevector 2 0))) (bytevector-u8-set! b 1 200) b)"),
            "#u8(0 200)"
        );
        assert!(
            err("(bytevector-u8-set! (make-bytevector 2) 0 256)").contains("bytevector-u8-set!")
        );
        assert!(err("(bytevector-u8-set! (make-bytevector 2) 2 1)").contains("bytevector-u8-set!"));
        assert!(err("(bytevector-length \"ab\")").contains("bytevector-length"));
    }

    #[test]
    fn copying_and_conversion() {
        assert_eq!(ev("(bytevector-copy #u8(1 2 3) 1)"), "#u8(2 3)");
        assert_eq!(ev("(bytevector-copy #u8(1 2 3) 0 1)"), "#u8(1)");
        assert!(err("(bytevector-copy #u8(1 2 3) 2 1)").contains("bytevector-copy"));
        assert_eq!(
            ev("(let ((b (bytevector 1 2 3 4))) (bytevector-copy! b 1 #u8(9 9)) b)"),
            "#u8(1 9 9 4)"
        );
        assert!(err("(bytevector-copy! (bytevector 1) 0 #u8(1 2))").contains("bytevector-copy!"));
        assert_eq!(
            ev("(bytevector-append #u8(1) #u8() #u8(2 3))"),
            "#u8(1 2 3)"
        );
        assert_eq!(ev("(bytevector->list #u8(1 2 3))"), "(1 2 3)");
        assert_eq!(ev("(bytevector->list #u8(1 2 3) 2)"), "(3)");
        assert_eq!(ev("(list->bytevector '(4 5))"), "#u8(4 5)");
        assert!(err("(list->bytevector '(4 500))").contains("list->bytevector"));
        assert_eq!(
            ev("(list (bytevector=? #u8(1 2) #u8(1 2)) (bytevector=? #u8(1) #u8(2)))"),
            "(#t #f)"
        );
        assert!(err("(bytevector=? #u8(1) 1)").contains("bytevector=?"));
    }
}
