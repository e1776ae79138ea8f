//! Embedding Sigil: typed Rust functions callable from Scheme, Scheme procedures called
//! from Rust, and Scheme errors returned to Rust.
//!
//! Run with `cargo run -p sigil-lang --example embed`.

use sigil_lang::{native, Interpreter, SchemeError};

/// `(greet name [mark])`: a native procedure with a borrowed string and an optional
/// argument.
#[native("greet")]
fn greet(name: &str, mark: Option<char>) -> String {
    format!("Hello, {name}{}", mark.unwrap_or('!'))
}

fn main() -> Result<(), SchemeError> {
    let mut interp = Interpreter::new();

    // A native procedure written with #[native], bound at the top level.
    interp.add(&[GREET]);

    // Typed Rust functions: arguments are checked and converted by the wrapper.
    interp.register_fn("rust-add", |a: i64, b: i64| a + b);
    interp.register_fn("shout", |s: String| s.to_uppercase() + "!");
    interp.register_fn("checked-div", |a: i64, b: i64| {
        if b == 0 {
            Err(format!("cannot divide {a} by zero"))
        } else {
            Ok(a / b)
        }
    });

    // A native library, imported from Scheme with (import (demo math)).
    interp.define_native_library("demo math", |reg| {
        reg.register_fn("square", |x: f64| x * x);
    });

    // Evaluate Scheme that uses them.
    let v = interp.eval_str("(rust-add 40 2)")?;
    println!("(rust-add 40 2) => {}", interp.write(v));
    let v = interp.eval_str(r#"(greet "Ada" #\.)"#)?;
    println!("(greet \"Ada\" #\\.) => {}", interp.write(v));
    let v = interp.eval_str(r#"(shout "hello")"#)?;
    println!("(shout \"hello\") => {}", interp.write(v));
    let v = interp.eval_str("(import (demo math)) (map square '(1 2 3))")?;
    println!("(map square '(1 2 3)) => {}", interp.write(v));

    // A Result-returning function raises a Scheme error that `guard` can catch.
    let v = interp.eval_str(
        "(guard (e ((error-object? e) (error-object-message e)))
           (checked-div 1 0))",
    )?;
    println!("guarded (checked-div 1 0) => {}", interp.write(v));

    // Call a procedure defined in Scheme from Rust, converting arguments and result.
    interp.eval_str("(define (scale xs k) (map (lambda (x) (* x k)) xs))")?;
    let xs = interp.to_value(vec![1i64, 2, 3]);
    let k = interp.to_value(10i64);
    let scaled: Vec<i64> = interp.call_fn("scale", &[xs, k])?;
    println!("scale([1, 2, 3], 10) => {scaled:?}");

    // Keep a value alive across evaluations (which may collect garbage).
    let list = interp.eval_str("(cons 1 (cons 2 '()))")?;
    let kept = interp.keep(list);
    interp.eval_str("(gc)")?;
    let back: Vec<i64> = interp.from_value(kept.value())?;
    interp.release(kept);
    println!("kept across (gc) => {back:?}");

    // Scheme errors come back as SchemeError values.
    for src in [
        "(rust-add 1 \"two\")",
        "(rust-add 1)",
        "(checked-div 7 0)",
        "(greet 'ada)",
    ] {
        match interp.eval_str(src) {
            Ok(v) => println!("{src} => {}", interp.write(v)),
            Err(e) => println!("{src} => {} error: {}", e.kind, e.message),
        }
    }
    Ok(())
}
