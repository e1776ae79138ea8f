//! Errors returned to Rust: [`SchemeError`], made from read, compile and run-time errors.

use crate::compile::expand::CompileError;
use crate::read::reader::ReadError;
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
    pub span: Option<Span>,
    /// Innermost Scheme frames, formatted `name (file:line:col)`.
    pub trace: Vec<String>,
    /// The exit status, when the program ended by calling `exit` or `emergency-exit`
    /// (kind `exit`): not an error as such, but how the evaluation ended.
    pub exit: Option<i32>,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(s) => write!(f, "{s}: {}", self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for SchemeError {}

impl From<ReadError> for SchemeError {
    fn from(e: ReadError) -> Self {
        SchemeError {
            kind: "read-error".into(),
            message: format!("read error: {}", e.message),
            span: Some(e.span).filter(Span::is_known),
            trace: vec![],
            exit: None,
        }
    }
}

impl From<CompileError> for SchemeError {
    fn from(e: CompileError) -> Self {
        SchemeError {
            kind: "syntax-error".into(),
            message: e.message,
            span: Some(e.span).filter(Span::is_known),
            trace: vec![],
            exit: None,
        }
    }
}

/// A `file-error`.
pub(super) fn file_error(message: String) -> SchemeError {
    SchemeError {
        kind: "file-error".into(),
        message,
        span: None,
        trace: vec![],
        exit: None,
    }
}

/// A `syntax-error` at `span`.
pub(super) fn syntax_error(span: Span, message: String) -> SchemeError {
    SchemeError {
        kind: "syntax-error".into(),
        message,
        span: Some(span).filter(Span::is_known),
        trace: vec![],
        exit: None,
    }
}
