//! The interactive read-eval-print loop, on `rustyline`.
//!
//! Input is read line by line until it holds complete data (prompt `sigil> `, then
//! `  ...> `), each datum is evaluated and its value printed with `write`. Values and
//! prompts start on a fresh line even when the program's output did not end with one.
//! Ctrl-C at a prompt abandons the input; during evaluation it interrupts the evaluation
//! (a second Ctrl-C before the evaluation notices quits). Ctrl-D leaves.
//!
//! When standard input is not a terminal (piped input) there are no prompts, and the first
//! error ends the session with exit status 1, as `python3 < file` does.

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use sigil_lang::read::reader::read_all;
use sigil_lang::{Interpreter, Value};
use std::cell::Cell;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::rc::Rc;
use std::sync::atomic::Ordering;

const PROMPT: &str = "sigil> ";
const CONTINUATION: &str = "  ...> ";
/// The name errors in REPL input are reported under.
const SOURCE_NAME: &str = "<repl>";

const HELP: &str = "\
Type Scheme expressions; each value is printed with `write`.
  ,help  ,h    this help
  ,quit  ,q    leave (as does Ctrl-D)
Ctrl-C abandons the current input or interrupts a running evaluation.
Tab completes the name under the cursor.";

/// Top-level keywords the interpreter handles itself, offered as completions along with
/// the special forms (neither is bound as a variable, so neither is in `global_names`).
const TOPLEVEL_KEYWORDS: &[&str] = &["import", "define-library"];

/// Whether `src` stops in the middle of a datum, so more lines should be read.
fn is_incomplete(src: &str) -> bool {
    match read_all(src, 0) {
        Ok(_) => false,
        Err(e) => e.incomplete,
    }
}

/// Whether `c` ends an identifier (for completion).
fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || "()[]'`,\";".contains(c)
}

/// The rustyline helper: completes bound names and keywords.
struct ReplHelper {
    /// Sorted, deduplicated completion candidates.
    names: Vec<String>,
}

impl ReplHelper {
    fn refresh(&mut self, interp: &Interpreter) {
        let mut names = interp.global_names();
        names.extend(
            sigil_lang::SPECIAL_FORMS
                .iter()
                .chain(TOPLEVEL_KEYWORDS)
                .map(|k| k.to_string()),
        );
        names.sort();
        names.dedup();
        self.names = names;
    }
}

impl Completer for ReplHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        let start = line[..pos].rfind(is_delimiter).map_or(0, |i| i + 1);
        let prefix = &line[start..pos];
        if prefix.is_empty() {
            return Ok((pos, Vec::new()));
        }
        let found = self
            .names
            .iter()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect();
        Ok((start, found))
    }
}

impl Hinter for ReplHelper {
    type Hint = String;
}

impl Highlighter for ReplHelper {}

impl Validator for ReplHelper {}

impl Helper for ReplHelper {}

/// The history file: `$SIGIL_HISTORY`, else `~/.sigil_history`.
fn history_path() -> Option<PathBuf> {
    match std::env::var_os("SIGIL_HISTORY") {
        Some(p) if !p.is_empty() => Some(PathBuf::from(p)),
        _ => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".sigil_history")),
    }
}

/// Makes Ctrl-C interrupt the running evaluation; a second Ctrl-C before the evaluation
/// has noticed the first exits.
pub(crate) fn install_interrupt_handler(interp: &Interpreter) {
    let flag = interp.interrupt_flag();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// Standard output that remembers whether what was written last ended a line.
struct Stdout {
    at_line_start: Rc<Cell<bool>>,
}

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = std::io::stdout().write(buf)?;
        if n > 0 {
            self.at_line_start.set(buf[n - 1] == b'\n');
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stdout().flush()
    }
}

/// The REPL's side of standard output: the interpreter writes through a [`Stdout`].
struct Output {
    at_line_start: Rc<Cell<bool>>,
}

impl Output {
    /// Routes the interpreter's standard output through a tracking [`Stdout`].
    fn install(interp: &mut Interpreter) -> Output {
        let at_line_start = Rc::new(Cell::new(true));
        interp.set_output(Box::new(Stdout {
            at_line_start: at_line_start.clone(),
        }));
        Output { at_line_start }
    }

    /// Ends the program's unfinished output line, if any, so what follows starts a line.
    fn fresh_line(&self, interp: &mut Interpreter) {
        interp.flush();
        if !self.at_line_start.get() {
            println!();
            self.at_line_start.set(true);
        }
    }

    /// Prints a line of the REPL's own (a value) on a fresh line.
    fn line(&self, interp: &mut Interpreter, text: &str) {
        self.fresh_line(interp);
        println!("{text}");
    }
}

/// What lasts from one input of the session to the next, besides the interpreter.
struct Session {
    /// Whether standard input is a terminal (prompts, and errors do not end the session).
    interactive: bool,
    /// Whether `#!fold-case` is in force: a directive lasts until the next one.
    fold_case: bool,
}

/// How evaluating some input ended.
enum Evaluated {
    /// Every datum succeeded.
    Ok,
    /// One failed (the error is reported).
    Failed,
    /// The program called `exit` with this status.
    Exit(i32),
}

/// Evaluates every datum of `src`, printing each value; stops at the first error and
/// reports it (on a fresh line when the session is interactive), or at `exit`.
fn eval_and_print(
    interp: &mut Interpreter,
    out: &Output,
    src: &str,
    session: &mut Session,
) -> Evaluated {
    let error = match interp.read_input(src, SOURCE_NAME, &mut session.fold_case) {
        Ok(forms) => forms.iter().find_map(|form| {
            interp.interrupt_flag().store(false, Ordering::SeqCst);
            let r = interp.eval_toplevel(form);
            interp.interrupt_flag().store(false, Ordering::SeqCst);
            match r {
                Ok(Value::Unspecified) => None,
                Ok(v) => {
                    let text = interp.write(v);
                    out.line(interp, &text);
                    None
                }
                Err(e) => Some(e),
            }
        }),
        Err(e) => Some(e),
    };
    let Some(e) = error else {
        interp.flush();
        return Evaluated::Ok;
    };
    if let Some(code) = e.exit {
        interp.flush();
        return Evaluated::Exit(code);
    }
    if session.interactive {
        out.fresh_line(interp);
    }
    sigil::report::print(interp, &e);
    Evaluated::Failed
}

/// Runs the REPL until end of input or `,quit`.
pub fn run(interp: &mut Interpreter) -> ExitCode {
    let interactive = std::io::stdin().is_terminal();
    let mut session = Session {
        interactive,
        fold_case: false,
    };
    let config = Config::builder()
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .build();
    let mut rl: Editor<ReplHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            eprintln!("error: cannot start the line editor: {e}");
            return ExitCode::from(1);
        }
    };
    rl.set_helper(Some(ReplHelper { names: Vec::new() }));
    let history = if interactive { history_path() } else { None };
    if let Some(path) = &history {
        let _ = rl.load_history(path);
    }
    install_interrupt_handler(interp);
    let out = Output::install(interp);
    if interactive {
        println!(
            "Sigil {} (,help for help, Ctrl-D to leave)",
            env!("CARGO_PKG_VERSION")
        );
    }

    let mut input = String::new();
    loop {
        if interactive {
            if let Some(helper) = rl.helper_mut() {
                helper.refresh(interp);
            }
        }
        let prompt = if input.is_empty() {
            PROMPT
        } else {
            CONTINUATION
        };
        if interactive {
            out.fresh_line(interp);
        }
        match rl.readline(prompt) {
            Ok(line) => {
                if input.is_empty() && line.trim_start().starts_with(',') {
                    match line.trim() {
                        ",quit" | ",q" => break,
                        ",help" | ",h" => out.line(interp, HELP),
                        other => {
                            eprintln!("error: unknown REPL command {other} (try ,help)");
                            if !interactive {
                                return ExitCode::from(1);
                            }
                        }
                    }
                    continue;
                }
                input.push_str(&line);
                input.push('\n');
                if is_incomplete(&input) {
                    continue;
                }
                let src = std::mem::take(&mut input);
                if let Some(path) = &history {
                    if !src.trim().is_empty() {
                        let _ = rl.add_history_entry(src.trim_end());
                        let _ = rl.save_history(path);
                    }
                }
                match eval_and_print(interp, &out, &src, &mut session) {
                    Evaluated::Exit(code) => return sigil::cli::exit_status(code),
                    Evaluated::Failed if !interactive => return ExitCode::from(1),
                    _ => {}
                }
            }
            Err(ReadlineError::Interrupted) => input.clear(),
            Err(ReadlineError::Eof) => {
                // Report what is wrong with unfinished input rather than drop it silently.
                if !input.trim().is_empty() {
                    match eval_and_print(interp, &out, &input, &mut session) {
                        Evaluated::Exit(code) => return sigil::cli::exit_status(code),
                        Evaluated::Failed if !interactive => return ExitCode::from(1),
                        _ => {}
                    }
                }
                break;
            }
            Err(e) => {
                eprintln!("error: reading input: {e}");
                return ExitCode::from(1);
            }
        }
    }
    interp.flush();
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::is_incomplete;

    #[test]
    fn unfinished_input_is_told_from_errors() {
        for src in [
            "(+ 1", "\"abc", "#| c", "'", "#;", "(a . ", "|sym", "#(1", "#\\",
        ] {
            assert!(is_incomplete(src), "{src}");
        }
        for src in [
            "(+ 1 2)",
            ")",
            "(foo))",
            "#foo",
            "1/3",
            "(a . b c)",
            "",
            "; c",
        ] {
            assert!(!is_incomplete(src), "{src}");
        }
    }
}
