//! A load generator made of independent `tungstenite` clients, one thread each, for
//! testing and measuring WebSocket servers: every client connects, all wait until the
//! last one is connected (so they are concurrent), then each does its round trips of
//! a 32-byte text message of its own, checks every echo, and closes.

use std::io;
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use tungstenite::{Message, WebSocket};

/// Stack of each client thread: the clients do little, and a thousand of them should
/// not reserve gigabytes.
const CLIENT_STACK: usize = 256 * 1024;

/// What a load run did.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadReport {
    /// Echoes that came back equal to what was sent.
    pub verified: usize,
    /// Clients that failed (connect, handshake, send, receive or a wrong echo), each
    /// with why.
    pub failures: Vec<String>,
    /// From the moment every client was connected to the last close.
    pub echo_time: Duration,
    /// From the first connect to the last close, `when_connected` excluded.
    pub total_time: Duration,
}

/// The 32-byte message of client `i`.
pub fn load_message(i: usize) -> String {
    format!("load:{i:06}:0123456789abcdefghij")
}

/// Runs `clients` concurrent clients of `url` (`ws://host:port/path`), each doing
/// `round_trips` echoes. `when_connected` runs once every client is connected and
/// before any echo (to measure a server with idle connections, say).
pub fn echo_load(
    url: &str,
    clients: usize,
    round_trips: usize,
    when_connected: impl FnOnce(),
) -> io::Result<LoadReport> {
    let host_port = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .ok_or_else(|| io::Error::other("only ws:// URLs are supported"))?
        .to_string();
    // Every client and this thread meet twice: once all are connected, once the
    // measurement is done.
    let started = Instant::now();
    let connected = Arc::new(Barrier::new(clients + 1));
    let go = Arc::new(Barrier::new(clients + 1));
    let mut handles = Vec::with_capacity(clients);
    for i in 0..clients {
        let (connected, go) = (Arc::clone(&connected), Arc::clone(&go));
        let (url, host_port) = (url.to_string(), host_port.clone());
        let handle = thread::Builder::new()
            .stack_size(CLIENT_STACK)
            .spawn(move || {
                let ws = open(&url, &host_port);
                connected.wait();
                go.wait();
                ws.and_then(|ws| echoes(ws, &load_message(i), round_trips))
            })?;
        handles.push(handle);
    }
    connected.wait();
    let connect_time = started.elapsed();
    when_connected();
    let start = Instant::now();
    go.wait();
    let mut report = LoadReport {
        verified: 0,
        failures: Vec::new(),
        echo_time: Duration::ZERO,
        total_time: Duration::ZERO,
    };
    for (i, h) in handles.into_iter().enumerate() {
        match h.join() {
            Ok(Ok(n)) => report.verified += n,
            Ok(Err(e)) => report.failures.push(format!("client {i}: {e}")),
            Err(_) => report.failures.push(format!("client {i} panicked")),
        }
    }
    report.echo_time = start.elapsed();
    report.total_time = connect_time + report.echo_time;
    Ok(report)
}

/// Connects one client.
fn open(url: &str, host_port: &str) -> Result<WebSocket<TcpStream>, String> {
    let tcp = TcpStream::connect(host_port).map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    tcp.set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| format!("timeout: {e}"))?;
    tungstenite::client(url, tcp)
        .map(|(ws, _)| ws)
        .map_err(|e| format!("handshake: {e}"))
}

/// `n` round trips of `text`; the number verified, or why it stopped.
fn echoes(mut ws: WebSocket<TcpStream>, text: &str, n: usize) -> Result<usize, String> {
    for k in 0..n {
        ws.send(Message::text(text))
            .map_err(|e| format!("send {k}: {e}"))?;
        loop {
            match ws.read() {
                Ok(Message::Text(t)) if t.as_str() == text => break,
                // The server's keepalive pings (tungstenite answers them) and pongs.
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                Ok(m) => return Err(format!("echo {k} differs: {m:?}")),
                Err(e) => return Err(format!("receive {k}: {e}")),
            }
        }
    }
    let _ = ws.close(None);
    while ws.read().is_ok() {}
    Ok(n)
}
