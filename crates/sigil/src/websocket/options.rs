//! The options alists of `ws-connect` (turned into `sigil_ws::ConnectOptions`) and
//! `ws-listen` (the limits and compression they share). Errors name the option
//! (`option timeout: expected a number, got "5"`); the native's wrapper puts its own
//! name in front.

use std::fmt::Display;
use std::ops::RangeInclusive;
use std::time::Duration;

use sigil_lang::natives::List;
use sigil_lang::read::symbol::Symbol;
use sigil_lang::{Error, FromValue, Heap, NResult, Value};
use sigil_ws::deflate::params::WINDOW_BITS;
use sigil_ws::proxy::Proxy;
use sigil_ws::redirect::MaxRedirects;
use sigil_ws::{ConnectOptions, DeflateConfig, Limits, ProxySetting, ResolveOverride};

use super::{ws_error, ERROR_KIND};

/// One entry of an options alist: the option's name (a symbol) and its value, with the
/// heap they are read from.
pub(crate) struct Opt<'h> {
    heap: &'h Heap,
    /// The option.
    pub key: Symbol,
    /// Its value.
    pub value: Value,
}

/// The entries of the options alist `items`: each a pair whose car is a symbol.
pub(crate) fn entries<'h>(heap: &'h Heap, items: &[Value]) -> NResult<Vec<Opt<'h>>> {
    items
        .iter()
        .map(|&entry| {
            let (key, value) = heap
                .pair(entry)
                .ok_or_else(|| Error::expected("an option (key . value)", entry))?;
            match key {
                Value::Sym(key) => Ok(Opt { heap, key, value }),
                _ => Err(Error::expected("a symbol", key)),
            }
        })
        .collect()
}

impl<'h> Opt<'h> {
    /// The option's name.
    pub fn name(&self) -> std::rc::Rc<str> {
        self.key.name()
    }

    /// An error of kind `kind` about this option: `option NAME: message`.
    pub fn error_of(&self, kind: &str, message: impl Display) -> Error {
        Error::new(kind, format!("option {}: {message}", self.name()))
    }

    /// A `websocket-error` about this option.
    pub fn error(&self, message: impl Display) -> Error {
        self.error_of(ERROR_KIND, message)
    }

    /// `v` (the value, or a part of it) as a `T`, or the type error naming the option.
    pub fn convert<T: FromValue<'h>>(&self, v: Value) -> NResult<T> {
        T::from_value(self.heap, v).ok_or_else(|| self.wrong(&T::expected(), v))
    }

    /// The value as a `T`.
    pub fn get<T: FromValue<'h>>(&self) -> NResult<T> {
        self.convert(self.value)
    }

    /// `option NAME: expected WHAT, got V` (kind `type-error`).
    fn wrong(&self, what: &str, v: Value) -> Error {
        self.error_of("type-error", format!("expected {what}, got"))
            .with_irritants(vec![v])
    }

    /// The car and cdr of `v`, a pair that should be `what` (`a header (name . value)`).
    fn pair(&self, v: Value, what: &str) -> NResult<(Value, Value)> {
        self.heap.pair(v).ok_or_else(|| self.wrong(what, v))
    }

    /// The value as a proper list.
    fn list(&self) -> NResult<Vec<Value>> {
        self.get::<List<Value>>().map(|l| l.0)
    }

    /// The value as a list of strings.
    pub fn strings(&self) -> NResult<Vec<String>> {
        self.list()?.into_iter().map(|s| self.convert(s)).collect()
    }

    /// A timeout in seconds: a positive real. Fractions are fine; one too large for a
    /// deadline (`+inf.0` included) means no limit.
    pub fn seconds(&self) -> NResult<Duration> {
        let s: f64 = self.get()?;
        if s.is_nan() || s <= 0.0 {
            return Err(self
                .error("must be a positive number of seconds, got")
                .with_irritants(vec![self.value]));
        }
        Ok(Duration::try_from_secs_f64(s)
            .unwrap_or(Duration::MAX)
            .max(Duration::from_nanos(1)))
    }

    /// A timeout that `#f` turns off.
    fn optional_seconds(&self) -> NResult<Option<Duration>> {
        match self.value {
            Value::Bool(false) => Ok(None),
            _ => self.seconds().map(Some),
        }
    }

    /// Sets the limit this option (one of those `ws-connect` and `ws-listen` share)
    /// stands for; `false` if it is not one of them.
    pub fn set_limit(&self, limits: &mut Limits) -> NResult<bool> {
        match &*self.name() {
            "close-timeout" => limits.close_timeout = self.seconds()?,
            "read-timeout" => limits.read_timeout = self.optional_seconds()?,
            "write-timeout" => limits.write_timeout = self.optional_seconds()?,
            "max-message-size" => limits.max_message_size = self.get()?,
            "max-frame-size" => limits.max_frame_size = self.get()?,
            "ping-interval" => limits.ping_interval = self.optional_seconds()?,
            "ping-timeout" => limits.ping_timeout = self.optional_seconds()?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The `compression` option: `#f` (off), `#t` (the default offer) or an alist of the
    /// offer's parameters (see docs/websocket.md); for `ws-listen`, the server's
    /// settings.
    pub fn compression(&self) -> NResult<Option<DeflateConfig>> {
        let params = match self.value {
            Value::Bool(false) => return Ok(None),
            Value::Bool(true) => return Ok(Some(DeflateConfig::default())),
            _ => self.list()?,
        };
        let mut c = DeflateConfig::default();
        for param in params {
            let (key, val) = self.pair(param, "a parameter (key . value)")?;
            let key: Symbol = self.convert(key)?;
            match &*key.name() {
                "server-no-context-takeover" => c.server_no_context_takeover = self.convert(val)?,
                "client-no-context-takeover" => c.client_no_context_takeover = self.convert(val)?,
                name @ ("server-max-window-bits" | "client-max-window-bits") => {
                    let bits = Some(self.in_range(name, WINDOW_BITS, val)?);
                    match name {
                        "server-max-window-bits" => c.server_max_window_bits = bits,
                        _ => c.client_max_window_bits = bits,
                    }
                }
                "level" => c.level = self.in_range("level", 0..=9, val)?,
                _ => {
                    return Err(self
                        .error(
                            "unknown parameter (expected server-no-context-takeover, \
                             client-no-context-takeover, server-max-window-bits, \
                             client-max-window-bits or level)",
                        )
                        .with_irritants(vec![Value::Sym(key)]))
                }
            }
        }
        c.check().map_err(|e| self.error(e))?;
        Ok(Some(c))
    }

    /// An exact integer in `range`, the value `v` of parameter `param`.
    fn in_range(&self, param: &str, range: RangeInclusive<u8>, v: Value) -> NResult<u8> {
        match u8::try_from(self.convert::<usize>(v)?) {
            Ok(n) if range.contains(&n) => Ok(n),
            _ => Err(self
                .error(format!(
                    "{param} must be {} to {}, got",
                    range.start(),
                    range.end()
                ))
                .with_irritants(vec![v])),
        }
    }

    /// The `proxy` option: a proxy URL (checked now), or `#f` for none.
    fn proxy(&self) -> NResult<ProxySetting> {
        if let Value::Bool(false) = self.value {
            return Ok(ProxySetting::Direct);
        }
        let spec: String = self.get()?;
        Proxy::parse(&spec).map_err(|e| self.error(e))?;
        Ok(ProxySetting::Url(spec))
    }

    /// The `headers` option: an alist of strings.
    fn headers(&self) -> NResult<Vec<(String, String)>> {
        self.list()?
            .into_iter()
            .map(|h| {
                let (name, value) = self.pair(h, "a header (name . value)")?;
                Ok((self.convert(name)?, self.convert(value)?))
            })
            .collect()
    }
}

/// The error for an option of `ws-connect` or `ws-listen` that it does not have;
/// `expected` lists those it has.
pub(crate) fn unknown(o: &Opt, expected: &str) -> Error {
    ws_error(
        format!("unknown option (expected {expected})"),
        vec![Value::Sym(o.key)],
    )
}

/// Parses the options alist of `ws-connect` (see docs/websocket.md for the keys).
pub(crate) fn parse_options(heap: &Heap, items: &[Value]) -> NResult<ConnectOptions> {
    let mut c = ConnectOptions::default();
    for o in entries(heap, items)? {
        if o.set_limit(&mut c.limits)? {
            continue;
        }
        match &*o.name() {
            "headers" => c.request.headers.extend(o.headers()?),
            "protocols" => c.request.protocols = o.strings()?,
            "origin" => c.request.origin = Some(o.get()?),
            "compression" => c.request.deflate = o.compression()?,
            "timeout" | "connect-timeout" => c.limits.connect_timeout = o.seconds()?,
            "proxy" => c.proxy = o.proxy()?,
            "max-redirects" => c.max_redirects = MaxRedirects(o.get()?),
            "ca-file" => {
                let path: String = o.get()?;
                let pem = std::fs::read(&path)
                    .map_err(|e| o.error_of("file-error", format!("cannot read {path}: {e}")))?;
                c.root_certs_pem.push(pem);
            }
            "ca-pem" => c.root_certs_pem.push(o.get::<String>()?.into_bytes()),
            "resolve" => {
                let spec: String = o.get()?;
                let list = ResolveOverride::parse_list(&spec).map_err(|e| o.error(e))?;
                c.resolve.extend(list);
            }
            _ => {
                return Err(unknown(
                    &o,
                    "headers, protocols, origin, compression, timeout, read-timeout, \
                     write-timeout, close-timeout, max-message-size, max-frame-size, ca-file, \
                     ca-pem, resolve, ping-interval, ping-timeout, proxy or max-redirects",
                ))
            }
        }
    }
    Ok(c)
}
