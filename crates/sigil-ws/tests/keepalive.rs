//! Keepalive pings against real peers: the tungstenite echo server (which answers
//! pings), and tungstenite peers that read frames raw and answer late or never.

mod common;

use std::net::SocketAddr;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use sigil_ws::{connect, ConnectOptions, Event, Limits, ProtocolError, State, WsError};
use tungstenite::protocol::frame::coding::{Control, OpCode};
use tungstenite::protocol::frame::{Frame, FrameSocket};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn options(interval: u64, timeout: u64) -> ConnectOptions {
    ConnectOptions {
        limits: Limits {
            ping_interval: Some(ms(interval)),
            ping_timeout: Some(ms(timeout)),
            ..Limits::default()
        },
        ..ConnectOptions::default()
    }
}

/// A peer that completes the handshake with tungstenite, then reads frames raw and
/// reports each (opcode, payload) on the channel; it answers a ping with its pong after
/// `pong_after`, or never when that is `None`.
fn raw_peer(pong_after: Option<Duration>) -> (SocketAddr, Receiver<(OpCode, Vec<u8>)>) {
    let (tx, rx) = mpsc::channel();
    let addr = common::raw_server(move |s| {
        let reader = s.try_clone().unwrap();
        let Ok(_ws) = tungstenite::accept(s) else {
            return;
        };
        let mut frames = FrameSocket::new(reader);
        while let Ok(Some(frame)) = frames.read(None) {
            let opcode = frame.header().opcode;
            let mask = frame.header().mask.unwrap_or_default();
            let payload: Vec<u8> = (frame.payload().iter().enumerate())
                .map(|(i, b)| b ^ mask[i % 4])
                .collect();
            if let (OpCode::Control(Control::Ping), Some(delay)) = (opcode, pong_after) {
                std::thread::sleep(delay);
                let _ = frames.send(Frame::pong(payload.clone()));
            }
            if tx.send((opcode, payload)).is_err() {
                return;
            }
        }
    });
    (addr, rx)
}

#[test]
fn pings_go_out_on_schedule_and_pongs_keep_the_connection() {
    let url = format!("ws://{}/echo", common::start_plain());
    let mut c = connect(&url, &options(50, 1000)).unwrap();
    let start = Instant::now();
    match c.receive_event().unwrap() {
        Event::Pong(p) => assert_eq!(p.len(), 4, "a keepalive payload"),
        other => panic!("expected the keepalive pong, got {other:?}"),
    }
    assert!(start.elapsed() >= ms(45), "{:?}", start.elapsed());
    // Several pings and pongs within one receive, which ends at its own deadline.
    c.set_read_timeout(Some(ms(400)));
    assert!(matches!(c.receive(), Err(WsError::Timeout { .. })));
    assert_eq!(c.state(), State::Open);
    c.send_text("still here").unwrap();
    assert!(matches!(c.receive(), Ok(Event::Message(_))));
}

#[test]
fn a_silent_peer_fails_the_connection_with_1011() {
    let (addr, frames) = raw_peer(None);
    let mut c = connect(&format!("ws://{addr}/"), &options(100, 150)).unwrap();
    let start = Instant::now();
    let err = c.receive().unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(
            err,
            WsError::Protocol(ProtocolError::KeepaliveTimeout { .. })
        ),
        "{err}"
    );
    assert_eq!(err.close_code(), Some(1011));
    assert!(err.to_string().contains("keepalive ping timeout"), "{err}");
    assert!(took >= ms(250) && took < ms(1000), "{took:?}");
    assert_eq!(c.state(), State::Closed);
    // The peer saw one ping, then our close frame: 1011 and the reason.
    let (op, ping) = frames.recv_timeout(ms(2000)).unwrap();
    assert_eq!((op, ping.len()), (OpCode::Control(Control::Ping), 4));
    let (op, close) = frames.recv_timeout(ms(2000)).unwrap();
    assert_eq!(op, OpCode::Control(Control::Close));
    assert_eq!(close[..2], 1011u16.to_be_bytes());
    assert_eq!(&close[2..], b"keepalive ping timeout");
}

#[test]
fn a_late_receive_counts_the_pong_that_arrived_meanwhile() {
    // The pong comes 100 ms after the ping, when the first receive has returned.
    let (addr, frames) = raw_peer(Some(ms(100)));
    let mut opts = options(50, 200);
    opts.limits.read_timeout = Some(ms(80));
    let mut c = connect(&format!("ws://{addr}/"), &opts).unwrap();
    assert!(matches!(c.receive(), Err(WsError::Timeout { .. })));
    // Busy elsewhere well past the pong's deadline; the pong waits in the socket.
    std::thread::sleep(ms(500));
    match c.receive() {
        Err(WsError::Timeout { .. }) => {}
        other => panic!("expected the read timeout, got {other:?}"),
    }
    assert_eq!(c.state(), State::Open);
    let pings = frames
        .try_iter()
        .filter(|(op, _)| *op == OpCode::Control(Control::Ping))
        .count();
    assert!(pings >= 1, "{pings}");
}

#[test]
fn keepalive_can_be_turned_off() {
    let (addr, frames) = raw_peer(None);
    let opts = ConnectOptions {
        limits: Limits {
            ping_interval: None,
            read_timeout: Some(ms(300)),
            ..Limits::default()
        },
        ..ConnectOptions::default()
    };
    let mut c = connect(&format!("ws://{addr}/"), &opts).unwrap();
    assert!(matches!(c.receive(), Err(WsError::Timeout { .. })));
    assert!(frames.try_recv().is_err(), "no ping sent");
    // Pings without a timeout are sent, and their pongs never awaited.
    let mut opts = options(50, 0);
    opts.limits.ping_timeout = None;
    opts.limits.read_timeout = Some(ms(300));
    let (addr, frames) = raw_peer(None);
    let mut c = connect(&format!("ws://{addr}/"), &opts).unwrap();
    assert!(matches!(c.receive(), Err(WsError::Timeout { .. })));
    assert_eq!(c.state(), State::Open);
    assert!(frames.try_iter().count() >= 3);
}
