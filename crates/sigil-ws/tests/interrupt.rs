//! Interrupting blocking operations (a Ctrl-C handler setting a flag) against real
//! peers: each wait notices the flag within a slice (50 ms) and stops with
//! `WsError::Interrupted`, leaving the connection usable or shut down.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sigil_ws::{
    connect, CloseFrame, ConnectOptions, Event, Interrupt, Limits, Message, ProxySetting, State,
    WsError,
};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Options whose blocking waits stop once the returned flag is set.
fn interruptible() -> (ConnectOptions, Arc<AtomicBool>) {
    let flag = Arc::new(AtomicBool::new(false));
    let options = ConnectOptions {
        interrupt: Interrupt::new(Arc::clone(&flag)),
        ..ConnectOptions::default()
    };
    (options, flag)
}

/// Sets `flag` after `delay`, from another thread (as a signal handler would); the
/// thread returns when it set it.
fn set_after(flag: &Arc<AtomicBool>, delay: Duration) -> std::thread::JoinHandle<Instant> {
    let flag = Arc::clone(flag);
    std::thread::spawn(move || {
        std::thread::sleep(delay);
        flag.store(true, Ordering::SeqCst);
        Instant::now()
    })
}

/// Runs `op`, which the flag set after `delay` must stop within a slice (50 ms; a loaded
/// machine is given a second).
fn interrupted<T: std::fmt::Debug>(
    flag: &Arc<AtomicBool>,
    delay: Duration,
    op: impl FnOnce() -> Result<T, WsError>,
) -> WsError {
    let setter = set_after(flag, delay);
    let err = op().expect_err("the operation should be interrupted");
    let stopped = Instant::now();
    let set = setter.join().unwrap();
    let after = stopped.checked_duration_since(set);
    assert!(
        after.is_some_and(|d| d < ms(1000)),
        "stopped {after:?} after the flag"
    );
    flag.store(false, Ordering::SeqCst);
    err
}

#[test]
fn an_idle_receive_stops_and_the_connection_stays_usable() {
    let (options, flag) = interruptible();
    let url = format!("ws://{}/echo", common::start_plain());
    let mut c = connect(&url, &options).unwrap();
    let err = interrupted(&flag, ms(100), || c.receive());
    assert!(matches!(err, WsError::Interrupted), "{err}");
    assert_eq!(c.state(), State::Open);
    c.send_text("after").unwrap();
    assert_eq!(
        c.receive().unwrap(),
        Event::Message(Message::Text("after".into()))
    );
}

#[test]
fn a_connect_to_a_server_that_never_answers_stops() {
    let (options, flag) = interruptible();
    // The kernel completes the TCP handshake; nobody ever answers the upgrade request.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("ws://{}/", listener.local_addr().unwrap());
    let err = interrupted(&flag, ms(100), || connect(&url, &options));
    assert!(matches!(err, WsError::Interrupted), "{err}");
    // And a TLS handshake that never gets an answer.
    let url = format!("wss://localhost:{}/", listener.local_addr().unwrap().port());
    let err = interrupted(&flag, ms(100), || connect(&url, &options));
    assert!(matches!(err, WsError::Interrupted), "{err}");
    // And a proxy that never answers its CONNECT.
    let proxied = ConnectOptions {
        proxy: ProxySetting::Url(format!("http://{}", listener.local_addr().unwrap())),
        ..options
    };
    let err = interrupted(&flag, ms(100), || connect("ws://example.com/", &proxied));
    assert!(matches!(err, WsError::Interrupted), "{err}");
}

#[test]
fn a_send_on_a_full_socket_stops_with_the_rest_queued() {
    let (mut options, flag) = interruptible();
    options.limits = Limits {
        write_timeout: None,
        ..Limits::default()
    };
    // A peer that completes the handshake and never reads again.
    let addr = common::raw_server(|s| {
        let _ws = tungstenite::accept(s);
        std::thread::sleep(ms(5000));
    });
    let mut c = connect(&format!("ws://{addr}/"), &options).unwrap();
    // Messages until the socket is full (the peer's and our buffers: a few MiB), then
    // the flag.
    let chunk = vec![7u8; 256 << 10];
    let err = interrupted(&flag, ms(600), || -> Result<(), WsError> {
        loop {
            c.send_binary(&chunk)?;
        }
    });
    assert!(matches!(err, WsError::Interrupted), "{err}");
    assert_eq!(c.state(), State::Open);
    assert!(c.wants_write(), "the rest of the message stays queued");
}

#[test]
fn a_close_without_an_answer_stops_and_shuts_down() {
    let (mut options, flag) = interruptible();
    options.limits.close_timeout = Duration::from_secs(30);
    let addr = common::raw_server(|mut s| {
        let reader = s.try_clone().unwrap();
        let _ws = tungstenite::accept(reader);
        // Reads whatever comes (the close frame) and never answers.
        let mut sink = [0u8; 1024];
        while matches!(s.read(&mut sink), Ok(n) if n > 0) {}
    });
    let mut c = connect(&format!("ws://{addr}/"), &options).unwrap();
    let frame = CloseFrame::new(1000, "bye").unwrap();
    let err = interrupted(&flag, ms(100), || c.close(&frame));
    assert!(matches!(err, WsError::Interrupted), "{err}");
    assert_eq!(c.state(), State::Closed);
}
