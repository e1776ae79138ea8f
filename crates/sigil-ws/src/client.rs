//! A connected WebSocket client over TCP (`ws://`) or TLS (`wss://`), blocking by
//! default, with non-blocking operations for an event-loop scheduler.
//!
//! All protocol work is done by [`Connection`]; this module only moves bytes between
//! it and the socket. Connections are opened by [`crate::connector`].
//!
//! # Non-blocking use
//! Call [`Client::set_nonblocking`]`(true)` (a client from
//! [`Connector`](crate::connector::Connector) starts that way). Then
//! [`Client::try_receive`] returns [`WsError::WouldBlock`] when no complete message
//! is available: wait until the fd from `AsRawFd::as_raw_fd` is readable and retry. Sends
//! never block: frames that do not fit in the socket stay queued;
//! [`Client::wants_write`] tells whether to wait for writability and call
//! [`Client::try_flush`].

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::close::CloseFrame;
use crate::connection::{Connection, Event, State};
use crate::error::{ProtocolError, WsError};
use crate::limits::Limits;
use crate::transport::Transport;

/// A connected WebSocket client.
pub struct Client {
    transport: Transport,
    conn: Connection,
    url: String,
    protocol: Option<String>,
    nonblocking: bool,
    read_timeout: Option<Duration>,
    shut_down: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url)
            .field("state", &self.conn.state())
            .field("tls", &self.is_tls())
            .finish()
    }
}

impl Client {
    /// A client over `transport`, whose upgrade to `url` just completed (socket in
    /// non-blocking mode).
    pub(crate) fn new(
        transport: Transport,
        conn: Connection,
        url: String,
        protocol: Option<String>,
    ) -> Client {
        Client {
            transport,
            conn,
            url,
            protocol,
            nonblocking: true,
            read_timeout: None,
            shut_down: false,
        }
    }

    /// Sends a text message (in non-blocking mode, queues what the socket cannot take).
    pub fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.conn.send_text(text)?;
        self.flush_sent()
    }

    /// Sends a binary message.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.conn.send_binary(data)?;
        self.flush_sent()
    }

    /// Sends a ping (payload at most 125 bytes); the pong arrives as [`Event::Pong`]
    /// from [`Client::receive_event`].
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.conn.ping(payload)?;
        self.flush_sent()
    }

    /// Blocks until a message or the server's close arrives, answering pings and
    /// skipping pongs. Returns [`Event::Message`] or [`Event::Close`] (after the close
    /// handshake completed); failures are errors.
    pub fn receive(&mut self) -> Result<Event, WsError> {
        loop {
            match self.receive_event()? {
                Event::Ping(_) | Event::Pong(_) => {}
                ev => return Ok(ev),
            }
        }
    }

    /// Like [`Client::receive`] but also returns pings (already answered) and pongs.
    pub fn receive_event(&mut self) -> Result<Event, WsError> {
        loop {
            if let Some(ev) = self.conn.next_event() {
                return self.on_event(ev);
            }
            if self.conn.state() == State::Closed {
                return Err(WsError::ConnectionClosed);
            }
            self.flush_sent()?;
            let hint = self.conn.read_hint();
            let buf = self.conn.read_buffer(hint);
            match self.transport.read(buf) {
                Ok(0) => {
                    let failed = self.conn.receive_eof();
                    self.shutdown();
                    return match failed {
                        Some(Event::Failed(e)) => Err(WsError::Protocol(e)),
                        Some(_) => Err(WsError::Protocol(ProtocolError::ConnectionLost)),
                        None => Err(WsError::ConnectionClosed),
                    };
                }
                Ok(n) => self.conn.commit_read(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    /// Non-blocking [`Client::receive`]: returns [`WsError::WouldBlock`] when no
    /// complete message is available yet. Works whether or not the client is in
    /// non-blocking mode.
    pub fn try_receive(&mut self) -> Result<Event, WsError> {
        if self.nonblocking {
            return self.receive();
        }
        self.set_nonblocking(true)?;
        let result = self.receive();
        self.set_nonblocking(false)?;
        result
    }

    /// Writes queued output; [`WsError::WouldBlock`] if the socket cannot take it all yet.
    pub fn try_flush(&mut self) -> Result<(), WsError> {
        self.transport
            .flush(&mut self.conn)
            .map_err(|e| WsError::from_io(e, true))
    }

    /// Whether output is queued: wait for writability and call [`Client::try_flush`].
    pub fn wants_write(&self) -> bool {
        !self.conn.pending_output().is_empty() || self.transport.tls_wants_write()
    }

    /// Closes the connection: sends the close `frame`, waits up to
    /// [`Limits::close_timeout`] for the server's close frame and TCP close, then shuts
    /// the socket down. In non-blocking mode only queues/flushes the close frame; keep
    /// calling [`Client::try_receive`] to see the server's close.
    pub fn close(&mut self, frame: &CloseFrame) -> Result<(), WsError> {
        match self.conn.state() {
            State::Open => self.conn.close(frame)?,
            State::Closing => {}
            State::Closed => {
                let _ = self.transport.flush(&mut self.conn);
                self.shutdown();
                return Ok(());
            }
        }
        if self.nonblocking {
            return self.flush_sent();
        }
        self.flush_sent()?;
        let deadline = Instant::now() + self.conn.limits().close_timeout;
        while self.conn.state() == State::Closing {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            if self
                .transport
                .tcp()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .is_err()
            {
                break;
            }
            match self.receive_event() {
                Ok(Event::Close { .. }) | Err(_) => break,
                Ok(_) => {}
            }
        }
        self.finish_close(deadline);
        Ok(())
    }

    /// Connection state.
    pub fn state(&self) -> State {
        self.conn.state()
    }

    /// The URL this client connected to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Subprotocol the server selected, if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// Close code the server sent.
    pub fn close_code(&self) -> Option<u16> {
        self.conn.close_code()
    }

    /// Close reason the server sent.
    pub fn close_reason(&self) -> Option<&str> {
        self.conn.close_reason()
    }

    /// Why the connection failed, if it did.
    pub fn failure(&self) -> Option<&ProtocolError> {
        self.conn.failure()
    }

    /// Sets the timeout of blocking receives ([`WsError::Timeout`] when it expires).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> Result<(), WsError> {
        self.transport
            .tcp()
            .set_read_timeout(timeout)
            .map_err(WsError::Io)?;
        self.read_timeout = timeout;
        Ok(())
    }

    /// Whether the socket is in non-blocking mode.
    pub fn is_nonblocking(&self) -> bool {
        self.nonblocking
    }

    /// Switches the socket between blocking and non-blocking mode.
    pub fn set_nonblocking(&mut self, nonblocking: bool) -> Result<(), WsError> {
        self.transport
            .tcp()
            .set_nonblocking(nonblocking)
            .map_err(WsError::Io)?;
        self.nonblocking = nonblocking;
        Ok(())
    }

    /// Local socket address.
    pub fn local_addr(&self) -> Result<SocketAddr, WsError> {
        self.transport.tcp().local_addr().map_err(WsError::Io)
    }

    /// Address of the server (after any `SIGIL_RESOLVE` override).
    pub fn peer_addr(&self) -> Result<SocketAddr, WsError> {
        self.transport.tcp().peer_addr().map_err(WsError::Io)
    }

    /// Whether the connection runs over TLS (`wss://`).
    pub fn is_tls(&self) -> bool {
        matches!(self.transport, Transport::Tls(_))
    }

    fn on_event(&mut self, ev: Event) -> Result<Event, WsError> {
        match ev {
            Event::Ping(_) => {
                self.flush_sent()?;
                Ok(ev)
            }
            Event::Close { .. } => {
                // Our echo (if one was due) is queued: send it, then wait for TCP close.
                let _ = self.flush_sent();
                if !self.nonblocking {
                    self.finish_close(Instant::now() + self.conn.limits().close_timeout);
                }
                Ok(ev)
            }
            Event::Failed(e) => {
                let _ = self.flush_sent();
                self.shutdown();
                Err(WsError::Protocol(e))
            }
            Event::Message(_) | Event::Pong(_) => Ok(ev),
        }
    }

    /// Flushes output, treating "would block" as success in non-blocking mode
    /// (the rest stays queued, see [`Client::wants_write`]).
    fn flush_sent(&mut self) -> Result<(), WsError> {
        match self.transport.flush(&mut self.conn) {
            Ok(()) => Ok(()),
            Err(e) => match self.io_error(e) {
                WsError::WouldBlock => Ok(()),
                err => Err(err),
            },
        }
    }

    fn io_error(&self, e: io::Error) -> WsError {
        WsError::from_io(e, self.nonblocking)
    }

    /// Waits (until `deadline`) for the server to close TCP, then shuts down our side.
    fn finish_close(&mut self, deadline: Instant) {
        let mut scratch = [0u8; 1024];
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if left.is_zero() || self.transport.tcp().set_read_timeout(Some(left)).is_err() {
                break;
            }
            match self.transport.read(&mut scratch) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let _ = self.transport.tcp().set_read_timeout(self.read_timeout);
        self.shutdown();
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &Limits {
        self.conn.limits()
    }

    /// Shuts the socket down now, whatever the close handshake's state (after a
    /// non-blocking close gave up waiting for the server, say). Idempotent.
    pub fn shutdown(&mut self) {
        if !self.shut_down {
            self.shut_down = true;
            self.transport.shutdown();
        }
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Client {
    /// The TCP socket, for readiness polling by a scheduler.
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.transport.tcp().as_raw_fd()
    }
}
