//! `(sigil %websocket)`: WebSocket connections as Scheme objects.
//!
//! Error policy:
//! * programming errors (bad URL syntax, unsupported scheme, wrong argument types,
//!   bad options, sending on a closed connection, invalid close codes) raise a
//!   condition (`websocket-error`, or `type-error` for wrong types);
//! * network and peer failures (refused, DNS, TLS, handshake, protocol violations,
//!   lost connections, read timeouts) make `ws-connect` / `%ws-receive` return `#f`
//!   and are described by `ws-last-error`.
//!
//! Outside a task every native blocks, bounded by the connection's deadlines (see
//! `sigil_ws::client`). Inside a `(sigil async)` task a native that would wait parks
//! its task on the socket until it is ready or the deadline passes, then runs again
//! (`Resume::Retry`). Deadlines that belong to the connection (the write deadline of
//! queued output, the close deadline) live in the client; the deadline of one
//! `ws-receive` call travels as an argument (see [`deadline_token`]), so a retry keeps
//! it and an abandoned call leaves nothing behind.

use std::any::{Any, TypeId};
use std::os::fd::AsRawFd;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use sigil_lang::builtins::{self, Registry};
use sigil_lang::value::{Ctl, NativeObject, Object, Resume, Wait};
use sigil_lang::vm::Vm;
use sigil_lang::{Error, NResult, Value};
use sigil_ws::limits::deadline_after;
use sigil_ws::{Client, CloseFrame, Event, Interest, Message, Progress, State, WsError};

use super::options::{parse_options, Options};
use super::ws_error;

/// Implements `NativeObject` for a type that holds no Scheme values and prints as
/// `#<LABEL>` from its `label` field.
macro_rules! labelled_native_object {
    ($t:ty) => {
        impl NativeObject for $t {
            fn type_name(&self) -> &str {
                &self.label
            }

            fn as_any(&self) -> &dyn Any {
                self
            }

            fn as_any_mut(&mut self) -> &mut dyn Any {
                self
            }
        }
    };
}

/// A WebSocket connection wrapped as a Scheme object (prints as
/// `#<ws-connection URL>`).
pub struct WsConnection {
    client: Client,
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
}

impl WsConnection {
    /// Puts the socket in non-blocking mode inside a task (so operations park the task
    /// instead of blocking the thread) and back in blocking mode outside one.
    fn set_mode(&mut self, in_task: bool) -> Result<(), WsError> {
        if self.nonblocking != in_task && self.client.state() != State::Closed {
            self.client.set_nonblocking(in_task)?;
            self.nonblocking = in_task;
        }
        Ok(())
    }

    /// Parks the task until the socket is ready for `interest` or `deadline` passes,
    /// then calls the native again.
    fn park(&self, interest: Interest, deadline: Option<Instant>) -> Ctl {
        Ctl::Park(
            wait_for(self.client.as_raw_fd(), interest, deadline),
            Resume::Retry,
        )
    }
}

/// The scheduler's wait for `fd` to be ready for `interest`, until `deadline` if any.
fn wait_for(fd: i32, interest: Interest, deadline: Option<Instant>) -> Wait {
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
fn token_deadline(who: &str, v: Value) -> NResult<Option<Instant>> {
    match v {
        Value::Bool(true) => Ok(None),
        Value::Int(n) if n >= 0 => Ok(epoch().checked_add(Duration::from_nanos(n as u64))),
        _ => Err(Error::wrong_type(who, "a deadline token", v)),
    }
}

/// The transport under a connection, as returned by `ws-connection-socket`: prints as
/// `#<tcp-socket 127.0.0.1:8080>` or `#<tls-connection example.com:443>`.
pub struct WsSocket {
    label: String,
}

labelled_native_object!(WsSocket);

/// Per-interpreter record of why the last `ws-connect` / `ws-receive` returned `#f`.
struct LastError(Option<String>);

fn set_last_error(vm: &mut Vm, e: Option<String>) {
    vm.host
        .insert(TypeId::of::<LastError>(), Box::new(LastError(e)));
}

/// The connection behind a Scheme value.
fn conn<'a>(vm: &'a mut Vm, who: &str, v: Value) -> NResult<&'a mut WsConnection> {
    vm.heap
        .obj_mut(v)
        .and_then(|o| match o {
            Object::Opaque(o) => o.as_any_mut().downcast_mut::<WsConnection>(),
            _ => None,
        })
        .ok_or_else(|| Error::wrong_type(who, "a ws-connection", v))
}

/// A message payload given as a string (text) or bytevector (binary).
enum Payload {
    Text(String),
    Binary(Vec<u8>),
}

impl Payload {
    fn bytes(&self) -> &[u8] {
        match self {
            Payload::Text(s) => s.as_bytes(),
            Payload::Binary(b) => b,
        }
    }
}

fn payload(vm: &Vm, who: &str, v: Value) -> NResult<Payload> {
    if let Some(s) = vm.heap.str(v) {
        Ok(Payload::Text(s.to_owned()))
    } else if let Some(b) = vm.heap.bytevector(v) {
        Ok(Payload::Binary(b.to_vec()))
    } else {
        Err(Error::wrong_type(who, "a string or bytevector", v))
    }
}

// ---- natives ---------------------------------------------------------------------------

/// What `ws-connection-socket` prints: the URL's host for TLS, the peer address for TCP.
fn socket_label(client: &Client) -> String {
    if client.is_tls() {
        let host_port = url::Url::parse(client.url())
            .ok()
            .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
            .unwrap_or_else(|| client.url().to_string());
        format!("tls-connection {host_port}")
    } else {
        match client.peer_addr() {
            Ok(a) => format!("tcp-socket {a}"),
            Err(_) => "tcp-socket".to_string(),
        }
    }
}

/// A connection being opened inside a `(sigil async)` task (prints as
/// `#<ws-connecting URL>`): `%ws-connect-finish` drives it.
struct WsConnecting {
    connector: sigil_ws::Connector,
    label: String,
}

labelled_native_object!(WsConnecting);

/// Errors in the URL or options are the caller's mistake: raise them. Their message
/// names the URL when it matters (without its password), so it is not an irritant.
fn is_usage_error(e: &WsError) -> bool {
    matches!(
        e,
        WsError::InvalidUrl { .. } | WsError::UnsupportedScheme(_) | WsError::InvalidInput(_)
    )
}

/// `(%ws-connect-start url [options])`: outside a task, connects (blocking) and returns
/// the connection or `#f` (with `ws-last-error` set); inside one, returns a
/// `ws-connecting` object for `%ws-connect-finish`, so that the wait parks only the task.
fn ws_connect_start(vm: &mut Vm, args: &[Value]) -> NResult {
    const WHO: &str = "ws-connect";
    let url = builtins::string(vm, WHO, args[0])?;
    let options = match args.get(1) {
        Some(v) => parse_options(vm, *v)?,
        None => Options::default(),
    };
    if vm.suspendable {
        let connector = match sigil_ws::Connector::start(&url, &options.connect) {
            Ok(c) => c,
            Err(e) if is_usage_error(&e) => return Err(ws_error(WHO, e, vec![])),
            Err(e) => return Ok(connect_failed(vm, e)),
        };
        return Ok(vm.heap.alloc(Object::Opaque(Box::new(WsConnecting {
            connector,
            label: format!("ws-connecting {}", sigil_ws::wsurl::redact(&url)),
        }))));
    }
    match sigil_ws::connect(&url, &options.connect) {
        Ok(client) => Ok(connected(vm, client)),
        Err(e) if is_usage_error(&e) => Err(ws_error(WHO, e, vec![])),
        Err(e) => Ok(connect_failed(vm, e)),
    }
}

/// `(%ws-connect-finish connecting)`: parks the task until the connection is open
/// (→ connection) or has failed (→ `#f`, with `ws-last-error` set).
fn ws_connect_finish(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let pending = vm
        .heap
        .obj_mut(args[0])
        .and_then(|o| match o {
            Object::Opaque(o) => o.as_any_mut().downcast_mut::<WsConnecting>(),
            _ => None,
        })
        .ok_or_else(|| Error::wrong_type("ws-connect", "a ws-connecting object", args[0]))?;
    let deadline = pending.connector.deadline();
    match pending.connector.advance() {
        Ok(sigil_ws::Step::Wait(fd, interest)) => {
            Ok(Ctl::Park(wait_for(fd, interest, deadline), Resume::Retry))
        }
        Ok(sigil_ws::Step::Open(client)) => Ok(Ctl::Return(connected(vm, *client))),
        Err(e) => Ok(Ctl::Return(connect_failed(vm, e))),
    }
}

/// `#f` for a failed connect, recording why for `ws-last-error`.
fn connect_failed(vm: &mut Vm, e: WsError) -> Value {
    set_last_error(vm, Some(e.to_string()));
    Value::Bool(false)
}

/// Wraps an open client as a `ws-connection`.
fn connected(vm: &mut Vm, client: Client) -> Value {
    set_last_error(vm, None);
    let socket = vm.heap.alloc(Object::Opaque(Box::new(WsSocket {
        label: socket_label(&client),
    })));
    let label = format!("ws-connection {}", client.url());
    let nonblocking = client.is_nonblocking();
    vm.heap.alloc(Object::Opaque(Box::new(WsConnection {
        client,
        label,
        socket,
        nonblocking,
    })))
}

/// Turns a send result into a value, raising on failure.
fn sent(who: &str, r: Result<(), WsError>, conn_v: Value) -> NResult<()> {
    match r {
        Ok(()) => Ok(()),
        Err(e @ WsError::InvalidInput(_)) => Err(ws_error(who, e, vec![])),
        Err(e) => Err(ws_error(who, e, vec![conn_v])),
    }
}

/// Runs `op` on the connection (in the mode the caller's context needs) and tells
/// whether the task must now wait for queued output (`%ws-flush`).
fn send_with(
    vm: &mut Vm,
    who: &str,
    conn_v: Value,
    op: impl FnOnce(&mut Client) -> Result<(), WsError>,
) -> NResult {
    let in_task = vm.suspendable;
    let c = conn(vm, who, conn_v)?;
    let r = c.set_mode(in_task).and_then(|()| op(&mut c.client));
    sent(who, r, conn_v)?;
    Ok(Value::Bool(c.nonblocking && c.client.wants_write()))
}

/// Sends the string (as text, when `text_ok`) or bytevector `data_v` on `conn_v`
/// without copying it: its contents are moved out of the heap object for the duration
/// of the send (which cannot run Scheme code) and then moved back.
fn send_in_place(vm: &mut Vm, who: &str, conn_v: Value, data_v: Value, text_ok: bool) -> NResult {
    conn(vm, who, conn_v)?;
    let p = match vm.heap.obj_mut(data_v) {
        Some(Object::Str(s)) if text_ok => Payload::Text(std::mem::take(s.text_mut())),
        Some(Object::Bytes(b)) => Payload::Binary(std::mem::take(b)),
        _ if text_ok => return Err(Error::wrong_type(who, "a string or bytevector", data_v)),
        _ => return Err(Error::wrong_type(who, "a bytevector", data_v)),
    };
    let r = send_with(vm, who, conn_v, |client| match &p {
        Payload::Text(s) => client.send_text(s),
        Payload::Binary(b) => client.send_binary(b),
    });
    match (vm.heap.obj_mut(data_v), p) {
        (Some(Object::Str(s)), Payload::Text(t)) => *s.text_mut() = t,
        (Some(Object::Bytes(b)), Payload::Binary(t)) => *b = t,
        _ => unreachable!("{who}: payload object changed type during the send"),
    }
    r
}

/// `(%ws-send conn string-or-bytevector)`: a string goes as a text message, a
/// bytevector as a binary one. `#t` when, inside a task, the rest must be flushed.
fn ws_send(vm: &mut Vm, args: &[Value]) -> NResult {
    send_in_place(vm, "ws-send", args[0], args[1], true)
}

/// `(%ws-send-binary conn bytevector)`, like `%ws-send`.
fn ws_send_binary(vm: &mut Vm, args: &[Value]) -> NResult {
    send_in_place(vm, "ws-send-binary", args[0], args[1], false)
}

/// `(%ws-ping conn [payload])`: payload string or bytevector of at most 125 bytes;
/// like `%ws-send`.
fn ws_ping(vm: &mut Vm, args: &[Value]) -> NResult {
    const WHO: &str = "ws-ping";
    conn(vm, WHO, args[0])?;
    let p = match args.get(1) {
        Some(v) => payload(vm, WHO, *v)?,
        None => Payload::Binary(Vec::new()),
    };
    send_with(vm, WHO, args[0], |client| client.ping(p.bytes()))
}

/// `(%ws-flush conn who)`: inside a task, parks until the queued output is written;
/// raises (naming `who`, the sending procedure) if the write deadline passes first.
fn ws_flush(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    let who = builtins::symbol("%ws-flush", args[1])?.name().to_string();
    let c = conn(vm, &who, args[0])?;
    match c.client.poll_flush() {
        Ok(Progress::Done(())) => Ok(Ctl::Return(Value::Unspecified)),
        Ok(Progress::Wait(interest, deadline)) => Ok(c.park(interest, deadline)),
        Err(e) => Err(ws_error(&who, e, vec![args[0]])),
    }
}

/// What a receive produced, detached from the connection borrow.
enum Received {
    Text(String),
    Binary(Vec<u8>),
    Closed,
    Failed(String),
}

/// `(%ws-receive conn [deadline])` → `(text . string)`, `(binary . bytevector)`,
/// `closed`, or `#f` with `ws-last-error` set. Blocks until one of those happens or the
/// read deadline passes. Inside a `(sigil async)` task, when it would have to wait, the
/// first call returns the deadline as a token instead; the second call, given it,
/// parks the task until the socket is readable or the deadline passes, as often as
/// needed.
fn ws_receive(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    const WHO: &str = "ws-receive";
    let in_task = vm.suspendable;
    let token = args.get(1).copied();
    let c = conn(vm, WHO, args[0])?;
    if c.client.state() == State::Closed {
        return finish_receive(vm, Received::Closed);
    }
    let deadline = match token {
        Some(t) => token_deadline(WHO, t)?,
        None => deadline_after(c.client.limits().read_timeout),
    };
    let got = match c
        .set_mode(in_task)
        .and_then(|()| c.client.poll_receive(deadline))
    {
        Ok(Progress::Wait(interest, until)) => {
            return Ok(match token {
                None => Ctl::Return(deadline_token(deadline)),
                Some(_) => c.park(interest, until),
            })
        }
        Ok(Progress::Done(Event::Message(Message::Text(s)))) => Received::Text(s),
        Ok(Progress::Done(Event::Message(Message::Binary(b)))) => Received::Binary(b),
        Ok(Progress::Done(_)) | Err(WsError::ConnectionClosed) => Received::Closed,
        Err(e) => Received::Failed(e.to_string()),
    };
    finish_receive(vm, got)
}

/// The Scheme value for what `ws-receive` got, recording the error text for
/// `ws-last-error`.
fn finish_receive(vm: &mut Vm, got: Received) -> NResult<Ctl> {
    let (err, v) = match got {
        Received::Text(s) => {
            let s = vm.heap.string(s);
            (None, vm.heap.cons(Value::sym("text"), s))
        }
        Received::Binary(b) => {
            let b = vm.heap.bytes(b);
            (None, vm.heap.cons(Value::sym("binary"), b))
        }
        Received::Closed => (None, Value::sym("closed")),
        Received::Failed(e) => (Some(e), Value::Bool(false)),
    };
    set_last_error(vm, err);
    Ok(Ctl::Return(v))
}

/// `(ws-close conn [code [reason]])`: the close handshake (default 1000, ""), bounded by
/// the close timeout, then the socket is shut down. Inside a task it parks while it
/// waits. Closing a closed connection does nothing.
fn ws_close(vm: &mut Vm, args: &[Value]) -> NResult<Ctl> {
    const WHO: &str = "ws-close";
    conn(vm, WHO, args[0])?;
    let code = match args.get(1) {
        Some(v) => builtins::int(WHO, *v)?,
        None => 1000,
    };
    let reason = match args.get(2) {
        Some(v) => builtins::string(vm, WHO, *v)?,
        None => String::new(),
    };
    let frame = CloseFrame::new(code, &reason).map_err(|e| ws_error(WHO, e, vec![]))?;
    let in_task = vm.suspendable;
    let c = conn(vm, WHO, args[0])?;
    let _ = c.set_mode(in_task);
    match c.client.poll_close(&frame) {
        Ok(Progress::Wait(interest, deadline)) => Ok(c.park(interest, deadline)),
        // Network errors while closing are ignored: the socket is shut down either way.
        Ok(Progress::Done(())) | Err(_) => {
            c.client.shutdown();
            Ok(Ctl::Return(Value::Unspecified))
        }
    }
}

fn is_connection(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(conn(vm, "ws-connection?", args[0]).is_ok()))
}

fn state_symbol(s: State) -> Value {
    Value::sym(match s {
        State::Open => "open",
        State::Closing => "closing",
        State::Closed => "closed",
    })
}

fn connection_state(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(state_symbol(
        conn(vm, "ws-connection-state", args[0])?.client.state(),
    ))
}

fn is_connected(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(
        conn(vm, "ws-connected?", args[0])?.client.state() == State::Open,
    ))
}

fn connection_url(vm: &mut Vm, args: &[Value]) -> NResult {
    let url = conn(vm, "ws-connection-url", args[0])?
        .client
        .url()
        .to_string();
    Ok(vm.heap.string(url))
}

fn connection_socket(vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(conn(vm, "ws-connection-socket", args[0])?.socket)
}

fn optional_string(vm: &mut Vm, s: Option<String>) -> Value {
    match s {
        Some(s) => vm.heap.string(s),
        None => Value::Bool(false),
    }
}

fn connection_protocol(vm: &mut Vm, args: &[Value]) -> NResult {
    let p = conn(vm, "ws-connection-protocol", args[0])?
        .client
        .protocol()
        .map(str::to_owned);
    Ok(optional_string(vm, p))
}

/// `(ws-connection-extensions conn)`: the extensions in force, as a list of
/// `(name . parameters)`; for permessage-deflate the four agreed parameters with their
/// effective values (window bits 15 when the server set no limit).
fn connection_extensions(vm: &mut Vm, args: &[Value]) -> NResult {
    let Some(p) = conn(vm, "ws-connection-extensions", args[0])?
        .client
        .deflate()
        .copied()
    else {
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
    .map(|(k, v)| vm.heap.cons(Value::sym(k), v));
    let params = vm.heap.list(&params);
    let deflate = vm.heap.cons(Value::sym("permessage-deflate"), params);
    Ok(vm.heap.list(&[deflate]))
}

fn close_code(vm: &mut Vm, args: &[Value]) -> NResult {
    let code = conn(vm, "ws-close-code", args[0])?.client.close_code();
    Ok(code.map_or(Value::Bool(false), |c| Value::Int(i64::from(c))))
}

fn close_reason(vm: &mut Vm, args: &[Value]) -> NResult {
    let c = conn(vm, "ws-close-reason", args[0])?;
    let r = c
        .client
        .close_code()
        .and(c.client.close_reason())
        .map(str::to_owned);
    Ok(optional_string(vm, r))
}

fn last_error(vm: &mut Vm, _args: &[Value]) -> NResult {
    let e = vm
        .host
        .get(&TypeId::of::<LastError>())
        .and_then(|b| b.downcast_ref::<LastError>())
        .and_then(|l| l.0.clone());
    Ok(optional_string(vm, e))
}

/// Binds the natives of `(sigil %websocket)`.
pub fn register(reg: &mut Registry) {
    epoch();
    reg.simple("%ws-connect-start", 1, Some(2), ws_connect_start);
    reg.control("%ws-connect-finish", 1, Some(1), ws_connect_finish);
    reg.simple("%ws-send", 2, Some(2), ws_send);
    reg.simple("%ws-send-binary", 2, Some(2), ws_send_binary);
    reg.simple("%ws-ping", 1, Some(2), ws_ping);
    reg.control("%ws-flush", 2, Some(2), ws_flush);
    reg.control("%ws-receive", 1, Some(2), ws_receive);
    reg.control("ws-close", 1, Some(3), ws_close);
    reg.simple("ws-connection?", 1, Some(1), is_connection);
    reg.simple("ws-connected?", 1, Some(1), is_connected);
    reg.simple("ws-connection-state", 1, Some(1), connection_state);
    reg.simple("ws-connection-url", 1, Some(1), connection_url);
    reg.simple("ws-connection-socket", 1, Some(1), connection_socket);
    reg.simple("ws-connection-protocol", 1, Some(1), connection_protocol);
    reg.simple(
        "ws-connection-extensions",
        1,
        Some(1),
        connection_extensions,
    );
    reg.simple("ws-close-code", 1, Some(1), close_code);
    reg.simple("ws-close-reason", 1, Some(1), close_reason);
    reg.simple("ws-last-error", 0, Some(0), last_error);
}
