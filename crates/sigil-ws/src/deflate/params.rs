//! Negotiating permessage-deflate (RFC 7692 §5, §7.1): the `Sec-WebSocket-Extensions`
//! grammar (RFC 6455 §9.1), the client's offer and its check of the server's answer,
//! and the server's choice among a client's offers.

use std::fmt;

/// The extension's registered name.
pub const EXTENSION_NAME: &str = "permessage-deflate";

/// Smallest and largest LZ77 window, as the base-2 logarithm of its size in bytes.
pub const WINDOW_BITS: std::ops::RangeInclusive<u8> = 8..=15;

/// What one side wants from permessage-deflate: a client's offer, or a server's
/// settings when it answers one ([`negotiate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeflateConfig {
    /// The server must start every message with an empty compression context (offered
    /// by a client; always granted by a server that sets it). Default `false`.
    pub server_no_context_takeover: bool,
    /// The client must start every message with an empty compression context. A client
    /// that sets it compresses that way whatever the server says; a server that sets it
    /// requires it. Default `false`.
    pub client_no_context_takeover: bool,
    /// Largest window (8–15 bits) the server may compress with: asked for by a client,
    /// imposed on itself by a server. Default `None`: no limit (15).
    pub server_max_window_bits: Option<u8>,
    /// Largest window (8–15 bits) the client may compress with. A client always offers
    /// `client_max_window_bits` (with this value when set), so that the server may
    /// lower it; a server lowers it to this value when the client offered the
    /// parameter. Default `None`.
    pub client_max_window_bits: Option<u8>,
    /// zlib compression level for our own messages, 0 (none) to 9 (smallest). Not
    /// negotiated. Default [`DEFAULT_LEVEL`].
    pub level: u8,
}

/// The compression level used unless configured otherwise.
pub const DEFAULT_LEVEL: u8 = 6;

impl Default for DeflateConfig {
    fn default() -> DeflateConfig {
        DeflateConfig {
            server_no_context_takeover: false,
            client_no_context_takeover: false,
            server_max_window_bits: None,
            client_max_window_bits: None,
            level: DEFAULT_LEVEL,
        }
    }
}

/// The parameters both sides agreed on, as they appear in the server's answer.
/// Window sizes absent from the answer are 15 bits ([`DeflateParams::server_window_bits`],
/// [`DeflateParams::client_window_bits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeflateParams {
    /// The server starts every message with an empty compression context.
    pub server_no_context_takeover: bool,
    /// The client starts every message with an empty compression context.
    pub client_no_context_takeover: bool,
    /// Largest window the server compresses with, if limited.
    pub server_max_window_bits: Option<u8>,
    /// Largest window the client compresses with, if limited.
    pub client_max_window_bits: Option<u8>,
}

impl DeflateParams {
    /// The server's window in bits (15 when unlimited).
    pub fn server_window_bits(&self) -> u8 {
        self.server_max_window_bits.unwrap_or(15)
    }

    /// The client's window in bits (15 when unlimited).
    pub fn client_window_bits(&self) -> u8 {
        self.client_max_window_bits.unwrap_or(15)
    }
}

impl fmt::Display for DeflateParams {
    /// The `Sec-WebSocket-Extensions` value of a server's answer, e.g.
    /// `permessage-deflate; server_no_context_takeover; client_max_window_bits=10`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(EXTENSION_NAME)?;
        if self.server_no_context_takeover {
            f.write_str("; server_no_context_takeover")?;
        }
        if self.client_no_context_takeover {
            f.write_str("; client_no_context_takeover")?;
        }
        if let Some(bits) = self.server_max_window_bits {
            write!(f, "; server_max_window_bits={bits}")?;
        }
        if let Some(bits) = self.client_max_window_bits {
            write!(f, "; client_max_window_bits={bits}")?;
        }
        Ok(())
    }
}

/// Why an extension header or negotiation was refused: a sentence for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NegotiationError(pub String);

impl fmt::Display for NegotiationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NegotiationError {}

fn fail<T>(message: impl Into<String>) -> Result<T, NegotiationError> {
    Err(NegotiationError(message.into()))
}

/// One element of a `Sec-WebSocket-Extensions` list: a name and its parameters
/// (quoted values already unquoted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// Extension token, e.g. `permessage-deflate`.
    pub name: String,
    /// Parameters in order, with their values if they have one.
    pub params: Vec<(String, Option<String>)>,
}

fn is_tchar(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c)
}

/// A cursor over one header value.
struct Cursor<'a> {
    s: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn skip_space(&mut self) {
        while matches!(self.s.get(self.at), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    fn token(&mut self) -> Option<String> {
        let start = self.at;
        while self.peek().is_some_and(is_tchar) {
            self.at += 1;
        }
        (self.at > start).then(|| String::from_utf8_lossy(&self.s[start..self.at]).into_owned())
    }

    /// A quoted string (the opening quote is next), unescaped.
    fn quoted(&mut self) -> Option<String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.at += 1;
                    return Some(String::from_utf8_lossy(&out).into_owned());
                }
                b'\\' => {
                    out.push(*self.s.get(self.at + 1)?);
                    self.at += 2;
                }
                c => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }
}

/// Parses `Sec-WebSocket-Extensions` header values (several header lines form one
/// list) per RFC 6455 §9.1: `name *(";" param ["=" (token | quoted-string)])`, elements
/// separated by commas (empty elements are skipped). A quoted value must be a token
/// once unquoted.
pub fn parse_extensions<'a>(
    values: impl IntoIterator<Item = &'a str>,
) -> Result<Vec<Extension>, NegotiationError> {
    let mut list = Vec::new();
    for value in values {
        let mut c = Cursor {
            s: value.as_bytes(),
            at: 0,
        };
        loop {
            c.skip_space();
            match c.peek() {
                None => break,
                Some(b',') => {
                    c.at += 1;
                    continue;
                }
                Some(_) => {}
            }
            let Some(name) = c.token() else {
                return fail(format!("malformed extension list {value:?}"));
            };
            let mut params = Vec::new();
            loop {
                c.skip_space();
                match c.peek() {
                    None | Some(b',') => break,
                    Some(b';') => c.at += 1,
                    Some(_) => return fail(format!("malformed extension list {value:?}")),
                }
                c.skip_space();
                let Some(param) = c.token() else {
                    return fail(format!("malformed parameter in extension list {value:?}"));
                };
                c.skip_space();
                let mut v = None;
                if c.peek() == Some(b'=') {
                    c.at += 1;
                    c.skip_space();
                    let parsed = match c.peek() {
                        Some(b'"') => c
                            .quoted()
                            .filter(|q| q.bytes().all(is_tchar) && !q.is_empty()),
                        _ => c.token(),
                    };
                    let Some(parsed) = parsed else {
                        return fail(format!(
                            "malformed value of parameter {param} in extension list {value:?}"
                        ));
                    };
                    v = Some(parsed);
                }
                params.push((param, v));
            }
            list.push(Extension { name, params });
        }
    }
    Ok(list)
}

/// The permessage-deflate parameters of one offer or answer, checked for syntax.
#[derive(Debug, Default)]
struct Parsed {
    server_no_context_takeover: bool,
    client_no_context_takeover: bool,
    server_max_window_bits: Option<u8>,
    /// `Some(None)`: the parameter without a value (allowed in an offer only).
    client_max_window_bits: Option<Option<u8>>,
}

/// A window size: a decimal 8 to 15 without leading zeros.
fn window_bits(name: &str, value: Option<&str>) -> Result<u8, NegotiationError> {
    let Some(v) = value else {
        return fail(format!("{name} needs a value"));
    };
    match v.parse::<u8>() {
        Ok(bits) if WINDOW_BITS.contains(&bits) && !v.starts_with('0') && !v.starts_with('+') => {
            Ok(bits)
        }
        _ => fail(format!("{name} must be 8 to 15, got {v:?}")),
    }
}

impl Parsed {
    /// Checks the parameters of one permessage-deflate element: each known, at most
    /// once, with a valid value. `offer`: a client's offer (where
    /// `client_max_window_bits` may have no value).
    fn from(params: &[(String, Option<String>)], offer: bool) -> Result<Parsed, NegotiationError> {
        let mut p = Parsed::default();
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in params {
            if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                return fail(format!("parameter {name} given twice"));
            }
            seen.push(name);
            let flag = |set: &mut bool| match value {
                None => {
                    *set = true;
                    Ok(())
                }
                Some(v) => fail(format!("{name} takes no value, got {v:?}")),
            };
            match name.to_ascii_lowercase().as_str() {
                "server_no_context_takeover" => flag(&mut p.server_no_context_takeover)?,
                "client_no_context_takeover" => flag(&mut p.client_no_context_takeover)?,
                "server_max_window_bits" => {
                    p.server_max_window_bits = Some(window_bits(name, value.as_deref())?)
                }
                "client_max_window_bits" if offer && value.is_none() => {
                    p.client_max_window_bits = Some(None)
                }
                "client_max_window_bits" => {
                    p.client_max_window_bits = Some(Some(window_bits(name, value.as_deref())?))
                }
                _ => return fail(format!("unknown parameter {name}")),
            }
        }
        Ok(p)
    }
}

/// Checks window bits given in a configuration.
fn check_bits(name: &str, bits: Option<u8>) -> Result<(), NegotiationError> {
    match bits {
        Some(b) if !WINDOW_BITS.contains(&b) => fail(format!("{name} must be 8 to 15, got {b}")),
        _ => Ok(()),
    }
}

impl DeflateConfig {
    /// Checks the configuration: window bits 8 to 15, level 0 to 9.
    pub fn check(&self) -> Result<(), NegotiationError> {
        check_bits("server_max_window_bits", self.server_max_window_bits)?;
        check_bits("client_max_window_bits", self.client_max_window_bits)?;
        if self.level > 9 {
            return fail(format!(
                "compression level must be 0 to 9, got {}",
                self.level
            ));
        }
        Ok(())
    }

    /// The client's offer, a `Sec-WebSocket-Extensions` value such as
    /// `permessage-deflate; client_max_window_bits` (the default).
    pub fn offer(&self) -> String {
        let mut s = String::from(EXTENSION_NAME);
        if self.server_no_context_takeover {
            s.push_str("; server_no_context_takeover");
        }
        if self.client_no_context_takeover {
            s.push_str("; client_no_context_takeover");
        }
        if let Some(bits) = self.server_max_window_bits {
            s.push_str(&format!("; server_max_window_bits={bits}"));
        }
        match self.client_max_window_bits {
            Some(bits) => s.push_str(&format!("; client_max_window_bits={bits}")),
            None => s.push_str("; client_max_window_bits"),
        }
        s
    }

    /// Checks the server's answer to [`DeflateConfig::offer`] (the values of its
    /// `Sec-WebSocket-Extensions` headers) as a client must (RFC 7692 §5, §7.1):
    /// `Ok(None)` if the server declined, the agreed parameters if it accepted, an
    /// error for an extension we did not offer, permessage-deflate twice, an unknown,
    /// repeated or malformed parameter, or an answer that contradicts the offer.
    pub fn accept<'a>(
        &self,
        answer: impl IntoIterator<Item = &'a str>,
    ) -> Result<Option<DeflateParams>, NegotiationError> {
        let list = parse_extensions(answer)?;
        let mut agreed = None;
        for ext in &list {
            if !ext.name.eq_ignore_ascii_case(EXTENSION_NAME) {
                return fail(format!(
                    "server selected extension {:?} that we did not offer",
                    ext.name
                ));
            }
            if agreed.is_some() {
                return fail(format!("server selected {EXTENSION_NAME} twice"));
            }
            let p = Parsed::from(&ext.params, false)
                .map_err(|e| NegotiationError(format!("server's {EXTENSION_NAME}: {e}")))?;
            agreed = Some(self.agree(p)?);
        }
        Ok(agreed)
    }

    /// The client's view of an accepted answer `p`.
    fn agree(&self, p: Parsed) -> Result<DeflateParams, NegotiationError> {
        let refuse = |what: String| fail(format!("server's {EXTENSION_NAME}: {what}"));
        if self.server_no_context_takeover && !p.server_no_context_takeover {
            return refuse("server_no_context_takeover was asked for but not granted".into());
        }
        let server_max_window_bits = match (self.server_max_window_bits, p.server_max_window_bits) {
            (Some(asked), None) => {
                return refuse(format!(
                    "server_max_window_bits={asked} was asked for but not granted"
                ))
            }
            (Some(asked), Some(got)) if got > asked => {
                return refuse(format!(
                    "server_max_window_bits={got} is more than the {asked} asked for"
                ))
            }
            (_, got) => got,
        };
        let client_max_window_bits = match (self.client_max_window_bits, p.client_max_window_bits) {
            (Some(ours), Some(Some(got))) if got > ours => {
                return refuse(format!(
                    "client_max_window_bits={got} is more than the {ours} offered"
                ))
            }
            (_, Some(got)) => got,
            (ours, None) => ours,
        };
        Ok(DeflateParams {
            server_no_context_takeover: p.server_no_context_takeover,
            client_no_context_takeover: p.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits,
            client_max_window_bits,
        })
    }

    /// The server's answer to a valid offer `p` under these settings.
    fn answer(&self, p: Parsed) -> DeflateParams {
        let lower = |a: Option<u8>, b: Option<u8>| match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        DeflateParams {
            server_no_context_takeover: p.server_no_context_takeover
                || self.server_no_context_takeover,
            client_no_context_takeover: p.client_no_context_takeover
                || self.client_no_context_takeover,
            server_max_window_bits: lower(p.server_max_window_bits, self.server_max_window_bits),
            // The client's window can be limited only if it offered the parameter.
            client_max_window_bits: p
                .client_max_window_bits
                .and_then(|offered| lower(offered, self.client_max_window_bits)),
        }
    }
}

/// Server side of the negotiation (RFC 7692 §5, §7.1): given the values of the
/// client's `Sec-WebSocket-Extensions` headers and the server's `settings`, picks the
/// first permessage-deflate offer that is valid (offers with unknown, repeated or
/// malformed parameters are declined, as the RFC requires) and returns the agreed
/// parameters; their `Display` form is the `Sec-WebSocket-Extensions` value to
/// answer with. `Ok(None)`: no acceptable offer, answer without the header. A header
/// that does not parse at all is an error (a server may answer 400).
///
/// Settings are honoured as far as the offer allows: `server_no_context_takeover` and
/// `server_max_window_bits` always, `client_no_context_takeover` always (the client
/// must comply), `client_max_window_bits` only when the client offered that parameter.
pub fn negotiate<'a>(
    offers: impl IntoIterator<Item = &'a str>,
    settings: &DeflateConfig,
) -> Result<Option<DeflateParams>, NegotiationError> {
    let list = parse_extensions(offers)?;
    Ok(list
        .iter()
        .filter(|ext| ext.name.eq_ignore_ascii_case(EXTENSION_NAME))
        .find_map(|ext| Parsed::from(&ext.params, true).ok())
        .map(|p| settings.answer(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(cfg: &DeflateConfig, answer: &str) -> Result<Option<DeflateParams>, String> {
        cfg.accept([answer]).map_err(|e| e.to_string())
    }

    fn params(snct: bool, cnct: bool, s: Option<u8>, c: Option<u8>) -> DeflateParams {
        DeflateParams {
            server_no_context_takeover: snct,
            client_no_context_takeover: cnct,
            server_max_window_bits: s,
            client_max_window_bits: c,
        }
    }

    #[test]
    fn parses_the_grammar() {
        let list = parse_extensions([
            "permessage-deflate ; client_max_window_bits=\"10\";server_no_context_takeover, x-foo",
            ", bar; a=b ,",
        ])
        .unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].name, "permessage-deflate");
        assert_eq!(
            list[0].params,
            [
                ("client_max_window_bits".into(), Some("10".into())),
                ("server_no_context_takeover".into(), None)
            ]
        );
        assert_eq!(list[1].name, "x-foo");
        assert_eq!(list[2].params, [("a".into(), Some("b".into()))]);
        assert!(parse_extensions([""]).unwrap().is_empty());
        for bad in [
            "permessage-deflate;;",
            "permessage-deflate; =1",
            "permessage-deflate; a=",
            "permessage-deflate; a=\"unterminated",
            "permessage-deflate; a=\"not a token\"",
            "permessage-deflate x",
            "\"quoted-name\"",
            "permessage-deflate; a=b c",
        ] {
            assert!(parse_extensions([bad]).is_err(), "{bad}");
        }
    }

    #[test]
    fn default_offer() {
        assert_eq!(
            DeflateConfig::default().offer(),
            "permessage-deflate; client_max_window_bits"
        );
        let cfg = DeflateConfig {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: Some(10),
            client_max_window_bits: Some(9),
            level: 1,
        };
        assert_eq!(
            cfg.offer(),
            "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
             server_max_window_bits=10; client_max_window_bits=9"
        );
        // The offer is a valid offer for our own server side.
        let p = negotiate([cfg.offer().as_str()], &DeflateConfig::default())
            .unwrap()
            .unwrap();
        assert_eq!(p, params(true, true, Some(10), Some(9)));
    }

    #[test]
    fn client_accepts_valid_answers() {
        let cfg = DeflateConfig::default();
        assert_eq!(accept(&cfg, ""), Ok(None));
        assert_eq!(
            accept(&cfg, "permessage-deflate"),
            Ok(Some(params(false, false, None, None)))
        );
        assert_eq!(
            accept(
                &cfg,
                "Permessage-Deflate; server_no_context_takeover; client_no_context_takeover; \
                 server_max_window_bits=8; client_max_window_bits=\"15\""
            ),
            Ok(Some(params(true, true, Some(8), Some(15))))
        );
        for bits in 8..=15u8 {
            let got = accept(
                &cfg,
                &format!("permessage-deflate; client_max_window_bits={bits}"),
            );
            assert_eq!(got, Ok(Some(params(false, false, None, Some(bits)))));
        }
        // What the client asked for on its own side holds without the server's word.
        let cfg = DeflateConfig {
            client_no_context_takeover: true,
            client_max_window_bits: Some(11),
            ..DeflateConfig::default()
        };
        assert_eq!(
            accept(&cfg, "permessage-deflate"),
            Ok(Some(params(false, true, None, Some(11))))
        );
        assert_eq!(
            accept(&cfg, "permessage-deflate; client_max_window_bits=9"),
            Ok(Some(params(false, true, None, Some(9))))
        );
    }

    #[test]
    fn client_refuses_bad_answers() {
        let cfg = DeflateConfig::default();
        for (answer, fragment) in [
            ("x-webkit-deflate-frame", "did not offer"),
            ("permessage-deflate, permessage-deflate", "twice"),
            ("permessage-deflate, x-foo", "did not offer"),
            (
                "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                "given twice",
            ),
            (
                "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10",
                "given twice",
            ),
            ("permessage-deflate; server_max_window_bits=7", "8 to 15"),
            ("permessage-deflate; server_max_window_bits=16", "8 to 15"),
            ("permessage-deflate; server_max_window_bits=08", "8 to 15"),
            ("permessage-deflate; server_max_window_bits=+9", "8 to 15"),
            ("permessage-deflate; server_max_window_bits=x", "8 to 15"),
            (
                "permessage-deflate; server_max_window_bits",
                "needs a value",
            ),
            (
                "permessage-deflate; client_max_window_bits",
                "needs a value",
            ),
            ("permessage-deflate; client_max_window_bits=99", "8 to 15"),
            (
                "permessage-deflate; server_no_context_takeover=1",
                "no value",
            ),
            (
                "permessage-deflate; client_no_context_takeover=\"x\"",
                "no value",
            ),
            ("permessage-deflate; mystery=1", "unknown parameter"),
            ("permessage-deflate;", "malformed"),
        ] {
            let e = accept(&cfg, answer).unwrap_err();
            assert!(e.contains(fragment), "{answer}: {e}");
        }
    }

    #[test]
    fn client_refuses_answers_that_contradict_the_offer() {
        let cfg = DeflateConfig {
            server_no_context_takeover: true,
            server_max_window_bits: Some(10),
            client_max_window_bits: Some(10),
            ..DeflateConfig::default()
        };
        let ok = "permessage-deflate; server_no_context_takeover; server_max_window_bits=10";
        assert_eq!(
            accept(&cfg, ok),
            Ok(Some(params(true, false, Some(10), Some(10))))
        );
        for (answer, fragment) in [
            (
                "permessage-deflate; server_max_window_bits=9",
                "not granted",
            ),
            (
                "permessage-deflate; server_no_context_takeover",
                "server_max_window_bits=10 was asked for",
            ),
            (
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=11",
                "more than the 10 asked for",
            ),
            (
                "permessage-deflate; server_no_context_takeover; server_max_window_bits=10; \
                 client_max_window_bits=12",
                "more than the 10 offered",
            ),
        ] {
            let e = accept(&cfg, answer).unwrap_err();
            assert!(e.contains(fragment), "{answer}: {e}");
        }
    }

    #[test]
    fn server_answers_the_first_valid_offer() {
        let none = DeflateConfig::default();
        let answer = |offers: &[&str], settings: &DeflateConfig| {
            negotiate(offers.iter().copied(), settings)
                .unwrap()
                .map(|p| p.to_string())
        };
        assert_eq!(answer(&[], &none), None);
        assert_eq!(answer(&["x-foo"], &none), None);
        assert_eq!(
            answer(&["permessage-deflate"], &none).as_deref(),
            Some("permessage-deflate")
        );
        assert_eq!(
            answer(&["permessage-deflate; client_max_window_bits"], &none).as_deref(),
            Some("permessage-deflate")
        );
        // Invalid offers are declined, the next one is taken.
        assert_eq!(
            answer(
                &[
                    "permessage-deflate; mystery",
                    "permessage-deflate; server_max_window_bits=20",
                    "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
                    "permessage-deflate; server_max_window_bits=12, permessage-deflate"
                ],
                &none
            )
            .as_deref(),
            Some("permessage-deflate; server_max_window_bits=12")
        );
        assert_eq!(
            answer(&["permessage-deflate; client_max_window_bits=7"], &none),
            None
        );
        assert!(negotiate(["permessage-deflate;;"], &none).is_err());

        let strict = DeflateConfig {
            server_no_context_takeover: true,
            client_no_context_takeover: true,
            server_max_window_bits: Some(10),
            client_max_window_bits: Some(9),
            level: 6,
        };
        assert_eq!(
            answer(&["permessage-deflate; client_max_window_bits"], &strict).as_deref(),
            Some(
                "permessage-deflate; server_no_context_takeover; client_no_context_takeover; \
                 server_max_window_bits=10; client_max_window_bits=9"
            )
        );
        // Without client_max_window_bits in the offer the client's window stays 15.
        let p = negotiate(["permessage-deflate; server_max_window_bits=8"], &strict)
            .unwrap()
            .unwrap();
        assert_eq!(p, params(true, true, Some(8), None));
        assert_eq!((p.server_window_bits(), p.client_window_bits()), (8, 15));
        // The client's own limits are kept when lower than the settings.
        let p = negotiate(
            ["permessage-deflate; client_max_window_bits=8; server_max_window_bits=9"],
            &strict,
        )
        .unwrap()
        .unwrap();
        assert_eq!(p, params(true, true, Some(9), Some(8)));
        // A client accepts what our server answers.
        for offer in [DeflateConfig::default(), strict] {
            let p = negotiate([offer.offer().as_str()], &strict)
                .unwrap()
                .unwrap();
            assert_eq!(offer.accept([p.to_string().as_str()]), Ok(Some(p)));
        }
    }

    #[test]
    fn config_check() {
        assert!(DeflateConfig::default().check().is_ok());
        for bad in [
            DeflateConfig {
                server_max_window_bits: Some(7),
                ..DeflateConfig::default()
            },
            DeflateConfig {
                client_max_window_bits: Some(16),
                ..DeflateConfig::default()
            },
            DeflateConfig {
                level: 10,
                ..DeflateConfig::default()
            },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
    }
}
