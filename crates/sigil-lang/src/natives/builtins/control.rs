//! Control: `apply`, multiple values, continuations, the dynamic state behind
//! `dynamic-wind` and exception handlers, conditions, parameters, time and process exit.

use super::Registry;
use crate::native;
use crate::natives::{FromValue, List, Proc};
use crate::read::symbol::Symbol;
use crate::run::ctx::Ctx;
use crate::run::fiber::{Continuation, Escape};
use crate::run::heap::Heap;
use crate::run::native::Arity;
use crate::run::value::{Condition, Ctl, Error, NResult, Object, Resume, Value, Wait};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// `(apply proc arg ... list)`: calls `proc` with the arguments and the list's elements.
#[native("apply")]
fn apply(ctx: &mut Ctx, f: Value, first: Value, #[rest] more: &[Value]) -> NResult<Ctl> {
    let (last, mut args) = match more.split_last() {
        Some((&last, middle)) => (last, [&[first], middle].concat()),
        None => (first, Vec::new()),
    };
    let items = List::<Value>::from_value(ctx.heap(), last)
        .ok_or_else(|| Error::expected("a proper list", last))?;
    args.extend(items.0);
    Ok(Ctl::TailCall(f, args))
}

/// `(values obj ...)`.
#[native("values")]
fn values(ctx: &mut Ctx, #[rest] args: &[Value]) -> Value {
    match args {
        [v] => *v,
        _ => ctx.alloc(Object::Values(args.to_vec())),
    }
}

/// `(%apply-values consumer produced)`: spreads multiple values into a call.
#[native("%apply-values")]
fn apply_values(ctx: &mut Ctx, consumer: Value, produced: Value) -> NResult<Ctl> {
    let items = match ctx.heap().obj(produced) {
        Some(Object::Values(items)) => items.clone(),
        _ => vec![produced],
    };
    Ok(Ctl::TailCall(consumer, items))
}

/// `(call-with-current-continuation proc)`: calls `proc` with the current continuation.
/// Invoking the continuation runs the `dynamic-wind` thunks between its dynamic extent
/// and the current one first (see `Vm::rewind_proc`).
#[native("call-with-current-continuation")]
fn call_cc(ctx: &mut Ctx, f: Proc) -> NResult<Ctl> {
    let vm = &mut *ctx.vm;
    // The continuation returns from this call: drop the callee and its argument.
    let keep = vm.stack.len() - 2;
    let k = Continuation {
        stack: vm.stack[..keep].to_vec(),
        frames: vm.frames.clone(),
        handlers: vm.handlers,
        winders: vm.winders,
        escape: None,
    };
    let kv = ctx.alloc(Object::Cont(Box::new(k)));
    Ok(Ctl::TailCall(f.0, vec![kv]))
}

/// `(%call/ec proc)`: calls `proc` with an escape-only continuation of this call, which
/// copies nothing: it returns to the caller as long as the caller's frame still runs
/// (`guard` escapes with one; a `call/cc` in each of a thousand nested guards copied the
/// stack a thousand times).
#[native("%call/ec")]
fn call_ec(ctx: &mut Ctx, f: Proc) -> NResult<Ctl> {
    let vm = &mut *ctx.vm;
    let keep = vm.stack.len() - 2;
    let escape = vm.frames.last().map(|frame| Escape {
        frames: vm.frames.len(),
        stack: keep,
        frame: frame.clone(),
        closure: vm.stack[frame.base as usize - 1],
    });
    let Some(escape) = escape else {
        return Err(Error::msg("%call/ec: no frame to return to"));
    };
    let k = Continuation {
        stack: Vec::new(),
        frames: Vec::new(),
        handlers: vm.handlers,
        winders: vm.winders,
        escape: Some(escape),
    };
    let kv = ctx.alloc(Object::Cont(Box::new(k)));
    Ok(Ctl::TailCall(f.0, vec![kv]))
}

/// `(%initialised value name)`: `value`, unless it is the undefined value of a
/// `letrec` or body variable read before its initialisation (the expander inserts this
/// check for such reads).
#[native("%initialised")]
fn initialised(value: Value, name: Symbol) -> NResult {
    match value {
        Value::Undefined => Err(Error::with(
            "unbound-variable",
            format!("{name}: variable used before its definition"),
            vec![],
        )),
        v => Ok(v),
    }
}

/// `(%handlers)`: the current exception handlers.
#[native("%handlers")]
fn handlers(ctx: &mut Ctx) -> Value {
    ctx.vm.handlers
}

/// `(%set-handlers! handlers)`.
#[native("%set-handlers!")]
fn set_handlers(ctx: &mut Ctx, h: Value) {
    ctx.vm.handlers = h;
}

/// `(%winders)`: the current `dynamic-wind` entries.
#[native("%winders")]
fn winders(ctx: &mut Ctx) -> Value {
    ctx.vm.winders
}

/// `(%set-winders! winders)`.
#[native("%set-winders!")]
fn set_winders(ctx: &mut Ctx, w: Value) {
    ctx.vm.winders = w;
}

/// `(%raise-uncaught obj)`: raises `obj` past every handler.
#[native("%raise-uncaught")]
fn raise_uncaught(v: Value) -> NResult {
    Err(Error::raise(v))
}

/// `(%set-rewind-procedure! proc)`: the procedure the VM calls, as
/// `(proc k winders value ...)`, to invoke continuation `k` from outside its dynamic
/// extent (whose `dynamic-wind` entries are `winders`).
#[native("%set-rewind-procedure!")]
fn set_rewind_proc(ctx: &mut Ctx, f: Value) {
    ctx.vm.rewind_proc = f;
}

/// `(%set-raise-procedure! proc)`: the procedure the VM calls to signal errors, set once
/// by the prelude. A program calling it again gets an error: a procedure that failed in
/// turn (a native given a condition) would make signalling an error recurse for ever.
#[native("%set-raise-procedure!")]
fn set_raise_proc(ctx: &mut Ctx, f: Proc) -> NResult<()> {
    if !matches!(ctx.vm.raise_proc, Value::Bool(false)) {
        return Err(Error::new("error", "the raise procedure is set already"));
    }
    ctx.vm.raise_proc = f.0;
    Ok(())
}

/// `(error message irritant ...)`.
#[native("error")]
fn error(ctx: &mut Ctx, message: Value, #[rest] irritants: &[Value]) -> NResult {
    let message = match ctx.heap().str(message) {
        Some(s) => s.to_string(),
        None => ctx.display(message),
    };
    Err(Error::with("error", message, irritants.to_vec()))
}

/// `(make-condition kind message irritant ...)`.
#[native("make-condition")]
fn make_condition(
    ctx: &mut Ctx,
    kind: Symbol,
    message: String,
    #[rest] irritants: &[Value],
) -> Value {
    ctx.alloc(Object::Condition(Box::new(Condition {
        kind,
        message,
        irritants: irritants.to_vec(),
        span: Default::default(),
    })))
}

fn condition(heap: &Heap, v: Value) -> Option<&Condition> {
    match heap.obj(v) {
        Some(Object::Condition(c)) => Some(c),
        _ => None,
    }
}

/// A condition's fields, or the error for an argument that is none.
fn error_object(heap: &Heap, v: Value) -> NResult<&Condition> {
    condition(heap, v).ok_or_else(|| Error::expected("an error object", v))
}

/// `(error-object? obj)`; also `condition?`.
#[native("error-object?")]
fn is_error_object(ctx: &mut Ctx, v: Value) -> bool {
    condition(ctx.heap(), v).is_some()
}

/// `(error-object-message condition)`.
#[native("error-object-message")]
fn error_object_message(ctx: &mut Ctx, v: Value) -> NResult {
    let m = error_object(ctx.heap(), v)?.message.clone();
    Ok(ctx.string(m))
}

/// `(error-object-irritants condition)`.
#[native("error-object-irritants")]
fn error_object_irritants(ctx: &mut Ctx, v: Value) -> NResult {
    let items = error_object(ctx.heap(), v)?.irritants.clone();
    Ok(ctx.list(&items))
}

/// `(condition-kind obj)`: the condition's kind, or `#f`.
#[native("condition-kind")]
fn condition_kind(ctx: &mut Ctx, v: Value) -> Option<Symbol> {
    condition(ctx.heap(), v).map(|c| c.kind)
}

fn kind_is(ctx: &Ctx, v: Value, kinds: &[&str]) -> bool {
    condition(ctx.heap(), v).is_some_and(|c| kinds.iter().any(|k| c.kind.is(k)))
}

/// `(file-error? obj)`.
#[native("file-error?")]
fn is_file_error(ctx: &mut Ctx, v: Value) -> bool {
    kind_is(ctx, v, &["file-error"])
}

/// `(read-error? obj)`: also true of syntax errors.
#[native("read-error?")]
fn is_read_error(ctx: &mut Ctx, v: Value) -> bool {
    kind_is(ctx, v, &["read-error", "syntax-error"])
}

/// `(procedure? obj)`.
#[native("procedure?")]
fn is_procedure(ctx: &mut Ctx, v: Value) -> bool {
    ctx.heap().is_procedure(v)
}

fn arity_accepts(ctx: &Ctx, f: Value, n: usize) -> bool {
    match ctx.heap().obj(f) {
        Some(Object::Closure(c)) => {
            let np = c.proto.nparams as usize;
            n == np || (c.proto.rest && n > np)
        }
        Some(Object::Native(nat)) => nat.arity.accepts(n),
        _ => true,
    }
}

/// `(%dispatch-arity procs args)`: calls the first procedure that accepts the arguments
/// (`case-lambda`).
#[native("%dispatch-arity")]
fn dispatch_arity(ctx: &mut Ctx, procs: List<Value>, args: List<Value>) -> NResult<Ctl> {
    match procs.iter().find(|&&p| arity_accepts(ctx, p, args.len())) {
        Some(&p) => Ok(Ctl::TailCall(p, args.0)),
        None => Err(Error::with(
            "arity-error",
            format!(
                "case-lambda: no clause accepts {}",
                Arity::exact(args.len())
            ),
            vec![],
        )),
    }
}

/// `(%make-parameter value converter-or-#f)`; the converter was already applied.
#[native("%make-parameter")]
fn make_parameter(ctx: &mut Ctx, value: Value, converter: Value) -> Value {
    ctx.alloc(Object::Param(value, converter))
}

/// `(%param-set! parameter value)`.
#[native("%param-set!")]
fn param_set(ctx: &mut Ctx, p: Value, value: Value) -> NResult<()> {
    match ctx.vm.heap.obj_mut(p) {
        Some(Object::Param(v, _)) => {
            *v = value;
            Ok(())
        }
        _ => Err(Error::wrong_type("parameterize", "a parameter", p)),
    }
}

/// `(%param-converter parameter)`.
#[native("%param-converter")]
fn param_converter(ctx: &mut Ctx, p: Value) -> NResult {
    match ctx.heap().obj(p) {
        Some(Object::Param(_, c)) => Ok(*c),
        _ => Err(Error::wrong_type("parameterize", "a parameter", p)),
    }
}

/// `(sleep seconds)`: parks the computation (or its task) until the time has passed.
#[native("sleep")]
fn sleep(secs: f64) -> NResult<Ctl> {
    if !(secs >= 0.0 && secs.is_finite()) {
        return Err(Error::expected(
            "a non-negative number of seconds",
            Value::Float(secs),
        ));
    }
    let deadline = deadline_after(secs);
    Ok(Ctl::Park(
        Wait::Until(deadline),
        Resume::Return(Value::Unspecified),
    ))
}

/// The instant `secs` seconds from now: now for a negative or NaN `secs`, a century away
/// for one too large to represent.
pub(crate) fn deadline_after(secs: f64) -> Instant {
    let now = Instant::now();
    let century = Duration::from_secs(100 * 365 * 24 * 3600);
    let wait = Duration::try_from_secs_f64(secs.max(0.0)).map_or(century, |d| d.min(century));
    now + wait
}

/// `(current-time)`: seconds since the Unix epoch.
#[native("current-time")]
fn current_time() -> f64 {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    d.as_secs_f64()
}

/// When the interpreter first called `current-jiffy` (host data: each interpreter counts
/// from its own).
struct JiffyEpoch(Instant);

/// `(current-jiffy)`: microseconds since the interpreter's first call.
#[native("current-jiffy")]
fn current_jiffy(ctx: &mut Ctx) -> i64 {
    let start = match ctx.host::<JiffyEpoch>() {
        Some(epoch) => epoch.0,
        None => {
            let now = Instant::now();
            ctx.set_host(JiffyEpoch(now));
            now
        }
    };
    start.elapsed().as_micros() as i64
}

/// `(jiffies-per-second)`.
#[native("jiffies-per-second")]
fn jiffies_per_second() -> i64 {
    1_000_000
}

/// `(command-line)`: the program's arguments, as strings.
#[native("command-line")]
fn command_line(ctx: &mut Ctx) -> Vec<String> {
    ctx.vm.command_line.clone()
}

/// The exit status `(exit obj)` asks for: `#t` (or nothing) is success, `#f` failure,
/// an integer itself.
fn exit_code(v: Option<Value>, otherwise: i32) -> i32 {
    match v {
        None | Some(Value::Bool(true)) => 0,
        Some(Value::Bool(false)) => 1,
        Some(Value::Int(i)) => i as i32,
        Some(_) => otherwise,
    }
}

/// `(%exit [obj])`: ends the program: unwinds to the caller of the evaluator, past every
/// handler, with the exit status (`exit` runs the `dynamic-wind` after-thunks first). The
/// `sigil` command then exits with it; an embedding program gets it in the error.
#[native("%exit")]
fn exit(v: Option<Value>) -> NResult {
    Err(Error::exit(exit_code(v, 1), true))
}

/// `(emergency-exit [obj])`: ends the program as `exit` does, without running the
/// `dynamic-wind` after-thunks.
#[native("emergency-exit")]
fn emergency_exit(v: Option<Value>) -> NResult {
    Err(Error::exit(exit_code(v, 1), false))
}

/// `(get-environment-variable name)`: its value, or `#f`.
#[native("get-environment-variable")]
fn get_environment_variable(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// `(get-environment-variables)`: an association list of every variable.
#[native("get-environment-variables")]
fn get_environment_variables(ctx: &mut Ctx) -> Value {
    let pairs: Vec<Value> = std::env::vars()
        .map(|(k, v)| {
            let (k, v) = (ctx.string(k), ctx.string(v));
            ctx.cons(k, v)
        })
        .collect();
    ctx.list(&pairs)
}

/// `(gc)`: collects garbage now; the number of live objects.
#[native("gc")]
fn garbage_collect(ctx: &mut Ctx) -> usize {
    ctx.vm.collect_garbage();
    ctx.heap().live_objects()
}

/// Registers the control natives.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        APPLY,
        VALUES,
        APPLY_VALUES,
        CALL_CC,
        CALL_EC,
        INITIALISED,
        HANDLERS,
        SET_HANDLERS,
        WINDERS,
        SET_WINDERS,
        RAISE_UNCAUGHT,
        SET_RAISE_PROC,
        SET_REWIND_PROC,
        ERROR,
        MAKE_CONDITION,
        IS_ERROR_OBJECT,
        ERROR_OBJECT_MESSAGE,
        ERROR_OBJECT_IRRITANTS,
        CONDITION_KIND,
        IS_FILE_ERROR,
        IS_READ_ERROR,
        IS_PROCEDURE,
        DISPATCH_ARITY,
        MAKE_PARAMETER,
        PARAM_SET,
        PARAM_CONVERTER,
        SLEEP,
        CURRENT_TIME,
        CURRENT_JIFFY,
        JIFFIES_PER_SECOND,
        COMMAND_LINE,
        EXIT,
        EMERGENCY_EXIT,
        GET_ENVIRONMENT_VARIABLE,
        GET_ENVIRONMENT_VARIABLES,
        GARBAGE_COLLECT,
    ]);
    reg.alias("condition?", "error-object?");
    reg.alias("call/cc", "call-with-current-continuation");
    reg.define("%unspecified", Value::Unspecified);
}
