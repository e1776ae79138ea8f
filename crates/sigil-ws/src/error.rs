//! The error type shared by every module of the crate.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::connection::Role;
use crate::frame::FrameError;

/// Why a connection was failed: a violation of RFC 6455 by the peer, or the loss of
/// the TCP connection. Each knows the close code it fails the connection with
/// ([`ProtocolError::close_code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtocolError {
    /// A malformed or oversize frame header.
    Frame(FrameError),
    /// The server masked a frame (servers must not, RFC 6455 §5.1).
    MaskedFrame,
    /// The client sent an unmasked frame (clients must mask, RFC 6455 §5.1).
    UnmaskedFrame,
    /// A continuation frame arrived with no fragmented message in progress.
    UnexpectedContinuation,
    /// A new text or binary frame arrived inside an unfinished fragmented message.
    UnfinishedMessage,
    /// The reassembled message would exceed the configured limit.
    MessageTooBig {
        /// Size the message reaches with the frame that broke the limit.
        size: u64,
        /// The configured limit.
        limit: usize,
    },
    /// A text message is not valid UTF-8.
    InvalidUtf8,
    /// A close reason is not valid UTF-8.
    InvalidCloseReason,
    /// A close frame with a 1-byte payload (a code needs two).
    OneByteClose,
    /// A close code that may not be sent.
    InvalidCloseCode(u16),
    /// The TCP connection ended without a close frame.
    ConnectionLost,
    /// A read deadline passed in the middle of a frame: the rest of the stream cannot
    /// be trusted to line up, so the connection is dropped (1006).
    TimedOutMidFrame {
        /// The role of the other end, whose frame was cut.
        peer: Role,
    },
    /// The pong of a keepalive ping did not arrive in time ([`crate::keepalive`]): the
    /// connection fails with 1011.
    KeepaliveTimeout {
        /// The role of the other end, which did not answer.
        peer: Role,
    },
    /// A compressed message (permessage-deflate) is not valid DEFLATE data.
    Decompression(String),
}

impl ProtocolError {
    /// The RFC 6455 close code: 1009 for size limits, 1007 for invalid UTF-8, 1006 for
    /// a lost connection (never sent on the wire), 1011 for a keepalive timeout, 1002
    /// for everything else.
    pub fn close_code(&self) -> u16 {
        match self {
            ProtocolError::Frame(e) => e.close_code(),
            ProtocolError::MessageTooBig { .. } => 1009,
            ProtocolError::InvalidUtf8 | ProtocolError::InvalidCloseReason => 1007,
            ProtocolError::ConnectionLost | ProtocolError::TimedOutMidFrame { .. } => 1006,
            ProtocolError::KeepaliveTimeout { .. } => 1011,
            _ => 1002,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Frame(e) => write!(f, "{e}"),
            ProtocolError::MaskedFrame => write!(f, "server sent a masked frame"),
            ProtocolError::UnmaskedFrame => write!(f, "client sent an unmasked frame"),
            ProtocolError::UnexpectedContinuation => {
                write!(f, "continuation frame without a message to continue")
            }
            ProtocolError::UnfinishedMessage => {
                write!(f, "new data frame inside a fragmented message")
            }
            ProtocolError::MessageTooBig { size, limit } => write!(
                f,
                "message of at least {size} bytes exceeds the limit of {limit} bytes"
            ),
            ProtocolError::InvalidUtf8 => write!(f, "invalid UTF-8 in text message"),
            ProtocolError::InvalidCloseReason => write!(f, "invalid UTF-8 in close reason"),
            ProtocolError::OneByteClose => write!(f, "close frame with a 1-byte payload"),
            ProtocolError::InvalidCloseCode(code) => write!(f, "invalid close code {code}"),
            ProtocolError::ConnectionLost => write!(f, "connection closed without a close frame"),
            ProtocolError::TimedOutMidFrame { peer } => {
                write!(
                    f,
                    "timed out waiting for the {peer} in the middle of a frame"
                )
            }
            ProtocolError::KeepaliveTimeout { .. } => write!(f, "keepalive ping timeout"),
            ProtocolError::Decompression(e) => {
                write!(f, "invalid compressed message (permessage-deflate): {e}")
            }
        }
    }
}

impl std::error::Error for ProtocolError {}

impl From<FrameError> for ProtocolError {
    fn from(e: FrameError) -> ProtocolError {
        ProtocolError::Frame(e)
    }
}

/// Everything that can go wrong while connecting, talking or closing.
///
/// `Display` gives a sentence a user can read; [`WsError::close_code`] gives the
/// RFC 6455 close code for protocol failures.
#[derive(Debug)]
pub enum WsError {
    /// The URL could not be parsed or is not usable for a WebSocket.
    InvalidUrl {
        /// The URL as given, its password hidden ([`crate::wsurl::redact`]).
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The URL scheme is neither `ws` nor `wss`.
    UnsupportedScheme(String),
    /// The host name could not be resolved.
    Dns {
        /// Host name that failed to resolve.
        host: String,
        /// Resolver error.
        source: io::Error,
    },
    /// The server actively refused the TCP connection.
    ConnectionRefused {
        /// Address that refused.
        addr: String,
    },
    /// TCP connect, TLS or HTTP handshake did not finish in time.
    ConnectTimeout {
        /// What we were connecting to.
        addr: String,
        /// The limit that expired.
        timeout: Duration,
    },
    /// TCP connect failed for another reason.
    Connect {
        /// Address we tried.
        addr: String,
        /// Operating system error.
        source: io::Error,
    },
    /// The server certificate is not signed by a trusted root.
    TlsUntrustedCertificate(String),
    /// The server certificate is not valid for the host name we asked for.
    TlsNameMismatch(String),
    /// Any other TLS failure (bad configuration, alert, broken record...).
    Tls(String),
    /// The server answered the upgrade request with a status other than 101 (a
    /// redirect the connector did not follow included).
    HandshakeRejected {
        /// HTTP status code.
        status: u16,
        /// HTTP reason phrase.
        reason: String,
        /// The `Location` header, if the answer had one.
        location: Option<String>,
    },
    /// A redirect was not followed: its `Location` is not a WebSocket URL, or it would
    /// go from `wss://` to `ws://` (see [`crate::redirect`]).
    RedirectRefused {
        /// Where it led (password hidden).
        location: String,
        /// Why it is not followed.
        reason: String,
    },
    /// More redirects than [`MaxRedirects`](crate::redirect::MaxRedirects) allows.
    TooManyRedirects {
        /// The limit.
        limit: usize,
        /// The URL of the last redirect (password hidden).
        last: String,
    },
    /// The server's 101 response is malformed or violates RFC 6455 §4.1.
    BadHandshake(String),
    /// `Sec-WebSocket-Accept` does not match the key we sent.
    BadAcceptKey,
    /// A server refused a client's upgrade request and answered with HTTP `status`.
    RequestRefused {
        /// The status answered: 400, 403 or 426.
        status: u16,
        /// Why, as sent in the response body.
        reason: String,
    },
    /// A client did not complete the opening handshake (TLS and upgrade request) in time.
    HandshakeTimeout {
        /// The client's address.
        peer: String,
        /// The limit that expired.
        timeout: Duration,
    },
    /// The proxy answered the request for a tunnel with a status other than 2xx (407:
    /// it wants credentials).
    ProxyRejected {
        /// The proxy URL, its password hidden.
        proxy: String,
        /// `host:port` the tunnel was to lead to.
        target: String,
        /// HTTP status code.
        status: u16,
        /// HTTP reason phrase.
        reason: String,
    },
    /// The proxy could not be reached, or its answer was broken or a refusal (SOCKS5).
    Proxy {
        /// The proxy URL, its password hidden.
        proxy: String,
        /// What went wrong.
        message: String,
    },
    /// The connection was failed: the peer violated the protocol (we sent a close
    /// frame with the error's code), or the TCP connection was lost (1006).
    Protocol(ProtocolError),
    /// The connection is closing or closed; nothing more can be sent or received.
    ConnectionClosed,
    /// The read deadline of a receive passed (the connection stays usable).
    Timeout {
        /// The role of the other end, which sent nothing in time.
        peer: Role,
    },
    /// Output could not be written before the write deadline; the connection failed.
    WriteTimeout {
        /// The write timeout.
        timeout: Duration,
        /// The role of the other end, which did not read in time.
        peer: Role,
    },
    /// A non-blocking operation cannot make progress yet; retry when the fd is ready.
    WouldBlock,
    /// The caller passed an invalid argument (bad close code, header with CR/LF...).
    InvalidInput(String),
    /// A blocking wait saw its [`Interrupt`](crate::interrupt::Interrupt) flag set.
    Interrupted,
    /// Any other I/O error.
    Io(io::Error),
}

impl WsError {
    /// The close code that describes this error, when it is a protocol failure.
    pub fn close_code(&self) -> Option<u16> {
        match self {
            WsError::Protocol(e) => Some(e.close_code()),
            _ => None,
        }
    }

    /// True for [`WsError::WouldBlock`]: the operation should be retried later.
    pub fn is_would_block(&self) -> bool {
        matches!(self, WsError::WouldBlock)
    }

    /// Maps an I/O error on a connection with a `peer` (its role), turning timeouts and
    /// would-block into their own variants.
    pub(crate) fn from_io(err: io::Error, nonblocking: bool, peer: Role) -> WsError {
        match err.kind() {
            io::ErrorKind::WouldBlock if nonblocking => WsError::WouldBlock,
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => WsError::Timeout { peer },
            io::ErrorKind::UnexpectedEof
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => WsError::Protocol(ProtocolError::ConnectionLost),
            _ => match err
                .get_ref()
                .and_then(|e| e.downcast_ref::<rustls::Error>())
            {
                Some(tls) => WsError::from(tls.clone()),
                None => WsError::Io(err),
            },
        }
    }
}

impl fmt::Display for WsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WsError::InvalidUrl { url, reason } => {
                write!(f, "invalid WebSocket URL {url:?}: {reason}")
            }
            WsError::UnsupportedScheme(s) => {
                write!(
                    f,
                    "unsupported URL scheme '{s}' (only ws:// and wss:// are supported)"
                )
            }
            WsError::Dns { host, source } => write!(f, "cannot resolve host '{host}': {source}"),
            WsError::ConnectionRefused { addr } => write!(f, "connection refused by {addr}"),
            WsError::ConnectTimeout { addr, timeout } => {
                write!(f, "connecting to {addr} timed out after {timeout:?}")
            }
            WsError::Connect { addr, source } => write!(f, "cannot connect to {addr}: {source}"),
            WsError::TlsUntrustedCertificate(m) => {
                write!(f, "TLS error: server certificate is not trusted ({m})")
            }
            WsError::TlsNameMismatch(m) => {
                write!(
                    f,
                    "TLS error: server certificate does not match the host name ({m})"
                )
            }
            WsError::Tls(m) => write!(f, "TLS error: {m}"),
            WsError::HandshakeRejected {
                status,
                reason,
                location,
            } => {
                write!(
                    f,
                    "server rejected the WebSocket upgrade: HTTP {status} {reason}"
                )?;
                match location {
                    Some(l) => write!(f, " (Location: {})", crate::wsurl::redact(l)),
                    None => Ok(()),
                }
            }
            WsError::RedirectRefused { location, reason } => {
                write!(f, "cannot follow the redirect to {location}: {reason}")
            }
            WsError::TooManyRedirects { limit, last } => write!(
                f,
                "too many redirects (more than {limit}; the last one to {last})"
            ),
            WsError::BadHandshake(m) => write!(f, "invalid WebSocket handshake response: {m}"),
            WsError::BadAcceptKey => {
                write!(
                    f,
                    "invalid WebSocket handshake response: wrong Sec-WebSocket-Accept"
                )
            }
            WsError::RequestRefused { status, reason } => {
                write!(
                    f,
                    "refused the WebSocket upgrade request with HTTP {status}: {reason}"
                )
            }
            WsError::HandshakeTimeout { peer, timeout } => write!(
                f,
                "the opening handshake with {peer} did not complete within {timeout:?}"
            ),
            WsError::ProxyRejected {
                proxy,
                target,
                status: 407,
                reason,
            } => write!(
                f,
                "proxy {proxy} wants authentication for the tunnel to {target}: HTTP 407 \
                 {reason} (give the user name and password in the proxy URL: \
                 http://user:password@host:port)"
            ),
            WsError::ProxyRejected {
                proxy,
                target,
                status,
                reason,
            } => write!(
                f,
                "proxy {proxy} refused the tunnel to {target}: HTTP {status} {reason}"
            ),
            WsError::Proxy { proxy, message } => write!(f, "proxy {proxy}: {message}"),
            WsError::Protocol(ProtocolError::ConnectionLost) => {
                write!(
                    f,
                    "the connection was closed without a WebSocket close frame (1006)"
                )
            }
            WsError::Protocol(e @ ProtocolError::TimedOutMidFrame { .. }) => {
                write!(f, "{e} (1006)")
            }
            WsError::Protocol(e @ ProtocolError::KeepaliveTimeout { peer }) => write!(
                f,
                "{e}: the {peer} did not answer a ping in time (close code 1011)"
            ),
            WsError::Protocol(e @ ProtocolError::MessageTooBig { .. })
            | WsError::Protocol(e @ ProtocolError::Frame(FrameError::TooBig { .. })) => {
                write!(f, "message too big (close code 1009): {e}")
            }
            WsError::Protocol(e) => {
                let code = e.close_code();
                write!(f, "WebSocket protocol error (close code {code}): {e}")
            }
            WsError::ConnectionClosed => write!(f, "the WebSocket connection is closed"),
            WsError::Timeout { peer } => write!(f, "timed out waiting for the {peer}"),
            WsError::WriteTimeout { timeout, peer } => write!(
                f,
                "timed out writing to the {peer} (write timeout {timeout:?}); the connection \
                 is closed"
            ),
            WsError::WouldBlock => write!(f, "operation would block"),
            WsError::InvalidInput(m) => write!(f, "invalid argument: {m}"),
            WsError::Interrupted => write!(f, "interrupted"),
            WsError::Io(e) => write!(f, "I/O error: {e}"),
        }
    }
}

impl std::error::Error for WsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WsError::Dns { source, .. } | WsError::Connect { source, .. } | WsError::Io(source) => {
                Some(source)
            }
            WsError::Protocol(e) => Some(e),
            _ => None,
        }
    }
}

impl From<rustls::Error> for WsError {
    fn from(err: rustls::Error) -> WsError {
        use rustls::CertificateError as C;
        match &err {
            rustls::Error::InvalidCertificate(C::NotValidForName)
            | rustls::Error::InvalidCertificate(C::NotValidForNameContext { .. }) => {
                WsError::TlsNameMismatch(err.to_string())
            }
            rustls::Error::InvalidCertificate(C::UnknownIssuer | C::BadSignature)
            | rustls::Error::InvalidCertificate(C::BadEncoding) => {
                WsError::TlsUntrustedCertificate(err.to_string())
            }
            _ => WsError::Tls(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_name_the_peer() {
        let texts = |peer: Role| {
            [
                WsError::Timeout { peer },
                WsError::WriteTimeout {
                    timeout: Duration::from_secs(10),
                    peer,
                },
                WsError::Protocol(ProtocolError::TimedOutMidFrame { peer }),
                WsError::Protocol(ProtocolError::KeepaliveTimeout { peer }),
            ]
            .map(|e| e.to_string())
        };
        assert_eq!(
            texts(Role::Server),
            [
                "timed out waiting for the server",
                "timed out writing to the server (write timeout 10s); the connection is closed",
                "timed out waiting for the server in the middle of a frame (1006)",
                "keepalive ping timeout: the server did not answer a ping in time (close code 1011)",
            ]
        );
        assert_eq!(
            texts(Role::Client),
            [
                "timed out waiting for the client",
                "timed out writing to the client (write timeout 10s); the connection is closed",
                "timed out waiting for the client in the middle of a frame (1006)",
                "keepalive ping timeout: the client did not answer a ping in time (close code 1011)",
            ]
        );
        assert_eq!(Role::Client.peer(), Role::Server);
        assert_eq!(Role::Server.peer(), Role::Client);
    }
}
