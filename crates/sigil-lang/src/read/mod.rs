//! Reading: source text to syntax ([`syntax::Syn`]), with interned symbols and source
//! positions. The first stage of the pipeline; it depends on nothing else in the crate.

pub mod lexer;
pub mod number_format;
pub mod number_syntax;
pub mod reader;
pub mod source_files;
pub mod symbol;
pub mod syntax;
