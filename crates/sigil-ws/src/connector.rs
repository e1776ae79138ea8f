//! Opening a connection: name lookup, TCP connect, the tunnel through a proxy (see
//! [`crate::proxy`]), TLS handshake and the HTTP upgrade, again for each redirect
//! followed (see [`crate::redirect`]). [`Connector`] does it as a state machine that
//! never blocks (for an event loop: it says which descriptor to wait for); [`connect`]
//! drives the same machine and waits with `poll(2)`. Both give up at
//! [`Limits::connect_timeout`], redirects, proxy and name lookup included: host names are
//! looked up on the [`crate::dns`] pool, so that a resolver that never answers cannot
//! hold the caller past the deadline. IP literals and overrides need no lookup.
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
//! Host names match case-insensitively. Through a proxy, the overrides apply to the
//! proxy's host (the proxy resolves the server's).

use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::os::fd::{AsFd, AsRawFd};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};
use socket2::{Domain, Protocol, Socket, Type};
use url::Url;

use crate::connection::{Connection, Role};
use crate::deflate::PerMessageDeflate;
use crate::dns::Lookup;
use crate::error::WsError;
use crate::handshake::{request_target, ClientHandshake, HandshakeResponse, RequestOptions};
use crate::interrupt::Interrupt;
use crate::limits::{deadline_after, Limits};
use crate::proxy::{Proxy, ProxySetting, Tunnel};
use crate::redirect::{self, MaxRedirects};
use crate::shared_fd::SharedFd;
use crate::transport::{Outbox, Transport};
use crate::websocket::WebSocket;
use crate::wsurl;

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
    /// Stops [`connect`] and the blocking operations of the client it returns (see
    /// [`crate::interrupt`]).
    pub interrupt: Interrupt,
    /// Where the proxy comes from: by default the environment (see [`crate::proxy`]).
    pub proxy: ProxySetting,
    /// How many redirects to follow (10 by default).
    pub max_redirects: MaxRedirects,
}

/// What a TLS configuration is built from: the extra PEMs, and the `SSL_CERT_FILE` path
/// with the file's size and modification time (so that an edited file is read again).
#[derive(PartialEq)]
struct TrustSource {
    extra: Vec<Vec<u8>>,
    file: Option<(std::ffi::OsString, u64, Option<std::time::SystemTime>)>,
}

impl TrustSource {
    fn current(extra: &[Vec<u8>]) -> TrustSource {
        let file = std::env::var_os(SSL_CERT_FILE_ENV).map(|path| {
            let meta = std::fs::metadata(&path).ok();
            let len = meta.as_ref().map_or(0, |m| m.len());
            let modified = meta.and_then(|m| m.modified().ok());
            (path, len, modified)
        });
        TrustSource {
            extra: extra.to_vec(),
            file,
        }
    }
}

/// The rustls configuration for `extra` roots, shared by connections with the same
/// trust source: building one parses every certificate of `SSL_CERT_FILE` (≈1.5 ms for
/// a system bundle), too much to repeat for each of a thousand connections.
fn tls_config(extra: &[Vec<u8>]) -> Result<Arc<ClientConfig>, WsError> {
    static LAST: Mutex<Option<(TrustSource, Arc<ClientConfig>)>> = Mutex::new(None);
    let source = TrustSource::current(extra);
    if let Ok(last) = LAST.lock() {
        if let Some((s, config)) = last.as_ref() {
            if *s == source {
                return Ok(Arc::clone(config));
            }
        }
    }
    let config = build_tls_config(extra)?;
    if let Ok(mut last) = LAST.lock() {
        *last = Some((source, Arc::clone(&config)));
    }
    Ok(config)
}

/// Builds the rustls configuration: webpki roots + `extra` PEMs + `SSL_CERT_FILE`.
fn build_tls_config(extra: &[Vec<u8>]) -> Result<Arc<ClientConfig>, WsError> {
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

/// Where the TCP connection goes: known addresses, or a host name to look up.
enum Target {
    Addrs(Vec<SocketAddr>),
    Name(String),
}

/// The URL's host without IPv6 brackets.
fn bare_host(url: &Url) -> &str {
    url.host_str()
        .unwrap_or_default()
        .trim_start_matches('[')
        .trim_end_matches(']')
}

/// Addresses for `url` from the overrides or an IP literal, else the name to look up.
fn target(url: &Url, port: u16, overrides: &[ResolveOverride]) -> Target {
    let host = bare_host(url);
    if let Some(o) = overrides
        .iter()
        .find(|o| o.port == port && o.host.eq_ignore_ascii_case(host))
    {
        return Target::Addrs(vec![o.addr]);
    }
    match url.host() {
        Some(url::Host::Ipv4(a)) => Target::Addrs(vec![SocketAddr::new(IpAddr::V4(a), port)]),
        Some(url::Host::Ipv6(a)) => Target::Addrs(vec![SocketAddr::new(IpAddr::V6(a), port)]),
        _ => Target::Name(host.to_string()),
    }
}

/// The addresses of a finished lookup, or the DNS error.
fn looked_up(host: &str, answer: io::Result<Vec<SocketAddr>>) -> Result<Vec<SocketAddr>, WsError> {
    let dns = |source| WsError::Dns {
        host: host.to_string(),
        source,
    };
    match answer {
        Ok(addrs) if addrs.is_empty() => {
            Err(dns(io::Error::new(io::ErrorKind::NotFound, "no addresses")))
        }
        Ok(addrs) => Ok(addrs),
        Err(e) => Err(dns(e)),
    }
}

/// Starts a non-blocking TCP connect (with `TCP_NODELAY`) to `addr`.
fn start_tcp(addr: SocketAddr) -> io::Result<TcpStream> {
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    sock.set_nonblocking(true)?;
    sock.set_tcp_nodelay(true)?;
    match sock.connect(&addr.into()) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e),
    }
    Ok(sock.into())
}

/// How a non-blocking connect on `sock` went: `Ok` once connected, `NotConnected` while
/// still in progress, else the error that failed it.
fn tcp_outcome(sock: &TcpStream) -> io::Result<()> {
    match sock.take_error()? {
        Some(e) => Err(e),
        None => sock.peer_addr().map(drop),
    }
}

/// The error for a failed TCP connect to `addr`.
fn tcp_error(addr: SocketAddr, e: io::Error) -> WsError {
    let addr = addr.to_string();
    match e.kind() {
        io::ErrorKind::ConnectionRefused => WsError::ConnectionRefused { addr },
        _ => WsError::Connect { addr, source: e },
    }
}

/// An HTTP head to send (the upgrade request, or a server's answer) as an [`Outbox`]:
/// written once, possibly in pieces.
pub(crate) struct Request {
    pub(crate) bytes: Vec<u8>,
    pub(crate) sent: usize,
}

impl Outbox for Request {
    fn pending(&self) -> &[u8] {
        &self.bytes[self.sent..]
    }

    fn consume(&mut self, n: usize) {
        self.sent += n;
    }
}

/// How far [`Connector::exchange`] got.
enum Exchange {
    /// The server accepted the upgrade.
    Done(HandshakeResponse),
    /// The socket would block.
    Wait(Interest),
}

/// Where a [`Connector`] is.
enum Stage {
    /// Waiting for the resolver pool.
    Resolving(Lookup, String),
    /// TCP connect to `addrs[next - 1]` in progress; the rest are tried if it fails.
    Connecting {
        sock: Arc<TcpStream>,
        addrs: Vec<SocketAddr>,
        next: usize,
    },
    /// Asking the proxy for a tunnel.
    Tunnelling {
        sock: Arc<TcpStream>,
        tunnel: Tunnel,
    },
    /// TLS handshake (if any) and HTTP upgrade in progress.
    Upgrading {
        transport: Transport,
        handshake: ClientHandshake,
        request: Request,
    },
    /// Finished (or failed): nothing more to do.
    Done,
}

/// What a [`Connector`] or a [`WebSocket`] operation waits for before it can make progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interest {
    /// The descriptor becoming readable.
    Readable,
    /// The descriptor becoming writable.
    Writable,
}

/// The outcome of one [`Connector::advance`] (or
/// [`Acceptor::advance`](crate::server::Acceptor::advance)).
#[derive(Debug)]
pub enum Step {
    /// The connection is open (its socket is in non-blocking mode).
    Open(Box<WebSocket>),
    /// Wait until the descriptor is ready for `interest` (or the deadline passes), then
    /// advance. The descriptor is the connector's (the resolver's, the socket's), shared:
    /// it stays open for as long as the handle lives, whatever the connector does
    /// meanwhile, and no descriptor is duplicated.
    Wait(SharedFd, Interest),
}

/// A WebSocket connection being opened without blocking.
///
/// Create it with [`Connector::start`], then call [`Connector::advance`] whenever the
/// descriptor it names is ready, until it returns [`Step::Open`] or an error. It fails
/// with [`WsError::ConnectTimeout`] once [`Connector::deadline`] has passed.
pub struct Connector {
    /// The URL of the current attempt (the last redirect's), as shown.
    url: String,
    parsed: Url,
    options: ConnectOptions,
    deadline: Option<Instant>,
    /// The upgrade request, built (and its options checked) before connecting.
    handshake: Option<ClientHandshake>,
    /// The proxy of the current attempt.
    proxy: Option<Proxy>,
    /// Redirects followed so far.
    redirects: usize,
    stage: Stage,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector").field("url", &self.url).finish()
    }
}

impl Connector {
    /// Starts opening `url` (`ws://` or `wss://`); host names are looked up on the
    /// resolver pool. Bad URLs and options (proxy included) fail here.
    pub fn start(url: &str, options: &ConnectOptions) -> Result<Connector, WsError> {
        let parsed = wsurl::parse(url)?;
        let mut options = options.clone();
        if let Ok(spec) = std::env::var(RESOLVE_ENV) {
            options.resolve.extend(ResolveOverride::parse_list(&spec)?);
        }
        let mut connector = Connector {
            url: wsurl::redact(url),
            deadline: deadline_after(Some(options.limits.connect_timeout)),
            handshake: None,
            proxy: None,
            redirects: 0,
            stage: Stage::Done,
            parsed,
            options,
        };
        connector.stage = connector.begin()?;
        Ok(connector)
    }

    /// Starts an attempt at the current URL: builds its upgrade request, chooses its
    /// proxy, and starts connecting to the proxy or the server.
    fn begin(&mut self) -> Result<Stage, WsError> {
        self.handshake = Some(ClientHandshake::new(&self.parsed, &self.options.request)?);
        self.proxy = Proxy::for_url(&self.parsed, &self.options.proxy)?;
        let (host, port) = match &self.proxy {
            Some(p) => (p.url(), p.port()),
            None => (&self.parsed, self.port()),
        };
        match target(host, port, &self.options.resolve) {
            Target::Addrs(addrs) => self.connect_to(addrs, 0),
            Target::Name(host) => Ok(Stage::Resolving(
                Lookup::start(&host, port).map_err(WsError::Io)?,
                host,
            )),
        }
    }

    /// Follows the redirect to `location`: a new attempt there (see [`crate::redirect`]).
    fn redirect(&mut self, location: &str) -> Result<Stage, WsError> {
        let next = redirect::next_url(&self.parsed, location)?;
        if self.redirects >= self.options.max_redirects.0 {
            return Err(WsError::TooManyRedirects {
                limit: self.options.max_redirects.0,
                last: wsurl::redact(next.as_str()),
            });
        }
        if !redirect::same_origin(&self.parsed, &next) {
            redirect::drop_credentials(&mut self.options.request.headers);
        }
        self.redirects += 1;
        self.url = wsurl::redact(next.as_str());
        self.parsed = next;
        self.begin()
    }

    /// When the connector gives up (`None`: a timeout too long to represent).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    fn port(&self) -> u16 {
        let secure = self.parsed.scheme() == "wss";
        self.parsed
            .port_or_known_default()
            .unwrap_or(if secure { 443 } else { 80 })
    }

    /// Makes as much progress as possible without blocking.
    pub fn advance(&mut self) -> Result<Step, WsError> {
        match self.step() {
            Ok(Next::Open(ws)) => Ok(Step::Open(ws)),
            Ok(Next::Wait(interest)) => self.wait(interest),
            Err(e) => {
                self.stage = Stage::Done;
                Err(e)
            }
        }
    }

    /// The wait for the descriptor of the current stage to be ready for `interest`.
    fn wait(&self, interest: Interest) -> Result<Step, WsError> {
        let fd = match &self.stage {
            Stage::Resolving(lookup, _) => lookup.shared_fd(),
            Stage::Connecting { sock, .. } | Stage::Tunnelling { sock, .. } => {
                SharedFd::new(Arc::clone(sock))
            }
            Stage::Upgrading { transport, .. } => SharedFd::new(Arc::clone(transport.shared_tcp())),
            Stage::Done => return Err(finished("connector")),
        };
        Ok(Step::Wait(fd, interest))
    }

    /// Advances as far as possible without blocking.
    fn step(&mut self) -> Result<Next, WsError> {
        loop {
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(WsError::ConnectTimeout {
                    addr: format!("{}:{}", bare_host(&self.parsed), self.port()),
                    timeout: self.options.limits.connect_timeout,
                });
            }
            self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
                Stage::Resolving(lookup, host) => match lookup.result() {
                    Some(answer) => self.connect_to(looked_up(&host, answer)?, 0)?,
                    None => {
                        self.stage = Stage::Resolving(lookup, host);
                        return Ok(Next::Wait(Interest::Readable));
                    }
                },
                Stage::Connecting { sock, addrs, next } => match tcp_outcome(&sock) {
                    Ok(()) => match &self.proxy {
                        Some(proxy) => Stage::Tunnelling {
                            sock,
                            tunnel: proxy.tunnel(&self.parsed, self.port()),
                        },
                        None => self.upgrade(sock)?,
                    },
                    Err(e) if e.kind() == io::ErrorKind::NotConnected => {
                        self.stage = Stage::Connecting { sock, addrs, next };
                        return Ok(Next::Wait(Interest::Writable));
                    }
                    Err(_) if next < addrs.len() => self.connect_to(addrs, next)?,
                    Err(e) => return Err(self.tcp_error(addrs[next - 1], e)),
                },
                Stage::Tunnelling { sock, mut tunnel } => match tunnel.advance(&sock)? {
                    None => self.upgrade(sock)?,
                    Some(interest) => {
                        self.stage = Stage::Tunnelling { sock, tunnel };
                        return Ok(Next::Wait(interest));
                    }
                },
                Stage::Upgrading {
                    mut transport,
                    mut handshake,
                    mut request,
                } => match Self::exchange(&mut transport, &mut handshake, &mut request) {
                    Ok(Exchange::Wait(interest)) => {
                        self.stage = Stage::Upgrading {
                            transport,
                            handshake,
                            request,
                        };
                        return Ok(Next::Wait(interest));
                    }
                    Ok(Exchange::Done(response)) => return Ok(self.open(transport, response)),
                    Err(WsError::HandshakeRejected {
                        status,
                        location: Some(location),
                        ..
                    }) if redirect::is_redirect(status) && self.options.max_redirects.0 > 0 => {
                        self.redirect(&location)?
                    }
                    Err(e) => return Err(e),
                },
                Stage::Done => return Err(finished("connector")),
            };
        }
    }

    /// Starts connecting to `addrs[from]`, falling through to the next address when a
    /// connect fails at once.
    fn connect_to(&self, addrs: Vec<SocketAddr>, from: usize) -> Result<Stage, WsError> {
        let mut last = None;
        for (i, addr) in addrs.iter().enumerate().skip(from) {
            match start_tcp(*addr) {
                Ok(sock) => {
                    return Ok(Stage::Connecting {
                        sock: Arc::new(sock),
                        next: i + 1,
                        addrs,
                    })
                }
                Err(e) => last = Some(self.tcp_error(*addr, e)),
            }
        }
        Err(last.unwrap_or_else(|| WsError::InvalidInput("no address to connect to".into())))
    }

    /// The error for a failed TCP connect to `addr`: the server's, or the proxy's.
    fn tcp_error(&self, addr: SocketAddr, e: io::Error) -> WsError {
        let e = tcp_error(addr, e);
        match &self.proxy {
            Some(proxy) => WsError::Proxy {
                proxy: proxy.shown().to_string(),
                message: e.to_string(),
            },
            None => e,
        }
    }

    /// Wraps the connected socket (in TLS for `wss://`) and queues the upgrade request.
    fn upgrade(&mut self, sock: Arc<TcpStream>) -> Result<Stage, WsError> {
        let transport = if self.parsed.scheme() == "wss" {
            let host = bare_host(&self.parsed);
            let name = ServerName::try_from(host.to_string()).map_err(|e| WsError::InvalidUrl {
                url: self.url.clone(),
                reason: format!("{host}: {e}"),
            })?;
            let tls = ClientConnection::new(tls_config(&self.options.root_certs_pem)?, name)?;
            Transport::tls(tls, sock)
        } else {
            Transport::plain(sock)
        };
        let handshake = self
            .handshake
            .take()
            .ok_or_else(|| WsError::InvalidInput("connector already upgraded".into()))?;
        let request = Request {
            bytes: handshake.request().to_vec(),
            sent: 0,
        };
        Ok(Stage::Upgrading {
            transport,
            handshake,
            request,
        })
    }

    /// Writes the request and reads the response as far as the socket allows.
    fn exchange(
        transport: &mut Transport,
        handshake: &mut ClientHandshake,
        request: &mut Request,
    ) -> Result<Exchange, WsError> {
        let mut buf = [0u8; 4096];
        loop {
            match transport.flush(request) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(Exchange::Wait(Interest::Writable))
                }
                Err(e) => return Err(WsError::from_io(e, true, Role::Server)),
            }
            match transport.read(&mut buf) {
                Ok(0) => {
                    return Err(WsError::BadHandshake(
                        "connection closed before the handshake completed".into(),
                    ))
                }
                Ok(n) => {
                    if let Some(response) = handshake.feed(&buf[..n])? {
                        return Ok(Exchange::Done(response));
                    }
                }
                // TLS may have records of its own to send before the server answers.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && transport.tls_wants_write() => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(Exchange::Wait(Interest::Readable))
                }
                Err(e) => return Err(WsError::from_io(e, true, Role::Server)),
            }
        }
    }

    /// The open client, once the handshake accepted `response`.
    fn open(&self, transport: Transport, response: HandshakeResponse) -> Next {
        let mut conn = Connection::new(self.options.limits);
        if let (Some(params), Some(config)) = (response.deflate, &self.options.request.deflate) {
            conn.set_deflate(PerMessageDeflate::for_client(params, config.level));
        }
        conn.receive_bytes(&response.leftover);
        let mut client = WebSocket::new(transport, conn, self.url.clone(), response.protocol);
        client.set_interrupt(self.options.interrupt.clone());
        let target = request_target(&self.parsed);
        Next::Open(Box::new(client.with_handshake(target, response.headers)))
    }
}

/// Where one step of opening a connection (a [`Connector`]'s or an
/// [`Acceptor`](crate::server::Acceptor)'s) left it: open, or waiting for the descriptor
/// of its current stage.
pub(crate) enum Next {
    /// The connection is open.
    Open(Box<WebSocket>),
    /// The current stage waits until its descriptor is ready for this.
    Wait(Interest),
}

/// The error of `what` (a connector, an acceptor) advanced after it finished or failed.
pub(crate) fn finished(what: &str) -> WsError {
    WsError::InvalidInput(format!("{what} already finished"))
}

/// Opens a WebSocket connection to `url` (`ws://` or `wss://`), blocking until the
/// opening handshake completes or [`Limits::connect_timeout`] expires (or the
/// [`ConnectOptions::interrupt`] flag is set: [`WsError::Interrupted`]).
pub fn connect(url: &str, options: &ConnectOptions) -> Result<WebSocket, WsError> {
    let mut connector = Connector::start(url, options)?;
    let deadline = connector.deadline();
    block_until_open(
        &mut connector,
        Connector::advance,
        deadline,
        &options.interrupt,
    )
}

/// Drives a connection being opened (`opening`, with `advance`: [`Connector::advance`],
/// or [`Acceptor::advance`](crate::server::Acceptor::advance)) to its end, waiting with
/// `poll(2)` until `deadline` (in slices, stopping with [`WsError::Interrupted`] once
/// `interrupt` is set); the connection is returned in blocking mode.
pub(crate) fn block_until_open<O>(
    opening: &mut O,
    advance: fn(&mut O) -> Result<Step, WsError>,
    deadline: Option<Instant>,
    interrupt: &Interrupt,
) -> Result<WebSocket, WsError> {
    loop {
        match advance(opening)? {
            Step::Open(mut ws) => {
                ws.set_nonblocking(false)?;
                return Ok(*ws);
            }
            Step::Wait(fd, interest) => {
                let until = interrupt.wait_end(deadline);
                wait_for(fd, interest, until).map_err(WsError::Io)?;
                interrupt.check()?;
            }
        }
    }
}

/// Blocks until `fd` is ready for `interest` or `deadline` passes (or a signal comes).
pub fn wait_for(fd: impl AsFd, interest: Interest, deadline: Option<Instant>) -> io::Result<()> {
    // Round up, so that a wait does not end just before the deadline; -1: no limit.
    let ms = deadline.map_or(-1, |d| {
        let left = d.saturating_duration_since(Instant::now());
        i32::try_from(left.as_millis() + 1).unwrap_or(i32::MAX)
    });
    let events = match interest {
        Interest::Readable => libc::POLLIN,
        Interest::Writable => libc::POLLOUT,
    };
    let mut pfd = libc::pollfd {
        fd: fd.as_fd().as_raw_fd(),
        events,
        revents: 0,
    };
    // SAFETY: `pfd` is one valid, initialised pollfd that outlives the call; its
    // descriptor is open, borrowed from `fd` for the call.
    if unsafe { libc::poll(&mut pfd, 1, ms) } < 0 {
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_checks() {
        assert_eq!(
            wsurl::parse("ws://example.com")
                .unwrap()
                .port_or_known_default(),
            Some(80)
        );
        let msg = connect("ftp://x/", &ConnectOptions::default())
            .unwrap_err()
            .to_string();
        assert!(msg.contains("only ws:// and wss://"), "{msg}");
    }

    fn addrs(t: Target) -> Vec<SocketAddr> {
        match t {
            Target::Addrs(a) => a,
            Target::Name(n) => panic!("expected addresses, got name {n}"),
        }
    }

    #[test]
    fn tls_configurations_are_shared_per_trust_source() {
        let a = tls_config(&[]).unwrap();
        assert!(Arc::ptr_eq(&a, &tls_config(&[]).unwrap()));
        let cert = rcgen::generate_simple_self_signed(vec!["x.test".into()])
            .unwrap()
            .cert
            .pem();
        let b = tls_config(&[cert.into_bytes()]).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
    }

    #[test]
    fn resolve_overrides() {
        let list =
            ResolveOverride::parse_list("Example.com:443=127.0.0.1:8443, v6.test:80=[::1]:9000")
                .unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].addr, "127.0.0.1:8443".parse().unwrap());
        assert_eq!(list[1].addr, "[::1]:9000".parse().unwrap());
        let u = wsurl::parse("wss://example.COM/").unwrap();
        assert_eq!(addrs(target(&u, 443, &list)), vec![list[0].addr]);
        let lit = wsurl::parse("ws://[::1]:5/").unwrap();
        assert_eq!(
            addrs(target(&lit, 5, &list)),
            vec!["[::1]:5".parse().unwrap()]
        );
        let name = wsurl::parse("ws://Chat.test:80/").unwrap();
        assert!(matches!(target(&name, 80, &[]), Target::Name(h) if h == "chat.test"));
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
