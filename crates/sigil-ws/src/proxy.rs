//! Proxies: which one a connection goes through, and the tunnel it opens there.
//!
//! [`ProxySetting`] says where the proxy comes from: by default the environment, as
//! curl and Python `websockets` read it (`wss_proxy`, `https_proxy`, `all_proxy` for a
//! `wss://` URL; `ws_proxy`, `http_proxy`, `all_proxy` for `ws://`; lower case first, then
//! upper case; minus the hosts `no_proxy` lists), or a given proxy URL, or none.
//!
//! An `http://` proxy is asked for a tunnel with `CONNECT host:port` (RFC 9110 §9.3.6),
//! with Basic authentication (`Proxy-Authorization`) from the proxy URL's user name and
//! password; any answer but 2xx fails the connection. A `socks5h://` proxy gets a SOCKS5
//! `CONNECT` with the host name, which the proxy resolves (RFC 1928), and the user name
//! and password as RFC 1929 asks. Over the tunnel the connection goes on as if it were
//! direct: TLS for `wss://` checks the origin server's certificate and host name.
//!
//! [`Tunnel`] is the exchange with the proxy, without I/O beyond one socket's reads and
//! writes, so that it runs inside the non-blocking [`Connector`](crate::Connector).

use std::io::{self, Read, Write};
use std::net::{IpAddr, TcpStream};

use url::Url;

use crate::connector::Interest;
use crate::error::WsError;
use crate::limits::MAX_HANDSHAKE_RESPONSE;
use crate::wsurl;

/// Where the proxy of a connection comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ProxySetting {
    /// The environment variables (see the module docs): the default.
    #[default]
    Environment,
    /// No proxy, whatever the environment says.
    Direct,
    /// This proxy (`http://user:password@host:port` or `socks5h://...`) for every URL.
    Url(String),
}

/// The proxy protocols spoken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// HTTP `CONNECT`.
    Http,
    /// SOCKS5, the proxy resolving host names.
    Socks5h,
}

/// A proxy to connect through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    kind: Kind,
    /// The proxy URL, for the TCP connection (its host and port).
    url: Url,
    /// The proxy URL as shown in messages (password hidden).
    shown: String,
}

/// The environment variables naming the proxy for a `ws://` URL, in the order they are
/// read (the first set and not empty wins).
const WS_PROXY_VARS: [&str; 6] = [
    "ws_proxy",
    "WS_PROXY",
    "http_proxy",
    "HTTP_PROXY",
    "all_proxy",
    "ALL_PROXY",
];

/// The same for a `wss://` URL.
const WSS_PROXY_VARS: [&str; 6] = [
    "wss_proxy",
    "WSS_PROXY",
    "https_proxy",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
];

/// The environment variables listing hosts reached directly.
const NO_PROXY_VARS: [&str; 2] = ["no_proxy", "NO_PROXY"];

impl Proxy {
    /// Parses a proxy URL: `http://[user:password@]host[:port]` (port 80 by default; a
    /// URL without a scheme is taken as `http://`) or `socks5h://...` (port 1080).
    pub fn parse(spec: &str) -> Result<Proxy, WsError> {
        let spec = spec.trim();
        let with_scheme = if spec.contains("://") {
            spec.to_string()
        } else {
            format!("http://{spec}")
        };
        let shown = wsurl::redact(&with_scheme);
        let bad = |reason: &str| WsError::InvalidInput(format!("proxy {shown:?}: {reason}"));
        let mut url = Url::parse(&with_scheme).map_err(|e| bad(&e.to_string()))?;
        let kind = match url.scheme() {
            "http" => Kind::Http,
            "socks5h" => Kind::Socks5h,
            "https" => return Err(bad("https:// proxies (TLS to the proxy) are not supported")),
            "socks5" => {
                return Err(bad(
                    "use socks5h:// (the proxy resolves host names; socks5:// is not supported)",
                ))
            }
            other => return Err(bad(&format!("unsupported proxy scheme {other}://"))),
        };
        if url.host_str().is_none_or(|h| h.is_empty()) {
            return Err(bad("no host"));
        }
        if url.port().is_none() && kind == Kind::Socks5h {
            let _ = url.set_port(Some(1080));
        }
        Ok(Proxy { kind, url, shown })
    }

    /// The proxy for `url` as `setting` says (`None`: connect directly). Reads the
    /// environment for [`ProxySetting::Environment`].
    pub fn for_url(url: &Url, setting: &ProxySetting) -> Result<Option<Proxy>, WsError> {
        match setting {
            ProxySetting::Direct => Ok(None),
            ProxySetting::Url(spec) => Proxy::parse(spec).map(Some),
            ProxySetting::Environment => from_environment(url, |name| std::env::var(name).ok()),
        }
    }

    /// The proxy URL, whose host and port the TCP connection goes to.
    pub(crate) fn url(&self) -> &Url {
        &self.url
    }

    /// The proxy URL as shown in messages (password hidden).
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The port of the proxy.
    pub(crate) fn port(&self) -> u16 {
        self.url.port_or_known_default().unwrap_or(80)
    }

    /// Starts the exchange that asks the proxy for a tunnel to `url`'s host and port.
    pub(crate) fn tunnel(&self, url: &Url, port: u16) -> Tunnel {
        let host = url.host_str().unwrap_or_default();
        let exchange = match self.kind {
            Kind::Http => Exchange::Http(http_connect(&self.url, host, port)),
            Kind::Socks5h => Exchange::Socks(Socks::new(&self.url, host, port)),
        };
        Tunnel {
            proxy: self.shown.clone(),
            target: format!("{host}:{port}"),
            exchange,
            sent: 0,
            input: Vec::new(),
        }
    }
}

/// The proxy the environment names for `url` (see the module docs), reading variables
/// with `var`.
fn from_environment(
    url: &Url,
    var: impl Fn(&str) -> Option<String>,
) -> Result<Option<Proxy>, WsError> {
    let set = |name: &&str| var(name).filter(|v| !v.trim().is_empty());
    let names = if url.scheme() == "wss" {
        WSS_PROXY_VARS
    } else {
        WS_PROXY_VARS
    };
    let Some((name, spec)) = names.iter().find_map(|n| set(n).map(|v| (*n, v))) else {
        return Ok(None);
    };
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(80);
    if let Some(list) = NO_PROXY_VARS.iter().find_map(set) {
        if bypassed(&list, host, port) {
            return Ok(None);
        }
    }
    Proxy::parse(&spec).map(Some).map_err(|e| match e {
        WsError::InvalidInput(m) => WsError::InvalidInput(format!("{m} (from {name})")),
        e => e,
    })
}

/// Whether the `no_proxy` list `list` names `host` (port `port`): entries separated by
/// commas or spaces; `*` is every host; `example.com` (or `.example.com`, or
/// `*.example.com`) is that domain and its subdomains; an IP address is that address,
/// `10.0.0.0/8` a network; `host:port` only that port.
pub(crate) fn bypassed(list: &str, host: &str, port: u16) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let ip: Option<IpAddr> = host.parse().ok();
    list.split([',', ' ', '\t'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .any(|entry| {
            if entry == "*" {
                return true;
            }
            let (name, entry_port) = split_port(entry);
            if entry_port.is_some_and(|p| p != port) {
                return false;
            }
            let name = name.trim_start_matches("*.").trim_start_matches('.');
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            match (ip, name.split_once('/')) {
                (Some(ip), Some((net, bits))) => in_network(ip, net, bits),
                (Some(ip), None) => name.parse::<IpAddr>().is_ok_and(|n| n == ip),
                (None, _) => host == name || host.ends_with(&format!(".{name}")),
            }
        })
}

/// An entry's name and port: `host:port`, `[v6]:port`, or a bare name or address.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((addr, tail)) => (addr, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (entry, None),
        };
    }
    match entry.rsplit_once(':') {
        // One colon: a port; several: a bare IPv6 address.
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(p) => (name, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

/// Whether `ip` is in the network `net`/`bits`.
fn in_network(ip: IpAddr, net: &str, bits: &str) -> bool {
    let (Ok(net), Ok(bits)) = (net.parse::<IpAddr>(), bits.parse::<u32>()) else {
        return false;
    };
    let prefix = |a: u128, b: u128, len: u32, width: u32| {
        len <= width && (len == 0 || (a ^ b) >> (width - len) == 0)
    };
    match (ip, net) {
        (IpAddr::V4(a), IpAddr::V4(b)) => {
            prefix(u32::from(a).into(), u32::from(b).into(), bits, 32)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) => prefix(a.into(), b.into(), bits, 128),
        _ => false,
    }
}

/// The `CONNECT` request for `host`:`port`, with `Proxy-Authorization` when `proxy` has
/// a user name or password.
fn http_connect(proxy: &Url, host: &str, port: u16) -> Vec<u8> {
    let mut req = format!("CONNECT {host}:{port} HTTP/1.1\r\nHost: {host}:{port}\r\n");
    if let Some(auth) = wsurl::basic_authorization(proxy) {
        req.push_str(&format!("Proxy-Authorization: {auth}\r\n"));
    }
    req.push_str("\r\n");
    req.into_bytes()
}

/// The steps of a SOCKS5 exchange (RFC 1928, RFC 1929).
#[derive(Debug)]
enum SocksStep {
    /// Our greeting is out; the proxy's method choice is awaited.
    Method,
    /// Our user name and password are out; the proxy's verdict is awaited.
    Auth,
    /// Our `CONNECT` is out; the proxy's reply is awaited.
    Reply,
}

/// A SOCKS5 exchange: what to send, and where it is.
#[derive(Debug)]
struct Socks {
    out: Vec<u8>,
    step: SocksStep,
    credentials: Option<(Vec<u8>, Vec<u8>)>,
    connect: Vec<u8>,
}

impl Socks {
    /// Starts with the greeting; the `CONNECT` for `host`:`port` follows.
    fn new(proxy: &Url, host: &str, port: u16) -> Socks {
        let credentials = (!proxy.username().is_empty() || proxy.password().is_some()).then(|| {
            (
                wsurl::percent_decode(proxy.username()),
                wsurl::percent_decode(proxy.password().unwrap_or_default()),
            )
        });
        // Version 5; methods: none (0), or user name and password (2).
        let greeting = match credentials {
            Some(_) => vec![5, 1, 2],
            None => vec![5, 1, 0],
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let mut connect = vec![5, 1, 0];
        match host.parse::<IpAddr>() {
            Ok(IpAddr::V4(a)) => {
                connect.push(1);
                connect.extend_from_slice(&a.octets());
            }
            Ok(IpAddr::V6(a)) => {
                connect.push(4);
                connect.extend_from_slice(&a.octets());
            }
            Err(_) => {
                connect.push(3);
                connect.push(host.len().min(255) as u8);
                connect.extend_from_slice(&host.as_bytes()[..host.len().min(255)]);
            }
        }
        connect.extend_from_slice(&port.to_be_bytes());
        Socks {
            out: greeting,
            step: SocksStep::Method,
            credentials,
            connect,
        }
    }
}

/// Where a SOCKS5 answer leads.
enum SocksNext {
    /// The answer is not complete yet.
    More,
    /// Send this next (having used that many bytes of the answer).
    Send(Vec<u8>, SocksStep, usize),
    /// The tunnel is open (having used that many bytes).
    Open(usize),
}

impl Socks {
    /// What the answer at the start of `input` to the current step leads to; the
    /// problem in words when it is a refusal.
    fn answer(&self, input: &[u8]) -> Result<SocksNext, String> {
        let Some(&[first, second]) = input.first_chunk::<2>() else {
            return Ok(SocksNext::More);
        };
        match self.step {
            SocksStep::Method => match (first, second, &self.credentials) {
                (5, 0, _) => Ok(SocksNext::Send(self.connect.clone(), SocksStep::Reply, 2)),
                (5, 2, Some((user, password))) => {
                    let cut = |b: &[u8]| b[..b.len().min(255)].to_vec();
                    let (user, password) = (cut(user), cut(password));
                    let mut auth = vec![1, user.len() as u8];
                    auth.extend_from_slice(&user);
                    auth.push(password.len() as u8);
                    auth.extend_from_slice(&password);
                    Ok(SocksNext::Send(auth, SocksStep::Auth, 2))
                }
                (5, 0xff, _) => Err("no acceptable authentication method (the proxy may want \
                                     a user name and password in its URL)"
                    .into()),
                (5, m, _) => Err(format!("unexpected authentication method {m}")),
                (v, ..) => Err(format!("not a SOCKS5 answer (version {v})")),
            },
            SocksStep::Auth if second == 0 => {
                Ok(SocksNext::Send(self.connect.clone(), SocksStep::Reply, 2))
            }
            SocksStep::Auth => Err("the proxy rejected the user name and password".into()),
            SocksStep::Reply => {
                if second != 0 {
                    return Err(socks_reply(second).into());
                }
                let len = match input.get(3..5) {
                    None => return Ok(SocksNext::More),
                    Some([1, _]) => 4 + 4 + 2,
                    Some([4, _]) => 4 + 16 + 2,
                    Some([3, n]) => 4 + 1 + usize::from(*n) + 2,
                    Some([t, _]) => return Err(format!("bad address type {t}")),
                    Some(_) => return Ok(SocksNext::More),
                };
                Ok(if input.len() < len {
                    SocksNext::More
                } else {
                    SocksNext::Open(len)
                })
            }
        }
    }
}

/// The meaning of a SOCKS5 reply code (RFC 1928 §6).
fn socks_reply(code: u8) -> &'static str {
    match code {
        1 => "general SOCKS server failure",
        2 => "connection not allowed by ruleset",
        3 => "network unreachable",
        4 => "host unreachable",
        5 => "connection refused",
        6 => "TTL expired",
        7 => "command not supported",
        8 => "address type not supported",
        _ => "unknown failure",
    }
}

/// What is exchanged with the proxy.
#[derive(Debug)]
enum Exchange {
    /// The `CONNECT` request; then its answer's head is read.
    Http(Vec<u8>),
    /// A SOCKS5 exchange.
    Socks(Socks),
    /// The tunnel is open.
    Open,
}

/// A tunnel being opened through a proxy.
#[derive(Debug)]
pub(crate) struct Tunnel {
    /// The proxy as shown.
    proxy: String,
    /// `host:port` the tunnel leads to.
    target: String,
    exchange: Exchange,
    /// Bytes of the current message already written.
    sent: usize,
    /// What the proxy answered so far.
    input: Vec<u8>,
}

impl Tunnel {
    /// Writes and reads on `sock` (non-blocking) as far as it goes: `None` once the
    /// tunnel is open, else what to wait for.
    pub(crate) fn advance(&mut self, mut sock: &TcpStream) -> Result<Option<Interest>, WsError> {
        let mut buf = [0u8; 1024];
        loop {
            while self.sent < self.out().len() {
                match sock.write(&self.out()[self.sent..]) {
                    Ok(0) => return Err(self.failed("it closed the connection")),
                    Ok(n) => self.sent += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        return Ok(Some(Interest::Writable))
                    }
                    Err(e) => return Err(self.failed(&e.to_string())),
                }
            }
            if let Exchange::Open = self.exchange {
                return Ok(None);
            }
            match sock.read(&mut buf) {
                Ok(0) => return Err(self.failed("it closed the connection before answering")),
                Ok(n) => {
                    self.input.extend_from_slice(&buf[..n]);
                    self.take_answer()?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(Some(Interest::Readable))
                }
                Err(e) => return Err(self.failed(&e.to_string())),
            }
        }
    }

    /// The message being sent.
    fn out(&self) -> &[u8] {
        match &self.exchange {
            Exchange::Http(req) => req,
            Exchange::Socks(s) => &s.out,
            Exchange::Open => &[],
        }
    }

    /// A failure talking to the proxy.
    fn failed(&self, what: &str) -> WsError {
        WsError::Proxy {
            proxy: self.proxy.clone(),
            message: format!("tunnel to {}: {what}", self.target),
        }
    }

    /// Consumes the proxy's answer from `input` once it is complete, moving on.
    fn take_answer(&mut self) -> Result<(), WsError> {
        let next = match &mut self.exchange {
            Exchange::Http(_) => self.http_answer()?,
            Exchange::Socks(_) => self.socks_answer()?,
            Exchange::Open => None,
        };
        if let Some(next) = next {
            self.exchange = next;
            self.sent = 0;
            // Nothing comes from the far end before we speak (a WebSocket server waits
            // for the upgrade request or the TLS hello): more is a broken proxy.
            if matches!(self.exchange, Exchange::Open) && !self.input.is_empty() {
                return Err(self.failed("it sent data after its answer"));
            }
        }
        Ok(())
    }

    /// The answer to `CONNECT`, once its head is complete: 2xx opens the tunnel.
    fn http_answer(&mut self) -> Result<Option<Exchange>, WsError> {
        let Some(end) = self.input.windows(4).position(|w| w == b"\r\n\r\n") else {
            if self.input.len() > MAX_HANDSHAKE_RESPONSE {
                return Err(self.failed("its answer is too long"));
            }
            return Ok(None);
        };
        let head = String::from_utf8_lossy(&self.input[..end]).into_owned();
        let status_line = head.lines().next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status = parts.next().and_then(|s| s.parse::<u16>().ok());
        let reason = parts.next().unwrap_or_default().trim().to_string();
        let status = match status {
            Some(s) if version.starts_with("HTTP/") => s,
            _ => return Err(self.failed(&format!("not an HTTP answer: {status_line:?}"))),
        };
        if !(200..300).contains(&status) {
            return Err(WsError::ProxyRejected {
                proxy: self.proxy.clone(),
                target: self.target.clone(),
                status,
                reason,
            });
        }
        self.input.drain(..end + 4);
        Ok(Some(Exchange::Open))
    }

    /// The SOCKS5 answer to the current step, once complete.
    fn socks_answer(&mut self) -> Result<Option<Exchange>, WsError> {
        let Exchange::Socks(socks) = &self.exchange else {
            return Ok(None);
        };
        let next = socks
            .answer(&self.input)
            .map_err(|m| self.failed(&format!("SOCKS5: {m}")))?;
        Ok(match next {
            SocksNext::More => None,
            SocksNext::Open(used) => {
                self.input.drain(..used);
                Some(Exchange::Open)
            }
            SocksNext::Send(out, step, used) => {
                self.input.drain(..used);
                if let Exchange::Socks(socks) = &mut self.exchange {
                    socks.out = out;
                    socks.step = step;
                }
                self.sent = 0;
                None
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn url(s: &str) -> Url {
        wsurl::parse(s).unwrap()
    }

    #[test]
    fn proxy_urls() {
        let p = Proxy::parse("http://user:p%40ss@proxy.test:3128").unwrap();
        assert_eq!((p.kind, p.port()), (Kind::Http, 3128));
        assert_eq!(p.shown(), "http://user:***@proxy.test:3128");
        assert_eq!(Proxy::parse("proxy.test:8080").unwrap().port(), 8080);
        assert_eq!(Proxy::parse("http://proxy.test").unwrap().port(), 80);
        assert_eq!(Proxy::parse("socks5h://s.test").unwrap().port(), 1080);
        for (bad, why) in [
            ("https://p.test", "not supported"),
            ("socks5://p.test", "socks5h://"),
            ("ftp://p.test", "unsupported proxy scheme"),
            ("http://", "empty host"),
            ("http://u:secret@[bad", "u:***@"),
        ] {
            let e = Proxy::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why) && !e.contains("secret"), "{bad}: {e}");
        }
    }

    #[test]
    fn the_environment_by_scheme() {
        let env = |vars: &[(&str, &str)]| {
            let vars: HashMap<String, String> = vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            move |name: &str| vars.get(name).cloned()
        };
        let shown = |u: &str, vars: &[(&str, &str)]| {
            from_environment(&url(u), env(vars))
                .unwrap()
                .map(|p| p.shown().to_string())
        };
        let vars = [
            ("http_proxy", "http://plain:1"),
            ("HTTPS_PROXY", "http://secure:2"),
            ("all_proxy", "http://all:3"),
        ];
        assert_eq!(shown("ws://h/", &vars).as_deref(), Some("http://plain:1"));
        assert_eq!(shown("wss://h/", &vars).as_deref(), Some("http://secure:2"));
        assert_eq!(
            shown(
                "wss://h/",
                &[("https_proxy", ""), ("ALL_PROXY", "http://all:3")]
            )
            .as_deref(),
            Some("http://all:3"),
            "empty is unset"
        );
        assert_eq!(
            shown(
                "ws://h/",
                &[("http_proxy", "http://a:1"), ("HTTP_PROXY", "http://b:2")]
            )
            .as_deref(),
            Some("http://a:1"),
            "lower case first"
        );
        assert_eq!(
            shown(
                "wss://h/",
                &[("wss_proxy", "http://w:1"), ("https_proxy", "http://s:2")]
            )
            .as_deref(),
            Some("http://w:1")
        );
        assert_eq!(shown("ws://h/", &[("https_proxy", "http://s:2")]), None);
        let skip = [("http_proxy", "http://p:1"), ("no_proxy", "x.test, h")];
        assert_eq!(shown("ws://h/", &skip), None);
        assert!(shown("ws://other/", &skip).is_some());
        let e = from_environment(&url("ws://h/"), env(&[("http_proxy", "ftp://p")]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("(from http_proxy)"), "{e}");
        // The setting decides first.
        assert_eq!(
            Proxy::for_url(&url("ws://h/"), &ProxySetting::Direct).unwrap(),
            None
        );
        let given = ProxySetting::Url("http://given:9".into());
        assert_eq!(
            Proxy::for_url(&url("ws://h/"), &given)
                .unwrap()
                .unwrap()
                .shown(),
            "http://given:9"
        );
    }

    #[test]
    fn no_proxy_rules() {
        let cases = [
            ("*", "anything.test", 80, true),
            ("example.com", "example.com", 80, true),
            ("example.com", "www.Example.COM", 443, true),
            ("example.com", "badexample.com", 80, false),
            (".example.com", "example.com", 80, true),
            (".example.com", "a.b.example.com", 80, true),
            ("*.example.com", "a.example.com", 80, true),
            ("example.com:8080", "example.com", 8080, true),
            ("example.com:8080", "example.com", 80, false),
            ("127.0.0.1", "127.0.0.1", 80, true),
            ("127.0.0.1", "127.0.0.2", 80, false),
            ("10.0.0.0/8", "10.1.2.3", 80, true),
            ("10.0.0.0/8", "11.1.2.3", 80, false),
            ("::1", "[::1]", 80, true),
            ("[::1]:80", "[::1]", 80, true),
            ("fd00::/8", "[fd12::1]", 80, true),
            ("a.test, b.test", "b.test", 80, true),
            ("a.test b.test", "b.test", 80, true),
            ("", "a.test", 80, false),
            ("localhost", "127.0.0.1", 80, false),
        ];
        for (list, host, port, expected) in cases {
            assert_eq!(
                bypassed(list, host, port),
                expected,
                "{list:?} {host}:{port}"
            );
        }
    }

    /// Runs `tunnel` against the proxy's answer `answer` (all bytes at once), checking
    /// what was sent; `Ok` once open.
    fn exchange(tunnel: &mut Tunnel, answers: &[&[u8]]) -> Result<Vec<Vec<u8>>, WsError> {
        let mut sent = Vec::new();
        for answer in answers {
            sent.push(tunnel.out().to_vec());
            tunnel.sent = tunnel.out().len();
            tunnel.input.extend_from_slice(answer);
            tunnel.take_answer()?;
        }
        assert!(matches!(tunnel.exchange, Exchange::Open));
        Ok(sent)
    }

    #[test]
    fn http_connect_exchange() {
        let p = Proxy::parse("http://Aladdin:open%20sesame@p.test:3128").unwrap();
        let mut t = p.tunnel(&url("wss://[::1]:8443/x"), 8443);
        let sent = exchange(&mut t, &[b"HTTP/1.1 200 Connection established\r\n\r\n"]).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&sent[0]),
            "CONNECT [::1]:8443 HTTP/1.1\r\nHost: [::1]:8443\r\n\
             Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"
        );
        let plain = Proxy::parse("http://p.test:3128").unwrap();
        let refuse = |answer: &[u8]| {
            let mut t = plain.tunnel(&url("ws://h.test/"), 80);
            exchange(&mut t, &[answer]).unwrap_err()
        };
        let e = refuse(b"HTTP/1.1 407 Proxy Authentication Required\r\nX: y\r\n\r\n");
        assert!(
            matches!(e, WsError::ProxyRejected { status: 407, .. }),
            "{e}"
        );
        assert!(e.to_string().contains("wants authentication"), "{e}");
        let e = refuse(b"HTTP/1.0 403 Forbidden\r\n\r\n").to_string();
        assert!(
            e.contains("refused the tunnel to h.test:80: HTTP 403 Forbidden"),
            "{e}"
        );
        let e = refuse(b"SSH-2.0-OpenSSH\r\n\r\n").to_string();
        assert!(e.contains("not an HTTP answer"), "{e}");
        let e = refuse(b"HTTP/1.1 200 OK\r\n\r\nextra").to_string();
        assert!(e.contains("data after its answer"), "{e}");
        let mut t = plain.tunnel(&url("ws://h.test/"), 80);
        t.input = vec![b'x'; MAX_HANDSHAKE_RESPONSE + 1];
        assert!(t
            .take_answer()
            .unwrap_err()
            .to_string()
            .contains("too long"));
    }

    #[test]
    fn socks5_exchange() {
        let p = Proxy::parse("socks5h://u:pw@s.test").unwrap();
        let mut t = p.tunnel(&url("ws://h.test:81/"), 81);
        let reply: &[u8] = &[5, 0, 0, 3, 6, b'h', b'.', b't', b'e', b's', b't', 0, 81];
        let sent = exchange(&mut t, &[&[5, 2], &[1, 0], reply]).unwrap();
        assert_eq!(sent[0], [5, 1, 2]);
        assert_eq!(sent[1], [1, 1, b'u', 2, b'p', b'w']);
        assert_eq!(
            sent[2],
            [5, 1, 0, 3, 6, b'h', b'.', b't', b'e', b's', b't', 0, 81]
        );
        let anonymous = Proxy::parse("socks5h://s.test").unwrap();
        let mut t = anonymous.tunnel(&url("ws://10.0.0.1:82/"), 82);
        let sent = exchange(&mut t, &[&[5, 0], &[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]]).unwrap();
        assert_eq!(sent[1], [5, 1, 0, 1, 10, 0, 0, 1, 0, 82]);
        let fail = |p: &Proxy, answers: &[&[u8]]| {
            let mut t = p.tunnel(&url("ws://h.test/"), 80);
            exchange(&mut t, answers).unwrap_err().to_string()
        };
        assert!(fail(&anonymous, &[&[5, 0xff]]).contains("no acceptable authentication"));
        assert!(fail(&p, &[&[5, 2], &[1, 1]]).contains("rejected the user name"));
        assert!(fail(&anonymous, &[&[5, 0], &[5, 5, 0, 1]]).contains("connection refused"));
        assert!(fail(&anonymous, &[&[4, 0]]).contains("not a SOCKS5 answer"));
    }
}
