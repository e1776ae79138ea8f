//! Byte streams the server talks over: plain TCP or rustls-over-TCP.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use rustls::{ServerConnection, StreamOwned};

/// How long [`Conn::finish`] waits for the peer to close its side.
const LINGER: Duration = Duration::from_secs(1);

/// A connection to one client, independent of whether it is encrypted.
pub(crate) trait Conn: Read + Write + Send {
    /// Sets the read timeout of the underlying socket (`None` blocks forever).
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;

    /// Ends the connection politely: TLS `close_notify` if encrypted, a TCP
    /// FIN, then discards what the peer still sends until it closes (at most
    /// about a second), so unread input never turns the close into a reset.
    fn finish(&mut self);

    /// Drops the TCP connection at once, without any TLS or TCP courtesy.
    fn abort(&mut self);
}

impl Conn for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }

    fn finish(&mut self) {
        linger_close(self);
    }

    fn abort(&mut self) {
        let _ = self.shutdown(Shutdown::Both);
    }
}

impl Conn for StreamOwned<ServerConnection, TcpStream> {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.sock.set_read_timeout(timeout)
    }

    fn finish(&mut self) {
        self.conn.send_close_notify();
        let _ = self.flush();
        linger_close(&mut self.sock);
    }

    fn abort(&mut self) {
        let _ = self.sock.shutdown(Shutdown::Both);
    }
}

/// Half-closes `sock` and drains it until the peer closes or [`LINGER`] passes.
fn linger_close(sock: &mut TcpStream) {
    let _ = sock.flush();
    let _ = sock.shutdown(Shutdown::Write);
    let _ = sock.set_read_timeout(Some(LINGER));
    let mut sink = [0u8; 4096];
    while matches!(sock.read(&mut sink), Ok(n) if n > 0) {}
}
