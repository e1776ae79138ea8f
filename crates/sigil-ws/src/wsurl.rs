//! WebSocket URLs (RFC 6455 §3): parsing and checking, the user information they may
//! carry, and the form shown to people, with the password hidden.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use url::Url;

use crate::error::WsError;

/// What replaces a URL's password wherever the URL is shown.
const HIDDEN: &str = "***";

/// `url` as it may be shown (messages, printed connections): a password in its user
/// information is replaced by `***`. Works on any text, parsable or not.
pub fn redact(url: &str) -> String {
    let Some(start) = url.find("//").map(|i| i + 2) else {
        return url.to_string();
    };
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '\\', '?', '#']).unwrap_or(rest.len())];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let Some(colon) = authority[..at].find(':') else {
        return url.to_string();
    };
    format!(
        "{}{HIDDEN}{}",
        &url[..start + colon + 1],
        &url[start + at..]
    )
}

/// Parses and checks a `ws://` or `wss://` URL: an authority with a host is required
/// (the WHATWG parsing of the `url` crate would read `wss:///path` as host `path` and
/// accept `ws:host`), and a fragment is refused.
pub(crate) fn parse(url: &str) -> Result<Url, WsError> {
    let invalid = |reason: &str| WsError::InvalidUrl {
        url: redact(url),
        reason: reason.to_string(),
    };
    let parsed = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    match parsed.scheme() {
        "ws" | "wss" => {}
        other => return Err(WsError::UnsupportedScheme(other.to_string())),
    }
    // Url::parse ignores surrounding spaces and control characters; so do we.
    let text = url.trim_matches(|c: char| c <= ' ');
    let after_scheme = &text[parsed.scheme().len() + 1..];
    match after_scheme.strip_prefix("//") {
        Some(rest) if !rest.is_empty() && !rest.starts_with(['/', '\\', '?', '#']) => {}
        _ => {
            return Err(invalid(
                "no host (expected ws://host/... or wss://host/...)",
            ))
        }
    }
    if parsed.host().is_none() {
        return Err(invalid("missing host"));
    }
    if parsed.fragment().is_some() {
        return Err(invalid("fragments are not allowed in WebSocket URLs"));
    }
    Ok(parsed)
}

/// The `Authorization` header value for the user name and password of `url`, if it
/// has any: `Basic` and the base64 of `user:password`, percent-decoded (RFC 7617).
pub(crate) fn basic_authorization(url: &Url) -> Option<String> {
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let mut credentials = percent_decode(url.username());
    credentials.push(b':');
    credentials.extend(percent_decode(url.password().unwrap_or_default()));
    Some(format!("Basic {}", BASE64.encode(credentials)))
}

/// The bytes `%XX` escapes stand for; anything else as it is.
pub(crate) fn percent_decode(s: &str) -> Vec<u8> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(redact("ws://u:secret@h:1/p?q"), "ws://u:***@h:1/p?q");
        assert_eq!(redact("wss://u:a:b@c@h/"), "wss://u:***@h/");
        assert_eq!(redact("ws://user@h/x@y"), "ws://user@h/x@y");
        assert_eq!(redact("ws://h/a:b@c"), "ws://h/a:b@c");
        assert_eq!(redact("not a url"), "not a url");
        assert_eq!(redact("ws://u:p@ho st/"), "ws://u:***@ho st/");
    }

    #[test]
    fn checks() {
        let msg = |u: &str| parse(u).unwrap_err().to_string();
        assert!(
            matches!(parse("http://example.com/"), Err(WsError::UnsupportedScheme(s)) if s == "http")
        );
        assert_eq!(msg("ws://"), "invalid WebSocket URL \"ws://\": empty host");
        for bad in [
            "wss:///path",
            "ws:127.0.0.1",
            "ws:/h/",
            "ws:\\\\h/",
            "WS:host",
        ] {
            assert!(msg(bad).contains("no host"), "{bad}: {}", msg(bad));
        }
        assert!(msg("ws://h/#frag").contains("fragments"));
        assert!(msg("ws://u:pw@h/#f").contains("\"ws://u:***@h/#f\""));
        assert!(parse(" ws://h/ ").is_ok());
        assert!(parse("WS://h").is_ok());
        let u = parse("wss://example.com/a?b=c").unwrap();
        assert_eq!(u.port_or_known_default(), Some(443));
    }

    #[test]
    fn credentials() {
        let auth = |u: &str| basic_authorization(&parse(u).unwrap());
        assert_eq!(auth("ws://h/"), None);
        // RFC 7617's example: Aladdin / open sesame.
        assert_eq!(
            auth("ws://Aladdin:open%20sesame@h/").as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
        assert_eq!(auth("ws://bob@h/").as_deref(), Some("Basic Ym9iOg=="));
        assert_eq!(percent_decode("a%2x%41%"), b"a%2xA%");
    }
}
