//! The WebSocket examples under `examples/` without a server: the clients each say why
//! they failed (their `ws-last-error`) and exit with status 1 (`SIGIL_RESOLVE` sends
//! `localhost:8080` to a port where nothing listens, whatever runs on 8080; with the
//! server they are tested by crates/sigil-demo/tests/demo.rs), and the script that
//! serves itself runs to its end. The server examples are tested by
//! crates/sigil/tests/server.rs.

use std::path::Path;
use std::process::Command;

/// Runs `examples/NAME` with no server; (exit code, stdout, stderr).
fn run_without_server(name: &str) -> (Option<i32>, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_sigil"))
        .arg(Path::new("examples").join(name))
        .current_dir(root)
        .env("SIGIL_RESOLVE", "localhost:8080=127.0.0.1:1")
        .output()
        .expect("run sigil");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn check(name: &str, stdout: &str, first_error_line: &str) {
    let (code, out, err) = run_without_server(name);
    assert_eq!(code, Some(1), "{name}: {err}");
    assert_eq!(out, stdout, "{name}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with(&format!("error: examples/{name}:")) && first.ends_with(first_error_line),
        "{name}: {err}"
    );
}

#[test]
fn echo_client() {
    check(
        "echo-client.sgl",
        "",
        "cannot connect to ws://localhost:8080/echo: \"connection refused by 127.0.0.1:1\"",
    );
}

#[test]
fn json_exchange() {
    check(
        "json-exchange.sgl",
        "",
        "cannot connect to ws://localhost:8080/api: \"connection refused by 127.0.0.1:1\"",
    );
}

#[test]
fn reconnect() {
    check(
        "reconnect.sgl",
        "Retry 1...\nRetry 2...\n",
        "gave up after 3 attempts: \"connection refused by 127.0.0.1:1\"",
    );
}

/// The README's run command: a Sigil server and a Sigil client in one script, no other
/// server needed (the README shows this output).
#[test]
fn echo_exchange_needs_nothing_else() {
    let (code, out, err) = run_without_server("echo-exchange.sgl");
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out,
        "server got: Hello!\nclient got: Hello!\nclosed with code 1000\n"
    );
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    assert!(readme.contains("cargo run --release -p sigil -- examples/echo-exchange.sgl"));
    assert!(
        readme.contains(&format!("```text\n{out}```")),
        "README shows the output"
    );
}
