//! The core library: native procedures written in Rust ([`builtins`]), the coroutine
//! scheduler of `(sigil async)`, and the prelude written in Sigil.

pub mod builtins;
pub mod scheduler;
