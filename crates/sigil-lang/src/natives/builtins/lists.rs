//! Pairs and lists: construction, length, access, copying, membership and association
//! lookups, and in-place updates. Procedures taking a procedure argument live in
//! `prelude/lists.sgl`.

use super::seq::alloc_size;
use super::symbols::equal;
use super::Registry;
use crate::native;
use crate::natives::List;
use crate::read::symbol::Symbol;
use crate::run::ctx::Ctx;
use crate::run::heap::Heap;
use crate::run::numeric;
use crate::run::value::{Error, NResult, Value};

/// How a walk along a list's pairs finished.
enum Walk<R> {
    /// The visitor asked to stop with this result.
    Stopped(R),
    /// The walk reached this non-pair tail (`()` for a proper list).
    Ended(Value),
}

/// The error for a circular list. The list itself is left out of the message: printing
/// it would not terminate.
fn circular() -> Error {
    Error::new("type-error", "expected a proper list, got a circular list")
}

/// Visits each pair of `list` with `(pair, car)` until `visit` returns `Some`. Circular
/// lists are detected with a tortoise that moves at half the walker's speed.
fn walk<R>(
    heap: &Heap,
    list: Value,
    mut visit: impl FnMut(Value, Value) -> Option<R>,
) -> NResult<Walk<R>> {
    let mut cur = list;
    let mut slow = list;
    let mut steps = 0usize;
    while let Some((a, d)) = heap.pair(cur) {
        if let Some(r) = visit(cur, a) {
            return Ok(Walk::Stopped(r));
        }
        cur = d;
        steps += 1;
        if steps.is_multiple_of(2) {
            slow = heap.pair(slow).map_or(slow, |p| p.1);
            if slow.eq(cur) {
                return Err(circular());
            }
        }
    }
    Ok(Walk::Ended(cur))
}

/// Like [`walk`] but the list must be proper; `None` when `visit` never stopped.
fn scan<R>(
    heap: &Heap,
    list: Value,
    visit: impl FnMut(Value, Value) -> Option<R>,
) -> NResult<Option<R>> {
    match walk(heap, list, visit)? {
        Walk::Stopped(r) => Ok(Some(r)),
        Walk::Ended(Value::Null) => Ok(None),
        Walk::Ended(_) => Err(Error::expected("a proper list", list)),
    }
}

/// The elements of a proper list; errors on improper or circular lists.
fn elements(heap: &Heap, list: Value) -> NResult<Vec<Value>> {
    let mut out = Vec::new();
    scan(heap, list, |_, a| {
        out.push(a);
        None::<()>
    })?;
    Ok(out)
}

/// `(%check-list who lst)`: returns `lst` if it is a proper list, else raises
/// "WHO: expected a proper list, got LST". Used by the list procedures in the prelude.
#[native("%check-list")]
fn check_list(ctx: &mut Ctx, who: Symbol, list: Value) -> NResult {
    scan(ctx.heap(), list, |_, _| None::<()>).map_err(|e| e.in_procedure(&who.name()))?;
    Ok(list)
}

/// `(list obj ...)`.
#[native("list")]
fn list(#[rest] items: &[Value]) -> List<Value> {
    List(items.to_vec())
}

/// `(cons* obj ... tail)`: the objects consed onto `tail`.
#[native("cons*")]
fn cons_star(ctx: &mut Ctx, first: Value, #[rest] more: &[Value]) -> Value {
    match more.split_last() {
        Some((&tail, middle)) => {
            let items = [&[first], middle].concat();
            ctx.list_with_tail(&items, tail)
        }
        None => first,
    }
}

/// `(length list)`.
#[native("length")]
fn length(ctx: &mut Ctx, list: Value) -> NResult<usize> {
    let mut n = 0;
    scan(ctx.heap(), list, |_, _| {
        n += 1;
        None::<()>
    })?;
    Ok(n)
}

/// `(list? obj)`: whether `obj` is a proper list (not circular).
#[native("list?")]
fn is_list(ctx: &mut Ctx, v: Value) -> bool {
    matches!(
        walk(ctx.heap(), v, |_, _| None::<()>),
        Ok(Walk::Ended(Value::Null))
    )
}

/// `(append list ... obj)`.
#[native("append")]
fn append(ctx: &mut Ctx, #[rest] args: &[Value]) -> NResult {
    let Some((&last, init)) = args.split_last() else {
        return Ok(Value::Null);
    };
    let mut items = Vec::new();
    for &l in init {
        items.extend(elements(ctx.heap(), l)?);
    }
    Ok(ctx.list_with_tail(&items, last))
}

/// `(reverse list)`.
#[native("reverse")]
fn reverse(ctx: &mut Ctx, list: Value) -> NResult<List<Value>> {
    let mut items = elements(ctx.heap(), list)?;
    items.reverse();
    Ok(List(items))
}

/// `(reverse! list)`: reverses the list by changing its pairs.
#[native("reverse!")]
fn reverse_in_place(ctx: &mut Ctx, list: Value) -> NResult {
    scan(ctx.heap(), list, |_, _| None::<()>)?;
    let mut prev = Value::Null;
    let mut cur = list;
    while let Some((_, d)) = ctx.heap().pair(cur) {
        if let Some((_, cdr)) = ctx.pair_mut(cur) {
            *cdr = prev;
        }
        prev = cur;
        cur = d;
    }
    Ok(prev)
}

fn out_of_range(k: usize, list: Value) -> Error {
    Error::range(format!("index {k} out of range for")).with_irritants(vec![list])
}

/// The tail of `list` after `k` pairs, or a range error.
fn tail(heap: &Heap, list: Value, k: usize) -> NResult {
    let mut cur = list;
    for _ in 0..k {
        match heap.pair(cur) {
            Some((_, d)) => cur = d,
            None => return Err(out_of_range(k, list)),
        }
    }
    Ok(cur)
}

/// The pair at index `k` of `list`, or a range error.
fn nth_pair(heap: &Heap, list: Value, k: usize) -> NResult {
    let t = tail(heap, list, k)?;
    match heap.pair(t) {
        Some(_) => Ok(t),
        None => Err(out_of_range(k, list)),
    }
}

/// `(list-tail list k)`.
#[native("list-tail")]
fn list_tail(ctx: &mut Ctx, list: Value, k: usize) -> NResult {
    tail(ctx.heap(), list, k)
}

/// `(list-ref list k)`.
#[native("list-ref")]
fn list_ref(ctx: &mut Ctx, list: Value, k: usize) -> NResult {
    let p = nth_pair(ctx.heap(), list, k)?;
    Ok(ctx.heap().pair(p).map_or(Value::Unspecified, |p| p.0))
}

/// `(list-set! list k obj)`.
#[native("list-set!")]
fn list_set(ctx: &mut Ctx, list: Value, k: usize, x: Value) -> NResult<()> {
    let p = nth_pair(ctx.heap(), list, k)?;
    if let Some((car, _)) = ctx.pair_mut(p) {
        *car = x;
    }
    Ok(())
}

/// `(list-copy obj)`: a copy of the list's pairs (the tail of an improper list is kept).
#[native("list-copy")]
fn list_copy(ctx: &mut Ctx, list: Value) -> NResult {
    let mut items = Vec::new();
    let end = walk(ctx.heap(), list, |_, a| {
        items.push(a);
        None::<()>
    })?;
    let tail = match end {
        Walk::Ended(t) => t,
        Walk::Stopped(()) => Value::Null,
    };
    Ok(ctx.list_with_tail(&items, tail))
}

/// `(last-pair list)`.
#[native("last-pair")]
fn last_pair(ctx: &mut Ctx, list: Value) -> NResult {
    if ctx.heap().pair(list).is_none() {
        return Err(Error::expected("a pair", list));
    }
    let mut last = list;
    walk(ctx.heap(), list, |p, _| {
        last = p;
        None::<()>
    })?;
    Ok(last)
}

/// `(make-list k [fill])`.
#[native("make-list")]
fn make_list(k: usize, fill: Option<Value>) -> NResult<List<Value>> {
    Ok(List(vec![
        fill.unwrap_or(Value::Unspecified);
        alloc_size(k)?
    ]))
}

/// `(iota count [start [step]])`.
#[native("iota")]
fn iota(ctx: &mut Ctx, n: usize, start: Option<Value>, step: Option<Value>) -> NResult {
    let n = alloc_size(n)?;
    let start = start.unwrap_or(Value::Int(0));
    let step = step.unwrap_or(Value::Int(1));
    for v in [start, step] {
        if !numeric::is_number(ctx.heap(), v) {
            return Err(Error::expected("a number", v));
        }
    }
    let heap = &mut ctx.vm.heap;
    let mut out = Value::Null;
    for i in (0..n).rev() {
        let i = heap.integer(i.into());
        let offset = numeric::mul(heap, i, step)?;
        let x = numeric::add(heap, start, offset)?;
        out = heap.cons(x, out);
    }
    Ok(out)
}

/// `(set-car! pair obj)`.
#[native("set-car!")]
fn set_car(ctx: &mut Ctx, p: Value, x: Value) -> NResult<()> {
    let (car, _) = ctx
        .pair_mut(p)
        .ok_or_else(|| Error::expected("a pair", p))?;
    *car = x;
    Ok(())
}

/// `(set-cdr! pair obj)`.
#[native("set-cdr!")]
fn set_cdr(ctx: &mut Ctx, p: Value, x: Value) -> NResult<()> {
    let (_, cdr) = ctx
        .pair_mut(p)
        .ok_or_else(|| Error::expected("a pair", p))?;
    *cdr = x;
    Ok(())
}

/// Whether `x` is `eqv?` and `equal?` to exactly the values it is `eq?` to (it is no heap
/// object), so searches for it can use `eq?`.
fn is_atom(x: Value) -> bool {
    !matches!(x, Value::Obj(_))
}

fn eq(_: &Heap, a: Value, b: Value) -> bool {
    a.eq(b)
}

/// The search of `memq`, `memv`, `member` (`KEYS` false: the first pair of `list` whose
/// car matches `x` under `same`) and of `assq`, `assv`, `assoc` (`KEYS` true: the first
/// entry of the association list whose key matches); `#f` when none does.
fn search<const KEYS: bool>(
    heap: &Heap,
    x: Value,
    list: Value,
    same: fn(&Heap, Value, Value) -> bool,
) -> NResult {
    // Two instances of the search, so that the common one inlines `eq?`.
    if is_atom(x) {
        search_by::<KEYS>(heap, x, list, eq)
    } else {
        search_by::<KEYS>(heap, x, list, same)
    }
}

fn search_by<const KEYS: bool>(
    heap: &Heap,
    x: Value,
    list: Value,
    same: impl Fn(&Heap, Value, Value) -> bool,
) -> NResult {
    let found = scan(heap, list, |pair, item| {
        if !KEYS {
            return same(heap, x, item).then_some(Ok(pair));
        }
        match heap.pair(item) {
            Some((key, _)) if same(heap, x, key) => Some(Ok(item)),
            Some(_) => None,
            None => Some(Err(Error::expected("an association list", list))),
        }
    })?;
    found.unwrap_or(Ok(Value::Bool(false)))
}

macro_rules! searches {
    ($($f:ident $name:literal $keys:literal $same:path;)*) => {$(
        #[doc = concat!("`(", $name, " obj list)`.")]
        #[native($name)]
        fn $f(ctx: &mut Ctx, x: Value, list: Value) -> NResult {
            search::<$keys>(ctx.heap(), x, list, $same)
        }
    )*};
}

// The last column: whether the list is searched by the keys of its entries.
searches! {
    memq "memq" false eq;
    memv "memv" false numeric::eqv;
    // `%member`: `member` with `equal?` (`member` itself, with its optional comparison,
    // is in the prelude); it keeps the public name in messages.
    member "member" false equal;
    assq "assq" true eq;
    assv "assv" true numeric::eqv;
    // `%assoc`, likewise behind `assoc`.
    assoc "assoc" true equal;
}

/// Follows a `c[ad]+r` path (applied right to left) from `v`; `name` is the procedure's.
fn cxr(heap: &Heap, name: &str, path: &str, v: Value) -> NResult {
    let mut cur = v;
    for step in path.bytes().rev() {
        let (a, d) = heap
            .pair(cur)
            .ok_or_else(|| Error::expected(&format!("a value with a {name}"), v))?;
        cur = if step == b'a' { a } else { d };
    }
    Ok(cur)
}

macro_rules! cxr_natives {
    ($($f:ident $def:ident $name:literal $path:literal;)*) => {
        $(
            #[doc = concat!("`(", $name, " pair)`.")]
            #[native($name)]
            fn $f(ctx: &mut Ctx, v: Value) -> NResult {
                cxr(ctx.heap(), $name, $path, v)
            }
        )*

        /// The `c[ad]{2,3}r` natives.
        const CXRS: &[crate::natives::NativeDef] = &[$($def),*];
    };
}

cxr_natives! {
    caar CAAR "caar" "aa"; cadr CADR "cadr" "ad"; cdar CDAR "cdar" "da";
    cddr CDDR "cddr" "dd"; caaar CAAAR "caaar" "aaa"; caadr CAADR "caadr" "aad";
    cadar CADAR "cadar" "ada"; caddr CADDR "caddr" "add"; cdaar CDAAR "cdaar" "daa";
    cdadr CDADR "cdadr" "dad"; cddar CDDAR "cddar" "dda"; cdddr CDDDR "cdddr" "ddd";
}

/// Registers the list natives. `%member` and `%assoc` are the two-argument forms behind
/// `member` and `assoc`, which `prelude/lists.sgl` defines.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        CHECK_LIST,
        LIST,
        CONS_STAR,
        LENGTH,
        IS_LIST,
        APPEND,
        REVERSE,
        REVERSE_IN_PLACE,
        LIST_TAIL,
        LIST_REF,
        LIST_SET,
        LIST_COPY,
        LAST_PAIR,
        MAKE_LIST,
        IOTA,
        SET_CAR,
        SET_CDR,
        MEMQ,
        MEMV,
        ASSQ,
        ASSV,
    ]);
    reg.add(CXRS);
    reg.add_as("%member", &MEMBER);
    reg.add_as("%assoc", &ASSOC);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{check, check_errors};

    #[test]
    fn construction_and_length() {
        check(&[
            ("(list)", "()"),
            ("(list 1 2 3)", "(1 2 3)"),
            ("(cons* 1 2 '(3 4))", "(1 2 3 4)"),
            ("(cons* 1 2 3)", "(1 2 . 3)"),
            ("(cons* 1)", "1"),
            ("(length '())", "0"),
            ("(length '(1 2 3))", "3"),
            ("(make-list 3 'x)", "(x x x)"),
            ("(length (make-list 2))", "2"),
            ("(make-list 0 1)", "()"),
            ("(iota 5)", "(0 1 2 3 4)"),
            ("(iota 3 1)", "(1 2 3)"),
            ("(iota 3 0 2)", "(0 2 4)"),
            ("(iota 3 0 0.5)", "(0.0 0.5 1.0)"),
            (
                "(iota 2 (expt 2 64))",
                "(18446744073709551616 18446744073709551617)",
            ),
            ("(iota 0)", "()"),
        ]);
    }

    #[test]
    fn list_predicate() {
        check(&[
            ("(list? '(1 2))", "#t"),
            ("(list? '())", "#t"),
            ("(list? '(1 . 2))", "#f"),
            ("(list? 5)", "#f"),
            (
                "(define c (list 1 2 3)) (set-cdr! (cddr c) c) (list? c)",
                "#f",
            ),
            (
                "(guard (e (#t (condition-kind e))) (length c))",
                "type-error",
            ),
            (
                "(guard (e (#t (error-object-message e))) (reverse c))",
                "\"reverse: expected a proper list, got a circular list\"",
            ),
        ]);
    }

    #[test]
    fn append_and_reverse() {
        check(&[
            ("(append)", "()"),
            ("(append '(1))", "(1)"),
            ("(append 5)", "5"),
            ("(append '(1 2) '(3) '() '(4 5))", "(1 2 3 4 5)"),
            ("(append '(1) 2)", "(1 . 2)"),
            ("(append '(1) '(2 . 3))", "(1 2 . 3)"),
            (
                "(let* ((t (list 9)) (r (append '(1) t))) (eq? (cdr r) t))",
                "#t",
            ),
            ("(reverse '(1 2 3))", "(3 2 1)"),
            ("(reverse '())", "()"),
            ("(reverse! (list 1 2 3))", "(3 2 1)"),
            ("(reverse! '())", "()"),
        ]);
    }

    #[test]
    fn access() {
        check(&[
            ("(list-tail '(1 2 3) 0)", "(1 2 3)"),
            ("(list-tail '(1 2 3) 2)", "(3)"),
            ("(list-tail '(1 2 3) 3)", "()"),
            ("(list-tail '(1 2 . 3) 2)", "3"),
            ("(list-ref '(a b c) 1)", "b"),
            ("(define l (list 1 2 3)) (list-set! l 1 'x) l", "(1 x 3)"),
            ("(last-pair '(1 2 3))", "(3)"),
            ("(last-pair '(1 2 . 3))", "(2 . 3)"),
            (
                "(define p (cons 1 2)) (set-car! p 'a) (set-cdr! p 'b) p",
                "(a . b)",
            ),
        ]);
    }

    #[test]
    fn copying() {
        check(&[
            ("(list-copy '(1 2 3))", "(1 2 3)"),
            ("(list-copy '(1 2 . 3))", "(1 2 . 3)"),
            ("(list-copy 5)", "5"),
            ("(let ((a (list 1 2))) (eq? a (list-copy a)))", "#f"),
            (
                "(let* ((a (list 1 2)) (b (list-copy a))) (set-car! b 9) a)",
                "(1 2)",
            ),
        ]);
    }

    #[test]
    fn compositions() {
        check(&[
            ("(caar '((1) 2))", "1"),
            ("(cadr '(1 2 3))", "2"),
            ("(cdar '((1 . 5) 2))", "5"),
            ("(cddr '(1 2 3))", "(3)"),
            ("(caaar '(((1))))", "1"),
            ("(caadr '(0 (1)))", "1"),
            ("(cadar '((0 1)))", "1"),
            ("(caddr '(1 2 3))", "3"),
            ("(cdaar '(((0 . 1))))", "1"),
            ("(cdadr '(0 (0 . 1)))", "1"),
            ("(cddar '((0 0 . 1)))", "1"),
            ("(cdddr '(1 2 3 4))", "(4)"),
        ]);
    }

    #[test]
    fn membership() {
        check(&[
            ("(memq 'c '(a b c d))", "(c d)"),
            ("(memq 'z '(a b c))", "#f"),
            ("(memv 2.0 '(1 2.0 3))", "(2.0 3)"),
            (
                "(memv (expt 2 70) (list 1 (expt 2 70)))",
                "(1180591620717411303424)",
            ),
            ("(member '(1) '(0 (1) 2))", "((1) 2)"),
            ("(member \"b\" '(\"a\" \"b\"))", "(\"b\")"),
            ("(member 2.0 '(1 2 3) =)", "(2 3)"),
            ("(member 5 '(1 2 3) <)", "#f"),
            ("(memq 'a '(a . b))", "(a . b)"),
        ]);
    }

    #[test]
    fn association() {
        check(&[
            ("(assq 'b '((a 1) (b 2)))", "(b 2)"),
            ("(assq 'z '((a 1)))", "#f"),
            ("(assv 5 '((2 3) (5 7)))", "(5 7)"),
            ("(assoc '(x) '(((x) . 1)))", "((x) . 1)"),
            ("(assoc 2.0 '((1 . a) (2 . b)) =)", "(2 . b)"),
            ("(assoc 2.0 '((1 . a)) =)", "#f"),
            ("(assoc-ref \"k\" '((\"k\" . v)))", "v"),
            ("(assoc-ref 'z '((k . v)))", "#f"),
        ]);
    }

    #[test]
    fn errors() {
        check_errors(&[
            ("(length 5)", "length: expected a proper list, got 5"),
            (
                "(length '(1 2 . 3))",
                "length: expected a proper list, got (1 2 . 3)",
            ),
            (
                "(append '(1 . 2) '(3))",
                "append: expected a proper list, got (1 . 2)",
            ),
            ("(reverse 'x)", "reverse: expected a proper list, got x"),
            (
                "(reverse! '(1 . 2))",
                "reverse!: expected a proper list, got (1 . 2)",
            ),
            (
                "(define c (list 1 2)) (set-cdr! (cdr c) c) (length c)",
                "length: expected a proper list, got a circular list",
            ),
            (
                "(filter odd? c)",
                "filter: expected a proper list, got a circular list",
            ),
            (
                "(list-copy c)",
                "list-copy: expected a proper list, got a circular list",
            ),
            (
                "(memq 5 c)",
                "memq: expected a proper list, got a circular list",
            ),
            (
                "(list-tail '(1 2) 3)",
                "list-tail: index 3 out of range for (1 2)",
            ),
            (
                "(list-ref '(1 2) 2)",
                "list-ref: index 2 out of range for (1 2)",
            ),
            (
                "(list-ref '(1 2) -1)",
                "list-ref: expected a non-negative integer (argument 2), got -1",
            ),
            (
                "(list-set! '() 0 1)",
                "list-set!: index 0 out of range for ()",
            ),
            ("(last-pair '())", "last-pair: expected a pair, got ()"),
            ("(set-car! '() 1)", "set-car!: expected a pair, got ()"),
            ("(set-cdr! 5 1)", "set-cdr!: expected a pair, got 5"),
            ("(cadr '(1))", "cadr: expected a value with a cadr, got (1)"),
            (
                "(memq 'x '(a . b))",
                "memq: expected a proper list, got (a . b)",
            ),
            ("(member 1 5)", "member: expected a proper list, got 5"),
            (
                "(assq 'x '(1))",
                "assq: expected an association list, got (1)",
            ),
            (
                "(assoc 'x '((a . 1) . 5))",
                "assoc: expected a proper list, got ((a . 1) . 5)",
            ),
            (
                "(assoc 1 '(2) =)",
                "assoc: expected an association list, got (2)",
            ),
            (
                "(make-list -1)",
                "make-list: expected a non-negative integer (argument 1), got -1",
            ),
            ("(iota 2 'a)", "iota: expected a number, got a"),
        ]);
    }

    // ---- procedures from prelude/lists.sgl ----------------------------------------------

    #[test]
    fn filtering() {
        check(&[
            ("(filter odd? '(1 2 3 4 5))", "(1 3 5)"),
            ("(filter odd? '())", "()"),
            ("(remove odd? '(1 2 3 4 5))", "(2 4)"),
            (
                "(call-with-values (lambda () (partition even? '(1 2 3 4))) list)",
                "((2 4) (1 3))",
            ),
            ("(delete 2 '(1 2 3 2))", "(1 3)"),
            ("(delete '(a) '((a) b))", "(b)"),
            ("(delete 2 '(1 2 3 4) <)", "(1 2)"),
            ("(delete-duplicates '(a b a c b))", "(a b c)"),
            ("(delete-duplicates '((1) (2) (1)))", "((1) (2))"),
            (
                "(delete-duplicates '(1 2 3 4) (lambda (a b) (= (modulo a 2) (modulo b 2))))",
                "(1 2)",
            ),
            (
                "(filter-map (lambda (x) (and (odd? x) (* x x))) '(1 2 3))",
                "(1 9)",
            ),
            (
                "(filter-map (lambda (a b) (and (< a b) (+ a b))) '(1 5 2) '(2 3 4 9))",
                "(3 6)",
            ),
            ("(append-map (lambda (x) (list x x)) '(1 2))", "(1 1 2 2)"),
            ("(append-map list '(1 2) '(a b))", "(1 a 2 b)"),
        ]);
    }

    #[test]
    fn searching() {
        check(&[
            ("(find even? '(1 3 4 5))", "4"),
            ("(find even? '(1 3))", "#f"),
            ("(find-tail even? '(1 4 5))", "(4 5)"),
            ("(find-tail even? '())", "#f"),
            ("(list-index even? '(1 3 4))", "2"),
            ("(list-index even? '(1 3))", "#f"),
            ("(list-index < '(3 2 1) '(1 2 3))", "2"),
            ("(any even? '(1 3 4))", "#t"),
            ("(any (lambda (x) (and (> x 1) (* x 10))) '(1 2 3))", "20"),
            ("(any even? '())", "#f"),
            ("(any < '(3 1) '(2 2))", "#t"),
            ("(every odd? '(1 3))", "#t"),
            ("(every odd? '())", "#t"),
            ("(every (lambda (x) (and (odd? x) x)) '(1 3 5))", "5"),
            ("(every odd? '(1 2 3))", "#f"),
            ("(every < '(1 2) '(2 3 0))", "#t"),
            ("(count even? '(1 2 3 4))", "2"),
            ("(count < '(1 5 2) '(2 3 4))", "2"),
        ]);
    }

    #[test]
    fn folding() {
        check(&[
            ("(fold cons '() '(1 2 3))", "(3 2 1)"),
            ("(fold + 0 '(1 2 3))", "6"),
            ("(fold cons* '() '(a b c) '(1 2 3))", "(c 3 b 2 a 1)"),
            ("(fold-left list '() '(1 2 3))", "(((() 1) 2) 3)"),
            (
                "(fold-left (lambda (acc a b) (+ acc (* a b))) 0 '(1 2) '(3 4))",
                "11",
            ),
            ("(fold-right cons '() '(1 2 3))", "(1 2 3)"),
            ("(fold-right list 'end '(1 2))", "(1 (2 end))"),
            (
                "(fold-right (lambda (a b acc) (cons (+ a b) acc)) '() '(1 2) '(10 20 30))",
                "(11 22)",
            ),
            ("(reduce + 0 '(1 2 3 4))", "10"),
            ("(reduce + 0 '())", "0"),
            ("(reduce list 0 '(1 2 3))", "(3 (2 1))"),
            ("(fold + 0 (iota 100000))", "4999950000"),
        ]);
    }

    #[test]
    fn building() {
        check(&[
            ("(last '(1 2 3))", "3"),
            ("(append-reverse '(3 2 1) '(4 5))", "(1 2 3 4 5)"),
            ("(append-reverse '() 'x)", "x"),
            ("(append! (list 1 2) (list 3) '() (list 4))", "(1 2 3 4)"),
            ("(append!)", "()"),
            ("(append! '() (list 1))", "(1)"),
            ("(append! (list 1) 2)", "(1 . 2)"),
            ("(let ((a (list 1))) (append! a (list 2)) a)", "(1 2)"),
        ]);
    }

    #[test]
    fn sorting() {
        check(&[
            ("(sort '(3 1 2) <)", "(1 2 3)"),
            ("(sort '() <)", "()"),
            ("(sort '(5) <)", "(5)"),
            ("(sort < '(3 1 2))", "(1 2 3)"),
            ("(list-sort > '(3 1 2 5 4))", "(5 4 3 2 1)"),
            ("(sort '(\"b\" \"a\") (lambda (a b) (< (length (list a)) (length (list b)))))", "(\"b\" \"a\")"),
            (
                "(sort '((1 . a) (0 . b) (1 . c) (0 . d) (1 . e)) (lambda (x y) (< (car x) (car y))))",
                "((0 . b) (0 . d) (1 . a) (1 . c) (1 . e))",
            ),
            ("(define l (list 3 1 2)) (sort l <) l", "(3 1 2)"),
            (
                "(let ((s (sort (map (lambda (i) (modulo (* i 7919) 1000)) (iota 1000)) <)))
                   (list (length s) (car s) (list-ref s 999) (every <= s (cdr (append s '(1000))))))",
                "(1000 0 999 #t)",
            ),
        ]);
    }

    #[test]
    fn sorting_vectors() {
        check(&[("(sort (vector 3 1 2) <)", "#(1 2 3)")]);
    }

    #[test]
    fn prelude_errors() {
        check_errors(&[
            (
                "(filter odd? '(1 . 2))",
                "filter: expected a proper list, got (1 . 2)",
            ),
            ("(remove odd? 5)", "remove: expected a proper list, got 5"),
            (
                "(partition odd? 5)",
                "partition: expected a proper list, got 5",
            ),
            ("(fold + 0 'x)", "fold: expected a proper list, got x"),
            (
                "(fold-left + 0 '(1) 'x)",
                "fold-left: expected a proper list, got x",
            ),
            (
                "(fold-right + 0 'x)",
                "fold-right: expected a proper list, got x",
            ),
            ("(reduce + 0 'x)", "reduce: expected a proper list, got x"),
            ("(find odd? 'x)", "find-tail: expected a proper list, got x"),
            ("(any odd? 'x)", "any: expected a proper list, got x"),
            ("(every odd? 'x)", "every: expected a proper list, got x"),
            ("(count odd? 'x)", "count: expected a proper list, got x"),
            (
                "(list-index odd? 'x)",
                "list-index: expected a proper list, got x",
            ),
            ("(delete 1 'x)", "delete: expected a proper list, got x"),
            (
                "(delete-duplicates 'x)",
                "delete-duplicates: expected a proper list, got x",
            ),
            (
                "(filter-map odd? 'x)",
                "filter-map: expected a proper list, got x",
            ),
            (
                "(append-map list 'x)",
                "append-map: expected a proper list, got x",
            ),
            (
                "(append-reverse 'x '())",
                "append-reverse: expected a proper list, got x",
            ),
            ("(last '())", "last: expected a non-empty list, got ()"),
            (
                "(sort '(2 . 1) <)",
                "sort: expected a proper list, got (2 . 1)",
            ),
            (
                "(list-sort < 5)",
                "list-sort: expected a proper list, got 5",
            ),
            (
                "(member 1 '(1 . 2) =)",
                "member: expected a proper list, got (1 . 2)",
            ),
            (
                "(%check-list 5 '())",
                "%check-list: expected a symbol (argument 1), got 5",
            ),
        ]);
    }
}
