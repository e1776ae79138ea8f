//! `eval` and `load`: compile data or a file into the top-level environment at run time.

use super::Registry;
use crate::native;
use crate::read::reader;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Span, Syn};
use crate::run::ctx::Ctx;
use crate::run::datum;
use crate::run::value::{Ctl, Error, NResult, Value};

/// `(eval expression [environment])`: every environment is the top-level one.
#[native("eval")]
fn eval(ctx: &mut Ctx, expr: Value, _env: Option<Value>) -> NResult<Ctl> {
    let form = datum::value_to_syntax(ctx.heap(), expr, Span::default())
        .ok_or_else(|| Error::expected("an expression", expr))?;
    let thunk = ctx.vm.compile(&form)?;
    Ok(Ctl::TailCall(thunk, vec![]))
}

/// `(load path [environment])`: reads a file and runs its forms at the top level.
#[native("load")]
fn load(ctx: &mut Ctx, path: String, _env: Option<Value>) -> NResult<Ctl> {
    let src = std::fs::read_to_string(&path)
        .map_err(|e| Error::new("file-error", format!("cannot read {path}: {e}")))?;
    let file = ctx.vm.files.register(&path);
    let forms = reader::read_all(&src, file).map_err(|e| {
        let at = ctx.vm.files.locate(e.span);
        Error::with("read-error", format!("{at}: {}", e.message), vec![])
    })?;
    let start = Span {
        file,
        line: 1,
        col: 1,
    };
    let mut items = vec![Syn::sym(Symbol::intern("begin"), start)];
    items.extend(forms);
    let thunk = ctx.vm.compile(&Syn::list(items, start))?;
    Ok(Ctl::TailCall(thunk, vec![]))
}

/// `(interaction-environment)` and the other environment specifiers: a token that
/// `eval` accepts for the top-level environment.
#[native("interaction-environment")]
fn environment(#[rest] _args: &[Value]) -> Value {
    Value::sym("interaction-environment")
}

/// Registers `eval`, `load` and the environment specifiers `eval` accepts (all denote the
/// top-level environment).
pub fn register(reg: &mut Registry) {
    reg.add(&[EVAL, LOAD, ENVIRONMENT]);
    for name in [
        "system-global-environment",
        "scheme-report-environment",
        "null-environment",
        "environment",
    ] {
        reg.alias(name, "interaction-environment");
    }
}
