//! Plain `ws://` tests against a real tungstenite server.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::time::{Duration, Instant};

use sigil_ws::{
    connect, CloseFrame, ConnectOptions, Event, Interest, Limits, Message, Progress, ProtocolError,
    RequestOptions, ResolveOverride, State, WsError,
};

fn url(path: &str) -> String {
    format!("ws://{}{path}", common::start_plain())
}

fn text(ev: Event) -> String {
    match ev {
        Event::Message(Message::Text(t)) => t,
        other => panic!("expected text, got {other:?}"),
    }
}

#[test]
fn text_binary_ping_and_close() {
    let mut c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    assert_eq!(c.state(), State::Open);
    assert!(!c.is_tls());
    assert_eq!(c.peer_addr().unwrap().ip().to_string(), "127.0.0.1");
    assert!(c.local_addr().unwrap().port() > 0);
    c.send_text("hello ✓").unwrap();
    assert_eq!(text(c.receive().unwrap()), "hello ✓");
    c.send_binary(&[0, 1, 2, 255]).unwrap();
    assert_eq!(
        c.receive().unwrap(),
        Event::Message(Message::Binary(vec![0, 1, 2, 255]))
    );
    c.ping(b"abc").unwrap();
    assert_eq!(c.receive_event().unwrap(), Event::Pong(b"abc".to_vec()));
    c.close(&CloseFrame::new(1000, "done").unwrap()).unwrap();
    assert_eq!(c.state(), State::Closed);
    assert_eq!(c.close_code(), Some(1000));
    assert!(matches!(
        c.send_text("late"),
        Err(WsError::ConnectionClosed)
    ));
    assert!(matches!(c.receive(), Err(WsError::ConnectionClosed)));
}

#[test]
fn sixteen_mib_message_round_trip() {
    let mut c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    let big: Vec<u8> = (0..16usize << 20)
        .map(|i| (i * 7 + i / 251) as u8)
        .collect();
    c.send_binary(&big).unwrap();
    match c.receive().unwrap() {
        Event::Message(Message::Binary(b)) => assert!(b == big, "payload differs"),
        other => panic!("{other:?}"),
    }
    let text = "é".repeat(1 << 20);
    c.send_text(&text).unwrap();
    assert!(matches!(c.receive().unwrap(), Event::Message(Message::Text(t)) if t == text));
    c.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}

#[test]
fn server_ping_is_answered_automatically() {
    let mut c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    c.send_text("ping-me").unwrap();
    // receive() skips the ping but answers it; the server reports the pong payload.
    assert_eq!(text(c.receive().unwrap()), "got pong: srv");
}

#[test]
fn fragmented_message_with_interleaved_ping() {
    let mut c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    c.send_text("fragments").unwrap();
    assert_eq!(c.receive_event().unwrap(), Event::Ping(b"hi".to_vec()));
    assert_eq!(text(c.receive_event().unwrap()), "fragmé");
    // The automatic pong reached the server.
    assert_eq!(text(c.receive().unwrap()), "got pong: hi");
}

#[test]
fn server_initiated_close() {
    let mut c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    c.send_text("close-me").unwrap();
    let ev = c.receive().unwrap();
    assert_eq!(
        ev,
        Event::Close {
            code: Some(4001),
            reason: "bye".into()
        }
    );
    assert_eq!(c.state(), State::Closed);
    assert_eq!(
        (c.close_code(), c.close_reason()),
        (Some(4001), Some("bye"))
    );
    assert!(matches!(c.send_text("x"), Err(WsError::ConnectionClosed)));
    c.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}

#[test]
fn request_headers_subprotocol_and_resolve_override() {
    let addr = common::start_plain();
    let options = ConnectOptions {
        request: RequestOptions {
            origin: Some("https://sigil.example".into()),
            protocols: vec!["chat".into()],
            headers: vec![("X-Test".into(), "42".into())],
            ..Default::default()
        },
        resolve: vec![ResolveOverride {
            host: "sigil.test".into(),
            port: 9999,
            addr,
        }],
        ..Default::default()
    };
    let mut c = connect("ws://sigil.test:9999/headers?a=1&b=2", &options).unwrap();
    assert_eq!(c.protocol(), Some("chat"));
    assert_eq!(c.peer_addr().unwrap(), addr);
    let seen = text(c.receive().unwrap());
    assert!(seen.contains("path=/headers?a=1&b=2;"), "{seen}");
    assert!(seen.contains("host=sigil.test:9999;"), "{seen}");
    assert!(seen.contains("origin=https://sigil.example;"), "{seen}");
    assert!(seen.contains("x-test=42;"), "{seen}");
    assert!(seen.contains("sec-websocket-protocol=chat;"), "{seen}");

    let mut plain = connect(&format!("ws://{addr}/headers"), &ConnectOptions::default()).unwrap();
    let seen = text(plain.receive().unwrap());
    assert!(!seen.contains("origin="), "{seen}");
    assert_eq!(plain.protocol(), None);
}

#[test]
fn rejected_upgrade_reports_status() {
    let err = connect(&url("/reject"), &ConnectOptions::default()).unwrap_err();
    assert!(
        matches!(err, WsError::HandshakeRejected { status: 403, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("403"));
}

#[test]
fn oversize_message_fails_with_1009() {
    let options = ConnectOptions {
        limits: Limits {
            max_message_size: 1000,
            ..Limits::default()
        },
        ..Default::default()
    };
    let mut c = connect(&url("/echo"), &options).unwrap();
    c.send_binary(&[7; 2000]).unwrap();
    let err = c.receive().unwrap_err();
    assert!(
        matches!(err, WsError::Protocol(ProtocolError::MessageTooBig { .. })),
        "{err}"
    );
    assert_eq!(err.close_code(), Some(1009));
    assert_eq!(c.failure().map(ProtocolError::close_code), Some(1009));
    assert_eq!(c.state(), State::Closed);
}

#[test]
fn shared_fd_keeps_the_socket_open() {
    use std::os::fd::{AsFd, AsRawFd};
    let c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    let fd = c.shared_fd();
    assert_eq!(
        fd.as_fd().as_raw_fd(),
        c.as_fd().as_raw_fd(),
        "no duplicate"
    );
    let local = c.local_addr().unwrap();
    drop(c);
    let sock = socket2::SockRef::from(&fd).local_addr().unwrap();
    assert_eq!(
        sock.as_socket(),
        Some(local),
        "open after the WebSocket is dropped"
    );
}

#[cfg(unix)]
#[test]
fn nonblocking_receive_and_flush() {
    let mut c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    // Its descriptor is the connection's socket.
    let sock = socket2::SockRef::from(&c).local_addr().unwrap();
    assert_eq!(sock.as_socket(), Some(c.local_addr().unwrap()));
    c.set_nonblocking(true).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    assert_eq!(
        c.poll_receive(Some(deadline)).unwrap(),
        Progress::Wait(Interest::Readable, Some(deadline))
    );
    assert!(matches!(c.receive(), Err(WsError::WouldBlock)));
    c.send_text("async").unwrap();
    let ev = loop {
        if c.wants_write() {
            c.poll_flush().unwrap();
        }
        match c.poll_receive(Some(deadline)).unwrap() {
            Progress::Done(ev) => break ev,
            Progress::Wait(..) => std::thread::sleep(Duration::from_millis(1)),
        }
        assert!(Instant::now() < deadline, "no message");
    };
    assert_eq!(text(ev), "async");
    assert!(!c.wants_write());
    // The deadline given to poll_receive bounds the whole receive.
    let past = Instant::now();
    assert!(matches!(
        c.poll_receive(Some(past)),
        Err(WsError::Timeout { .. })
    ));
    assert_eq!(c.state(), State::Open);
    // A non-blocking close goes step by step.
    let frame = CloseFrame::new(1000, "").unwrap();
    while let Progress::Wait(..) = c.poll_close(&frame).unwrap() {
        std::thread::sleep(Duration::from_millis(1));
        assert!(Instant::now() < deadline, "no close");
    }
    assert_eq!(c.state(), State::Closed);
    assert_eq!(c.close_code(), Some(1000));
}

#[test]
fn read_timeout() {
    let mut c = connect(&url("/echo"), &ConnectOptions::default()).unwrap();
    c.set_read_timeout(Some(Duration::from_millis(50)));
    assert!(matches!(c.receive(), Err(WsError::Timeout { .. })));
    // Still usable afterwards.
    c.send_text("after").unwrap();
    assert_eq!(text(c.receive().unwrap()), "after");
}

/// A server that answers the handshake and then breaks the protocol.
fn misbehaving(after_handshake: &'static [u8]) -> String {
    let addr = common::raw_server(move |mut s| {
        let mut reader = BufReader::new(s.try_clone().unwrap());
        let mut key = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                break;
            }
            if let Some(v) = line.strip_prefix("Sec-WebSocket-Key: ") {
                key = v.trim().to_string();
            }
        }
        let accept = sigil_ws::handshake::accept_key(&key);
        // Response and first frame in one write: the leftover path must keep them.
        let mut out = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
        )
        .into_bytes();
        out.extend_from_slice(after_handshake);
        s.write_all(&out).unwrap();
        std::thread::sleep(Duration::from_millis(200));
    });
    format!("ws://{addr}/")
}

#[test]
fn frames_right_after_handshake_are_kept() {
    let mut c = connect(
        &misbehaving(b"\x81\x05early\x82\x01\x07"),
        &ConnectOptions::default(),
    )
    .unwrap();
    assert_eq!(text(c.receive().unwrap()), "early");
    assert_eq!(
        c.receive().unwrap(),
        Event::Message(Message::Binary(vec![7]))
    );
    // The server then drops TCP without a close frame.
    assert!(matches!(
        c.receive(),
        Err(WsError::Protocol(ProtocolError::ConnectionLost))
    ));
}

#[test]
fn protocol_violation_fails_with_code() {
    let mut c = connect(
        &misbehaving(b"\x81\x02\xc3\x28"),
        &ConnectOptions::default(),
    )
    .unwrap();
    let err = c.receive().unwrap_err();
    assert_eq!(err.close_code(), Some(1007), "{err}");
    let mut c = connect(&misbehaving(b"\x81\x82abcdxy"), &ConnectOptions::default()).unwrap();
    let err = c.receive().unwrap_err();
    assert_eq!(err.close_code(), Some(1002), "{err}");
}

#[test]
fn connect_errors_are_readable() {
    let err = connect("http://127.0.0.1/", &ConnectOptions::default()).unwrap_err();
    assert!(matches!(err, WsError::UnsupportedScheme(_)));
    let err = connect("ws://no-such-host.invalid/", &ConnectOptions::default()).unwrap_err();
    assert!(matches!(err, WsError::Dns { .. }), "{err}");
    // A server that accepts TCP but never answers the upgrade: connect timeout.
    let addr = common::raw_server(|_s| std::thread::sleep(Duration::from_millis(1500)));
    let options = ConnectOptions {
        limits: Limits {
            connect_timeout: Duration::from_millis(200),
            ..Limits::default()
        },
        ..Default::default()
    };
    let started = Instant::now();
    let err = connect(&format!("ws://{addr}/"), &options).unwrap_err();
    assert!(matches!(err, WsError::ConnectTimeout { .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(1));
}
