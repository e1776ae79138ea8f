//! `(sigil websocket)` and `(sigil websocket frame)` against a real peer: the independent
//! `sigil-testserver` (tungstenite, raw hostile routes, rustls listeners), started once
//! per test binary through its library API.
//!
//! Every connection that could stall passes `timeout` / `read-timeout` options, so a
//! misbehaving client fails a test instead of hanging it.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::sync::OnceLock;

use sigil_lang::{Interpreter, SchemeError, Value};
use sigil_testserver::{Config, Running};

/// The shared test server, with all three TLS listeners and the CA written to a file.
fn server() -> &'static Running {
    static SERVER: OnceLock<Running> = OnceLock::new();
    SERVER.get_or_init(|| {
        let ca = std::env::temp_dir().join(format!(
            "sigil-websocket-test-ca-{}.pem",
            std::process::id()
        ));
        sigil_testserver::start(Config {
            ca_out: Some(ca),
            ..Config::with_all_tls()
        })
        .expect("test server starts")
    })
}

fn url(path: &str) -> String {
    server().ws_url(path)
}

fn ca_file() -> String {
    server().ca_path().expect("CA file").display().to_string()
}

/// Standard output of a session, shared with the interpreter's sink.
#[derive(Clone, Default)]
struct Captured(Rc<RefCell<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// An interpreter as the `sigil` binary builds it, with both libraries imported.
struct Session {
    interp: Interpreter,
    out: Captured,
}

impl Session {
    fn new() -> Session {
        let mut interp = sigil::interpreter();
        let out = Captured::default();
        interp.set_output(Box::new(out.clone()));
        interp
            .eval_str("(import (sigil websocket) (sigil websocket frame))")
            .expect("libraries import");
        Session { interp, out }
    }

    fn eval(&mut self, src: &str) -> Value {
        match self.interp.eval_str(src) {
            Ok(v) => v,
            Err(e) => panic!("{src}\n  failed: {e} ({})", e.kind),
        }
    }

    /// The `write` form of the value of `src`.
    fn show(&mut self, src: &str) -> String {
        let v = self.eval(src);
        self.interp.write(v)
    }

    /// The error `src` raises.
    fn err(&mut self, src: &str) -> SchemeError {
        match self.interp.eval_str(src) {
            Ok(v) => panic!(
                "{src}\n  returned {} instead of raising",
                self.interp.write(v)
            ),
            Err(e) => e,
        }
    }

    fn bytes(&mut self, src: &str) -> Vec<u8> {
        let v = self.eval(src);
        self.interp
            .heap()
            .bytevector(v)
            .expect("a bytevector")
            .to_vec()
    }

    fn string(&mut self, src: &str) -> String {
        let v = self.eval(src);
        self.interp.heap().str(v).expect("a string").to_string()
    }

    fn output(&self) -> String {
        String::from_utf8(self.out.0.borrow().clone()).unwrap()
    }
}

/// `(ws-connect URL OPTIONS)` bound to `conn`, asserting it connected.
fn connect(s: &mut Session, path: &str, options: &str) {
    let src = format!("(define conn (ws-connect \"{}\" '({options})))", url(path));
    s.eval(&src);
    assert_eq!(
        s.show("(ws-connection? conn)"),
        "#t",
        "{path}: {}",
        s.show("(ws-last-error)")
    );
}

#[test]
fn echo_text_and_binary() {
    let mut s = Session::new();
    connect(&mut s, "/socket", "");
    s.eval("(ws-send conn \"Hello, server!\")");
    s.eval("(define m (ws-receive conn))");
    assert_eq!(s.show("(ws-message? m)"), "#t");
    assert_eq!(s.show("(ws-message-type m)"), "text");
    assert_eq!(s.show("(ws-message-data m)"), "\"Hello, server!\"");
    s.eval("(ws-send-binary conn #u8(1 2 3 4))");
    assert_eq!(
        s.show("(ws-message-type (begin (set! m (ws-receive conn)) m))"),
        "binary"
    );
    assert_eq!(s.show("(ws-message-data m)"), "#u8(1 2 3 4)");
    // ws-send with a bytevector sends a binary message too; unicode text survives.
    s.eval("(ws-send conn #u8(255 0))");
    assert_eq!(s.show("(ws-message-data (ws-receive conn))"), "#u8(255 0)");
    s.eval("(ws-send conn \"λ → ✓\")");
    assert_eq!(s.string("(ws-message-data (ws-receive conn))"), "λ → ✓");
    assert_eq!(s.show("(ws-last-error)"), "#f");
    s.eval("(ws-close conn)");
}

#[test]
fn output_through_display() {
    let mut s = Session::new();
    connect(&mut s, "/echo", "");
    s.eval(
        "(ws-send conn \"hi\")
         (let ((m (ws-receive conn)))
           (display (ws-message-type m)) (display \" \") (display (ws-message-data m)) (newline))
         (ws-close conn)
         (display (ws-connection-state conn)) (newline)",
    );
    assert_eq!(s.output(), "text hi\nclosed\n");
}

#[test]
fn ping_with_payload_and_server_ping() {
    let mut s = Session::new();
    connect(&mut s, "/echo", "");
    s.eval("(ws-ping conn \"payload\") (ws-ping conn) (ws-ping conn #u8(1 2))");
    s.eval("(ws-send conn \"after pings\")");
    // Pongs are skipped by ws-receive.
    assert_eq!(
        s.show("(ws-message-data (ws-receive conn))"),
        "\"after pings\""
    );
    s.eval("(ws-close conn)");

    // /ping pings us; the automatic pong's payload comes back as text.
    connect(&mut s, "/ping", "(read-timeout . 5)");
    assert_eq!(
        s.show("(ws-message-data (ws-receive conn))"),
        "\"are-you-there\""
    );
    s.eval("(ws-close conn)");
}

#[test]
fn ping_payload_limit_is_an_error() {
    let mut s = Session::new();
    connect(&mut s, "/echo", "");
    let e = s.err(&format!("(ws-ping conn \"{}\")", "p".repeat(126)));
    assert!(e.message.contains("125"), "{e}");
    assert_eq!(s.show("(ws-connected? conn)"), "#t");
}

#[test]
fn server_initiated_close() {
    let mut s = Session::new();
    connect(&mut s, "/close/4000", "(read-timeout . 5)");
    assert_eq!(s.show("(ws-receive conn)"), "closed");
    assert_eq!(s.show("(ws-close-code conn)"), "4000");
    assert_eq!(s.show("(ws-close-reason conn)"), "\"bye\"");
    assert_eq!(s.show("(ws-connection-state conn)"), "closed");
    assert_eq!(s.show("(ws-connected? conn)"), "#f");
    assert_eq!(s.show("(ws-last-error)"), "#f");
    // Receiving again keeps answering 'closed; closing again is harmless.
    assert_eq!(s.show("(ws-receive conn)"), "closed");
    s.eval("(ws-close conn)");
}

#[test]
fn send_then_close_sequence() {
    let mut s = Session::new();
    connect(&mut s, "/send-then-close", "(read-timeout . 5)");
    s.eval(
        "(define a (ws-receive conn)) (define b (ws-receive conn)) (define c (ws-receive conn))",
    );
    assert_eq!(s.show("(ws-message-type a)"), "text");
    assert_eq!(s.show("(ws-message-data a)"), "\"hello\"");
    assert_eq!(s.show("(ws-message-type b)"), "binary");
    assert_eq!(s.show("(ws-message-data b)"), "#u8(1 2 3)");
    assert_eq!(s.show("c"), "closed");
    assert_eq!(s.show("(ws-close-code conn)"), "1000");
    assert_eq!(s.show("(ws-close-reason conn)"), "\"done\"");
}

#[test]
fn fragmented_message_is_reassembled() {
    let mut s = Session::new();
    connect(&mut s, "/fragmented", "(read-timeout . 5)");
    assert_eq!(
        s.show("(ws-message-data (ws-receive conn))"),
        "\"Hello, World!\""
    );
    s.eval("(ws-close conn)");
}

#[test]
fn big_binary_message() {
    let mut s = Session::new();
    connect(&mut s, "/big/1048576", "(read-timeout . 10)");
    s.eval("(define m (ws-receive conn))");
    assert_eq!(s.show("(ws-message-type m)"), "binary");
    let data = s.bytes("(ws-message-data m)");
    assert_eq!(data.len(), 1_048_576);
    assert!(data.iter().enumerate().all(|(i, b)| *b as usize == i % 251));
    s.eval("(ws-close conn)");
}

#[test]
fn max_message_size_option() {
    let mut s = Session::new();
    connect(
        &mut s,
        "/big/1000",
        "(max-message-size . 100) (read-timeout . 5)",
    );
    assert_eq!(s.show("(ws-receive conn)"), "#f");
    let e = s.string("(ws-last-error)");
    assert!(e.contains("1009"), "{e}");
    assert_eq!(s.show("(ws-connection-state conn)"), "closed");
}

#[test]
fn api_json_reply() {
    let mut s = Session::new();
    connect(&mut s, "/api", "(read-timeout . 5)");
    s.eval(r#"(ws-send conn "{\"action\":\"subscribe\",\"channel\":\"news\"}")"#);
    let reply = s.string("(ws-message-data (ws-receive conn))");
    assert!(reply.contains(r#""status":"subscribed""#), "{reply}");
    assert!(reply.contains(r#""channel":"news""#), "{reply}");
    assert!(reply.contains(r#""action":"subscribe""#), "{reply}");
    s.eval("(ws-send conn \"not json\")");
    assert!(s
        .string("(ws-message-data (ws-receive conn))")
        .contains("error"));
    s.eval("(ws-close conn)");
}

#[test]
fn connection_state_url_and_socket() {
    let mut s = Session::new();
    connect(&mut s, "/socket", "");
    let port = server().port();
    assert_eq!(s.show("(ws-connection-state conn)"), "open");
    assert_eq!(s.show("(ws-connected? conn)"), "#t");
    assert_eq!(s.string("(ws-connection-url conn)"), url("/socket"));
    assert_eq!(
        s.show("(ws-connection-socket conn)"),
        format!("#<tcp-socket 127.0.0.1:{port}>")
    );
    assert_eq!(
        s.show("conn"),
        format!("#<ws-connection {}>", url("/socket"))
    );
    assert_eq!(s.show("(ws-connection-protocol conn)"), "#f");
    assert_eq!(s.show("(ws-close-code conn)"), "#f");
    assert_eq!(s.show("(ws-connection? 42)"), "#f");
    assert_eq!(s.show("(ws-message? conn)"), "#f");
    s.eval("(ws-close conn)");
    assert_eq!(s.show("(ws-connection-state conn)"), "closed");
    assert_eq!(s.show("(ws-connected? conn)"), "#f");
    // The server answered our close frame; its code is what it echoed.
    assert_eq!(s.show("(ws-close-code conn)"), "1000");
    assert_eq!(s.show("(ws-receive conn)"), "closed");
    s.eval("(ws-close conn)");
    // The socket object still prints after close.
    assert_eq!(
        s.show("(ws-connection-socket conn)"),
        format!("#<tcp-socket 127.0.0.1:{port}>")
    );
}

#[test]
fn close_with_code_and_reason() {
    let mut s = Session::new();
    connect(&mut s, "/echo", "");
    s.eval("(ws-close conn 4001 \"going away now\")");
    assert_eq!(s.show("(ws-connected? conn)"), "#f");
    connect(&mut s, "/echo", "");
    let e = s.err("(ws-close conn 1005)");
    assert_eq!(e.kind, "websocket-error");
    assert!(e.message.contains("close code"), "{e}");
    let e = s.err(&format!("(ws-close conn 1000 \"{}\")", "r".repeat(124)));
    assert!(e.message.contains("123"), "{e}");
    assert_eq!(s.show("(ws-connected? conn)"), "#t");
    s.eval("(ws-close conn 1001)");
}

#[test]
fn sending_after_close_is_an_error() {
    let mut s = Session::new();
    connect(&mut s, "/echo", "");
    s.eval("(ws-close conn)");
    for src in [
        "(ws-send conn \"x\")",
        "(ws-send-binary conn #u8(1))",
        "(ws-ping conn)",
    ] {
        let e = s.err(src);
        assert_eq!(e.kind, "websocket-error", "{src}");
        assert!(e.message.contains("closed"), "{src}: {e}");
    }
    // After a server-initiated close as well.
    connect(&mut s, "/close/1000", "(read-timeout . 5)");
    assert_eq!(s.show("(ws-receive conn)"), "closed");
    assert!(s.err("(ws-send conn \"x\")").message.contains("closed"));
}

#[test]
fn wrong_argument_types() {
    let mut s = Session::new();
    connect(&mut s, "/echo", "");
    for src in [
        "(ws-send 42 \"x\")",
        "(ws-send conn 42)",
        "(ws-send-binary conn \"text\")",
        "(ws-receive \"conn\")",
        "(ws-connection-state 'x)",
        "(ws-connect 42)",
        "(ws-ping conn 'sym)",
        "(ws-close conn \"1000\")",
    ] {
        assert_eq!(s.err(src).kind, "type-error", "{src}");
    }
    assert_eq!(s.err("(ws-send conn)").kind, "arity-error");
    assert_eq!(s.show("(ws-connected? conn)"), "#t");
    s.eval("(ws-close conn)");
}

#[test]
fn bad_urls_and_options_raise() {
    let mut s = Session::new();
    for (src, fragment) in [
        ("(ws-connect \"http://x\")", "unsupported URL scheme"),
        ("(ws-connect \"not a url\")", "invalid WebSocket URL"),
        ("(ws-connect \"ws://h/#frag\")", "fragment"),
        ("(ws-connect \"ws://x\" '((bogus . 1)))", "unknown option"),
        (
            "(ws-connect \"ws://x\" '((timeout . -1)))",
            "positive number",
        ),
        (
            "(ws-connect \"ws://x\" '((resolve . \"nonsense\")))",
            "resolve",
        ),
    ] {
        let e = s.err(src);
        assert_eq!(e.kind, "websocket-error", "{src}: {e}");
        assert!(e.message.contains(fragment), "{src}: {e}");
    }
    // A header that would break the HTTP request (checked by sigil-ws when it builds it).
    let src = format!(
        "(ws-connect \"{}\" '((headers . ((\"X-Bad\" . \"a\\nb\")))))",
        url("/echo")
    );
    let e = s.err(&src);
    assert_eq!(e.kind, "websocket-error", "{e}");
    assert!(e.message.contains("invalid argument"), "{e}");
    assert_eq!(
        s.err("(ws-connect \"ws://x\" '((ca-file . \"/nonexistent/ca.pem\")))")
            .kind,
        "file-error"
    );
    assert_eq!(
        s.err("(ws-connect \"ws://x\" '(timeout))").kind,
        "type-error"
    );
}

#[test]
fn refused_connection_returns_false() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut s = Session::new();
    assert_eq!(
        s.show(&format!("(ws-connect \"ws://127.0.0.1:{port}/\")")),
        "#f"
    );
    let e = s.string("(ws-last-error)");
    assert!(e.contains("refused"), "{e}");
}

#[test]
fn handshake_rejection_and_retry() {
    let mut s = Session::new();
    // /flaky/<id>/1 refuses the first attempt with 503, then echoes.
    let id = std::process::id();
    let flaky = url(&format!("/flaky/ws-{id}/1"));
    assert_eq!(s.show(&format!("(ws-connect \"{flaky}\")")), "#f");
    let e = s.string("(ws-last-error)");
    assert!(e.contains("503"), "{e}");
    s.eval(&format!("(define conn (ws-connect \"{flaky}\"))"));
    assert_eq!(s.show("(ws-last-error)"), "#f");
    s.eval("(ws-send conn \"again\")");
    assert_eq!(s.show("(ws-message-data (ws-receive conn))"), "\"again\"");
    s.eval("(ws-close conn)");
}

#[test]
fn request_options_are_accepted() {
    let mut s = Session::new();
    connect(
        &mut s,
        "/echo",
        "(headers . ((\"X-Token\" . \"abc\"))) (protocols . (\"chat\")) (timeout . 5) \
         (max-message-size . 1048576) (origin . \"http://x\") (close-timeout . 2)",
    );
    s.eval("(ws-send conn \"with options\")");
    assert_eq!(
        s.show("(ws-message-data (ws-receive conn))"),
        "\"with options\""
    );
    s.eval("(ws-close conn)");
}

#[test]
fn read_timeout_keeps_connection_usable() {
    let mut s = Session::new();
    connect(&mut s, "/echo", "(read-timeout . 0.3)");
    assert_eq!(s.show("(ws-receive conn)"), "#f");
    let e = s.string("(ws-last-error)");
    assert!(e.contains("timed out"), "{e}");
    assert_eq!(s.show("(ws-connected? conn)"), "#t");
    s.eval("(ws-send conn \"still here\")");
    assert_eq!(
        s.show("(ws-message-data (ws-receive conn))"),
        "\"still here\""
    );
    assert_eq!(s.show("(ws-last-error)"), "#f");
    s.eval("(ws-close conn)");
}

#[test]
fn wss_echo_with_ca_file() {
    let srv = server();
    let port = srv.tls_port().unwrap();
    let mut s = Session::new();
    s.eval(&format!(
        "(define conn (ws-connect \"wss://localhost:{port}/echo\" '((ca-file . \"{}\") (timeout . 5))))",
        ca_file()
    ));
    assert_eq!(
        s.show("(ws-connection? conn)"),
        "#t",
        "{}",
        s.show("(ws-last-error)")
    );
    assert_eq!(
        s.show("(ws-connection-socket conn)"),
        format!("#<tls-connection localhost:{port}>")
    );
    s.eval("(ws-send conn \"secure hello\")");
    assert_eq!(
        s.show("(ws-message-data (ws-receive conn))"),
        "\"secure hello\""
    );
    s.eval("(ws-send-binary conn #u8(9 8 7))");
    assert_eq!(s.show("(ws-message-data (ws-receive conn))"), "#u8(9 8 7)");
    s.eval("(ws-close conn)");
    assert_eq!(s.show("(ws-connection-state conn)"), "closed");
}

#[test]
fn wss_with_ca_pem_and_resolve_override() {
    let srv = server();
    let port = srv.tls_port().unwrap();
    let pem = srv.ca_pem().unwrap().to_string();
    let mut s = Session::new();
    let pem_v = s.interp.to_value(pem);
    s.interp.define("test-ca-pem", pem_v);
    s.eval(&format!(
        "(define conn (ws-connect \"wss://example.com/echo\" \
           (cons (cons 'ca-pem test-ca-pem) '((resolve . \"example.com:443=127.0.0.1:{port}\")))))"
    ));
    assert_eq!(
        s.show("(ws-connection? conn)"),
        "#t",
        "{}",
        s.show("(ws-last-error)")
    );
    assert_eq!(
        s.show("(ws-connection-socket conn)"),
        "#<tls-connection example.com:443>"
    );
    assert_eq!(
        s.string("(ws-connection-url conn)"),
        "wss://example.com/echo"
    );
    s.eval("(ws-send conn \"via resolve\")");
    assert_eq!(
        s.show("(ws-message-data (ws-receive conn))"),
        "\"via resolve\""
    );
    s.eval("(ws-close conn)");
}

#[test]
fn tls_failures_return_false() {
    let srv = server();
    let ca = ca_file();
    let mut s = Session::new();
    let cases = [
        // Self-signed certificate the CA does not vouch for.
        (
            srv.untrusted_port().unwrap(),
            "localhost",
            true,
            "not trusted",
        ),
        // CA-signed, but only for wrong.invalid.
        (
            srv.wrong_name_port().unwrap(),
            "localhost",
            true,
            "host name",
        ),
        // Good server, but its CA is not trusted without the option.
        (srv.tls_port().unwrap(), "localhost", false, "not trusted"),
    ];
    for (port, host, with_ca, fragment) in cases {
        let opts = if with_ca {
            format!("(ca-file . \"{ca}\") (timeout . 5)")
        } else {
            "(timeout . 5)".into()
        };
        let src = format!("(ws-connect \"wss://{host}:{port}/echo\" '({opts}))");
        assert_eq!(s.show(&src), "#f", "{src}");
        let e = s.string("(ws-last-error)");
        assert!(e.contains(fragment), "{src}: {e}");
    }
}

#[test]
fn hostile_servers_never_hang() {
    let mut s = Session::new();
    let opts = "'((timeout . 3) (read-timeout . 3) (close-timeout . 1))";
    // Handshake-level misbehaviour: ws-connect fails.
    for (case, extra, fragment) in [
        ("hostile/bad-accept", "", "Sec-WebSocket-Accept"),
        ("hostile/not-101", "", "200"),
        ("hostile/silent", "", "timed out"),
        // permessage-deflate accepted although not offered.
        ("hostile/extension", "(compression . #f)", "did not offer"),
    ] {
        let src = format!(
            "(ws-connect \"{}\" '((timeout . 3) {extra}))",
            url(&format!("/{case}"))
        );
        assert_eq!(s.show(&src), "#f", "{case}");
        let e = s.string("(ws-last-error)");
        assert!(e.contains(fragment), "{case}: {e}");
    }
    // Frame-level violations: ws-connect succeeds, ws-receive returns #f (never hangs)
    // and the connection is failed with the close code RFC 6455 asks for.
    for (case, code) in [
        ("reserved-opcode", "1002"),
        ("rsv-bits", "1002"),
        ("big-ping", "1002"),
        ("fragmented-ping", "1002"),
        ("bad-utf8", "1007"),
        ("bad-close-code", "1002"),
        ("one-byte-close", "1002"),
        ("continuation-first", "1002"),
        ("masked", "1002"),
        ("huge-length", "1002"),
        ("drop-mid-frame", "1006"),
        ("new-message-mid-fragment", "1002"),
    ] {
        s.eval(&format!(
            "(define conn (ws-connect \"{}\" {opts}))",
            url(&format!("/hostile/{case}"))
        ));
        assert_eq!(
            s.show("(ws-connection? conn)"),
            "#t",
            "{case}: {}",
            s.show("(ws-last-error)")
        );
        let got = s.show("(ws-receive conn)");
        assert_eq!(got, "#f", "{case}");
        let e = s.string("(ws-last-error)");
        assert!(e.contains(code), "{case}: expected {code} in {e}");
        assert_eq!(s.show("(ws-connected? conn)"), "#f", "{case}");
        assert_eq!(s.show("(ws-receive conn)"), "closed", "{case}");
        s.eval("(ws-close conn)");
    }
}

#[test]
fn frame_api() {
    let mut s = Session::new();
    assert_eq!(
        s.show("(cons opcode-continuation (cons opcode-text (cons opcode-binary (cons opcode-close (cons opcode-ping (cons opcode-pong '()))))))"),
        "(0 1 2 8 9 10)"
    );
    assert_eq!(s.show("(opcode-control? opcode-ping)"), "#t");
    assert_eq!(s.show("(opcode-control? opcode-text)"), "#f");
    assert_eq!(s.show("(opcode-control? #xA)"), "#t");

    // encode-text-frame is masked; decoding unmasks it.
    let f = s.bytes("(define f (encode-text-frame \"hello\")) f");
    assert_eq!(f.len(), 2 + 4 + 5);
    assert_eq!(f[..2], [0x81, 0x85]);
    s.eval("(define r (decode-frame f)) (define fr (frame-decode-result-frame r))");
    assert_eq!(s.show("(frame-decode-result? r)"), "#t");
    assert_eq!(s.show("(ws-frame? fr)"), "#t");
    assert_eq!(s.show("(ws-frame-opcode fr)"), "1");
    assert_eq!(s.show("(ws-frame-fin? fr)"), "#t");
    assert_eq!(s.bytes("(ws-frame-payload fr)"), b"hello");
    assert_eq!(s.bytes("(ws-frame-mask fr)"), f[2..6]);
    assert_eq!(s.show("(frame-decode-result-bytes-consumed r)"), "11");

    // Close frame payload is the big-endian code.
    let c = s.bytes("(encode-close-frame 1000)");
    assert_eq!(c[..2], [0x88, 0x82]);
    assert_eq!(s.bytes("(ws-frame-payload (frame-decode-result-frame (decode-frame (encode-close-frame 1000))))"), [0x03, 0xe8]);
    assert_eq!(s.bytes("(encode-close-frame)")[..2], [0x88, 0x80]);
    assert_eq!(
        s.bytes("(ws-frame-payload (frame-decode-result-frame (decode-frame (encode-close-frame 4000 \"bye\"))))"),
        [0x0f, 0xa0, b'b', b'y', b'e']
    );
    assert_eq!(s.bytes("(encode-ping-frame)")[..2], [0x89, 0x80]);
    assert_eq!(s.bytes("(encode-pong-frame #u8(1 2))")[..2], [0x8a, 0x82]);
    assert_eq!(
        s.bytes("(encode-binary-frame #u8(1 2 3))")[..2],
        [0x82, 0x83]
    );

    // encode-frame: explicit fin and mask; RFC 6455 section 5.7 examples.
    assert_eq!(
        s.bytes("(encode-frame opcode-text \"Hello\" #t #f)"),
        [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]
    );
    assert_eq!(
        s.bytes("(encode-frame opcode-text \"Hello\" #t #u8(#x37 #xfa #x21 #x3d))"),
        [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
    );
    assert_eq!(
        s.bytes("(encode-frame opcode-text \"Hel\" #f #f)"),
        [0x01, 0x03, 0x48, 0x65, 0x6c]
    );
    assert_eq!(s.show("(ws-frame-fin? (frame-decode-result-frame (decode-frame (encode-frame 1 \"Hel\" #f #f))))"), "#f");
    assert_eq!(s.show("(ws-frame-mask (frame-decode-result-frame (decode-frame (encode-frame 1 \"x\" #t #f))))"), "#f");
    assert_eq!(
        s.bytes("(encode-frame opcode-binary #u8(1))")[1] & 0x80,
        0x80,
        "masked by default"
    );

    // Incomplete data: no frame, nothing consumed. A start offset skips bytes.
    assert_eq!(
        s.show("(frame-decode-result-frame (decode-frame #u8(#x81 #x05 #x48)))"),
        "#f"
    );
    assert_eq!(
        s.show("(frame-decode-result-bytes-consumed (decode-frame #u8(#x81)))"),
        "0"
    );
    assert_eq!(
        s.show("(frame-decode-result-frame (decode-frame #u8()))"),
        "#f"
    );
    assert_eq!(
        s.show("(frame-decode-result-bytes-consumed (decode-frame #u8(0 0 #x81 #x01 #x41) 2))"),
        "3"
    );

    // Masks: 4-byte keys, XOR round trip.
    assert_eq!(s.bytes("(generate-mask-key)").len(), 4);
    assert_eq!(
        s.bytes("(apply-mask (apply-mask #u8(1 2 3 4 5 6 7) #u8(9 8 7 6)) #u8(9 8 7 6))"),
        [1, 2, 3, 4, 5, 6, 7]
    );
    assert_eq!(
        s.bytes("(apply-mask #u8(0 0 0 0 0) #u8(1 2 3 4))"),
        [1, 2, 3, 4, 1]
    );
    assert_eq!(
        s.show("(let ((d #u8(1 2))) (apply-mask d #u8(1 1 1 1)) d)"),
        "#u8(1 2)",
        "not in place"
    );
}

#[test]
fn frame_api_errors() {
    let mut s = Session::new();
    for (src, fragment) in [
        ("(decode-frame #u8(#x83 0))", "reserved opcode 0x3"),
        ("(decode-frame #u8(#xc1 0))", "reserved bits"),
        ("(decode-frame #u8(#x09 0))", "fragmented control frame"),
        ("(decode-frame #u8(#x89 126 0 126))", "section 5.5"),
        ("(decode-frame #u8(#x82 127 #x80 0 0 0 0 0 0 0))", "64-bit"),
        ("(encode-frame opcode-close #u8() #f)", "fragmented"),
        ("(encode-close-frame 1005)", "close code"),
    ] {
        let e = s.err(src);
        assert_eq!(e.kind, "websocket-error", "{src}: {e}");
        assert!(e.message.contains(fragment), "{src}: {e}");
    }
    assert!(s.err("(decode-frame #u8(#x83 0))").message.contains("1002"));
    let long_ping = format!("(encode-frame opcode-ping \"{}\")", "p".repeat(126));
    assert!(s.err(&long_ping).message.contains("max 125"));
    assert_eq!(s.err("(apply-mask #u8(1) #u8(1 2 3))").kind, "type-error");
    assert_eq!(s.err("(encode-frame 16 #u8())").kind, "range-error");
    assert_eq!(s.err("(decode-frame \"abc\")").kind, "type-error");
    assert_eq!(s.err("(decode-frame #u8(1) 5)").kind, "range-error");
    assert_eq!(s.err("(encode-frame opcode-text 42)").kind, "type-error");
}

/// Issue 13: a user name and password in the URL are sent as Basic authorization, and
/// the password is never shown (URL, printed connection, error messages).
#[test]
fn url_credentials_are_sent_and_the_password_never_shown() {
    let mut s = Session::new();
    let port = server().port();
    let with_credentials = format!("ws://alice:s3cret@127.0.0.1:{port}/request-head");
    s.eval(&format!(
        "(define conn (ws-connect \"{with_credentials}\" '((read-timeout . 5))))"
    ));
    let head = s.string("(ws-message-data (ws-receive conn))");
    // base64("alice:s3cret")
    assert!(
        head.contains("\r\nAuthorization: Basic YWxpY2U6czNjcmV0\r\n"),
        "{head}"
    );
    assert_eq!(head.matches("\r\nHost: ").count(), 1, "{head}");
    let shown = format!("ws://alice:***@127.0.0.1:{port}/request-head");
    assert_eq!(s.string("(ws-connection-url conn)"), shown);
    assert_eq!(s.show("conn"), format!("#<ws-connection {shown}>"));
    s.eval("(ws-close conn)");
    let e = s.err("(ws-connect \"ws://alice:s3cret@/x\")");
    assert!(!e.to_string().contains("s3cret"), "{e}");
    // An Authorization header besides the URL's credentials is refused.
    let src = format!(
        "(ws-connect \"{with_credentials}\" '((headers . ((\"Authorization\" . \"Bearer t\")))))"
    );
    assert!(s.err(&src).message.contains("Authorization given twice"));
}

/// Issue 13: the `headers` option cannot add a second Host, Sec-WebSocket-Key or any
/// other header the handshake writes itself.
#[test]
fn reserved_headers_are_refused() {
    let mut s = Session::new();
    for name in [
        "Host",
        "Sec-WebSocket-Key",
        "sec-websocket-version",
        "Upgrade",
        "Origin",
    ] {
        let src = format!(
            "(ws-connect \"{}\" '((headers . ((\"{name}\" . \"x\")))))",
            url("/request-head")
        );
        let e = s.err(&src);
        assert_eq!(e.kind, "websocket-error", "{name}: {e}");
        assert!(
            e.message.contains("is set by the WebSocket handshake"),
            "{name}: {e}"
        );
    }
    // Other headers go out once, next to one Host and one key.
    connect(
        &mut s,
        "/request-head",
        "(headers . ((\"X-Token\" . \"abc\"))) (read-timeout . 5)",
    );
    let head = s.string("(ws-message-data (ws-receive conn))");
    assert_eq!(head.matches("\r\nX-Token: abc\r\n").count(), 1, "{head}");
    assert_eq!(head.matches("\r\nHost: ").count(), 1, "{head}");
    assert_eq!(head.matches("\r\nSec-WebSocket-Key: ").count(), 1, "{head}");
    s.eval("(ws-close conn)");
}

/// Issue 13: an `HTTP/1.0 101` answer is refused (RFC 6455 requires HTTP/1.1).
#[test]
fn http_1_0_upgrade_is_refused() {
    let mut s = Session::new();
    let src = format!(
        "(ws-connect \"{}\" '((timeout . 5)))",
        url("/hostile/http10")
    );
    assert_eq!(s.show(&src), "#f");
    let e = s.string("(ws-last-error)");
    assert!(
        e.contains("HTTP/1.0") && e.contains("requires HTTP/1.1"),
        "{e}"
    );
}

/// Issue 13: URLs without an authority are refused instead of read leniently
/// (`wss:///path` used to connect to a host called `path`).
#[test]
fn urls_without_a_host_are_refused() {
    let mut s = Session::new();
    for src in [
        "(ws-connect \"wss:///path\")",
        "(ws-connect \"ws:127.0.0.1\")",
        "(ws-connect \"ws:/127.0.0.1/\")",
    ] {
        let e = s.err(src);
        assert_eq!(e.kind, "websocket-error", "{src}: {e}");
        assert!(e.message.contains("no host"), "{src}: {e}");
    }
}

/// Issue 13: timeouts too long to represent (1e300 seconds, +inf.0) mean no limit
/// instead of being refused.
#[test]
fn huge_timeouts_mean_no_limit() {
    let mut s = Session::new();
    connect(
        &mut s,
        "/echo",
        "(timeout . 1e300) (read-timeout . +inf.0) (write-timeout . 1e300) (close-timeout . 1e300)",
    );
    s.eval("(ws-send conn \"long\")");
    assert_eq!(s.show("(ws-message-data (ws-receive conn))"), "\"long\"");
    s.eval("(ws-close conn)");
    assert_eq!(s.show("(ws-connection-state conn)"), "closed");
}
