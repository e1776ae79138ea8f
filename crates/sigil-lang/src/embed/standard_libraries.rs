//! The R7RS-small standard libraries (R7RS appendix A): which names each exports. Their
//! procedures and syntax are built in; importing one of them binds those names to the
//! built-in bindings (so `(import (prefix (scheme base) s:))` gives `s:car`), and
//! `(environment '(scheme base))` is an environment of exactly those names.

use crate::compile::macros::Macro;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Sexp, Span, Syn};
use std::rc::Rc;

/// Each standard library's key and the names it exports.
const LIBRARIES: &[(&str, &str)] = &[
    (
        "scheme base",
        "* + - ... / < <= = => > >= _ abs and append apply assoc assq assv begin
         binary-port? boolean=? boolean? bytevector bytevector-append bytevector-copy
         bytevector-copy! bytevector-length bytevector-u8-ref bytevector-u8-set!
         bytevector? caar cadr call-with-current-continuation call-with-port
         call-with-values call/cc car case cdar cddr cdr ceiling char->integer
         char-ready? char<=? char<? char=? char>=? char>? char? close-input-port
         close-output-port close-port complex? cond cond-expand cons
         current-error-port current-input-port current-output-port define
         define-record-type define-syntax define-values denominator do dynamic-wind
         else eof-object eof-object? eq? equal? eqv? error error-object-irritants
         error-object-message error-object? even? exact exact-integer-sqrt
         exact-integer? exact? expt features file-error? floor floor-quotient
         floor-remainder floor/ flush-output-port for-each gcd get-output-bytevector
         get-output-string guard if include include-ci inexact inexact? input-port-open?
         input-port? integer->char integer? lambda lcm length let let* let*-values
         let-syntax let-values letrec letrec* letrec-syntax list list->string
         list->vector list-copy list-ref list-set! list-tail list? make-bytevector
         make-list make-parameter make-string make-vector map max member memq memv min
         modulo negative? newline not null? number->string number? numerator odd?
         open-input-bytevector open-input-string open-output-bytevector
         open-output-string or output-port-open? output-port? pair? parameterize
         peek-char peek-u8 port? positive? procedure? quasiquote quote quotient raise
         raise-continuable rational? rationalize read-bytevector read-bytevector!
         read-char read-error? read-line read-string read-u8 real? remainder reverse
         round set! set-car! set-cdr! square string string->list string->number
         string->symbol string->utf8 string->vector string-append string-copy
         string-copy! string-fill! string-for-each string-length string-map string-ref
         string-set! string<=? string<? string=? string>=? string>? string? substring
         symbol->string symbol=? symbol? syntax-error syntax-rules textual-port?
         truncate truncate-quotient truncate-remainder truncate/ u8-ready? unless
         unquote unquote-splicing utf8->string values vector vector->list
         vector->string vector-append vector-copy vector-copy! vector-fill!
         vector-for-each vector-length vector-map vector-ref vector-set! vector? when
         with-exception-handler write-bytevector write-char write-string write-u8 zero?",
    ),
    ("scheme case-lambda", "case-lambda"),
    (
        "scheme char",
        "char-alphabetic? char-ci<=? char-ci<? char-ci=? char-ci>=? char-ci>?
         char-downcase char-foldcase char-lower-case? char-numeric? char-upcase
         char-upper-case? char-whitespace? digit-value string-ci<=? string-ci<?
         string-ci=? string-ci>=? string-ci>? string-downcase string-foldcase
         string-upcase",
    ),
    (
        "scheme complex",
        "angle imag-part magnitude make-polar make-rectangular real-part",
    ),
    (
        "scheme cxr",
        "caaar caadr cadar caddr cdaar cdadr cddar cdddr caaaar caaadr caadar caaddr
         cadaar cadadr caddar cadddr cdaaar cdaadr cdadar cdaddr cddaar cddadr cdddar
         cddddr",
    ),
    ("scheme eval", "environment eval"),
    (
        "scheme file",
        "call-with-input-file call-with-output-file delete-file file-exists?
         open-binary-input-file open-binary-output-file open-input-file
         open-output-file with-input-from-file with-output-to-file",
    ),
    (
        "scheme inexact",
        "acos asin atan cos exp finite? infinite? log nan? sin sqrt tan",
    ),
    (
        "scheme lazy",
        "delay delay-force force make-promise promise?",
    ),
    ("scheme load", "load"),
    (
        "scheme process-context",
        "command-line emergency-exit exit get-environment-variable
         get-environment-variables",
    ),
    ("scheme read", "read"),
    ("scheme repl", "interaction-environment"),
    (
        "scheme time",
        "current-jiffy current-second jiffies-per-second",
    ),
    ("scheme write", "display write write-shared write-simple"),
    (
        "scheme r5rs",
        "* + - ... / < <= = => > >= _ abs acos and angle append apply asin assoc assq
         assv atan begin boolean? caaaar caaadr caaar caadar caaddr caadr caar cadaar
         cadadr cadar caddar cadddr caddr cadr call-with-current-continuation
         call-with-input-file call-with-output-file call-with-values car case cdaaar
         cdaadr cdaar cdadar cdaddr cdadr cdar cddaar cddadr cddar cdddar cddddr cdddr
         cddr cdr ceiling char->integer char-alphabetic? char-ci<=? char-ci<? char-ci=?
         char-ci>=? char-ci>? char-downcase char-lower-case? char-numeric? char-ready?
         char-upcase char-upper-case? char-whitespace? char<=? char<? char=? char>=?
         char>? char? close-input-port close-output-port complex? cond cons cos
         current-input-port current-output-port define define-syntax delay denominator
         display do dynamic-wind else eof-object? eq? equal? eqv? eval even?
         exact->inexact exact? exp expt floor for-each force gcd if imag-part
         inexact->exact inexact? input-port? integer->char integer?
         interaction-environment lambda lcm length let let* let-syntax letrec
         letrec-syntax list list->string list->vector list-ref list-tail list? load log
         magnitude make-polar make-rectangular make-string make-vector map max member
         memq memv min modulo negative? newline not null-environment null?
         number->string number? numerator odd? open-input-file open-output-file or
         output-port? pair? peek-char positive? procedure? quasiquote quote quotient
         rational? rationalize read read-char real-part real? remainder reverse round
         scheme-report-environment set! set-car! set-cdr! sin sqrt string string->list
         string->number string->symbol string-append string-ci<=? string-ci<?
         string-ci=? string-ci>=? string-ci>? string-copy string-fill! string-length
         string-ref string-set! string<=? string<? string=? string>=? string>? string?
         substring symbol->string symbol? syntax-rules tan truncate values vector
         vector->list vector-fill! vector-length vector-ref vector-set! vector?
         with-input-from-file with-output-to-file write write-char zero?",
    ),
];

/// The names standard library `key` (`"scheme base"`) exports; `None` if `key` names no
/// standard library.
pub(super) fn exports(key: &str) -> Option<impl Iterator<Item = Symbol>> {
    let (_, names) = LIBRARIES.iter().find(|(k, _)| *k == key)?;
    Some(names.split_whitespace().map(Symbol::intern))
}

/// The keyword a standard library exports for special form `name` (which the expander
/// knows by name): a macro `(syntax-rules () ((_ . args) (name . args)))` whose template
/// resolves in library environment `env`, where `name` is not bound and so means the
/// special form. Imported under another name (`(prefix (scheme base) s:)` gives
/// `s:define`), it still expands to the special form.
pub(super) fn special_form_keyword(name: Symbol, env: u32) -> Result<Macro, String> {
    let span = Span::default();
    let sym = |s: &str| Syn::sym(Symbol::intern(s), span);
    let dotted = |head: Syn| {
        let args = Rc::new(sym("args"));
        Syn::new(Sexp::List(vec![head].into(), Some(args)), span)
    };
    let rule = Syn::list(vec![dotted(sym("_")), dotted(Syn::sym(name, span))], span);
    let spec = Syn::list(
        vec![sym("syntax-rules"), Syn::new(Sexp::Nil, span), rule],
        span,
    );
    let m = Macro::from_syntax_rules(name, &spec, 0)?;
    m.env.set(env);
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every exported name is a built-in binding, a special form of the expander,
    /// auxiliary syntax (matched by name), or a keyword that only other forms know:
    /// `syntax-rules` (in `define-syntax`), `include` and `include-ci` (in
    /// `define-library`; see docs/language.md).
    #[test]
    fn every_exported_name_is_built_in() {
        let i = crate::Interpreter::new();
        let auxiliary = ["...", "_", "=>", "else", "unquote", "unquote-splicing"];
        let other_forms = ["include", "include-ci", "syntax-rules"];
        for (key, names) in LIBRARIES {
            for name in names.split_whitespace() {
                let known = crate::SPECIAL_FORMS.contains(&name)
                    || auxiliary.contains(&name)
                    || other_forms.contains(&name)
                    || i.libs.is_built_in(Symbol::intern(name));
                assert!(known, "({key}) exports {name}, which is not built in");
            }
        }
    }
}
