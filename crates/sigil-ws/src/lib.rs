//! RFC 6455 WebSocket client core.
//!
//! The protocol layers are sans-I/O: [`frame`] encodes and decodes frames,
//! [`handshake`] builds the upgrade request and validates the response, and
//! [`connection`] is the state machine that turns received bytes into [`Event`]s and
//! queues outgoing frames. [`client`] drives them over blocking or non-blocking TCP
//! and TLS sockets.

pub mod client;
pub mod connection;
pub mod error;
pub mod frame;
pub mod handshake;
pub mod limits;
pub mod mask;

pub use client::{connect, Client, ConnectOptions, ResolveOverride};
pub use connection::{Connection, Event, Message, State};
pub use error::WsError;
pub use handshake::RequestOptions;
pub use limits::Limits;
