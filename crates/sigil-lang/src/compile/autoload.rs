//! Lazy compilation of the prelude's procedures.
//!
//! Reading, expanding and compiling the whole Sigil-written prelude at every start would
//! dominate start-up, yet a script uses a handful of its procedures. So at start-up the
//! prelude is only split into top-level forms ([`chunks`]): every `(define (NAME ...)
//! ...)` gets its global slot, left unbound, and its text is remembered; the other forms
//! (macros, records, expressions) run at once. The first read of such a slot (the VM's
//! unbound-global path) compiles the definition and stores the procedure.
//!
//! A top-level `define` of a lambda compiles to "make a closure of child prototype 0
//! (nothing to capture), define the global", so loading needs no evaluation: the
//! procedure is that child prototype with no free variables.

use crate::compile::library_envs::LibraryEnvs;
use crate::compile::module::Module;
use crate::read::reader;
use crate::read::symbol::{FastMap, Symbol};
use crate::run::code::Op;
use crate::run::globals::Globals;
use crate::run::heap::Heap;
use crate::run::value::{Closure, Error, Object, Value};
use std::cell::Cell;

/// The prelude's not yet compiled procedures, and the environment they compile in.
#[derive(Default)]
pub struct Autoload {
    /// The prelude's environment, with its internal names. While the prelude loads
    /// this is the module it loads into, so that its forms can already use lazy
    /// procedures.
    pub(crate) env: Module,
    defs: FastMap<u32, Definition>,
}

/// The source of one lazily compiled `(define (NAME ...) ...)`.
struct Definition {
    src: &'static str,
    file: u32,
    line: u32,
}

/// Splits source text into top-level forms, each with the line it starts on. A form
/// starts at a line beginning with `(`; comments and blank lines go with the form
/// before them. (The prelude is written that way; a unit test checks it.)
pub fn chunks(src: &str) -> impl Iterator<Item = (u32, &str)> {
    let mut starts: Vec<(u32, usize)> = Vec::new();
    let mut offset = 0;
    for (i, line) in src.split_inclusive('\n').enumerate() {
        if line.starts_with('(') {
            starts.push((i as u32 + 1, offset));
        }
        offset += line.len();
    }
    let ends: Vec<usize> = starts.iter().skip(1).map(|&(_, o)| o).collect();
    starts
        .into_iter()
        .zip(ends.into_iter().chain(std::iter::once(src.len())))
        .map(move |((line, start), end)| (line, &src[start..end]))
}

/// The name a form `(define (NAME ...) ...)` defines; `None` for any other form.
pub fn procedure_name(form: &str) -> Option<&str> {
    let rest = form.strip_prefix("(define (")?;
    let end = rest.find(|c: char| c.is_whitespace() || c == ')')?;
    Some(&rest[..end]).filter(|name| !name.is_empty())
}

impl Autoload {
    /// Binds `name` in the prelude environment to an unbound slot that compiles `src`
    /// (a `(define (name ...) ...)` starting on `line` of `file`) when first read.
    pub(crate) fn add(
        &mut self,
        globals: &mut Globals,
        name: &str,
        src: &'static str,
        file: u32,
        line: u32,
    ) {
        let slot = self.env.define_slot(globals, Symbol::intern(name));
        self.defs.insert(slot, Definition { src, file, line });
    }

    /// The procedure global `slot` stands for, compiled now; `None` if it stands for
    /// none.
    pub(crate) fn load(
        &mut self,
        slot: u32,
        globals: &mut Globals,
        heap: &mut Heap,
        libraries: &LibraryEnvs,
    ) -> Option<Result<Value, Error>> {
        let def = self.defs.remove(&slot)?;
        Some(self.compile_definition(&def, globals, heap, libraries))
    }

    fn compile_definition(
        &mut self,
        def: &Definition,
        globals: &mut Globals,
        heap: &mut Heap,
        libraries: &LibraryEnvs,
    ) -> Result<Value, Error> {
        let internal = |what: String| Error::msg(format!("internal: prelude definition {what}"));
        let forms = reader::read_all_at(def.src, def.file, def.line)
            .map_err(|e| internal(format!("unreadable: {}", e.message)))?;
        let [form] = forms.as_slice() else {
            return Err(internal(format!("at line {} is not one form", def.line)));
        };
        let thunk = super::compile_proto(globals, heap, &mut self.env, libraries, form, true)
            .map_err(|e| internal(e.message))?;
        match (thunk.code.first().map(Cell::get), thunk.children.first()) {
            (Some(Op::Closure(0)), Some(proto)) if proto.nfree == 0 => {
                Ok(heap.alloc(Object::Closure(Closure {
                    proto: proto.clone(),
                    free: Box::new([]),
                })))
            }
            _ => Err(internal(format!("at line {} is not a procedure", def.line))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_lines_that_open_a_form() {
        let src = ";; intro\n(define (f x)\n  (g x))\n\n; note\n(define-syntax m\n  (syntax-rules ()))\n(define (h) 1)";
        let parts: Vec<(u32, &str)> = chunks(src).collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(parts[0], (2, "(define (f x)\n  (g x))\n\n; note\n"));
        assert_eq!(parts[1].0, 6);
        assert_eq!(parts[2], (8, "(define (h) 1)"));
        assert_eq!(procedure_name(parts[0].1), Some("f"));
        assert_eq!(procedure_name(parts[1].1), None);
        assert_eq!(procedure_name(parts[2].1), Some("h"));
        assert_eq!(procedure_name("(define x 1)"), None);
        assert_eq!(
            procedure_name("(define (%do-winds from to) x)"),
            Some("%do-winds")
        );
    }

    #[test]
    fn lazy_procedures_behave_like_eager_ones() {
        use crate::test_util::{check, ev};
        check(&[
            // First use compiles; the value is kept.
            ("(eq? member member)", "#t"),
            ("(member 2 '(1 2 3))", "(2 3)"),
            // A program's own definition of a prelude name shadows it.
            (
                "(begin (define (list-index . args) 'mine) (list-index even? '(1 2)))",
                "mine",
            ),
        ]);
        // Errors inside a lazily compiled procedure point into the prelude.
        let mut i = crate::Interpreter::new();
        let e = i.eval_str("(member 1 'not-a-list)").unwrap_err();
        assert!(e.message.contains("member"), "{}", e.message);
        assert_eq!(ev("(procedure? assoc-ref)"), "#t");
    }
}
