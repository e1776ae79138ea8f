//! Embedding: the [`Interpreter`](interp::Interpreter) that ties the pipeline together,
//! the library system, and typed registration of Rust functions.

pub mod interp;
pub mod register;
