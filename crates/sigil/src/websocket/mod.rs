//! Native half of Sigil's WebSocket libraries.
//!
//! All protocol work is done by the `sigil-ws` crate; these modules only convert
//! between Scheme values and its Rust API:
//!
//! * [`connection`] — library `(sigil %websocket)`: connecting, sending, receiving,
//!   closing and inspecting a connection. The public `(sigil websocket)` library
//!   (`stdlib/sigil/websocket.sgl`) re-exports it and wraps received messages in
//!   `ws-message` records.
//! * [`server`] — also in `(sigil %websocket)`: listeners and accepting connections,
//!   which become the same connection objects in the server role.
//! * [`frame`] — library `(sigil %websocket-frame)`: the frame codec and masking, used
//!   by `(sigil websocket frame)` (`stdlib/sigil/websocket/frame.sgl`).
//!
//! The natives are deliberately small (connect, send, receive, close) so that a
//! scheduler can later make the blocking ones park on the connection's file
//! descriptor instead of blocking the thread.

use sigil_lang::value::Object;
use sigil_lang::vm::Vm;
use sigil_lang::{Error, Interpreter, NResult, Value};

#[macro_use]
pub mod connection;
pub mod frame;
mod options;
pub mod server;

/// Condition kind of WebSocket errors raised to Scheme (`(condition-kind e)`).
pub const ERROR_KIND: &str = "websocket-error";

/// Registers the native libraries `(sigil %websocket)` and `(sigil %websocket-frame)`.
pub fn register(interp: &mut Interpreter) {
    interp.define_native_library("sigil %websocket", |reg| {
        connection::register(reg);
        server::register(reg);
    });
    interp.define_native_library("sigil %websocket-frame", frame::register);
}

/// The native object of type `T` behind the Scheme value `v`; a `type-error` naming
/// `who` and `what` (such as "a ws-connection") for anything else.
pub(crate) fn opaque_mut<'a, T: 'static>(
    vm: &'a mut Vm,
    who: &str,
    what: &str,
    v: Value,
) -> NResult<&'a mut T> {
    vm.heap
        .obj_mut(v)
        .and_then(|o| match o {
            Object::Opaque(o) => o.as_any_mut().downcast_mut::<T>(),
            _ => None,
        })
        .ok_or_else(|| Error::wrong_type(who, what, v))
}

/// A `websocket-error` condition: "`who`: `message`" with irritants.
pub(crate) fn ws_error(who: &str, message: impl std::fmt::Display, irritants: Vec<Value>) -> Error {
    Error::with(ERROR_KIND, format!("{who}: {message}"), irritants)
}
