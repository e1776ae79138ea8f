//! The glue between the language and its native libraries, and the stdlib embedded in the
//! binary. [`interpreter`] builds an interpreter with everything registered.

use sigil_lang::Interpreter;

/// The `.sgl` library sources under `stdlib/`, embedded so an installed `sigil` needs no
/// paths: (library name, source).
pub const STDLIB: &[(&str, &str)] = &[];

/// An interpreter with every native library and stdlib source registered.
pub fn interpreter() -> Interpreter {
    let mut interp = Interpreter::new();
    for (name, src) in STDLIB {
        interp.add_library_source(name, src);
    }
    interp
}
