//! Hostile and handshake-level routes, checked byte for byte on raw TCP.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use sigil_testserver::{hostile_frame, start, Config, Running};

/// RFC 6455's sample key and its accept value.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

/// Sends an upgrade request for `path` and returns the socket and the
/// response head (everything up to the blank line).
fn request(srv: &Running, path: &str) -> (TcpStream, String) {
    let mut tcp = TcpStream::connect(("127.0.0.1", srv.port())).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        tcp.read_exact(&mut byte).unwrap();
        head.push(byte[0]);
    }
    (tcp, String::from_utf8(head).unwrap())
}

fn read_n(tcp: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    tcp.read_exact(&mut buf).unwrap();
    buf
}

fn read_to_end(tcp: &mut TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    let _ = tcp.read_to_end(&mut rest);
    rest
}

/// A masked close frame from the client with `code`.
fn client_close(code: u16) -> Vec<u8> {
    let mask = [9u8, 8, 7, 6];
    let mut frame = vec![0x88, 0x82];
    frame.extend_from_slice(&mask);
    frame.extend(code.to_be_bytes().iter().zip(mask).map(|(b, m)| b ^ m));
    frame
}

const FRAME_CASES: [&str; 11] = [
    "reserved-opcode",
    "rsv-bits",
    "big-ping",
    "fragmented-ping",
    "bad-utf8",
    "bad-close-code",
    "one-byte-close",
    "continuation-first",
    "masked",
    "huge-length",
    "new-message-mid-fragment",
];

#[test]
fn frame_cases_send_crafted_bytes_after_a_correct_101() {
    let srv = start(Config::default()).unwrap();
    thread::scope(|s| {
        for case in FRAME_CASES {
            let srv = &srv;
            s.spawn(move || {
                let (mut tcp, head) = request(srv, &format!("/hostile/{case}"));
                assert!(head.starts_with("HTTP/1.1 101"), "{case}: {head}");
                assert!(head.contains(&format!("Sec-WebSocket-Accept: {ACCEPT}\r\n")));
                let expected = hostile_frame(case).unwrap();
                assert_eq!(read_n(&mut tcp, expected.len()), expected, "{case}");
                tcp.write_all(&client_close(1002)).unwrap();
                let rest = read_to_end(&mut tcp);
                if case.ends_with("close") || case == "bad-close-code" {
                    assert!(rest.is_empty(), "{case}: {rest:?}");
                } else {
                    assert_eq!(rest, [0x88, 0x00], "{case}");
                }
            });
        }
    });
}

#[test]
fn frame_bytes_are_the_documented_ones() {
    let expect = |case: &str, bytes: &[u8]| assert_eq!(hostile_frame(case).unwrap(), bytes);
    expect("reserved-opcode", &[0x83, 0x00]);
    expect("rsv-bits", &[0xC1, 0x02, b'h', b'i']);
    expect("bad-utf8", &[0x81, 0x02, 0xFF, 0xFE]);
    expect("bad-close-code", &[0x88, 0x02, 0x03, 0xED]);
    expect("one-byte-close", &[0x88, 0x01, 0x03]);
    expect("continuation-first", &[0x80, 0x02, b'h', b'i']);
    expect("huge-length", &[0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0]);
    let big_ping = hostile_frame("big-ping").unwrap();
    assert_eq!(
        (&big_ping[..4], big_ping.len()),
        (&[0x89, 0x7E, 0, 126][..], 130)
    );
    assert_eq!(hostile_frame("silent"), None);
    assert_eq!(hostile_frame("nope"), None);
}

#[test]
fn drop_mid_frame_cuts_the_connection() {
    let srv = start(Config::default()).unwrap();
    let (mut tcp, head) = request(&srv, "/hostile/drop-mid-frame");
    assert!(head.starts_with("HTTP/1.1 101"));
    let mut expected = vec![0x82, 100];
    expected.extend(0u8..10);
    assert_eq!(read_to_end(&mut tcp), expected);
}

#[test]
fn handshake_cases() {
    let srv = start(Config::default()).unwrap();

    let (tcp, head) = request(&srv, "/hostile/bad-accept");
    assert!(head.starts_with("HTTP/1.1 101"));
    assert!(head.contains("Sec-WebSocket-Accept: "));
    assert!(!head.contains(ACCEPT));
    drop(tcp);

    let (mut tcp, head) = request(&srv, "/hostile/not-101");
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"));
    assert_eq!(read_to_end(&mut tcp), b"this is not a WebSocket\n");

    let (tcp, head) = request(&srv, "/deflate/answer/repeated-param");
    assert!(head.contains(&format!("Sec-WebSocket-Accept: {ACCEPT}\r\n")));
    assert!(head.contains(
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; \
         server_no_context_takeover\r\n"
    ));
    drop(tcp);

    let (tcp, head) = request(&srv, "/hostile/extension");
    assert!(head.contains(&format!("Sec-WebSocket-Accept: {ACCEPT}\r\n")));
    assert!(head.contains("Sec-WebSocket-Extensions: permessage-deflate\r\n"));
    drop(tcp);

    let mut tcp = TcpStream::connect(("127.0.0.1", srv.port())).unwrap();
    write!(
        tcp,
        "GET /hostile/silent HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    .unwrap();
    tcp.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let err = tcp.read(&mut [0u8; 16]).unwrap_err();
    assert!(matches!(
        err.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut
    ));
}

#[test]
fn plain_http_gets_400() {
    let srv = start(Config::default()).unwrap();
    let mut tcp = TcpStream::connect(("127.0.0.1", srv.port())).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(b"GET /echo HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let reply = String::from_utf8(read_to_end(&mut tcp)).unwrap();
    assert!(reply.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{reply}");
}

#[test]
fn fragmented_wire_format_interleaves_a_ping() {
    let srv = start(Config::default()).unwrap();
    let (mut tcp, head) = request(&srv, "/fragmented");
    assert!(head.starts_with("HTTP/1.1 101"));
    let mut expected = vec![0x01, 5];
    expected.extend_from_slice(b"Hello");
    expected.extend_from_slice(&[0x89, 11]);
    expected.extend_from_slice(b"mid-message");
    expected.extend_from_slice(&[0x00, 5]);
    expected.extend_from_slice(b", Wor");
    expected.extend_from_slice(&[0x80, 3]);
    expected.extend_from_slice(b"ld!");
    assert_eq!(read_n(&mut tcp, expected.len()), expected);
}
