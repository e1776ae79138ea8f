//! Opening handshake (RFC 6455 §4.1): building the client's upgrade request and
//! validating the server's response, fed incrementally.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use sha1::{Digest, Sha1};
use url::Url;

use crate::deflate::{DeflateConfig, DeflateParams};
use crate::error::WsError;
use crate::limits::MAX_HANDSHAKE_RESPONSE;
use crate::wsurl;

/// GUID appended to the key before hashing (RFC 6455 §1.3).
const ACCEPT_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Computes the `Sec-WebSocket-Accept` value the server must send for `key`.
pub fn accept_key(key: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(key.as_bytes());
    sha.update(ACCEPT_GUID.as_bytes());
    BASE64.encode(sha.finalize())
}

/// Generates a fresh `Sec-WebSocket-Key`: 16 random bytes, base64-encoded.
pub fn generate_key() -> String {
    BASE64.encode(rand::random::<[u8; 16]>())
}

/// Optional parts of the upgrade request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestOptions {
    /// `Origin` header, sent only when set.
    pub origin: Option<String>,
    /// Subprotocols offered in `Sec-WebSocket-Protocol`, in preference order.
    pub protocols: Vec<String>,
    /// Extra headers appended verbatim (names and values must not contain CR or LF).
    pub headers: Vec<(String, String)>,
    /// permessage-deflate offered in `Sec-WebSocket-Extensions` (RFC 7692), `None`
    /// for no compression. Default: offered with [`DeflateConfig::default`], as
    /// `permessage-deflate; client_max_window_bits`.
    pub deflate: Option<DeflateConfig>,
}

impl Default for RequestOptions {
    fn default() -> RequestOptions {
        RequestOptions {
            origin: None,
            protocols: Vec::new(),
            headers: Vec::new(),
            deflate: Some(DeflateConfig::default()),
        }
    }
}

/// What a successful handshake produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeResponse {
    /// Subprotocol the server selected, if any.
    pub protocol: Option<String>,
    /// The permessage-deflate parameters the server accepted, if it did.
    pub deflate: Option<DeflateParams>,
    /// All response headers, names as sent.
    pub headers: Vec<(String, String)>,
    /// Bytes received after the header: the start of the first frames.
    pub leftover: Vec<u8>,
}

/// Client side of the opening handshake, without I/O.
///
/// Send [`ClientHandshake::request`], then pass every received chunk to
/// [`ClientHandshake::feed`] until it returns the response.
#[derive(Debug)]
pub struct ClientHandshake {
    key: String,
    request: Vec<u8>,
    protocols: Vec<String>,
    deflate: Option<DeflateConfig>,
    buf: Vec<u8>,
}

/// Whether `s` is an HTTP token (RFC 9110 §5.6.2): header names, subprotocol names.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

fn check_header(name: &str, value: &str) -> Result<(), WsError> {
    if !is_token(name) {
        return Err(WsError::InvalidInput(format!("bad header name {name:?}")));
    }
    if value.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(WsError::InvalidInput(format!(
            "bad value for header {name}"
        )));
    }
    Ok(())
}

/// Headers the request writes itself, which extra headers may not repeat or contradict,
/// each with the option to use instead, if there is one.
const RESERVED_HEADERS: [(&str, &str); 11] = [
    ("Host", ""),
    ("Upgrade", ""),
    ("Connection", ""),
    ("Sec-WebSocket-Key", ""),
    ("Sec-WebSocket-Version", ""),
    ("Sec-WebSocket-Accept", ""),
    ("Sec-WebSocket-Extensions", ""),
    ("Sec-WebSocket-Protocol", " (use the protocols option)"),
    ("Origin", " (use the origin option)"),
    ("Content-Length", ""),
    ("Transfer-Encoding", ""),
];

/// Refuses an extra header that the request sets itself.
fn check_not_reserved(name: &str) -> Result<(), WsError> {
    match RESERVED_HEADERS
        .iter()
        .find(|(reserved, _)| reserved.eq_ignore_ascii_case(name))
    {
        Some((reserved, hint)) => Err(WsError::InvalidInput(format!(
            "header {reserved} is set by the WebSocket handshake and cannot be added{hint}"
        ))),
        None => Ok(()),
    }
}

/// The request target for `url`: its path (`/` when empty) and query.
pub(crate) fn request_target(url: &Url) -> String {
    let mut target = url.path().to_string();
    if target.is_empty() {
        target.push('/');
    }
    if let Some(q) = url.query() {
        target.push('?');
        target.push_str(q);
    }
    target
}

/// `Host` header value: host, plus the port only when it is not the scheme's default.
fn host_header(url: &Url) -> Result<String, WsError> {
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(url::Host::Ipv4(a)) => a.to_string(),
        Some(url::Host::Ipv6(a)) => format!("[{a}]"),
        None => {
            return Err(WsError::InvalidUrl {
                url: wsurl::redact(url.as_str()),
                reason: "missing host".into(),
            })
        }
    };
    // `Url::port` is None when the port is the scheme default (80 for ws, 443 for wss).
    Ok(match url.port() {
        Some(p) => format!("{host}:{p}"),
        None => host,
    })
}

/// Appends `data` to the bytes of an HTTP head received so far in `buf`; once the blank
/// line that ends it has arrived, returns the head (without that blank line) and the
/// bytes after it. Fails with the limit when the head grows past `limit` bytes.
pub(crate) fn take_head(
    buf: &mut Vec<u8>,
    data: &[u8],
    limit: usize,
) -> Result<Option<(String, Vec<u8>)>, usize> {
    let search_from = buf.len().saturating_sub(3);
    buf.extend_from_slice(data);
    let end = match buf[search_from..].windows(4).position(|w| w == b"\r\n\r\n") {
        Some(p) => search_from + p,
        None if buf.len() > limit => return Err(limit),
        None => return Ok(None),
    };
    if end > limit {
        return Err(limit);
    }
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    Ok(Some((head, buf[end + 4..].to_vec())))
}

/// Parses the header lines of an HTTP head into (name, value) pairs, names as sent and
/// values trimmed; a malformed line is an error saying which.
pub(crate) fn parse_headers<'a>(
    lines: impl Iterator<Item = &'a str>,
) -> Result<Vec<(String, String)>, String> {
    let mut headers = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            return Err(format!("folded header line {line:?}"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(format!("malformed header line {line:?}"));
        };
        let name = name.trim();
        if !is_token(name) {
            return Err(format!("malformed header name {name:?}"));
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(headers)
}

/// Values of every header named `wanted` (case-insensitive).
pub(crate) fn header_values<'a>(
    headers: &'a [(String, String)],
    wanted: &'a str,
) -> impl Iterator<Item = &'a str> {
    headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(wanted))
        .map(|(_, v)| v.as_str())
}

impl ClientHandshake {
    /// Builds the upgrade request for `url` with a fresh random key.
    pub fn new(url: &Url, options: &RequestOptions) -> Result<ClientHandshake, WsError> {
        ClientHandshake::with_key(url, options, generate_key())
    }

    /// Builds the upgrade request with a given key (for tests and reproducibility).
    pub fn with_key(
        url: &Url,
        options: &RequestOptions,
        key: String,
    ) -> Result<ClientHandshake, WsError> {
        let resource = request_target(url);
        let mut req = format!(
            "GET {resource} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n",
            host_header(url)?
        );
        if let Some(origin) = &options.origin {
            check_header("Origin", origin)?;
            req.push_str(&format!("Origin: {origin}\r\n"));
        }
        if !options.protocols.is_empty() {
            if let Some(bad) = options.protocols.iter().find(|p| !is_token(p)) {
                return Err(WsError::InvalidInput(format!(
                    "bad subprotocol name {bad:?}"
                )));
            }
            req.push_str(&format!(
                "Sec-WebSocket-Protocol: {}\r\n",
                options.protocols.join(", ")
            ));
        }
        let authorization = wsurl::basic_authorization(url);
        for (name, value) in &options.headers {
            check_header(name, value)?;
            check_not_reserved(name)?;
            if authorization.is_some() && name.eq_ignore_ascii_case("Authorization") {
                return Err(WsError::InvalidInput(
                    "header Authorization given twice: by the URL's user name and password, \
                     and by the headers option"
                        .into(),
                ));
            }
            req.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some(value) = authorization {
            req.push_str(&format!("Authorization: {value}\r\n"));
        }
        if let Some(deflate) = &options.deflate {
            deflate
                .check()
                .map_err(|e| WsError::InvalidInput(format!("compression: {e}")))?;
            req.push_str(&format!(
                "Sec-WebSocket-Extensions: {}\r\n",
                deflate.offer()
            ));
        }
        req.push_str("\r\n");
        Ok(ClientHandshake {
            key,
            request: req.into_bytes(),
            protocols: options.protocols.clone(),
            deflate: options.deflate,
            buf: Vec::new(),
        })
    }

    /// The HTTP request bytes to send.
    pub fn request(&self) -> &[u8] {
        &self.request
    }

    /// The `Sec-WebSocket-Key` this request carries.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Feeds received bytes. Returns `Ok(None)` until the response header is complete,
    /// then the validated response (with any bytes that followed the header).
    pub fn feed(&mut self, data: &[u8]) -> Result<Option<HandshakeResponse>, WsError> {
        let Some((head, leftover)) = take_head(&mut self.buf, data, MAX_HANDSHAKE_RESPONSE)
            .map_err(|size| {
                WsError::BadHandshake(format!("response header larger than {size} bytes"))
            })?
        else {
            return Ok(None);
        };
        let mut response = self.validate(&head)?;
        response.leftover = leftover;
        Ok(Some(response))
    }

    fn validate(&self, head: &str) -> Result<HandshakeResponse, WsError> {
        let mut lines = head.split("\r\n");
        let status_line = lines.next().unwrap_or_default();
        let mut parts = status_line.splitn(3, ' ');
        let version = parts.next().unwrap_or_default();
        let status = parts.next().unwrap_or_default();
        let reason = parts.next().unwrap_or_default().trim().to_string();
        if !version.starts_with("HTTP/") {
            return Err(WsError::BadHandshake(format!(
                "not an HTTP response: {status_line:?}"
            )));
        }
        let status: u16 = match status.parse() {
            Ok(s) if (100..=999).contains(&s) && status.len() == 3 => s,
            _ => {
                return Err(WsError::BadHandshake(format!(
                    "bad status line {status_line:?}"
                )))
            }
        };
        if status != 101 {
            let location = lines.find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.trim()
                    .eq_ignore_ascii_case("Location")
                    .then(|| value.trim().to_string())
            });
            return Err(WsError::HandshakeRejected {
                status,
                reason,
                location,
            });
        }
        if version != "HTTP/1.1" {
            return Err(WsError::BadHandshake(format!(
                "the server answered in {version}; RFC 6455 requires HTTP/1.1"
            )));
        }
        let headers = parse_headers(lines).map_err(WsError::BadHandshake)?;
        let get = |wanted: &'static str| header_values(&headers, wanted);
        if !get("Upgrade").any(|v| v.eq_ignore_ascii_case("websocket")) {
            return Err(WsError::BadHandshake(
                "missing 'Upgrade: websocket' header".into(),
            ));
        }
        if !get("Connection").any(|v| {
            v.split(',')
                .any(|t| t.trim().eq_ignore_ascii_case("upgrade"))
        }) {
            return Err(WsError::BadHandshake(
                "missing 'Connection: Upgrade' header".into(),
            ));
        }
        let expected = accept_key(&self.key);
        let mut accepts = get("Sec-WebSocket-Accept");
        match (accepts.next(), accepts.next()) {
            (Some(a), None) if a == expected => {}
            (None, _) => {
                return Err(WsError::BadHandshake(
                    "missing Sec-WebSocket-Accept header".into(),
                ))
            }
            _ => return Err(WsError::BadAcceptKey),
        }
        let deflate = match (&self.deflate, get("Sec-WebSocket-Extensions").next()) {
            (_, None) => None,
            (None, Some(ext)) => {
                return Err(WsError::BadHandshake(format!(
                    "server selected extension {ext:?} that we did not offer"
                )))
            }
            (Some(offer), Some(_)) => offer
                .accept(get("Sec-WebSocket-Extensions"))
                .map_err(|e| WsError::BadHandshake(e.to_string()))?,
        };
        let protocol = {
            let mut protos = get("Sec-WebSocket-Protocol");
            match (protos.next(), protos.next()) {
                (None, _) => None,
                (Some(p), None) if self.protocols.iter().any(|o| o == p) => Some(p.to_string()),
                (Some(p), _) => {
                    return Err(WsError::BadHandshake(format!(
                        "server selected subprotocol {p:?} that we did not offer"
                    )))
                }
            }
        };
        Ok(HandshakeResponse {
            protocol,
            deflate,
            headers: headers.clone(),
            leftover: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
    const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    fn hs(url: &str, opts: &RequestOptions) -> ClientHandshake {
        ClientHandshake::with_key(&Url::parse(url).unwrap(), opts, KEY.into()).unwrap()
    }

    fn ok_response(extra: &str) -> String {
        format!(
            "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n\
             Sec-WebSocket-Accept: {ACCEPT}\r\n{extra}\r\n"
        )
    }

    #[test]
    fn rfc_sample_accept_key() {
        assert_eq!(accept_key(KEY), ACCEPT);
    }

    #[test]
    fn random_keys_are_16_bytes() {
        let k = generate_key();
        assert_eq!(BASE64.decode(&k).unwrap().len(), 16);
        assert_ne!(k, generate_key());
    }

    #[test]
    fn request_format() {
        let req = String::from_utf8(
            hs("ws://example.com/chat?x=1&y=2", &Default::default())
                .request()
                .to_vec(),
        )
        .unwrap();
        assert!(
            req.starts_with("GET /chat?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\n"),
            "{req}"
        );
        assert!(req.contains("Upgrade: websocket\r\n"));
        assert!(req.contains("Connection: Upgrade\r\n"));
        assert!(req.contains(&format!("Sec-WebSocket-Key: {KEY}\r\n")));
        assert!(req.contains("Sec-WebSocket-Version: 13\r\n"));
        assert!(!req.contains("Origin"));
        assert!(!req.contains("Sec-WebSocket-Protocol"));
        assert!(req.ends_with("\r\n\r\n"));

        let host = |u: &str| {
            let r = String::from_utf8(hs(u, &Default::default()).request().to_vec()).unwrap();
            r.lines().nth(1).unwrap().to_string()
        };
        assert_eq!(host("ws://example.com:80/"), "Host: example.com");
        assert_eq!(host("wss://example.com:443/"), "Host: example.com");
        assert_eq!(host("ws://example.com:443/"), "Host: example.com:443");
        assert_eq!(host("wss://example.com:8443"), "Host: example.com:8443");
        assert_eq!(host("ws://[::1]:9001/"), "Host: [::1]:9001");
        assert_eq!(host("ws://127.0.0.1"), "Host: 127.0.0.1");
    }

    #[test]
    fn request_options() {
        let opts = RequestOptions {
            origin: Some("https://app.example".into()),
            protocols: vec!["chat".into(), "superchat".into()],
            headers: vec![("Authorization".into(), "Bearer x".into())],
            ..Default::default()
        };
        let req = String::from_utf8(hs("wss://h/", &opts).request().to_vec()).unwrap();
        assert!(req.contains("Origin: https://app.example\r\n"));
        assert!(req.contains("Sec-WebSocket-Protocol: chat, superchat\r\n"));
        assert!(req.contains("Authorization: Bearer x\r\n"));

        let bad = RequestOptions {
            headers: vec![("X".into(), "a\r\nEvil: 1".into())],
            ..Default::default()
        };
        let e = ClientHandshake::with_key(&Url::parse("ws://h/").unwrap(), &bad, KEY.into())
            .unwrap_err();
        assert!(matches!(e, WsError::InvalidInput(_)));
    }

    #[test]
    fn reserved_headers_are_refused() {
        for name in [
            "Host",
            "sec-websocket-key",
            "SEC-WEBSOCKET-VERSION",
            "Origin",
        ] {
            let opts = RequestOptions {
                headers: vec![(name.into(), "x".into())],
                ..Default::default()
            };
            let e = ClientHandshake::with_key(&Url::parse("ws://h/").unwrap(), &opts, KEY.into())
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("is set by the WebSocket handshake"),
                "{name}: {e}"
            );
        }
    }

    #[test]
    fn url_credentials_become_basic_authorization() {
        let req = |url: &str, headers: Vec<(String, String)>| {
            let opts = RequestOptions {
                headers,
                ..Default::default()
            };
            ClientHandshake::with_key(&Url::parse(url).unwrap(), &opts, KEY.into())
                .map(|h| String::from_utf8(h.request().to_vec()).unwrap())
        };
        let r = req("ws://alice:s3cret@h:9/p", vec![]).unwrap();
        assert!(
            r.contains("Authorization: Basic YWxpY2U6czNjcmV0\r\n"),
            "{r}"
        );
        assert!(r.contains("Host: h:9\r\n"), "{r}");
        assert!(!r.contains("s3cret"));
        let own = vec![("Authorization".to_string(), "Bearer t".to_string())];
        assert!(req("ws://h/", own.clone()).unwrap().contains("Bearer t"));
        assert!(matches!(
            req("ws://a:b@h/", own),
            Err(WsError::InvalidInput(_))
        ));
    }

    #[test]
    fn accepts_valid_response_in_pieces_and_keeps_leftover() {
        let mut h = hs("ws://h/", &Default::default());
        let header_len = ok_response("").len();
        let mut data = ok_response("").into_bytes();
        data.extend_from_slice(&[0x81, 0x02, b'h', b'i']);
        let mut fed = 0;
        let mut result = None;
        for chunk in data.chunks(3) {
            fed += chunk.len();
            result = h.feed(chunk).unwrap();
            if result.is_some() {
                break;
            }
        }
        assert!(fed >= header_len && fed < header_len + 3);
        let r = result.expect("complete");
        let mut frame_bytes = r.leftover.clone();
        frame_bytes.extend_from_slice(&data[fed..]);
        assert_eq!(frame_bytes, [0x81, 0x02, b'h', b'i']);
        // All in one piece: everything after the header is leftover.
        let r = hs("ws://h/", &Default::default())
            .feed(&data)
            .unwrap()
            .unwrap();
        assert_eq!(r.leftover, [0x81, 0x02, b'h', b'i']);
        assert_eq!(r.protocol, None);
    }

    fn check(resp: &str, protocols: &[&str]) -> Result<Option<HandshakeResponse>, WsError> {
        let opts = RequestOptions {
            protocols: protocols.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        hs("ws://h/", &opts).feed(resp.as_bytes())
    }

    #[test]
    fn validation_errors() {
        let e = check("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", &[]).unwrap_err();
        assert!(
            matches!(e, WsError::HandshakeRejected { status: 403, ref reason, location: None } if reason == "Forbidden")
        );
        let e = check("HTTP/1.1 302 Found\r\nlocation:  /elsewhere \r\n\r\n", &[]).unwrap_err();
        assert!(
            matches!(e, WsError::HandshakeRejected { status: 302, ref location, .. } if location.as_deref() == Some("/elsewhere")),
            "{e}"
        );
        assert!(
            e.to_string()
                .ends_with("HTTP 302 Found (Location: /elsewhere)"),
            "{e}"
        );
        let no_upgrade = format!(
            "HTTP/1.1 101 OK\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
        );
        assert!(matches!(
            check(&no_upgrade, &[]),
            Err(WsError::BadHandshake(_))
        ));
        let no_conn = format!(
            "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: {ACCEPT}\r\n\r\n"
        );
        assert!(matches!(
            check(&no_conn, &[]),
            Err(WsError::BadHandshake(_))
        ));
        let bad_key = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Accept: xxxx\r\n\r\n";
        assert!(matches!(check(bad_key, &[]), Err(WsError::BadAcceptKey)));
        let no_key = "HTTP/1.1 101 OK\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n";
        assert!(matches!(check(no_key, &[]), Err(WsError::BadHandshake(_))));
        let ext = ok_response("Sec-WebSocket-Extensions: permessage-deflate\r\n");
        let no_compression = RequestOptions {
            deflate: None,
            ..Default::default()
        };
        assert!(matches!(
            hs("ws://h/", &no_compression).feed(ext.as_bytes()),
            Err(WsError::BadHandshake(m)) if m.contains("did not offer")
        ));
        let proto = ok_response("Sec-WebSocket-Protocol: other\r\n");
        assert!(matches!(
            check(&proto, &["chat"]),
            Err(WsError::BadHandshake(_))
        ));
        assert!(matches!(check(&proto, &[]), Err(WsError::BadHandshake(_))));
        assert!(matches!(
            check("garbage\r\n\r\n", &[]),
            Err(WsError::BadHandshake(_))
        ));
        assert!(matches!(
            check("HTTP/1.1 1x1 OK\r\n\r\n", &[]),
            Err(WsError::BadHandshake(_))
        ));
        let http10 = ok_response("").replacen("HTTP/1.1", "HTTP/1.0", 1);
        assert!(
            matches!(check(&http10, &[]), Err(WsError::BadHandshake(m)) if m.contains("HTTP/1.1"))
        );
    }

    #[test]
    fn permessage_deflate_is_offered_and_its_answer_checked() {
        let req = |opts: &RequestOptions| String::from_utf8(hs("ws://h/", opts).request().to_vec());
        let offered = req(&RequestOptions::default()).unwrap();
        assert!(
            offered.contains(
                "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
            ),
            "{offered}"
        );
        let off = RequestOptions {
            deflate: None,
            ..Default::default()
        };
        assert!(!req(&off).unwrap().contains("Sec-WebSocket-Extensions"));
        let bad = RequestOptions {
            deflate: Some(DeflateConfig {
                client_max_window_bits: Some(7),
                ..DeflateConfig::default()
            }),
            ..Default::default()
        };
        let e = ClientHandshake::with_key(&Url::parse("ws://h/").unwrap(), &bad, KEY.into())
            .unwrap_err();
        assert!(matches!(e, WsError::InvalidInput(m) if m.contains("8 to 15")));

        // No answer: no compression.
        let r = check(&ok_response(""), &[]).unwrap().unwrap();
        assert_eq!(r.deflate, None);
        // An answer split over two header lines is one list.
        let r = check(
            &ok_response(
                "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n\
                 Sec-WebSocket-Extensions: \r\n",
            ),
            &[],
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            r.deflate,
            Some(DeflateParams {
                server_no_context_takeover: true,
                ..DeflateParams::default()
            })
        );
        for (answer, fragment) in [
            ("permessage-deflate; client_max_window_bits=16", "8 to 15"),
            ("permessage-deflate; foo", "unknown parameter foo"),
            ("permessage-deflate, permessage-deflate", "twice"),
            ("x-webkit-deflate-frame", "did not offer"),
        ] {
            let resp = ok_response(&format!("Sec-WebSocket-Extensions: {answer}\r\n"));
            let e = check(&resp, &[]).unwrap_err().to_string();
            assert!(
                e.starts_with("invalid WebSocket handshake response: ") && e.contains(fragment),
                "{answer}: {e}"
            );
        }
    }

    #[test]
    fn selected_protocol_is_reported() {
        let r = check(
            &ok_response("Sec-WebSocket-Protocol: superchat\r\n"),
            &["chat", "superchat"],
        );
        assert_eq!(r.unwrap().unwrap().protocol.as_deref(), Some("superchat"));
    }

    #[test]
    fn header_size_is_capped() {
        let mut h = hs("ws://h/", &Default::default());
        let mut fed = 0;
        let chunk = [b'a'; 1024];
        let err = loop {
            match h.feed(&chunk) {
                Ok(None) => fed += chunk.len(),
                Ok(Some(_)) => panic!("accepted garbage"),
                Err(e) => break e,
            }
            assert!(fed <= MAX_HANDSHAKE_RESPONSE + 1024);
        };
        assert!(matches!(err, WsError::BadHandshake(_)));
    }
}
