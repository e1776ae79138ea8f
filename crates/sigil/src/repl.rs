//! The interactive read-eval-print loop, on `rustyline`.
//!
//! Input is read line by line until it holds complete data (prompt `sigil> `, then
//! `  ...> `), each datum is evaluated and its value printed with `write`. Ctrl-C at a
//! prompt abandons the input; during evaluation it interrupts the evaluation (a second
//! Ctrl-C before the evaluation notices quits). Ctrl-D leaves.

use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};
use sigil_lang::read::reader::read_all;
use sigil_lang::read::syntax::Span;
use sigil_lang::{Interpreter, SchemeError, Value};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
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

/// Read-error messages that mean "the datum is not finished yet" rather than "wrong".
const INCOMPLETE: &[&str] = &[
    "EOF while parsing",
    "unbalanced parenthesis",
    "unterminated string",
    "unterminated block comment",
    "datum comment without a datum",
];

/// Whether `src` stops in the middle of a datum, so more lines should be read.
fn is_incomplete(src: &str) -> bool {
    match read_all(src, Span::register_file(SOURCE_NAME)) {
        Ok(_) => false,
        Err(e) => INCOMPLETE.iter().any(|m| e.message.contains(m)),
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
            sigil_lang::compile::expand::SPECIAL_FORMS
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
fn install_interrupt_handler(interp: &Interpreter) {
    let flag = interp.vm.interrupt.clone();
    let _ = ctrlc::set_handler(move || {
        if flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}

/// Evaluates every datum of `src`, printing each value; stops at the first error.
fn eval_and_print(interp: &mut Interpreter, src: &str) {
    let forms = match read_all(src, Span::register_file(SOURCE_NAME)) {
        Ok(forms) => forms,
        Err(e) => return sigil::report::print(interp, &SchemeError::from(e)),
    };
    for form in &forms {
        interp.vm.interrupt.store(false, Ordering::SeqCst);
        let r = interp.eval_toplevel(form);
        interp.vm.interrupt.store(false, Ordering::SeqCst);
        match r {
            Ok(v) => {
                interp.vm.flush();
                if !matches!(v, Value::Unspecified) {
                    println!("{}", interp.write(v));
                }
            }
            Err(e) => return sigil::report::print(interp, &e),
        }
    }
}

/// Runs the REPL until end of input or `,quit`.
pub fn run(interp: &mut Interpreter) -> ExitCode {
    let interactive = std::io::stdin().is_terminal();
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
        match rl.readline(prompt) {
            Ok(line) => {
                if input.is_empty() && line.trim_start().starts_with(',') {
                    match line.trim() {
                        ",quit" | ",q" => break,
                        ",help" | ",h" => println!("{HELP}"),
                        other => eprintln!("error: unknown REPL command {other} (try ,help)"),
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
                eval_and_print(interp, &src);
            }
            Err(ReadlineError::Interrupted) => input.clear(),
            Err(ReadlineError::Eof) => {
                // Report what is wrong with unfinished input rather than drop it silently.
                if !input.trim().is_empty() {
                    eval_and_print(interp, &input);
                }
                break;
            }
            Err(e) => {
                eprintln!("error: reading input: {e}");
                return ExitCode::from(1);
            }
        }
    }
    interp.vm.flush();
    ExitCode::SUCCESS
}
