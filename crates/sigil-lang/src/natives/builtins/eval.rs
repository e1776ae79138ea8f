//! `eval` and `load`: compile data or a file into an environment at run time (`load`
//! itself is in the prelude, `core.sgl`, a loop over `%load-next`), and the environments
//! they take: the top level (`interaction-environment`) and environments made of
//! libraries (`environment`; `scheme-report-environment` and `null-environment` are in
//! the prelude).

use super::Registry;
use crate::compile::toplevel::Environment;
use crate::native;
use crate::natives::Opaque;
use crate::read::reader::{Position, Reader};
use crate::read::syntax::Span;
use crate::run::ctx::Ctx;
use crate::run::datum;
use crate::run::value::{Ctl, Error, NResult, NativeObject, Value};
use std::any::Any;

/// `(eval expression [environment])`: runs `expression` in `environment` (by default the
/// top level). `import` and `define-library` forms work as at the top of a program.
#[native("eval")]
fn eval(ctx: &mut Ctx, expr: Value, env: Option<Opaque<Environment>>) -> NResult<Ctl> {
    let form = datum::value_to_syntax(ctx.heap(), expr, Span::default())
        .ok_or_else(|| Error::expected("an expression", expr))?;
    let env = env.map_or(Value::Unspecified, |e| e.value());
    match ctx.vm.toplevel_form(&form, env)? {
        Some(thunk) => Ok(Ctl::TailCall(thunk, vec![])),
        None => Ok(Ctl::Return(Value::Unspecified)),
    }
}

/// A source file that `load` is running: its text, where the next form starts, and the
/// environment its forms run in (the unspecified value for the top level).
struct Loading {
    src: String,
    file: u32,
    next: Position,
    env: Value,
}

impl NativeObject for Loading {
    fn type_name(&self) -> &str {
        "loading-file"
    }
    fn expected() -> &'static str {
        "a file being loaded"
    }
    fn trace(&self, out: &mut Vec<Value>) {
        out.push(self.env);
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// `(%load-open path [environment])`: the file `load` runs, read into memory, positioned
/// at its first form (after a byte-order mark or a `#!` line).
#[native("%load-open")]
fn load_open(ctx: &mut Ctx, path: String, env: Option<Opaque<Environment>>) -> NResult {
    let src = std::fs::read_to_string(&path)
        .map_err(|e| Error::new("file-error", format!("cannot read {path}: {e}")))?;
    let file = ctx.vm.files.register(&path);
    let next = Reader::script(&src, file, 1).position();
    let env = env.map_or(Value::Unspecified, |e| e.value());
    Ok(ctx.opaque(Loading {
        src,
        file,
        next,
        env,
    }))
}

/// `(%load-next loading)`: the next form of the file compiled into a procedure of no
/// arguments (`#f` for an `import` or `define-library` form, carried out at once), or
/// the eof object after the last. `load` reads a form only after the one
/// before has run, as a script runs (`Interpreter::eval_source`): what it defined is
/// there for the macros of the next, and a syntax error stops the file where it is.
#[native("%load-next")]
fn load_next(ctx: &mut Ctx, loading: Opaque<Loading>) -> NResult {
    let l = loading.get_mut(ctx)?;
    let mut reader = Reader::resume(&l.src, l.file, l.next);
    let form = reader.read();
    l.next = reader.position();
    let env = l.env;
    match form {
        Ok(Some(form)) => Ok(ctx
            .vm
            .toplevel_form(&form, env)?
            .unwrap_or(Value::Bool(false))),
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

/// `(interaction-environment)`: the program's top level, where `eval` runs by default.
#[native("interaction-environment")]
fn interaction_environment(ctx: &mut Ctx) -> Value {
    ctx.opaque(Environment::Toplevel)
}

/// `(environment import-set ...)`: a new environment holding the bindings the import
/// sets bring in, as `import` would.
#[native("environment")]
fn environment(ctx: &mut Ctx, #[rest] sets: &[Value]) -> NResult {
    let sets = sets
        .iter()
        .map(|&set| {
            datum::value_to_syntax(ctx.heap(), set, Span::default())
                .ok_or_else(|| Error::expected("an import set", set))
        })
        .collect::<NResult<Vec<_>>>()?;
    ctx.vm.environment(&sets)
}

/// Registers `eval`, the natives of `load` and the environments.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        EVAL,
        LOAD_OPEN,
        LOAD_NEXT,
        INTERACTION_ENVIRONMENT,
        ENVIRONMENT,
    ]);
    reg.alias("system-global-environment", "interaction-environment");
}
