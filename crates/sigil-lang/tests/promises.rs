//! Forcing runs in bounded depth (R7RS 7.3, SRFI 45): a chain of `delay-force` links, and a
//! stream filtered with `delay-force`, are forced with a recursion limit far below their
//! length, so a `force` that nested one call per link would fail with "recursion too deep".
//! (The golden test `syntax/promises_r7rs` checks the values on short chains.)

use sigil_lang::Interpreter;

/// Nested calls allowed while forcing: a few per link would be far more than this.
const DEPTH: usize = 200;

/// Links in each chain: 500 times the depth limit.
const LINKS: usize = 100_000;

fn interpreter() -> Interpreter {
    let mut i = Interpreter::new();
    i.set_max_depth(DEPTH);
    i
}

fn eval(i: &mut Interpreter, src: &str) -> String {
    let v = i.eval_str(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    i.write(v)
}

#[test]
fn the_depth_limit_applies_to_ordinary_recursion() {
    // The check below means something only if the limit stops a recursion of this length.
    let mut i = interpreter();
    eval(
        &mut i,
        "(define (count n) (if (= n 0) 0 (+ 1 (count (- n 1)))))",
    );
    let err = i.eval_str(&format!("(count {LINKS})")).unwrap_err();
    assert!(err.to_string().contains("recursion too deep"), "{err}");
}

#[test]
fn a_delay_force_chain_is_forced_iteratively() {
    let mut i = interpreter();
    eval(
        &mut i,
        "(define (chain n)
           (delay-force (if (= n 0) (delay 'done) (chain (- n 1)))))",
    );
    assert_eq!(eval(&mut i, &format!("(force (chain {LINKS}))")), "done");
    // The same kind of chain counting up, its last link delivering the count.
    let built = format!(
        "(force (let loop ((n 0))
                  (delay-force (if (= n {LINKS}) (delay n) (loop (+ n 1))))))"
    );
    assert_eq!(eval(&mut i, &built), LINKS.to_string());
}

#[test]
fn a_filtered_stream_is_forced_iteratively() {
    // R7RS's stream-filter, asked for an element 100 000 places into the stream.
    let mut i = interpreter();
    eval(
        &mut i,
        "(define (from n) (delay (cons n (from (+ n 1)))))
         (define (stream-filter p? s)
           (delay-force
             (if (null? (force s))
                 (delay '())
                 (let ((h (car (force s))) (t (cdr (force s))))
                   (if (p? h)
                       (delay (cons h (stream-filter p? t)))
                       (stream-filter p? t))))))",
    );
    let src = format!("(car (force (stream-filter (lambda (n) (= n {LINKS})) (from 0))))");
    assert_eq!(eval(&mut i, &src), LINKS.to_string());
}
