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

/// A library of the same name in two interpreters: each interpreter's macro resolves its
/// free names in its own library (the library environments are per interpreter).
#[test]
fn libraries_of_the_same_name_keep_their_own_environments() {
    let library = |tag: &str| {
        format!(
            "(define-library (shared lib) (export tagged) (import (scheme base))
               (begin (define (private) '{tag})
                      (define-syntax tagged (syntax-rules () ((_ x) (list (private) x))))))"
        )
    };
    let (mut a, mut b) = (Interpreter::new(), Interpreter::new());
    ev(&mut a, &library("from-a"));
    ev(&mut b, &library("from-b"));
    // Later libraries in one interpreter do not shift the other's environments.
    ev(
        &mut b,
        "(define-library (other lib) (export o) (import (scheme base)) (begin (define o 1)))",
    );
    assert_eq!(ev(&mut a, "(import (shared lib)) (tagged 1)"), "(from-a 1)");
    assert_eq!(ev(&mut b, "(import (shared lib)) (tagged 2)"), "(from-b 2)");
    // Neither sees the other's private definition.
    assert!(a.eval_str("(private)").is_err());
}

/// Errors name the files of their own interpreter.
#[test]
fn file_names_in_errors_belong_to_each_interpreter() {
    let (mut a, mut b) = (Interpreter::new(), Interpreter::new());
    for name in ["a1.sgl", "a2.sgl", "a3.sgl"] {
        ev_named(&mut a, "(define ok 1)", name);
    }
    let in_b = b.eval_source("\n  (car 5)", "b.sgl").unwrap_err();
    assert_eq!(
        in_b.location.as_ref().map(|l| l.file.as_str()),
        Some("b.sgl")
    );
    assert!(in_b.to_string().starts_with("b.sgl:2:3: "), "{in_b}");
    let in_a = a.eval_source("(car 5)", "a2.sgl").unwrap_err();
    assert!(in_a.to_string().starts_with("a2.sgl:1:1: "), "{in_a}");
    let unread = b.eval_source("(oops", "b2.sgl").unwrap_err();
    assert!(
        unread.to_string().starts_with("b2.sgl:1:1: read error"),
        "{unread}"
    );
    let compile = a.eval_source("(if)", "a3.sgl").unwrap_err();
    assert!(compile.to_string().starts_with("a3.sgl:1:1: "), "{compile}");
}

fn ev_named(i: &mut Interpreter, src: &str, name: &str) {
    i.eval_source(src, name)
        .unwrap_or_else(|e| panic!("{src}: {e}"));
}
