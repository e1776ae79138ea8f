//! Sending: messages and pings are queued, then written until done, blocked (in
//! non-blocking mode) or the write deadline, which fails the connection.

use std::io;
use std::time::Instant;

use crate::connector::Interest;
use crate::error::WsError;
use crate::limits::deadline_after;

use super::deadline::{earlier, passed};
use super::{is_would_block, Progress, WebSocket};

/// How far a flush got.
pub(super) enum Flush {
    /// Everything is written.
    Done,
    /// The socket is full (non-blocking mode).
    Blocked,
    /// The operation's deadline passed (the output's own has not).
    TimedOut,
}

impl WebSocket {
    /// Sends a text message. In blocking mode this returns once it is written (or fails
    /// at the write deadline); in non-blocking mode what the socket cannot take stays
    /// queued: see [`WebSocket::poll_flush`].
    pub fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.check_alive()?;
        self.conn.send_text(text)?;
        self.flush_queued()
    }

    /// Sends a binary message (see [`WebSocket::send_text`]).
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.check_alive()?;
        self.conn.send_binary(data)?;
        self.flush_queued()
    }

    /// Sends a ping (payload at most 125 bytes); the pong arrives as [`Event::Pong`](crate::Event::Pong)
    /// from [`WebSocket::receive_event`].
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

    /// Whether output is queued (non-blocking mode: see [`WebSocket::poll_flush`]).
    pub fn wants_write(&self) -> bool {
        !self.conn.pending_output().is_empty() || self.transport.tls_wants_write()
    }

    /// After queueing: writes as much as the mode allows (see [`WebSocket::send_text`]).
    fn flush_queued(&mut self) -> Result<(), WsError> {
        self.flush_until(None).map(drop)
    }

    /// Starts the write deadline of queued output, if it has none yet.
    pub(super) fn note_output(&mut self) {
        if self.write_deadline.is_none() && self.wants_write() {
            self.write_deadline = deadline_after(self.conn.limits().write_timeout);
        }
    }

    /// Writes queued output until done, blocked (non-blocking mode) or `deadline`
    /// (the operation's own) passes; fails the connection at the write deadline. An
    /// interrupt leaves the rest queued.
    pub(super) fn flush_until(&mut self, deadline: Option<Instant>) -> Result<Flush, WsError> {
        // Most output is written at once: the first write skips the clock when nothing
        // can make it overrun a deadline (the socket's write timeout, if any, is at most
        // the write timeout, which is what is left of a deadline that starts now, and at
        // most an interrupt slice) or outlast an interrupt slice.
        let unbounded = self.conn.limits().write_timeout.is_none() && !self.interruptible();
        let mut check = deadline.is_some()
            || !(self.nonblocking || self.timeouts.is_set(Interest::Writable) || unbounded);
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
                Err(e) if is_would_block(&e) => self.check_interrupt()?,
                Err(e) => return Err(self.fail_io(e)),
            }
        }
    }

    /// The write deadline passed: the connection fails.
    fn write_timed_out(&mut self) -> WsError {
        self.shutdown();
        WsError::WriteTimeout {
            timeout: self.conn.limits().write_timeout.unwrap_or_default(),
            peer: self.conn.role().peer(),
        }
    }

    /// An I/O error: the connection is lost.
    pub(super) fn fail_io(&mut self, e: io::Error) -> WsError {
        self.shutdown();
        WsError::from_io(e, false, self.conn.role().peer())
    }
}
