//! The core library and the machinery of native procedures.
//!
//! A native procedure is a Rust function with typed parameters under `#[native("name")]`
//! ([`native`](crate::native)); the attribute defines a [`NativeDef`] that a
//! [`Registry`] binds. Arguments convert with [`FromValue`], results with
//! [`NativeResult`]/[`IntoValue`] ([`convert`]); the wrapper's steps are in [`args`].
//!
//! The core library itself: native procedures by subject (`builtins`), the coroutine
//! scheduler of `(sigil async)` (`scheduler`), and the prelude written in Sigil
//! (`prelude/*.sgl`).

pub mod args;
pub(crate) mod builtins;
pub mod convert;
mod registry;
pub(crate) mod scheduler;

pub use convert::{
    Byte, FromValue, FromValueMut, IntoValue, List, NativeResult, Opaque, Proc, Rest, Vector,
};
pub use registry::{NativeDef, Registry};

/// A native library: its name and the function that registers its procedures.
pub(crate) type NativeLibrary = (&'static str, fn(&mut Registry));

/// Library code written in Sigil, loaded into the core module at start-up, in order.
pub(crate) const PRELUDE: &[(&str, &str)] = &[
    ("core", include_str!("prelude/core.sgl")),
    ("lists", include_str!("prelude/lists.sgl")),
    ("collections", include_str!("prelude/collections.sgl")),
];

/// The native libraries that are part of the language: `(sigil %async)`, the scheduler's
/// natives.
pub(crate) const LIBRARIES: [NativeLibrary; 1] = [("sigil %async", scheduler::register)];

/// The libraries written in Sigil that are part of the language: `(sigil async)` wraps
/// `(sigil %async)`.
pub(crate) const LIBRARY_SOURCES: [(&str, &str); 1] = [(
    "sigil async",
    include_str!("../../../../stdlib/sigil/async.sgl"),
)];

#[cfg(test)]
mod tests {
    use crate::compile::autoload::chunks;
    use crate::read::reader;

    /// The autoloader splits the prelude at lines that open a form: every chunk must be
    /// exactly one form, starting where the whole file's reading says it does.
    #[test]
    fn prelude_chunks_are_one_form_each() {
        for (name, src) in super::PRELUDE {
            let all = reader::read_all(src, 0).unwrap();
            let mut count = 0;
            for (line, chunk) in chunks(src) {
                let forms = reader::read_all_at(chunk, 0, line).unwrap();
                assert_eq!(forms.len(), 1, "{name}.sgl line {line}");
                assert_eq!(forms[0].span.line, line, "{name}.sgl line {line}");
                assert_eq!(forms[0].to_string(), all[count].to_string());
                count += 1;
            }
            assert_eq!(count, all.len(), "{name}.sgl: forms outside the chunks");
        }
    }
}
