//! `eval` and `load`: compile data or a file into the top-level environment at run time
//! (`load` itself is in the prelude, `core.sgl`, a loop over `%load-next`).

use super::Registry;
use crate::native;
use crate::natives::Opaque;
use crate::read::reader::{Position, Reader};
use crate::read::syntax::Span;
use crate::run::ctx::Ctx;
use crate::run::datum;
use crate::run::value::{Ctl, Error, NResult, NativeObject, Value};
use std::any::Any;

/// `(eval expression [environment])`: every environment is the top-level one.
#[native("eval")]
fn eval(ctx: &mut Ctx, expr: Value, _env: Option<Value>) -> NResult<Ctl> {
    let form = datum::value_to_syntax(ctx.heap(), expr, Span::default())
        .ok_or_else(|| Error::expected("an expression", expr))?;
    let thunk = ctx.vm.compile(&form)?;
    Ok(Ctl::TailCall(thunk, vec![]))
}

/// A source file that `load` is running: its text and where the next form starts.
struct Loading {
    src: String,
    file: u32,
    next: Position,
}

impl NativeObject for Loading {
    fn type_name(&self) -> &str {
        "loading-file"
    }
    fn expected() -> &'static str {
        "a file being loaded"
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `(%load-open path)`: the file `load` runs, read into memory, positioned at its first
/// form (after a byte-order mark or a `#!` line).
#[native("%load-open")]
fn load_open(ctx: &mut Ctx, path: String) -> NResult {
    let src = std::fs::read_to_string(&path)
        .map_err(|e| Error::new("file-error", format!("cannot read {path}: {e}")))?;
    let file = ctx.vm.files.register(&path);
    let next = Reader::script(&src, file, 1).position();
    Ok(ctx.opaque(Loading { src, file, next }))
}

/// `(%load-next loading)`: the next form of the file compiled into a procedure of no
/// arguments, or the eof object after the last. `load` reads a form only after the one
/// before has run, as a script runs (`Interpreter::eval_source`): what it defined is
/// there for the macros of the next, and a syntax error stops the file where it is.
#[native("%load-next")]
fn load_next(ctx: &mut Ctx, loading: Opaque<Loading>) -> NResult {
    let l = loading.get_mut(ctx)?;
    let mut reader = Reader::resume(&l.src, l.file, l.next);
    let form = reader.read();
    l.next = reader.position();
    match form {
        Ok(Some(form)) => ctx.vm.compile(&form),
        Ok(None) => Ok(Value::Eof),
        Err(e) => {
            let at = ctx.vm.files.locate(e.span);
            Err(Error::with(
                "read-error",
                format!("{at}: {}", e.message),
                vec![],
            ))
        }
    }
}

/// `(interaction-environment)` and the other environment specifiers: a token that
/// `eval` accepts for the top-level environment.
#[native("interaction-environment")]
fn environment(#[rest] _args: &[Value]) -> Value {
    Value::sym("interaction-environment")
}

/// Registers `eval`, the natives of `load` and the environment specifiers `eval` accepts (all denote the
/// top-level environment).
pub fn register(reg: &mut Registry) {
    reg.add(&[EVAL, LOAD_OPEN, LOAD_NEXT, ENVIRONMENT]);
    for name in [
        "system-global-environment",
        "scheme-report-environment",
        "null-environment",
        "environment",
    ] {
        reg.alias(name, "interaction-environment");
    }
}
