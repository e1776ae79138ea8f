//! The Rust snippets of `docs/embedding.md`, pasted together in order, compile and run:
//! [`snippets_run`] holds them between the two marker lines, and
//! [`snippets_are_the_documented_ones`] checks that they are exactly the page's ```` ```rust ````
//! blocks (separated by blank lines, indented by four spaces here).

use std::path::Path;

/// The line before the snippets.
const BEGIN: &str = "    // ---- the snippets of docs/embedding.md";
/// The line after them.
const END: &str = "    // ---- end of the snippets";

#[test]
#[rustfmt::skip]
#[allow(unused_variables, unused_imports)]
fn snippets_run() -> Result<(), sigil_lang::SchemeError> {
    // The snippets run script.sgl from the working directory.
    let dir = std::env::temp_dir().join(format!("sigil-embedding-doc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("script.sgl"), "(define from-script 1)").unwrap();
    std::env::set_current_dir(&dir).unwrap();
    // ---- the snippets of docs/embedding.md
    use sigil_lang::{Interpreter, SchemeError, Value};

    let mut interp = Interpreter::new();               // core library loaded
    let v: Value = interp.eval_str("(+ 1 2)")?;        // evaluates every form, returns the last
    println!("{}", interp.write(v));                   // "3"  (`write` form)
    println!("{}", interp.display(v));                 // "3"  (`display` form)
    interp.eval_file(std::path::Path::new("script.sgl"))?; // also searches the script's directory for libraries

    let mut full = sigil::interpreter();                // Interpreter::new() + every library
    let text = full.eval_str("(import (sigil json)) (json->string '((ok . #t)))")?;
    assert_eq!(full.display(text), r#"{"ok":true}"#);

    interp.eval_str("(define (scale xs k) (map (lambda (x) (* x k)) xs))")?;
    let xs = interp.to_value(vec![1i64, 2, 3]);        // Rust -> Scheme (a list)
    let k = interp.to_value(10i64);
    let scaled: Vec<i64> = interp.call_fn("scale", &[xs, k])?; // call + convert result
    assert_eq!(scaled, vec![10, 20, 30]);

    let f = interp.eval_str("(lambda (a b) (cons b a))")?;
    let (a, b) = (interp.to_value('a'), interp.to_value(2.5));
    let pair = interp.call(f, &[a, b])?;                // call any procedure value
    println!("{}", interp.write(pair));                // (2.5 . #\a)

    let xs = interp.to_value(vec![4i64, 5]);           // fresh values: see the GC rule below
    let again = interp.call_global("scale", &[xs, k])?; // call a top-level procedure by name
    let v: Vec<i64> = interp.from_value(again)?;      // Scheme -> Rust; a mismatch is a type-error

    use sigil_lang::{native, Error, Rest};

    /// `(clamp x lo hi)`: `x` limited to the range from `lo` to `hi`.
    #[native("clamp")]
    fn clamp(x: i64, lo: i64, hi: i64) -> Result<i64, Error> {
        if lo > hi {
            return Err(Error::range(format!("empty range from {lo} to {hi}")));
        }
        Ok(x.clamp(lo, hi))
    }

    /// `(greet name [mark])`: borrows the string; the second argument may be left out.
    #[native("greet")]
    fn greet(name: &str, mark: Option<char>) -> String {
        format!("Hello, {name}{}", mark.unwrap_or('!'))
    }

    /// `(mean x y ...)`: one number or more.
    #[native("mean")]
    fn mean(first: f64, rest: Rest<f64>) -> f64 {
        (first + rest.iter().sum::<f64>()) / (1 + rest.len()) as f64
    }

    interp.add(&[CLAMP, GREET, MEAN]);                 // top-level procedures
    let v = interp.eval_str(r#"(list (clamp 15 0 10) (greet "Ada") (greet "Ada" #\.) (mean 1 2 3))"#)?;
    assert_eq!(interp.write(v), r#"(10 "Hello, Ada!" "Hello, Ada." 2.0)"#);

    interp.register_fn("rust-add", |a: i64, b: i64| a + b);
    interp.register_fn("shout", |s: String| s.to_uppercase() + "!");
    interp.register_fn("checked-div", |a: i64, b: i64| {
        if b == 0 { Err(format!("cannot divide {a} by zero")) } else { Ok(a / b) }
    });

    use sigil_lang::Ctx; // and Value, imported above
    interp.register_fn_ctx("twice", |ctx: &mut Ctx, f: Value, x: Value| {
        let y = ctx.apply(f, &[x])?;
        ctx.apply(f, &[y])
    });

    use sigil_lang::NativeObject;

    /// A counter that Scheme code steps.
    struct Counter(i64);

    impl NativeObject for Counter {
        fn type_name(&self) -> &str { "counter" }                  // printed as #<counter>
        fn as_any(&self) -> &dyn std::any::Any { self }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any { self }
        fn expected() -> &'static str { "a counter" }
    }

    #[native("make-counter")]
    fn make_counter(start: Option<i64>) -> Counter {
        Counter(start.unwrap_or(0))
    }

    #[native("counter-step!")]
    fn counter_step(c: &mut Counter) -> i64 {
        c.0 += 1;
        c.0
    }

    interp.add(&[MAKE_COUNTER, COUNTER_STEP]);
    let v = interp.eval_str("(define c (make-counter 41)) (counter-step! c)")?;
    assert_eq!(interp.write(v), "42");
    let e = interp.eval_str("(counter-step! 'c)").unwrap_err();
    assert_eq!(e.message, "counter-step!: expected a counter, got c");

    use sigil_lang::{Ctl, Descriptor, NResult, Opaque, Resume, Wait};
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use std::rc::Rc;

    /// One end of a socket pair, in non-blocking mode.
    struct Socket(Rc<UnixStream>);

    impl NativeObject for Socket {
        fn type_name(&self) -> &str { "socket" }
        fn as_any(&self) -> &dyn std::any::Any { self }
        fn as_any_mut(&mut self) -> &mut dyn std::any::Any { self }
    }

    /// `(socket-read s)`: a bytevector of what has arrived, waiting until something has.
    #[native("socket-read")]
    fn socket_read(ctx: &mut Ctx, s: Opaque<Socket>) -> NResult<Ctl> {
        let stream = Rc::clone(&s.get_mut(ctx)?.0);
        let mut buf = [0; 4096];
        match (&*stream).read(&mut buf) {
            Ok(n) => Ok(Ctl::Return(ctx.bytes(buf[..n].to_vec()))),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                Ok(Ctl::Park(Wait::Readable(Descriptor::new(stream)), Resume::Retry))
            }
            Err(e) => Err(Error::new("file-error", e.to_string())),
        }
    }

    let (mut ours, theirs) = UnixStream::pair().expect("a socket pair");
    theirs.set_nonblocking(true).expect("non-blocking mode");
    interp.add(&[SOCKET_READ]);
    let sock = interp.to_value(Socket(Rc::new(theirs)));
    interp.define("sock", sock);
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        ours.write_all(b"hello").expect("a write");
    });
    let v = interp.eval_str("(utf8->string (socket-read sock))")?; // blocks in poll(2) until "hello" arrives
    assert_eq!(interp.display(v), "hello");

    interp.define_native_library("demo math", |reg| {
        reg.register_fn("square", |x: f64| x * x);
    });
    interp.eval_str("(import (demo math)) (map square '(1 2 3))")?; // => (1.0 4.0 9.0)

    match interp.eval_str("(rust-add 1 \"two\")") {
        Ok(v) => println!("{}", interp.write(v)),
        Err(e) => println!("{} error: {}", e.kind, e.message),
        // type-error error: rust-add: expected an integer (argument 2), got "two"
    }

    interp.on_task_error(|task, e| eprintln!("task {task} failed: {e} ({} frames)", e.trace.len()));

    let list = interp.eval_str("(cons 1 (cons 2 '()))")?;
    let kept = interp.keep(list);          // rooted: survives any number of collections
    interp.eval_str("(gc)")?;
    let back: Vec<i64> = interp.from_value(kept.value())?;
    interp.release(kept);                  // unrooted; the value is valid until the next evaluation

    let flag = interp.interrupt_flag();
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(200));
        flag.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let err = interp.eval_str("(let loop () (loop))").unwrap_err(); // stops after 0.2 s
    assert_eq!(err.kind, "interrupt");
    // ---- end of the snippets
    assert_eq!(interp.global("from-script").map(|v| interp.write(v)), Some("1".into()));
    // The error tables of the page.
    for (call, kind, message) in [
        ("(clamp 1 2)", "arity-error", "clamp: expected 3 arguments, got 2"),
        ("(clamp 1 \"2\" 3)", "type-error", "clamp: expected an integer (argument 2), got \"2\""),
        ("(clamp 1 3 2)", "range-error", "clamp: empty range from 3 to 2"),
        ("(mean)", "arity-error", "mean: expected at least 1 argument, got 0"),
        ("(rust-add 1)", "arity-error", "rust-add: expected 2 arguments, got 1"),
        ("(rust-add 1 \"two\")", "type-error", "rust-add: expected an integer (argument 2), got \"two\""),
        ("(checked-div 7 0)", "error", "checked-div: cannot divide 7 by zero"),
    ] {
        let e = interp.eval_str(call).unwrap_err();
        assert_eq!((e.kind.as_str(), e.message.as_str()), (kind, message), "{call}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    Ok(())
}

/// The ```` ```rust ```` blocks of `markdown`.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        if line.trim() == "```rust" {
            let code: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            blocks.push(code.join("\n"));
        }
    }
    blocks
}

#[test]
fn snippets_are_the_documented_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/embedding.md")).unwrap();
    let here = std::fs::read_to_string(root.join("crates/sigil/tests/embedding_doc.rs")).unwrap();
    let begin = here.find(&format!("\n{BEGIN}\n")).expect("begin marker") + BEGIN.len() + 2;
    let end = here.find(&format!("\n{END}\n")).expect("end marker");
    let snippets: Vec<&str> = here[begin..end]
        .lines()
        .map(|l| l.strip_prefix("    ").unwrap_or(l))
        .collect();
    assert_eq!(
        snippets.join("\n"),
        rust_blocks(&doc).join("\n\n"),
        "crates/sigil/tests/embedding_doc.rs differs from the Rust snippets of \
         docs/embedding.md: copy them again"
    );
}
