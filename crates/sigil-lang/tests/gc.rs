//! The collector keeps memory bounded when a long loop keeps creating cyclic garbage
//! (recursive closures made by `letrec` and named `let` refer to themselves).

use sigil_lang::Interpreter;

#[test]
fn recursive_closures_are_collected() {
    let mut i = Interpreter::new();
    i.eval_str(
        "(define (make-counter)
           (letrec ((self (lambda (n) (if (> n 0) (self (- n 1)) n)))) self))
         (define (churn k)
           (let loop ((i 0) (keep '()))
             (if (< i k)
                 (begin ((make-counter) 3) (loop (+ i 1) keep))
                 keep)))",
    )
    .unwrap();
    i.eval_str("(churn 1000000)").unwrap();
    let collections = i.heap().collections();
    let live_after_first = i.heap().live_objects();
    i.eval_str("(churn 1000000)").unwrap();
    assert!(
        i.heap().collections() > collections,
        "the collector never ran"
    );
    // Each iteration allocates a closure and a box; without collection that is 2 million
    // objects per run. The heap must not grow with the number of iterations.
    assert!(
        i.heap().live_objects() < 600_000,
        "live objects: {}",
        i.heap().live_objects()
    );
    assert!(i.heap().live_objects() <= live_after_first + 600_000);
}

#[test]
fn values_reachable_from_globals_survive_collection() {
    let mut i = Interpreter::new();
    i.eval_str("(define keep (list 1 2 3)) (define v (vector \"a\" keep))")
        .unwrap();
    i.eval_str("(gc)").unwrap();
    let v = i.eval_str("(list (vector-ref v 1) keep)").unwrap();
    assert_eq!(i.write(v), "((1 2 3) (1 2 3))");
}

#[test]
fn large_buffers_are_collected_by_size() {
    let mut i = Interpreter::new();
    // 2 000 bytevectors of 1 MiB: 2 GiB if nothing were freed; far fewer than the
    // object-count threshold, so only byte accounting collects them.
    i.eval_str(
        "(define (churn n)
           (let loop ((k 0) (total 0))
             (if (< k n)
                 (loop (+ k 1) (+ total (bytevector-length (make-bytevector 1048576 (modulo k 256)))))
                 total)))",
    )
    .unwrap();
    let v = i.eval_str("(churn 2000)").unwrap();
    assert_eq!(i.write(v), "2097152000");
    assert!(i.heap().collections() > 0, "the collector never ran");
    assert!(
        i.heap().live_objects() < 200_000,
        "live objects: {}",
        i.heap().live_objects()
    );
}

/// Makes a fresh string, calls `f` (which may collect), and returns the string.
#[sigil_lang::native("string-around")]
fn string_around(ctx: &mut sigil_lang::Ctx, f: sigil_lang::Value) -> sigil_lang::NResult {
    let s = ctx.string("made before the call");
    let kept = ctx.keep(s);
    ctx.apply(f, &[])?;
    Ok(ctx.release(kept))
}

#[test]
fn values_kept_by_a_native_survive_a_collection_during_apply() {
    let mut i = Interpreter::new();
    i.define_native_library("around", |reg| reg.add(&[STRING_AROUND]));
    i.eval_str("(import (around))").unwrap();
    let v = i
        .eval_str("(string-around (lambda () (gc) (make-list 1000 \"garbage\") (gc)))")
        .unwrap();
    assert_eq!(i.write(v), "\"made before the call\"");
    assert!(i.heap().collections() >= 2);
}

#[test]
fn continuations_are_collected_by_size() {
    let mut i = Interpreter::new();
    // Each continuation copies a stack about 2 000 frames deep (tens of KB); 2 000 of them
    // are far fewer objects than the object-count threshold, so only counting their size
    // collects them.
    i.eval_str(
        "(define (deep n) (if (= n 0) (call/cc (lambda (k) k)) (let ((r (deep (- n 1)))) r)))
         (define (churn n) (let loop ((k 0)) (if (< k n) (begin (deep 2000) (loop (+ k 1))) k)))",
    )
    .unwrap();
    let before = i.heap().collections();
    let v = i.eval_str("(churn 2000)").unwrap();
    assert_eq!(i.write(v), "2000");
    assert!(
        i.heap().collections() > before,
        "no collection while continuations piled up"
    );
}
