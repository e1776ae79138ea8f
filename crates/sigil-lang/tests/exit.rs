//! `exit` and `emergency-exit` end the evaluation, not the process: the embedding program
//! gets an error carrying the exit status and the interpreter keeps working. `exit` runs
//! the pending `dynamic-wind` after-thunks, `emergency-exit` does not; no exception
//! handler sees either.

use sigil_lang::{Interpreter, SchemeError};
use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

/// Output captured from an interpreter.
#[derive(Clone, Default)]
struct Captured(Rc<RefCell<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.borrow_mut())).unwrap()
    }
}

fn interpreter() -> (Interpreter, Captured) {
    let mut i = Interpreter::new();
    let out = Captured::default();
    i.set_output(Box::new(out.clone()));
    (i, out)
}

fn exit_of(r: Result<sigil_lang::Value, SchemeError>) -> Option<i32> {
    r.err().and_then(|e| e.exit)
}

#[test]
fn exit_unwinds_to_the_host_with_its_status() {
    let (mut i, out) = interpreter();
    let cases = [
        ("(display 1) (exit 3) (display 2)", Some(3), "1"),
        ("(exit)", Some(0), ""),
        ("(exit #t)", Some(0), ""),
        ("(exit #f)", Some(1), ""),
        ("(emergency-exit 7)", Some(7), ""),
        // no handler sees it
        ("(guard (e (#t (display 'caught))) (exit 4))", Some(4), ""),
        (
            "(with-exception-handler (lambda (e) (display 'seen) 0) (lambda () (exit 5)))",
            Some(5),
            "",
        ),
        // exit runs the after-thunks, innermost first; emergency-exit does not
        (
            "(dynamic-wind (lambda () (display 'in)) (lambda () (dynamic-wind (lambda () #f) (lambda () (exit 6)) (lambda () (display '-a)))) (lambda () (display '-b)))",
            Some(6),
            "in-a-b",
        ),
        (
            "(dynamic-wind (lambda () (display 'in)) (lambda () (emergency-exit 8)) (lambda () (display '-out)))",
            Some(8),
            "in",
        ),
        // from inside a procedure the host called back into Scheme through
        ("(vector-map (lambda (x) (exit 9)) #(1 2))", Some(9), ""),
        // and from a task of (sigil async)
        (
            "(import (sigil async)) (async-run (lambda () (await (spawn (lambda () (exit 10))))))",
            Some(10),
            "",
        ),
        // ... running the task's after-thunks, then those of the caller of async-run
        (
            "(import (sigil async))
             (dynamic-wind (lambda () (display 'in))
               (lambda () (async-run (lambda ()
                 (await (spawn (lambda ()
                   (dynamic-wind (lambda () (display '-task))
                                 (lambda () (exit 11))
                                 (lambda () (display '-task-after)))))))))
               (lambda () (display '-caller-after)))",
            Some(11),
            "in-task-task-after-caller-after",
        ),
        // emergency-exit in a task runs neither
        (
            "(import (sigil async))
             (dynamic-wind (lambda () #f)
               (lambda () (async-run (lambda ()
                 (dynamic-wind (lambda () #f)
                               (lambda () (emergency-exit 13))
                               (lambda () (display '-task-after))))))
               (lambda () (display '-caller-after)))",
            Some(13),
            "",
        ),
    ];
    for (src, status, printed) in cases {
        assert_eq!(exit_of(i.eval_str(src)), status, "{src}");
        assert_eq!(out.take(), printed, "{src}");
        // The interpreter keeps working, with no dynamic extent left over.
        let v = i.eval_str("(dynamic-wind (lambda () #f) (lambda () (+ 1 2)) (lambda () #f))");
        assert_eq!(i.write(v.unwrap()), "3", "after {src}");
    }
    // An ordinary error is not an exit.
    assert_eq!(exit_of(i.eval_str("(car 1)")), None);
}

#[test]
fn exit_from_a_procedure_the_host_calls() {
    let (mut i, _) = interpreter();
    i.eval_str("(define (quit n) (exit n))").unwrap();
    let quit = i.global("quit").unwrap();
    let e = i.call(quit, &[sigil_lang::Value::Int(12)]).unwrap_err();
    assert_eq!((e.kind.as_str(), e.exit), ("exit", Some(12)));
}
