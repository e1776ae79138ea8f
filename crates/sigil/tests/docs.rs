//! The documentation checks itself: the fenced Scheme examples of `docs/*.md` and
//! `README.md` that state a result are run, and each stated result is compared with what
//! Sigil does. The convention (also in `docs/README.md`):
//!
//! - `; ⇒ VALUE` or `; => VALUE` (after any number of `;`): the value of the form before
//!   the comment, printed with `write` (several values separated by spaces);
//! - `; prints: TEXT`: what that form writes to standard output (a final newline aside);
//!   `; prints:` alone takes the following comment lines as the lines of output;
//! - `; error: MESSAGE`: that form raises an error with this message;
//! - a block opened with ```` ```scheme fragment ```` is not run (it needs definitions
//!   from elsewhere, such as Rust code).
//!
//! "The form before the comment" is the last top-level form starting before it. Each
//! example that states a result runs on its own in a fresh `sigil::interpreter()` (one
//! trial per example, named `FILE:LINE`), so it must import what it uses; a form without
//! a stated result must not raise. Examples that state no result are illustrations and
//! are not run.

use libtest_mimic::{Arguments, Failed, Trial};
use sigil_lang::read::reader::read_all_at;
use sigil_lang::read::syntax::Syn;
use sigil_lang::Value;
use std::cell::RefCell;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;

/// A fenced Scheme example.
struct Example {
    code: String,
    /// Line of the code's first line in the Markdown file.
    first_line: usize,
}

/// A stated result: what the form before `(line, col)` of the example must do.
#[derive(Debug, PartialEq)]
enum Stated {
    Value(String),
    Prints(String),
    Error(String),
}

struct Annotation {
    line: usize,
    col: usize,
    stated: Stated,
}

/// The Scheme examples of Markdown `text` that may run (not fragments).
fn examples(text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        // A fence, possibly indented (inside a list item).
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - line.trim_start().len();
        let words: Vec<&str> = info.split_whitespace().collect();
        let code: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| !l.trim_start().starts_with("```"))
            .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
            .collect();
        if words.first() == Some(&"scheme") && !words.contains(&"fragment") {
            out.push(Example {
                code: code.join("\n") + "\n",
                first_line: i + 2,
            });
        }
    }
    out
}

/// The text of a `;` comment on `line`, when the line has one outside strings.
fn comment(line: &str) -> Option<(usize, &str)> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            // In a string an escape, outside one a character such as #\; or #\"
            '\\' => escaped = true,
            '"' => in_string = !in_string,
            ';' if !in_string => return Some((i, &line[i..])),
            _ => {}
        }
    }
    None
}

/// The comment's text without its `;`s and the space after them.
fn comment_body(comment: &str) -> &str {
    comment.trim_start_matches(';').trim_start()
}

/// The stated results of an example, in order, with their lines in the Markdown file;
/// `Err` for a comment that looks like a stated result but does not follow the convention.
fn annotations(example: &Example) -> Result<Vec<Annotation>, String> {
    let lines: Vec<&str> = example.code.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let Some((col, text)) = comment(lines[i]) else {
            i += 1;
            continue;
        };
        let body = comment_body(text);
        let line = example.first_line + i;
        let at = |stated| Annotation {
            line,
            col: col + 1,
            stated,
        };
        if let Some(v) = body.strip_prefix('⇒').or_else(|| body.strip_prefix("=>")) {
            out.push(at(Stated::Value(v.trim().to_string())));
        } else if let Some(m) = body.strip_prefix("error:") {
            out.push(at(Stated::Error(m.trim().to_string())));
        } else if let Some(p) = body.strip_prefix("prints:") {
            let text = if p.trim().is_empty() {
                // The output is the comment lines that follow, one per line.
                let mut block = Vec::new();
                while let Some(next) = lines.get(i + 1).map(|l| l.trim_start()) {
                    let Some(rest) = next.strip_prefix(';') else {
                        break;
                    };
                    let rest = rest.trim_start_matches(';');
                    block.push(rest.strip_prefix(' ').unwrap_or(rest));
                    i += 1;
                }
                block.join("\n")
            } else {
                p.trim().to_string()
            };
            out.push(at(Stated::Prints(text)));
        } else if body.starts_with("prints") {
            return Err(format!(
                "{line}: write `; prints: TEXT` for stated output: {text}"
            ));
        }
        i += 1;
    }
    Ok(out)
}

/// Standard output captured into a shared buffer.
#[derive(Clone, Default)]
struct Capture(Rc<RefCell<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn take(&self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut *self.0.borrow_mut())).into_owned()
    }
}

/// Runs an example of page `file` in a fresh interpreter; every difference from a stated
/// result.
fn check(file: &str, example: &Example) -> Result<(), Failed> {
    let mut interp = sigil::interpreter();
    let out = Capture::default();
    interp.set_output(Box::new(out.clone()));
    let mut problems = Vec::new();
    {
        let stated = annotations(example).map_err(|e| format!("{file}:{e}"))?;
        let source = interp.source_file(file);
        let forms = read_all_at(&example.code, source, example.first_line as u32)
            .map_err(|e| format!("does not read: {}", interp.read_error(e)))?;
        for (k, form) in forms.iter().enumerate() {
            let at = |f: &Syn| (f.span.line as usize, f.span.col as usize);
            let next = forms.get(k + 1).map(at);
            let mine = stated
                .iter()
                .filter(|a| (a.line, a.col) > at(form) && next.is_none_or(|n| (a.line, a.col) < n));
            let result = interp.eval_toplevel(form);
            interp.flush();
            let printed = out.take();
            let printed = printed.strip_suffix('\n').unwrap_or(&printed);
            let mut raised_as_stated = false;
            for a in mine {
                let line = a.line;
                match (&a.stated, &result) {
                    (Stated::Value(v), Ok(got)) => {
                        let got = match got {
                            Value::Unspecified => String::new(),
                            v => interp.write(*v),
                        };
                        if got != *v {
                            problems.push(format!("{file}:{line}: stated ⇒ {v}, got {got}"));
                        }
                    }
                    (Stated::Prints(p), Ok(_)) if printed != p => problems.push(format!(
                        "{file}:{line}: stated output {p:?}, got {printed:?}"
                    )),
                    (Stated::Prints(_), Ok(_)) => {}
                    (Stated::Error(m), Err(e)) => {
                        raised_as_stated = true;
                        if e.message != *m {
                            problems.push(format!(
                                "{file}:{line}: stated error {m:?}, got {:?}",
                                e.message
                            ));
                        }
                    }
                    (Stated::Error(m), Ok(_)) => {
                        problems.push(format!("{file}:{line}: stated error {m:?}, but no error"))
                    }
                    (_, Err(_)) => {}
                }
            }
            if let (Err(e), false) = (&result, raised_as_stated) {
                problems.push(format!("the form raised: {e}"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."));
    let mut pages: Vec<String> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".md"))
        .map(|name| format!("docs/{name}"))
        .collect();
    pages.sort();
    pages.insert(0, "README.md".to_string());
    let mut trials = Vec::new();
    for page in pages {
        let text = std::fs::read_to_string(root.join(&page)).expect("read the page");
        for example in examples(&text) {
            if annotations(&example).is_ok_and(|a| a.is_empty()) {
                continue; // states no result
            }
            let (page, name) = (page.clone(), format!("{page}:{}", example.first_line));
            trials.push(Trial::test(name, move || check(&page, &example)));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
