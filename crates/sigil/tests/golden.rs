//! Golden tests: every `scheme-tests/**/*.sgl` file is run with the `sigil` binary and its
//! output compared with the files next to it.
//!
//! For a test `dir/NAME.sgl`:
//! - `NAME.out`: stdout must equal this file exactly;
//! - `NAME.err`: the exit status must be non-zero and stderr must contain every non-empty
//!   line of this file (each line is a fragment, not a whole line);
//! - `NAME.args` (optional): command-line arguments passed after the file, one per line;
//! - `NAME.in` (optional): fed to the program's standard input.
//!
//! A test with neither `.out` nor `.err` is an error. A `.sgl` file whose first form is
//! `(define-library ...)` is a library imported by tests (for example
//! `libraries/mylib/util.sgl`), not a test. The program runs with the test's
//! directory as its working directory (so it is invoked as `sigil NAME.sgl`, and error
//! positions read `NAME.sgl:LINE:COL`), and is killed after [`TIMEOUT`]. Tests under
//! `websocket/` get a WebSocket server on 127.0.0.1:8080 (see "websocket server" below).

use libtest_mimic::{Arguments, Failed, Trial};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one test may run before it is killed and fails.
const TIMEOUT: Duration = Duration::from_secs(20);

/// How much of a program's stdout or stderr is kept.
const MAX_CAPTURE: usize = 4 << 20;

/// How much of a text a failure message shows.
const MAX_SHOWN: usize = 4000;

/// `text`, cut to its first [`MAX_SHOWN`] bytes (at a character boundary).
fn shorten(text: &str) -> String {
    if text.len() <= MAX_SHOWN {
        return text.to_string();
    }
    let mut end = MAX_SHOWN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n... ({} more bytes)\n", &text[..end], text.len() - end)
}

fn tests_root() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../scheme-tests"))
}

/// Every test file under `dir`, recursively, in a stable order: each `.sgl` file except
/// library sources (imported by tests, see [`is_library_source`]).
fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "sgl") && !is_library_source(&p) {
            out.push(p);
        }
    }
}

/// A library source: its first form (after blank lines and `;` comments) is
/// `(define-library ...)`.
fn is_library_source(p: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(p) else {
        return false;
    };
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with(';'))
        .is_some_and(|l| l.starts_with("(define-library"))
}

fn read_opt(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

struct Output {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary on `file` (in its directory) with a timeout, adding `env` to its
/// environment.
fn run_sigil(
    file: &Path,
    args: &[String],
    stdin: Option<String>,
    env: &[(String, String)],
) -> Result<Output, String> {
    let dir = file.parent().ok_or("test file has no directory")?;
    let name = file.file_name().ok_or("test file has no name")?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigil"))
        .arg(name)
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start sigil: {e}"))?;
    let writer = match (stdin, child.stdin.take()) {
        (Some(text), Some(mut pipe)) => Some(std::thread::spawn(move || {
            // The program may exit without reading everything: ignore broken pipes.
            let _ = pipe.write_all(text.as_bytes());
        })),
        _ => None,
    };
    let reader = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            // Keep at most MAX_CAPTURE bytes (a runaway program may print forever) but
            // drain the pipe so the program never blocks on it.
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let mut chunk = [0u8; 8192];
                while let Ok(n) = p.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    let room = MAX_CAPTURE.saturating_sub(buf.len());
                    buf.extend_from_slice(&chunk[..n.min(room)]);
                }
            }
            String::from_utf8_lossy(&buf).into_owned()
        })
    };
    let out = reader(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let err = reader(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                let stdout = out.join().unwrap_or_default();
                return Err(format!(
                    "timed out after {}s; stdout so far:\n{}",
                    TIMEOUT.as_secs(),
                    shorten(&stdout)
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("waiting for sigil: {e}")),
        }
    };
    if let Some(w) = writer {
        let _ = w.join();
    }
    Ok(Output {
        status: status.code(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// A line diff of `expected` and `actual` (longest common subsequence), `-` for expected
/// lines that are missing and `+` for unexpected ones.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.split_inclusive('\n').collect();
    let b: Vec<&str> = actual.split_inclusive('\n').collect();
    if a.len() * b.len() > 4_000_000 {
        return format!("--- expected\n{expected}\n+++ actual\n{actual}");
    }
    // lcs[i][j]: length of the LCS of a[i..] and b[j..]
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let show = |l: &str| {
        if l.ends_with('\n') {
            l.to_string()
        } else {
            format!("{l}⏎ (no newline at end)\n")
        }
    };
    let mut s = String::from("--- expected\n+++ actual\n");
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            s.push_str(&format!("  {}", show(a[i])));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            s.push_str(&format!("+ {}", show(b[j])));
            j += 1;
        } else {
            s.push_str(&format!("- {}", show(a[i])));
            i += 1;
        }
    }
    s
}

fn run_test(file: &Path, rel: &str) -> Result<(), Failed> {
    let env = if rel.starts_with("websocket/") {
        start_websocket_server()?
    } else {
        Vec::new()
    };
    let stem = file.with_extension("");
    let with = |ext: &str| PathBuf::from(format!("{}.{ext}", stem.display()));
    let expected_out = read_opt(&with("out"));
    let expected_err = read_opt(&with("err"));
    if expected_out.is_none() && expected_err.is_none() {
        return Err(format!("{rel}: neither a .out nor a .err file next to the test").into());
    }
    let args: Vec<String> = read_opt(&with("args"))
        .map(|s| s.lines().map(str::to_string).collect())
        .unwrap_or_default();
    let stdin = read_opt(&with("in"));
    let out = run_sigil(file, &args, stdin, &env)?;
    let mut problems = Vec::new();
    if let Some(exp) = &expected_out {
        if *exp != out.stdout {
            problems.push(format!(
                "stdout differs:\n{}",
                shorten(&diff(exp, &out.stdout))
            ));
        }
    }
    match &expected_err {
        Some(exp) => {
            if out.status == Some(0) {
                problems.push("expected a non-zero exit status, got 0".to_string());
            }
            for frag in exp.lines().filter(|l| !l.trim().is_empty()) {
                if !out.stderr.contains(frag) {
                    problems.push(format!("stderr lacks {frag:?}"));
                }
            }
        }
        None => {
            if out.status != Some(0) {
                problems.push(format!("exit status {:?}, expected 0", out.status));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n--- stderr:\n{}",
            problems.join("\n"),
            shorten(out.stderr.trim_end())
        )
        .into())
    }
}

// ---- websocket server ------------------------------------------------------------------
//
// Tests under `scheme-tests/websocket/` talk to a real server: the first such test that runs
// starts `sigil-testserver` in this process (through its library) on 127.0.0.1:8080, plus a
// `wss://` listener on a free port whose certificate, signed by a fresh test CA, is valid for
// `example.com`. The CA goes to a temporary file. Every websocket test then runs with
// `SSL_CERT_FILE=<that file>` and `SIGIL_RESOLVE=example.com:443=127.0.0.1:<tls port>`, so
// `wss://example.com/...` reaches the local TLS listener with a verified certificate. `main`
// stops the server once every test has run; nothing happens when no websocket test is
// selected.
//
// Port 8080 is fixed (the API document's snippets use it), so the server is taken under
// `sigil_testserver::lock_port_8080`, which other harnesses binding 8080 (crates/sigil-demo's
// tests) take too. `ws://localhost:8080` works with the IPv4 listener alone: sigil-ws tries
// every address `localhost` resolves to, so a refused `[::1]:8080` falls through to
// 127.0.0.1. (A second `Running` on ::1 would have its own state, splitting the
// attempt counters of `/flaky/...`.)

/// The in-process server and what the websocket tests need to reach it.
struct WebsocketServer {
    running: Option<sigil_testserver::Running>,
    ca_file: std::path::PathBuf,
    /// Environment variables set for every websocket test.
    env: Vec<(String, String)>,
    _lock: sigil_testserver::PortLock,
}

impl Drop for WebsocketServer {
    fn drop(&mut self) {
        // Stop listening before the port lock (dropped after this) is released.
        drop(self.running.take());
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

static WEBSOCKET_SERVER: Mutex<Option<Result<WebsocketServer, String>>> = Mutex::new(None);

/// Starts the server if needed and returns the environment the websocket tests run with.
fn start_websocket_server() -> Result<Vec<(String, String)>, String> {
    let mut guard = WEBSOCKET_SERVER.lock().unwrap_or_else(|e| e.into_inner());
    if guard.is_none() {
        *guard = Some(spawn_websocket_server());
    }
    match guard.as_ref() {
        Some(Ok(server)) => Ok(server.env.clone()),
        Some(Err(e)) => Err(e.clone()),
        None => Err("websocket server not started".into()),
    }
}

fn spawn_websocket_server() -> Result<WebsocketServer, String> {
    let port = sigil_testserver::DEMO_PORT;
    let lock = sigil_testserver::lock_port_8080()
        .map_err(|e| format!("cannot lock port {port} for the websocket tests: {e}"))?;
    let ca_file = std::env::temp_dir().join(format!("sigil-golden-ca-{}.pem", std::process::id()));
    let config = sigil_testserver::Config {
        bind: std::net::Ipv4Addr::LOCALHOST.into(),
        port,
        tls_port: Some(0),
        ca_out: Some(ca_file.clone()),
        ..sigil_testserver::Config::default()
    };
    let running = sigil_testserver::start(config).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            format!(
                "cannot start the websocket test server: 127.0.0.1:{port} is already in use by \
                 another program ({e}); the tests under websocket/ need that port free"
            )
        } else {
            format!("cannot start the websocket test server on 127.0.0.1:{port}: {e}")
        }
    })?;
    let tls_port = running
        .tls_port()
        .ok_or("the websocket test server has no TLS listener")?;
    let env = vec![
        ("SSL_CERT_FILE".to_string(), ca_file.display().to_string()),
        (
            "SIGIL_RESOLVE".to_string(),
            format!("example.com:443=127.0.0.1:{tls_port}"),
        ),
    ];
    Ok(WebsocketServer {
        running: Some(running),
        ca_file,
        env,
        _lock: lock,
    })
}

fn stop_websocket_server() {
    let mut guard = WEBSOCKET_SERVER.lock().unwrap_or_else(|e| e.into_inner());
    drop(guard.take());
}

fn main() {
    let args = Arguments::from_args();
    let root = tests_root();
    let mut files = Vec::new();
    collect(&root, &mut files);
    let trials = files
        .into_iter()
        .map(|file| {
            let rel = file
                .strip_prefix(&root)
                .unwrap_or(&file)
                .to_string_lossy()
                .replace('\\', "/");
            let name = rel.clone();
            Trial::test(name, move || run_test(&file, &rel))
        })
        .collect();
    let conclusion = libtest_mimic::run(&args, trials);
    stop_websocket_server();
    conclusion.exit();
}
