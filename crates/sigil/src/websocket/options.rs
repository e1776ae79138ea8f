//! The options alist of `ws-connect`, turned into `sigil_ws::ConnectOptions`.

use std::ops::RangeInclusive;
use std::time::Duration;

use sigil_lang::builtins;
use sigil_lang::vm::Vm;
use sigil_lang::{Error, NResult, Value};
use sigil_ws::deflate::params::WINDOW_BITS;
use sigil_ws::proxy::Proxy;
use sigil_ws::redirect::MaxRedirects;
use sigil_ws::{ConnectOptions, DeflateConfig, Limits, ProxySetting, ResolveOverride};

use super::ws_error;

/// Everything `ws-connect`'s options alist can set.
#[derive(Default)]
pub(crate) struct Options {
    /// What `sigil_ws::connect` is told (timeouts included, in its limits).
    pub connect: ConnectOptions,
}

/// A timeout in seconds: a positive real. Fractions are fine; one too large for a
/// deadline (`+inf.0` included) means no limit.
pub(crate) fn seconds(vm: &Vm, who: &str, v: Value) -> NResult<Duration> {
    let s = builtins::real(vm, who, v)?;
    if s.is_nan() || s <= 0.0 {
        return Err(ws_error(
            who,
            "must be a positive number of seconds, got",
            vec![v],
        ));
    }
    Ok(Duration::try_from_secs_f64(s)
        .unwrap_or(Duration::MAX)
        .max(Duration::from_nanos(1)))
}

/// A timeout that `#f` turns off.
pub(crate) fn optional_seconds(vm: &Vm, who: &str, v: Value) -> NResult<Option<Duration>> {
    match v {
        Value::Bool(false) => Ok(None),
        _ => seconds(vm, who, v).map(Some),
    }
}

/// The `proxy` option: a proxy URL (checked now), or `#f` for none.
fn proxy(vm: &Vm, who: &str, v: Value) -> NResult<ProxySetting> {
    if let Value::Bool(false) = v {
        return Ok(ProxySetting::Direct);
    }
    let spec = builtins::string(vm, who, v)?;
    Proxy::parse(&spec).map_err(|e| ws_error(who, e, vec![]))?;
    Ok(ProxySetting::Url(spec))
}

/// A list of strings.
pub(crate) fn strings(vm: &Vm, who: &str, v: Value) -> NResult<Vec<String>> {
    builtins::list(vm, who, v)?
        .into_iter()
        .map(|s| builtins::string(vm, who, s))
        .collect()
}

/// The entries of the options alist `v` of the procedure `who`: each key (a symbol),
/// its name and its value.
pub(crate) fn entries(vm: &Vm, who: &str, v: Value) -> NResult<Vec<(Value, String, Value)>> {
    let mut out = Vec::new();
    for entry in builtins::list(vm, who, v)? {
        let (key, val) = vm
            .heap
            .pair(entry)
            .ok_or_else(|| Error::wrong_type(who, "an option (key . value)", entry))?;
        let name = builtins::symbol(who, key)?.name().to_string();
        out.push((key, name, val));
    }
    Ok(out)
}

/// Sets the limit that the option `name` (shared by `ws-connect` and `ws-listen`)
/// stands for; `false` if `name` is not one of them.
pub(crate) fn limit_option(
    vm: &Vm,
    who: &str,
    name: &str,
    val: Value,
    limits: &mut Limits,
) -> NResult<bool> {
    match name {
        "close-timeout" => limits.close_timeout = seconds(vm, who, val)?,
        "read-timeout" => limits.read_timeout = optional_seconds(vm, who, val)?,
        "write-timeout" => limits.write_timeout = optional_seconds(vm, who, val)?,
        "max-message-size" => limits.max_message_size = builtins::index(who, val)?,
        "max-frame-size" => limits.max_frame_size = builtins::index(who, val)?,
        "ping-interval" => limits.ping_interval = optional_seconds(vm, who, val)?,
        "ping-timeout" => limits.ping_timeout = optional_seconds(vm, who, val)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// A boolean.
fn boolean(who: &str, v: Value) -> NResult<bool> {
    match v {
        Value::Bool(b) => Ok(b),
        _ => Err(Error::wrong_type(who, "a boolean", v)),
    }
}

/// An exact integer in `range`, the value of parameter `key`.
fn in_range(who: &str, key: &str, range: RangeInclusive<u8>, v: Value) -> NResult<u8> {
    match u8::try_from(builtins::index(who, v)?) {
        Ok(n) if range.contains(&n) => Ok(n),
        _ => Err(ws_error(
            who,
            format!("{key} must be {} to {}, got", range.start(), range.end()),
            vec![v],
        )),
    }
}

/// The `compression` option: `#f` (off), `#t` (the default offer) or an alist of the
/// offer's parameters (see docs/websocket.md); for `ws-listen`, the server's settings.
pub(crate) fn compression(vm: &Vm, who: &str, v: Value) -> NResult<Option<DeflateConfig>> {
    let entries = match v {
        Value::Bool(false) => return Ok(None),
        Value::Bool(true) => return Ok(Some(DeflateConfig::default())),
        _ => builtins::list(vm, who, v)?,
    };
    let mut c = DeflateConfig::default();
    for entry in entries {
        let (key, val) = vm
            .heap
            .pair(entry)
            .ok_or_else(|| Error::wrong_type(who, "a parameter (key . value)", entry))?;
        let key = builtins::symbol(who, key)?;
        match &*key.name() {
            "server-no-context-takeover" => c.server_no_context_takeover = boolean(who, val)?,
            "client-no-context-takeover" => c.client_no_context_takeover = boolean(who, val)?,
            name @ ("server-max-window-bits" | "client-max-window-bits") => {
                let bits = Some(in_range(who, name, WINDOW_BITS, val)?);
                match name {
                    "server-max-window-bits" => c.server_max_window_bits = bits,
                    _ => c.client_max_window_bits = bits,
                }
            }
            "level" => c.level = in_range(who, "level", 0..=9, val)?,
            _ => {
                return Err(ws_error(
                    who,
                    "unknown parameter (expected server-no-context-takeover, \
                     client-no-context-takeover, server-max-window-bits, \
                     client-max-window-bits or level)",
                    vec![Value::Sym(key)],
                ))
            }
        }
    }
    c.check().map_err(|e| ws_error(who, e, vec![]))?;
    Ok(Some(c))
}

/// Parses the options alist of `ws-connect` (see docs/websocket.md for the keys).
/// Errors in an option's value name it: `ws-connect: option timeout: expected ...`.
pub(crate) fn parse_options(vm: &Vm, v: Value) -> NResult<Options> {
    const WHO: &str = "ws-connect";
    let mut o = Options::default();
    for (key, name, val) in entries(vm, WHO, v)? {
        let who = &format!("{WHO}: option {name}");
        let limits = &mut o.connect.limits;
        if limit_option(vm, who, &name, val, limits)? {
            continue;
        }
        match &*name {
            "headers" => {
                for h in builtins::list(vm, who, val)? {
                    let (n, hv) = vm
                        .heap
                        .pair(h)
                        .ok_or_else(|| Error::wrong_type(who, "a header (name . value)", h))?;
                    let pair = (
                        builtins::string(vm, who, n)?,
                        builtins::string(vm, who, hv)?,
                    );
                    o.connect.request.headers.push(pair);
                }
            }
            "protocols" => o.connect.request.protocols = strings(vm, who, val)?,
            "origin" => o.connect.request.origin = Some(builtins::string(vm, who, val)?),
            "compression" => o.connect.request.deflate = compression(vm, who, val)?,
            "timeout" | "connect-timeout" => limits.connect_timeout = seconds(vm, who, val)?,
            "proxy" => o.connect.proxy = proxy(vm, who, val)?,
            "max-redirects" => o.connect.max_redirects = MaxRedirects(builtins::index(who, val)?),
            "ca-file" => {
                let path = builtins::string(vm, who, val)?;
                let pem = std::fs::read(&path).map_err(|e| {
                    Error::with(
                        "file-error",
                        format!("{who}: cannot read {path}: {e}"),
                        vec![],
                    )
                })?;
                o.connect.root_certs_pem.push(pem);
            }
            "ca-pem" => o
                .connect
                .root_certs_pem
                .push(builtins::string(vm, who, val)?.into_bytes()),
            "resolve" => {
                let spec = builtins::string(vm, who, val)?;
                let list =
                    ResolveOverride::parse_list(&spec).map_err(|e| ws_error(who, e, vec![]))?;
                o.connect.resolve.extend(list);
            }
            _ => {
                return Err(ws_error(
                    WHO,
                    "unknown option (expected headers, protocols, origin, compression, timeout, \
                     read-timeout, write-timeout, close-timeout, max-message-size, \
                     max-frame-size, ca-file, ca-pem, resolve, ping-interval, ping-timeout, \
                     proxy or max-redirects)",
                    vec![key],
                ))
            }
        }
    }
    Ok(o)
}
