//! The command line shared by `sigil` and `sigil-demo`: what to run, with which options,
//! and running it.

use sigil_lang::{Interpreter, SchemeError, Value};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

/// The usage text printed by `--help` (and, on stderr, after a usage error).
pub const USAGE: &str = "\
Sigil, a small Scheme dialect.

Usage:
  sigil [OPTIONS] FILE.sgl [ARGS...]   run a script; (command-line) is (\"FILE.sgl\" ARGS...)
  sigil [OPTIONS] -e EXPR [ARGS...]    evaluate EXPR and print the last value (with `write`)
  sigil [OPTIONS] - [ARGS...]          read the program from standard input and run it
  sigil [OPTIONS] [--repl]             start the interactive REPL (the default)
  sigil --ws URL [WS-OPTIONS]          interactive WebSocket client: prints what the
                                       server sends, sends each line typed
                                       (sigil --ws --help lists its options)

Options:
  -e, --eval EXPR      evaluate the expression(s) EXPR, print the last value
  -I, --include DIR    also search DIR for user libraries (repeatable)
      --max-depth N    allow N nested (non-tail) calls before \"recursion too deep\"
                       (default 1000000; also SIGIL_MAX_DEPTH)
      --repl           start the REPL
      --ws URL         talk to a WebSocket server (see above; the rest of the command
                       line is its options)
  -                    read the program from standard input
  --                   end of options: the next argument is the script
  -h, --help           print this help and exit
  -V, --version        print the version and exit

Environment:
  SIGIL_PATH       library search path (directories separated by `:`), searched after
                   the script's own directory
  SIGIL_HISTORY    REPL history file (default: ~/.sigil_history)
  SIGIL_MAX_DEPTH  default for --max-depth
  SIGIL_RESOLVE    (sigil websocket) connect HOST:PORT to a fixed address, like curl
                   --resolve: example.com:443=127.0.0.1:8443,other:80=[::1]:9000
  SSL_CERT_FILE    (sigil websocket) PEM file of extra trusted root certificates for
                   wss:// (in addition to the built-in Mozilla roots)
  https_proxy, http_proxy, all_proxy, no_proxy
                   (sigil websocket) the proxy for wss:// and ws:// URLs (http:// or
                   socks5h://), and the hosts reached directly, as curl reads them

Exit status:
  0 success, 1 a Scheme, read or file error, 2 a usage error.
  (exit N) in a program exits with N.
";

/// What to run.
#[derive(Debug, PartialEq, Eq)]
pub enum Mode {
    /// Run a program.
    Run(Program),
    /// Start the REPL.
    Repl,
    /// Print the usage text.
    Help,
    /// Print the version.
    Version,
}

/// A program to run.
#[derive(Debug, PartialEq, Eq)]
pub enum Program {
    /// A script file.
    Script(PathBuf),
    /// Expressions given on the command line.
    Expr(String),
    /// A program read from standard input.
    Stdin,
    /// The interactive WebSocket client of `(sigil websocket cli)`, given the arguments
    /// after `--ws`.
    WsClient,
}

/// The program `--ws` runs: the client of `(sigil websocket cli)` on the arguments.
const WS_CLIENT: &str = "(import (sigil websocket cli)) (exit (ws-cli (cdr (command-line))))";

/// A parsed command line.
#[derive(Debug, PartialEq, Eq)]
pub struct Options {
    /// What to run.
    pub mode: Mode,
    /// Extra library directories from `-I`.
    pub include: Vec<PathBuf>,
    /// Nested-call limit from `--max-depth`.
    pub max_depth: Option<usize>,
    /// What `(command-line)` returns.
    pub command_line: Vec<String>,
}

/// Parses the arguments after the program name; `Err` holds a usage error message.
pub fn parse(args: &[String]) -> Result<Options, String> {
    let mut include = Vec::new();
    let mut max_depth = None;
    let mut i = 0;
    let (mode, first, rest) = loop {
        let Some(arg) = args.get(i) else {
            break (Mode::Repl, "sigil", &args[i..]);
        };
        match arg.as_str() {
            "-h" | "--help" => break (Mode::Help, "sigil", &[][..]),
            "-V" | "--version" => break (Mode::Version, "sigil", &[][..]),
            "-I" | "--include" => {
                let dir = args
                    .get(i + 1)
                    .ok_or_else(|| format!("{arg} needs a directory"))?;
                include.push(PathBuf::from(dir));
                i += 2;
            }
            "--max-depth" => {
                let n = args
                    .get(i + 1)
                    .and_then(|n| n.parse::<usize>().ok())
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("{arg} needs a positive number"))?;
                max_depth = Some(n);
                i += 2;
            }
            "-e" | "--eval" => {
                let expr = args
                    .get(i + 1)
                    .ok_or_else(|| format!("{arg} needs an expression"))?;
                break (Mode::Run(Program::Expr(expr.clone())), "-e", &args[i + 2..]);
            }
            "--repl" if i + 1 == args.len() => break (Mode::Repl, "sigil", &[][..]),
            "--repl" => return Err("--repl takes no arguments".into()),
            "-" => break (Mode::Run(Program::Stdin), "-", &args[i + 1..]),
            "--ws" => break (Mode::Run(Program::WsClient), "--ws", &args[i + 1..]),
            "--" => {
                let file = args.get(i + 1).ok_or("-- must be followed by a script")?;
                break (
                    Mode::Run(Program::Script(file.into())),
                    file.as_str(),
                    &args[i + 2..],
                );
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            file => {
                break (
                    Mode::Run(Program::Script(file.into())),
                    file,
                    &args[i + 1..],
                )
            }
        }
    };
    let mut command_line = vec![first.to_string()];
    command_line.extend_from_slice(rest);
    Ok(Options {
        mode,
        include,
        max_depth,
        command_line,
    })
}

impl Options {
    /// An interpreter with every native library (see [`crate::interpreter`]), set up as
    /// the options say: library directories, recursion limit, `(command-line)`.
    pub fn interpreter(&self) -> Interpreter {
        let mut interp = crate::interpreter();
        for dir in &self.include {
            interp.add_search_path(dir);
        }
        if let Some(n) = self.max_depth {
            interp.set_max_depth(n);
        }
        interp.set_command_line(self.command_line.clone());
        interp
    }
}

/// Runs `program`, reports an error on standard error (see [`crate::report`]) and returns
/// the exit status: 0, or 1 after an error. `-e` prints the last value with `write`.
pub fn run(interp: &mut Interpreter, program: &Program) -> ExitCode {
    let result = match program {
        Program::Script(path) => interp.eval_file(path),
        Program::Expr(src) => interp.eval_source(src, "<-e>"),
        Program::WsClient => interp.eval_source(WS_CLIENT, "<ws>"),
        Program::Stdin => {
            let mut src = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut src) {
                eprintln!("error: cannot read standard input: {e}");
                return ExitCode::from(1);
            }
            interp.eval_source(&src, "<stdin>")
        }
    };
    finish(interp, result, matches!(program, Program::Expr(_)))
}

/// Reports the outcome of a run and turns it into the exit status; with `print_value` the
/// final value is written to standard output.
fn finish(interp: &mut Interpreter, r: Result<Value, SchemeError>, print_value: bool) -> ExitCode {
    match r {
        Ok(v) => {
            interp.flush();
            if print_value && !matches!(v, Value::Unspecified) {
                println!("{}", interp.write(v));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            crate::report::print(interp, &e);
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Options, String> {
        parse(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn modes() {
        assert_eq!(p(&[]).unwrap().mode, Mode::Repl);
        assert_eq!(p(&["--repl"]).unwrap().mode, Mode::Repl);
        assert_eq!(p(&["-V"]).unwrap().mode, Mode::Version);
        assert_eq!(p(&["--help"]).unwrap().mode, Mode::Help);
        let o = p(&["-I", "lib", "a.sgl", "x", "-e"]).unwrap();
        assert_eq!(o.mode, Mode::Run(Program::Script("a.sgl".into())));
        assert_eq!(o.include, vec![PathBuf::from("lib")]);
        assert_eq!(
            p(&["--max-depth", "500", "a.sgl"]).unwrap().max_depth,
            Some(500)
        );
        assert!(p(&["--max-depth", "x"]).is_err());
        assert_eq!(o.command_line, ["a.sgl", "x", "-e"]);
        let o = p(&["-e", "(+ 1 2)", "y"]).unwrap();
        assert_eq!(o.mode, Mode::Run(Program::Expr("(+ 1 2)".into())));
        assert_eq!(o.command_line, ["-e", "y"]);
        assert_eq!(p(&["-", "z"]).unwrap().command_line, ["-", "z"]);
        let o = p(&["--ws", "ws://h/", "-H", "X: y"]).unwrap();
        assert_eq!(o.mode, Mode::Run(Program::WsClient));
        assert_eq!(o.command_line, ["--ws", "ws://h/", "-H", "X: y"]);
        assert_eq!(
            p(&["--", "-f"]).unwrap().mode,
            Mode::Run(Program::Script("-f".into()))
        );
    }

    #[test]
    fn usage_errors() {
        assert!(p(&["--bogus"]).is_err());
        assert!(p(&["-e"]).is_err());
        assert!(p(&["--repl", "x"]).is_err());
    }
}
