//! `sigil --ws URL`, the interactive WebSocket client (issue 9, part 5), driven through
//! pipes against `sigil-testserver`: lines typed are sent while messages that arrive are
//! printed, the end of input closes, a server's close ends it, options become
//! `ws-connect` options, and Ctrl-C (SIGINT) closes cleanly. `repl_pty.rs` drives it
//! from a terminal.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::OnceLock;
use std::time::Duration;

use sigil_testserver::{start_proxy, Config, ProxyConfig, Running};

/// The shared test server.
fn server() -> &'static Running {
    static SERVER: OnceLock<Running> = OnceLock::new();
    SERVER.get_or_init(|| sigil_testserver::start(Config::default()).expect("test server"))
}

/// How long any step may take before the test fails.
const WAIT: Duration = Duration::from_secs(20);

/// A running `sigil --ws` with its standard streams.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    /// Lines of its standard output, as they come.
    lines: Receiver<String>,
    /// All of its standard error once it ends.
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Client {
    /// Starts `sigil --ws ARGS...` with `env` added.
    fn start(args: &[&str], env: &[(&str, &str)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sigil"))
            .arg("--ws")
            .args(args)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sigil starts");
        let (tx, lines) = mpsc::channel();
        let stdout: ChildStdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Client {
            stdin: child.stdin.take(),
            child,
            lines,
            stderr: Some(stderr),
        }
    }

    /// Types `line` (a newline is added).
    fn send(&mut self, line: &str) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next line of standard output.
    fn line(&self) -> String {
        self.lines
            .recv_timeout(WAIT)
            .expect("a line of output in time")
    }

    /// Ends the input.
    fn end_input(&mut self) {
        self.stdin = None;
    }

    /// Waits for it to end: its exit code, the rest of its output, and its stderr.
    fn finish(mut self) -> (Option<i32>, Vec<String>, String) {
        let start = std::time::Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(start.elapsed() < WAIT, "sigil --ws did not end");
            std::thread::sleep(Duration::from_millis(10));
        };
        let rest = self.lines.iter().collect();
        let err = self.stderr.take().map(|t| t.join().unwrap());
        (status.code(), rest, err.unwrap_or_default())
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn lines_go_out_as_they_are_typed_and_the_end_of_input_closes() {
    let url = server().ws_url("/echo");
    let mut c = Client::start(&[&url], &[]);
    // Each echo comes back while the input is still open.
    c.send("hello");
    assert_eq!(c.line(), "< hello");
    c.send("héllo wörld");
    assert_eq!(c.line(), "< héllo wörld");
    c.end_input();
    let (code, rest, err) = c.finish();
    assert_eq!(code, Some(0), "{err}");
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(
        err,
        format!("Connected to {url}.\nConnection closed: 1000.\n")
    );
}

#[test]
fn a_server_that_closes_ends_the_client_while_the_input_is_open() {
    let c = Client::start(&[&server().ws_url("/send-then-close")], &[]);
    assert_eq!(c.line(), "< hello");
    assert_eq!(c.line(), "< (binary, 3 bytes) 01 02 03");
    let (code, _, err) = c.finish();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.ends_with("Connection closed: 1000 (done).\n"), "{err}");
}

#[test]
fn pings_pongs_and_slash_commands() {
    let mut c = Client::start(&[&server().ws_url("/ping"), "-P", "--slash"], &[]);
    // The server's ping, then the payload of our pong as text.
    assert_eq!(c.line(), "< (ping) 61 72 65 2d 79 6f 75 2d 74 68 65 72 65");
    assert_eq!(c.line(), "< are-you-there");
    c.send("/ping abc");
    assert_eq!(c.line(), "< (pong) 61 62 63");
    c.send("/nonsense");
    c.send("/close 4000 all done");
    let (code, _, err) = c.finish();
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("unknown command /nonsense"), "{err}");
    assert!(
        err.ends_with("Connection closed: 4000 (all done).\n"),
        "{err}"
    );
}

#[test]
fn long_binary_messages_are_cut() {
    let c = Client::start(&[&server().ws_url("/big/100")], &[]);
    let line = c.line();
    let bytes: Vec<String> = (0..64).map(|i| format!("{i:02x}")).collect();
    assert_eq!(
        line,
        format!("< (binary, 100 bytes) {} ...", bytes.join(" "))
    );
}

#[test]
fn options_become_connect_options() {
    let proxy = start_proxy(ProxyConfig::default()).unwrap();
    let url = server().ws_url("/request-head");
    let c = Client::start(
        &[
            &url,
            "-H",
            "X-Test: one: two",
            "--header",
            "X-Other:3",
            "-s",
            "chat",
            "--subprotocol",
            "superchat",
            "-o",
            "http://origin.test",
            "--proxy",
            &proxy.http_url(),
            "--timeout",
            "5",
        ],
        &[],
    );
    let mut head = Vec::new();
    loop {
        let line = c.line();
        if line.is_empty() {
            break;
        }
        head.push(line);
    }
    let head = head.join("\n");
    for expected in [
        "X-Test: one: two",
        "X-Other: 3",
        "Sec-WebSocket-Protocol: chat, superchat",
        "Origin: http://origin.test",
    ] {
        assert!(head.contains(expected), "{expected} in {head}");
    }
    assert_eq!(proxy.requests().len(), 1, "{:?}", proxy.requests());
    // --no-proxy ignores a proxy the environment names (here one that is not there).
    let mut c = Client::start(
        &[&server().ws_url("/echo"), "--no-proxy"],
        &[("http_proxy", "http://127.0.0.1:1")],
    );
    c.send("direct");
    assert_eq!(c.line(), "< direct");
}

#[test]
fn usage_and_connection_errors() {
    let cases: [(&[&str], i32, &str); 6] = [
        (&[], 2, "sigil --ws: missing URL\nTry 'sigil --ws --help'."),
        (&["ws://h/", "--bogus"], 2, "unknown option --bogus"),
        (&["ws://h/", "-H", "nocolon"], 2, "bad header nocolon"),
        (&["ws://h/", "--timeout"], 2, "--timeout needs a value"),
        (&["http://h/"], 2, "unsupported URL scheme 'http'"),
        (
            &["ws://127.0.0.1:1/"],
            1,
            "Connection failed: connection refused",
        ),
    ];
    for (args, expected_code, message) in cases {
        let c = Client::start(args, &[]);
        let (code, _, err) = c.finish();
        assert_eq!(code, Some(expected_code), "{args:?}: {err}");
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let c = Client::start(&["--help"], &[]);
    assert_eq!(c.line(), "Usage: sigil --ws URL [OPTIONS]");
    let (code, rest, _) = c.finish();
    assert_eq!(code, Some(0));
    assert!(
        rest.iter().any(|l| l.contains("--show-ping-pong")),
        "{rest:?}"
    );
}

#[test]
fn ctrl_c_closes_the_connection_and_exits_130() {
    for path in ["/echo", "/hostile/silent"] {
        let mut c = Client::start(&[&server().ws_url(path)], &[]);
        if path == "/echo" {
            // Connected and served: interrupt it while it waits for input.
            c.send("before");
            assert_eq!(c.line(), "< before");
        } else {
            // Still connecting: the server never answers.
            std::thread::sleep(Duration::from_millis(300));
        }
        // SAFETY: sends a signal to our own child process.
        assert_eq!(unsafe { libc::kill(c.child.id() as i32, libc::SIGINT) }, 0);
        let (code, _, err) = c.finish();
        assert_eq!(code, Some(130), "{path}: {err}");
        let expected = if path == "/echo" {
            "Interrupted; connection closed.\n"
        } else {
            "Interrupted.\n"
        };
        assert!(err.ends_with(expected), "{path}: {err}");
    }
}

#[test]
fn compression_is_offered_unless_told_not_to() {
    let url = server().ws_url("/deflate/echo");
    for (flags, agreed) in [
        (&[][..], " (permessage-deflate)"),
        (&["--compression"][..], " (permessage-deflate)"),
        (&["--no-compression"][..], ""),
    ] {
        let mut args = vec![url.as_str()];
        args.extend_from_slice(flags);
        let mut c = Client::start(&args, &[]);
        let text = "squeeze ".repeat(50);
        c.send(&text);
        assert_eq!(c.line(), format!("< {text}"));
        c.end_input();
        let (code, _, err) = c.finish();
        assert_eq!(code, Some(0), "{flags:?}: {err}");
        assert!(
            err.starts_with(&format!("Connected to {url}{agreed}.\n")),
            "{flags:?}: {err}"
        );
    }
}
