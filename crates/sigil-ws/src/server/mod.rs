//! The server side: listening, accepting, and the opening handshake as a server.
//!
//! A [`Listener`] accepts TCP connections; each becomes an [`Acceptor`] that runs the
//! TLS handshake (`wss://`, with a rustls configuration from [`tls`]) and answers the
//! client's upgrade request ([`handshake`]) without blocking, then yields a [`WebSocket`]
//! in the server role ([`Role::Server`](crate::Role)): the same connection state
//! machine and the same blocking and non-blocking drivers as a client, with the
//! masking direction reversed. [`Listener::accept`] does the same, blocking.
//!
//! Every wait has a deadline: the handshake must complete within
//! [`Limits::connect_timeout`] of the TCP accept; after that the connection's own
//! deadlines apply, as for a client.

mod acceptor;
pub mod handshake;
pub mod tls;

use std::io;
use std::net::{SocketAddr, TcpListener};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::sync::Arc;

use socket2::{Domain, Protocol, Socket, Type};

use crate::connector::{wait_for, Interest};
use crate::error::WsError;
use crate::interrupt::Interrupt;
use crate::limits::Limits;
use crate::shared_fd::SharedFd;
use crate::websocket::WebSocket;

pub use acceptor::Acceptor;
pub use handshake::{Policy, Request};

/// How many connections the kernel queues before they are accepted.
const BACKLOG: i32 = 1024;

/// Everything a server is told besides where to listen.
#[derive(Debug, Clone, Default)]
pub struct ServerOptions {
    /// Limits of every connection; [`Limits::connect_timeout`] is the deadline of the
    /// opening handshake (TLS and upgrade request) from the TCP accept.
    pub limits: Limits,
    /// Subprotocols and allowed origins.
    pub policy: Policy,
    /// The TLS configuration of a `wss://` server (see [`tls::server_config`]).
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Stops [`Listener::accept`], [`Acceptor::finish`] and the blocking operations of
    /// the connections accepted (see [`crate::interrupt`]).
    pub interrupt: Interrupt,
}

/// A listening socket that accepts WebSocket connections.
#[derive(Debug)]
pub struct Listener {
    tcp: Arc<TcpListener>,
    options: Arc<ServerOptions>,
}

impl Listener {
    /// Listens on `addr` (port 0: a free port, see [`Listener::local_addr`]); the
    /// socket is non-blocking and reuses the address of a server that just stopped.
    pub fn bind(addr: SocketAddr, options: ServerOptions) -> Result<Listener, WsError> {
        let bind = || -> io::Result<TcpListener> {
            let sock = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
            sock.set_reuse_address(true)?;
            sock.bind(&addr.into())?;
            sock.listen(BACKLOG)?;
            sock.set_nonblocking(true)?;
            Ok(sock.into())
        };
        let tcp = bind().map_err(|e| {
            WsError::Io(io::Error::new(
                e.kind(),
                format!("cannot listen on {addr}: {e}"),
            ))
        })?;
        Ok(Listener {
            tcp: Arc::new(tcp),
            options: Arc::new(options),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, WsError> {
        self.tcp.local_addr().map_err(WsError::Io)
    }

    /// The listening socket's descriptor ([`AsFd::as_fd`]), kept open while the handle
    /// lives: an event loop waits on it for connections to accept.
    pub fn shared_fd(&self) -> SharedFd {
        SharedFd::new(Arc::clone(&self.tcp))
    }

    /// Whether connections are accepted over TLS (`wss://`).
    pub fn is_tls(&self) -> bool {
        self.options.tls.is_some()
    }

    /// The options every accepted connection gets.
    pub fn options(&self) -> &ServerOptions {
        &self.options
    }

    /// Accepts a waiting TCP connection without blocking: its [`Acceptor`], or `None`
    /// when none is waiting (wait until [`AsFd::as_fd`] is readable). Errors are
    /// the listener's own (out of descriptors, shut down): no connection was accepted.
    pub fn poll_accept(&self) -> Result<Option<Acceptor>, WsError> {
        loop {
            match self.tcp.accept() {
                Ok((sock, peer)) => {
                    let ready = sock
                        .set_nonblocking(true)
                        .and_then(|()| sock.set_nodelay(true));
                    match ready {
                        Ok(()) => {
                            return Acceptor::new(sock, peer, Arc::clone(&self.options)).map(Some)
                        }
                        // The client is already gone: accept the next one.
                        Err(_) => continue,
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::Interrupted | io::ErrorKind::ConnectionAborted
                    ) => {}
                Err(e) => return Err(WsError::Io(e)),
            }
        }
    }

    /// Waits for a connection and completes its opening handshake (blocking): the
    /// connection in blocking mode, or why this client's handshake failed (the listener
    /// goes on listening), or [`WsError::Interrupted`] once
    /// [`ServerOptions::interrupt`] is set.
    pub fn accept(&self) -> Result<WebSocket, WsError> {
        let interrupt = &self.options.interrupt;
        loop {
            interrupt.check()?;
            if let Some(acceptor) = self.poll_accept()? {
                return acceptor.finish();
            }
            let until = interrupt.wait_end(None);
            wait_for(self, Interest::Readable, until).map_err(WsError::Io)?;
        }
    }

    /// Stops accepting: the listening socket is shut down, which wakes whoever waits
    /// for it to be readable; later accepts fail. The descriptor stays open until the
    /// listener is dropped, so a waiter never polls a reused descriptor number.
    pub fn shutdown(&self) {
        // SAFETY: shutdown(2) on the listener's own open descriptor.
        unsafe { libc::shutdown(self.tcp.as_raw_fd(), libc::SHUT_RDWR) };
    }
}

impl AsFd for Listener {
    /// The listening socket, for readiness polling by an event loop.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.tcp.as_fd()
    }
}
