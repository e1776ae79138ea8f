//! Listening sockets, per-connection threads and state shared between them.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use rustls::{ServerConfig, ServerConnection, StreamOwned};

use crate::conn::Conn;
use crate::routes;

/// State shared by every connection of one server.
pub(crate) struct State {
    verbose: bool,
    /// Refusals handed out so far per `/flaky/<id>/..` id.
    flaky: Mutex<HashMap<String, u32>>,
}

impl State {
    /// Creates the state; `verbose` enables logging to stderr.
    pub(crate) fn new(verbose: bool) -> Self {
        State {
            verbose,
            flaky: Mutex::new(HashMap::new()),
        }
    }

    /// Prints a line to stderr when running with `--verbose`.
    pub(crate) fn log(&self, args: fmt::Arguments<'_>) {
        if self.verbose {
            eprintln!("sigil-testserver: {args}");
        }
    }

    /// Counts one attempt for flaky `id`; true while fewer than `n` attempts
    /// have been refused, meaning this one must be refused as well.
    pub(crate) fn flaky_refuse(&self, id: &str, n: u32) -> bool {
        let mut counts = self.flaky.lock().unwrap_or_else(|e| e.into_inner());
        let refused = counts.entry(id.to_string()).or_insert(0);
        if *refused < n {
            *refused += 1;
            true
        } else {
            false
        }
    }
}

/// Whether a listener speaks plain TCP or TLS with a given configuration.
#[derive(Clone)]
pub(crate) enum Flavor {
    /// Unencrypted `ws://`.
    Plain,
    /// `wss://` with this rustls server configuration.
    Tls(Arc<ServerConfig>),
}

/// Runs the accept loop of `listener` on a new thread, one thread per
/// connection, until `stop` is set (and the listener woken by a connection).
pub(crate) fn spawn_acceptor(
    listener: TcpListener,
    flavor: Flavor,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
) -> io::Result<JoinHandle<()>> {
    thread::Builder::new()
        .name("sigil-testserver-accept".into())
        .spawn(move || {
            for incoming in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                match incoming {
                    Ok(tcp) => {
                        let flavor = flavor.clone();
                        let conn_state = Arc::clone(&state);
                        let spawned = thread::Builder::new()
                            .name("sigil-testserver-conn".into())
                            .spawn(move || handle(tcp, flavor, &conn_state));
                        if let Err(e) = spawned {
                            state.log(format_args!("cannot spawn connection thread: {e}"));
                        }
                    }
                    Err(e) => {
                        state.log(format_args!("accept failed: {e}"));
                        thread::sleep(Duration::from_millis(10));
                    }
                }
            }
        })
}

/// Wraps `tcp` according to `flavor` and serves it.
fn handle(tcp: TcpStream, flavor: Flavor, state: &State) {
    let _ = tcp.set_nodelay(true);
    let conn: Box<dyn Conn> = match flavor {
        Flavor::Plain => Box::new(tcp),
        Flavor::Tls(config) => match ServerConnection::new(config) {
            Ok(tls) => Box::new(StreamOwned::new(tls, tcp)),
            Err(e) => {
                state.log(format_args!("TLS setup failed: {e}"));
                return;
            }
        },
    };
    routes::serve(conn, state);
}
