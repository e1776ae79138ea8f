//! Bad input never panics: arbitrary text through the reader and the printer, and random
//! programs (built from a vocabulary of data, special forms and side-effect-free
//! procedures) through the whole evaluator, end in a value or a Scheme error. What `write`
//! and `write-shared` print reads back as the same data.

use proptest::prelude::*;
use sigil_lang::read::reader;
use sigil_lang::run::printer::{render, Style};
use sigil_lang::Interpreter;

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

fn program() -> impl Strategy<Value = String> {
    prop::collection::vec(expr(), 1..4).prop_map(|forms| forms.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

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
    fn evaluator_never_panics_on_random_programs(src in program()) {
        let mut interp = Interpreter::new();
        interp.set_output(Box::new(std::io::sink()));
        let _ = interp.eval_str(&src);
        // The interpreter still works afterwards.
        prop_assert_eq!(interp.eval_str("(+ 1 2)").map(|v| interp.write(v)).ok(), Some("3".to_string()));
    }
}
