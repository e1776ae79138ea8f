//! Runs the `sigil-demo` binary on each example and checks its output. The demo binds
//! port 8080, so every run holds `sigil_testserver::lock_port_8080` (the golden websocket
//! tests take the same lock).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the demo from the repository root with `args`, holding the port lock.
fn demo(args: &[&str]) -> Output {
    let _lock = sigil_testserver::lock_port_8080().expect("lock port 8080");
    Command::new(env!("CARGO_BIN_EXE_sigil-demo"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("run sigil-demo")
}

fn check(args: &[&str], expected_stdout: &str) {
    let out = demo(args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "sigil-demo {args:?} failed ({}):\n{stderr}",
        out.status
    );
    assert_eq!(stdout, expected_stdout, "stdout of sigil-demo {args:?}");
}

#[test]
fn echo_client() {
    check(&["examples/echo-client.sgl"], "Hello!\n");
}

#[test]
fn default_script_is_the_echo_client() {
    check(&[], "Hello!\n");
}

#[test]
fn json_exchange() {
    check(&["examples/json-exchange.sgl"], "subscribed\n");
}

#[test]
fn reconnect() {
    check(
        &["examples/reconnect.sgl"],
        "Retry 1...\nRetry 2...\n\
         Connected: #<ws-connection ws://localhost:8080/flaky/demo/2>\n\
         Hello again!\n",
    );
}

#[test]
fn hello() {
    check(
        &["examples/hello.sgl"],
        "Hello, world!\nSquares of 1..5: (1 4 9 16 25)\nTheir sum is 55.\n",
    );
}

#[test]
fn arguments_after_the_script_go_to_the_script() {
    check(
        &["examples/hello.sgl", "Bob"],
        "Hello, Bob!\nSquares of 1..5: (1 4 9 16 25)\nTheir sum is 55.\n",
    );
    check(
        &["-e", "(command-line)", "x", "y"],
        "(\"-e\" \"x\" \"y\")\n",
    );
}

/// Runs the demo with `args`, checks that it exits with `code`; its stderr.
fn fails(args: &[&str], code: i32) -> String {
    let out = demo(args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "stderr:\n{stderr}");
    stderr
}

#[test]
fn usage_errors_exit_2() {
    let stderr = fails(&["--frobnicate"], 2);
    assert!(stderr.contains("usage: sigil-demo"), "stderr:\n{stderr}");
}

#[test]
fn errors_are_reported_with_status_1() {
    let stderr = fails(&["examples/no-such-file.sgl"], 1);
    assert!(stderr.starts_with("error: "), "stderr:\n{stderr}");
    assert!(stderr.contains("no-such-file.sgl"), "stderr:\n{stderr}");
}
