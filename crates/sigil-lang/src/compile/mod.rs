//! Compiling: syntax to code. The expander resolves names and expands macros and derived
//! forms into a core tree; code generation turns that tree into VM instructions
//! ([`Proto`]). The autoloader compiles the prelude's procedures on first use, and
//! `toplevel` is what the running VM asks to compile (`eval`, first use of a prelude
//! procedure).

pub(crate) mod autoload;
pub mod codegen;
pub mod expand;
pub mod loops;
pub mod macros;
pub mod module;
pub(crate) mod toplevel;
pub mod tree;

use crate::read::syntax::Syn;
use crate::run::code::Proto;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::{Closure, Object, Value};
use codegen::Codegen;
use expand::{CompileError, Expander};
use module::Module;
use std::rc::Rc;

/// Compiles a top-level form in `module` into the code of a procedure of no arguments.
/// `internal` hides the code from backtraces (library code); compiling may use
/// `stack_budget` bytes of Rust stack (see [`expand::DEFAULT_COMPILE_STACK`]).
pub fn compile_proto(
    globals: &mut Globals,
    heap: &mut Heap,
    module: &mut Module,
    form: &Syn,
    internal: bool,
    stack_budget: usize,
) -> Result<Rc<Proto>, CompileError> {
    let mut ex = Expander::new(globals, heap, module, stack_budget);
    let node = ex.expand_toplevel(form)?;
    let vars = std::mem::take(&mut ex.vars);
    let proto = Codegen::new(&vars, internal).compile_toplevel(&node, form.span);
    register_guards(globals, &proto);
    Ok(proto)
}

/// Tells the globals which instructions of `proto` and its nested procedures inline
/// primitives for globals the program may redefine (see [`Proto::guards`]).
fn register_guards(globals: &mut Globals, proto: &Rc<Proto>) {
    for g in proto.guards.iter() {
        for &slot in g.slots.iter() {
            globals.add_site(slot, proto, g.site, g.stub);
        }
    }
    for child in &proto.children {
        register_guards(globals, child);
    }
}

/// Compiles a top-level form in `module` into a procedure of no arguments (a thunk) that
/// runs it.
pub fn compile_thunk(
    globals: &mut Globals,
    heap: &mut Heap,
    module: &mut Module,
    form: &Syn,
    internal: bool,
    stack_budget: usize,
) -> Result<Value, CompileError> {
    let proto = compile_proto(globals, heap, module, form, internal, stack_budget)?;
    Ok(heap.alloc(Object::Closure(Closure {
        proto,
        free: Box::new([]),
    })))
}
