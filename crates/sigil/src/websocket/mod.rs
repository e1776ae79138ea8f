//! Native half of Sigil's WebSocket libraries.
//!
//! All protocol work is done by the `sigil-ws` crate; these modules only convert
//! between Scheme values and its Rust API, with `#[native]` functions like every other
//! native:
//!
//! * [`connection`] — library `(sigil %websocket)`: connecting, sending, receiving,
//!   closing and inspecting a connection. The public `(sigil websocket)` library
//!   (`stdlib/sigil/websocket.sgl`) re-exports it and wraps received messages in
//!   `ws-message` records.
//! * [`server`] — also in `(sigil %websocket)`: listeners and accepting connections,
//!   which become the same connection objects in the server role.
//! * `options` — the options alists of `ws-connect` and `ws-listen`.
//! * [`frame`] — library `(sigil %websocket-frame)`: the frame codec and masking, used
//!   by `(sigil websocket frame)` (`stdlib/sigil/websocket/frame.sgl`).
//!
//! The natives are deliberately small (connect, send, receive, close): a blocking one
//! parks its task on the connection's socket inside `(sigil async)` instead of blocking
//! the thread. The natives behind a procedure written in Sigil (`%ws-send` behind
//! `ws-send`) carry the public procedure's name, which their errors show.

use sigil_lang::{Error, Interpreter, Value};

/// Implements `NativeObject` for a type that holds no Scheme values, prints as
/// `#<LABEL>` from its `label` field, and is described as `$expected` in type errors.
macro_rules! labelled_native_object {
    ($t:ty, $expected:expr) => {
        impl sigil_lang::NativeObject for $t {
            fn type_name(&self) -> &str {
                &self.label
            }

            fn as_any(&self) -> &dyn std::any::Any {
                self
            }

            fn as_any_mut(&mut self) -> &mut dyn std::any::Any {
                self
            }

            fn expected() -> &'static str {
                $expected
            }
        }
    };
}

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

/// A `websocket-error` raised by a native, whose wrapper puts the procedure's name in
/// front of `message`; `irritants` are printed after it.
pub(crate) fn ws_error(message: impl std::fmt::Display, irritants: Vec<Value>) -> Error {
    Error::new(ERROR_KIND, message.to_string()).with_irritants(irritants)
}
