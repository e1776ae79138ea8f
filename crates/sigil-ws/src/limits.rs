//! Resource limits and timeouts, with defaults that bound memory and waiting.

use std::time::Duration;

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
    /// Time allowed for TCP connect, TLS and HTTP handshakes together. Default 10 s.
    pub connect_timeout: Duration,
    /// Time to wait for the server's close frame and TCP close after we close. Default 5 s.
    pub close_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_frame_size: 64 << 20,
            max_message_size: 64 << 20,
            connect_timeout: Duration::from_secs(10),
            close_timeout: Duration::from_secs(5),
        }
    }
}
