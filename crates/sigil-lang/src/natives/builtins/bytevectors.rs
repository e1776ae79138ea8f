//! Bytevectors: fixed-length mutable sequences of bytes.

use super::seq::{alloc_size, copy_into, out_of_range, range};
use super::Registry;
use crate::native;
use crate::natives::{Byte, List, Rest};
use crate::run::ctx::Ctx;
use crate::run::value::{NResult, Value};

/// `(bytevector? obj)`.
#[native("bytevector?")]
fn is_bytevector(ctx: &mut Ctx, v: Value) -> bool {
    ctx.heap().bytevector(v).is_some()
}

/// `(make-bytevector k [byte])`: `byte` defaults to 0.
#[native("make-bytevector")]
fn make_bytevector(k: usize, fill: Option<Byte>) -> NResult<Vec<u8>> {
    Ok(vec![fill.map_or(0, |b| b.0); alloc_size(k)?])
}

/// `(bytevector byte ...)`.
#[native("bytevector")]
fn bytevector(bytes: Rest<Byte>) -> Vec<u8> {
    bytes.iter().map(|b| b.0).collect()
}

/// `(bytevector-u8-ref bytevector k)`.
#[native("bytevector-u8-ref")]
fn u8_ref(b: &[u8], k: usize) -> NResult<i64> {
    b.get(k)
        .map(|&x| i64::from(x))
        .ok_or_else(|| out_of_range(k, b.len()))
}

/// `(bytevector-u8-set! bytevector k byte)`.
#[native("bytevector-u8-set!")]
fn u8_set(b: &mut [u8], k: usize, x: Byte) -> NResult<()> {
    let len = b.len();
    *b.get_mut(k).ok_or_else(|| out_of_range(k, len))? = x.0;
    Ok(())
}

/// `(bytevector-length bytevector)`.
#[native("bytevector-length")]
fn bytevector_length(b: &[u8]) -> usize {
    b.len()
}

/// `(bytevector-copy bytevector [start [end]])`.
#[native("bytevector-copy")]
fn bytevector_copy(b: &[u8], start: Option<usize>, end: Option<usize>) -> NResult<Vec<u8>> {
    Ok(b[range(start, end, b.len())?].to_vec())
}

/// `(bytevector-copy! to at from [start [end]])`.
#[native("bytevector-copy!")]
fn bytevector_copy_to(
    to: &mut [u8],
    at: usize,
    from: Vec<u8>,
    start: Option<usize>,
    end: Option<usize>,
) -> NResult<()> {
    let r = range(start, end, from.len())?;
    copy_into(to, at, &from[r], "bytes", "bytevector")
}

/// `(bytevector-append bytevector ...)`.
#[native("bytevector-append")]
fn bytevector_append(parts: Rest<Vec<u8>>) -> Vec<u8> {
    parts.0.concat()
}

/// `(bytevector->list bytevector [start [end]])`.
#[native("bytevector->list")]
fn bytevector_to_list(b: &[u8], start: Option<usize>, end: Option<usize>) -> NResult<List<i64>> {
    let r = range(start, end, b.len())?;
    Ok(List(b[r].iter().map(|&x| i64::from(x)).collect()))
}

/// `(list->bytevector list)`.
#[native("list->bytevector")]
fn list_to_bytevector(bytes: List<Byte>) -> Vec<u8> {
    bytes.iter().map(|b| b.0).collect()
}

/// `(bytevector=? bytevector1 bytevector2 ...)`.
#[native("bytevector=?")]
fn bytevector_eq(first: Vec<u8>, more: Rest<Vec<u8>>) -> bool {
    more.iter().all(|b| *b == first)
}

/// Registers the bytevector natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        IS_BYTEVECTOR,
        MAKE_BYTEVECTOR,
        BYTEVECTOR,
        U8_REF,
        U8_SET,
        BYTEVECTOR_LENGTH,
        BYTEVECTOR_COPY,
        BYTEVECTOR_COPY_TO,
        BYTEVECTOR_APPEND,
        BYTEVECTOR_TO_LIST,
        LIST_TO_BYTEVECTOR,
        BYTEVECTOR_EQ,
    ]);
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
