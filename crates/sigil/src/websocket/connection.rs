//! `(sigil %websocket)`: WebSocket connections as Scheme objects.
//!
//! Error policy:
//! * an interrupt (Ctrl-C: the VM's interrupt flag) stops every blocking wait within
//!   50 ms and raises the same `interrupt` condition as `sleep` (see
//!   `sigil_ws::interrupt`): the connection stays usable, except after `ws-close`;
//! * programming errors (bad URL syntax, unsupported scheme, wrong argument types,
//!   bad options, sending on a closed connection, invalid close codes) raise a
//!   condition (`websocket-error`, or `type-error` for wrong types);
//! * network and peer failures (refused, DNS, TLS, handshake, protocol violations,
//!   lost connections, read timeouts) make `ws-connect` / `%ws-receive` return `#f`
//!   and are described by `ws-last-error`.
//!
//! Outside a task every native blocks, bounded by the connection's deadlines (see
//! `sigil_ws::websocket`). Inside a `(sigil async)` task a native that would wait parks
//! its task on the socket until it is ready or the deadline passes, then runs again
//! (`Resume::Retry`); the wait holds the socket's descriptor open
//! (`sigil_ws::SharedFd`). Deadlines that belong to the connection (the write deadline
//! of queued output, the close deadline) live in the `WebSocket`; the deadline of one
//! `ws-receive` call travels as an argument (see [`deadline_token`]), so a retry keeps
//! it and an abandoned call leaves nothing behind.

use std::any::Any;
use std::borrow::Cow;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sigil_lang::natives::List;
use sigil_lang::read::symbol::Symbol;
use sigil_lang::{
    native, Ctl, Ctx, Descriptor, Error, FromValue, Heap, NResult, NativeObject, Opaque, Registry,
    Resume, Value, Wait,
};
use sigil_ws::limits::deadline_after;
use sigil_ws::{
    CloseFrame, Connector, Event, Interest, Interrupt, Message, Progress, Role, SharedFd, State,
    Step, WebSocket, WsError,
};

use super::options::parse_options;
use super::ws_error;

/// A WebSocket connection wrapped as a Scheme object (prints as
/// `#<ws-connection URL>`).
pub struct WsConnection {
    ws: WebSocket,
    /// The socket's descriptor, which the wait of a parked task holds open.
    fd: Rc<SharedFd>,
    label: String,
    socket: Value,
    /// The socket is in non-blocking mode (used inside `(sigil async)` tasks).
    nonblocking: bool,
}

impl NativeObject for WsConnection {
    fn type_name(&self) -> &str {
        &self.label
    }

    fn trace(&self, out: &mut Vec<Value>) {
        out.push(self.socket);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }

    fn expected() -> &'static str {
        "a ws-connection"
    }
}

impl WsConnection {
    /// Puts the socket in non-blocking mode inside a task (so operations park the task
    /// instead of blocking the thread) and back in blocking mode outside one.
    fn set_mode(&mut self, in_task: bool) -> Result<(), WsError> {
        if self.nonblocking != in_task && self.ws.state() != State::Closed {
            self.ws.set_nonblocking(in_task)?;
            self.nonblocking = in_task;
        }
        Ok(())
    }

    /// Parks the task until the socket is ready for `interest` or `deadline` passes,
    /// then calls the native again.
    fn park(&self, interest: Interest, deadline: Option<Instant>) -> Ctl {
        let fd = Descriptor::new(Rc::clone(&self.fd));
        Ctl::Park(wait_for(fd, interest, deadline), Resume::Retry)
    }
}

/// The scheduler's wait for `fd` to be ready for `interest`, until `deadline` if any.
fn wait_for(fd: Descriptor, interest: Interest, deadline: Option<Instant>) -> Wait {
    match (interest, deadline) {
        (Interest::Readable, Some(d)) => Wait::ReadableUntil(fd, d),
        (Interest::Readable, None) => Wait::Readable(fd),
        (Interest::Writable, Some(d)) => Wait::WritableUntil(fd, d),
        (Interest::Writable, None) => Wait::Writable(fd),
    }
}

/// The instant deadline tokens count from.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// A deadline as a Scheme value that `%ws-receive` gets back on its second call:
/// nanoseconds since [`epoch`], or `#t` for none.
fn deadline_token(deadline: Option<Instant>) -> Value {
    match deadline {
        None => Value::Bool(true),
        Some(d) => {
            let nanos = d.saturating_duration_since(epoch()).as_nanos();
            Value::Int(i64::try_from(nanos).unwrap_or(i64::MAX))
        }
    }
}

/// The deadline a [`deadline_token`] stands for.
struct DeadlineToken(Option<Instant>);

impl FromValue<'_> for DeadlineToken {
    fn from_value(_: &Heap, v: Value) -> Option<Self> {
        match v {
            Value::Bool(true) => Some(DeadlineToken(None)),
            Value::Int(n) => Some(DeadlineToken(
                epoch().checked_add(Duration::from_nanos(u64::try_from(n).ok()?)),
            )),
            _ => None,
        }
    }

    fn expected() -> Cow<'static, str> {
        "a deadline token".into()
    }
}

/// The transport under a connection, as returned by `ws-connection-socket`: prints as
/// `#<tcp-socket 127.0.0.1:8080>` or `#<tls-connection example.com:443>`.
pub struct WsSocket {
    label: String,
}

labelled_native_object!(WsSocket, "a ws-socket");

/// Per-interpreter record of why the last `ws-connect` / `ws-receive` returned `#f`.
struct LastError(Option<String>);

/// Records why the last connect or receive failed (`None`: it did not).
fn set_last_error(ctx: &mut Ctx, e: Option<String>) {
    match ctx.host_mut::<LastError>() {
        Some(last) => last.0 = e,
        None => {
            ctx.set_host(LastError(e));
        }
    }
}

/// What `ws-connection-socket` prints: the URL's host for TLS, the peer address for TCP
/// (and for TLS in the server role).
fn socket_label(ws: &WebSocket) -> String {
    if ws.role() == Role::Server {
        let kind = if ws.is_tls() {
            "tls-connection"
        } else {
            "tcp-socket"
        };
        match ws.peer_addr() {
            Ok(a) => format!("{kind} {a}"),
            Err(_) => kind.to_string(),
        }
    } else if ws.is_tls() {
        let host_port = url::Url::parse(ws.url())
            .ok()
            .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
            .unwrap_or_else(|| ws.url().to_string());
        format!("tls-connection {host_port}")
    } else {
        match ws.peer_addr() {
            Ok(a) => format!("tcp-socket {a}"),
            Err(_) => "tcp-socket".to_string(),
        }
    }
}

/// A connection being opened inside a `(sigil async)` task (prints as
/// `#<ws-connecting URL>`): `%ws-connect-finish` drives it.
struct WsConnecting {
    connector: Connector,
    label: String,
}

labelled_native_object!(WsConnecting, "a ws-connecting object");

/// Errors in the URL or options are the caller's mistake: raise them. Their message
/// names the URL when it matters (without its password), so it is not an irritant.
fn is_usage_error(e: &WsError) -> bool {
    matches!(
        e,
        WsError::InvalidUrl { .. } | WsError::UnsupportedScheme(_) | WsError::InvalidInput(_)
    )
}

/// The value of a connect or accept that ended with `r`: the connection (either role),
/// or `#f` with `ws-last-error` set; an interrupt is raised.
fn opened(ctx: &mut Ctx, r: Result<WebSocket, WsError>) -> NResult {
    match r {
        Ok(ws) => {
            set_last_error(ctx, None);
            let socket = ctx.opaque(WsSocket {
                label: socket_label(&ws),
            });
            Ok(ctx.opaque(WsConnection {
                fd: Rc::new(ws.shared_fd()),
                label: format!("ws-connection {}", ws.url()),
                nonblocking: ws.is_nonblocking(),
                socket,
                ws,
            }))
        }
        Err(WsError::Interrupted) => Err(ctx.interrupted()),
        Err(e) => {
            set_last_error(ctx, Some(e.to_string()));
            Ok(Value::Bool(false))
        }
    }
}

/// One step of opening a connection (a connector's or an acceptor's), detached from
/// what it borrows.
pub(super) enum Opening {
    /// Park until the descriptor is ready: the wait shares it (`SharedFd`), open
    /// whatever becomes of the connector meanwhile.
    Park(Wait),
    /// The connection is open, or opening it failed.
    Done(Result<Box<WebSocket>, WsError>),
}

impl Opening {
    /// What `step` asks for, waiting until `deadline` at most.
    pub(super) fn of(step: Result<Step, WsError>, deadline: Option<Instant>) -> Opening {
        match step {
            Ok(Step::Open(ws)) => Opening::Done(Ok(ws)),
            Ok(Step::Wait(fd, interest)) => {
                Opening::Park(wait_for(Descriptor::new(Rc::new(fd)), interest, deadline))
            }
            Err(e) => Opening::Done(Err(e)),
        }
    }

    /// The native's next move: park and try again, or return what [`opened`] makes of
    /// the outcome.
    pub(super) fn finish(self, ctx: &mut Ctx) -> NResult<Ctl> {
        match self {
            Opening::Park(wait) => Ok(Ctl::Park(wait, Resume::Retry)),
            Opening::Done(r) => opened(ctx, r.map(|ws| *ws)).map(Ctl::Return),
        }
    }
}

// ---- natives ---------------------------------------------------------------------------

/// `(%ws-connect-start url [options])`: outside a task, connects (blocking) and returns
/// the connection or `#f` (with `ws-last-error` set); inside one, returns a
/// `ws-connecting` object for `%ws-connect-finish`, so that the wait parks only the task.
#[native("ws-connect")]
fn ws_connect_start(ctx: &mut Ctx, url: String, options: Option<List<Value>>) -> NResult {
    let mut options = match options {
        Some(o) => parse_options(ctx.heap(), &o)?,
        None => Default::default(),
    };
    options.interrupt = Interrupt::new(ctx.interrupt_flag());
    let r = if ctx.in_task() {
        match Connector::start(&url, &options) {
            Ok(connector) => {
                return Ok(ctx.opaque(WsConnecting {
                    connector,
                    label: format!("ws-connecting {}", sigil_ws::wsurl::redact(&url)),
                }))
            }
            Err(e) => Err(e),
        }
    } else {
        sigil_ws::connect(&url, &options)
    };
    match r {
        Err(e) if is_usage_error(&e) => Err(ws_error(e, vec![])),
        r => opened(ctx, r),
    }
}

/// `(%ws-connect-finish connecting)`: parks the task until the connection is open
/// (→ connection) or has failed (→ `#f`, with `ws-last-error` set).
#[native("ws-connect")]
fn ws_connect_finish(ctx: &mut Ctx, pending: Opaque<WsConnecting>) -> NResult<Ctl> {
    let connector = &mut pending.get_mut(ctx)?.connector;
    let deadline = connector.deadline();
    Opening::of(connector.advance(), deadline).finish(ctx)
}

/// A message to send, in the heap: a string (a text message) or a bytevector (binary).
#[derive(Clone, Copy)]
enum Data {
    Text(Value),
    Binary(Value),
}

impl FromValue<'_> for Data {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        if heap.str(v).is_some() {
            Some(Data::Text(v))
        } else {
            Binary::from_value(heap, v).map(|b| Data::Binary(b.0))
        }
    }

    fn expected() -> Cow<'static, str> {
        "a string or bytevector".into()
    }
}

/// A bytevector to send as a binary message.
struct Binary(Value);

impl FromValue<'_> for Binary {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        heap.bytevector(v).map(|_| Binary(v))
    }

    fn expected() -> Cow<'static, str> {
        "a bytevector".into()
    }
}

/// The contents of a [`Data`], moved out of its heap object for the duration of a send.
enum Payload {
    Text(String),
    Binary(Vec<u8>),
}

impl Data {
    /// Its bytes (a string's in UTF-8).
    fn bytes(self, heap: &Heap) -> &[u8] {
        match self {
            Data::Text(v) => heap.str(v).map(str::as_bytes),
            Data::Binary(v) => heap.bytevector(v),
        }
        .unwrap_or_default()
    }

    /// Moves the contents out of the heap object (which cannot be seen meanwhile: a send
    /// runs no Scheme code).
    fn take(self, ctx: &mut Ctx) -> Payload {
        match self {
            Data::Text(v) => {
                Payload::Text(ctx.string_mut(v).map(std::mem::take).unwrap_or_default())
            }
            Data::Binary(v) => {
                Payload::Binary(ctx.bytes_mut(v).map(std::mem::take).unwrap_or_default())
            }
        }
    }

    /// Moves the contents taken by [`Data::take`] back.
    fn put_back(self, ctx: &mut Ctx, p: Payload) {
        match (self, p) {
            (Data::Text(v), Payload::Text(s)) => {
                if let Some(dst) = ctx.string_mut(v) {
                    *dst = s;
                }
            }
            (Data::Binary(v), Payload::Binary(b)) => {
                if let Some(dst) = ctx.bytes_mut(v) {
                    *dst = b;
                }
            }
            _ => {}
        }
    }
}

/// The error of a failed send: the connection is an irritant, unless the mistake was the
/// caller's.
fn send_error(e: WsError, conn: Value) -> Error {
    match e {
        e @ WsError::InvalidInput(_) => ws_error(e, vec![]),
        e => ws_error(e, vec![conn]),
    }
}

/// Runs `op` on the connection (in the mode the caller's context needs) and tells
/// whether the task must now wait for queued output (`%ws-flush`).
fn send_with(
    ctx: &mut Ctx,
    conn: Opaque<WsConnection>,
    op: impl FnOnce(&mut WebSocket) -> Result<(), WsError>,
) -> NResult<bool> {
    let in_task = ctx.in_task();
    let c = conn.get_mut(ctx)?;
    let r = c.set_mode(in_task).and_then(|()| op(&mut c.ws));
    let flush = c.nonblocking && c.ws.wants_write();
    match r {
        Ok(()) => Ok(flush),
        Err(WsError::Interrupted) => Err(ctx.interrupted()),
        Err(e) => Err(send_error(e, conn.value())),
    }
}

/// Sends `data` on `conn` without copying it: its contents are moved out of the heap
/// object for the duration of the send and then moved back.
fn send_in_place(ctx: &mut Ctx, conn: Opaque<WsConnection>, data: Data) -> NResult<bool> {
    let payload = data.take(ctx);
    let r = send_with(ctx, conn, |ws| match &payload {
        Payload::Text(s) => ws.send_text(s),
        Payload::Binary(b) => ws.send_binary(b),
    });
    data.put_back(ctx, payload);
    r
}

/// `(%ws-send conn string-or-bytevector)`: a string goes as a text message, a
/// bytevector as a binary one. `#t` when, inside a task, the rest must be flushed.
#[native("ws-send")]
fn ws_send(ctx: &mut Ctx, conn: Opaque<WsConnection>, data: Data) -> NResult<bool> {
    send_in_place(ctx, conn, data)
}

/// `(%ws-send-binary conn bytevector)`, like `%ws-send`.
#[native("ws-send-binary")]
fn ws_send_binary(ctx: &mut Ctx, conn: Opaque<WsConnection>, data: Binary) -> NResult<bool> {
    send_in_place(ctx, conn, Data::Binary(data.0))
}

/// `(%ws-ping conn [payload])`: payload string or bytevector of at most 125 bytes;
/// like `%ws-send`.
#[native("ws-ping")]
fn ws_ping(ctx: &mut Ctx, conn: Opaque<WsConnection>, payload: Option<Data>) -> NResult<bool> {
    let payload = payload.map_or(Vec::new(), |p| p.bytes(ctx.heap()).to_vec());
    send_with(ctx, conn, |ws| ws.ping(&payload))
}

/// `(%ws-flush conn who)`: inside a task, parks until the queued output is written;
/// raises (naming `who`, the sending procedure) if the write deadline passes first.
#[native("%ws-flush")]
fn ws_flush(ctx: &mut Ctx, conn: Opaque<WsConnection>, who: Symbol) -> NResult<Ctl> {
    let c = conn.get_mut(ctx)?;
    match c.ws.poll_flush() {
        Ok(Progress::Done(())) => Ok(Ctl::Return(Value::Unspecified)),
        Ok(Progress::Wait(interest, deadline)) => Ok(c.park(interest, deadline)),
        Err(e) => Err(ws_error(e, vec![conn.value()]).in_procedure(&who.name())),
    }
}

/// What a receive produced, detached from the connection borrow.
enum Received {
    Text(String),
    /// A binary message, a ping or a pong (the symbol naming it) and its bytes.
    Bytes(&'static str, Vec<u8>),
    Closed,
    Failed(String),
}

/// `(%ws-receive conn [deadline])` → `(text . string)`, `(binary . bytevector)`,
/// `closed`, or `#f` with `ws-last-error` set. Blocks until one of those happens or the
/// read deadline passes. Inside a `(sigil async)` task, when it would have to wait, the
/// first call returns the deadline as a token instead; the second call, given it,
/// parks the task until the socket is readable or the deadline passes, as often as
/// needed.
#[native("ws-receive")]
fn ws_receive(
    ctx: &mut Ctx,
    conn: Opaque<WsConnection>,
    token: Option<DeadlineToken>,
) -> NResult<Ctl> {
    receive(ctx, conn, token, WebSocket::poll_receive)
}

/// `(%ws-receive-event conn [deadline])`: like `%ws-receive`, and also `(ping . bytevector)`
/// and `(pong . bytevector)` for the pings (already answered) and pongs that arrive.
#[native("ws-receive-event")]
fn ws_receive_event(
    ctx: &mut Ctx,
    conn: Opaque<WsConnection>,
    token: Option<DeadlineToken>,
) -> NResult<Ctl> {
    receive(ctx, conn, token, WebSocket::poll_receive_event)
}

/// The receive natives: one `step` of a receive (with or without control events).
fn receive(
    ctx: &mut Ctx,
    conn: Opaque<WsConnection>,
    token: Option<DeadlineToken>,
    step: fn(&mut WebSocket, Option<Instant>) -> Result<Progress<Event>, WsError>,
) -> NResult<Ctl> {
    let in_task = ctx.in_task();
    let c = conn.get_mut(ctx)?;
    if c.ws.state() == State::Closed {
        return Ok(finish_receive(ctx, Received::Closed));
    }
    let deadline = match &token {
        Some(t) => t.0,
        None => deadline_after(c.ws.limits().read_timeout),
    };
    let got = match c.set_mode(in_task).and_then(|()| step(&mut c.ws, deadline)) {
        Ok(Progress::Wait(interest, until)) => {
            return Ok(match token {
                None => Ctl::Return(deadline_token(deadline)),
                Some(_) => c.park(interest, until),
            })
        }
        Ok(Progress::Done(Event::Message(Message::Text(s)))) => Received::Text(s),
        Ok(Progress::Done(Event::Message(Message::Binary(b)))) => Received::Bytes("binary", b),
        Ok(Progress::Done(Event::Ping(p))) => Received::Bytes("ping", p),
        Ok(Progress::Done(Event::Pong(p))) => Received::Bytes("pong", p),
        Ok(Progress::Done(_)) | Err(WsError::ConnectionClosed) => Received::Closed,
        Err(WsError::Interrupted) => return Err(ctx.interrupted()),
        Err(e) => Received::Failed(e.to_string()),
    };
    Ok(finish_receive(ctx, got))
}

/// The Scheme value for what `ws-receive` got, recording the error text for
/// `ws-last-error`.
fn finish_receive(ctx: &mut Ctx, got: Received) -> Ctl {
    let (err, v) = match got {
        Received::Text(s) => {
            let s = ctx.string(s);
            (None, ctx.cons(Value::sym("text"), s))
        }
        Received::Bytes(kind, b) => {
            let b = ctx.bytes(b);
            (None, ctx.cons(Value::sym(kind), b))
        }
        Received::Closed => (None, Value::sym("closed")),
        Received::Failed(e) => (Some(e), Value::Bool(false)),
    };
    set_last_error(ctx, err);
    Ctl::Return(v)
}

/// `(ws-close conn [code [reason]])`: the close handshake (default 1000, ""), bounded by
/// the close timeout, then the socket is shut down. Inside a task it parks while it
/// waits. Closing a closed connection does nothing.
#[native("ws-close")]
fn ws_close(
    ctx: &mut Ctx,
    conn: Opaque<WsConnection>,
    code: Option<i64>,
    reason: Option<String>,
) -> NResult<Ctl> {
    let frame = CloseFrame::new(code.unwrap_or(1000), reason.as_deref().unwrap_or(""))
        .map_err(|e| ws_error(e, vec![]))?;
    let in_task = ctx.in_task();
    let c = conn.get_mut(ctx)?;
    let _ = c.set_mode(in_task);
    match c.ws.poll_close(&frame) {
        Ok(Progress::Wait(interest, deadline)) => Ok(c.park(interest, deadline)),
        // The socket is shut down: the connection is closed.
        Err(WsError::Interrupted) => Err(ctx.interrupted()),
        // Network errors while closing are ignored: the socket is shut down either way.
        Ok(Progress::Done(())) | Err(_) => {
            c.ws.shutdown();
            Ok(Ctl::Return(Value::Unspecified))
        }
    }
}

/// `(%ws-close-start conn code reason)`: starts the close handshake without waiting:
/// the close frame goes out now (what the socket takes), and whoever reads the
/// connection next finishes the handshake (a `ws-receive` parked on it returns `closed`
/// when the peer answers, or at the close deadline). `ws-serve` stops this way. Does
/// nothing on a connection already closing or closed.
#[native("%ws-close-start")]
fn ws_close_start(
    ctx: &mut Ctx,
    conn: Opaque<WsConnection>,
    code: i64,
    reason: String,
) -> NResult<()> {
    let frame = CloseFrame::new(code, &reason).map_err(|e| ws_error(e, vec![]))?;
    let in_task = ctx.in_task();
    let c = conn.get_mut(ctx)?;
    let _ = c.set_mode(in_task);
    match c.ws.begin_close(&frame) {
        Err(WsError::Interrupted) => Err(ctx.interrupted()),
        _ => Ok(()),
    }
}

/// `(%ws-shutdown conn)`: shuts the socket down now, whatever the close handshake's
/// state; a task parked on the connection wakes and finds it closed.
#[native("%ws-shutdown")]
fn ws_shutdown(c: &mut WsConnection) {
    c.ws.shutdown();
}

/// `(ws-connection? x)`.
#[native("ws-connection?")]
fn is_connection(ctx: &mut Ctx, x: Value) -> bool {
    ctx.heap().opaque::<WsConnection>(x).is_some()
}

/// `(ws-connection-state conn)`: `open`, `closing` or `closed`.
#[native("ws-connection-state")]
fn connection_state(c: &WsConnection) -> Value {
    Value::sym(match c.ws.state() {
        State::Open => "open",
        State::Closing => "closing",
        State::Closed => "closed",
    })
}

/// `(ws-connected? conn)`: whether it is open.
#[native("ws-connected?")]
fn is_connected(c: &WsConnection) -> bool {
    c.ws.state() == State::Open
}

/// `(ws-connection-url conn)`.
#[native("ws-connection-url")]
fn connection_url(c: &WsConnection) -> String {
    c.ws.url().to_string()
}

/// `(ws-connection-socket conn)`: the transport, a `#<tcp-socket ...>` or
/// `#<tls-connection ...>`.
#[native("ws-connection-socket")]
fn connection_socket(c: &WsConnection) -> Value {
    c.socket
}

/// `(ws-connection-protocol conn)`: the subprotocol agreed, or `#f`.
#[native("ws-connection-protocol")]
fn connection_protocol(c: &WsConnection) -> Option<String> {
    c.ws.protocol().map(str::to_owned)
}

/// `(ws-connection-extensions conn)`: the extensions in force, as a list of
/// `(name . parameters)`; for permessage-deflate the four agreed parameters with their
/// effective values (window bits 15 when the server set no limit).
#[native("ws-connection-extensions")]
fn connection_extensions(ctx: &mut Ctx, conn: Opaque<WsConnection>) -> NResult {
    let Some(p) = conn.get_mut(ctx)?.ws.deflate().copied() else {
        return Ok(Value::Null);
    };
    let params = [
        (
            "server-no-context-takeover",
            Value::Bool(p.server_no_context_takeover),
        ),
        (
            "client-no-context-takeover",
            Value::Bool(p.client_no_context_takeover),
        ),
        (
            "server-max-window-bits",
            Value::Int(i64::from(p.server_window_bits())),
        ),
        (
            "client-max-window-bits",
            Value::Int(i64::from(p.client_window_bits())),
        ),
    ]
    .map(|(k, v)| ctx.cons(Value::sym(k), v));
    let params = ctx.list(&params);
    let deflate = ctx.cons(Value::sym("permessage-deflate"), params);
    Ok(ctx.list(&[deflate]))
}

/// `(ws-close-code conn)`: the code of the peer's close frame, or `#f`.
#[native("ws-close-code")]
fn close_code(c: &WsConnection) -> Option<u16> {
    c.ws.close_code()
}

/// `(ws-close-reason conn)`: the reason of the peer's close frame, or `#f` when it had
/// no code.
#[native("ws-close-reason")]
fn close_reason(c: &WsConnection) -> Option<String> {
    c.ws.close_code()
        .and(c.ws.close_reason())
        .map(str::to_owned)
}

/// `(ws-connection-path conn)`: the path of the opening handshake's request target.
#[native("ws-connection-path")]
fn connection_path(c: &WsConnection) -> String {
    c.ws.path().to_string()
}

/// `(ws-connection-query conn)`: its query (after `?`), or `#f`.
#[native("ws-connection-query")]
fn connection_query(c: &WsConnection) -> Option<String> {
    c.ws.query().map(str::to_owned)
}

/// `(ws-connection-headers conn)`: the headers the peer sent in the opening handshake
/// (the request's for a server, the response's for a client), as an alist of
/// `("name" . "value")` strings, names in lower case, in the order sent.
#[native("ws-connection-headers")]
fn connection_headers(ctx: &mut Ctx, conn: Opaque<WsConnection>) -> NResult {
    let headers = conn.get_mut(ctx)?.ws.headers().to_vec();
    let mut list = Value::Null;
    for (name, value) in headers.into_iter().rev() {
        let name = ctx.string(name.to_ascii_lowercase());
        let value = ctx.string(value);
        let entry = ctx.cons(name, value);
        list = ctx.cons(entry, list);
    }
    Ok(list)
}

/// `(ws-connection-peer-address conn)`: the peer's address, `"IP:port"`.
#[native("ws-connection-peer-address")]
fn connection_peer_address(c: &WsConnection) -> Option<String> {
    c.ws.peer_addr().ok().map(|a| a.to_string())
}

/// `(ws-last-error)`: why the last `ws-connect`, `ws-accept` or `ws-receive` returned
/// `#f`, or `#f`.
#[native("ws-last-error")]
fn last_error(ctx: &mut Ctx) -> Option<String> {
    ctx.host::<LastError>().and_then(|l| l.0.clone())
}

/// Binds the natives of `(sigil %websocket)`.
pub fn register(reg: &mut Registry) {
    epoch();
    for (name, def) in [
        ("%ws-connect-start", &WS_CONNECT_START),
        ("%ws-connect-finish", &WS_CONNECT_FINISH),
        ("%ws-send", &WS_SEND),
        ("%ws-send-binary", &WS_SEND_BINARY),
        ("%ws-ping", &WS_PING),
        ("%ws-receive", &WS_RECEIVE),
        ("%ws-receive-event", &WS_RECEIVE_EVENT),
    ] {
        reg.add_as(name, def);
    }
    reg.add(&[
        WS_FLUSH,
        WS_CLOSE,
        WS_CLOSE_START,
        WS_SHUTDOWN,
        IS_CONNECTION,
        IS_CONNECTED,
        CONNECTION_STATE,
        CONNECTION_URL,
        CONNECTION_SOCKET,
        CONNECTION_PROTOCOL,
        CONNECTION_EXTENSIONS,
        CONNECTION_PATH,
        CONNECTION_QUERY,
        CONNECTION_HEADERS,
        CONNECTION_PEER_ADDRESS,
        CLOSE_CODE,
        CLOSE_REASON,
        LAST_ERROR,
    ]);
}
