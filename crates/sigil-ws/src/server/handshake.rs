//! Server side of the opening handshake (RFC 6455 §4.2), without I/O: the client's
//! upgrade request is fed in pieces, validated against the server's [`Policy`], and
//! answered with either a `101 Switching Protocols` response or an HTTP error whose
//! body says what was wrong.
//!
//! Extensions: permessage-deflate (RFC 7692) is accepted when the [`Policy`] has
//! settings for it ([`crate::deflate::negotiate`] picks the first valid offer), every
//! other extension is declined.
//!
//! Answers: `426 Upgrade Required` for a request that is not a WebSocket upgrade or asks
//! for a version other than 13 (with `Upgrade: websocket` / `Sec-WebSocket-Version: 13`
//! saying what would work), `403 Forbidden` for an `Origin` outside the allow-list,
//! `400 Bad Request` for everything else that is malformed.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;

use crate::deflate::{negotiate, DeflateConfig, DeflateParams};
use crate::handshake::{accept_key, header_values, is_token, parse_headers, take_head};

/// Largest upgrade request head accepted (request line and headers).
pub const MAX_REQUEST_HEAD: usize = 16 * 1024;

/// What the server accepts in a handshake.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Policy {
    /// Subprotocols the server speaks, in its order of preference: the first one the
    /// client also offers is selected; with none in common, no subprotocol is.
    pub protocols: Vec<String>,
    /// Allowed values of the `Origin` header (compared ignoring ASCII case). Empty:
    /// any origin, or none, is allowed; otherwise a request must carry one of them.
    pub origins: Vec<String>,
    /// permessage-deflate (RFC 7692): the server's settings when it accepts a client's
    /// offer (see [`negotiate`]); `None` (the default): offers are declined.
    pub deflate: Option<DeflateConfig>,
}

/// A valid upgrade request, as the handler of the connection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The path of the request target, as sent (percent-escapes kept), e.g. `/chat`.
    pub path: String,
    /// The query after `?`, as sent, if any.
    pub query: Option<String>,
    /// The `Host` header.
    pub host: String,
    /// Every request header, names as sent, in order.
    pub headers: Vec<(String, String)>,
}

impl Request {
    /// The request target: the path and the query, if any.
    pub fn target(&self) -> String {
        match &self.query {
            Some(q) => format!("{}?{q}", self.path),
            None => self.path.clone(),
        }
    }
}

/// The server's answer to a complete request head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The upgrade is accepted: send `response`, then the connection is open.
    Accept {
        /// The `101 Switching Protocols` response to send.
        response: Vec<u8>,
        /// The request.
        request: Request,
        /// The subprotocol selected, if any.
        protocol: Option<String>,
        /// The permessage-deflate parameters agreed, if any.
        deflate: Option<DeflateParams>,
        /// Bytes received after the request head: the start of the first frames.
        leftover: Vec<u8>,
    },
    /// The upgrade is refused: send `response`, then close the connection.
    Reject {
        /// HTTP status (400, 403 or 426).
        status: u16,
        /// Why, as a sentence (also the response body).
        reason: String,
        /// The whole HTTP response to send.
        response: Vec<u8>,
    },
}

/// A refusal before it becomes a response: status, reason, extra response headers.
struct Refusal(u16, String, Vec<(&'static str, &'static str)>);

impl Refusal {
    fn bad(reason: impl Into<String>) -> Refusal {
        Refusal(400, reason.into(), Vec::new())
    }
}

/// What a `101` response says besides the fixed headers.
struct Accepted {
    /// The client's `Sec-WebSocket-Key`.
    key: String,
    /// The subprotocol selected.
    protocol: Option<String>,
    /// The permessage-deflate parameters agreed (the `Sec-WebSocket-Extensions` answer).
    deflate: Option<DeflateParams>,
}

impl Accepted {
    /// The `101 Switching Protocols` response.
    fn response(&self) -> Vec<u8> {
        let mut r = format!(
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Accept: {}\r\n",
            accept_key(&self.key)
        );
        if let Some(p) = &self.protocol {
            r.push_str(&format!("Sec-WebSocket-Protocol: {p}\r\n"));
        }
        if let Some(e) = &self.deflate {
            r.push_str(&format!("Sec-WebSocket-Extensions: {e}\r\n"));
        }
        r.push_str("\r\n");
        r.into_bytes()
    }
}

/// Server side of the opening handshake: feed received bytes to
/// [`ServerHandshake::feed`] until it returns the [`Answer`].
#[derive(Debug, Default)]
pub struct ServerHandshake {
    policy: Policy,
    buf: Vec<u8>,
}

impl ServerHandshake {
    /// A handshake that will answer by `policy`.
    pub fn new(policy: Policy) -> ServerHandshake {
        ServerHandshake {
            policy,
            buf: Vec::new(),
        }
    }

    /// Feeds received bytes: `None` until the request head is complete (or too large),
    /// then the answer to send.
    pub fn feed(&mut self, data: &[u8]) -> Option<Answer> {
        let (head, leftover) = match take_head(&mut self.buf, data, MAX_REQUEST_HEAD) {
            Ok(Some(parts)) => parts,
            Ok(None) => return None,
            Err(limit) => {
                return Some(reject(Refusal::bad(format!(
                    "request header larger than {limit} bytes"
                ))))
            }
        };
        self.buf = Vec::new();
        Some(match self.validate(&head) {
            Ok((request, accepted)) => Answer::Accept {
                response: accepted.response(),
                request,
                protocol: accepted.protocol,
                deflate: accepted.deflate,
                leftover,
            },
            Err(refusal) => reject(refusal),
        })
    }

    /// Checks the request head (RFC 6455 §4.2.1); the request, the subprotocol and the
    /// extensions to answer with, or why not.
    fn validate(&self, head: &str) -> Result<(Request, Accepted), Refusal> {
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let (method, target, version) = match request_line.split(' ').collect::<Vec<_>>()[..] {
            [m, t, v] => (m, t, v),
            _ => {
                return Err(Refusal::bad(format!(
                    "malformed request line {request_line:?}"
                )))
            }
        };
        if !version.starts_with("HTTP/") {
            return Err(Refusal::bad(format!(
                "not an HTTP request: {request_line:?}"
            )));
        }
        if version != "HTTP/1.1" {
            return Err(Refusal::bad(format!(
                "the request is {version}; a WebSocket upgrade needs HTTP/1.1"
            )));
        }
        if method != "GET" {
            return Err(Refusal::bad(format!(
                "method {method}: a WebSocket upgrade is a GET request"
            )));
        }
        let (path, query) = split_target(target)?;
        let headers = parse_headers(lines).map_err(Refusal::bad)?;
        let one = |name: &'static str| one_header(&headers, name);
        let has_token = |name: &str, token: &str| {
            header_values(&headers, name)
                .flat_map(|v| v.split(','))
                .any(|t| t.trim().eq_ignore_ascii_case(token))
        };
        if !has_token("Upgrade", "websocket") {
            return Err(Refusal(
                426,
                "this is a WebSocket endpoint: the request needs 'Upgrade: websocket'".into(),
                vec![("Upgrade", "websocket")],
            ));
        }
        if !has_token("Connection", "upgrade") {
            return Err(Refusal::bad("missing 'Connection: Upgrade' header"));
        }
        let host = match one("Host")? {
            Some(h) if is_host(h) => h.to_string(),
            Some(h) => return Err(Refusal::bad(format!("malformed Host header {h:?}"))),
            None => return Err(Refusal::bad("missing Host header")),
        };
        match one("Sec-WebSocket-Version")? {
            Some("13") => {}
            other => {
                return Err(Refusal(
                    426,
                    format!(
                        "unsupported WebSocket version {:?}: only 13 is supported",
                        other.unwrap_or("(none)")
                    ),
                    vec![("Sec-WebSocket-Version", "13")],
                ))
            }
        }
        let key = match one("Sec-WebSocket-Key")? {
            Some(k) if BASE64.decode(k).is_ok_and(|b| b.len() == 16) => k.to_string(),
            Some(k) => {
                return Err(Refusal::bad(format!(
                    "Sec-WebSocket-Key {k:?} is not 16 bytes in base64"
                )))
            }
            None => return Err(Refusal::bad("missing Sec-WebSocket-Key header")),
        };
        if header_values(&headers, "Transfer-Encoding")
            .next()
            .is_some()
            || header_values(&headers, "Content-Length").any(|v| v != "0")
        {
            return Err(Refusal::bad("an upgrade request has no body"));
        }
        self.check_origin(one("Origin")?)?;
        let accepted = Accepted {
            key,
            protocol: self.select_protocol(&headers),
            deflate: self.answer_extensions(&headers)?,
        };
        let request = Request {
            path,
            query,
            host,
            headers,
        };
        Ok((request, accepted))
    }

    /// The request's `Origin` against the allow-list.
    fn check_origin(&self, origin: Option<&str>) -> Result<(), Refusal> {
        if self.policy.origins.is_empty() {
            return Ok(());
        }
        match origin {
            Some(o)
                if self
                    .policy
                    .origins
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(o)) =>
            {
                Ok(())
            }
            Some(o) => Err(Refusal(403, format!("origin {o:?} is not allowed"), vec![])),
            None => Err(Refusal(403, "missing Origin header".into(), vec![])),
        }
    }

    /// The extensions accepted among those the client offers: permessage-deflate when
    /// the server has settings for it ([`Policy::deflate`]), by [`negotiate`]; every
    /// other offer is declined by leaving it out of the answer (RFC 6455 §9.1). Only
    /// an extensions header that does not parse at all is refused, and only when
    /// there is something to negotiate.
    fn answer_extensions(
        &self,
        headers: &[(String, String)],
    ) -> Result<Option<DeflateParams>, Refusal> {
        let Some(settings) = &self.policy.deflate else {
            return Ok(None);
        };
        negotiate(header_values(headers, "Sec-WebSocket-Extensions"), settings)
            .map_err(|e| Refusal::bad(format!("malformed Sec-WebSocket-Extensions header: {e}")))
    }

    /// The first of the server's subprotocols that the client offers.
    fn select_protocol(&self, headers: &[(String, String)]) -> Option<String> {
        let offered: Vec<&str> = header_values(headers, "Sec-WebSocket-Protocol")
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|p| is_token(p))
            .collect();
        self.policy
            .protocols
            .iter()
            .find(|p| offered.contains(&p.as_str()))
            .cloned()
    }
}

/// The value of the header `name`, if there is one; more than one is refused.
fn one_header<'a>(
    headers: &'a [(String, String)],
    name: &'a str,
) -> Result<Option<&'a str>, Refusal> {
    let mut values = header_values(headers, name);
    match (values.next(), values.next()) {
        (v, None) => Ok(v),
        _ => Err(Refusal::bad(format!("more than one {name} header"))),
    }
}

/// Splits a request target (origin form `/path?query`, or absolute form
/// `ws://host/path?query`) into its path and query.
fn split_target(target: &str) -> Result<(String, Option<String>), Refusal> {
    let origin_form = match target.split_once("://") {
        Some((scheme, rest)) if ["ws", "wss", "http", "https"].contains(&scheme) => {
            match rest.find(['/', '?']) {
                Some(i) if rest[i..].starts_with('/') => rest[i..].to_string(),
                Some(i) => format!("/{}", &rest[i..]),
                None => "/".to_string(),
            }
        }
        _ => target.to_string(),
    };
    if !origin_form.starts_with('/') || origin_form.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(Refusal::bad(format!("malformed request target {target:?}")));
    }
    Ok(match origin_form.split_once('?') {
        Some((path, query)) => (path.to_string(), Some(query.to_string())),
        None => (origin_form, None),
    })
}

/// Whether `h` can be a `Host` header: a host name, IPv4 or bracketed IPv6 address,
/// and an optional port.
fn is_host(h: &str) -> bool {
    !h.is_empty()
        && h.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~:[]%!$&'()*+,;=".contains(&b))
}

/// The answer for a refused request: the status, `Connection: close`, the reason as a
/// plain-text body.
fn reject(Refusal(status, reason, extra): Refusal) -> Answer {
    let phrase = match status {
        403 => "Forbidden",
        426 => "Upgrade Required",
        _ => "Bad Request",
    };
    let body = format!("{reason}\n");
    let mut r = format!(
        "HTTP/1.1 {status} {phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in extra {
        r.push_str(&format!("{name}: {value}\r\n"));
    }
    r.push_str("\r\n");
    r.push_str(&body);
    Answer::Reject {
        status,
        reason,
        response: r.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    fn request(target: &str, extra: &str) -> String {
        format!(
            "GET {target} HTTP/1.1\r\nHost: server.example.com:8080\r\nUpgrade: websocket\r\n\
             Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: {KEY}\r\n\
             Sec-WebSocket-Version: 13\r\n{extra}\r\n"
        )
    }

    fn answer(policy: &Policy, req: &str) -> Answer {
        ServerHandshake::new(policy.clone())
            .feed(req.as_bytes())
            .expect("complete head")
    }

    /// The status and response text of a refusal.
    fn refused(policy: &Policy, req: &str) -> (u16, String) {
        match answer(policy, req) {
            Answer::Reject {
                status,
                reason,
                response,
            } => {
                let text = String::from_utf8(response).unwrap();
                assert!(text.contains("Connection: close\r\n"), "{text}");
                assert!(text.ends_with(&format!("\r\n\r\n{reason}\n")), "{text}");
                (status, text)
            }
            a => panic!("accepted {req:?}: {a:?}"),
        }
    }

    #[test]
    fn accepts_the_rfc_example_fed_in_pieces() {
        let mut data = request("/chat?room=1&x=%20", "Origin: http://example.com\r\n").into_bytes();
        data.extend_from_slice(&[0x81, 0x82]);
        let mut h = ServerHandshake::new(Policy::default());
        let mut got = None;
        let mut fed = 0;
        for chunk in data.chunks(5) {
            fed += chunk.len();
            got = h.feed(chunk);
            if got.is_some() {
                break;
            }
        }
        let Some(Answer::Accept {
            response,
            request,
            protocol,
            leftover,
            ..
        }) = got
        else {
            panic!("not accepted: {got:?}")
        };
        assert_eq!(
            String::from_utf8(response).unwrap(),
            format!(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
                 Sec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
            )
        );
        assert_eq!(request.path, "/chat");
        assert_eq!(request.query.as_deref(), Some("room=1&x=%20"));
        assert_eq!(request.target(), "/chat?room=1&x=%20");
        assert_eq!(request.host, "server.example.com:8080");
        assert!(request
            .headers
            .contains(&("Origin".to_string(), "http://example.com".to_string())));
        assert_eq!(protocol, None);
        let mut frames = leftover;
        frames.extend_from_slice(&data[fed..]);
        assert_eq!(frames, [0x81, 0x82]);
    }

    #[test]
    fn request_targets() {
        let path = |target: &str| match answer(&Policy::default(), &request(target, "")) {
            Answer::Accept { request, .. } => (request.path, request.query),
            a => panic!("{target}: {a:?}"),
        };
        assert_eq!(path("/"), ("/".into(), None));
        assert_eq!(path("ws://h:1/a/b?c"), ("/a/b".into(), Some("c".into())));
        assert_eq!(path("http://h"), ("/".into(), None));
        assert_eq!(path("wss://h?q"), ("/".into(), Some("q".into())));
        for bad in ["*", "chat", "ftp://h/x"] {
            let (status, text) = refused(&Policy::default(), &request(bad, ""));
            assert_eq!(status, 400);
            assert!(text.contains("malformed request target"), "{text}");
        }
    }

    #[test]
    fn subprotocol_in_the_servers_order() {
        let policy = Policy {
            protocols: vec!["v2.chat".into(), "chat".into()],
            ..Policy::default()
        };
        let select = |offer: &str| match answer(&policy, &request("/", offer)) {
            Answer::Accept {
                protocol, response, ..
            } => {
                let text = String::from_utf8(response).unwrap();
                match &protocol {
                    Some(p) => assert!(text.contains(&format!("Sec-WebSocket-Protocol: {p}\r\n"))),
                    None => assert!(!text.contains("Sec-WebSocket-Protocol")),
                }
                protocol
            }
            a => panic!("{a:?}"),
        };
        assert_eq!(
            select("Sec-WebSocket-Protocol: chat, v2.chat\r\n").as_deref(),
            Some("v2.chat")
        );
        assert_eq!(
            select("Sec-WebSocket-Protocol: x\r\nSec-WebSocket-Protocol: chat\r\n").as_deref(),
            Some("chat")
        );
        assert_eq!(select("Sec-WebSocket-Protocol: other\r\n"), None);
        assert_eq!(select(""), None);
    }

    #[test]
    fn permessage_deflate_only_with_settings() {
        let offer =
            "Sec-WebSocket-Extensions: x-unknown, permessage-deflate; client_max_window_bits\r\n";
        let deflate = |policy: &Policy| match answer(policy, &request("/", offer)) {
            Answer::Accept {
                response, deflate, ..
            } => {
                let text = String::from_utf8(response).unwrap();
                let header = text
                    .lines()
                    .find_map(|l| l.strip_prefix("Sec-WebSocket-Extensions: "))
                    .map(str::to_string);
                assert_eq!(header, deflate.as_ref().map(|d| d.to_string()));
                header
            }
            a => panic!("{a:?}"),
        };
        assert_eq!(deflate(&Policy::default()), None, "declined by default");
        let settings = Policy {
            deflate: Some(DeflateConfig {
                server_max_window_bits: Some(12),
                client_max_window_bits: Some(10),
                ..DeflateConfig::default()
            }),
            ..Policy::default()
        };
        assert_eq!(
            deflate(&settings).as_deref(),
            Some("permessage-deflate; server_max_window_bits=12; client_max_window_bits=10")
        );
        let (status, text) = refused(
            &settings,
            &request("/", "Sec-WebSocket-Extensions: permessage-deflate; =\r\n"),
        );
        assert_eq!(status, 400);
        assert!(
            text.contains("malformed Sec-WebSocket-Extensions"),
            "{text}"
        );
    }

    #[test]
    fn origin_allow_list() {
        let policy = Policy {
            origins: vec!["https://app.example".into()],
            ..Policy::default()
        };
        assert!(matches!(
            answer(&policy, &request("/", "Origin: HTTPS://APP.example\r\n")),
            Answer::Accept { .. }
        ));
        let (status, text) = refused(&policy, &request("/", "Origin: https://evil.example\r\n"));
        assert_eq!(status, 403);
        assert!(text.starts_with("HTTP/1.1 403 Forbidden\r\n"), "{text}");
        assert!(text.contains("origin \"https://evil.example\" is not allowed"));
        assert_eq!(refused(&policy, &request("/", "")).0, 403);
    }

    #[test]
    fn refusals() {
        let p = Policy::default();
        let ok = request("/", "");
        let cases: Vec<(String, u16, &str)> = vec![
            (ok.replacen("GET", "POST", 1), 400, "method POST"),
            (
                ok.replacen("HTTP/1.1", "HTTP/1.0", 1),
                400,
                "needs HTTP/1.1",
            ),
            ("garbage\r\n\r\n".into(), 400, "malformed request line"),
            ("GET / FTP/1.1\r\n\r\n".into(), 400, "not an HTTP request"),
            (
                ok.replace("Upgrade: websocket\r\n", ""),
                426,
                "'Upgrade: websocket'",
            ),
            (
                ok.replace("Upgrade: websocket", "Upgrade: h2c"),
                426,
                "'Upgrade: websocket'",
            ),
            (
                ok.replace("keep-alive, Upgrade", "keep-alive"),
                400,
                "'Connection: Upgrade'",
            ),
            (
                ok.replace("Host: server.example.com:8080\r\n", ""),
                400,
                "missing Host",
            ),
            (request("/", "Host: again\r\n"), 400, "more than one Host"),
            (request("/", "Content-Length: 5\r\n"), 400, "no body"),
            (request("/", " folded\r\n"), 400, "folded header line"),
            (
                ok.replace("Version: 13", "Version: 8"),
                426,
                "version \"8\"",
            ),
            (
                ok.replace("Sec-WebSocket-Version: 13\r\n", ""),
                426,
                "(none)",
            ),
            (ok.replace(KEY, "c2hvcnQ="), 400, "not 16 bytes"),
            (
                ok.replace(&format!("Sec-WebSocket-Key: {KEY}\r\n"), ""),
                400,
                "missing Sec-WebSocket-Key",
            ),
            (
                request("/", &format!("Sec-WebSocket-Key: {KEY}\r\n")),
                400,
                "more than one Sec-WebSocket-Key",
            ),
        ];
        for (req, status, says) in cases {
            let (got, text) = refused(&p, &req);
            assert_eq!(got, status, "{req:?} -> {text}");
            assert!(text.contains(says), "{req:?} -> {text}");
        }
        let (_, text) = refused(&p, &ok.replace("Version: 13", "Version: 8"));
        assert!(text.contains("\r\nSec-WebSocket-Version: 13\r\n"), "{text}");
        let (_, text) = refused(&p, &ok.replace("Upgrade: websocket\r\n", ""));
        assert!(
            text.starts_with("HTTP/1.1 426 Upgrade Required\r\n"),
            "{text}"
        );
        assert!(text.contains("\r\nUpgrade: websocket\r\n"), "{text}");
    }

    #[test]
    fn head_size_is_capped() {
        let mut h = ServerHandshake::new(Policy::default());
        let chunk = [b'a'; 1024];
        let mut fed = 0;
        let answer = loop {
            if let Some(a) = h.feed(&chunk) {
                break a;
            }
            fed += chunk.len();
            assert!(fed <= MAX_REQUEST_HEAD + 1024);
        };
        assert!(
            matches!(answer, Answer::Reject { status: 400, .. }),
            "{answer:?}"
        );
    }
}
