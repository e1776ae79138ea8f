//! The byte stream under a WebSocket connection: plain TCP or TLS over TCP.
//!
//! Works on blocking and non-blocking sockets alike: "would block" surfaces as an
//! `io::ErrorKind::WouldBlock` error for the caller to wait on. The TCP socket is shared
//! ([`Transport::shared_tcp`]) so that an event loop can keep its descriptor open while
//! it waits on it.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;

use crate::connection::Connection;

/// Bytes waiting to be written: a connection's queued frames, or the upgrade request.
pub(crate) trait Outbox {
    /// The bytes still to write.
    fn pending(&self) -> &[u8];
    /// Marks the first `n` pending bytes as written.
    fn consume(&mut self, n: usize);
}

impl Outbox for Connection {
    fn pending(&self) -> &[u8] {
        self.pending_output()
    }

    fn consume(&mut self, n: usize) {
        self.consume_output(n)
    }
}

/// A TLS session (client or server side) and the TCP socket it runs over.
pub(crate) struct TlsStream {
    tls: rustls::Connection,
    sock: Arc<TcpStream>,
}

/// Plain TCP (`ws://`) or TLS (`wss://`).
pub(crate) enum Transport {
    Plain(Arc<TcpStream>),
    Tls(Box<TlsStream>),
}

impl Transport {
    /// Plain TCP over `sock`.
    pub(crate) fn plain(sock: impl Into<Arc<TcpStream>>) -> Transport {
        Transport::Plain(sock.into())
    }

    /// The session `tls` over `sock`.
    pub(crate) fn tls(
        tls: impl Into<rustls::Connection>,
        sock: impl Into<Arc<TcpStream>>,
    ) -> Transport {
        Transport::Tls(Box::new(TlsStream {
            tls: tls.into(),
            sock: sock.into(),
        }))
    }

    /// The TCP socket.
    pub(crate) fn tcp(&self) -> &TcpStream {
        self.shared_tcp()
    }

    /// The TCP socket, shared.
    pub(crate) fn shared_tcp(&self) -> &Arc<TcpStream> {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(t) => &t.sock,
        }
    }

    /// Reads decrypted bytes; `Ok(0)` means end of stream.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let t = match self {
            Transport::Plain(s) => return (&**s).read(buf),
            Transport::Tls(t) => t,
        };
        loop {
            match t.tls.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            if t.tls.read_tls(&mut &*t.sock)? == 0 {
                return Ok(0);
            }
            t.tls
                .process_new_packets()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        }
    }

    /// Writes some of `out`'s pending bytes (through TLS if any) with at most one write
    /// to the socket, so that a caller with a deadline can check it between writes.
    /// `Ok(true)` once nothing is left to write, TLS records included.
    pub(crate) fn write_some(&mut self, out: &mut impl Outbox) -> io::Result<bool> {
        match self {
            Transport::Plain(s) => {
                if !out.pending().is_empty() {
                    match (&**s).write(out.pending())? {
                        0 => return Err(io::ErrorKind::WriteZero.into()),
                        n => out.consume(n),
                    }
                }
                Ok(out.pending().is_empty())
            }
            Transport::Tls(t) => {
                if !t.tls.wants_write() && !out.pending().is_empty() {
                    // rustls accepts up to its buffer limit: memory stays bounded.
                    match t.tls.writer().write(out.pending())? {
                        0 => return Err(io::ErrorKind::WriteZero.into()),
                        n => out.consume(n),
                    }
                }
                if t.tls.wants_write() {
                    t.tls.write_tls(&mut &*t.sock)?;
                }
                Ok(!t.tls.wants_write() && out.pending().is_empty())
            }
        }
    }

    /// Writes `out`'s pending bytes until done or an error ("would block" included).
    pub(crate) fn flush(&mut self, out: &mut impl Outbox) -> io::Result<()> {
        loop {
            match self.write_some(out) {
                Ok(true) => return Ok(()),
                Ok(false) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Whether TLS has records of its own (handshake, alerts) waiting to be written.
    pub(crate) fn tls_wants_write(&self) -> bool {
        matches!(self, Transport::Tls(t) if t.tls.wants_write())
    }

    /// Sends TLS close_notify (best effort) and shuts the socket down.
    pub(crate) fn shutdown(&mut self) {
        if let Transport::Tls(t) = self {
            t.tls.send_close_notify();
            while t.tls.wants_write() {
                if t.tls.write_tls(&mut &*t.sock).is_err() {
                    break;
                }
            }
        }
        let _ = self.tcp().shutdown(Shutdown::Both);
    }
}
