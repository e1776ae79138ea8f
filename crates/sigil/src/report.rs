//! Error reports on standard error: `error: FILE:LINE:COL: MESSAGE` followed by the
//! innermost Scheme frames, one `  in NAME (FILE:LINE:COL)` line each, and for some errors
//! a `  hint: ...` line saying what to do about them. The error of a `(sigil async)` task
//! that nobody awaited (a `ws-serve` handler's, say) is reported the same way, headed
//! `error in task N:`.

use sigil_lang::{Interpreter, SchemeError};
use std::io::Write;

/// How many Scheme frames a report shows.
const MAX_FRAMES: usize = 10;

/// What to do about a "recursion too deep" error.
const DEPTH_HINT: &str =
    "allow deeper recursion with --max-depth N or the environment variable SIGIL_MAX_DEPTH=N";

/// The text of an error report, one line per entry, each ending in a newline.
pub fn format(e: &SchemeError) -> String {
    format_headed("error", e)
}

/// The report of the error task `id` ended with, which nobody awaited.
pub fn format_task(id: u32, e: &SchemeError) -> String {
    format_headed(&format!("error in task {id}"), e)
}

/// The report of `e`, its first line starting with `head`.
fn format_headed(head: &str, e: &SchemeError) -> String {
    let mut out = format!("{head}: {e}\n");
    for frame in e.trace.iter().take(MAX_FRAMES) {
        out.push_str(&format!("  in {frame}\n"));
    }
    if e.trace.len() > MAX_FRAMES {
        out.push_str(&format!(
            "  ... {} more frames\n",
            e.trace.len() - MAX_FRAMES
        ));
    }
    if e.kind == "recursion-error" {
        out.push_str(&format!("  hint: {DEPTH_HINT}\n"));
    }
    out
}

/// Prints an error report after flushing the program's buffered output, so the report
/// comes after everything the program printed.
pub fn print(interp: &mut Interpreter, e: &SchemeError) {
    interp.flush();
    let _ = std::io::stdout().flush();
    eprint!("{}", format(e));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_capped() {
        let e = SchemeError {
            kind: "error".into(),
            message: "boom".into(),
            location: None,
            trace: (0..12).map(|i| format!("f{i} (a.sgl:{i}:1)")).collect(),
            exit: None,
        };
        let text = format(&e);
        assert!(text.starts_with("error: boom\n  in f0 (a.sgl:0:1)\n"));
        assert_eq!(text.lines().count(), 12);
        assert!(text.ends_with("  ... 2 more frames\n"));
        let task = format_task(7, &e);
        assert!(task.starts_with("error in task 7: boom\n  in f0 (a.sgl:0:1)\n"));
        assert_eq!(task.lines().count(), 12);
    }
}
