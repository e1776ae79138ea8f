//! permessage-deflate from Scheme: the `compression` option, `ws-connection-extensions`,
//! errors in `ws-last-error`, and a decompression bomb measured in a child `sigil`
//! process. The peers are independent: Python `websockets` (sigil-testserver's
//! `py/deflate_server.py`) and the raw routes of `sigil-testserver`.

use std::process::Command;
use std::sync::OnceLock;

use sigil_lang::Interpreter;
use sigil_testserver::{Config, PythonDeflateServer, Running};

fn python() -> &'static PythonDeflateServer {
    static SERVER: OnceLock<PythonDeflateServer> = OnceLock::new();
    SERVER.get_or_init(|| PythonDeflateServer::start().expect("Python websockets server starts"))
}

fn raw() -> &'static Running {
    static SERVER: OnceLock<Running> = OnceLock::new();
    SERVER.get_or_init(|| sigil_testserver::start(Config::default()).expect("test server starts"))
}

/// An interpreter with `(sigil websocket)` imported.
fn session() -> Interpreter {
    let mut interp = sigil::interpreter();
    interp
        .eval_str("(import (sigil websocket))")
        .expect("library imports");
    interp
}

/// The `write` form of the value of `src`.
fn show(interp: &mut Interpreter, src: &str) -> String {
    match interp.eval_str(src) {
        Ok(v) => interp.write(v),
        Err(e) => panic!("{src}\n  failed: {e}"),
    }
}

#[test]
fn compressed_by_default_and_what_was_agreed() {
    let mut s = session();
    let url = python().url("/report?server_no_context_takeover=1&client_max_window_bits=10");
    s.eval_str(&format!(
        "(define conn (ws-connect \"{url}\" '((timeout . 5) (read-timeout . 5))))"
    ))
    .unwrap();
    assert_eq!(show(&mut s, "(ws-connection? conn)"), "#t");
    assert_eq!(
        show(&mut s, "(ws-connection-extensions conn)"),
        "((permessage-deflate (server-no-context-takeover . #t) \
         (client-no-context-takeover . #f) (server-max-window-bits . 15) \
         (client-max-window-bits . 10)))"
    );
    // The server reports that the message arrived compressed, and smaller.
    let report = show(
        &mut s,
        "(let ((m (make-string 2000 #\\a))) (ws-send conn m) (ws-message-data (ws-receive conn)))",
    );
    assert!(report.contains("\\\"compressed\\\": true"), "{report}");
    assert!(report.contains("\\\"size\\\": 2000"), "{report}");
    s.eval_str("(ws-close conn)").unwrap();

    // Echo of text and binary through the compressed connection.
    let url = python().url("/echo?fragment=1000");
    let echoed = show(
        &mut s,
        &format!(
            "(let* ((c (ws-connect \"{url}\" '((timeout . 5) (read-timeout . 5))))
                    (text (make-string 100000 #\\λ))
                    (bytes (make-bytevector 70000 7)))
               (ws-send c text)
               (ws-send c bytes)
               (let* ((a (ws-receive c)) (b (ws-receive c)))
                 (ws-close c)
                 (list (equal? (ws-message-data a) text)
                       (equal? (ws-message-data b) bytes))))"
        ),
    );
    assert_eq!(echoed, "(#t #t)");
}

#[test]
fn the_compression_option() {
    let mut s = session();
    let connect = |s: &mut Interpreter, option: &str| {
        show(
            s,
            &format!(
                "(let ((c (ws-connect \"{}\" '((timeout . 5) {option}))))
                   (let ((e (ws-connection-extensions c))) (ws-close c) e))",
                python().url("/echo")
            ),
        )
    };
    assert_eq!(connect(&mut s, "(compression . #f)"), "()");
    assert_eq!(
        connect(
            &mut s,
            "(compression . ((server-max-window-bits . 9) (client-no-context-takeover . #t) \
             (client-max-window-bits . 12) (level . 1)))"
        ),
        "((permessage-deflate (server-no-context-takeover . #f) \
         (client-no-context-takeover . #t) (server-max-window-bits . 9) \
         (client-max-window-bits . 12)))"
    );
    // A server that declines: no extension.
    let declined = show(
        &mut s,
        &format!(
            "(let ((c (ws-connect \"{}\" '((timeout . 5)))))
               (let ((e (ws-connection-extensions c))) (ws-close c) e))",
            python().url("/echo?compression=0")
        ),
    );
    assert_eq!(declined, "()");
    // Bad values raise before connecting, naming the option.
    for (option, fragment) in [
        ("(compression . ((client-max-window-bits . 7)))", "8 to 15"),
        ("(compression . ((level . 10)))", "level must be 0 to 9"),
        ("(compression . ((window . 9)))", "unknown parameter"),
        (
            "(compression . ((server-no-context-takeover . 1)))",
            "boolean",
        ),
        ("(compression . yes)", "list"),
    ] {
        let src = format!("(ws-connect \"ws://127.0.0.1:1/\" '({option}))");
        let e = s.eval_str(&src).expect_err(option);
        let text = e.to_string();
        assert!(
            text.contains("ws-connect: option compression") && text.contains(fragment),
            "{option}: {text}"
        );
    }
}

#[test]
fn bad_answers_fail_the_connect_with_a_clear_error() {
    let mut s = session();
    for (case, message) in [
        (
            "repeated-param",
            "invalid WebSocket handshake response: server's permessage-deflate: \
             parameter server_no_context_takeover given twice",
        ),
        (
            "unoffered",
            "invalid WebSocket handshake response: server selected extension \
             \"x-webkit-deflate-frame\" that we did not offer",
        ),
        (
            "bad-window-bits",
            "invalid WebSocket handshake response: server's permessage-deflate: \
             server_max_window_bits must be 8 to 15, got \"16\"",
        ),
    ] {
        let url = raw().ws_url(&format!("/deflate/answer/{case}"));
        assert_eq!(
            show(&mut s, &format!("(ws-connect \"{url}\" '((timeout . 5)))")),
            "#f"
        );
        let e = show(&mut s, "(ws-last-error)");
        assert_eq!(e, format!("{message:?}"), "{case}");
    }
}

/// Runs `script` in a child `sigil` and returns its standard output.
fn run_sigil(script: &str) -> String {
    let dir = std::env::temp_dir().join(format!("sigil-deflate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.sgl", script.len()));
    std::fs::write(&path, script).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sigil"))
        .arg(&path)
        .output()
        .expect("sigil runs");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Peak resident memory (VmHWM, KiB) that a script printed last.
fn peak_kib(output: &str) -> u64 {
    let line = output
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect(output);
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// A script that connects to `url` with `options`, receives once, prints what it
/// got, then its own VmHWM line from /proc/self/status.
fn receive_once_script(url: &str, options: &str) -> String {
    format!(
        r#"(import (scheme base) (scheme write) (scheme file) (sigil websocket))
(define conn (ws-connect "{url}" '({options})))
(define m (ws-receive conn))
(display (if (ws-message? m) (bytevector-length (ws-message-data m)) (ws-last-error)))
(newline)
(define status (open-input-file "/proc/self/status"))
(let loop ((line (read-line status)))
  (unless (eof-object? line)
    (when (and (>= (string-length line) 6) (string=? (substring line 0 6) "VmHWM:"))
      (display line) (newline))
    (loop (read-line status))))
"#
    )
}

#[test]
fn a_bomb_fails_with_1009_and_memory_stays_near_the_limit() {
    let limit_mib = 16;
    let options = format!(
        "(timeout . 10) (read-timeout . 20) (max-message-size . {})",
        limit_mib << 20
    );
    // The same client receiving a small message, for the baseline.
    let baseline = run_sigil(&receive_once_script(&raw().ws_url("/big/1000"), &options));
    assert!(baseline.starts_with("1000\n"), "{baseline}");
    // 1 GiB of zeros, about 1 MiB compressed.
    let bomb = run_sigil(&receive_once_script(
        &raw().ws_url("/deflate/bomb/1024"),
        &options,
    ));
    assert!(
        bomb.starts_with("message too big (close code 1009)"),
        "{bomb}"
    );
    let (base, peak) = (peak_kib(&baseline), peak_kib(&bomb));
    let grew = peak.saturating_sub(base);
    assert!(
        grew < (limit_mib + 8) << 10,
        "peak RSS grew by {grew} KiB over {base} KiB for a {limit_mib} MiB limit"
    );
}
