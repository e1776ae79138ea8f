//! Redirects of the opening handshake, followed as Python `websockets` does: a 301, 302,
//! 303, 307 or 308 answer with a `Location` (resolved against the URL asked for) leads
//! to a new opening handshake there, up to [`MaxRedirects`] times (10 by default), never
//! from `wss://` to `ws://`. The [`Connector`](crate::Connector) does the following;
//! this module decides where to.
//!
//! Credentials do not follow a redirect to another origin (scheme, host or port): the
//! user name and password of the first URL stay with it (`Url::join` keeps them only
//! for a relative `Location`), and `Authorization` and `Cookie` headers are dropped, as
//! curl does.

use url::Url;

use crate::error::WsError;
use crate::wsurl;

/// How many redirects a connect follows: 10 by default; 0 follows none (a redirect is
/// then a [`WsError::HandshakeRejected`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxRedirects(pub usize);

impl Default for MaxRedirects {
    fn default() -> MaxRedirects {
        MaxRedirects(10)
    }
}

/// Whether an answer with `status` is a redirect to follow.
pub(crate) fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The URL a redirect from `from` to `location` leads to: a `ws://` or `wss://` URL,
/// and not `ws://` from `wss://`.
pub(crate) fn next_url(from: &Url, location: &str) -> Result<Url, WsError> {
    let refused = |location: &str, reason: String| WsError::RedirectRefused {
        location: wsurl::redact(location),
        reason,
    };
    let joined = from
        .join(location)
        .map_err(|e| refused(location, e.to_string()))?;
    let next =
        wsurl::parse(joined.as_str()).map_err(|e| refused(joined.as_str(), e.to_string()))?;
    if from.scheme() == "wss" && next.scheme() == "ws" {
        return Err(refused(
            next.as_str(),
            "it would leave TLS (wss:// to ws://)".into(),
        ));
    }
    Ok(next)
}

/// Whether `a` and `b` have the same origin: scheme, host and port.
pub(crate) fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// Drops the headers that carry credentials, before a redirect to another origin.
pub(crate) fn drop_credentials(headers: &mut Vec<(String, String)>) {
    headers.retain(|(name, _)| {
        !["Authorization", "Cookie"]
            .iter()
            .any(|c| c.eq_ignore_ascii_case(name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        wsurl::parse(s).unwrap()
    }

    #[test]
    fn locations() {
        let from = url("wss://u:p@a.test:8443/x/y?q=1");
        let next = |l: &str| next_url(&from, l).map(|u| u.to_string());
        assert_eq!(next("/z").unwrap(), "wss://u:p@a.test:8443/z");
        assert_eq!(next("z?w").unwrap(), "wss://u:p@a.test:8443/x/z?w");
        assert_eq!(next("wss://b.test/").unwrap(), "wss://b.test/");
        let e = next("ws://b.test/").unwrap_err();
        assert!(matches!(e, WsError::RedirectRefused { .. }));
        assert!(e.to_string().contains("wss:// to ws://"), "{e}");
        let e = next("https://b.test/").unwrap_err().to_string();
        assert!(
            e.contains("https://b.test/") && e.contains("unsupported"),
            "{e}"
        );
        assert!(
            next_url(&url("ws://a/"), "wss://b/").is_ok(),
            "upgrades are fine"
        );
        for s in [301, 302, 303, 307, 308] {
            assert!(is_redirect(s));
        }
        for s in [200, 300, 304, 305, 400] {
            assert!(!is_redirect(s));
        }
    }

    #[test]
    fn origins_and_credentials() {
        assert!(same_origin(&url("ws://a/x"), &url("ws://a:80/y")));
        assert!(!same_origin(&url("ws://a/"), &url("wss://a/")));
        assert!(!same_origin(&url("ws://a/"), &url("ws://a:81/")));
        assert!(!same_origin(&url("ws://a/"), &url("ws://b/")));
        let mut h = vec![
            ("authorization".to_string(), "x".to_string()),
            ("X-Token".to_string(), "y".to_string()),
            ("COOKIE".to_string(), "z".to_string()),
        ];
        drop_credentials(&mut h);
        assert_eq!(h, [("X-Token".to_string(), "y".to_string())]);
    }
}
