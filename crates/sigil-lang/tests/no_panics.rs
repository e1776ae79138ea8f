//! Bad input never panics: arbitrary text through the reader, and random programs
//! (built from a vocabulary of data, special forms and side-effect-free procedures)
//! through the whole evaluator, end in a value or a Scheme error.

use proptest::prelude::*;
use sigil_lang::read::reader;
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
    fn evaluator_never_panics_on_random_programs(src in program()) {
        let mut interp = Interpreter::new();
        interp.vm.set_output(Box::new(std::io::sink()));
        let _ = interp.eval_str(&src);
        // The interpreter still works afterwards.
        prop_assert_eq!(interp.eval_str("(+ 1 2)").map(|v| interp.write(v)).ok(), Some("3".to_string()));
    }
}
