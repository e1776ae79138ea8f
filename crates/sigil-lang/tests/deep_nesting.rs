//! Deeply nested code and data never overflow the Rust stack. These tests run on cargo's
//! test threads (2 MiB of stack): data of any depth reads, prints and converts; code of
//! any depth compiles (the compiler's recursive passes grow the stack on the heap) and its
//! tree and code are freed without recursion; a macro that never stops expanding is a
//! clean error.

use sigil_lang::Interpreter;

/// `n` nested copies of `open` around `inner`, each closed by `close`.
fn nest(open: &str, inner: &str, close: &str, n: usize) -> String {
    format!("{}{inner}{}", open.repeat(n), close.repeat(n))
}

fn interpreter() -> Interpreter {
    let mut i = Interpreter::new();
    i.set_output(Box::new(std::io::sink()));
    i
}

/// Every kind of nesting the compiler recurses on, 20 000 deep (a debug build takes a
/// few kilobytes of stack per level): it compiles and runs, and the interpreter keeps
/// working.
#[test]
fn code_nested_deeply_runs() {
    let n = 20_000;
    let cases = [
        (nest("(+ 1 ", "0", ")", n), "20000"),
        (nest("(if #t ", "0", " 1)", n), "0"),
        (
            format!("(procedure? {})", nest("(lambda () ", "0", ")", n)),
            "#t",
        ),
        (nest("(let ((x 1)) ", "x", ")", n), "1"),
        (nest("(begin ", "0", ")", n), "0"),
        (nest("(not ", "#f", ")", n), "#f"),
        (format!("(and {})", "#t ".repeat(n)), "#t"),
        (format!("(or {})", "#f ".repeat(n)), "#f"),
        (format!("(cond {} (else 1))", "(#f 0) ".repeat(n)), "1"),
        (format!("(case 1 {} (else 1))", "((0) 0) ".repeat(n)), "1"),
        (format!("(let* ({}) x)", "(x 1) ".repeat(n)), "1"),
        (
            format!("(let ((b 1)) (length `{}))", nest("(a ,b ", "", ")", n)),
            "3",
        ),
        (
            format!("(cond-expand ({} 1))", nest("(and ", "r7rs", ")", n)),
            "1",
        ),
    ];
    let mut i = interpreter();
    for (src, want) in &cases {
        let v = i
            .eval_str(src)
            .unwrap_or_else(|e| panic!("{}: {e}", &src[..20]));
        assert_eq!(i.write(v), *want, "{}", &src[..20]);
    }
    // Deeply nested procedures' code is freed one level at a time.
    let lambdas = nest("(lambda () ", "0", ")", n);
    i.eval_str(&format!("(define f {lambdas}) (set! f #f) (gc)"))
        .unwrap();
    let v = i.eval_str("(+ 1 2)").unwrap();
    assert_eq!(i.write(v), "3");
}

/// Macros that never stop expanding, in an expression, inside a call and in a body, and
/// one whose expansions multiply: clean errors, and the interpreter keeps working.
#[test]
fn endless_macro_expansion_is_an_error() {
    let mut i = interpreter();
    let cases = [
        (
            "(define-syntax m (syntax-rules () ((_ x) (m (x))))) (m 1)",
            "macro expansion too deep",
        ),
        (
            "(define-syntax m (syntax-rules () ((_ x) (list (m (x)))))) (m 1)",
            "macro expansion too deep",
        ),
        (
            "(define-syntax m (syntax-rules () ((_ x) (m (x))))) (let () (m 1))",
            "macro expansion too deep",
        ),
        (
            "(define-syntax m (syntax-rules () ((_ . a) (list (m . a) (m . a))))) (m 1)",
            "macro expansion too deep",
        ),
    ];
    for (src, want) in cases {
        let e = i.eval_str(src).unwrap_err();
        assert!(e.message.contains(want), "{src}: {e}");
    }
    let v = i.eval_str("(+ 1 2)").unwrap();
    assert_eq!(i.write(v), "3");
}

/// `read` of data 100 000 deep, then walking, printing and comparing it.
#[test]
fn data_100_000_deep_reads_and_prints() {
    let mut i = interpreter();
    let list = nest("(", "", ")", 100_000);
    let src = format!(
        "(define p (open-input-string \"{list}\"))
         (define x (read p))
         (define (depth x n) (if (null? x) n (depth (car x) (+ n 1))))
         (list (depth x 0) (string-length (call-with-output-string (lambda (o) (write x o))))
               (equal? x (read (open-input-string \"{list}\"))))"
    );
    let v = i.eval_str(&src).unwrap();
    assert_eq!(i.write(v), "(99999 200000 #t)");
    let quoted = format!("(car (quote {}))", nest("#(", "x", ")", 100_000));
    let v = i.eval_str(&quoted).unwrap_err();
    assert!(v.message.contains("car"), "{v}");
}
