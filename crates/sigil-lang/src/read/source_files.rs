//! The names of the source files an interpreter has read. A [`Span`] names its file by an
//! index into this table; each interpreter keeps its own, so two interpreters in one
//! thread never see each other's names.

use crate::read::syntax::Span;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// File names by index; index 0 is "no file".
pub struct SourceFiles {
    names: Vec<Rc<str>>,
    index: HashMap<Rc<str>, u32>,
}

impl Default for SourceFiles {
    fn default() -> Self {
        let none: Rc<str> = Rc::from("");
        SourceFiles {
            names: vec![none.clone()],
            index: HashMap::from([(none, 0)]),
        }
    }
}

impl SourceFiles {
    /// The index of file `name` for use in spans, registering it the first time.
    pub fn register(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let name: Rc<str> = Rc::from(name);
        let i = self.names.len() as u32;
        self.names.push(name.clone());
        self.index.insert(name, i);
        i
    }

    /// The name of file `file` (empty for "no file" and for an index this table never
    /// gave out).
    pub fn name(&self, file: u32) -> &str {
        self.names.get(file as usize).map_or("", |n| n)
    }

    /// Where `span` points, with its file named.
    pub fn locate(&self, span: Span) -> Location {
        Location {
            file: self.name(span.file).to_string(),
            line: span.line,
            col: span.col,
        }
    }
}

/// A source position with its file name: what a [`Span`] means in the interpreter that
/// read it. `Display` writes `file:line:col` (`<input>` for text that has no file name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file name (empty when unknown).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub col: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = if self.file.is_empty() {
            "<input>"
        } else {
            &self.file
        };
        write!(f, "{file}:{}:{}", self.line, self.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_registered_once_and_located() {
        let mut files = SourceFiles::default();
        let a = files.register("a.sgl");
        assert_eq!(files.register("b.sgl"), a + 1);
        assert_eq!(files.register("a.sgl"), a);
        assert_eq!(files.register(""), 0);
        let span = Span {
            file: a,
            line: 3,
            col: 7,
        };
        assert_eq!(files.locate(span).to_string(), "a.sgl:3:7");
        assert_eq!(
            files.locate(Span { file: 0, ..span }).to_string(),
            "<input>:3:7"
        );
        assert_eq!(files.name(99), "");
    }
}
