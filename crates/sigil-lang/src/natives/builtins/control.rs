//! Control: `apply`, multiple values, continuations, the dynamic state behind
//! `dynamic-wind` and exception handlers, conditions, parameters, time and process exit.

use super::{list, procedure, real, string, Registry};
use crate::run::fiber::Continuation;
use crate::run::native::Arity;
use crate::run::printer;
use crate::run::value::{Condition, Ctl, Error, NResult, Object, Resume, Value, Wait};
use crate::run::vm::Vm;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn apply(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let f = args[0];
    let mut all = args[1..args.len() - 1].to_vec();
    all.extend(list(vm, "apply", args[args.len() - 1])?);
    Ok(Ctl::TailCall(f, all))
}

fn values(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(match args {
        [v] => *v,
        _ => vm.heap.alloc(Object::Values(args.to_vec())),
    })
}

/// `(%apply-values consumer produced)`: spreads multiple values into a call.
fn apply_values(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let items = match vm.heap.obj(args[1]) {
        Some(Object::Values(items)) => items.clone(),
        _ => vec![args[1]],
    };
    Ok(Ctl::TailCall(args[0], items))
}

fn call_cc(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let f = procedure(vm, "call/cc", args[0])?;
    // The continuation returns from this call: drop the callee and its argument.
    let keep = vm.stack.len() - 2;
    let k = Continuation {
        stack: vm.stack[..keep].to_vec(),
        frames: vm.frames.clone(),
        handlers: vm.handlers,
        winders: vm.winders,
    };
    let kv = vm.heap.alloc(Object::Cont(Box::new(k)));
    Ok(Ctl::TailCall(f, vec![kv]))
}

/// `(%initialised value name)`: `value`, unless it is the undefined value of a
/// `letrec` or body variable read before its initialisation (the expander inserts this
/// check for such reads).
fn initialised(vm: &mut Vm, a: &[Value]) -> NResult {
    match a[0] {
        Value::Undefined => Err(Error::with(
            "unbound-variable",
            format!(
                "{}: variable used before its definition",
                printer::display(&vm.heap, a[1])
            ),
            vec![],
        )),
        v => Ok(v),
    }
}

fn handlers(vm: &mut Vm, _: &[Value]) -> NResult {
    Ok(vm.handlers)
}

fn set_handlers(vm: &mut Vm, args: &[Value]) -> NResult {
    vm.handlers = args[0];
    Ok(Value::Unspecified)
}

fn winders(vm: &mut Vm, _: &[Value]) -> NResult {
    Ok(vm.winders)
}

fn set_winders(vm: &mut Vm, args: &[Value]) -> NResult {
    vm.winders = args[0];
    Ok(Value::Unspecified)
}

fn raise_uncaught(_: &mut Vm, args: &[Value]) -> NResult {
    Err(Error::raise(args[0]))
}

fn set_raise_proc(vm: &mut Vm, args: &[Value]) -> NResult {
    vm.raise_proc = args[0];
    Ok(Value::Unspecified)
}

fn error(vm: &mut Vm, args: &[Value]) -> NResult {
    let message = match vm.heap.str(args[0]) {
        Some(s) => s.to_string(),
        None => printer::display(&vm.heap, args[0]),
    };
    Err(Error::with("error", message, args[1..].to_vec()))
}

fn make_condition(vm: &mut Vm, args: &[Value]) -> NResult {
    let kind = super::symbol("make-condition", args[0])?;
    let message = string(vm, "make-condition", args[1])?;
    Ok(vm.heap.alloc(Object::Condition(Box::new(Condition {
        kind,
        message,
        irritants: args[2..].to_vec(),
        span: Default::default(),
    }))))
}

fn condition(vm: &Vm, v: Value) -> Option<&Condition> {
    match vm.heap.obj(v) {
        Some(Object::Condition(c)) => Some(c),
        _ => None,
    }
}

fn is_error_object(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(condition(vm, args[0]).is_some()))
}

fn error_object_message(vm: &mut Vm, args: &[Value]) -> NResult {
    let m = condition(vm, args[0])
        .map(|c| c.message.clone())
        .ok_or_else(|| Error::wrong_type("error-object-message", "an error object", args[0]))?;
    Ok(vm.heap.string(m))
}

fn error_object_irritants(vm: &mut Vm, args: &[Value]) -> NResult {
    let items = condition(vm, args[0])
        .map(|c| c.irritants.clone())
        .ok_or_else(|| Error::wrong_type("error-object-irritants", "an error object", args[0]))?;
    Ok(vm.heap.list(&items))
}

fn condition_kind(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(condition(vm, args[0]).map_or(Value::Bool(false), |c| Value::Sym(c.kind)))
}

fn kind_is(vm: &Vm, v: Value, kinds: &[&str]) -> bool {
    condition(vm, v).is_some_and(|c| kinds.iter().any(|k| c.kind.is(k)))
}

fn is_file_error(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(kind_is(vm, args[0], &["file-error"])))
}

fn is_read_error(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(kind_is(
        vm,
        args[0],
        &["read-error", "syntax-error"],
    )))
}

fn is_procedure(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(vm.heap.is_procedure(args[0])))
}

fn arity_accepts(vm: &Vm, f: Value, n: usize) -> bool {
    match vm.heap.obj(f) {
        Some(Object::Closure(c)) => {
            let np = c.proto.nparams as usize;
            n == np || (c.proto.rest && n > np)
        }
        Some(Object::Native(nat)) => nat.arity.accepts(n),
        _ => true,
    }
}

/// `(%dispatch-arity procs args)`: calls the first procedure that accepts the arguments.
fn dispatch_arity(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let procs = list(vm, "case-lambda", args[0])?;
    let actual = list(vm, "case-lambda", args[1])?;
    for p in procs {
        if arity_accepts(vm, p, actual.len()) {
            return Ok(Ctl::TailCall(p, actual));
        }
    }
    Err(Error::with(
        "arity-error",
        format!(
            "case-lambda: no clause accepts {}",
            Arity::exact(actual.len())
        ),
        vec![],
    ))
}

/// `(%make-parameter value converter-or-#f)`; the converter was already applied.
fn make_parameter(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(vm.heap.alloc(Object::Param(args[0], args[1])))
}

fn param_set(vm: &mut Vm, args: &[Value]) -> NResult {
    match vm.heap.obj_mut(args[0]) {
        Some(Object::Param(v, _)) => {
            *v = args[1];
            Ok(Value::Unspecified)
        }
        _ => Err(Error::wrong_type("parameterize", "a parameter", args[0])),
    }
}

fn param_converter(vm: &mut Vm, args: &[Value]) -> NResult {
    match vm.heap.obj(args[0]) {
        Some(Object::Param(_, c)) => Ok(*c),
        _ => Err(Error::wrong_type("parameterize", "a parameter", args[0])),
    }
}

fn sleep(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let secs = real(vm, "sleep", args[0])?;
    if !(secs >= 0.0 && secs.is_finite()) {
        return Err(Error::wrong_type(
            "sleep",
            "a non-negative number of seconds",
            args[0],
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

fn current_time(_: &mut Vm, _: &[Value]) -> NResult {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    Ok(Value::Float(d.as_secs_f64()))
}

fn current_jiffy(_: &mut Vm, _: &[Value]) -> NResult {
    thread_local!(static START: Instant = Instant::now());
    Ok(Value::Int(START.with(|s| s.elapsed().as_micros() as i64)))
}

fn jiffies_per_second(_: &mut Vm, _: &[Value]) -> NResult {
    Ok(Value::Int(1_000_000))
}

fn command_line(vm: &mut Vm, _: &[Value]) -> NResult {
    let items: Vec<Value> = vm
        .command_line
        .clone()
        .into_iter()
        .map(|a| vm.heap.string(a))
        .collect();
    Ok(vm.heap.list(&items))
}

fn exit(vm: &mut Vm, args: &[Value]) -> NResult {
    vm.flush();
    let code = match args.first() {
        None | Some(Value::Bool(true)) => 0,
        Some(Value::Bool(false)) => 1,
        Some(Value::Int(i)) => *i as i32,
        Some(_) => 1,
    };
    std::process::exit(code)
}

fn emergency_exit(_: &mut Vm, args: &[Value]) -> NResult {
    let code = match args.first() {
        None | Some(Value::Bool(true)) => 0,
        Some(Value::Int(i)) => *i as i32,
        Some(_) => 1,
    };
    std::process::exit(code)
}

fn get_environment_variable(vm: &mut Vm, args: &[Value]) -> NResult {
    let name = string(vm, "get-environment-variable", args[0])?;
    Ok(match std::env::var(&name) {
        Ok(v) => vm.heap.string(v),
        Err(_) => Value::Bool(false),
    })
}

fn get_environment_variables(vm: &mut Vm, _: &[Value]) -> NResult {
    let pairs: Vec<Value> = std::env::vars()
        .map(|(k, v)| {
            let (k, v) = (vm.heap.string(k), vm.heap.string(v));
            vm.heap.cons(k, v)
        })
        .collect();
    Ok(vm.heap.list(&pairs))
}

fn garbage_collect(vm: &mut Vm, _: &[Value]) -> NResult {
    vm.collect_garbage();
    Ok(Value::Int(vm.heap.live_objects() as i64))
}

/// Registers the control natives.
pub fn register(reg: &mut Registry) {
    reg.control("apply", 2, None, apply);
    reg.simple("values", 0, None, values);
    reg.control("%apply-values", 2, Some(2), apply_values);
    reg.control("%call/cc", 1, Some(1), call_cc);
    reg.simple("%initialised", 2, Some(2), initialised);
    reg.simple("%handlers", 0, Some(0), handlers);
    reg.simple("%set-handlers!", 1, Some(1), set_handlers);
    reg.simple("%winders", 0, Some(0), winders);
    reg.simple("%set-winders!", 1, Some(1), set_winders);
    reg.simple("%raise-uncaught", 1, Some(1), raise_uncaught);
    reg.simple("%set-raise-procedure!", 1, Some(1), set_raise_proc);
    reg.simple("error", 1, None, error);
    reg.simple("make-condition", 2, None, make_condition);
    reg.simple("error-object?", 1, Some(1), is_error_object);
    reg.simple("condition?", 1, Some(1), is_error_object);
    reg.simple("error-object-message", 1, Some(1), error_object_message);
    reg.simple("error-object-irritants", 1, Some(1), error_object_irritants);
    reg.simple("condition-kind", 1, Some(1), condition_kind);
    reg.simple("file-error?", 1, Some(1), is_file_error);
    reg.simple("read-error?", 1, Some(1), is_read_error);
    reg.simple("procedure?", 1, Some(1), is_procedure);
    reg.control("%dispatch-arity", 2, Some(2), dispatch_arity);
    reg.simple("%make-parameter", 2, Some(2), make_parameter);
    reg.simple("%param-set!", 2, Some(2), param_set);
    reg.simple("%param-converter", 1, Some(1), param_converter);
    reg.control("sleep", 1, Some(1), sleep);
    reg.simple("current-time", 0, Some(0), current_time);
    reg.simple("current-jiffy", 0, Some(0), current_jiffy);
    reg.simple("jiffies-per-second", 0, Some(0), jiffies_per_second);
    reg.simple("command-line", 0, Some(0), command_line);
    reg.simple("%exit", 0, Some(1), exit);
    reg.simple("emergency-exit", 0, Some(1), emergency_exit);
    reg.simple(
        "get-environment-variable",
        1,
        Some(1),
        get_environment_variable,
    );
    reg.simple(
        "get-environment-variables",
        0,
        Some(0),
        get_environment_variables,
    );
    reg.simple("gc", 0, Some(0), garbage_collect);
    reg.define("%unspecified", Value::Unspecified);
}
