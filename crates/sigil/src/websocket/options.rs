//! The options alist of `ws-connect`, turned into `sigil_ws::ConnectOptions`.

use std::time::Duration;

use sigil_lang::builtins;
use sigil_lang::vm::Vm;
use sigil_lang::{Error, NResult, Value};
use sigil_ws::{ConnectOptions, ResolveOverride};

use super::ws_error;

/// Everything `ws-connect`'s options alist can set.
#[derive(Default)]
pub(crate) struct Options {
    /// What `sigil_ws::connect` is told.
    pub connect: ConnectOptions,
    /// Timeout of each `ws-receive`, if any.
    pub read_timeout: Option<Duration>,
}

/// A positive number of seconds.
fn seconds(vm: &Vm, who: &str, key: &str, v: Value) -> NResult<Duration> {
    let s = builtins::real(vm, who, v)?;
    Duration::try_from_secs_f64(s)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            ws_error(
                who,
                format!("option {key} must be a positive number of seconds, got"),
                vec![v],
            )
        })
}

fn strings(vm: &Vm, who: &str, v: Value) -> NResult<Vec<String>> {
    builtins::list(vm, who, v)?
        .into_iter()
        .map(|s| builtins::string(vm, who, s))
        .collect()
}

/// Parses the options alist of `ws-connect` (see docs/websocket.md for the keys).
pub(crate) fn parse_options(vm: &Vm, v: Value) -> NResult<Options> {
    const WHO: &str = "ws-connect";
    let mut o = Options::default();
    for entry in builtins::list(vm, WHO, v)? {
        let (key, val) = vm
            .heap
            .pair(entry)
            .ok_or_else(|| Error::wrong_type(WHO, "an option (key . value)", entry))?;
        let key = builtins::symbol(WHO, key)?;
        let limits = &mut o.connect.limits;
        match &*key.name() {
            "headers" => {
                for h in builtins::list(vm, WHO, val)? {
                    let (n, hv) = vm
                        .heap
                        .pair(h)
                        .ok_or_else(|| Error::wrong_type(WHO, "a header (name . value)", h))?;
                    let pair = (
                        builtins::string(vm, WHO, n)?,
                        builtins::string(vm, WHO, hv)?,
                    );
                    o.connect.request.headers.push(pair);
                }
            }
            "protocols" => o.connect.request.protocols = strings(vm, WHO, val)?,
            "origin" => o.connect.request.origin = Some(builtins::string(vm, WHO, val)?),
            "timeout" | "connect-timeout" => {
                limits.connect_timeout = seconds(vm, WHO, "timeout", val)?
            }
            "close-timeout" => limits.close_timeout = seconds(vm, WHO, "close-timeout", val)?,
            "read-timeout" => {
                o.read_timeout = match val {
                    Value::Bool(false) => None,
                    _ => Some(seconds(vm, WHO, "read-timeout", val)?),
                }
            }
            "max-message-size" => limits.max_message_size = builtins::index(WHO, val)?,
            "max-frame-size" => limits.max_frame_size = builtins::index(WHO, val)?,
            "ca-file" => {
                let path = builtins::string(vm, WHO, val)?;
                let pem = std::fs::read(&path).map_err(|e| {
                    Error::with(
                        "file-error",
                        format!("{WHO}: cannot read ca-file {path}: {e}"),
                        vec![],
                    )
                })?;
                o.connect.root_certs_pem.push(pem);
            }
            "ca-pem" => o
                .connect
                .root_certs_pem
                .push(builtins::string(vm, WHO, val)?.into_bytes()),
            "resolve" => {
                let spec = builtins::string(vm, WHO, val)?;
                let list =
                    ResolveOverride::parse_list(&spec).map_err(|e| ws_error(WHO, e, vec![]))?;
                o.connect.resolve.extend(list);
            }
            _ => {
                return Err(ws_error(
                    WHO,
                    "unknown option (expected headers, protocols, origin, timeout, read-timeout, \
                     close-timeout, max-message-size, max-frame-size, ca-file, ca-pem or resolve)",
                    vec![Value::Sym(key)],
                ))
            }
        }
    }
    Ok(o)
}
