//! Accepting one connection without blocking: the TLS handshake (`wss://`), the client's
//! upgrade request, and the server's answer, all before [`Limits::connect_timeout`]
//! (the handshake deadline) from the TCP accept.

use std::io;
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Instant;

use crate::connection::{Connection, Role};
use crate::connector::{block_until_open, finished, Interest, Next, Request as Outgoing, Step};
use crate::deflate::{DeflateParams, PerMessageDeflate};
use crate::error::WsError;
use crate::limits::deadline_after;
use crate::shared_fd::SharedFd;
use crate::transport::Transport;
use crate::websocket::WebSocket;

use super::handshake::{Answer, Request, ServerHandshake};
use super::ServerOptions;

/// What happens once the answer is written.
enum Then {
    /// The connection opens.
    Open {
        request: Request,
        protocol: Option<String>,
        deflate: Option<DeflateParams>,
        leftover: Vec<u8>,
    },
    /// The request was refused: the connection closes with this error.
    Refuse(WsError),
}

/// Where an [`Acceptor`] is.
enum Stage {
    /// Reading the upgrade request (after the TLS handshake, which reads drive).
    Reading {
        transport: Transport,
        handshake: ServerHandshake,
    },
    /// Writing the answer.
    Answering {
        transport: Transport,
        answer: Outgoing,
        then: Then,
    },
    /// Finished (or failed).
    Done,
}

/// A connection a [`Listener`](super::Listener) accepted, going through its opening
/// handshake without blocking: call [`Acceptor::advance`] whenever the descriptor it
/// names is ready, until it returns [`Step::Open`] (a [`WebSocket`] in the server role) or
/// an error: the request was refused ([`WsError::RequestRefused`], after the HTTP
/// error was sent), the client left, or the deadline passed
/// ([`WsError::HandshakeTimeout`]).
pub struct Acceptor {
    peer: SocketAddr,
    options: Arc<ServerOptions>,
    deadline: Option<Instant>,
    stage: Stage,
}

impl std::fmt::Debug for Acceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Acceptor")
            .field("peer", &self.peer)
            .finish()
    }
}

/// The upgrade request was not complete when the client closed the connection.
fn client_left() -> WsError {
    WsError::Io(io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the client closed the connection during the opening handshake",
    ))
}

impl Acceptor {
    /// Starts the handshake on a freshly accepted, non-blocking `sock`.
    pub(super) fn new(
        sock: TcpStream,
        peer: SocketAddr,
        options: Arc<ServerOptions>,
    ) -> Result<Acceptor, WsError> {
        let transport = match &options.tls {
            Some(config) => {
                Transport::tls(rustls::ServerConnection::new(Arc::clone(config))?, sock)
            }
            None => Transport::plain(sock),
        };
        Ok(Acceptor {
            peer,
            deadline: deadline_after(Some(options.limits.connect_timeout)),
            stage: Stage::Reading {
                transport,
                handshake: ServerHandshake::new(options.policy.clone()),
            },
            options,
        })
    }

    /// The client's address.
    pub fn peer_addr(&self) -> SocketAddr {
        self.peer
    }

    /// When the handshake gives up (`None`: a timeout too long to represent).
    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Makes as much progress as possible without blocking.
    pub fn advance(&mut self) -> Result<Step, WsError> {
        match self.step() {
            Ok(Next::Open(ws)) => Ok(Step::Open(ws)),
            Ok(Next::Wait(interest)) => self.wait(interest),
            Err(e) => {
                if let Stage::Reading { transport, .. } | Stage::Answering { transport, .. } =
                    &mut self.stage
                {
                    transport.shutdown();
                }
                self.stage = Stage::Done;
                Err(e)
            }
        }
    }

    /// The wait for the socket to be ready for `interest`.
    fn wait(&self, interest: Interest) -> Result<Step, WsError> {
        match &self.stage {
            Stage::Reading { transport, .. } | Stage::Answering { transport, .. } => {
                let fd = SharedFd::new(Arc::clone(transport.shared_tcp()));
                Ok(Step::Wait(fd, interest))
            }
            Stage::Done => Err(finished("acceptor")),
        }
    }

    /// Drives the handshake to its end, blocking until the deadline at most (or until
    /// [`ServerOptions::interrupt`] is set: [`WsError::Interrupted`]); the connection is
    /// returned in blocking mode.
    pub fn finish(mut self) -> Result<WebSocket, WsError> {
        let deadline = self.deadline;
        let options = Arc::clone(&self.options);
        block_until_open(&mut self, Acceptor::advance, deadline, &options.interrupt)
    }

    /// Advances as far as possible without blocking.
    fn step(&mut self) -> Result<Next, WsError> {
        loop {
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(WsError::HandshakeTimeout {
                    peer: self.peer.to_string(),
                    timeout: self.options.limits.connect_timeout,
                });
            }
            self.stage = match std::mem::replace(&mut self.stage, Stage::Done) {
                Stage::Reading {
                    mut transport,
                    mut handshake,
                } => match read_request(&mut transport, &mut handshake)? {
                    Some(answer) => answering(transport, answer),
                    None => {
                        let interest = if transport.tls_wants_write() {
                            Interest::Writable
                        } else {
                            Interest::Readable
                        };
                        self.stage = Stage::Reading {
                            transport,
                            handshake,
                        };
                        return Ok(Next::Wait(interest));
                    }
                },
                Stage::Answering {
                    mut transport,
                    mut answer,
                    then,
                } => match transport.flush(&mut answer) {
                    Ok(()) => {
                        return match then {
                            Then::Open {
                                request,
                                protocol,
                                deflate,
                                leftover,
                            } => Ok(self.open(transport, request, protocol, deflate, &leftover)),
                            Then::Refuse(e) => {
                                transport.shutdown();
                                Err(e)
                            }
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                        self.stage = Stage::Answering {
                            transport,
                            answer,
                            then,
                        };
                        return Ok(Next::Wait(Interest::Writable));
                    }
                    Err(e) => return Err(WsError::from_io(e, true, Role::Client)),
                },
                Stage::Done => return Err(finished("acceptor")),
            };
        }
    }

    /// The open connection in the server role, with permessage-deflate when `deflate`
    /// was agreed.
    fn open(
        &self,
        transport: Transport,
        request: Request,
        protocol: Option<String>,
        deflate: Option<DeflateParams>,
        leftover: &[u8],
    ) -> Next {
        let mut conn = Connection::with_role(self.options.limits, Role::Server);
        if let (Some(params), Some(settings)) = (deflate, &self.options.policy.deflate) {
            conn.set_deflate(PerMessageDeflate::for_server(params, settings.level));
        }
        conn.receive_bytes(leftover);
        let scheme = if self.options.tls.is_some() {
            "wss"
        } else {
            "ws"
        };
        let target = request.target();
        let url = format!("{scheme}://{}{target}", request.host);
        let mut ws = WebSocket::new(transport, conn, url, protocol);
        ws.set_interrupt(self.options.interrupt.clone());
        Next::Open(Box::new(ws.with_handshake(target, request.headers)))
    }
}

/// The stage that writes `answer`.
fn answering(transport: Transport, answer: Answer) -> Stage {
    let (bytes, then) = match answer {
        Answer::Accept {
            response,
            request,
            protocol,
            deflate,
            leftover,
        } => (
            response,
            Then::Open {
                request,
                protocol,
                deflate,
                leftover,
            },
        ),
        Answer::Reject {
            status,
            reason,
            response,
        } => (
            response,
            Then::Refuse(WsError::RequestRefused { status, reason }),
        ),
    };
    Stage::Answering {
        transport,
        answer: Outgoing { bytes, sent: 0 },
        then,
    }
}

/// Reads the request as far as the socket allows (writing what TLS has to say on the
/// way): the answer once the head is complete, `None` to wait.
fn read_request(
    transport: &mut Transport,
    handshake: &mut ServerHandshake,
) -> Result<Option<Answer>, WsError> {
    let mut buf = [0u8; 4096];
    let mut nothing = Outgoing {
        bytes: Vec::new(),
        sent: 0,
    };
    loop {
        match transport.flush(&mut nothing) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) => return Err(WsError::from_io(e, true, Role::Client)),
        }
        match transport.read(&mut buf) {
            Ok(0) => return Err(client_left()),
            Ok(n) => {
                if let Some(answer) = handshake.feed(&buf[..n]) {
                    return Ok(Some(answer));
                }
            }
            // TLS may have records of its own to send before the client goes on.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && transport.tls_wants_write() => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(None),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(WsError::from_io(e, true, Role::Client)),
        }
    }
}
