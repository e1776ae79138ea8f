//! Helpers for unit tests that evaluate Sigil code: one interpreter per test thread.

use crate::Interpreter;
use std::cell::RefCell;

thread_local! {
    // One interpreter per test (each test runs on its own thread).
    static INTERP: RefCell<Interpreter> = RefCell::new(Interpreter::new());
}

/// Evaluates `src` and returns the `write` form of its value; panics on an error.
pub fn ev(src: &str) -> String {
    INTERP.with_borrow_mut(|i| match i.eval_str(src) {
        Ok(v) => i.write(v),
        Err(e) => panic!("{src}: {e}"),
    })
}

/// Evaluates `src`, which must fail, and returns the error message.
pub fn err(src: &str) -> String {
    INTERP.with_borrow_mut(|i| match i.eval_str(src) {
        Ok(v) => panic!("{src}: expected an error, got {}", i.write(v)),
        Err(e) => e.message,
    })
}

/// Evaluates each source and compares the written result with the expectation.
pub fn check(cases: &[(&str, &str)]) {
    for (src, want) in cases {
        assert_eq!(ev(src), *want, "{src}");
    }
}

/// Evaluates each source, which must fail, and compares the error message.
pub fn check_errors(cases: &[(&str, &str)]) {
    for (src, want) in cases {
        assert_eq!(err(src), *want, "{src}");
    }
}
