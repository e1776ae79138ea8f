//! Properties of the numeric tower on random numbers: exact arithmetic is exact, the
//! written form reads back as the same number in every radix, and comparisons between
//! exact and inexact numbers agree with exact comparison.

use proptest::prelude::*;
use sigil_lang::read::number_format::format_float;
use sigil_lang::Interpreter;

/// Source text of an exact rational: an integer (fixnum or bignum) or a ratio.
fn rational() -> impl Strategy<Value = String> {
    let integer = prop_oneof![
        (-1000i64..1000).prop_map(|i| i.to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
        "-?[1-9][0-9]{18,40}",
    ];
    prop_oneof![
        integer.clone(),
        (integer.clone(), integer)
            .prop_filter("a denominator", |(_, d)| d != "0")
            .prop_map(|(n, d)| format!("(/ {n} {d})")),
    ]
}

/// Source text of a finite flonum.
fn finite_float() -> impl Strategy<Value = String> {
    any::<f64>()
        .prop_filter("finite", |x| x.is_finite())
        .prop_map(format_float)
}

/// Source text of a number of any kind, infinities and NaN included.
fn any_number() -> impl Strategy<Value = String> {
    let real = prop_oneof![
        rational(),
        any::<f64>().prop_map(format_float),
        Just("-0.0".to_string()),
    ];
    prop_oneof![
        real.clone(),
        (rational(), rational()).prop_map(|(a, b)| format!("(make-rectangular {a} {b})")),
        (real.clone(), real).prop_map(|(a, b)| format!("(make-rectangular {a} {b})")),
    ]
}

/// Evaluates `src`, which must give `#t`.
fn holds(interp: &mut Interpreter, src: &str) -> Result<(), TestCaseError> {
    match interp.eval_str(src) {
        Ok(v) => {
            let got = interp.write(v);
            prop_assert_eq!(got.as_str(), "#t", "{}", src);
        }
        Err(e) => prop_assert!(false, "{}: {}", src, e.message),
    }
    Ok(())
}

const SAME: &str = "(define (same? a b)
  (or (eqv? a b)
      (and (nan? (real-part a)) (nan? (real-part b)) (eqv? (imag-part a) (imag-part b)))
      (and (eqv? (real-part a) (real-part b)) (nan? (imag-part a)) (nan? (imag-part b)))))";

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn exact_arithmetic_is_exact(a in rational(), b in rational()) {
        let mut interp = Interpreter::new();
        holds(&mut interp, &format!("(let ((a {a}) (b {b}))
            (and (exact? (+ a b)) (= (- (+ a b) b) a) (= (+ a b) (+ b a))
                 (= (* a b) (* b a)) (or (zero? b) (= (* (/ a b) b) a))
                 (or (zero? b) (exact? (/ a b)))
                 (= (+ (* (numerator a) (denominator b)) (* (numerator b) (denominator a)))
                    (* (+ a b) (denominator a) (denominator b)))
                 (<= (floor a) a (ceiling a)) (< (- a 1) (round a) (+ a 1))))"))?;
    }

    #[test]
    fn numbers_read_back_in_every_radix(z in any_number()) {
        let mut interp = Interpreter::new();
        interp.eval_str(SAME).map_err(|e| TestCaseError::fail(e.message))?;
        holds(&mut interp, &format!("(let ((z {z}))
            (and (same? (string->number (number->string z)) z)
                 (same? (read (open-input-string (number->string z))) z)
                 (same? (string->number (number->string z 2) 2) z)
                 (same? (string->number (number->string z 8) 8) z)
                 (same? (string->number (number->string z 16) 16) z)))"))?;
    }

    #[test]
    fn mixed_comparisons_are_exact(a in rational(), x in finite_float()) {
        let mut interp = Interpreter::new();
        holds(&mut interp, &format!("(let ((a {a}) (x {x}))
            (and (eq? (< a x) (< a (exact x))) (eq? (= a x) (= a (exact x)))
                 (eq? (> a x) (> a (exact x))) (eq? (<= x a) (<= (exact x) a))
                 (eq? (< a x) (not (>= a x)))
                 (= (exact (inexact (exact x))) (exact x))))"))?;
    }

    #[test]
    fn exactness_round_trips(x in finite_float()) {
        let mut interp = Interpreter::new();
        holds(&mut interp, &format!("(let ((x {x}))
            (and (eqv? (inexact (exact x)) (if (zero? x) 0.0 x)) (exact? (exact x))
                 (= (/ (numerator (exact x)) (denominator (exact x))) x)
                 (or (infinite? (denominator x))
                     (= (numerator x) (inexact (numerator (exact x)))))))"))?;
    }
}
