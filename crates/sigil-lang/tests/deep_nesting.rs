//! Deeply nested code and data never overflow the Rust stack. These tests run on cargo's
//! test threads (2 MiB of stack): data of any depth reads, prints and converts; code
//! nested beyond the compiler's stack budget is refused with a clean error.

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

/// Runs `src` on a thread with `stack` bytes of stack, allowing the compiler `budget`.
fn eval_on_thread(src: String, stack: usize, budget: usize) -> Result<String, String> {
    let run = move || {
        let mut i = interpreter();
        i.set_compile_stack(budget);
        i.eval_str(&src).map(|v| i.write(v)).map_err(|e| e.message)
    };
    let thread = std::thread::Builder::new().stack_size(stack).spawn(run);
    thread.unwrap().join().unwrap()
}

#[test]
fn code_150_deep_runs() {
    // with the default budget in an optimised build, and on a main-thread-sized stack in
    // any build (a debug build takes several kilobytes of stack per level)
    let src = nest("(+ 1 ", "0", ")", 150);
    if !cfg!(debug_assertions) {
        let mut i = interpreter();
        let v = i.eval_str(&src).unwrap();
        assert_eq!(i.write(v), "150");
    }
    assert_eq!(eval_on_thread(src, 8 << 20, 3 << 20).unwrap(), "150");
}

/// Every kind of nesting the expander recurses on, far beyond the budget: an error that
/// says so, never a crash, and the interpreter keeps working.
#[test]
fn code_nested_too_deeply_is_an_error() {
    let n = 100_000;
    let cases = [
        nest("(+ 1 ", "0", ")", n),
        nest("(if #t ", "0", " 1)", n),
        nest("(lambda () ", "0", ")", n),
        nest("(let ((x 1)) ", "x", ")", n),
        nest("(begin ", "0", ")", n),
        format!("(and {})", "#t ".repeat(n)),
        format!("(or {})", "#f ".repeat(n)),
        format!("(cond {} (else 1))", "(#f 0) ".repeat(n)),
        format!("(let* ({}) 0)", "(x 1) ".repeat(n)),
    ];
    let mut i = interpreter();
    for src in &cases {
        let e = i.eval_str(src).unwrap_err();
        assert!(
            e.message.contains("expression nested too deeply"),
            "{}: {e}",
            &src[..20]
        );
    }
    let v = i.eval_str("(+ 1 2)").unwrap();
    assert_eq!(i.write(v), "3");
}

#[test]
fn a_larger_compile_stack_allows_deeper_code() {
    let src = nest("(+ 1 ", "0", ")", 3000);
    let small = eval_on_thread(src.clone(), 2 << 20, 64 << 10).unwrap_err();
    assert!(small.contains("nested too deeply"), "{small}");
    assert_eq!(eval_on_thread(src, 256 << 20, 64 << 20).unwrap(), "3000");
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
