//! A connected WebSocket client over TCP (`ws://`) or TLS (`wss://`), driven in
//! blocking mode or by an event loop, with one deadline model for both.
//!
//! All protocol work is done by [`Connection`]; this module moves bytes between it and
//! the socket and keeps the deadlines:
//!
//! * a **receive** has a deadline for the whole call (from [`Limits::read_timeout`], or
//!   given to [`Client::poll_receive`]), whatever arrives meanwhile: pings, pongs,
//!   fragments, bytes one at a time. When it passes the receive fails with
//!   [`WsError::Timeout`] and the connection stays usable, unless a frame was cut in
//!   half: then it is failed with 1006 ([`ProtocolError::TimedOutMidFrame`]);
//! * queued **output** (a message, a pong, a close frame) must be written within
//!   [`Limits::write_timeout`] of being queued, else the connection fails with
//!   [`WsError::WriteTimeout`]. A flood of pings cannot grow the output: only the pong
//!   for the latest ping is owed;
//! * the **close handshake** has one deadline, [`Limits::close_timeout`] from its start
//!   (our close frame or the server's), for the close frames and the TCP close,
//!   whatever the server sends meanwhile.
//!
//! The two drivers differ only in how they wait. In blocking mode (the default for
//! [`crate::connect`]) the socket's own read and write timeouts are set to what is left
//! of the deadline before each system call, so the kernel does the waiting and the
//! common case (a message that arrives in one read) costs no extra system call. In
//! non-blocking mode ([`Client::set_nonblocking`], the state a client from
//! [`Connector`](crate::connector::Connector) starts in) the `poll_*` operations
//! return [`Progress::Wait`]: wait until the descriptor (`AsRawFd::as_raw_fd`) is ready
//! or the deadline passes, then call the same operation again.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::close::CloseFrame;
use crate::connection::{Connection, Event, State};
use crate::connector::Interest;
use crate::error::{ProtocolError, WsError};
use crate::limits::{deadline_after, Limits};
use crate::transport::Transport;

/// The outcome of a non-blocking operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress<T> {
    /// The operation finished.
    Done(T),
    /// Call it again once the socket is ready for `Interest`, or once the deadline (if
    /// any) has passed.
    Wait(Interest, Option<Instant>),
}

/// Reads a non-blocking receive makes before it lets an event loop run others (see
/// [`yield_now`]), so a peer that never stops sending cannot monopolise it.
const READ_BUDGET: usize = 16;

/// A kernel socket timeout this much (or 2 % of it) longer than what is left of a
/// deadline is still good enough (saves a system call per read or write); a wait may
/// overrun its deadline by that much.
const ARM_SLACK: Duration = Duration::from_millis(5);

/// What one read brought.
enum Read {
    /// Bytes arrived (already handed to the connection).
    Data,
    /// End of stream.
    Eof,
    /// Nothing yet (non-blocking mode).
    Blocked,
    /// The deadline passed.
    TimedOut,
}

/// How far a flush got.
enum Flush {
    /// Everything is written.
    Done,
    /// The socket is full (non-blocking mode).
    Blocked,
    /// The operation's deadline passed (the output's own has not).
    TimedOut,
}

/// A connected WebSocket client.
pub struct Client {
    transport: Transport,
    conn: Connection,
    url: String,
    protocol: Option<String>,
    nonblocking: bool,
    /// What the socket's read and write timeouts are set to (blocking mode).
    armed: [Option<Duration>; 2],
    /// When the queued output must have been written, while there is some.
    write_deadline: Option<Instant>,
    /// Once the close handshake started: when it gives up (`None` inside: no limit).
    close_deadline: Option<Option<Instant>>,
    shut_down: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url)
            .field("state", &self.state())
            .field("tls", &self.is_tls())
            .finish()
    }
}

/// Whether `deadline` has passed.
fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// The earlier of two deadlines (`None` is no deadline).
fn earlier(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

impl Client {
    /// A client over `transport`, whose upgrade to `url` just completed (socket in
    /// non-blocking mode, no socket timeouts).
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
            armed: [None, None],
            write_deadline: None,
            close_deadline: None,
            shut_down: false,
        }
    }

    // ---- sending ----------------------------------------------------------------------

    /// Sends a text message. In blocking mode this returns once it is written (or fails
    /// at the write deadline); in non-blocking mode what the socket cannot take stays
    /// queued: see [`Client::poll_flush`].
    pub fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.check_alive()?;
        self.conn.send_text(text)?;
        self.flush_queued()
    }

    /// Sends a binary message (see [`Client::send_text`]).
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.check_alive()?;
        self.conn.send_binary(data)?;
        self.flush_queued()
    }

    /// Sends a ping (payload at most 125 bytes); the pong arrives as [`Event::Pong`]
    /// from [`Client::receive_event`].
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.check_alive()?;
        self.conn.ping(payload)?;
        self.flush_queued()
    }

    /// Writes queued output until it is all written ([`Progress::Done`]), the socket is
    /// full (non-blocking mode) or the write deadline passes (the connection fails).
    pub fn poll_flush(&mut self) -> Result<Progress<()>, WsError> {
        self.check_alive()?;
        match self.flush_until(None)? {
            Flush::Blocked => Ok(Progress::Wait(Interest::Writable, self.write_deadline)),
            Flush::Done | Flush::TimedOut => Ok(Progress::Done(())),
        }
    }

    /// Whether output is queued (non-blocking mode: see [`Client::poll_flush`]).
    pub fn wants_write(&self) -> bool {
        !self.conn.pending_output().is_empty() || self.transport.tls_wants_write()
    }

    /// After queueing: writes as much as the mode allows (see [`Client::send_text`]).
    fn flush_queued(&mut self) -> Result<(), WsError> {
        self.flush_until(None).map(drop)
    }

    /// Starts the write deadline of queued output, if it has none yet.
    fn note_output(&mut self) {
        if self.write_deadline.is_none() && self.wants_write() {
            self.write_deadline = deadline_after(self.conn.limits().write_timeout);
        }
    }

    /// Writes queued output until done, blocked (non-blocking mode) or `deadline`
    /// (the operation's own) passes; fails the connection at the write deadline.
    fn flush_until(&mut self, deadline: Option<Instant>) -> Result<Flush, WsError> {
        // Most output is written at once: the first write skips the clock when nothing
        // can make it overrun a deadline (the socket's write timeout, if any, is at most
        // the write timeout, which is what is left of a deadline that starts now).
        let mut check = deadline.is_some()
            || !(self.nonblocking
                || self.armed[Interest::Writable as usize].is_some()
                || self.conn.limits().write_timeout.is_none());
        loop {
            if !self.wants_write() {
                self.write_deadline = None;
                return Ok(Flush::Done);
            }
            if check {
                // Output that is not written at once has a deadline from now on.
                self.note_output();
                if passed(self.write_deadline) {
                    return Err(self.write_timed_out());
                }
                let until = earlier(deadline, self.write_deadline);
                if passed(until) {
                    return Ok(Flush::TimedOut);
                }
                self.arm(Interest::Writable, until)?;
            }
            check = true;
            match self.transport.write_some(&mut self.conn) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_would_block(&e) && self.nonblocking => {
                    self.note_output();
                    return Ok(Flush::Blocked);
                }
                // Blocking mode: the socket timeout expired; the deadlines decide.
                Err(e) if is_would_block(&e) => {}
                Err(e) => return Err(self.fail_io(e)),
            }
        }
    }

    /// The write deadline passed: the connection fails.
    fn write_timed_out(&mut self) -> WsError {
        self.shutdown();
        WsError::WriteTimeout(self.conn.limits().write_timeout.unwrap_or_default())
    }

    // ---- receiving --------------------------------------------------------------------

    /// Waits for a message or the server's close, answering pings and skipping pongs,
    /// until [`Limits::read_timeout`]. Returns [`Event::Message`] or [`Event::Close`]
    /// (once the close handshake is complete); failures are errors. In non-blocking
    /// mode, [`WsError::WouldBlock`] when it would have to wait.
    pub fn receive(&mut self) -> Result<Event, WsError> {
        let deadline = deadline_after(self.conn.limits().read_timeout);
        self.block_on(|c| c.poll_event(deadline, false))
    }

    /// Like [`Client::receive`] but also returns pings (already answered) and pongs.
    pub fn receive_event(&mut self) -> Result<Event, WsError> {
        let deadline = deadline_after(self.conn.limits().read_timeout);
        self.block_on(|c| c.poll_event(deadline, true))
    }

    /// One step of a receive whose deadline is `deadline`: [`Event::Message`] or
    /// [`Event::Close`] when done, else what to wait for (non-blocking mode; blocking
    /// mode waits inside).
    pub fn poll_receive(&mut self, deadline: Option<Instant>) -> Result<Progress<Event>, WsError> {
        self.poll_event(deadline, false)
    }

    /// Runs a `poll_*` step to its end, or fails with [`WsError::WouldBlock`] in
    /// non-blocking mode.
    fn block_on<T>(
        &mut self,
        mut step: impl FnMut(&mut Client) -> Result<Progress<T>, WsError>,
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

    fn poll_event(
        &mut self,
        deadline: Option<Instant>,
        control_too: bool,
    ) -> Result<Progress<Event>, WsError> {
        let mut reads = 0;
        loop {
            self.check_alive()?;
            if let Some(close_deadline) = self.close_deadline {
                if self.conn.state() == State::Closed {
                    return Ok(match self.poll_finish_close(close_deadline) {
                        Progress::Done(()) => Progress::Done(self.peer_close_event()),
                        Progress::Wait(i, d) => Progress::Wait(i, d),
                    });
                }
            }
            if let Some(ev) = self.conn.next_event() {
                self.note_output();
                match ev {
                    Event::Ping(_) | Event::Pong(_) if !control_too => continue,
                    Event::Close { .. } => {
                        self.start_close();
                        continue;
                    }
                    Event::Failed(e) => return Err(self.failed(e)),
                    ev => return Ok(Progress::Done(ev)),
                }
            }
            if self.conn.state() == State::Closed {
                return Err(WsError::ConnectionClosed);
            }
            // Pongs owed go out before we wait for more.
            match self.flush_until(deadline)? {
                Flush::Done | Flush::Blocked => {}
                Flush::TimedOut => return Err(self.read_timed_out()),
            }
            if self.nonblocking && reads == READ_BUDGET {
                return Ok(yield_now());
            }
            reads += 1;
            match self.read(deadline)? {
                Read::Data => {}
                Read::Eof => {
                    let lost = self.conn.receive_eof();
                    self.shutdown();
                    return Err(match lost {
                        Some(Event::Failed(e)) => WsError::Protocol(e),
                        _ => WsError::ConnectionClosed,
                    });
                }
                Read::Blocked => {
                    return Ok(Progress::Wait(
                        Interest::Readable,
                        self.wait_deadline(deadline),
                    ))
                }
                Read::TimedOut => return Err(self.read_timed_out()),
            }
        }
    }

    /// How long a non-blocking receive may wait: until its deadline, or the write
    /// deadline of output still queued.
    fn wait_deadline(&self, deadline: Option<Instant>) -> Option<Instant> {
        if self.wants_write() {
            earlier(deadline, self.write_deadline)
        } else {
            deadline
        }
    }

    /// A receive's deadline passed: the connection stays usable unless a frame was cut.
    fn read_timed_out(&mut self) -> WsError {
        if !self.conn.mid_frame() {
            return WsError::Timeout;
        }
        let ev = self.conn.fail(ProtocolError::TimedOutMidFrame);
        self.shutdown();
        match ev {
            Event::Failed(e) => WsError::Protocol(e),
            _ => WsError::Protocol(ProtocolError::TimedOutMidFrame),
        }
    }

    /// Reads once into the connection, waiting until `deadline` at most.
    fn read(&mut self, deadline: Option<Instant>) -> Result<Read, WsError> {
        loop {
            if passed(deadline) {
                return Ok(Read::TimedOut);
            }
            self.arm(Interest::Readable, deadline)?;
            let hint = self.conn.read_hint();
            let buf = self.conn.read_buffer(hint);
            match self.transport.read(buf) {
                Ok(0) => return Ok(Read::Eof),
                Ok(n) => {
                    self.conn.commit_read(n);
                    return Ok(Read::Data);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_would_block(&e) && self.nonblocking => return Ok(Read::Blocked),
                // Blocking mode: the socket timeout expired; the deadline decides.
                Err(e) if is_would_block(&e) => {}
                Err(e) => return Err(self.fail_io(e)),
            }
        }
    }

    /// The connection failed with `e`: send our close frame if possible, then drop it.
    fn failed(&mut self, e: ProtocolError) -> WsError {
        self.note_output();
        let bound = deadline_after(Some(self.conn.limits().close_timeout));
        let _ = self.flush_until(bound);
        self.shutdown();
        WsError::Protocol(e)
    }

    /// An I/O error: the connection is lost.
    fn fail_io(&mut self, e: io::Error) -> WsError {
        self.shutdown();
        WsError::from_io(e, false)
    }

    // ---- closing ----------------------------------------------------------------------

    /// Closes the connection: sends `frame`, waits for the server's close frame and its
    /// TCP close, then shuts the socket down; all within [`Limits::close_timeout`].
    /// Network errors while closing are ignored. In non-blocking mode,
    /// [`WsError::WouldBlock`] when it would have to wait: use [`Client::poll_close`].
    pub fn close(&mut self, frame: &CloseFrame) -> Result<(), WsError> {
        self.block_on(|c| c.poll_close(frame))
    }

    /// One step of [`Client::close`]: `frame` is sent by the first call (later calls
    /// continue the handshake, whatever frame they pass).
    pub fn poll_close(&mut self, frame: &CloseFrame) -> Result<Progress<()>, WsError> {
        if self.shut_down {
            return Ok(Progress::Done(()));
        }
        if self.conn.state() == State::Open {
            self.conn.close(frame)?;
            self.note_output();
            self.start_close();
        }
        let deadline = match self.close_deadline {
            Some(d) => d,
            // Closed without a handshake of ours (a failure): nothing to wait for.
            None => {
                self.shutdown();
                return Ok(Progress::Done(()));
            }
        };
        Ok(self.poll_finish_close(deadline))
    }

    /// Starts the close deadline (once).
    fn start_close(&mut self) {
        if self.close_deadline.is_none() {
            self.close_deadline = Some(deadline_after(Some(self.conn.limits().close_timeout)));
        }
    }

    /// Drives the close handshake until `deadline`: our close frame out, the server's in,
    /// then its TCP close; then shuts the socket down. Errors end it early.
    fn poll_finish_close(&mut self, deadline: Option<Instant>) -> Progress<()> {
        match self.finish_close_step(deadline) {
            Ok(Some(wait)) => wait,
            Ok(None) | Err(_) => {
                self.shutdown();
                Progress::Done(())
            }
        }
    }

    /// One step of [`Client::poll_finish_close`]: `Some(wait)` to wait, `None` when done.
    fn finish_close_step(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Option<Progress<()>>, WsError> {
        if self.shut_down {
            return Ok(None);
        }
        match self.flush_until(deadline)? {
            Flush::Done => {}
            Flush::Blocked => return Ok(Some(Progress::Wait(Interest::Writable, deadline))),
            Flush::TimedOut => return Ok(None),
        }
        let mut scratch = [0u8; 1024];
        let mut reads = 0;
        loop {
            // Until the server's close frame, its frames go through the connection
            // (data still arriving is dropped); after it, bytes are only drained.
            if self.conn.state() != State::Closed {
                while let Some(ev) = self.conn.next_event() {
                    if let Event::Close { .. } | Event::Failed(_) = ev {
                        break;
                    }
                }
                if self.conn.state() == State::Closed {
                    self.note_output();
                    return self.finish_close_step(deadline);
                }
            }
            if passed(deadline) {
                return Ok(None);
            }
            if self.nonblocking && reads == READ_BUDGET {
                return Ok(Some(yield_now()));
            }
            reads += 1;
            self.arm(Interest::Readable, deadline)?;
            let result = if self.conn.state() == State::Closed {
                self.transport.read(&mut scratch)
            } else {
                let buf = self.conn.read_buffer(self.conn.read_hint());
                self.transport.read(buf)
            };
            match result {
                Ok(0) => return Ok(None),
                Ok(n) if self.conn.state() != State::Closed => self.conn.commit_read(n),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_would_block(&e) && self.nonblocking => {
                    return Ok(Some(Progress::Wait(Interest::Readable, deadline)))
                }
                Err(e) if is_would_block(&e) => {}
                Err(e) => return Err(WsError::Io(e)),
            }
        }
    }

    /// The close event for the server's close frame.
    fn peer_close_event(&self) -> Event {
        Event::Close {
            code: self.conn.close_code(),
            reason: self.conn.close_reason().unwrap_or_default().to_string(),
        }
    }

    // ---- state and settings ---------------------------------------------------------

    /// Connection state ([`State::Closed`] once the socket is shut down).
    pub fn state(&self) -> State {
        if self.shut_down {
            State::Closed
        } else {
            self.conn.state()
        }
    }

    /// Fails with [`WsError::ConnectionClosed`] once the socket is shut down.
    fn check_alive(&self) -> Result<(), WsError> {
        if self.shut_down {
            Err(WsError::ConnectionClosed)
        } else {
            Ok(())
        }
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

    /// The limits this connection enforces.
    pub fn limits(&self) -> &Limits {
        self.conn.limits()
    }

    /// Sets the deadline of each later receive ([`Limits::read_timeout`]).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.conn.set_read_timeout(timeout);
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
    fn arm(&mut self, interest: Interest, deadline: Option<Instant>) -> Result<(), WsError> {
        if self.nonblocking {
            return Ok(());
        }
        let left = deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .max(Duration::from_micros(1))
        });
        let slot = &mut self.armed[interest as usize];
        let good_enough = match (*slot, left) {
            (None, None) => true,
            (Some(armed), Some(left)) => {
                armed <= left + ARM_SLACK.max(armed / 50) && armed * 2 >= left
            }
            _ => false,
        };
        if good_enough {
            return Ok(());
        }
        let tcp = self.transport.tcp();
        let set = match interest {
            Interest::Readable => tcp.set_read_timeout(left),
            Interest::Writable => tcp.set_write_timeout(left),
        };
        set.map_err(WsError::Io)?;
        *slot = left;
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
fn yield_now<T>() -> Progress<T> {
    Progress::Wait(Interest::Readable, Some(Instant::now()))
}

/// A socket that would block (non-blocking mode) or whose timeout expired (blocking).
fn is_would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Client {
    /// The TCP socket, for readiness polling by an event loop.
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.transport.tcp().as_raw_fd()
    }
}
