//! Embedding: the [`Interpreter`](interp::Interpreter) that ties the pipeline together,
//! the library system, and typed registration of Rust functions.

mod error;
pub mod interp;
mod library;
pub mod register;
mod standard_libraries;

pub use error::SchemeError;
