//! The server side of sigil-ws against independent clients: `tungstenite` (plain and
//! over rustls) for well-behaved exchanges, raw sockets writing hand-made frames for
//! fragments, unmasked frames, garbage and clients that stop mid-frame or mid-request.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::Duration;

use sigil_ws::server::{Listener, Policy, ServerOptions};
use sigil_ws::{CloseFrame, Event, Limits, Message, Role, WebSocket, WsError};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::WebSocketConfig;
use tungstenite::Message as TMessage;

/// How each accepted connection ended, as the server saw it.
type Outcomes = mpsc::Receiver<String>;

/// What the server does with one connection, by path: `/close` closes at once with
/// 4001 "bye", `/info` sends what it knows of the request then echoes, anything else
/// echoes until the client closes. Returns how it ended.
fn handle(mut ws: WebSocket) -> String {
    assert_eq!(ws.role(), Role::Server);
    match ws.path() {
        "/close" => {
            ws.close(&CloseFrame::new(4001, "bye").unwrap()).unwrap();
            return "closed by server".into();
        }
        "/info" => {
            let header = |name: &str| {
                ws.headers()
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
            };
            let info = format!(
                "url={} path={} query={:?} protocol={:?} x-test={:?} peer-ip={}",
                ws.url(),
                ws.path(),
                ws.query(),
                ws.protocol(),
                header("x-test"),
                ws.peer_addr().unwrap().ip()
            );
            ws.send_text(&info).unwrap();
        }
        _ => {}
    }
    loop {
        let echoed = match ws.receive() {
            Ok(Event::Message(Message::Text(t))) => ws.send_text(&t),
            Ok(Event::Message(Message::Binary(b))) => ws.send_binary(&b),
            Ok(Event::Close { code, reason }) => {
                return format!("closed by client {code:?} {reason}")
            }
            Ok(other) => return format!("unexpected {other:?}"),
            Err(e) => Err(e),
        };
        if let Err(e) = echoed {
            return format!("failed {:?}: {e}", e.close_code());
        }
    }
}

/// A server with `options` on a free port, a thread per connection; each connection's
/// outcome (or why its handshake failed) arrives on the channel.
fn serve(options: ServerOptions) -> (SocketAddr, Outcomes) {
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), options).unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || loop {
        let tx = tx.clone();
        match listener.accept() {
            Ok(ws) => {
                thread::spawn(move || {
                    let _ = tx.send(handle(ws));
                });
            }
            Err(e) => {
                if tx.send(format!("handshake failed: {e}")).is_err() {
                    return;
                }
            }
        }
    });
    (addr, rx)
}

fn plain() -> (SocketAddr, Outcomes) {
    serve(ServerOptions::default())
}

fn outcome(rx: &Outcomes) -> String {
    rx.recv_timeout(Duration::from_secs(10))
        .expect("the server reports the connection's end")
}

type Tws = tungstenite::WebSocket<TcpStream>;

fn tungstenite_client(addr: SocketAddr, path: &str) -> Tws {
    let tcp = TcpStream::connect(addr).unwrap();
    let config = WebSocketConfig::default().max_message_size(Some(64 << 20));
    let url = format!("ws://{addr}{path}");
    tungstenite::client::client_with_config(url.as_str(), tcp, Some(config))
        .unwrap()
        .0
}

#[test]
fn text_binary_ping_and_client_close_with_tungstenite() {
    let (addr, outcomes) = plain();
    let mut ws = tungstenite_client(addr, "/echo");
    ws.send(TMessage::text("héllo")).unwrap();
    assert_eq!(ws.read().unwrap(), TMessage::text("héllo"));
    ws.send(TMessage::binary(vec![0u8, 1, 255])).unwrap();
    assert_eq!(ws.read().unwrap(), TMessage::binary(vec![0u8, 1, 255]));
    ws.send(TMessage::Ping(b"are you there".to_vec().into()))
        .unwrap();
    assert_eq!(
        ws.read().unwrap(),
        TMessage::Pong(b"are you there".to_vec().into())
    );
    ws.close(Some(tungstenite::protocol::CloseFrame {
        code: CloseCode::Away,
        reason: "done".into(),
    }))
    .unwrap();
    // The server echoes the close and closes TCP first.
    loop {
        match ws.read() {
            Ok(TMessage::Close(Some(f))) => assert_eq!(u16::from(f.code), 1001),
            Ok(m) => panic!("unexpected {m:?}"),
            Err(tungstenite::Error::ConnectionClosed) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(outcome(&outcomes), "closed by client Some(1001) done");
}

#[test]
fn server_initiated_close_with_tungstenite() {
    let (addr, outcomes) = plain();
    let mut ws = tungstenite_client(addr, "/close");
    match ws.read().unwrap() {
        TMessage::Close(Some(f)) => {
            assert_eq!(u16::from(f.code), 4001);
            assert_eq!(f.reason.as_str(), "bye");
        }
        m => panic!("unexpected {m:?}"),
    }
    // tungstenite queued its echo; flushing it completes the handshake.
    while ws.read().is_ok() {}
    assert_eq!(outcome(&outcomes), "closed by server");
}

#[test]
fn sixteen_mib_messages_both_ways() {
    let (addr, _outcomes) = plain();
    let mut ws = tungstenite_client(addr, "/echo");
    let big: Vec<u8> = (0..16 << 20).map(|i| (i % 251) as u8).collect();
    ws.send(TMessage::binary(big.clone())).unwrap();
    match ws.read().unwrap() {
        TMessage::Binary(b) => assert!(b[..] == big[..], "16 MiB echo differs"),
        m => panic!("unexpected {:?}", m.len()),
    }
    let text = "€".repeat((16 << 20) / 3);
    ws.send(TMessage::text(text.clone())).unwrap();
    assert_eq!(ws.read().unwrap(), TMessage::text(text));
}

#[test]
fn request_information_and_subprotocol() {
    let options = ServerOptions {
        policy: Policy {
            protocols: vec!["v2".into(), "chat".into()],
            ..Policy::default()
        },
        ..ServerOptions::default()
    };
    let (addr, _outcomes) = serve(options);
    let mut request = tungstenite::client::IntoClientRequest::into_client_request(format!(
        "ws://{addr}/info?room=1"
    ))
    .unwrap();
    let headers = request.headers_mut();
    headers.insert("X-Test", "yes".parse().unwrap());
    headers.insert("Sec-WebSocket-Protocol", "chat, v2".parse().unwrap());
    let (mut ws, response) =
        tungstenite::client::client(request, TcpStream::connect(addr).unwrap()).unwrap();
    assert_eq!(
        response.headers().get("sec-websocket-protocol").unwrap(),
        "v2"
    );
    assert_eq!(
        ws.read().unwrap(),
        TMessage::text(format!(
            "url=ws://{addr}/info?room=1 path=/info query=Some(\"room=1\") \
             protocol=Some(\"v2\") x-test=Some(\"yes\") peer-ip=127.0.0.1"
        ))
    );
}

#[test]
fn wss_with_tungstenite_over_rustls() {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    let config = sigil_ws::server::tls::server_config(
        cert.cert.pem().as_bytes(),
        cert.signing_key.serialize_pem().as_bytes(),
        "test",
    )
    .unwrap();
    let options = ServerOptions {
        tls: Some(config),
        ..ServerOptions::default()
    };
    let (addr, outcomes) = serve(options);
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.cert.der().clone()).unwrap();
    let client_config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tls =
        rustls::ClientConnection::new(Arc::new(client_config), "localhost".try_into().unwrap())
            .unwrap();
    let stream = rustls::StreamOwned::new(tls, TcpStream::connect(addr).unwrap());
    let url = format!("wss://localhost:{}/info", addr.port());
    let (mut ws, _) = tungstenite::client::client(url.as_str(), stream).unwrap();
    match ws.read().unwrap() {
        TMessage::Text(t) => assert!(
            t.starts_with(&format!("url=wss://localhost:{}/info ", addr.port())),
            "{t}"
        ),
        m => panic!("unexpected {m:?}"),
    }
    ws.send(TMessage::text("over TLS")).unwrap();
    assert_eq!(ws.read().unwrap(), TMessage::text("over TLS"));
    ws.close(None).unwrap();
    while ws.read().is_ok() {}
    assert_eq!(outcome(&outcomes), "closed by client None ");
}

// ---- raw clients: hand-made bytes ---------------------------------------------------

const UPGRADE: &str = "GET /echo HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n\
                       Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
                       Sec-WebSocket-Version: 13\r\n\r\n";

/// A client frame made by hand: FIN and opcode in `b0`, masked with a fixed key unless
/// `masked` is false.
fn frame(b0: u8, payload: &[u8], masked: bool) -> Vec<u8> {
    let key = [0xa1, 0x07, 0x5c, 0xe3];
    let mut out = vec![b0];
    let mask_bit = if masked { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => out.push(mask_bit | n as u8),
        n if n <= 0xffff => {
            out.push(mask_bit | 126);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            out.push(mask_bit | 127);
            out.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    if masked {
        out.extend_from_slice(&key);
        out.extend(payload.iter().enumerate().map(|(i, b)| b ^ key[i % 4]));
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// A raw connection that completed the upgrade (the 101 read and checked).
fn raw_upgraded(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(UPGRADE.as_bytes()).unwrap();
    let head = read_head(&mut s);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    s
}

/// Reads an HTTP head byte by byte (so nothing after it is consumed).
fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut b = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut b).unwrap(), 1, "head cut: {head:?}");
        head.push(b[0]);
    }
    String::from_utf8(head).unwrap()
}

/// Reads one unmasked server frame: (first byte, payload).
fn read_frame(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut h = [0u8; 2];
    s.read_exact(&mut h).unwrap();
    assert_eq!(h[1] & 0x80, 0, "server frames are not masked");
    let len = match h[1] & 0x7f {
        126 => {
            let mut l = [0u8; 2];
            s.read_exact(&mut l).unwrap();
            u16::from_be_bytes(l) as usize
        }
        127 => {
            let mut l = [0u8; 8];
            s.read_exact(&mut l).unwrap();
            u64::from_be_bytes(l) as usize
        }
        n => n as usize,
    };
    let mut payload = vec![0u8; len];
    s.read_exact(&mut payload).unwrap();
    (h[0], payload)
}

/// Reads until the server's close frame; returns its code; then the server closes TCP.
fn close_code(s: &mut TcpStream) -> u16 {
    loop {
        let (b0, payload) = read_frame(s);
        if b0 == 0x88 {
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest);
            return u16::from_be_bytes([payload[0], payload[1]]);
        }
    }
}

#[test]
fn fragments_and_interleaved_control_frames() {
    let (addr, outcomes) = plain();
    let mut s = raw_upgraded(addr);
    let mut data = frame(0x01, b"Hel", true);
    data.extend(frame(0x89, b"mid", true)); // ping between fragments
    data.extend(frame(0x00, b"", true));
    data.extend(frame(0x80, "lo ✓".as_bytes(), true));
    s.write_all(&data).unwrap();
    assert_eq!(read_frame(&mut s), (0x8a, b"mid".to_vec()));
    assert_eq!(read_frame(&mut s), (0x81, "Hello ✓".as_bytes().to_vec()));
    // A fragmented binary message of 200 000 bytes in frames of 70 000, written byte
    // by byte at the frame boundaries.
    let big: Vec<u8> = (0..200_000).map(|i| (i % 253) as u8).collect();
    let mut frames = Vec::new();
    for (i, chunk) in big.chunks(70_000).enumerate() {
        let fin = if (i + 1) * 70_000 >= big.len() {
            0x80
        } else {
            0
        };
        let op = if i == 0 { 0x02 } else { 0x00 };
        frames.extend(frame(fin | op, chunk, true));
    }
    for piece in frames.chunks(65_531) {
        s.write_all(piece).unwrap();
    }
    assert_eq!(read_frame(&mut s), (0x82, big));
    s.write_all(&frame(0x88, &1000u16.to_be_bytes(), true))
        .unwrap();
    assert_eq!(close_code(&mut s), 1000);
    assert_eq!(outcome(&outcomes), "closed by client Some(1000) ");
}

#[test]
fn unmasked_client_frame_is_refused_with_1002() {
    let (addr, outcomes) = plain();
    let mut s = raw_upgraded(addr);
    s.write_all(&frame(0x81, b"hi", false)).unwrap();
    assert_eq!(close_code(&mut s), 1002);
    let o = outcome(&outcomes);
    assert!(
        o.starts_with("failed Some(1002)") && o.contains("client sent an unmasked frame"),
        "{o}"
    );
}

#[test]
fn protocol_violations_end_only_their_connection() {
    let (addr, outcomes) = plain();
    let cases: [(&[u8], u16); 6] = [
        (&[0x83, 0x80, 0, 0, 0, 0], 1002),             // reserved opcode
        (&[0xc1, 0x80, 0, 0, 0, 0], 1002),             // RSV1 without an extension
        (&[0x09, 0x80, 0, 0, 0, 0], 1002),             // fragmented ping
        (&[0x80, 0x81, 0, 0, 0, 0, b'x'], 1002),       // continuation first
        (&[0x81, 0x82, 0, 0, 0, 0, 0xff, 0xfe], 1007), // invalid UTF-8
        (b"\x17\x03\x03 garbage, not a frame at all", 1002),
    ];
    for (bytes, code) in cases {
        let mut s = raw_upgraded(addr);
        s.write_all(bytes).unwrap();
        assert_eq!(close_code(&mut s), code, "{bytes:?}");
        let o = outcome(&outcomes);
        assert!(o.starts_with(&format!("failed Some({code})")), "{o}");
    }
    // The server still serves.
    let mut ws = tungstenite_client(addr, "/echo");
    ws.send(TMessage::text("still here")).unwrap();
    assert_eq!(ws.read().unwrap(), TMessage::text("still here"));
}

#[test]
fn oversize_message_fails_with_1009() {
    let options = ServerOptions {
        limits: Limits {
            max_message_size: 1000,
            ..Limits::default()
        },
        ..ServerOptions::default()
    };
    let (addr, outcomes) = serve(options);
    let mut s = raw_upgraded(addr);
    // Only the header: the size is refused before any payload arrives.
    s.write_all(&frame(0x82, &vec![0u8; 1001], true)[..8])
        .unwrap();
    assert_eq!(close_code(&mut s), 1009);
    assert!(outcome(&outcomes).starts_with("failed Some(1009)"));
}

#[test]
fn client_that_vanishes_mid_frame_or_mid_request() {
    let (addr, outcomes) = plain();
    let mut s = raw_upgraded(addr);
    s.write_all(&frame(0x82, &[7u8; 100], true)[..50]).unwrap();
    drop(s);
    let o = outcome(&outcomes);
    assert!(o.starts_with("failed Some(1006)"), "{o}");

    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&UPGRADE.as_bytes()[..40]).unwrap();
    drop(s);
    let o = outcome(&outcomes);
    assert!(
        o.contains("handshake failed")
            && o.contains("closed the connection during the opening handshake"),
        "{o}"
    );
}

#[test]
fn stalled_handshake_times_out() {
    let options = ServerOptions {
        limits: Limits {
            connect_timeout: Duration::from_millis(200),
            ..Limits::default()
        },
        ..ServerOptions::default()
    };
    let (addr, outcomes) = serve(options);
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&UPGRADE.as_bytes()[..40]).unwrap();
    let o = outcome(&outcomes);
    assert!(o.contains("did not complete within 200ms"), "{o}");
    let mut rest = Vec::new();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    assert_eq!(
        s.read_to_end(&mut rest).unwrap(),
        0,
        "closed without an answer"
    );
}

#[test]
fn bad_handshakes_are_answered_with_400() {
    let (addr, outcomes) = plain();
    let ask = |request: &str| -> String {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        s.read_to_string(&mut answer).unwrap();
        answer
    };
    let no_key = UPGRADE.replace("Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "");
    let answer = ask(&no_key);
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
    assert!(
        answer.ends_with("\r\n\r\nmissing Sec-WebSocket-Key header\n"),
        "{answer}"
    );
    assert!(outcome(&outcomes).contains("HTTP 400: missing Sec-WebSocket-Key header"));

    let answer = ask("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assert!(
        answer.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
        "{answer}"
    );
    let answer = ask(&UPGRADE.replace("Version: 13", "Version: 7"));
    assert!(answer.starts_with("HTTP/1.1 426 "), "{answer}");
    assert!(
        answer.contains("\r\nSec-WebSocket-Version: 13\r\n"),
        "{answer}"
    );
    let answer = ask("\x16\x03\x01 a TLS hello to a plain server\r\n\r\n");
    assert!(answer.starts_with("HTTP/1.1 400 "), "{answer}");

    // tungstenite's view of a refusal.
    let origins = ServerOptions {
        policy: Policy {
            origins: vec!["https://ok.example".into()],
            ..Policy::default()
        },
        ..ServerOptions::default()
    };
    let (addr, _outcomes) = serve(origins);
    let mut request =
        tungstenite::client::IntoClientRequest::into_client_request(format!("ws://{addr}/"))
            .unwrap();
    request
        .headers_mut()
        .insert("Origin", "https://evil.example".parse().unwrap());
    match tungstenite::client::client(request, TcpStream::connect(addr).unwrap()) {
        Err(tungstenite::HandshakeError::Failure(tungstenite::Error::Http(r))) => {
            assert_eq!(r.status(), 403)
        }
        other => panic!("expected 403, got {:?}", other.map(|_| ())),
    }
}

#[test]
fn blocking_accept_returns_handshake_errors_and_listener_shutdown_wakes_it() {
    let listener =
        Listener::bind("127.0.0.1:0".parse().unwrap(), ServerOptions::default()).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(b"GET / HTTP/1.1\r\n\r\n").unwrap();
    assert!(matches!(
        listener.accept(),
        Err(WsError::RequestRefused { status: 426, .. })
    ));
    let listener = Arc::new(listener);
    let waiter = {
        let listener = Arc::clone(&listener);
        thread::spawn(move || listener.accept().map(drop))
    };
    thread::sleep(Duration::from_millis(100));
    listener.shutdown();
    let woke = waiter.join().unwrap();
    assert!(woke.is_err(), "accept after shutdown fails");
}

#[test]
fn keepalive_pings_and_fails_a_silent_client_with_1011() {
    let options = ServerOptions {
        limits: Limits {
            ping_interval: Some(Duration::from_millis(100)),
            ping_timeout: Some(Duration::from_millis(150)),
            ..Limits::default()
        },
        ..ServerOptions::default()
    };
    let (addr, outcomes) = serve(options);
    // tungstenite answers the pings while it reads: the connection stays up.
    let mut ws = tungstenite_client(addr, "/echo");
    ws.get_mut()
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut pings = 0;
    while pings < 3 {
        match ws.read().unwrap() {
            TMessage::Ping(_) => pings += 1,
            m => panic!("unexpected {m:?}"),
        }
    }
    ws.send(TMessage::text("alive")).unwrap();
    loop {
        match ws.read().unwrap() {
            TMessage::Ping(_) => {}
            m => break assert_eq!(m, TMessage::text("alive")),
        }
    }
    // A client that never answers: a ping, then 1011 once the pong is late.
    let mut s = raw_upgraded(addr);
    let (b0, payload) = read_frame(&mut s);
    assert_eq!((b0, payload.len()), (0x89, 4), "a keepalive ping");
    assert_eq!(close_code(&mut s), 1011);
    let o = outcome(&outcomes);
    assert!(
        o.contains("keepalive ping timeout: the client did not answer a ping in time"),
        "{o}"
    );
}

#[test]
fn server_timeouts_name_the_client() {
    let with = |limits: Limits| {
        serve(ServerOptions {
            limits,
            ..ServerOptions::default()
        })
    };
    let (addr, outcomes) = with(Limits {
        read_timeout: Some(Duration::from_millis(200)),
        ..Limits::default()
    });
    let _silent = raw_upgraded(addr);
    assert_eq!(
        outcome(&outcomes),
        "failed None: timed out waiting for the client"
    );
    let mut s = raw_upgraded(addr);
    s.write_all(&frame(0x82, &[7u8; 100], true)[..50]).unwrap();
    assert_eq!(
        outcome(&outcomes),
        "failed Some(1006): timed out waiting for the client in the middle of a frame (1006)"
    );
    // A client that sends 16 MiB and reads nothing: the echo cannot be written.
    let (addr, outcomes) = with(Limits {
        write_timeout: Some(Duration::from_millis(200)),
        ..Limits::default()
    });
    let big = frame(0x82, &vec![7u8; 16 << 20], true);
    let mut s = raw_upgraded(addr);
    s.write_all(&big).unwrap();
    assert_eq!(
        outcome(&outcomes),
        "failed None: timed out writing to the client (write timeout 200ms); the \
         connection is closed"
    );
}

/// Accepts one connection on a fresh listener with `limits`; the client side is
/// `connect(addr)`'s.
fn accept_one<C: Send + 'static>(
    limits: Limits,
    connect: impl FnOnce(SocketAddr) -> C + Send + 'static,
) -> (WebSocket, C) {
    let options = ServerOptions {
        limits,
        ..ServerOptions::default()
    };
    let listener = Listener::bind("127.0.0.1:0".parse().unwrap(), options).unwrap();
    let addr = listener.local_addr().unwrap();
    let client = thread::spawn(move || connect(addr));
    let ws = listener.accept().unwrap();
    (ws, client.join().unwrap())
}

#[test]
fn begin_close_is_finished_by_a_waiting_receive() {
    let (mut ws, mut client) = accept_one(Limits::default(), |a| tungstenite_client(a, "/"));
    ws.set_nonblocking(true).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    // A receive waits (a server's handler, parked)...
    let first = ws.poll_receive(Some(deadline)).unwrap();
    assert!(matches!(first, sigil_ws::Progress::Wait(..)), "{first:?}");
    // ...while the server stops: the close frame goes out at once.
    ws.begin_close(&CloseFrame::new(1001, "going away").unwrap())
        .unwrap();
    let answered = thread::spawn(move || {
        let code = match client.read().unwrap() {
            TMessage::Close(Some(f)) => (u16::from(f.code), f.reason.to_string()),
            m => panic!("unexpected {m:?}"),
        };
        // tungstenite answers the close; the server then closes TCP.
        while client.read().is_ok() {}
        code
    });
    let event = loop {
        match ws.poll_receive(Some(deadline)).unwrap() {
            sigil_ws::Progress::Done(ev) => break ev,
            sigil_ws::Progress::Wait(interest, until) => {
                sigil_ws::connector::wait_for(&ws, interest, until).unwrap()
            }
        }
    };
    assert_eq!(
        event,
        Event::Close {
            code: Some(1001),
            reason: "going away".into()
        }
    );
    assert_eq!(ws.state(), sigil_ws::State::Closed);
    assert_eq!(answered.join().unwrap(), (1001, "going away".into()));
}

#[test]
fn begin_close_unanswered_ends_a_receive_at_the_close_timeout() {
    let limits = Limits {
        close_timeout: Duration::from_millis(300),
        ..Limits::default()
    };
    let (mut ws, mut silent) = accept_one(limits, raw_upgraded);
    ws.begin_close(&CloseFrame::new(1001, "").unwrap()).unwrap();
    assert_eq!(read_frame(&mut silent).0, 0x88, "the close frame is out");
    let started = std::time::Instant::now();
    // The client never answers: the receive ends at the close deadline, not its own
    // (none), and the socket is shut down.
    assert!(matches!(ws.receive(), Err(WsError::ConnectionClosed)));
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(ws.state(), sigil_ws::State::Closed);
    assert_eq!(silent.read(&mut [0u8; 16]).unwrap(), 0, "TCP closed");
}
