//! Vectors (`vector-ref` and `vector-set!` live with the inlined primitives in `base`).

use super::seq::{alloc_size, copy_into, range};
use super::Registry;
use crate::native;
use crate::natives::{List, Rest, Vector};
use crate::run::ctx::Ctx;
use crate::run::value::{NResult, Value};

/// `(vector? obj)`.
#[native("vector?")]
fn is_vector(ctx: &mut Ctx, v: Value) -> bool {
    ctx.heap().vector_items(v).is_some()
}

/// `(make-vector k [fill])`: `fill` defaults to `#f`.
#[native("make-vector")]
fn make_vector(k: usize, fill: Option<Value>) -> NResult<Vector<Value>> {
    Ok(Vector(vec![
        fill.unwrap_or(Value::Bool(false));
        alloc_size(k)?
    ]))
}

/// `(vector obj ...)`.
#[native("vector")]
fn vector(#[rest] items: &[Value]) -> Vector<Value> {
    Vector(items.to_vec())
}

/// `(vector-length vector)`.
#[native("vector-length")]
fn vector_length(v: &[Value]) -> usize {
    v.len()
}

/// `(vector->list vector [start [end]])`.
#[native("vector->list")]
fn vector_to_list(v: &[Value], start: Option<usize>, end: Option<usize>) -> NResult<List<Value>> {
    Ok(List(v[range(start, end, v.len())?].to_vec()))
}

/// `(list->vector list)`.
#[native("list->vector")]
fn list_to_vector(items: List<Value>) -> Vector<Value> {
    Vector(items.0)
}

/// `(vector-fill! vector fill [start [end]])`.
#[native("vector-fill!")]
fn vector_fill(
    v: &mut [Value],
    fill: Value,
    start: Option<usize>,
    end: Option<usize>,
) -> NResult<()> {
    let r = range(start, end, v.len())?;
    v[r].fill(fill);
    Ok(())
}

/// `(vector-copy vector [start [end]])`.
#[native("vector-copy")]
fn vector_copy(v: &[Value], start: Option<usize>, end: Option<usize>) -> NResult<Vector<Value>> {
    Ok(Vector(v[range(start, end, v.len())?].to_vec()))
}

/// `(vector-copy! to at from [start [end]])`.
#[native("vector-copy!")]
fn vector_copy_to(
    to: &mut [Value],
    at: usize,
    from: Vector<Value>,
    start: Option<usize>,
    end: Option<usize>,
) -> NResult<()> {
    let r = range(start, end, from.len())?;
    copy_into(to, at, &from[r], "elements", "vector")
}

/// `(vector-append vector ...)`.
#[native("vector-append")]
fn vector_append(vectors: Rest<Vector<Value>>) -> Vector<Value> {
    Vector(vectors.0.into_iter().flat_map(|v| v.0).collect())
}

/// Registers the vector natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        IS_VECTOR,
        MAKE_VECTOR,
        VECTOR,
        VECTOR_LENGTH,
        VECTOR_TO_LIST,
        LIST_TO_VECTOR,
        VECTOR_FILL,
        VECTOR_COPY,
        VECTOR_COPY_TO,
        VECTOR_APPEND,
    ]);
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
