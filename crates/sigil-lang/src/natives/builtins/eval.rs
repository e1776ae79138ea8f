//! `eval` and `load`: compile data or a file into the top-level environment at run time.

use super::{string, Registry};
use crate::read::reader;
use crate::read::symbol::Symbol;
use crate::read::syntax::{Span, Syn};
use crate::run::datum;
use crate::run::value::{Ctl, Error, NResult, Value};
use crate::run::vm::Vm;

fn eval(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let form = datum::value_to_syntax(&vm.heap, args[0], Span::default())
        .ok_or_else(|| Error::wrong_type("eval", "an expression", args[0]))?;
    let thunk = vm.compile(&form)?;
    Ok(Ctl::TailCall(thunk, vec![]))
}

fn load(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let path = string(vm, "load", args[0])?;
    let src = std::fs::read_to_string(&path).map_err(|e| {
        Error::with(
            "file-error",
            format!("load: cannot read {path}: {e}"),
            vec![],
        )
    })?;
    let file = Span::register_file(&path);
    let forms = reader::read_all(&src, file)
        .map_err(|e| Error::with("read-error", format!("{}: {}", e.span, e.message), vec![]))?;
    let mut items = vec![Syn::sym(
        Symbol::intern("begin"),
        Span {
            file,
            line: 1,
            col: 1,
        },
    )];
    items.extend(forms);
    let thunk = vm.compile(&Syn::list(
        items,
        Span {
            file,
            line: 1,
            col: 1,
        },
    ))?;
    Ok(Ctl::TailCall(thunk, vec![]))
}

fn environment(_: &mut Vm, _: &[Value]) -> NResult {
    Ok(Value::sym("interaction-environment"))
}

/// Registers `eval`, `load` and the environment specifiers `eval` accepts (all denote the
/// top-level environment).
pub fn register(reg: &mut Registry) {
    reg.control("eval", 1, Some(2), eval);
    reg.control("load", 1, Some(2), load);
    reg.simple("interaction-environment", 0, Some(0), environment);
    reg.simple("system-global-environment", 0, Some(0), environment);
    reg.simple("scheme-report-environment", 0, Some(1), environment);
    reg.simple("null-environment", 0, Some(1), environment);
    reg.simple("environment", 0, None, environment);
}
