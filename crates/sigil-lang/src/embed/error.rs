//! Errors returned to Rust: [`SchemeError`], made from read, compile and run-time errors.

use crate::compile::expand::CompileError;
use crate::read::reader::ReadError;
use crate::read::source_files::{Location, SourceFiles};
use crate::read::syntax::Span;
use std::fmt;

/// A Scheme error returned to Rust: what went wrong, where, and the Scheme frames.
#[derive(Clone, Debug)]
pub struct SchemeError {
    /// Category: `error`, `type-error`, `arity-error`, `unbound-variable`, `syntax-error`,
    /// `read-error`, `file-error`, `raise` (a non-condition was raised), ...
    pub kind: String,
    /// The message with its irritants.
    pub message: String,
    /// Source position, when known.
    pub location: Option<Location>,
    /// Innermost Scheme frames, formatted `name (file:line:col)`.
    pub trace: Vec<String>,
    /// The exit status, when the program ended by calling `exit` or `emergency-exit`
    /// (kind `exit`): not an error as such, but how the evaluation ended.
    pub exit: Option<i32>,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => write!(f, "{at}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for SchemeError {}

impl SchemeError {
    /// A `read-error`; `files` names the file of its position.
    pub fn read(e: ReadError, files: &SourceFiles) -> Self {
        SchemeError {
            kind: "read-error".into(),
            message: format!("read error: {}", e.message),
            location: locate(e.span, files),
            trace: vec![],
            exit: None,
        }
    }

    /// A `syntax-error` from the compiler; `files` names the file of its position.
    pub(crate) fn compile(e: CompileError, files: &SourceFiles) -> Self {
        syntax_error(locate(e.span, files), e.message)
    }
}

/// Where `span` points, when it is known.
pub(super) fn locate(span: Span, files: &SourceFiles) -> Option<Location> {
    span.is_known().then(|| files.locate(span))
}

/// A `file-error`.
pub(super) fn file_error(message: String) -> SchemeError {
    SchemeError {
        kind: "file-error".into(),
        message,
        location: None,
        trace: vec![],
        exit: None,
    }
}

/// A `syntax-error` at `location`.
pub(super) fn syntax_error(location: Option<Location>, message: String) -> SchemeError {
    SchemeError {
        kind: "syntax-error".into(),
        message,
        location,
        trace: vec![],
        exit: None,
    }
}
