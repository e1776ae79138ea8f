//! Bad input never panics: arbitrary text through the reader and the printer, and random
//! programs (built from a vocabulary of data, special forms and side-effect-free
//! procedures) through the whole evaluator, end in a value or a Scheme error. What `write`
//! and `write-shared` print reads back as the same data. Every special form and prelude
//! keyword, used well and badly, at the top level of a library and in a body, ends in a
//! value or an error (never a panic), and the interpreter keeps working. CI fixes the
//! seed (`PROPTEST_RNG_SEED` in `.ci/run`).

use proptest::prelude::*;
use sigil_lang::read::number_format::format_float;
use sigil_lang::read::reader;
use sigil_lang::run::printer::{render, Style};
use sigil_lang::Interpreter;
use std::sync::atomic::Ordering;
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

/// Atoms random programs are made of: no loops are possible (no lambda, named let, do,
/// define or call/cc), and no procedure touches files, the clock or the process.
const ATOMS: &[&str] = &[
    "1",
    "-7",
    "0",
    "2.5",
    "1e308",
    "+inf.0",
    "99999999999999999999",
    "1/3",
    "-7/2",
    "+i",
    "1.5-2.5i",
    "#t",
    "#f",
    "#\\a",
    "\"s\"",
    "x",
    "e",
    "'x",
    "'()",
    "#(1 2)",
    "#u8(1 2)",
    "car",
    "cdr",
    "cons",
    "list",
    "+",
    "-",
    "*",
    "/",
    "quotient",
    "modulo",
    "expt",
    "<",
    "=",
    "vector-ref",
    "vector",
    "make-vector",
    "string-append",
    "substring",
    "string->symbol",
    "symbol->string",
    "string->number",
    "number->string",
    "apply",
    "map",
    "length",
    "reverse",
    "append",
    "assq",
    "assoc-ref",
    "bytevector-u8-ref",
    "list->string",
    "exact",
    "sqrt",
    "if",
    "cond",
    "else",
    "case",
    "and",
    "or",
    "when",
    "let",
    "let*",
    "quote",
    "quasiquote",
    "unquote",
    "begin",
    "set!",
    "values",
    "call-with-values",
    "error",
    "raise",
    "guard",
    "=>",
    ".",
    "...",
    "make-hash-table",
    "hash-table-set!",
    "hash-table-ref",
];

/// Random nested expressions over [`ATOMS`], printed as source text.
fn expr() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(ATOMS).prop_map(str::to_string);
    atom.prop_recursive(5, 64, 6, |inner| {
        prop::collection::vec(inner, 0..6).prop_map(|items| format!("({})", items.join(" ")))
    })
}

/// Atoms of random data: every kind of token, including ones that need care to print.
const DATA_ATOMS: &[&str] = &[
    "abc",
    "ABC",
    "λ",
    "->x",
    "...",
    "+",
    "-",
    "|a b|",
    "||",
    "|.|",
    "|+i|",
    "|1x|",
    "|a\\|b|",
    "|#x|",
    "|\\x0;|",
    "\"s\\n\\x41;\\\"\"",
    "\"\"",
    "#\\space",
    "#\\x41",
    "#\\(",
    "#\\x0",
    "#\\λ",
    "0",
    "-17",
    "1e21",
    "-0.0",
    "1.5e-7",
    "+inf.0",
    "-nan.0",
    "#x-1F",
    "#e1.5e1",
    "1/3",
    "-22/7",
    "#e1.5",
    "+i",
    "-i",
    "1+2i",
    "-1/2+3/4i",
    "1.5-2.5i",
    "+inf.0i",
    "-0.0+0.0i",
    "1@0",
    "2@1",
    "123456789012345678901234567890",
    "#t",
    "#false",
    "#u8(1 255)",
    "#u8()",
    "()",
    "#()",
    "#9=(c . #9#)",
    "(#8=(s) #8#)",
    "#7=#(v #7#)",
];

/// Random data over [`DATA_ATOMS`], as text.
fn datum() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(DATA_ATOMS).prop_map(str::to_string);
    atom.prop_recursive(6, 64, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|xs| format!("({})", xs.join(" "))),
            prop::collection::vec(inner.clone(), 0..5)
                .prop_map(|xs| format!("#({})", xs.join(" "))),
            (prop::collection::vec(inner.clone(), 1..4), inner.clone())
                .prop_map(|(xs, t)| format!("({} . {t})", xs.join(" "))),
            (
                prop::sample::select(&["'", "`", ",", ",@"][..]),
                inner.clone()
            )
                .prop_map(|(q, x)| format!("{q}{x}")),
            inner.prop_map(|x| format!("#5=(#5# {x})")),
        ]
    })
}

/// Prints every datum of `src` in every style; returns what `write` (or `style`) printed.
fn print_all(interp: &mut Interpreter, src: &str, style: Style) -> Option<Vec<String>> {
    let data = reader::read_all(src, 0).ok()?;
    let mut out = Vec::new();
    for d in &data {
        let v = interp.datum(d);
        for s in [Style::Display, Style::Write, Style::Shared, Style::Simple] {
            let _ = render(interp.heap(), v, s);
        }
        out.push(render(interp.heap(), v, style));
    }
    Some(out)
}

/// Source text of a number of any kind: fixnums (small and any), bignums, exact ratios,
/// flonums (any bits, infinities, NaN, `-0.0`, subnormals), exact and inexact complex
/// numbers.
fn number() -> impl Strategy<Value = String> {
    let integer = prop_oneof![
        (-1000i64..1000).prop_map(|i| i.to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        "-?[1-9][0-9]{18,60}",
    ];
    let float = prop_oneof![
        any::<f64>().prop_map(format_float),
        prop::sample::select(&["0.0", "-0.0", "+inf.0", "-inf.0", "+nan.0", "5e-324", "0.5"][..])
            .prop_map(str::to_string),
    ];
    let ratio = (integer.clone(), integer.clone()).prop_map(|(n, d)| format!("(/ {n} {d})"));
    let real = prop_oneof![integer, ratio, float];
    prop_oneof![
        2 => real.clone(),
        1 => (real.clone(), real).prop_map(|(a, b)| format!("(make-rectangular {a} {b})")),
    ]
}

/// The numeric procedures random arithmetic calls, with how many arguments.
const NUMERIC_OPS: &[(&str, usize)] = &[
    ("+", 2),
    ("-", 2),
    ("*", 2),
    ("/", 2),
    ("/", 1),
    ("=", 2),
    ("<", 2),
    ("max", 2),
    ("expt", 2),
    ("quotient", 2),
    ("modulo", 2),
    ("floor/", 2),
    ("truncate-remainder", 2),
    ("gcd", 2),
    ("lcm", 2),
    ("rationalize", 2),
    ("atan", 2),
    ("log", 2),
    ("make-rectangular", 2),
    ("make-polar", 2),
    ("eqv?", 2),
    ("number->string", 2),
    ("abs", 1),
    ("sqrt", 1),
    ("exact-integer-sqrt", 1),
    ("exp", 1),
    ("log", 1),
    ("sin", 1),
    ("asin", 1),
    ("atan", 1),
    ("exact", 1),
    ("inexact", 1),
    ("round", 1),
    ("floor", 1),
    ("numerator", 1),
    ("denominator", 1),
    ("magnitude", 1),
    ("angle", 1),
    ("square", 1),
    ("odd?", 1),
    ("nan?", 1),
    ("integer?", 1),
    ("number->string", 1),
];

/// A call of a numeric procedure on random numbers, as source text.
fn numeric_call() -> impl Strategy<Value = String> {
    (
        prop::sample::select(NUMERIC_OPS),
        prop::collection::vec(number(), 2),
    )
        .prop_map(|((op, arity), args)| format!("({op} {})", args[..arity].join(" ")))
}

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(expr(), 1..4).prop_map(|forms| forms.join("\n"))
}

/// Keywords of the syntax the expander knows: every special form and the prelude's
/// `syntax-rules` forms.
fn keywords() -> Vec<&'static str> {
    let prelude = [
        "guard",
        "let-values",
        "let*-values",
        "define-values",
        "receive",
        "parameterize",
        "delay",
        "delay-force",
        "assert",
        "syntax-rules",
    ];
    sigil_lang::SPECIAL_FORMS
        .iter()
        .copied()
        .chain(prelude)
        .collect()
}

/// Atoms of random syntax: data, the names the forms bind, and the words syntax treats
/// specially. No built-in procedure names, so a random definition cannot redefine one.
const SYNTAX_ATOMS: &[&str] = &[
    "1",
    "-2",
    "2.5",
    "#t",
    "#f",
    "\"s\"",
    "#\\a",
    "()",
    "#()",
    "#(1 a)",
    "#u8(1)",
    "a",
    "b",
    "c",
    "f",
    "=>",
    "else",
    "...",
    "_",
    ".",
    "unquote",
    "unquote-splicing",
    "'a",
    "`(a ,b)",
    "(a 1)",
    "((a 1) (b 2))",
    "(a b . c)",
    "(a b)",
    "((a) 1)",
    "#0=(a . #0#)",
];

/// Well-formed uses of the keywords, with holes: `E` an expression, `N` a name, `B`
/// bindings, `F` formals, `D` a datum.
const TEMPLATES: &[&str] = &[
    "(quote D)",
    "(quasiquote (D (unquote E) (unquote-splicing (list E)) . D))",
    "(lambda F E)",
    "(named-lambda (N . F) E)",
    "(define N E)",
    "(define (N . F) E E)",
    "(set! N E)",
    "(if E E E)",
    "(begin E E)",
    "(let B E)",
    "(let N B E)",
    "(let* B E)",
    "(letrec B E)",
    "(letrec* B E)",
    "(do ((N E E)) (E E) E)",
    "(cond (E E) (E => E) (else E))",
    "(case E ((D D) E) ((D) => E) (else => E))",
    "(when E E)",
    "(unless E E)",
    "(and E E E)",
    "(or E E)",
    "(define-syntax N (syntax-rules () ((_ . F) E)))",
    "(define-syntax N (syntax-rules (N) ((_ N F) (E F)) ((_ . F) (N . F))))",
    "(let-syntax ((N (syntax-rules () ((_ F) E)))) (N E))",
    "(letrec-syntax ((N (syntax-rules () ((_) E) ((_ F) (N))))) (N E))",
    "(define-record-type N (N N) N (N N) (N N N))",
    "(define-record-type (N) N N N (N))",
    "(define-record-type N (N . F) N F F)",
    "(define-record-type F F F . F)",
    "(case-lambda (F E) ((N) E))",
    "(cond-expand (N E) ((and N (not N)) E) (else E))",
    "(guard (N (E E) (else E)) E)",
    "(let-values ((F E)) E)",
    "(define-values F E)",
    "(parameterize ((E E)) E)",
    "(delay E)",
];

/// A piece of random syntax: an atom, or a list headed by a keyword or by more syntax.
fn syntax() -> impl Strategy<Value = String> {
    let atom = prop::sample::select(SYNTAX_ATOMS).prop_map(str::to_string);
    atom.prop_recursive(4, 40, 5, |inner| {
        let head = prop_oneof![
            prop::sample::select(keywords()).prop_map(str::to_string),
            inner.clone(),
        ];
        (head, prop::collection::vec(inner, 0..5))
            .prop_map(|(h, xs)| format!("({h} {})", xs.join(" ")))
    })
}

/// What fills a hole of kind `kind`: mostly a typical (or typically wrong) piece for it,
/// sometimes any syntax.
fn hole(kind: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(kind).prop_map(str::to_string),
        1 => syntax(),
    ]
}

/// Typical expressions, formals and bindings, well-formed and not.
const EXPRESSIONS: &[&str] = &["1", "a", "(f 1)", "(+ a 1)", "'(1 2)", "#f", "(a)", "(if)"];
const FORMALS: &[&str] = &[
    "()", "a", "(a)", "(a b)", "(a . b)", "(a a)", "(1)", "#f", "((a))", "(a ...)", "(_ a)",
];
const BINDINGS: &[&str] = &[
    "()",
    "((a 1))",
    "((a 1) (b 2))",
    "((a))",
    "(a)",
    "((1 2))",
    "((a 1) (a 2))",
    "((a 1 2))",
    "((a . 1))",
    "a",
];

/// A use of a special form: a template with its holes filled (mostly well-formed), or a
/// keyword applied to random syntax (mostly not).
fn special_form_use() -> impl Strategy<Value = String> {
    let filled = (
        prop::sample::select(TEMPLATES),
        prop::collection::vec(hole(EXPRESSIONS), 12),
        prop::collection::vec(hole(FORMALS), 12),
        prop::collection::vec(hole(BINDINGS), 12),
        prop::collection::vec(prop::sample::select(&["a", "b", "c", "f"][..]), 12),
    )
        .prop_map(|(t, exprs, formals, bindings, names)| {
            let mut exprs = exprs.into_iter();
            let (mut formals, mut bindings) = (formals.into_iter(), bindings.into_iter());
            let mut names = names.into_iter();
            t.split_inclusive(|c: char| !c.is_alphanumeric())
                .map(|piece| {
                    let (word, rest) = piece
                        .split_at(piece.trim_end_matches(|c: char| !c.is_alphanumeric()).len());
                    let hole = match word {
                        "E" | "D" => exprs.next().unwrap_or_default(),
                        "F" => formals.next().unwrap_or_default(),
                        "B" => bindings.next().unwrap_or_default(),
                        "N" => names.next().unwrap_or_default().to_string(),
                        _ => word.to_string(),
                    };
                    hole + rest
                })
                .collect::<String>()
        });
    let raw = (
        prop::sample::select(keywords()),
        prop::collection::vec(syntax(), 0..5),
    )
        .prop_map(|(k, xs)| format!("({k} {})", xs.join(" ")));
    prop_oneof![filled, raw]
}

/// Evaluates `src`, interrupting it after a few seconds (random loops may not end);
/// whether it ended without a panic (one the machine contained is an error that says so).
fn eval_with_deadline(interp: &mut Interpreter, src: &str) -> bool {
    let flag = interp.interrupt_flag();
    let (done, wait) = channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if let Err(RecvTimeoutError::Timeout) = wait.recv_timeout(Duration::from_secs(3)) {
            flag.store(true, Ordering::Relaxed);
        }
    });
    let r = interp.eval_str(src);
    drop(done);
    let _ = watchdog.join();
    interp.interrupt_flag().store(false, Ordering::Relaxed);
    r.err().is_none_or(|e| !e.message.contains("panicked"))
}

/// The interpreter answers a simple program correctly.
fn still_works(interp: &mut Interpreter) -> bool {
    let v = interp.eval_str(
        "(let loop ((i 0) (acc '())) (if (= i 3) (reverse acc) (loop (+ i 1) (cons i acc))))",
    );
    v.is_ok_and(|v| interp.write(v) == "(0 1 2)")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn special_forms_never_panic(forms in prop::collection::vec(special_form_use(), 1..4)) {
        let mut interp = Interpreter::new();
        interp.set_output(Box::new(std::io::sink()));
        // At the top level of a library (so that a definition of a keyword or a
        // procedure stays in the library), and as a body (definitions are internal).
        let library = format!("(define-library (random) (begin {}))", forms.join("\n"));
        for src in [library, format!("(let () {} 1)", forms.join(" "))] {
            prop_assert!(eval_with_deadline(&mut interp, &src), "{}", src);
            prop_assert!(still_works(&mut interp), "after {}", src);
        }
    }

    #[test]
    fn reader_never_panics_on_arbitrary_text(src in any::<String>()) {
        let _ = reader::read_all(&src, 0);
    }

    #[test]
    fn reader_never_panics_on_scheme_like_text(src in "[()#\\\\'`,@|;\"a-z0-9 .+-]{0,80}") {
        let _ = reader::read_all(&src, 0);
    }

    #[test]
    fn printer_never_panics_on_whatever_reads(src in "[()#\\\\'`,@|;\"a-z0-9 .+=-]{0,80}") {
        let mut interp = Interpreter::new();
        let _ = print_all(&mut interp, &src, Style::Write);
    }

    #[test]
    fn written_data_reads_back_the_same(src in datum()) {
        let mut interp = Interpreter::new();
        for style in [Style::Write, Style::Shared] {
            let printed = print_all(&mut interp, &src, style);
            let printed = printed.unwrap_or_else(|| panic!("{src} does not read"));
            for text in printed {
                let again = print_all(&mut interp, &text, style);
                prop_assert_eq!(again, Some(vec![text.clone()]), "{} printed as {}", src, text);
            }
        }
    }

    #[test]
    fn arithmetic_on_any_numbers_ends_in_a_value_or_an_error(src in numeric_call()) {
        let mut interp = Interpreter::new();
        if let Err(e) = interp.eval_str(&src) {
            prop_assert!(!e.message.contains("panicked"), "{}: {}", src, e.message);
        }
    }

    #[test]
    fn evaluator_never_panics_on_random_programs(src in program()) {
        let mut interp = Interpreter::new();
        interp.set_output(Box::new(std::io::sink()));
        let _ = interp.eval_str(&src);
        // The interpreter still works afterwards.
        prop_assert_eq!(interp.eval_str("(+ 1 2)").map(|v| interp.write(v)).ok(), Some("3".to_string()));
    }
}

/// Exact results too large to hold are refused at once (not computed for minutes or
/// allocated in gigabytes); inexact ones overflow to an infinity.
#[test]
fn huge_powers_raise_or_overflow() {
    let mut interp = Interpreter::new();
    let too_large = "exact result too large (more than 67108864 bits)";
    for src in [
        "(expt 2 (expt 10 10))",
        "(expt -3 (+ 1 (expt 10 30)))",
        "(expt 1/2 (expt 10 10))",
        "(expt 2/3 (- (expt 10 10)))",
        "(expt 1+i (expt 10 10))",
        "(expt 10 (expt 2 26))",
    ] {
        let e = interp.eval_str(src).map(|v| interp.write(v));
        let message = e.expect_err(src).message;
        assert!(message.contains(too_large), "{src}: {message}");
    }
    for (src, want) in [
        ("(expt 2.0 (expt 10 10))", "+inf.0"),
        ("(expt 0.5 (expt 10 10))", "0.0"),
        ("(expt 1 (expt 10 30))", "1"),
        ("(expt -1 (expt 10 30))", "1"),
        ("(expt 0 (expt 10 30))", "0"),
        ("(exact->inexact (expt 7 100000))", "+inf.0"),
        ("(string->number \"#e1e1000000\")", "#f"),
        ("(string->number \"1e1000000\")", "+inf.0"),
    ] {
        let got = interp.eval_str(src).map(|v| interp.write(v));
        assert_eq!(got.ok().as_deref(), Some(want), "{src}");
    }
}
