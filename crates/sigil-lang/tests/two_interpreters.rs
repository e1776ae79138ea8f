//! Two interpreters in one thread do not interfere: each has its own `gensym` count,
//! random generator, definitions, macros and libraries.

use sigil_lang::Interpreter;

fn ev(i: &mut Interpreter, src: &str) -> String {
    let v = i.eval_str(src).unwrap_or_else(|e| panic!("{src}: {e}"));
    i.write(v)
}

#[test]
fn two_interpreters_in_one_thread_keep_their_own_state() {
    let (mut a, mut b) = (Interpreter::new(), Interpreter::new());
    assert_eq!(ev(&mut a, "(list (gensym) (gensym))"), "(g%1 g%2)");
    assert_eq!(ev(&mut b, "(gensym)"), "g%1");
    assert_eq!(ev(&mut a, "(gensym)"), "g%3");
    // The same seed gives the same numbers, whatever the other interpreter draws.
    ev(&mut a, "(random-seed! 7)");
    ev(&mut b, "(random-seed! 7)");
    let first = ev(&mut a, "(random 1000000)");
    ev(&mut b, "(random 1000000) (random 1000000) (random 1000000)");
    let mut c = Interpreter::new();
    ev(&mut c, "(random-seed! 7)");
    assert_eq!(ev(&mut c, "(random 1000000)"), first);
    assert_eq!(
        ev(&mut a, "(random 1000000)"),
        ev(&mut c, "(random 1000000)")
    );
    // Definitions, macros and libraries stay in their interpreter.
    ev(
        &mut a,
        "(define x 1) (define-syntax m (syntax-rules () ((_) 'a-macro)))",
    );
    ev(
        &mut a,
        "(define-library (only-a) (export f) (import (scheme base)) (begin (define (f) 'a)))",
    );
    assert!(b.eval_str("x").is_err());
    assert!(b.eval_str("(m)").is_err());
    assert!(b.eval_str("(import (only-a))").is_err());
    ev(
        &mut b,
        "(define-library (only-a) (export f) (import (scheme base)) (begin (define (f) 'b)))",
    );
    assert_eq!(
        ev(&mut a, "(import (only-a)) (list x (m) (f))"),
        "(1 a-macro a)"
    );
    assert_eq!(ev(&mut b, "(import (only-a)) (f)"), "b");
}
