//! Errors returned to Rust: [`SchemeError`], made from read, compile and run-time errors.

use crate::compile::expand::CompileError;
use crate::read::reader::ReadError;
use crate::read::source_files::{Location, SourceFiles};
use crate::read::syntax::Span;
use crate::run::printer;
use crate::run::value::Object;
use crate::run::vm::{Uncaught, Vm};
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

    /// The error `u` that no handler caught: the condition's kind, message and
    /// irritants (or the raised value), where it was raised (else the innermost frame of
    /// the program's own code), and the frames.
    pub(crate) fn uncaught(vm: &Vm, u: &Uncaught) -> Self {
        let heap = &vm.heap;
        let (kind, message, span) = match heap.obj(u.value) {
            Some(Object::Condition(c)) => {
                let mut m = c.message.clone();
                for i in &c.irritants {
                    m.push(' ');
                    m.push_str(&printer::write(heap, *i));
                }
                let span = if c.span.is_known() { c.span } else { u.span };
                (c.kind.to_string(), m, span)
            }
            _ => (
                "raise".to_string(),
                format!("uncaught exception: {}", printer::write(heap, u.value)),
                u.span,
            ),
        };
        SchemeError {
            kind,
            message,
            location: locate(span, &vm.files),
            trace: u
                .trace
                .iter()
                .map(|(name, s)| match locate(*s, &vm.files) {
                    Some(at) => format!("{name} ({at})"),
                    None => name.clone(),
                })
                .collect(),
            exit: None,
        }
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
