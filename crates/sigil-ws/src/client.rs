//! Drivers: a WebSocket client over TCP (`ws://`) or TLS (`wss://`), blocking by
//! default, with non-blocking "try" operations for an event-loop scheduler.
//!
//! All protocol work is done by [`Connection`] and [`ClientHandshake`]; this module
//! only moves bytes between them and the socket.
//!
//! # Trust roots
//! Server certificates are always verified, including the host name, against the
//! Mozilla roots from `webpki-roots`, plus every PEM certificate in
//! [`ConnectOptions::root_certs_pem`], plus the PEM certificates in the file named
//! by the `SSL_CERT_FILE` environment variable when it is set.
//!
//! # Name-resolution override: `SIGIL_RESOLVE`
//! Like curl's `--resolve`, the `SIGIL_RESOLVE` environment variable (and the
//! [`ConnectOptions::resolve`] field) sends the TCP connection for a host and port
//! to a fixed address, while the URL's host name is still used for SNI, certificate
//! verification and the `Host` header. Syntax: comma-separated `host:port=address:port`
//! entries, IPv6 addresses in brackets, e.g.
//! `SIGIL_RESOLVE="example.com:443=127.0.0.1:8443,chat.test:80=[::1]:9000"`.
//! Host names match case-insensitively.
//!
//! # Non-blocking use
//! After [`connect`], call [`Client::set_nonblocking`]`(true)`. Then
//! [`Client::try_receive`] returns [`WsError::WouldBlock`] when no complete message
//! is available: wait until the fd from `AsRawFd::as_raw_fd` is readable and retry. Sends
//! never block: frames that do not fit in the socket stay queued;
//! [`Client::wants_write`] tells whether to wait for writability and call
//! [`Client::try_flush`]. Connecting itself is blocking (bounded by
//! [`Limits::connect_timeout`]); a non-blocking connect is not implemented yet.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};
use url::Url;

use crate::connection::{Connection, Event, State};
use crate::error::WsError;
use crate::handshake::{ClientHandshake, RequestOptions};
use crate::limits::Limits;

/// Environment variable naming a PEM file of extra trusted root certificates.
pub const SSL_CERT_FILE_ENV: &str = "SSL_CERT_FILE";
/// Environment variable holding name-resolution overrides (see the module docs).
pub const RESOLVE_ENV: &str = "SIGIL_RESOLVE";

/// One name-resolution override: connect to `addr` for `host`:`port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveOverride {
    /// Host name as written in the URL.
    pub host: String,
    /// Port of the URL (explicit or default).
    pub port: u16,
    /// Address the TCP socket connects to instead.
    pub addr: SocketAddr,
}

impl ResolveOverride {
    /// Parses a comma-separated list of `host:port=address:port` entries.
    pub fn parse_list(spec: &str) -> Result<Vec<ResolveOverride>, WsError> {
        spec.split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(|entry| {
                let bad = || {
                    WsError::InvalidInput(format!(
                        "bad resolve entry {entry:?}, expected host:port=address:port"
                    ))
                };
                let (from, to) = entry.split_once('=').ok_or_else(bad)?;
                let (host, port) = from.rsplit_once(':').ok_or_else(bad)?;
                let host = host.trim_start_matches('[').trim_end_matches(']');
                Ok(ResolveOverride {
                    host: host.to_string(),
                    port: port.parse().map_err(|_| bad())?,
                    addr: to.parse().map_err(|_| bad())?,
                })
            })
            .collect()
    }
}

/// Everything [`connect`] can be told besides the URL.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// Size limits and timeouts.
    pub limits: Limits,
    /// Origin, subprotocols and extra headers for the upgrade request.
    pub request: RequestOptions,
    /// PEM bundles of extra trusted root certificates (added to `webpki-roots`).
    pub root_certs_pem: Vec<Vec<u8>>,
    /// Name-resolution overrides, consulted before `SIGIL_RESOLVE` and DNS.
    pub resolve: Vec<ResolveOverride>,
}

struct TlsStream {
    tls: ClientConnection,
    sock: TcpStream,
}

enum Transport {
    Plain(TcpStream),
    Tls(Box<TlsStream>),
}

impl Transport {
    fn tcp(&self) -> &TcpStream {
        match self {
            Transport::Plain(s) => s,
            Transport::Tls(t) => &t.sock,
        }
    }

    /// Reads decrypted bytes; `Ok(0)` means end of stream.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let t = match self {
            Transport::Plain(s) => return s.read(buf),
            Transport::Tls(t) => t,
        };
        loop {
            match t.tls.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            if t.tls.read_tls(&mut t.sock)? == 0 {
                return Ok(0);
            }
            t.tls
                .process_new_packets()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        }
    }

    /// Writes the connection's pending output (through TLS if any) until done or blocked.
    fn flush(&mut self, conn: &mut Connection) -> io::Result<()> {
        match self {
            Transport::Plain(s) => {
                while !conn.pending_output().is_empty() {
                    match s.write(conn.pending_output()) {
                        Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                        Ok(n) => conn.consume_output(n),
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            Transport::Tls(t) => loop {
                while t.tls.wants_write() {
                    t.tls.write_tls(&mut t.sock)?;
                }
                if conn.pending_output().is_empty() {
                    return Ok(());
                }
                // rustls accepts up to its buffer limit: memory stays bounded.
                match t.tls.writer().write(conn.pending_output())? {
                    0 => return Err(io::ErrorKind::WriteZero.into()),
                    n => conn.consume_output(n),
                }
            },
        }
    }

    fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Transport::Plain(s) => s.write_all(data),
            Transport::Tls(t) => {
                t.tls.writer().write_all(data)?;
                while t.tls.wants_write() {
                    t.tls.write_tls(&mut t.sock)?;
                }
                Ok(())
            }
        }
    }

    fn tls_wants_write(&self) -> bool {
        matches!(self, Transport::Tls(t) if t.tls.wants_write())
    }

    /// Sends TLS close_notify (best effort) and shuts the socket down.
    fn shutdown(&mut self) {
        if let Transport::Tls(t) = self {
            t.tls.send_close_notify();
            while t.tls.wants_write() {
                if t.tls.write_tls(&mut t.sock).is_err() {
                    break;
                }
            }
        }
        let _ = self.tcp().shutdown(Shutdown::Both);
    }
}

/// A connected WebSocket client.
pub struct Client {
    transport: Transport,
    conn: Connection,
    url: String,
    protocol: Option<String>,
    nonblocking: bool,
    read_timeout: Option<Duration>,
    shut_down: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.url)
            .field("state", &self.conn.state())
            .field("tls", &self.is_tls())
            .finish()
    }
}

/// Parses and checks a `ws://` or `wss://` URL.
fn parse_url(url: &str) -> Result<Url, WsError> {
    let parsed = Url::parse(url).map_err(|e| WsError::InvalidUrl(format!("{url}: {e}")))?;
    match parsed.scheme() {
        "ws" | "wss" => {}
        other => return Err(WsError::UnsupportedScheme(other.to_string())),
    }
    if parsed.host().is_none() {
        return Err(WsError::InvalidUrl(format!("{url}: missing host")));
    }
    if parsed.fragment().is_some() {
        return Err(WsError::InvalidUrl(format!(
            "{url}: fragments are not allowed in WebSocket URLs"
        )));
    }
    Ok(parsed)
}

/// Addresses to try for `url`, after overrides.
fn resolve(
    url: &Url,
    port: u16,
    overrides: &[ResolveOverride],
) -> Result<Vec<SocketAddr>, WsError> {
    let host = url
        .host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']');
    if let Some(o) = overrides
        .iter()
        .find(|o| o.port == port && o.host.eq_ignore_ascii_case(host))
    {
        return Ok(vec![o.addr]);
    }
    match url.host() {
        Some(url::Host::Ipv4(a)) => Ok(vec![SocketAddr::new(IpAddr::V4(a), port)]),
        Some(url::Host::Ipv6(a)) => Ok(vec![SocketAddr::new(IpAddr::V6(a), port)]),
        _ => {
            let addrs: Vec<SocketAddr> = (host, port)
                .to_socket_addrs()
                .map_err(|source| WsError::Dns {
                    host: host.to_string(),
                    source,
                })?
                .collect();
            if addrs.is_empty() {
                return Err(WsError::Dns {
                    host: host.to_string(),
                    source: io::Error::new(io::ErrorKind::NotFound, "no addresses"),
                });
            }
            Ok(addrs)
        }
    }
}

fn remaining(deadline: Instant, addr: &str, timeout: Duration) -> Result<Duration, WsError> {
    match deadline.checked_duration_since(Instant::now()) {
        Some(d) if !d.is_zero() => Ok(d),
        _ => Err(WsError::ConnectTimeout {
            addr: addr.to_string(),
            timeout,
        }),
    }
}

fn tcp_connect(
    addrs: &[SocketAddr],
    deadline: Instant,
    timeout: Duration,
) -> Result<TcpStream, WsError> {
    let mut last = None;
    for addr in addrs {
        let name = addr.to_string();
        let left = remaining(deadline, &name, timeout)?;
        match TcpStream::connect_timeout(addr, left) {
            Ok(s) => return Ok(s),
            Err(e) => {
                last = Some(match e.kind() {
                    io::ErrorKind::ConnectionRefused => WsError::ConnectionRefused { addr: name },
                    io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => {
                        WsError::ConnectTimeout {
                            addr: name,
                            timeout,
                        }
                    }
                    _ => WsError::Connect {
                        addr: name,
                        source: e,
                    },
                })
            }
        }
    }
    Err(last.unwrap_or_else(|| WsError::InvalidUrl("no address to connect to".into())))
}

/// Builds the rustls configuration: webpki roots + `extra` PEMs + `SSL_CERT_FILE`.
fn tls_config(extra: &[Vec<u8>]) -> Result<Arc<ClientConfig>, WsError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut add_pem = |pem: &[u8], source: &str| -> Result<(), WsError> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|e| {
                WsError::Tls(format!("cannot parse PEM certificates from {source}: {e}"))
            })?;
        let (added, _ignored) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(WsError::Tls(format!("no usable certificate in {source}")));
        }
        Ok(())
    };
    for pem in extra {
        add_pem(pem, "ConnectOptions::root_certs_pem")?;
    }
    if let Some(path) = std::env::var_os(SSL_CERT_FILE_ENV) {
        let shown = path.to_string_lossy().into_owned();
        let pem = std::fs::read(&path)
            .map_err(|e| WsError::Tls(format!("cannot read {SSL_CERT_FILE_ENV}={shown}: {e}")))?;
        add_pem(&pem, &format!("{SSL_CERT_FILE_ENV}={shown}"))?;
    }
    let config =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .map_err(WsError::from)?
            .with_root_certificates(roots)
            .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Maps an I/O error during connect: timeouts become [`WsError::ConnectTimeout`].
fn connect_io_error(e: io::Error, addr: &str, timeout: Duration) -> WsError {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => WsError::ConnectTimeout {
            addr: addr.to_string(),
            timeout,
        },
        _ => WsError::from_io(e, false),
    }
}

/// Opens a WebSocket connection to `url` (`ws://` or `wss://`), blocking until the
/// opening handshake completes or [`Limits::connect_timeout`] expires.
pub fn connect(url: &str, options: &ConnectOptions) -> Result<Client, WsError> {
    let parsed = parse_url(url)?;
    let secure = parsed.scheme() == "wss";
    let port = parsed
        .port_or_known_default()
        .unwrap_or(if secure { 443 } else { 80 });
    let timeout = options.limits.connect_timeout;
    let deadline = Instant::now() + timeout;

    let mut overrides = options.resolve.clone();
    if let Ok(spec) = std::env::var(RESOLVE_ENV) {
        overrides.extend(ResolveOverride::parse_list(&spec)?);
    }
    let addrs = resolve(&parsed, port, &overrides)?;
    let sock = tcp_connect(&addrs, deadline, timeout)?;
    let addr = sock
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| url.to_string());
    sock.set_nodelay(true).map_err(WsError::Io)?;
    let left = remaining(deadline, &addr, timeout)?;
    sock.set_read_timeout(Some(left)).map_err(WsError::Io)?;
    sock.set_write_timeout(Some(left)).map_err(WsError::Io)?;

    let mut transport = if secure {
        let host = parsed
            .host_str()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let name = ServerName::try_from(host.to_string())
            .map_err(|e| WsError::InvalidUrl(format!("{host}: {e}")))?;
        let mut tls = ClientConnection::new(tls_config(&options.root_certs_pem)?, name)?;
        let mut sock = sock;
        while tls.is_handshaking() {
            tls.complete_io(&mut sock)
                .map_err(|e| connect_io_error(e, &addr, timeout))?;
        }
        Transport::Tls(Box::new(TlsStream { tls, sock }))
    } else {
        Transport::Plain(sock)
    };

    let mut handshake = ClientHandshake::new(&parsed, &options.request)?;
    transport
        .write_all(handshake.request())
        .map_err(|e| connect_io_error(e, &addr, timeout))?;
    let mut buf = vec![0u8; 4096];
    let response = loop {
        let left = remaining(deadline, &addr, timeout)?;
        transport
            .tcp()
            .set_read_timeout(Some(left))
            .map_err(WsError::Io)?;
        let n = transport
            .read(&mut buf)
            .map_err(|e| connect_io_error(e, &addr, timeout))?;
        if n == 0 {
            return Err(WsError::BadHandshake(
                "connection closed before the handshake completed".into(),
            ));
        }
        if let Some(r) = handshake.feed(&buf[..n])? {
            break r;
        }
    };
    transport
        .tcp()
        .set_read_timeout(None)
        .map_err(WsError::Io)?;
    transport
        .tcp()
        .set_write_timeout(None)
        .map_err(WsError::Io)?;
    let mut conn = Connection::new(options.limits);
    conn.receive_bytes(&response.leftover);
    Ok(Client {
        transport,
        conn,
        url: url.to_string(),
        protocol: response.protocol,
        nonblocking: false,
        read_timeout: None,
        shut_down: false,
    })
}

impl Client {
    /// Sends a text message (in non-blocking mode, queues what the socket cannot take).
    pub fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.conn.send_text(text)?;
        self.flush_sent()
    }

    /// Sends a binary message.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.conn.send_binary(data)?;
        self.flush_sent()
    }

    /// Sends a ping (payload at most 125 bytes); the pong arrives as [`Event::Pong`]
    /// from [`Client::receive_event`].
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.conn.ping(payload)?;
        self.flush_sent()
    }

    /// Blocks until a message or the server's close arrives, answering pings and
    /// skipping pongs. Returns [`Event::Message`] or [`Event::Close`] (after the close
    /// handshake completed); failures are errors.
    pub fn receive(&mut self) -> Result<Event, WsError> {
        loop {
            match self.receive_event()? {
                Event::Ping(_) | Event::Pong(_) => {}
                ev => return Ok(ev),
            }
        }
    }

    /// Like [`Client::receive`] but also returns pings (already answered) and pongs.
    pub fn receive_event(&mut self) -> Result<Event, WsError> {
        loop {
            if let Some(ev) = self.conn.next_event() {
                return self.on_event(ev);
            }
            if self.conn.state() == State::Closed {
                return Err(WsError::ConnectionClosed);
            }
            self.flush_sent()?;
            let hint = self.conn.read_hint();
            let buf = self.conn.read_buffer(hint);
            match self.transport.read(buf) {
                Ok(0) => {
                    let failed = self.conn.receive_eof();
                    self.shutdown();
                    return match failed {
                        Some(_) => Err(WsError::AbnormalClosure),
                        None => Err(WsError::ConnectionClosed),
                    };
                }
                Ok(n) => self.conn.commit_read(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io_error(e)),
            }
        }
    }

    /// Non-blocking [`Client::receive`]: returns [`WsError::WouldBlock`] when no
    /// complete message is available yet. Works whether or not the client is in
    /// non-blocking mode.
    pub fn try_receive(&mut self) -> Result<Event, WsError> {
        if self.nonblocking {
            return self.receive();
        }
        self.set_nonblocking(true)?;
        let result = self.receive();
        self.set_nonblocking(false)?;
        result
    }

    /// Writes queued output; [`WsError::WouldBlock`] if the socket cannot take it all yet.
    pub fn try_flush(&mut self) -> Result<(), WsError> {
        self.transport
            .flush(&mut self.conn)
            .map_err(|e| WsError::from_io(e, true))
    }

    /// Whether output is queued: wait for writability and call [`Client::try_flush`].
    pub fn wants_write(&self) -> bool {
        !self.conn.pending_output().is_empty() || self.transport.tls_wants_write()
    }

    /// Closes the connection: sends a close frame with `code` and `reason`, waits up to
    /// [`Limits::close_timeout`] for the server's close frame and TCP close, then shuts
    /// the socket down. In non-blocking mode only queues/flushes the close frame; keep
    /// calling [`Client::try_receive`] to see the server's close.
    pub fn close(&mut self, code: u16, reason: &str) -> Result<(), WsError> {
        match self.conn.state() {
            State::Open => self.conn.close(code, reason)?,
            State::Closing => {}
            State::Closed => {
                let _ = self.transport.flush(&mut self.conn);
                self.shutdown();
                return Ok(());
            }
        }
        if self.nonblocking {
            return self.flush_sent();
        }
        self.flush_sent()?;
        let deadline = Instant::now() + self.conn.limits().close_timeout;
        while self.conn.state() == State::Closing {
            let Some(left) = deadline.checked_duration_since(Instant::now()) else {
                break;
            };
            if self
                .transport
                .tcp()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .is_err()
            {
                break;
            }
            match self.receive_event() {
                Ok(Event::Close { .. }) | Err(_) => break,
                Ok(_) => {}
            }
        }
        self.finish_close(deadline);
        Ok(())
    }

    /// Connection state.
    pub fn state(&self) -> State {
        self.conn.state()
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

    /// Close code and reason with which we failed the connection, if we did.
    pub fn failure(&self) -> Option<(u16, &str)> {
        self.conn.failure()
    }

    /// Sets the timeout of blocking receives ([`WsError::Timeout`] when it expires).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) -> Result<(), WsError> {
        self.transport
            .tcp()
            .set_read_timeout(timeout)
            .map_err(WsError::Io)?;
        self.read_timeout = timeout;
        Ok(())
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

    fn on_event(&mut self, ev: Event) -> Result<Event, WsError> {
        match ev {
            Event::Ping(_) => {
                self.flush_sent()?;
                Ok(ev)
            }
            Event::Close { .. } => {
                // Our echo (if one was due) is queued: send it, then wait for TCP close.
                let _ = self.flush_sent();
                if !self.nonblocking {
                    self.finish_close(Instant::now() + self.conn.limits().close_timeout);
                }
                Ok(ev)
            }
            Event::Failed { code, reason } => {
                let _ = self.flush_sent();
                self.shutdown();
                Err(WsError::from_failure(code, reason))
            }
            Event::Message(_) | Event::Pong(_) => Ok(ev),
        }
    }

    /// Flushes output, treating "would block" as success in non-blocking mode
    /// (the rest stays queued, see [`Client::wants_write`]).
    fn flush_sent(&mut self) -> Result<(), WsError> {
        match self.transport.flush(&mut self.conn) {
            Ok(()) => Ok(()),
            Err(e) => match self.io_error(e) {
                WsError::WouldBlock => Ok(()),
                err => Err(err),
            },
        }
    }

    fn io_error(&self, e: io::Error) -> WsError {
        WsError::from_io(e, self.nonblocking)
    }

    /// Waits (until `deadline`) for the server to close TCP, then shuts down our side.
    fn finish_close(&mut self, deadline: Instant) {
        let mut scratch = [0u8; 1024];
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if left.is_zero() || self.transport.tcp().set_read_timeout(Some(left)).is_err() {
                break;
            }
            match self.transport.read(&mut scratch) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
        let _ = self.transport.tcp().set_read_timeout(self.read_timeout);
        self.shutdown();
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &Limits {
        self.conn.limits()
    }

    /// Shuts the socket down now, whatever the close handshake's state (after a
    /// non-blocking close gave up waiting for the server, say). Idempotent.
    pub fn shutdown(&mut self) {
        if !self.shut_down {
            self.shut_down = true;
            self.transport.shutdown();
        }
    }
}

#[cfg(unix)]
impl std::os::fd::AsRawFd for Client {
    /// The TCP socket, for readiness polling by a scheduler.
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.transport.tcp().as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_checks() {
        assert!(
            matches!(parse_url("http://example.com/"), Err(WsError::UnsupportedScheme(s)) if s == "http")
        );
        assert!(matches!(
            parse_url("not a url"),
            Err(WsError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse_url("ws://h/#frag"),
            Err(WsError::InvalidUrl(_))
        ));
        let u = parse_url("wss://example.com/a?b=c").unwrap();
        assert_eq!(u.port_or_known_default(), Some(443));
        assert_eq!(
            parse_url("ws://example.com")
                .unwrap()
                .port_or_known_default(),
            Some(80)
        );
        let msg = connect("ftp://x/", &ConnectOptions::default())
            .unwrap_err()
            .to_string();
        assert!(msg.contains("only ws:// and wss://"), "{msg}");
    }

    #[test]
    fn resolve_overrides() {
        let list =
            ResolveOverride::parse_list("Example.com:443=127.0.0.1:8443, v6.test:80=[::1]:9000")
                .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].addr, "127.0.0.1:8443".parse().unwrap());
        assert_eq!(list[1].addr, "[::1]:9000".parse().unwrap());
        let u = parse_url("wss://example.COM/").unwrap();
        assert_eq!(resolve(&u, 443, &list).unwrap(), vec![list[0].addr]);
        let lit = parse_url("ws://[::1]:5/").unwrap();
        assert_eq!(
            resolve(&lit, 5, &list).unwrap(),
            vec!["[::1]:5".parse().unwrap()]
        );
        assert!(ResolveOverride::parse_list("nonsense").is_err());
        assert!(ResolveOverride::parse_list("h:1=notanaddr").is_err());
    }

    #[test]
    fn refused_connection_is_reported() {
        // Bind then drop to find a port with nothing listening.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let err = connect(
            &format!("ws://127.0.0.1:{port}/"),
            &ConnectOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(err, WsError::ConnectionRefused { .. }), "{err}");
    }
}
