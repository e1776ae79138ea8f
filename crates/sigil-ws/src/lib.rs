//! RFC 6455 WebSocket core, client and server.
//!
//! The protocol layers are sans-I/O: [`frame`] encodes and decodes frames,
//! [`handshake`] builds the upgrade request and validates the response (and
//! [`server::handshake`] validates a request and answers it), and [`connection`] is the
//! state machine of either [`Role`] that turns received bytes into [`Event`]s and
//! queues outgoing frames; [`deflate`] is the permessage-deflate extension (RFC 7692)
//! and [`keepalive`] the ping timer. [`connector`] opens connections (blocking, or step
//! by step for an event loop, with [`dns`] lookups off-thread), [`server`] listens and
//! accepts them, and [`websocket`] drives an open one of either role (a [`WebSocket`])
//! over blocking or non-blocking TCP and TLS sockets.

#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

pub mod close;
pub mod connection;
pub mod connector;
pub mod deflate;
pub mod dns;
pub mod error;
pub mod frame;
pub mod handshake;
pub mod interrupt;
pub mod keepalive;
pub mod limits;
pub mod mask;
pub mod proxy;
pub mod redirect;
pub mod server;
mod shared_fd;
mod transport;
pub mod websocket;
pub mod wsurl;

pub use close::{CloseCode, CloseFrame};
pub use connection::{Connection, Event, Message, Role, State};
pub use connector::{connect, ConnectOptions, Connector, Interest, ResolveOverride, Step};
pub use deflate::{DeflateConfig, DeflateParams, PerMessageDeflate};
pub use error::{ProtocolError, WsError};
pub use handshake::RequestOptions;
pub use interrupt::Interrupt;
pub use limits::Limits;
pub use proxy::ProxySetting;
pub use shared_fd::SharedFd;
pub use websocket::{Progress, WebSocket};
