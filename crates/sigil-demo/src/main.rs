//! `sigil-demo`: the README's one-command demo. It starts the WebSocket test server
//! (crates/sigil-testserver) in this process on 127.0.0.1:8080, so `ws://localhost:8080/...`
//! works without a network, then runs a Sigil program against it with
//! [`sigil::interpreter`]. The command line is `sigil`'s (see [`sigil::cli`]): a script and
//! the arguments passed to it (`(command-line)`), `-e EXPR`, `-`, and the options `-I` and
//! `--max-depth`; without a program it runs `examples/echo-client.sgl`. An error is
//! reported as `sigil` reports it, with status 1; a usage error or a busy port gives 2.
//!
//! `ws://localhost:8080` needs no IPv6 listener: sigil-ws tries every address `localhost`
//! resolves to, so a refused `[::1]:8080` falls through to 127.0.0.1.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use sigil::cli::{self, Mode, Program};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The script run when no program is given.
const DEFAULT_SCRIPT: &str = "examples/echo-client.sgl";

const USAGE: &str = "\
usage: sigil-demo [OPTIONS] [SCRIPT.sgl [ARGS...]]

Starts a WebSocket echo server on 127.0.0.1:8080 (routes /echo, /socket, /api,
/flaky/<id>/<n>, ... of crates/sigil-testserver) and runs the script against it, passing
it ARGS as `sigil` does. Without a script it runs examples/echo-client.sgl.
The options, -e EXPR and - are those of `sigil` (see sigil --help).
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match cli::parse(&args) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("sigil-demo: {msg}\n");
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let mut interp = opts.interpreter();
    let program = match opts.mode {
        Mode::Help => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Mode::Version => {
            println!("sigil-demo {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Mode::Run(program) => program,
        Mode::Repl => {
            let script = default_script();
            interp.set_command_line(vec![script.display().to_string()]);
            Program::Script(script)
        }
    };

    let port = sigil_testserver::DEMO_PORT;
    let config = sigil_testserver::Config {
        port,
        ..sigil_testserver::Config::default()
    };
    let _server = match sigil_testserver::start(config) {
        Ok(server) => server,
        Err(e) => {
            let hint = if e.kind() == std::io::ErrorKind::AddrInUse {
                format!(" (is another program using port {port}? stop it and try again)")
            } else {
                String::new()
            };
            eprintln!("sigil-demo: cannot start the echo server on 127.0.0.1:{port}: {e}{hint}");
            return ExitCode::from(2);
        }
    };
    cli::run(&mut interp, &program)
}

/// `examples/echo-client.sgl` relative to the working directory (the repository root, as
/// in the README), or else in this source tree.
fn default_script() -> PathBuf {
    let here = PathBuf::from(DEFAULT_SCRIPT);
    if here.exists() {
        return here;
    }
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(DEFAULT_SCRIPT);
    if in_tree.exists() {
        in_tree
    } else {
        here
    }
}
