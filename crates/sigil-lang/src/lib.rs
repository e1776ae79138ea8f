//! Sigil: a small, fast Scheme dialect.
//!
//! Embed it with [`Interpreter`]: evaluate strings or files, call procedures, register
//! native procedures and libraries.
//!
//! The modules follow the pipeline: [`read`] (text to syntax) → [`compile`] (syntax to
//! code) → [`run`] (the virtual machine) → [`natives`] (the core library) → [`embed`]
//! (the interpreter). `docs/architecture.md` describes the layers.

pub mod compile;
pub mod embed;
pub mod natives;
pub mod read;
pub mod run;
#[cfg(test)]
mod test_util;

pub use embed::interp::Interpreter;
pub use embed::register::{FromValue, IntoValue, Kept};
pub use embed::SchemeError;
pub use run::value::{Error, NResult, Value};

// ---- Transitional paths ------------------------------------------------------------------
// The WebSocket glue (`crates/sigil/src/websocket/connection.rs` and `options.rs`) still
// uses these old module paths; they go when it moves to the new ones.
pub use natives::builtins;
pub use run::{value, vm};
