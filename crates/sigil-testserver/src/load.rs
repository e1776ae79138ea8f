//! A load generator made of independent `tungstenite` clients, for testing and
//! measuring WebSocket servers: every client connects (a thread each, all at once, so
//! the server sees them arrive together), then, once the last one is connected, one
//! thread drives them all without blocking (epoll, through `polling`): each does its
//! round trips of a 32-byte text message of its own, checks every echo, and closes.
//! One event loop keeps the generator's own cost per round trip small and steady, so
//! that what is measured is the server.

use std::io;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use polling::{Event, Events, Poller};
use tungstenite::{Message, WebSocket};

/// Stack of each connecting thread: they do little, and a thousand of them should not
/// reserve gigabytes.
const CONNECT_STACK: usize = 256 * 1024;

/// How long the echo phase may wait for any progress before the clients still running
/// are failed.
const STALL: Duration = Duration::from_secs(60);

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

/// One client in the echo phase.
struct Client {
    ws: WebSocket<TcpStream>,
    text: String,
    /// Echoes verified so far.
    done: usize,
    /// The close handshake has started.
    closing: bool,
}

/// How far a client got when its socket was ready.
enum Turn {
    /// It waits for the socket again.
    Wait,
    /// It finished: its round trips done and the connection closed.
    Finished,
}

impl Client {
    /// Reads what arrived, sends the next message after each echo, closes after the
    /// last one.
    fn run(&mut self, round_trips: usize) -> Result<Turn, String> {
        loop {
            match self.ws.read() {
                Ok(Message::Text(t)) if !self.closing && t.as_str() == self.text => {
                    self.done += 1;
                    self.next(round_trips)?;
                }
                // The server's keepalive pings (tungstenite answers them) and pongs.
                Ok(Message::Ping(_) | Message::Pong(_) | Message::Close(_)) => {}
                Ok(m) => return Err(format!("echo {} differs: {m:?}", self.done)),
                Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(Turn::Wait)
                }
                Err(tungstenite::Error::ConnectionClosed) if self.closing => {
                    return Ok(Turn::Finished)
                }
                Err(e) => return Err(format!("receive {}: {e}", self.done)),
            }
        }
    }

    /// Sends the next message, or starts the close handshake after the last echo.
    fn next(&mut self, round_trips: usize) -> Result<(), String> {
        let sent = if self.done < round_trips {
            self.ws.send(Message::text(self.text.as_str()))
        } else {
            self.closing = true;
            self.ws.close(None)
        };
        match sent {
            Ok(()) => Ok(()),
            // Queued; written by the next read or flush.
            Err(tungstenite::Error::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(format!("send {}: {e}", self.done)),
        }
    }
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
    let started = Instant::now();
    let mut connecting = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (url, host_port) = (url.to_string(), host_port.clone());
        let handle = thread::Builder::new()
            .stack_size(CONNECT_STACK)
            .spawn(move || open(&url, &host_port))?;
        connecting.push(handle);
    }
    let mut report = LoadReport {
        verified: 0,
        failures: Vec::new(),
        echo_time: Duration::ZERO,
        total_time: Duration::ZERO,
    };
    let mut open_clients = Vec::with_capacity(clients);
    for (i, h) in connecting.into_iter().enumerate() {
        match h.join() {
            Ok(Ok(ws)) => open_clients.push((i, ws)),
            Ok(Err(e)) => report.failures.push(format!("client {i}: {e}")),
            Err(_) => report.failures.push(format!("client {i} panicked")),
        }
    }
    let connect_time = started.elapsed();
    when_connected();
    let start = Instant::now();
    echo_phase(open_clients, round_trips, &mut report)?;
    report.echo_time = start.elapsed();
    report.total_time = connect_time + report.echo_time;
    Ok(report)
}

/// Connects one client (blocking).
fn open(url: &str, host_port: &str) -> Result<WebSocket<TcpStream>, String> {
    let tcp = TcpStream::connect(host_port).map_err(|e| format!("connect: {e}"))?;
    tcp.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
    tcp.set_read_timeout(Some(STALL))
        .map_err(|e| format!("timeout: {e}"))?;
    tungstenite::client(url, tcp)
        .map(|(ws, _)| ws)
        .map_err(|e| format!("handshake: {e}"))
}

/// Drives every open client to its end from one thread, counting the echoes verified.
fn echo_phase(
    open: Vec<(usize, WebSocket<TcpStream>)>,
    round_trips: usize,
    report: &mut LoadReport,
) -> io::Result<()> {
    let poller = Poller::new()?;
    let mut running: Vec<Option<(usize, Client)>> = Vec::with_capacity(open.len());
    for (key, (i, ws)) in open.into_iter().enumerate() {
        ws.get_ref().set_nonblocking(true)?;
        // SAFETY: the socket stays open until it is deleted from the poller below.
        unsafe { poller.add(ws.get_ref(), Event::readable(key))? };
        let mut c = Client {
            ws,
            text: load_message(i),
            done: 0,
            closing: false,
        };
        let first = c.next(round_trips);
        running.push(Some((i, c)));
        if let Err(e) = first {
            finish(&poller, &mut running[key], Err(e), report)?;
        }
    }
    let mut left = running.iter().filter(|c| c.is_some()).count();
    let mut events = Events::new();
    while left > 0 {
        events.clear();
        if poller.wait(&mut events, Some(STALL))? == 0 {
            for slot in running.iter_mut().filter(|c| c.is_some()) {
                finish(&poller, slot, Err("no progress for 60 s".into()), report)?;
            }
            break;
        }
        for ev in events.iter() {
            let slot = &mut running[ev.key];
            let Some((_, c)) = slot.as_mut() else {
                continue;
            };
            let turn = c.run(round_trips);
            match turn {
                Ok(Turn::Wait) => {
                    let interest = if c.ws.flush().is_err() {
                        Event::all(ev.key)
                    } else {
                        Event::readable(ev.key)
                    };
                    poller.modify(c.ws.get_ref(), interest)?;
                }
                result => {
                    finish(&poller, slot, result, report)?;
                    left -= 1;
                }
            }
        }
    }
    Ok(())
}

/// Ends a client: counts its echoes, records why it failed, drops it.
fn finish(
    poller: &Poller,
    slot: &mut Option<(usize, Client)>,
    result: Result<Turn, String>,
    report: &mut LoadReport,
) -> io::Result<()> {
    if let Some((i, c)) = slot.take() {
        report.verified += c.done;
        if let Err(e) = result {
            report.failures.push(format!("client {i}: {e}"));
        }
        poller.delete(c.ws.get_ref())?;
    }
    Ok(())
}
