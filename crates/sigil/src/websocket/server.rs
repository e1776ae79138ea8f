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
//! handler in a task of its own, so a slow client delays nobody; when it stops it
//! closes its connections with 1001 (`%ws-close-start`, in `connection.rs`) and waits
//! for them at most `%ws-listener-close-timeout`.
//!
//! Error policy, as for clients: bad arguments and options raise `websocket-error`; a
//! client whose handshake fails makes `ws-accept` return `#f` with `ws-last-error` set
//! (the listener goes on).

use std::borrow::Cow;
use std::net::{SocketAddr, ToSocketAddrs};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use sigil_lang::natives::List;
use sigil_lang::{
    native, Ctl, Ctx, Descriptor, FromValue, Heap, NResult, Opaque, Registry, Resume, Value, Wait,
};
use sigil_ws::server::{tls, Acceptor, Listener, ServerOptions};
use sigil_ws::{Interest, Interrupt, SharedFd, WsError};

use super::connection::Opening;
use super::options::{entries, unknown};
use super::ws_error;

/// How long an accept waits before it tries again after the listener ran out of
/// descriptors or memory (the connections waiting stay queued meanwhile), and how
/// often a blocking accept looks at the interrupt flag.
const RETRY: Duration = Duration::from_millis(100);

/// A listening socket (prints as `#<ws-listener ws://127.0.0.1:8080>`).
pub struct WsListener {
    listener: Listener,
    /// The listening socket's descriptor, which the wait of a parked accept holds open.
    fd: Rc<SharedFd>,
    label: String,
    closed: bool,
}

labelled_native_object!(WsListener, "a ws-listener");

/// A TCP connection accepted, its opening handshake to run (prints as
/// `#<ws-accepting 127.0.0.1:50312>`).
struct WsAccepting {
    acceptor: Option<Acceptor>,
    label: String,
}

labelled_native_object!(WsAccepting, "a ws-accepting object");

/// What `ws-listen` listens on: a port number, or a `ws://` or `wss://` URL.
enum ListenOn {
    Port(i64),
    Url(String),
}

impl FromValue<'_> for ListenOn {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        match v {
            Value::Int(n) => Some(ListenOn::Port(n)),
            _ => heap.str(v).map(|s| ListenOn::Url(s.to_owned())),
        }
    }

    fn expected() -> Cow<'static, str> {
        "a port number or a ws:// or wss:// URL".into()
    }
}

impl ListenOn {
    /// The address: a port on 127.0.0.1, or the host and port of the URL (a name is
    /// looked up once, now). The `bool` is whether the URL asks for TLS.
    fn address(self) -> NResult<(SocketAddr, Option<bool>)> {
        let text = match self {
            ListenOn::Port(n) => {
                let port = u16::try_from(n)
                    .map_err(|_| ws_error("port must be 0-65535, got", vec![Value::Int(n)]))?;
                return Ok((SocketAddr::from(([127, 0, 0, 1], port)), None));
            }
            ListenOn::Url(text) => text,
        };
        let bad = |reason: &str| ws_error(format!("{reason}: {text:?}"), vec![]);
        let url = url::Url::parse(&text).map_err(|e| bad(&format!("invalid URL ({e})")))?;
        let secure = match url.scheme() {
            "ws" => false,
            "wss" => true,
            _ => return Err(bad("only ws:// and wss:// URLs can be listened on")),
        };
        if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
            return Err(bad(
                "a listener serves every path (see ws-connection-path); give only the host and \
                 port",
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
}

/// Parses the options alist of `ws-listen` (see docs/websocket.md for the keys).
fn parse_listen_options(heap: &Heap, items: &[Value]) -> NResult<ServerOptions> {
    let mut s = ServerOptions::default();
    let (mut cert, mut key) = (None, None);
    for o in entries(heap, items)? {
        if o.set_limit(&mut s.limits)? {
            continue;
        }
        match &*o.name() {
            "protocols" => s.policy.protocols = o.strings()?,
            "origins" => s.policy.origins = o.strings()?,
            "compression" => s.policy.deflate = o.compression()?,
            "timeout" | "handshake-timeout" => s.limits.connect_timeout = o.seconds()?,
            "tls-cert" => cert = Some(o.get::<String>()?),
            "tls-key" => key = Some(o.get::<String>()?),
            _ => {
                return Err(unknown(
                    &o,
                    "tls-cert, tls-key, protocols, origins, compression, handshake-timeout, \
                     read-timeout, write-timeout, close-timeout, ping-interval, ping-timeout, \
                     max-message-size or max-frame-size",
                ))
            }
        }
    }
    s.tls = match (cert, key) {
        (Some(cert), Some(key)) => {
            Some(tls::server_config_from_files(&cert, &key).map_err(|e| ws_error(e, vec![]))?)
        }
        (None, None) => None,
        _ => {
            return Err(ws_error(
                "the tls-cert and tls-key options go together",
                vec![],
            ))
        }
    };
    Ok(s)
}

/// `(ws-listen port-or-url [options])` → a listener. A port number listens on
/// 127.0.0.1 (`wss://` when the TLS options are given); a URL names the address.
#[native("ws-listen")]
fn ws_listen(ctx: &mut Ctx, on: ListenOn, options: Option<List<Value>>) -> NResult<WsListener> {
    let (addr, secure) = on.address()?;
    let mut options = match options {
        Some(o) => parse_listen_options(ctx.heap(), &o)?,
        None => ServerOptions::default(),
    };
    options.interrupt = Interrupt::new(ctx.interrupt_flag());
    match (secure, options.tls.is_some()) {
        (Some(true), false) => {
            return Err(ws_error(
                "a wss:// listener needs the tls-cert and tls-key options",
                vec![],
            ))
        }
        (Some(false), true) => {
            return Err(ws_error(
                "tls-cert and tls-key are for wss:// listeners; this URL is ws://",
                vec![],
            ))
        }
        _ => {}
    }
    let listener = Listener::bind(addr, options).map_err(|e| ws_error(e, vec![]))?;
    let local = listener.local_addr().map_err(|e| ws_error(e, vec![]))?;
    let fd = Rc::new(listener.shared_fd());
    let scheme = if listener.is_tls() { "wss" } else { "ws" };
    Ok(WsListener {
        listener,
        fd,
        label: format!("ws-listener {scheme}://{local}"),
        closed: false,
    })
}

/// `(ws-listener? x)`.
#[native("ws-listener?")]
fn is_listener(ctx: &mut Ctx, x: Value) -> bool {
    ctx.heap().opaque::<WsListener>(x).is_some()
}

/// `(ws-listener-port l)`: the port it listens on (the one picked for port 0).
#[native("ws-listener-port")]
fn listener_port(l: &WsListener) -> NResult<u16> {
    let addr = l.listener.local_addr().map_err(|e| ws_error(e, vec![]))?;
    Ok(addr.port())
}

/// `(ws-listener-close l)`: stops accepting. An accept waiting on it (in another task)
/// returns `'closed`; connections already accepted go on. Closing twice does nothing.
#[native("ws-listener-close")]
fn listener_close(l: &mut WsListener) {
    if !l.closed {
        l.closed = true;
        l.listener.shutdown();
    }
}

/// `(%ws-listener-close-timeout l)`: the close timeout of its connections, in seconds
/// (how long `ws-serve` waits for their close handshakes when it stops).
#[native("%ws-listener-close-timeout")]
fn listener_close_timeout(l: &WsListener) -> f64 {
    l.listener.options().limits.close_timeout.as_secs_f64()
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
#[native("ws-accept")]
fn ws_accept_start(ctx: &mut Ctx, l: Opaque<WsListener>) -> NResult<Ctl> {
    let in_task = ctx.in_task();
    let interrupt = ctx.interrupt_flag();
    loop {
        // In a task the scheduler takes interrupts (ws-serve stops on one).
        if !in_task && interrupt.load(Ordering::Relaxed) {
            return Err(ctx.interrupted());
        }
        let wl = l.get_mut(ctx)?;
        if wl.closed {
            return Ok(Ctl::Return(Value::sym("closed")));
        }
        let retry = Instant::now() + RETRY;
        match wl.listener.poll_accept() {
            Ok(Some(acceptor)) => {
                let label = format!("ws-accepting {}", acceptor.peer_addr());
                let acceptor = Some(acceptor);
                return Ok(Ctl::Return(ctx.opaque(WsAccepting { acceptor, label })));
            }
            Ok(None) if in_task => {
                let fd = Descriptor::new(Rc::clone(&wl.fd));
                return Ok(Ctl::Park(Wait::Readable(fd), Resume::Retry));
            }
            Ok(None) => {
                let _ =
                    sigil_ws::connector::wait_for(&wl.listener, Interest::Readable, Some(retry));
            }
            Err(e) if is_shortage(&e) && in_task => {
                return Ok(Ctl::Park(Wait::Until(retry), Resume::Retry))
            }
            Err(e) if is_shortage(&e) => std::thread::sleep(RETRY),
            Err(e) => return Err(ws_error(e, vec![l.value()])),
        }
    }
}

/// `(%ws-accept-finish accepting)`: the opening handshake → a `ws-connection` in the
/// server role, or `#f` (with `ws-last-error` set) when it failed; the HTTP error that
/// refused it was already sent. Parks the task while it waits, inside one.
#[native("ws-accept")]
fn ws_accept_finish(ctx: &mut Ctx, pending: Opaque<WsAccepting>) -> NResult<Ctl> {
    let in_task = ctx.in_task();
    let slot = &mut pending.get_mut(ctx)?.acceptor;
    let already = || ws_error("this connection was already accepted", vec![]);
    let outcome = if in_task {
        let acceptor = slot.as_mut().ok_or_else(already)?;
        let deadline = acceptor.deadline();
        Opening::of(acceptor.advance(), deadline)
    } else {
        Opening::Done(slot.take().ok_or_else(already)?.finish().map(Box::new))
    };
    if let Opening::Done(_) = outcome {
        *slot = None;
    }
    outcome.finish(ctx)
}

/// `(%ws-in-task?)`: whether the caller runs in a `(sigil async)` task (where waits
/// park the task), so `ws-serve` knows whether to start a scheduler.
#[native("%ws-in-task?")]
fn in_task(ctx: &mut Ctx) -> bool {
    ctx.in_task()
}

/// Binds the listener natives of `(sigil %websocket)`.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        WS_LISTEN,
        IS_LISTENER,
        LISTENER_PORT,
        LISTENER_CLOSE,
        LISTENER_CLOSE_TIMEOUT,
        IN_TASK,
    ]);
    reg.add_as("%ws-accept-start", &WS_ACCEPT_START);
    reg.add_as("%ws-accept-finish", &WS_ACCEPT_FINISH);
}
