//! The WebSocket examples under `examples/` without a server: each says why it failed
//! (its `ws-last-error`) and exits with status 1. `SIGIL_RESOLVE` sends
//! `localhost:8080` to a port where nothing listens, whatever runs on 8080. With the
//! server they are tested by crates/sigil-demo/tests/demo.rs.

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
