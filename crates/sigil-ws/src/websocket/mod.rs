//! An open WebSocket connection, [`WebSocket`], of either role (a client, or a server's
//! end of a connection it accepted) over TCP (`ws://`) or TLS (`wss://`), driven in
//! blocking mode or by an event loop, with one deadline model for both.
//!
//! All protocol work is done by [`Connection`]; this module moves bytes between it and
//! the socket and keeps the deadlines:
//!
//! * a **receive** has a deadline for the whole call (from [`Limits::read_timeout`](crate::Limits::read_timeout), or
//!   given to [`WebSocket::poll_receive`]), whatever arrives meanwhile: pings, pongs,
//!   fragments, bytes one at a time. When it passes the receive fails with
//!   [`WsError::Timeout`] and the connection stays usable, unless a frame was cut in
//!   half: then it is failed with 1006 ([`ProtocolError::TimedOutMidFrame`]);
//! * queued **output** (a message, a pong, a close frame) must be written within
//!   [`Limits::write_timeout`] of being queued, else the connection fails with
//!   [`WsError::WriteTimeout`]. A flood of pings cannot grow the output: only the pong
//!   for the latest ping is owed;
//! * the **close handshake** has one deadline, [`Limits::close_timeout`](crate::Limits::close_timeout) from its start
//!   (our close frame or the peer's), for the close frames and the TCP close,
//!   whatever the peer sends meanwhile;
//! * **keepalive** ([`crate::keepalive`]): while a receive waits, its wait also ends when
//!   a ping is due or a pong overdue; the ping is queued like a pong, an overdue pong
//!   fails the connection with 1011 once what has arrived is read.
//!
//! The two drivers differ only in how they wait. In blocking mode (the default for
//! [`crate::connect`]) the socket's own read and write timeouts are set to what is left
//! of the deadline before each system call, so the kernel does the waiting and the
//! common case (a message that arrives in one read) costs no extra system call. In
//! non-blocking mode ([`WebSocket::set_nonblocking`], the state a client from
//! [`Connector`](crate::connector::Connector) starts in) the `poll_*` operations
//! return [`Progress::Wait`]: wait until the descriptor (`AsFd::as_fd`) is ready
//! or the deadline passes, then call the same operation again. In blocking mode with
//! an [`Interrupt`] flag ([`WebSocket::set_interrupt`]) the kernel's waits last at most
//! [`crate::interrupt::SLICE`], and the flag is checked between them.
//!
//! Sending is in `websocket/send.rs`, receiving in `websocket/receive.rs`, the close
//! handshake in `websocket/close.rs`, and the socket timeouts of blocking mode in
//! `websocket/deadline.rs`.

mod close;
mod deadline;
mod receive;
mod send;

use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::connection::{Connection, State};
use crate::connector::Interest;
use crate::deflate::DeflateParams;
use crate::error::{ProtocolError, WsError};
use crate::interrupt::Interrupt;
use crate::keepalive::Keepalive;
use crate::limits::Limits;
use crate::shared_fd::SharedFd;
use crate::transport::Transport;

use deadline::SocketTimeouts;

/// The outcome of a non-blocking operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress<T> {
    /// The operation finished.
    Done(T),
    /// Call it again once the socket is ready for `Interest`, or once the deadline (if
    /// any) has passed.
    Wait(Interest, Option<Instant>),
}

/// An open WebSocket connection: a client from [`crate::connect`] or a
/// [`Connector`](crate::connector::Connector), or, in the server role
/// ([`Role::Server`](crate::Role)), a connection a [`crate::server::Listener`] accepted.
/// Both roles are driven the same way.
pub struct WebSocket {
    transport: Transport,
    conn: Connection,
    url: String,
    protocol: Option<String>,
    /// The request target of the opening handshake (path and query).
    target: String,
    /// The headers the peer sent in the opening handshake.
    peer_headers: Vec<(String, String)>,
    nonblocking: bool,
    /// The socket's read and write timeouts (blocking mode).
    timeouts: SocketTimeouts,
    /// When the queued output must have been written, while there is some.
    write_deadline: Option<Instant>,
    /// Once the close handshake started: when it gives up (`None` inside: no limit).
    close_deadline: Option<Option<Instant>>,
    /// The keepalive schedule, if pings are on.
    keepalive: Option<Keepalive>,
    /// What stops blocking waits.
    interrupt: Interrupt,
    shut_down: bool,
}

impl std::fmt::Debug for WebSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebSocket")
            .field("url", &self.url)
            .field("state", &self.state())
            .field("tls", &self.is_tls())
            .finish()
    }
}

impl WebSocket {
    /// A connection over `transport`, whose upgrade to `url` just completed (socket in
    /// non-blocking mode, no socket timeouts).
    pub(crate) fn new(
        transport: Transport,
        conn: Connection,
        url: String,
        protocol: Option<String>,
    ) -> WebSocket {
        let limits = conn.limits();
        let keepalive = Keepalive::new(limits.ping_interval, limits.ping_timeout, Instant::now());
        WebSocket {
            transport,
            conn,
            url,
            protocol,
            target: String::new(),
            peer_headers: Vec::new(),
            nonblocking: true,
            timeouts: SocketTimeouts::default(),
            write_deadline: None,
            close_deadline: None,
            keepalive,
            interrupt: Interrupt::default(),
            shut_down: false,
        }
    }

    /// Records the opening handshake: its request target and the peer's headers.
    pub(crate) fn with_handshake(
        mut self,
        target: String,
        headers: Vec<(String, String)>,
    ) -> WebSocket {
        self.target = target;
        self.peer_headers = headers;
        self
    }

    /// Runs a `poll_*` step to its end, or fails with [`WsError::WouldBlock`] in
    /// non-blocking mode.
    pub(super) fn block_on<T>(
        &mut self,
        mut step: impl FnMut(&mut WebSocket) -> Result<Progress<T>, WsError>,
    ) -> Result<T, WsError> {
        loop {
            match step(self)? {
                Progress::Done(v) => return Ok(v),
                Progress::Wait(..) if self.nonblocking => return Err(WsError::WouldBlock),
                // Blocking mode waits in the kernel; a step never yields there.
                Progress::Wait(..) => {}
            }
        }
    }

    /// Connection state ([`State::Closed`] once the socket is shut down).
    pub fn state(&self) -> State {
        if self.shut_down {
            State::Closed
        } else {
            self.conn.state()
        }
    }

    /// Fails with [`WsError::ConnectionClosed`] once the socket is shut down.
    pub(super) fn check_alive(&self) -> Result<(), WsError> {
        if self.shut_down {
            Err(WsError::ConnectionClosed)
        } else {
            Ok(())
        }
    }

    /// The URL this client connected to; in the server role, the URL the client asked
    /// for (scheme, its `Host` header, the request target).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The path of the opening handshake's request target, e.g. `/chat` (as sent: not
    /// percent-decoded).
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    /// The query of the opening handshake's request target (after `?`), if any.
    pub fn query(&self) -> Option<&str> {
        self.target.split_once('?').map(|(_, q)| q)
    }

    /// The headers the peer sent in the opening handshake (names as sent): the client's
    /// request in the server role, the server's response in the client role.
    pub fn headers(&self) -> &[(String, String)] {
        &self.peer_headers
    }

    /// Which end of the connection this is.
    pub fn role(&self) -> crate::Role {
        self.conn.role()
    }

    /// Subprotocol selected by the server (this one, in the server role), if any.
    pub fn protocol(&self) -> Option<&str> {
        self.protocol.as_deref()
    }

    /// The permessage-deflate parameters the server accepted, if it did.
    pub fn deflate(&self) -> Option<&DeflateParams> {
        self.conn.deflate_params()
    }

    /// Close code the peer sent.
    pub fn close_code(&self) -> Option<u16> {
        self.conn.close_code()
    }

    /// Close reason the peer sent.
    pub fn close_reason(&self) -> Option<&str> {
        self.conn.close_reason()
    }

    /// Why the connection failed, if it did.
    pub fn failure(&self) -> Option<&ProtocolError> {
        self.conn.failure()
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &Limits {
        self.conn.limits()
    }

    /// Sets the deadline of each later receive ([`Limits::read_timeout`](crate::Limits::read_timeout)).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.conn.set_read_timeout(timeout);
    }

    /// Makes blocking waits stop with [`WsError::Interrupted`] once `interrupt`'s flag
    /// is set (see [`crate::interrupt`]).
    pub fn set_interrupt(&mut self, interrupt: Interrupt) {
        self.interrupt = interrupt;
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

    /// In blocking mode, sets the socket's timeout for `interest` to what is left until
    /// `deadline` (unless the current one is close enough), so that the kernel's wait
    /// ends with it.
    pub(super) fn arm(
        &mut self,
        interest: Interest,
        deadline: Option<Instant>,
    ) -> Result<(), WsError> {
        if self.nonblocking {
            return Ok(());
        }
        self.arm_left(interest, deadline::left(deadline))
    }

    /// [`WebSocket::arm`] given what is left of the deadline (blocking mode only).
    pub(super) fn arm_left(
        &mut self,
        interest: Interest,
        left: Option<Duration>,
    ) -> Result<(), WsError> {
        let (tcp, cap) = (self.transport.tcp(), self.interrupt.slice());
        self.timeouts
            .arm(tcp, interest, left, cap)
            .map_err(WsError::Io)
    }

    /// Whether blocking waits must stop when an interrupt flag is set.
    pub(super) fn interruptible(&self) -> bool {
        self.interrupt.slice().is_some()
    }

    /// In blocking mode, after a socket timeout: [`WsError::Interrupted`] if the
    /// interrupt flag is set.
    pub(super) fn check_interrupt(&self) -> Result<(), WsError> {
        self.interrupt.check()
    }

    /// Local socket address.
    pub fn local_addr(&self) -> Result<SocketAddr, WsError> {
        self.transport.tcp().local_addr().map_err(WsError::Io)
    }

    /// Address of the peer: the server (after any `SIGIL_RESOLVE` override), or the
    /// client in the server role.
    pub fn peer_addr(&self) -> Result<SocketAddr, WsError> {
        self.transport.tcp().peer_addr().map_err(WsError::Io)
    }

    /// The socket's descriptor as a handle that keeps it open (the descriptor is the
    /// same as [`AsFd::as_fd`]'s: no descriptor is duplicated).
    pub fn shared_fd(&self) -> SharedFd {
        SharedFd::new(Arc::clone(self.transport.shared_tcp()))
    }

    /// Whether the connection runs over TLS (`wss://`).
    pub fn is_tls(&self) -> bool {
        matches!(self.transport, Transport::Tls(_))
    }

    /// Shuts the socket down now, whatever the close handshake's state. Idempotent.
    pub fn shutdown(&mut self) {
        if !self.shut_down {
            self.shut_down = true;
            self.transport.shutdown();
            self.conn.release_buffers();
        }
    }
}

/// Lets an event loop run others before this operation continues: "wait" until now.
/// (Not until readable: TLS may hold decrypted bytes while the socket has none.)
pub(super) fn yield_now<T>() -> Progress<T> {
    Progress::Wait(Interest::Readable, Some(Instant::now()))
}

/// A socket that would block (non-blocking mode) or whose timeout expired (blocking).
pub(super) fn is_would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

impl AsFd for WebSocket {
    /// The TCP socket, for readiness polling by an event loop.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.transport.tcp().as_fd()
    }
}
