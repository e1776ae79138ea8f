//! The well-behaved routes, driven by a tungstenite client.

use std::net::TcpStream;
use std::time::Duration;

use sigil_testserver::{start, Config, Running};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::{Error, HandshakeError, Message, WebSocket};

fn server() -> Running {
    start(Config::default()).expect("server starts")
}

fn try_connect(srv: &Running, path: &str) -> Result<WebSocket<TcpStream>, u16> {
    let tcp = TcpStream::connect(("127.0.0.1", srv.port())).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    match tungstenite::client(srv.ws_url(path), tcp) {
        Ok((ws, _)) => Ok(ws),
        Err(HandshakeError::Failure(Error::Http(resp))) => Err(resp.status().as_u16()),
        Err(e) => panic!("handshake failed: {e}"),
    }
}

fn connect(srv: &Running, path: &str) -> WebSocket<TcpStream> {
    try_connect(srv, path).expect("upgrade accepted")
}

/// Reads the next data or close message, skipping pings and pongs.
fn next(ws: &mut WebSocket<TcpStream>) -> Message {
    loop {
        match ws.read().expect("message") {
            Message::Ping(_) | Message::Pong(_) => continue,
            other => return other,
        }
    }
}

/// Expects a server-initiated close with `code` and `reason`, then the end.
fn expect_close(ws: &mut WebSocket<TcpStream>, code: u16, reason: &str) {
    match next(ws) {
        Message::Close(Some(frame)) => {
            assert_eq!(frame.code, CloseCode::from(code));
            assert_eq!(frame.reason.as_str(), reason);
        }
        other => panic!("expected close, got {other:?}"),
    }
    assert!(matches!(ws.read(), Err(Error::ConnectionClosed)));
}

/// Closes from the client side and waits for the server's answer.
fn close_cleanly(mut ws: WebSocket<TcpStream>) {
    ws.close(None).unwrap();
    loop {
        match ws.read() {
            Ok(_) => continue,
            Err(Error::ConnectionClosed) => return,
            Err(e) => panic!("unclean close: {e}"),
        }
    }
}

#[test]
fn echo_and_unknown_paths_echo() {
    let srv = server();
    for path in ["/echo", "/socket", "/", "/no/such/route"] {
        let mut ws = connect(&srv, path);
        ws.send(Message::text("héllo")).unwrap();
        assert_eq!(next(&mut ws), Message::text("héllo"));
        ws.send(Message::binary(vec![0u8, 255, 7])).unwrap();
        assert_eq!(next(&mut ws), Message::binary(vec![0u8, 255, 7]));
        ws.send(Message::Ping("p".into())).unwrap();
        assert_eq!(ws.read().unwrap(), Message::Pong("p".into()));
        close_cleanly(ws);
    }
}

#[test]
fn api_answers_json() {
    let srv = server();
    let mut ws = connect(&srv, "/api");
    ws.send(Message::text(
        r#"{"action":"subscribe","channel":"ticker"}"#,
    ))
    .unwrap();
    assert_eq!(
        next(&mut ws),
        Message::text(r#"{"status":"subscribed","channel":"ticker","action":"subscribe"}"#)
    );
    ws.send(Message::text(r#"{"action":"list"}"#)).unwrap();
    assert_eq!(
        next(&mut ws),
        Message::text(r#"{"status":"subscribed","channel":null,"action":"list"}"#)
    );
    ws.send(Message::text("not json")).unwrap();
    assert_eq!(next(&mut ws), Message::text(r#"{"status":"error"}"#));
    close_cleanly(ws);
}

#[test]
fn flaky_refuses_n_times_per_id() {
    let srv = server();
    assert_eq!(try_connect(&srv, "/flaky/a/2").err(), Some(503));
    assert_eq!(try_connect(&srv, "/flaky/b/1").err(), Some(503));
    assert_eq!(try_connect(&srv, "/flaky/a/2").err(), Some(503));
    let mut ws = connect(&srv, "/flaky/a/2");
    ws.send(Message::text("x")).unwrap();
    assert_eq!(next(&mut ws), Message::text("x"));
    close_cleanly(ws);
    close_cleanly(connect(&srv, "/flaky/b/1"));
    close_cleanly(connect(&srv, "/flaky/c/0"));
}

#[test]
fn close_sends_code_and_bye() {
    let srv = server();
    expect_close(&mut connect(&srv, "/close/4000"), 4000, "bye");
    expect_close(&mut connect(&srv, "/close/1001"), 1001, "bye");
}

#[test]
fn send_then_close() {
    let srv = server();
    let mut ws = connect(&srv, "/send-then-close");
    assert_eq!(next(&mut ws), Message::text("hello"));
    assert_eq!(next(&mut ws), Message::binary(vec![1u8, 2, 3]));
    expect_close(&mut ws, 1000, "done");
}

#[test]
fn ping_reports_pong_payload() {
    let srv = server();
    let mut ws = connect(&srv, "/ping");
    assert_eq!(ws.read().unwrap(), Message::Ping("are-you-there".into()));
    assert_eq!(next(&mut ws), Message::text("are-you-there"));
    close_cleanly(ws);
}

#[test]
fn big_sends_patterned_binary() {
    let srv = server();
    let mut ws = connect(&srv, "/big/100000");
    match next(&mut ws) {
        Message::Binary(data) => {
            assert_eq!(data.len(), 100_000);
            assert!(data.iter().enumerate().all(|(i, b)| *b == (i % 251) as u8));
        }
        other => panic!("expected binary, got {other:?}"),
    }
    close_cleanly(ws);
}

#[test]
fn fragmented_reassembles_with_interleaved_ping() {
    let srv = server();
    let mut ws = connect(&srv, "/fragmented");
    assert!(matches!(ws.read().unwrap(), Message::Ping(_)));
    assert_eq!(ws.read().unwrap(), Message::text("Hello, World!"));
    close_cleanly(ws);
}

#[test]
fn dropping_running_stops_listening() {
    let srv = server();
    let port = srv.port();
    drop(srv);
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}
