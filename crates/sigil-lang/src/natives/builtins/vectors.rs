//! Vectors (`vector-ref` and `vector-set!` live with the inlined primitives in `base`).

use super::strings::{alloc_size, bounds, range_error};
use super::{index, list, Registry};
use crate::run::value::{Error, NResult, Object, Value};
use crate::run::vm::Vm;

/// A vector argument, borrowed from the heap.
fn vec_arg<'a>(vm: &'a Vm, who: &str, v: Value) -> NResult<&'a [Value]> {
    match vm.heap.obj(v) {
        Some(Object::Vector(items)) => Ok(items),
        _ => Err(Error::wrong_type(who, "a vector", v)),
    }
}

/// A vector argument, mutably.
fn vec_mut<'a>(vm: &'a mut Vm, who: &str, v: Value) -> NResult<&'a mut Vec<Value>> {
    match vm.heap.obj_mut(v) {
        Some(Object::Vector(items)) => Ok(items),
        _ => Err(Error::wrong_type(who, "a vector", v)),
    }
}

/// The elements of vector argument `v` selected by optional `[start [end]]` arguments.
fn slice<'a>(vm: &'a Vm, who: &str, v: Value, args: &[Value]) -> NResult<&'a [Value]> {
    let items = vec_arg(vm, who, v)?;
    let (start, end) = bounds(who, args, items.len())?;
    Ok(&items[start..end])
}

fn is_vector(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(matches!(
        vm.heap.obj(a[0]),
        Some(Object::Vector(_))
    )))
}

fn make_vector(vm: &mut Vm, a: &[Value]) -> NResult {
    let k = alloc_size("make-vector", a[0])?;
    let fill = a.get(1).copied().unwrap_or(Value::Bool(false));
    Ok(vm.heap.vector(vec![fill; k]))
}

fn vector(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(vm.heap.vector(a.to_vec()))
}

fn vector_length(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Int(vec_arg(vm, "vector-length", a[0])?.len() as i64))
}

fn vector_to_list(vm: &mut Vm, a: &[Value]) -> NResult {
    let items = slice(vm, "vector->list", a[0], &a[1..])?.to_vec();
    Ok(vm.heap.list(&items))
}

fn list_to_vector(vm: &mut Vm, a: &[Value]) -> NResult {
    let items = list(vm, "list->vector", a[0])?;
    Ok(vm.heap.vector(items))
}

fn vector_fill(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "vector-fill!";
    let items = vec_mut(vm, WHO, a[0])?;
    let (start, end) = bounds(WHO, &a[2..], items.len())?;
    items[start..end].fill(a[1]);
    Ok(Value::Unspecified)
}

fn vector_copy(vm: &mut Vm, a: &[Value]) -> NResult {
    let items = slice(vm, "vector-copy", a[0], &a[1..])?.to_vec();
    Ok(vm.heap.vector(items))
}

/// `(vector-copy! to at from [start end])`.
fn vector_copy_to(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "vector-copy!";
    let src = slice(vm, WHO, a[2], &a[3..])?.to_vec();
    let at = index(WHO, a[1])?;
    let dst = vec_mut(vm, WHO, a[0])?;
    let len = dst.len();
    if at > len || len - at < src.len() {
        return Err(range_error(format!(
            "{WHO}: cannot copy {} elements to index {at} of a vector of length {len}",
            src.len()
        )));
    }
    dst[at..at + src.len()].copy_from_slice(&src);
    Ok(Value::Unspecified)
}

fn vector_append(vm: &mut Vm, a: &[Value]) -> NResult {
    let mut out = Vec::new();
    for &v in a {
        out.extend_from_slice(vec_arg(vm, "vector-append", v)?);
    }
    Ok(vm.heap.vector(out))
}

/// Registers the vector natives.
pub fn register(reg: &mut Registry) {
    reg.simple("vector?", 1, Some(1), is_vector);
    reg.simple("make-vector", 1, Some(2), make_vector);
    reg.simple("vector", 0, None, vector);
    reg.simple("vector-length", 1, Some(1), vector_length);
    reg.simple("vector->list", 1, Some(3), vector_to_list);
    reg.simple("list->vector", 1, Some(1), list_to_vector);
    reg.simple("vector-fill!", 2, Some(4), vector_fill);
    reg.simple("vector-copy", 1, Some(3), vector_copy);
    reg.simple("vector-copy!", 3, Some(5), vector_copy_to);
    reg.simple("vector-append", 0, None, vector_append);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{err, ev};

    #[test]
    fn basics() {
        assert_eq!(ev("(list (vector? #(1)) (vector? '(1)))"), "(#t #f)");
        assert_eq!(ev("(make-vector 3 'a)"), "#(a a a)");
        assert_eq!(ev("(make-vector 2)"), "#(#f #f)");
        assert!(err("(make-vector -2)").contains("make-vector"));
        assert_eq!(ev("(vector 1 \"a\" #\\b)"), "#(1 \"a\" #\\b)");
        assert_eq!(ev("(vector-length (vector 1 2 3))"), "3");
        assert!(err("(vector-length '(1))").contains("vector-length"));
        assert_eq!(ev("(vector->list #(1 2 3))"), "(1 2 3)");
        assert_eq!(ev("(vector->list #(1 2 3) 1)"), "(2 3)");
        assert_eq!(ev("(vector->list #(1 2 3) 1 2)"), "(2)");
        let e = err("(vector->list #(1 2 3) 2 5)");
        assert!(e.contains("vector->list") && e.contains('5'), "{e}");
        assert_eq!(ev("(list->vector '(1 2))"), "#(1 2)");
        assert!(err("(list->vector '(1 . 2))").contains("list->vector"));
        assert_eq!(ev("`#(1 ,(+ 1 1))"), "#(1 2)");
    }

    #[test]
    fn copying_and_filling() {
        assert_eq!(
            ev("(let ((v (make-vector 4 0))) (vector-fill! v 7) v)"),
            "#(7 7 7 7)"
        );
        assert_eq!(
            ev("(let ((v (make-vector 4 0))) (vector-fill! v 7 1 3) v)"),
            "#(0 7 7 0)"
        );
        assert!(err("(vector-fill! (make-vector 2) 0 3)").contains("vector-fill!"));
        assert_eq!(ev("(vector-copy #(1 2 3))"), "#(1 2 3)");
        assert_eq!(ev("(vector-copy #(1 2 3) 1)"), "#(2 3)");
        assert_eq!(
            ev("(let* ((a #(1 2)) (b (vector-copy a))) (vector-set! b 0 9) (list a b))"),
            "(#(1 2) #(9 2))"
        );
        assert_eq!(
            ev("(let ((v (vector 1 2 3 4 5))) (vector-copy! v 0 #(a b)) v)"),
            "#(a b 3 4 5)"
        );
        assert_eq!(
            ev("(let ((v (vector 1 2 3 4 5))) (vector-copy! v 1 v 0 3) v)"),
            "#(1 1 2 3 5)"
        );
        let e = err("(vector-copy! (make-vector 2) 1 #(1 2))");
        assert!(e.contains("vector-copy!"), "{e}");
        assert_eq!(ev("(vector-append #(1) #() #(2 3))"), "#(1 2 3)");
        assert_eq!(ev("(vector-append)"), "#()");
        assert!(err("(vector-append #(1) '(2))").contains("vector-append"));
    }

    #[test]
    fn higher_order() {
        assert_eq!(ev("(vector-map (lambda (x) (* x x)) #(1 2 3))"), "#(1 4 9)");
        assert_eq!(ev("(vector-map + #(1 2 3) #(10 20))"), "#(11 22)");
        assert_eq!(
            ev("(let ((acc '())) (vector-for-each (lambda (x) (set! acc (cons x acc))) #(1 2 3)) acc)"),
            "(3 2 1)"
        );
        assert_eq!(
            ev("(let ((acc '())) (vector-for-each (lambda (x y) (set! acc (cons (+ x y) acc))) #(1 2) #(3 4 5)) acc)"),
            "(6 4)"
        );
        assert!(err("(vector-map car '(1))").contains("vector-map"));
        assert!(err("(vector-for-each 1 #(1))").contains("vector-for-each"));
    }
}
