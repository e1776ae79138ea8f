//! The close handshake: one deadline from its start (our close frame or the peer's)
//! to the TCP close (the server's, or ours on a server), whatever the peer sends
//! meanwhile.

use std::io;
use std::time::Instant;

use crate::close::CloseFrame;
use crate::connection::{Event, Role, State};
use crate::connector::Interest;
use crate::error::WsError;
use crate::limits::deadline_after;

use super::deadline::passed;
use super::receive::READ_BUDGET;
use super::send::Flush;
use super::{is_would_block, yield_now, Progress, WebSocket};

impl WebSocket {
    /// Closes the connection: sends `frame`, waits for the peer's close frame and (as a
    /// client) the server's TCP close, then shuts the socket down; all within [`Limits::close_timeout`](crate::Limits::close_timeout).
    /// Network errors while closing are ignored. In non-blocking mode,
    /// [`WsError::WouldBlock`] when it would have to wait: use [`WebSocket::poll_close`].
    pub fn close(&mut self, frame: &CloseFrame) -> Result<(), WsError> {
        self.block_on(|c| c.poll_close(frame))
    }

    /// One step of [`WebSocket::close`]: `frame` is sent by the first call (later calls
    /// continue the handshake, whatever frame they pass). The only error after the
    /// close frame is queued is [`WsError::Interrupted`], once the socket is shut down.
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
        self.poll_finish_close(deadline)
    }

    /// Starts the close handshake without waiting for it: queues `frame`, starts the
    /// close deadline and writes what the socket takes now (in blocking mode, until it
    /// is written or the deadline passes). Whoever uses the connection next finishes the
    /// handshake: a receive ([`WebSocket::poll_receive`]) returns [`Event::Close`] once the
    /// peer's close frame has arrived, or fails with [`WsError::ConnectionClosed`] at the
    /// close deadline (its waits end by then), and [`WebSocket::poll_close`] drives it to
    /// its end. For a server that stops while its connections' handlers wait in a
    /// receive. Does nothing once a close handshake has started or the socket is shut
    /// down; network errors shut the socket down.
    pub fn begin_close(&mut self, frame: &CloseFrame) -> Result<(), WsError> {
        if self.shut_down || self.conn.state() != State::Open {
            return Ok(());
        }
        self.conn.close(frame)?;
        self.note_output();
        self.start_close();
        match self.flush_until(self.close_deadline.flatten()) {
            Ok(_) => Ok(()),
            Err(WsError::Interrupted) => Err(WsError::Interrupted),
            Err(_) => {
                self.shutdown();
                Ok(())
            }
        }
    }

    /// When the close handshake we started gives up, while it is under way.
    pub(super) fn closing_deadline(&self) -> Option<Instant> {
        self.close_deadline.flatten()
    }

    /// Starts the close deadline (once).
    pub(super) fn start_close(&mut self) {
        if self.close_deadline.is_none() {
            self.close_deadline = Some(deadline_after(Some(self.conn.limits().close_timeout)));
        }
    }

    /// Drives the close handshake until `deadline`: our close frame out, the peer's in,
    /// then its TCP close; then shuts the socket down. Errors end it early; an interrupt
    /// ends it too, and is the one error returned.
    pub(super) fn poll_finish_close(
        &mut self,
        deadline: Option<Instant>,
    ) -> Result<Progress<()>, WsError> {
        match self.finish_close_step(deadline) {
            Ok(Some(wait)) => Ok(wait),
            Ok(None) => {
                self.shutdown();
                Ok(Progress::Done(()))
            }
            Err(e) => {
                self.shutdown();
                match e {
                    WsError::Interrupted => Err(e),
                    _ => Ok(Progress::Done(())),
                }
            }
        }
    }

    /// One step of [`WebSocket::poll_finish_close`]: `Some(wait)` to wait, `None` when done.
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
        if self.conn.state() == State::Closed && self.conn.role() == Role::Server {
            // Both close frames are through: the server closes TCP first (RFC 6455 §7.1.1).
            return Ok(None);
        }
        let mut scratch = [0u8; 1024];
        let mut reads = 0;
        loop {
            // Until the peer's close frame, its frames go through the connection
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
                Err(e) if is_would_block(&e) => self.check_interrupt()?,
                Err(e) => return Err(WsError::Io(e)),
            }
        }
    }

    /// The close event for the peer's close frame.
    pub(super) fn peer_close_event(&self) -> Event {
        Event::Close {
            code: self.conn.close_code(),
            reason: self.conn.close_reason().unwrap_or_default().to_string(),
        }
    }
}
