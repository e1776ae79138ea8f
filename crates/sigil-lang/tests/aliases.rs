//! The identifiers a `syntax-rules` expansion renames live only while the form that used
//! the macro compiles: expanding the same macro again and again (as `eval` in a loop
//! does) keeps memory flat, and a macro that a macro defines keeps the ones it needs.

use sigil_lang::read::symbol::Symbol;
use sigil_lang::Interpreter;

#[test]
fn expanding_a_macro_again_and_again_keeps_no_renamed_identifiers() {
    let mut i = Interpreter::new();
    i.eval_str(
        "(define-syntax swap! (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
         (define (go n) (if (> n 0) (begin (eval '(let ((x 1) (y 2)) (swap! x y) x)) (go (- n 1)))))",
    )
    .unwrap();
    let mark = Symbol::alias_mark();
    i.eval_str("(go 5000)").unwrap();
    for _ in 0..500 {
        let v = i.eval_str("(let ((x 1) (y 2)) (swap! x y) (list x y))");
        assert_eq!(i.write(v.unwrap()), "(2 1)");
    }
    assert_eq!(Symbol::alias_mark(), mark);
    // A macro written by a macro keeps the renamed identifiers of its rules, and works
    // long after: its `tmp` does not capture the user's.
    i.eval_str(
        "(define-syntax def-swap
           (syntax-rules ()
             ((_ name) (define-syntax name
                         (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp))))))))
         (def-swap swap2!)",
    )
    .unwrap();
    i.eval_str("(go 100)").unwrap();
    let v = i.eval_str("(let ((tmp 1) (y 2)) (swap2! tmp y) (list tmp y))");
    assert_eq!(i.write(v.unwrap()), "(2 1)");
}
