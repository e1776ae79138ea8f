//! Compiling: syntax to code. The expander resolves names and expands macros and derived
//! forms into a core tree; code generation turns that tree into VM instructions
//! ([`Proto`]). The autoloader compiles the prelude's procedures on first use, and
//! `toplevel` is what the running VM asks to compile (`eval`, first use of a prelude
//! procedure).

pub(crate) mod autoload;
pub mod codegen;
pub mod expand;
pub mod library_envs;
pub mod loops;
pub mod macros;
pub mod module;
pub(crate) mod toplevel;
pub mod tree;

use crate::read::symbol::Symbol;
use crate::read::syntax::Syn;
use crate::run::code::Proto;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::{Closure, Object, Value};
use codegen::Codegen;
use expand::{CompileError, Expander};
use library_envs::LibraryEnvs;
use module::Module;
use std::rc::Rc;

/// Runs `f`, a step of a pass that recurses on the nesting of the program (expanding,
/// generating code, matching macro patterns), with room on the Rust stack for the step:
/// when the stack runs low it continues on a new segment allocated on the heap, as rustc
/// does. So code nested to any depth compiles, on any thread, never overflowing the stack.
#[inline]
pub(crate) fn deep<R>(f: impl FnOnce() -> R) -> R {
    /// Room one step may need (a debug build takes tens of kilobytes for some steps).
    const RED_ZONE: usize = 256 << 10;
    /// Size of each new segment.
    const SEGMENT: usize = 4 << 20;
    stacker::maybe_grow(RED_ZONE, SEGMENT, f)
}

/// Compiles a top-level form in `module` (whose library macros resolve names in
/// `libraries`) into the code of a procedure of no arguments.
/// `internal` hides the code from backtraces (library code).
pub fn compile_proto(
    globals: &mut Globals,
    heap: &mut Heap,
    module: &mut Module,
    libraries: &LibraryEnvs,
    form: &Syn,
    internal: bool,
) -> Result<Rc<Proto>, CompileError> {
    let mark = Symbol::alias_mark();
    let mut ex = Expander::new(globals, heap, module, libraries);
    let node = ex.expand_toplevel(form);
    let vars = std::mem::take(&mut ex.vars);
    let keep_aliases = ex.defined_macros();
    let proto = node.map(|node| Codegen::new(&vars, internal).compile_toplevel(&node, form.span));
    // The aliases the macros of this form made are used up: the code refers to none (its
    // names and constants are stripped of aliases), unless a macro this form defined
    // carries them in its rules.
    drop(vars);
    if !keep_aliases {
        Symbol::release_aliases(mark);
    }
    let proto = proto?;
    register_guards(globals, &proto);
    Ok(proto)
}

/// Tells the globals which instructions of `proto` and its nested procedures inline
/// primitives for globals the program may redefine (see [`Proto::guards`]).
fn register_guards(globals: &mut Globals, proto: &Rc<Proto>) {
    // A work list, not recursion: procedures may be nested to any depth.
    let mut pending = vec![proto];
    while let Some(p) = pending.pop() {
        for g in p.guards.iter() {
            for &slot in g.slots.iter() {
                globals.add_site(slot, p, g.site, g.stub);
            }
        }
        pending.extend(&p.children);
    }
}

/// Compiles a top-level form in `module` into a procedure of no arguments (a thunk) that
/// runs it.
pub fn compile_thunk(
    globals: &mut Globals,
    heap: &mut Heap,
    module: &mut Module,
    libraries: &LibraryEnvs,
    form: &Syn,
    internal: bool,
) -> Result<Value, CompileError> {
    let proto = compile_proto(globals, heap, module, libraries, form, internal)?;
    Ok(heap.alloc(Object::Closure(Closure {
        proto,
        free: Box::new([]),
    })))
}
