//! Sigil: a small, fast Scheme dialect.
//!
//! Embed it with [`Interpreter`]: evaluate strings or files, call procedures, register
//! native procedures and libraries.

mod autoload;
pub mod builtins;
pub mod code;
pub mod codegen;
pub mod expand;
pub mod heap;
pub mod interp;
pub mod lexer;
pub mod macros;
pub mod number_syntax;
pub mod numeric;
pub mod printer;
pub mod reader;
pub mod register;
pub mod scheduler;
pub mod symbol;
pub mod syntax;
pub mod syntax_value;
#[cfg(test)]
mod test_util;
pub mod value;
pub mod vm;

pub use interp::{Interpreter, SchemeError};
pub use register::{FromValue, IntoValue, Kept};
pub use value::{Error, NResult, Value};
