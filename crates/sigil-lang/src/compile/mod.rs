//! Compiling: syntax to code. The expander resolves names and expands macros and derived
//! forms into a core tree; code generation turns that tree into VM instructions
//! ([`code::Proto`]). The autoloader compiles the prelude's procedures on first use.

pub(crate) mod autoload;
pub mod code;
pub mod codegen;
pub mod expand;
pub mod macros;
