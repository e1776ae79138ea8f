//! `(sigil %websocket)`, server half: listeners and accepting connections.
//!
//! A listener is a `sigil_ws::server::Listener` wrapped as a Scheme object. Accepting
//! is two natives, like connecting: `%ws-accept-start` waits for a TCP connection and
//! returns a `ws-accepting` object, `%ws-accept-finish` runs its opening handshake (TLS
//! and upgrade request) and returns a `ws-connection` in the server role, on which
//! every connection native works as for a client. Inside a `(sigil async)` task both
//! park only their task (on the listening socket, then on the connection's socket,
//! until the handshake deadline); outside one they block. `ws-serve`
//! (`stdlib/sigil/websocket.sgl`) accepts in a loop and runs each handshake and
//! handler in a task of its own, so a slow client delays nobody.
//!
//! Error policy, as for clients: bad arguments and options raise `websocket-error`; a
//! client whose handshake fails makes `ws-accept` return `#f` with `ws-last-error` set
//! (the listener goes on).

use std::any::Any;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use sigil_lang::builtins::{self, Registry};
use sigil_lang::value::{Ctl, NativeObject, Object, Resume, Wait};
use sigil_lang::vm::Vm;
use sigil_lang::{Error, NResult, Value};
use sigil_ws::server::{tls, Acceptor, Listener, ServerOptions};
use sigil_ws::{Interest, Interrupt, Step, WsError};

use super::connection::{connect_failed, connected, interrupted, wait_for};
use super::options::{compression, entries, limit_option, seconds, strings};
use super::{opaque_mut, ws_error};

/// How long an accept waits before it tries again after the listener ran out of
/// descriptors or memory (the connections waiting stay queued meanwhile), and how
/// often a blocking accept looks at the interrupt flag.
const RETRY: Duration = Duration::from_millis(100);

/// A listening socket (prints as `#<ws-listener ws://127.0.0.1:8080>`).
pub struct WsListener {
    listener: Listener,
    label: String,
    closed: bool,
}

labelled_native_object!(WsListener);

/// A TCP connection accepted, its opening handshake to run (prints as
/// `#<ws-accepting 127.0.0.1:50312>`).
struct WsAccepting {
    acceptor: Option<Acceptor>,
    label: String,
}

labelled_native_object!(WsAccepting);

fn listener<'a>(vm: &'a mut Vm, who: &str, v: Value) -> NResult<&'a mut WsListener> {
    opaque_mut(vm, who, "a ws-listener", v)
}

/// Where `ws-listen` listens: a port on 127.0.0.1, or the host and port of a `ws://` or
/// `wss://` URL (a name is looked up once, now). The `bool` is whether the URL asks for
/// TLS.
fn listen_address(vm: &Vm, who: &str, v: Value) -> NResult<(SocketAddr, Option<bool>)> {
    if let Value::Int(_) = v {
        let port = builtins::index(who, v)?;
        let port =
            u16::try_from(port).map_err(|_| ws_error(who, "port must be 0-65535, got", vec![v]))?;
        return Ok((SocketAddr::from(([127, 0, 0, 1], port)), None));
    }
    let text = builtins::string(vm, who, v)
        .map_err(|_| Error::wrong_type(who, "a port number or a ws:// or wss:// URL", v))?;
    let bad = |reason: &str| ws_error(who, format!("{reason}: {text:?}"), vec![]);
    let url = url::Url::parse(&text).map_err(|e| bad(&format!("invalid URL ({e})")))?;
    let secure = match url.scheme() {
        "ws" => false,
        "wss" => true,
        _ => return Err(bad("only ws:// and wss:// URLs can be listened on")),
    };
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(bad(
            "a listener serves every path (see ws-connection-path); give only the host and port",
        ));
    }
    let host = url
        .host_str()
        .ok_or_else(|| bad("no host"))?
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let addr = (host, port)
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .ok_or_else(|| bad("cannot resolve the host"))?;
    Ok((addr, Some(secure)))
}

/// Parses the options alist of `ws-listen` (see docs/websocket.md for the keys).
fn parse_listen_options(vm: &Vm, who: &str, v: Value) -> NResult<ServerOptions> {
    let mut o = ServerOptions::default();
    let (mut cert, mut key) = (None, None);
    for (k, name, val) in entries(vm, who, v)? {
        let opt = &format!("{who}: option {name}");
        if limit_option(vm, opt, &name, val, &mut o.limits)? {
            continue;
        }
        match &*name {
            "protocols" => o.policy.protocols = strings(vm, opt, val)?,
            "origins" => o.policy.origins = strings(vm, opt, val)?,
            "compression" => o.policy.deflate = compression(vm, opt, val)?,
            "timeout" | "handshake-timeout" => o.limits.connect_timeout = seconds(vm, opt, val)?,
            "tls-cert" => cert = Some(builtins::string(vm, opt, val)?),
            "tls-key" => key = Some(builtins::string(vm, opt, val)?),
            _ => {
                return Err(ws_error(
                    who,
                    "unknown option (expected tls-cert, tls-key, protocols, origins, \
                     compression, handshake-timeout, read-timeout, write-timeout, close-timeout, \
                     ping-interval, ping-timeout, max-message-size or max-frame-size)",
                    vec![k],
                ))
            }
        }
    }
    o.tls = match (cert, key) {
        (Some(cert), Some(key)) => {
            Some(tls::server_config_from_files(&cert, &key).map_err(|e| ws_error(who, e, vec![]))?)
        }
        (None, None) => None,
        _ => {
            return Err(ws_error(
                who,
                "the tls-cert and tls-key options go together",
                vec![],
            ))
        }
    };
    Ok(o)
}

/// `(ws-listen port-or-url [options])` → a listener. A port number listens on
/// 127.0.0.1 (`wss://` when the TLS options are given); a URL names the address.
fn ws_listen(vm: &mut Vm, args: &[Value]) -> NResult {
    const WHO: &str = "ws-listen";
    let (addr, secure) = listen_address(vm, WHO, args[0])?;
    let mut options = match args.get(1) {
        Some(v) => parse_listen_options(vm, WHO, *v)?,
        None => ServerOptions::default(),
    };
    options.interrupt = Interrupt::new(vm.interrupt.clone());
    match (secure, options.tls.is_some()) {
        (Some(true), false) => {
            return Err(ws_error(
                WHO,
                "a wss:// listener needs the tls-cert and tls-key options",
                vec![],
            ))
        }
        (Some(false), true) => {
            return Err(ws_error(
                WHO,
                "tls-cert and tls-key are for wss:// listeners; this URL is ws://",
                vec![],
            ))
        }
        _ => {}
    }
    let listener = Listener::bind(addr, options).map_err(|e| ws_error(WHO, e, vec![]))?;
    let local = listener
        .local_addr()
        .map_err(|e| ws_error(WHO, e, vec![]))?;
    let scheme = if listener.is_tls() { "wss" } else { "ws" };
    Ok(vm.heap.alloc(Object::Opaque(Box::new(WsListener {
        listener,
        label: format!("ws-listener {scheme}://{local}"),
        closed: false,
    }))))
}

fn is_listener(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(listener(vm, "ws-listener?", args[0]).is_ok()))
}

/// `(ws-listener-port l)`: the port it listens on (the one picked for port 0).
fn listener_port(vm: &mut Vm, args: &[Value]) -> NResult {
    const WHO: &str = "ws-listener-port";
    let l = listener(vm, WHO, args[0])?;
    let addr = l
        .listener
        .local_addr()
        .map_err(|e| ws_error(WHO, e, vec![]))?;
    Ok(Value::Int(i64::from(addr.port())))
}

/// `(ws-listener-close l)`: stops accepting. An accept waiting on it (in another task)
/// returns `'closed`; connections already accepted go on. Closing twice does nothing.
fn listener_close(vm: &mut Vm, args: &[Value]) -> NResult {
    let l = listener(vm, "ws-listener-close", args[0])?;
    if !l.closed {
        l.closed = true;
        l.listener.shutdown();
    }
    Ok(Value::Unspecified)
}

/// Whether the listener error `e` is a shortage that passes (descriptors, buffers,
/// memory): the accept waits and tries again.
fn is_shortage(e: &WsError) -> bool {
    matches!(e, WsError::Io(io) if matches!(
        io.raw_os_error(),
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM)
    ))
}

/// `(%ws-accept-start l)`: waits for a TCP connection → a `ws-accepting` object for
/// `%ws-accept-finish`, or `closed` once the listener is closed. Parks the task inside
/// one; blocks (interruptibly) outside.
fn ws_accept_start(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    const WHO: &str = "ws-accept";
    let in_task = vm.suspendable;
    loop {
        if vm.interrupt.load(Ordering::Relaxed) {
            return Err(interrupted(vm));
        }
        let l = listener(vm, WHO, args[0])?;
        if l.closed {
            return Ok(Ctl::Return(Value::sym("closed")));
        }
        let fd = l.listener.as_fd().as_raw_fd();
        let wait = match l.listener.poll_accept() {
            Ok(Some(acceptor)) => {
                let label = format!("ws-accepting {}", acceptor.peer_addr());
                let a = vm.heap.alloc(Object::Opaque(Box::new(WsAccepting {
                    acceptor: Some(acceptor),
                    label,
                })));
                return Ok(Ctl::Return(a));
            }
            Ok(None) if in_task => return Ok(Ctl::Park(Wait::Readable(fd), Resume::Retry)),
            Ok(None) => true,
            Err(e) if is_shortage(&e) => false,
            Err(e) => return Err(ws_error(WHO, e, vec![args[0]])),
        };
        let until = Instant::now() + RETRY;
        match wait {
            true => {
                let l = listener(vm, WHO, args[0])?;
                let _ = sigil_ws::connector::wait_for(&l.listener, Interest::Readable, Some(until));
            }
            false if in_task => return Ok(Ctl::Park(Wait::Until(until), Resume::Retry)),
            false => std::thread::sleep(RETRY),
        }
    }
}

/// `(%ws-accept-finish accepting)`: the opening handshake → a `ws-connection` in the
/// server role, or `#f` (with `ws-last-error` set) when it failed; the HTTP error that
/// refused it was already sent. Parks the task while it waits, inside one.
fn ws_accept_finish(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    const WHO: &str = "ws-accept";
    let in_task = vm.suspendable;
    let pending: &mut WsAccepting = opaque_mut(vm, WHO, "a ws-accepting object", args[0])?;
    let Some(acceptor) = pending.acceptor.as_mut() else {
        return Err(ws_error(
            WHO,
            "this connection was already accepted",
            vec![],
        ));
    };
    let deadline = acceptor.deadline();
    let result = if in_task {
        match acceptor.advance() {
            Ok(Step::Wait(fd, interest)) => {
                return Ok(Ctl::Park(
                    wait_for(fd.as_raw_fd(), interest, deadline),
                    Resume::Retry,
                ))
            }
            Ok(Step::Open(client)) => Ok(*client),
            Err(e) => Err(e),
        }
    } else {
        match pending.acceptor.take() {
            Some(acceptor) => acceptor.finish(),
            None => Err(WsError::InvalidInput("already accepted".into())),
        }
    };
    opaque_mut::<WsAccepting>(vm, WHO, "a ws-accepting object", args[0])?.acceptor = None;
    Ok(Ctl::Return(match result {
        Ok(client) => connected(vm, client),
        Err(WsError::Interrupted) => return Err(interrupted(vm)),
        Err(e) => connect_failed(vm, e),
    }))
}

/// `(%ws-in-task?)`: whether the caller runs in a `(sigil async)` task (where waits
/// park the task), so `ws-serve` knows whether to start a scheduler.
fn in_task(vm: &mut Vm, _args: &[Value]) -> NResult {
    Ok(Value::Bool(vm.suspendable))
}

/// Binds the listener natives of `(sigil %websocket)`.
pub fn register(reg: &mut Registry) {
    reg.simple("ws-listen", 1, Some(2), ws_listen);
    reg.simple("ws-listener?", 1, Some(1), is_listener);
    reg.simple("ws-listener-port", 1, Some(1), listener_port);
    reg.simple("ws-listener-close", 1, Some(1), listener_close);
    reg.control("%ws-accept-start", 1, Some(1), ws_accept_start);
    reg.control("%ws-accept-finish", 1, Some(1), ws_accept_finish);
    reg.simple("%ws-in-task?", 0, Some(0), in_task);
}
