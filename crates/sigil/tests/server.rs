//! Sigil WebSocket servers (`ws-serve`, `ws-accept`, written in Sigil and run by the
//! `sigil` binary) against independent clients: `tungstenite`, Python `websockets`,
//! raw sockets with hand-made frames, and a load of 1 000 concurrent tungstenite
//! clients.

mod sigil_server;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::Duration;

use sigil_server::{repo, SigilServer};

use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tungstenite::Message;

type Ws = tungstenite::WebSocket<TcpStream>;

fn client(server: &SigilServer, path: &str) -> Ws {
    let tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let config = WebSocketConfig::default().max_message_size(Some(64 << 20));
    tungstenite::client::client_with_config(server.url(path).as_str(), tcp, Some(config))
        .unwrap()
        .0
}

/// Reads until the connection ends; the close code the server sent, if any.
fn drain_close(ws: &mut Ws) -> Option<u16> {
    let mut code = None;
    loop {
        match ws.read() {
            Ok(Message::Close(f)) => code = f.map(|f| u16::from(f.code)),
            Ok(_) => {}
            Err(_) => return code,
        }
    }
}

#[test]
fn echo_server_with_tungstenite() {
    let server = SigilServer::start("examples/echo-server.sgl", &["0"]);
    let mut ws = client(&server, "/");
    ws.send(Message::text("héllo ✓")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("héllo ✓"));
    ws.send(Message::binary(vec![0u8, 1, 255])).unwrap();
    assert_eq!(ws.read().unwrap(), Message::binary(vec![0u8, 1, 255]));
    ws.send(Message::Ping(b"still there?".to_vec().into()))
        .unwrap();
    assert_eq!(
        ws.read().unwrap(),
        Message::Pong(b"still there?".to_vec().into())
    );
    let big: Vec<u8> = (0..16 << 20).map(|i| (i % 251) as u8).collect();
    ws.send(Message::binary(big.clone())).unwrap();
    match ws.read().unwrap() {
        Message::Binary(b) => assert!(b[..] == big[..], "16 MiB echo differs"),
        m => panic!("unexpected {} bytes", m.len()),
    }
    ws.close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "done".into(),
    }))
    .unwrap();
    assert_eq!(drain_close(&mut ws), Some(1001));
}

#[test]
fn server_initiated_close_and_request_information() {
    let server = SigilServer::start("crates/sigil/tests/servers/routes.sgl", &[]);
    let mut ws = client(&server, "/close/4001");
    match ws.read().unwrap() {
        Message::Close(Some(f)) => {
            assert_eq!((u16::from(f.code), f.reason.as_str()), (4001, "bye"))
        }
        m => panic!("unexpected {m:?}"),
    }
    assert_eq!(drain_close(&mut ws), None);

    let mut request =
        tungstenite::client::IntoClientRequest::into_client_request(server.url("/info?x=1&y=%20"))
            .unwrap();
    let headers = request.headers_mut();
    headers.insert("Sec-WebSocket-Protocol", "v1, v2".parse().unwrap());
    headers.insert("User-Agent", "tungstenite test".parse().unwrap());
    let tcp = TcpStream::connect(server.addr()).unwrap();
    let (mut ws, response) = tungstenite::client::client(request, tcp).unwrap();
    assert_eq!(response.headers()["sec-websocket-protocol"], "v2");
    let got: Vec<Message> = (0..4).map(|_| ws.read().unwrap()).collect();
    assert_eq!(
        got,
        ["/info", "x=1&y=%20", "v2", "tungstenite test"].map(Message::text)
    );
}

#[test]
fn chat_server_broadcasts() {
    let server = SigilServer::start("examples/chat-server.sgl", &["0"]);
    let mut alice = client(&server, "/");
    let mut bob = client(&server, "/");
    let joined = match alice.read().unwrap() {
        Message::Text(t) => t.to_string(),
        m => panic!("unexpected {m:?}"),
    };
    assert!(
        joined.starts_with("127.0.0.1:") && joined.ends_with(" joined"),
        "{joined}"
    );
    bob.send(Message::text("hi all")).unwrap();
    assert_eq!(alice.read().unwrap(), Message::text("hi all"));
    assert_eq!(bob.read().unwrap(), Message::text("hi all"));
    bob.close(None).unwrap();
    drain_close(&mut bob);
    match alice.read().unwrap() {
        Message::Text(t) => assert!(t.ends_with(" left"), "{t}"),
        m => panic!("unexpected {m:?}"),
    }
    // The README's client talks to it too: its own message comes back, broadcast.
    let out = Command::new(env!("CARGO_BIN_EXE_sigil"))
        .arg(repo().join("examples/echo-client.sgl"))
        .env(
            "SIGIL_RESOLVE",
            format!("localhost:8080=127.0.0.1:{}", server.port),
        )
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Hello!\n");
    assert!(matches!(alice.read().unwrap(), Message::Text(t) if t.ends_with(" joined")));
    assert_eq!(alice.read().unwrap(), Message::text("Hello!"));
}

/// Runs `python_client.py` (Python `websockets` as the client) against `server` with
/// `args`; its output.
fn python_client(server: &SigilServer, args: &[&str]) -> String {
    let python = match sigil_testserver::python_with_websockets() {
        Ok(p) => p,
        Err(e) => panic!("Python websockets is needed for this test: {e}"),
    };
    let out = Command::new(python)
        .arg(repo().join("crates/sigil/tests/servers/python_client.py"))
        .arg(server.url(""))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn python_websockets_client() {
    let server = SigilServer::start("crates/sigil/tests/servers/routes.sgl", &[]);
    let stdout = python_client(&server, &[]);
    assert_eq!(
        stdout,
        "text True\nbinary True\nfragments True\nping answered\n16 MiB binary True\n\
         16 MiB text True\nextensions None\nclient close 1001 ''\nserver close 4001 bye\n\
         subprotocol v2\ninfo ['/info', 'x=1', 'v2']\n"
    );
}

#[test]
fn python_websockets_client_with_permessage_deflate() {
    let server = SigilServer::start("crates/sigil/tests/servers/routes.sgl", &["compress"]);
    assert_eq!(
        python_client(&server, &["compressed"]),
        "extensions permessage-deflate\n\
         compressed text True\ncompressed text True\ncompressed text True\n\
         compressed 1 MiB binary True\nclient close 1000\n"
    );
}

// ---- raw clients ----------------------------------------------------------------------

const UPGRADE: &str = "GET / HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
                       Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                       Sec-WebSocket-Version: 13\r\n\r\n";

/// Connects and upgrades by hand; the socket after the 101 response.
fn raw(server: &SigilServer) -> TcpStream {
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(UPGRADE.as_bytes()).unwrap();
    let mut head = Vec::new();
    let mut b = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        s.read_exact(&mut b).unwrap();
        head.push(b[0]);
    }
    assert!(head.starts_with(b"HTTP/1.1 101 "));
    s
}

/// Everything the server sends until it closes TCP.
fn rest(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    out
}

#[test]
fn bad_clients_end_only_their_connection() {
    let server = SigilServer::start("examples/echo-server.sgl", &["0"]);
    // An unmasked frame: closed with 1002 (unmasked close frame 88 LEN 03 EA ...).
    let mut s = raw(&server);
    s.write_all(&[0x81, 0x02, b'h', b'i']).unwrap();
    let answer = rest(&mut s);
    assert_eq!(answer[..4], [0x88, answer[1], 0x03, 0xea], "{answer:?}");
    assert!(String::from_utf8_lossy(&answer).contains("unmasked"));
    // Garbage after the upgrade: 1002.
    let mut s = raw(&server);
    s.write_all(b"\x17\x03\x03 garbage").unwrap();
    assert_eq!(rest(&mut s)[2..4], [0x03, 0xea]);
    // A client that stops mid-frame and vanishes.
    let mut s = raw(&server);
    s.write_all(&[0x82, 0xfe, 0x10, 0x00, 1, 2, 3, 4, 9, 9])
        .unwrap();
    drop(s);
    // Bad handshakes: answered with 400 / 426 and a reason.
    for (request, status) in [
        (UPGRADE.replace("Sec-WebSocket-Key", "X-Key"), "400"),
        (UPGRADE.replace("GET", "PUT"), "400"),
        ("GET / HTTP/1.1\r\nHost: h\r\n\r\n".to_string(), "426"),
        ("\x00\x01\x02 nonsense\r\n\r\n".to_string(), "400"),
    ] {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let answer = String::from_utf8_lossy(&rest(&mut s)).into_owned();
        assert!(
            answer.starts_with(&format!("HTTP/1.1 {status} ")),
            "{request:?}: {answer}"
        );
    }
    // A client that sends half a request and goes quiet does not hold the others.
    let mut quiet = TcpStream::connect(server.addr()).unwrap();
    quiet.write_all(&UPGRADE.as_bytes()[..20]).unwrap();
    let mut ws = client(&server, "/");
    ws.send(Message::text("still serving")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("still serving"));
}

#[test]
fn blocking_accept_outside_a_scheduler() {
    let mut server = SigilServer::start("crates/sigil/tests/servers/accept-loop.sgl", &[]);
    let mut ws = client(&server, "/");
    ws.send(Message::text("first")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("0: first"));
    assert_eq!(drain_close(&mut ws), Some(1000));
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n").unwrap();
    assert!(String::from_utf8_lossy(&rest(&mut s)).starts_with("HTTP/1.1 426 "));
    assert_eq!(
        server.next_line(),
        "refused the WebSocket upgrade request with HTTP 426: \
         this is a WebSocket endpoint: the request needs 'Upgrade: websocket'\n"
    );
    let mut ws = client(&server, "/");
    ws.send(Message::text("second")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("1: second"));
}

/// 1 000 concurrent clients, 100 echoes each, against one Sigil server process, every
/// echo checked; the server's memory per idle connection is measured on the way.
#[test]
fn thousand_concurrent_clients() {
    const CLIENTS: usize = 1000;
    let server = SigilServer::start("examples/echo-server.sgl", &["0"]);
    // Warm up (the first connection loads the libraries), then measure.
    let mut ws = client(&server, "/");
    ws.send(Message::text("warm")).unwrap();
    ws.read().unwrap();
    let before = server.rss_kib();
    let mut idle = 0;
    let report = sigil_testserver::echo_load(&server.url("/"), CLIENTS, 100, || {
        std::thread::sleep(Duration::from_millis(300));
        idle = server.rss_kib();
    })
    .unwrap();
    assert!(
        report.failures.is_empty(),
        "{:?}",
        &report.failures[..5.min(report.failures.len())]
    );
    assert_eq!(report.verified, CLIENTS * 100);
    let per_connection = (idle.saturating_sub(before)) as f64 / CLIENTS as f64;
    eprintln!(
        "server RSS: {before} KiB before, {idle} KiB with {CLIENTS} idle connections \
         ({per_connection:.1} KiB each); {} echoes in {:?}",
        report.verified, report.echo_time
    );
    assert!(
        per_connection < 16.0,
        "{per_connection:.1} KiB per idle connection"
    );
}

// ---- stopping ---------------------------------------------------------------------------

const STOPPING: &str = "crates/sigil/tests/servers/stopping.sgl";

/// Reads the server's close frame, which comes next: its code and reason (then the
/// rest, so that tungstenite answers the close and the server closes TCP).
fn close_frame(ws: &mut Ws) -> (u16, String) {
    match ws.read().unwrap() {
        Message::Close(Some(f)) => {
            let got = (u16::from(f.code), f.reason.to_string());
            drain_close(ws);
            got
        }
        m => panic!("unexpected {m:?}"),
    }
}

/// Two clients of the stopping server, one echo done, then `stop` (given the server and
/// the second client) stops it: both clients get a close frame with 1001, both handlers
/// print "handler: closed 1001", ws-serve returns 'stopped and the script ends (0).
fn stops_gracefully(stop: impl FnOnce(&SigilServer, &mut Ws)) {
    let server = SigilServer::start(STOPPING, &[]);
    let mut a = client(&server, "/");
    let mut b = client(&server, "/");
    a.send(Message::text("before")).unwrap();
    assert_eq!(a.read().unwrap(), Message::text("before"));
    stop(&server, &mut b);
    for ws in [&mut a, &mut b] {
        assert_eq!(close_frame(ws), (1001, "going away".into()));
    }
    let exited = server.wait();
    let expected = "handler: closed 1001\n".repeat(2) + "ws-serve: stopped\n";
    assert_eq!(exited.stdout, expected, "stderr: {}", exited.stderr);
    assert!(exited.status.success(), "{:?}", exited.status);
}

#[test]
fn stopping_ws_serve_closes_its_connections_with_1001() {
    // b's handler, a task of its own, closes the listener: ws-serve stops.
    stops_gracefully(|_, b| b.send(Message::text("stop")).unwrap());
}

#[test]
fn ctrl_c_stops_ws_serve_gracefully() {
    stops_gracefully(|server, _| server.interrupt());
}

#[test]
fn an_error_in_a_handler_is_reported_with_its_position_and_trace() {
    let server = SigilServer::start_keeping_stderr(STOPPING, &[]);
    let mut failing = client(&server, "/");
    failing.send(Message::text("fail")).unwrap();
    assert_eq!(close_frame(&mut failing), (1011, "internal error".into()));
    // The server goes on.
    let mut other = client(&server, "/");
    other.send(Message::text("still serving")).unwrap();
    assert_eq!(other.read().unwrap(), Message::text("still serving"));
    server.interrupt();
    assert_eq!(close_frame(&mut other), (1001, "going away".into()));
    let exited = server.wait();
    assert_eq!(
        exited.stdout, "handler: closed 1001\nws-serve: stopped\n",
        "{}",
        exited.stderr
    );
    // Reported as a script's error is, headed by the task: where it was raised, then
    // the handler's frame (its named let runs inline, in the handler's frame).
    let report: Vec<&str> = exited.stderr.lines().collect();
    assert_eq!(report.len(), 3, "{}", exited.stderr);
    assert!(report[0].starts_with("error in task "), "{}", report[0]);
    assert!(
        report[0].ends_with("stopping.sgl:15:18: car: expected a pair, got \"fail\""),
        "{}",
        report[0]
    );
    assert!(
        report[1].starts_with("  in shout (") && report[1].ends_with("stopping.sgl:15:18)"),
        "{}",
        report[1]
    );
    assert!(
        report[2].starts_with("  in handler (") && report[2].ends_with("stopping.sgl:21:64)"),
        "{}",
        report[2]
    );
}
