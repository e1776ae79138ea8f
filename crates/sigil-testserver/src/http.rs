//! The hand-rolled HTTP side: reading the upgrade request, replaying it to
//! tungstenite, and writing the few non-WebSocket responses.

use std::io::{self, Read, Write};
use std::time::Duration;

use crate::conn::Conn;

/// How long a client may take to send its request head.
pub(crate) const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest request head accepted, in bytes.
const MAX_HEAD: usize = 16 * 1024;

/// The parts of an HTTP request head the server routes on.
pub(crate) struct Request {
    /// Request path without the query string, e.g. `/echo`.
    pub(crate) path: String,
    /// Value of `Sec-WebSocket-Key`, if the client sent one.
    pub(crate) key: Option<String>,
}

/// A connection whose first bytes were already read; reads return those
/// bytes again before reading from the connection itself.
pub(crate) struct Replay {
    pre: Vec<u8>,
    pos: usize,
    head_len: usize,
    inner: Box<dyn Conn>,
}

impl Replay {
    /// Skips the request head so that reads return only what followed it.
    pub(crate) fn skip_head(&mut self) {
        self.pos = self.pos.max(self.head_len);
    }

    /// The request head as received, blank line included.
    pub(crate) fn head(&self) -> String {
        String::from_utf8_lossy(&self.pre[..self.head_len]).into_owned()
    }

    /// The underlying connection.
    pub(crate) fn conn(&mut self) -> &mut dyn Conn {
        &mut *self.inner
    }
}

impl Read for Replay {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.pre.len() {
            let n = buf.len().min(self.pre.len() - self.pos);
            buf[..n].copy_from_slice(&self.pre[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        self.inner.read(buf)
    }
}

impl Write for Replay {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the request head from `conn` (up to and including the blank line)
/// and returns it parsed, with a [`Replay`] that yields every byte read so far
/// again, so the head can still be handed to tungstenite.
pub(crate) fn read_request(mut conn: Box<dyn Conn>) -> io::Result<(Request, Replay)> {
    let mut pre = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    let head_len = loop {
        if let Some(i) = pre.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if pre.len() > MAX_HEAD {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "request head too large",
            ));
        }
        let n = conn.read(&mut chunk)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        pre.extend_from_slice(&chunk[..n]);
    };
    let request = parse_head(&String::from_utf8_lossy(&pre[..head_len]))?;
    let replay = Replay {
        pre,
        pos: 0,
        head_len,
        inner: conn,
    };
    Ok((request, replay))
}

/// Parses a request head into the fields the server needs.
fn parse_head(head: &str) -> io::Result<Request> {
    let mut lines = head.split("\r\n");
    let target = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad request line"))?;
    let path = target.split('?').next().unwrap_or("/").to_string();
    let key = lines.find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("sec-websocket-key")
            .then(|| value.trim().to_string())
    });
    Ok(Request { path, key })
}

/// Writes a complete non-upgrade response with a plain-text body.
pub(crate) fn write_plain(w: &mut impl Write, status: &str, body: &str) -> io::Result<()> {
    write!(
        w,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    w.flush()
}

/// Writes a redirect with `status` (a 3xx code) to `location`, and no body.
pub(crate) fn write_redirect(w: &mut impl Write, status: u16, location: &str) -> io::Result<()> {
    let reason = match status {
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        _ => "Redirect",
    };
    write!(
        w,
        "HTTP/1.1 {status} {reason}\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    w.flush()
}

/// Writes a `101 Switching Protocols` head carrying `accept` as the
/// `Sec-WebSocket-Accept` value, plus any `extra` header lines.
pub(crate) fn write_switching(w: &mut impl Write, accept: &str, extra: &[&str]) -> io::Result<()> {
    write_upgrade(w, "HTTP/1.1", accept, extra)
}

/// [`write_switching`] with any HTTP `version` in the status line.
pub(crate) fn write_upgrade(
    w: &mut impl Write,
    version: &str,
    accept: &str,
    extra: &[&str],
) -> io::Result<()> {
    let mut head = format!(
        "{version} 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n"
    );
    for line in extra {
        head.push_str(line);
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
    w.write_all(head.as_bytes())?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::parse_head;

    #[test]
    fn parses_path_and_key() {
        let req =
            parse_head("GET /api?x=1 HTTP/1.1\r\nHost: a\r\nsec-websocket-KEY:  abc== \r\n\r\n")
                .unwrap();
        assert_eq!(req.path, "/api");
        assert_eq!(req.key.as_deref(), Some("abc=="));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse_head("\r\n\r\n").is_err());
    }
}
