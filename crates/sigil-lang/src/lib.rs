//! Sigil: a small, fast Scheme dialect.
//!
//! Embed it with [`Interpreter`]: evaluate strings or files, call procedures, register
//! native procedures and libraries.
//!
//! The modules follow the pipeline: [`read`] (text to syntax) → `compile` (syntax to
//! code) → [`run`] (the virtual machine) → [`natives`] (the core library) → [`embed`]
//! (the interpreter). `docs/architecture.md` describes the layers.

#![warn(missing_docs)]

// `#[native]` writes paths starting `::sigil_lang`, in this crate too.
extern crate self as sigil_lang;

pub(crate) mod compile;
pub mod embed;
pub mod natives;
pub mod read;
pub mod run;
#[cfg(test)]
mod test_util;

pub use compile::expand::SPECIAL_FORMS;
pub use embed::interp::Interpreter;
pub use embed::SchemeError;
pub use natives::{FromValue, IntoValue, NativeDef, NativeResult, Opaque, Proc, Registry, Rest};
pub use read::source_files::Location;
pub use run::ctx::Ctx;
pub use run::heap::Heap;
pub use run::native::Descriptor;
pub use run::native::{Arity, Ctl, Resume, Wait};
pub use run::roots::Kept;
pub use run::value::{Error, NResult, NativeObject, Object, Value};
pub use sigil_macros::native;
