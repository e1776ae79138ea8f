//! The native half of `(sigil json)`: `(sigil %json)` converts between Scheme values and
//! JSON text with `serde_json`. The Scheme library `stdlib/sigil/json.sgl` wraps these
//! natives into the documented names; `docs/json.md` describes the mapping.
//!
//! | JSON            | Scheme                                              |
//! |-----------------|-----------------------------------------------------|
//! | object          | association list with symbol keys, in order (`{}` ↔ `'()`) |
//! | array           | vector                                              |
//! | string          | string                                              |
//! | integer         | exact integer (bignums included)                    |
//! | other number    | float                                               |
//! | `true`/`false`  | `#t`/`#f`                                           |
//! | `null`          | the symbol `null`                                   |
//!
//! Object key order survives both ways: `serde_json` is built with `preserve_order`, and
//! with `arbitrary_precision` so integers of any size keep every digit.

use num_bigint::BigInt;
use serde_json::{Map, Number, Value as Json};
use sigil_lang::run::heap::Heap;
use sigil_lang::run::value::Object;
use sigil_lang::{native, Ctx, Error, Interpreter, NResult, Value};
use std::str::FromStr;

/// How deeply vectors and objects may nest when encoding. Deeper (or circular) structures
/// are refused with an error instead of exhausting the stack. Decoding is bounded by
/// `serde_json`'s own limit of 128 levels.
pub const MAX_ENCODE_DEPTH: usize = 512;

/// Defines the native library `(sigil %json)` with `%json->string` and `%string->json`.
pub fn register(interp: &mut Interpreter) {
    interp.define_native_library("sigil %json", |reg| {
        reg.add_as("%json->string", &JSON_TO_STRING);
        reg.add_as("%string->json", &STRING_TO_JSON);
    });
}

/// `(%json->string value [pretty?])`: JSON text for `value`, compact unless `pretty?` is
/// true (then indented by two spaces). Errors name `json->string`, which
/// `(sigil json)` defines on top of it.
#[native("json->string")]
fn json_to_string(ctx: &mut Ctx, v: Value, pretty: Option<Value>) -> NResult<String> {
    let json = encode(ctx.heap(), v, 0)?;
    if pretty.is_some_and(Value::is_true) {
        serde_json::to_string_pretty(&json)
    } else {
        serde_json::to_string(&json)
    }
    .map_err(|e| Error::new("error", e.to_string()))
}

/// `(%string->json text)`: the Scheme value for JSON `text`.
#[native("string->json")]
fn string_to_json(ctx: &mut Ctx, text: String) -> NResult {
    let json: Json =
        serde_json::from_str(&text).map_err(|e| Error::new("read-error", e.to_string()))?;
    decode(ctx, &json)
}

// ---- Scheme → JSON ----------------------------------------------------------------------

fn cannot_encode(v: Value) -> Error {
    Error::new("type-error", "cannot encode").with_irritants(vec![v])
}

/// Converts `v` to a JSON tree; `depth` is the number of enclosing arrays and objects.
fn encode(heap: &Heap, v: Value, depth: usize) -> NResult<Json> {
    match v {
        Value::Bool(b) => Ok(Json::Bool(b)),
        Value::Int(i) => Ok(Json::Number(i.into())),
        Value::Float(f) => Number::from_f64(f).map(Json::Number).ok_or_else(|| {
            Error::new("type-error", "cannot encode a non-finite number").with_irritants(vec![v])
        }),
        Value::Sym(s) if s.strip().is("null") => Ok(Json::Null),
        Value::Null => Ok(Json::Object(Map::new())),
        Value::Obj(_) => {
            if depth >= MAX_ENCODE_DEPTH {
                return Err(Error::range(format!(
                    "nesting deeper than {MAX_ENCODE_DEPTH} levels (circular structure?)"
                )));
            }
            match heap.obj(v) {
                Some(Object::Str(s)) => Ok(Json::String(s.to_string())),
                Some(Object::Big(b)) => Number::from_str(&b.to_string())
                    .map(Json::Number)
                    .map_err(|_| cannot_encode(v)),
                Some(Object::Vector(items)) => items
                    .iter()
                    .map(|&x| encode(heap, x, depth + 1))
                    .collect::<NResult<Vec<Json>>>()
                    .map(Json::Array),
                Some(Object::Pair(..)) => encode_object(heap, v, depth),
                _ => Err(cannot_encode(v)),
            }
        }
        _ => Err(cannot_encode(v)),
    }
}

/// Encodes a non-empty list, which must be an association list, as a JSON object. The
/// first entry for a key wins, as with `assoc`.
fn encode_object(heap: &Heap, v: Value, depth: usize) -> NResult<Json> {
    let entries = match list_items(heap, v) {
        Ok(items) => items,
        Err(Shape::Circular) => {
            return Err(Error::new("type-error", "cannot encode a circular list"))
        }
        Err(Shape::Improper) => {
            return Err(
                Error::new("type-error", "cannot encode an improper list").with_irritants(vec![v])
            )
        }
    };
    let mut map = Map::new();
    for entry in entries {
        let Some((key, val)) = heap.pair(entry) else {
            return Err(Error::new(
                "type-error",
                "cannot encode a list that is not an association list \
                 (use a vector for a JSON array)",
            )
            .with_irritants(vec![v]));
        };
        let key = match key {
            Value::Sym(s) => s.strip().name().to_string(),
            _ => match heap.str(key) {
                Some(s) => s.to_owned(),
                None => {
                    return Err(Error::new(
                        "type-error",
                        "object key must be a symbol or a string, got",
                    )
                    .with_irritants(vec![key]))
                }
            },
        };
        if !map.contains_key(&key) {
            let val = encode(heap, val, depth + 1)?;
            map.insert(key, val);
        }
    }
    Ok(Json::Object(map))
}

/// Why a value is not a proper list.
enum Shape {
    /// It ends in something other than `()`.
    Improper,
    /// Its spine loops back on itself.
    Circular,
}

/// The elements of a proper list, detecting circular spines (Floyd's tortoise and hare).
fn list_items(heap: &Heap, v: Value) -> Result<Vec<Value>, Shape> {
    let mut items = Vec::new();
    let mut slow = v;
    let mut cur = v;
    loop {
        if let Value::Null = cur {
            return Ok(items);
        }
        let (a, d) = heap.pair(cur).ok_or(Shape::Improper)?;
        items.push(a);
        cur = d;
        if items.len() % 2 == 0 {
            slow = heap.pair(slow).map_or(Value::Null, |(_, d)| d);
            if cur.eq(slow) && !matches!(cur, Value::Null) {
                return Err(Shape::Circular);
            }
        }
    }
}

// ---- JSON → Scheme ----------------------------------------------------------------------

/// Whether JSON number text is an integer (no fraction, no exponent).
fn is_integer_text(s: &str) -> bool {
    !s.contains(['.', 'e', 'E'])
}

/// Builds the Scheme value for a JSON tree (nesting is at most 128 levels deep).
fn decode(ctx: &mut Ctx, json: &Json) -> NResult {
    Ok(match json {
        Json::Null => Value::sym("null"),
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else {
                let text = n.to_string();
                if is_integer_text(&text) {
                    let big = BigInt::from_str(&text).map_err(|_| out_of_range(&text))?;
                    ctx.integer(big)
                } else {
                    Value::Float(n.as_f64().ok_or_else(|| out_of_range(&text))?)
                }
            }
        }
        Json::String(s) => ctx.string(s.as_str()),
        Json::Array(items) => {
            let items = items
                .iter()
                .map(|x| decode(ctx, x))
                .collect::<NResult<Vec<Value>>>()?;
            ctx.vector(items)
        }
        Json::Object(map) => {
            let mut entries = Vec::with_capacity(map.len());
            for (k, x) in map {
                let x = decode(ctx, x)?;
                entries.push(ctx.cons(Value::sym(k), x));
            }
            ctx.list(&entries)
        }
    })
}

fn out_of_range(text: &str) -> Error {
    Error::new("read-error", format!("number out of range: {text}"))
}

#[cfg(test)]
mod tests {
    use sigil_lang::Interpreter;

    use std::cell::RefCell;

    thread_local! {
        /// One interpreter per test (each test runs on its own thread): building one is the
        /// slow part of these tests.
        static INTERP: RefCell<Option<Interpreter>> = const { RefCell::new(None) };
    }

    /// Runs `f` with this thread's interpreter, which has `(sigil json)` imported.
    fn with_interp<T>(f: impl FnOnce(&mut Interpreter) -> T) -> T {
        INTERP.with(|cell| {
            let mut slot = cell.borrow_mut();
            let i = slot.get_or_insert_with(|| {
                let mut i = Interpreter::new();
                super::register(&mut i);
                i.add_library_source("sigil json", include_str!("../../../stdlib/sigil/json.sgl"));
                i.eval_str("(import (sigil json))")
                    .expect("import (sigil json)");
                i
            });
            f(i)
        })
    }

    /// Evaluates `src` and returns the `write` form of its value.
    fn w(src: &str) -> String {
        with_interp(|i| match i.eval_str(src) {
            Ok(v) => i.write(v),
            Err(e) => panic!("{src}: {e}"),
        })
    }

    /// Evaluates `src` and returns the `display` form of its value (JSON text, say).
    fn d(src: &str) -> String {
        with_interp(|i| match i.eval_str(src) {
            Ok(v) => i.display(v),
            Err(e) => panic!("{src}: {e}"),
        })
    }

    /// Evaluates `src`, which must fail, and returns the error's kind and message.
    fn err(src: &str) -> (String, String) {
        with_interp(|i| match i.eval_str(src) {
            Ok(v) => panic!("{src}: expected an error, got {}", i.write(v)),
            Err(e) => (e.kind, e.message),
        })
    }

    #[test]
    fn api_document_examples() {
        assert_eq!(
            d(r#"(json->string '((action . "subscribe") (channel . "updates")))"#),
            r#"{"action":"subscribe","channel":"updates"}"#
        );
        assert_eq!(
            w(r#"(assoc-ref 'status (string->json "{\"status\":\"ok\"}"))"#),
            r#""ok""#
        );
    }

    #[test]
    fn doc_examples() {
        assert_eq!(
            w(r#"(string->json "{\"a\":{},\"b\":[]}")"#),
            "((a) (b . #()))"
        );
        assert_eq!(
            d(
                r#"(json->string (list '(id . 7) '(tags . #("a" "b")) '(ok . #t) (cons 'reply json-null)))"#
            ),
            r#"{"id":7,"tags":["a","b"],"ok":true,"reply":null}"#
        );
        assert_eq!(
            w(r#"(let ((doc (string->json "{\"a\":null,\"b\":false}")))
                   (list (json-null? (assoc-ref 'a doc)) (assoc-ref 'b doc)))"#),
            "(#t #f)"
        );
        assert_eq!(
            d(r#"(json->string (list (cons 'x json-null)))"#),
            r#"{"x":null}"#
        );
        let reply = r#"(define reply (string->json "{\"user\":{\"name\":\"ann\",\"roles\":[\"admin\"]},\"n\":123456789012345678901234567890}"))"#;
        assert_eq!(
            w(&format!(
                "{reply} (list (assoc-ref 'name (assoc-ref 'user reply)) \
                 (vector-ref (assoc-ref 'roles (assoc-ref 'user reply)) 0) \
                 (+ 1 (assoc-ref 'n reply)))"
            )),
            r#"("ann" "admin" 123456789012345678901234567891)"#
        );
        assert_eq!(
            d(r#"(json->string (string->json "{\"b\":[1,2.5,null],\"a\":{}}"))"#),
            r#"{"b":[1,2.5,null],"a":{}}"#
        );
    }

    #[test]
    fn objects_keep_key_order() {
        assert_eq!(
            d(r#"(json->string '((z . 1) (a . 2) (m . 3)))"#),
            r#"{"z":1,"a":2,"m":3}"#
        );
        assert_eq!(
            w(r#"(string->json "{\"z\":1,\"a\":2,\"m\":3}")"#),
            "((z . 1) (a . 2) (m . 3))"
        );
    }

    #[test]
    fn string_keys_and_duplicate_keys() {
        assert_eq!(d(r#"(json->string '(("a b" . 1)))"#), r#"{"a b":1}"#);
        // The first entry wins, as with assoc.
        assert_eq!(d(r#"(json->string '((a . 1) (a . 2)))"#), r#"{"a":1}"#);
        // In text, the last duplicate's value wins (at the first one's position).
        assert_eq!(
            w(r#"(string->json "{\"a\":1,\"b\":2,\"a\":3}")"#),
            "((a . 3) (b . 2))"
        );
    }

    #[test]
    fn nesting() {
        let text = r#"{"user":{"name":"ann","tags":["x","y"],"address":{"city":"Oslo"}},"n":[[1,[2]],{}]}"#;
        assert_eq!(
            w(&format!("(string->json {text:?})")),
            r#"((user (name . "ann") (tags . #("x" "y")) (address (city . "Oslo"))) (n . #(#(1 #(2)) ())))"#
        );
        assert_eq!(d(&format!("(json->string (string->json {text:?}))")), text);
    }

    #[test]
    fn arrays_are_vectors() {
        assert_eq!(d(r#"(json->string #(1 "two" #t))"#), r#"[1,"two",true]"#);
        assert_eq!(
            w(r#"(string->json "[1, \"two\", false]")"#),
            r#"#(1 "two" #f)"#
        );
        assert_eq!(w(r#"(string->json "[]")"#), "#()");
        assert_eq!(w(r#"(vector-ref (string->json "[10,20,30]") 1)"#), "20");
    }

    #[test]
    fn numbers() {
        assert_eq!(d("(json->string 42)"), "42");
        assert_eq!(d("(json->string -7)"), "-7");
        assert_eq!(d("(json->string 1.5)"), "1.5");
        assert_eq!(d("(json->string 2.0)"), "2.0");
        assert_eq!(w(r#"(string->json "42")"#), "42");
        assert_eq!(w(r#"(string->json "42.0")"#), "42.0");
        assert_eq!(w(r#"(string->json "-0")"#), "0");
        assert_eq!(w(r#"(string->json "1.5")"#), "1.5");
        assert_eq!(w(r#"(string->json "2.0")"#), "2.0");
        assert_eq!(w(r#"(string->json "1E+2")"#), "100.0");
        assert_eq!(w(r#"(string->json "1e2")"#), "100.0");
        assert_eq!(w(r#"(string->json "-2.5E-3")"#), "-0.0025");
        assert_eq!(
            w(r#"(string->json "9223372036854775807")"#),
            "9223372036854775807"
        );
    }

    #[test]
    fn big_integers() {
        assert_eq!(
            d("(json->string 123456789012345678901234567890)"),
            "123456789012345678901234567890"
        );
        assert_eq!(
            d("(json->string (- 0 123456789012345678901234567890))"),
            "-123456789012345678901234567890"
        );
        assert_eq!(
            w(r#"(string->json "123456789012345678901234567890")"#),
            "123456789012345678901234567890"
        );
        assert_eq!(
            w(r#"(+ 1 (vector-ref (string->json "[123456789012345678901234567890]") 0))"#),
            "123456789012345678901234567891"
        );
        assert_eq!(
            w(r#"(string->json "-98765432109876543210")"#),
            "-98765432109876543210"
        );
    }

    #[test]
    fn strings_escapes_and_unicode() {
        assert_eq!(d(r#"(json->string "a\"b\\c\nd\te")"#), r#""a\"b\\c\nd\te""#);
        assert_eq!(d(r#"(json->string "héllo ✓ 😀")"#), "\"héllo ✓ 😀\"");
        assert_eq!(
            d(r#"(json->string (string->json "\"\\u0001\""))"#),
            r#""\u0001""#
        );
        assert_eq!(
            w(r#"(string->json "\"\\u00e9\\u2713\\ud83d\\ude00 \\n\\/\"")"#),
            "\"é✓😀 \\n/\""
        );
        assert_eq!(w(r#"(string->json "\"\\ud83d\\ude00\"")"#), "\"😀\"");
    }

    #[test]
    fn null_and_booleans() {
        assert_eq!(d("(json->string json-null)"), "null");
        assert_eq!(d("(json->string 'null)"), "null");
        assert_eq!(w(r#"(string->json "null")"#), "null");
        assert_eq!(w(r#"(json-null? (string->json "null"))"#), "#t");
        assert_eq!(w("(json-null? #f)"), "#f");
        assert_eq!(w("(json-null? '())"), "#f");
        assert_eq!(w("(eq? json-null 'null)"), "#t");
        assert_eq!(d("(json->string #t)"), "true");
        assert_eq!(d("(json->string #f)"), "false");
        assert_eq!(w(r#"(string->json "[true,false,null]")"#), "#(#t #f null)");
        assert_eq!(
            d(r#"(json->string (cons (cons 'a json-null) (cons (cons 'b #f) '())))"#),
            r#"{"a":null,"b":false}"#
        );
    }

    #[test]
    fn empty_object_and_array() {
        assert_eq!(d("(json->string '())"), "{}");
        assert_eq!(w(r#"(string->json "{}")"#), "()");
        assert_eq!(d("(json->string #())"), "[]");
        assert_eq!(
            d(r#"(json->string '((a . ()) (b . #())))"#),
            r#"{"a":{},"b":[]}"#
        );
    }

    #[test]
    fn round_trips() {
        for text in [
            r#"{"action":"subscribe","channel":"updates"}"#,
            r#"[1,2.5,"x",true,false,null,{},[]]"#,
            r#"{"a":{"b":{"c":[1,{"d":null}]}}}"#,
            r#"123456789012345678901234567890"#,
            r#""\u0000 é \"q\"""#,
            r#"-0.5"#,
        ] {
            assert_eq!(
                d(&format!("(json->string (string->json {text:?}))")),
                text,
                "round trip of {text}"
            );
        }
        assert_eq!(
            w(r#"(let ((v '((a . 1) (b . #(1 2 "x")) (c . ((d . null))))))
                   (equal? v (string->json (json->string v))))"#),
            "#t"
        );
    }

    #[test]
    fn pretty_printing() {
        assert_eq!(
            d(r#"(json->string '((a . 1) (b . #(1 2))) #t)"#),
            "{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ]\n}"
        );
        assert_eq!(d(r#"(json->string '((a . 1)) #f)"#), r#"{"a":1}"#);
    }

    #[test]
    fn malformed_input_reports_position() {
        let (kind, msg) = err(r#"(string->json "[1, 2,")"#);
        assert_eq!(kind, "read-error");
        assert_eq!(
            msg,
            "string->json: EOF while parsing a value at line 1 column 6"
        );
        let (_, msg) = err(r#"(string->json "{\"a\": tru}")"#);
        assert_eq!(msg, "string->json: expected ident at line 1 column 10");
        let (_, msg) = err(r#"(string->json "[1,\n 2,\n  x]")"#);
        assert_eq!(msg, "string->json: expected value at line 3 column 3");
        let (_, msg) = err(r#"(string->json "{} x")"#);
        assert!(
            msg.contains("trailing characters at line 1 column 4"),
            "{msg}"
        );
        let (_, msg) = err(r#"(string->json "")"#);
        assert!(msg.contains("line 1 column 0"), "{msg}");
        let (kind, msg) = err(r#"(string->json "[1e400]")"#);
        assert_eq!(kind, "read-error");
        assert!(
            msg.starts_with("string->json: number out of range: 1e"),
            "{msg}"
        );
        assert_eq!(w(r#"(string->json "1e-400")"#), "0.0");
        let (kind, _) = err("(string->json 5)");
        assert_eq!(kind, "type-error");
        // Errors can be caught and inspected from Scheme.
        assert_eq!(
            w(r#"(guard (e ((read-error? e) (error-object-message e)))
                   (string->json "{\"a\" 1}"))"#),
            r#""string->json: expected `:` at line 1 column 6""#
        );
    }

    #[test]
    fn deep_nesting_is_a_clean_error() {
        let deep = "[".repeat(100_000);
        let (kind, msg) = err(&format!("(string->json {deep:?})"));
        assert_eq!(kind, "read-error");
        assert!(msg.contains("recursion limit exceeded"), "{msg}");
        // 128 levels are fine.
        let ok = format!("{}{}", "[".repeat(127), "]".repeat(127));
        assert_eq!(d(&format!("(json->string (string->json {ok:?}))")), ok);
        // Encoding is capped too.
        let (kind, msg) = err("(let loop ((i 0) (v 1))
               (if (= i 1000)
                   (json->string v)
                   (let ((w (string->json \"[0]\"))) (vector-set! w 0 v) (loop (+ i 1) w))))");
        assert_eq!(kind, "range-error");
        assert!(msg.contains("nesting deeper than 512"), "{msg}");
        let (_, msg) =
            err("(let ((v (string->json \"[1]\"))) (vector-set! v 0 v) (json->string v))");
        assert!(msg.contains("nesting deeper than 512"), "{msg}");
    }

    #[test]
    fn unencodable_values() {
        let cases = [
            ("(json->string #\\a)", "json->string: cannot encode #\\a"),
            ("(json->string 'foo)", "json->string: cannot encode foo"),
            (
                "(json->string '(1 2 3))",
                "json->string: cannot encode a list that is not an association list \
                 (use a vector for a JSON array) (1 2 3)",
            ),
            (
                "(json->string '((a . 1) . 2))",
                "json->string: cannot encode an improper list ((a . 1) . 2)",
            ),
            (
                "(json->string '((1 . 2)))",
                "json->string: object key must be a symbol or a string, got 1",
            ),
            (
                "(json->string (/ 1.0 0.0))",
                "json->string: cannot encode a non-finite number +inf.0",
            ),
            (
                "(let ((v (string->json \"[1,2]\"))) (vector-set! v 1 car) (json->string v))",
                "json->string: cannot encode #<procedure car>",
            ),
        ];
        for (src, want) in cases {
            let (kind, msg) = err(src);
            assert_eq!(kind, "type-error", "{src}");
            if want.ends_with("#<procedure car>") {
                assert!(
                    msg.starts_with("json->string: cannot encode #<"),
                    "{src}: {msg}"
                );
            } else {
                assert_eq!(msg, want, "{src}");
            }
        }
        let (_, msg) = err("(json->string (/ 0.0 0.0))");
        assert!(
            msg.starts_with("json->string: cannot encode a non-finite number"),
            "{msg}"
        );
        let (_, msg) = err(
            "(let ((l (cons (cons 'a 1) (cons (cons 'b 2) '())))) (set-cdr! (cdr l) l) (json->string l))",
        );
        assert_eq!(msg, "json->string: cannot encode a circular list");
        let (_, msg) = err("(json->string 1 2 3)");
        assert_eq!(msg, "json->string: too many arguments (2 3)");
    }
}
