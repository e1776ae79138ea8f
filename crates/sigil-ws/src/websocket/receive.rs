//! Receiving: one deadline for the whole receive, whatever arrives meanwhile.

use std::io;
use std::time::{Duration, Instant};

use crate::connection::{Event, State};
use crate::connector::Interest;
use crate::error::{ProtocolError, WsError};
use crate::keepalive::Due;
use crate::limits::deadline_after;

use super::deadline::{earlier, left, passed};
use super::send::Flush;
use super::{is_would_block, yield_now, Progress, WebSocket};

/// Reads a non-blocking receive makes before it lets an event loop run others (see
/// [`yield_now`]), so a peer that never stops sending cannot monopolise it.
pub(super) const READ_BUDGET: usize = 16;

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

impl WebSocket {
    /// Waits for a message or the peer's close, answering pings and skipping pongs,
    /// until [`Limits::read_timeout`](crate::Limits::read_timeout). Returns [`Event::Message`] or [`Event::Close`]
    /// (once the close handshake is complete); failures are errors. In non-blocking
    /// mode, [`WsError::WouldBlock`] when it would have to wait.
    pub fn receive(&mut self) -> Result<Event, WsError> {
        let deadline = deadline_after(self.conn.limits().read_timeout);
        self.block_on(|c| c.poll_event(deadline, false))
    }

    /// Like [`WebSocket::receive`] but also returns pings (already answered) and pongs.
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

    /// [`WebSocket::poll_receive`] that also returns pings (already answered) and pongs.
    pub fn poll_receive_event(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Progress<Event>, WsError> {
        self.poll_event(deadline, true)
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
                    return Ok(match self.poll_finish_close(close_deadline)? {
                        Progress::Done(()) => Progress::Done(self.peer_close_event()),
                        Progress::Wait(i, d) => Progress::Wait(i, d),
                    });
                }
                if passed(close_deadline) {
                    // Our close frame was never answered (see `begin_close`).
                    self.shutdown();
                    return Err(WsError::ConnectionClosed);
                }
            }
            if let Some(ev) = self.conn.next_event() {
                self.note_output();
                match ev {
                    Event::Pong(ref payload) => {
                        if let Some(k) = &mut self.keepalive {
                            k.pong(payload);
                        }
                        if control_too {
                            return Ok(Progress::Done(ev));
                        }
                        continue;
                    }
                    Event::Ping(_) if !control_too => continue,
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
            let read = match self.read(self.wake_deadline(deadline))? {
                Read::TimedOut if !passed(deadline) => match self.keep_alive()? {
                    Some(read) => read,
                    None => continue,
                },
                read => read,
            };
            match read {
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

    /// When the keepalive needs the receive to wake up, while the connection is open.
    fn keepalive_deadline(&self) -> Option<Instant> {
        match &self.keepalive {
            Some(k) if self.conn.state() == State::Open => k.deadline(),
            _ => None,
        }
    }

    /// The keepalive deadline passed during a receive: queues the ping that is due and
    /// returns `None`, or, when a pong is overdue, reads what has already arrived (the
    /// pong may be there: the user may have called late) and returns that read. When
    /// nothing has arrived, the connection fails with 1011.
    fn keep_alive(&mut self) -> Result<Option<Read>, WsError> {
        let Some(k) = &mut self.keepalive else {
            return Ok(None);
        };
        if self.conn.state() != State::Open {
            return Ok(None);
        }
        match k.due(Instant::now()) {
            None => Ok(None),
            Some(Due::Ping(payload)) => {
                self.conn.ping(&payload)?;
                self.note_output();
                Ok(None)
            }
            Some(Due::PongOverdue) => match self.read_ready()? {
                Read::Blocked => {
                    let peer = self.conn.role().peer();
                    let e = match self.conn.fail(ProtocolError::KeepaliveTimeout { peer }) {
                        Event::Failed(e) => e,
                        _ => ProtocolError::KeepaliveTimeout { peer },
                    };
                    Err(self.failed(e))
                }
                read => Ok(Some(read)),
            },
        }
    }

    /// Reads once what has already arrived, without waiting: `Data`, `Eof` or
    /// `Blocked`.
    fn read_ready(&mut self) -> Result<Read, WsError> {
        if self.nonblocking {
            return self.read(None);
        }
        self.set_nonblocking(true)?;
        let read = self.read(None);
        self.set_nonblocking(false)?;
        read
    }

    /// When a receive whose deadline is `deadline` must look up from its read: then,
    /// when a keepalive ping is due or a pong overdue, or when the close handshake we
    /// started gives up.
    fn wake_deadline(&self, deadline: Option<Instant>) -> Option<Instant> {
        let deadline = earlier(deadline, self.keepalive_deadline());
        earlier(deadline, self.closing_deadline())
    }

    /// How long a non-blocking receive may wait: until its [`WebSocket::wake_deadline`],
    /// or the write deadline of output still queued.
    fn wait_deadline(&self, deadline: Option<Instant>) -> Option<Instant> {
        let deadline = self.wake_deadline(deadline);
        if self.wants_write() {
            earlier(deadline, self.write_deadline)
        } else {
            deadline
        }
    }

    /// A receive's deadline passed: the connection stays usable unless a frame was cut.
    fn read_timed_out(&mut self) -> WsError {
        let peer = self.conn.role().peer();
        if !self.conn.mid_frame() {
            return WsError::Timeout { peer };
        }
        let ev = self.conn.fail(ProtocolError::TimedOutMidFrame { peer });
        self.shutdown();
        match ev {
            Event::Failed(e) => WsError::Protocol(e),
            _ => WsError::Protocol(ProtocolError::TimedOutMidFrame { peer }),
        }
    }

    /// Reads once into the connection, waiting until `deadline` at most.
    fn read(&mut self, deadline: Option<Instant>) -> Result<Read, WsError> {
        loop {
            // One reading of the clock serves both the check and the socket timeout.
            let left = left(deadline);
            if left == Some(Duration::ZERO) {
                return Ok(Read::TimedOut);
            }
            if !self.nonblocking {
                self.arm_left(Interest::Readable, left)?;
            }
            let hint = self.conn.read_hint();
            let buf = self.conn.read_buffer(hint);
            match self.transport.read(buf) {
                Ok(0) => return Ok(Read::Eof),
                Ok(n) => {
                    self.conn.commit_read(n);
                    return Ok(Read::Data);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_would_block(&e) && self.nonblocking => {
                    // An event loop may leave it waiting for long: hold no read buffer.
                    self.conn.release_idle_input();
                    return Ok(Read::Blocked);
                }
                // Blocking mode: the socket timeout expired; the deadline decides.
                Err(e) if is_would_block(&e) => self.check_interrupt()?,
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
}
