//! Resource limits and timeouts, with defaults that bound memory and waiting.

use std::time::{Duration, Instant};

/// Largest HTTP response header accepted during the opening handshake.
pub const MAX_HANDSHAKE_RESPONSE: usize = 16 * 1024;

/// Limits applied to one connection.
///
/// Oversize frames and messages are rejected from their frame header, before the
/// payload is buffered, so memory stays bounded whatever the server sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest payload of a single frame. Default 64 MiB. Exceeding it fails with 1009.
    pub max_frame_size: usize,
    /// Largest reassembled message. Default 64 MiB. Exceeding it fails with 1009.
    pub max_message_size: usize,
    /// Deadline for opening a connection: name lookup, TCP connect, TLS and HTTP
    /// handshakes together. Default 10 s.
    pub connect_timeout: Duration,
    /// Deadline for one receive, whatever arrives meanwhile (pings, pongs, fragments,
    /// bytes one at a time). Default none: a receive waits until a message comes.
    pub read_timeout: Option<Duration>,
    /// Deadline for writing what is queued (a message, a pong, a close frame), counted
    /// from when it was queued; when it passes, the connection fails. Default 10 s.
    pub write_timeout: Option<Duration>,
    /// Deadline for the whole close handshake, from our close frame (or the server's)
    /// until the TCP close, whatever the server sends meanwhile. Default 5 s.
    pub close_timeout: Duration,
    /// Keepalive: how often a ping is sent while a receive waits (see
    /// [`crate::keepalive`]). Default 20 s, as Python `websockets`; `None`: no pings.
    pub ping_interval: Option<Duration>,
    /// Keepalive: how long the pong of such a ping may take before the connection
    /// fails with 1011. Default 20 s; `None`: pings are sent but pongs never awaited.
    pub ping_timeout: Option<Duration>,
}

/// The instant `timeout` from now; `None` for no timeout, or one too far away to
/// represent (which is as good as none).
pub fn deadline_after(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|t| Instant::now().checked_add(t))
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_frame_size: 64 << 20,
            max_message_size: 64 << 20,
            connect_timeout: Duration::from_secs(10),
            read_timeout: None,
            write_timeout: Some(Duration::from_secs(10)),
            close_timeout: Duration::from_secs(5),
            ping_interval: Some(Duration::from_secs(20)),
            ping_timeout: Some(Duration::from_secs(20)),
        }
    }
}
