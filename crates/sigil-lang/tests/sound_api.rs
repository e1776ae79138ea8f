//! What embedding code can reach cannot break the machine: values carried between
//! interpreters and objects built by hand are errors, not crashes or worse.

use sigil_lang::{native, Ctx, Error, NResult, Object, Registry, Value};

fn interpreter() -> sigil_lang::Interpreter {
    sigil_lang::Interpreter::new()
}

#[test]
fn a_value_from_another_interpreter_is_an_error_not_a_crash() {
    let mut a = interpreter();
    // Enough live objects that the pair's slot lies beyond anything the other heap holds.
    a.eval_str("(define keep (make-list 300000 0))").unwrap();
    let pair = a.eval_str("(cons 1 2)").unwrap();
    let mut b = interpreter();
    // Through a native procedure, through the VM's own instructions, and through a
    // procedure a native calls back.
    let e = b.call_global("car", &[pair]).unwrap_err();
    assert!(
        e.message.starts_with("car: the Rust function panicked"),
        "{}",
        e.message
    );
    b.define("p", pair);
    for src in ["(car p)", "(vector-map (lambda (x) (car p)) #(1))"] {
        let e = b.eval_str(src).unwrap_err();
        assert!(e.message.contains("panicked"), "{src}: {}", e.message);
    }
    // The interpreter is still usable, collections included.
    let v = b
        .eval_str("(gc) (let loop ((i 0)) (if (< i 10) (loop (+ i 1)) (list i)))")
        .unwrap();
    assert_eq!(b.write(v), "(10)");
}

/// Builds an instance of a record type with no fields, whatever the type says.
#[native("make-empty-record")]
fn make_empty_record(ctx: &mut Ctx, rtd: Value) -> NResult {
    match (ctx.heap().obj(rtd), rtd) {
        (Some(Object::RecordType(_)), Value::Obj(r)) => {
            Ok(ctx.alloc(Object::Record(r, Box::new([]))))
        }
        _ => Err(Error::expected("a record type", rtd)),
    }
}

#[test]
fn a_record_built_by_hand_with_too_few_fields_is_an_error() {
    let mut i = interpreter();
    i.define_native_library("hand", |reg: &mut Registry| reg.add(&[MAKE_EMPTY_RECORD]));
    i.eval_str(
        "(import (hand))
         (define-record-type <point> (make-point x y) point? (x point-x set-point-x!) (y point-y))
         (define p (make-empty-record <point>))",
    )
    .unwrap();
    assert!(i.eval_str("(point? p)").unwrap().is_true());
    let e = i.eval_str("(point-y p)").unwrap_err();
    assert!(e.message.contains("fewer fields"), "{}", e.message);
    let e = i.eval_str("(set-point-x! p 1)").unwrap_err();
    assert!(e.message.contains("fewer fields"), "{}", e.message);
}
