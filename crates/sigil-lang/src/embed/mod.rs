//! Embedding: the [`Interpreter`](interp::Interpreter) that ties the pipeline together,
//! the library system, and typed registration of Rust functions.

mod error;
pub mod interp;
mod library;
pub mod register;

pub use error::SchemeError;
