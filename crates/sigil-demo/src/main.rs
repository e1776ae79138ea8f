//! `sigil-demo`: the README's one-command demo. It starts the WebSocket test server
//! (crates/sigil-testserver) in this process on 127.0.0.1:8080, so `ws://localhost:8080/...`
//! works without a network, then runs each Sigil script given as an argument (default
//! `examples/echo-client.sgl`) with [`sigil::interpreter`], in order, each in a fresh
//! interpreter. An error is reported as the `sigil` command reports it and ends the run
//! with status 1; otherwise the status is 0 (or whatever a script passes to `exit`).
//!
//! `ws://localhost:8080` needs no IPv6 listener: sigil-ws tries every address `localhost`
//! resolves to, so a refused `[::1]:8080` falls through to 127.0.0.1.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The script run when no argument is given.
const DEFAULT_SCRIPT: &str = "examples/echo-client.sgl";

const USAGE: &str = "usage: sigil-demo [SCRIPT.sgl ...]

Starts a WebSocket echo server on 127.0.0.1:8080 (routes /echo, /socket, /api,
/flaky/<id>/<n>, ... of crates/sigil-testserver) and runs each script against it.
Without arguments it runs examples/echo-client.sgl.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let scripts: Vec<PathBuf> = if args.is_empty() {
        vec![default_script()]
    } else {
        args.iter().map(PathBuf::from).collect()
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

    for script in &scripts {
        let mut interp = sigil::interpreter();
        interp.set_command_line(vec![script.display().to_string()]);
        let result = interp.eval_file(script);
        interp.vm.flush();
        let _ = std::io::stdout().flush();
        if let Err(e) = result {
            sigil::report::print(&mut interp, &e);
            return ExitCode::from(1);
        }
    }
    ExitCode::SUCCESS
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
