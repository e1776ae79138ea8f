//! A small, independent WebSocket server used as a real peer by Sigil's test
//! harness and as the local echo server of the README demo.
//!
//! It deliberately shares no code with Sigil's own WebSocket client: the
//! well-behaved routes run on `tungstenite`, the hostile ones write raw bytes
//! on the socket, and TLS is `rustls` with certificates made by `rcgen` at
//! startup. See the crate's README for the routes.

#![warn(missing_docs)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod conn;
mod deflate;
mod deflate_echo;
mod hostile;
mod http;
pub mod load;
mod portlock;
mod proxy;
mod python;
mod routes;
mod server;
mod stall;
mod tls;

use std::fs;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

pub use load::{echo_load, LoadReport};
pub use portlock::{lock_named, lock_port_8080, PortLock, DEMO_PORT};
pub use proxy::{start_proxy, ProxyConfig, RunningProxy};
pub use python::{python_with_websockets, PythonDeflateServer, PYTHON_WEBSOCKETS_VERSION};
use server::{Flavor, State};

/// Names the TLS leaf certificate is valid for unless configured otherwise.
pub const DEFAULT_TLS_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "example.com"];

/// What to serve and where. Ports set to `Some(0)` (or `port: 0`) are picked
/// by the operating system; `None` leaves that listener out.
#[derive(Clone, Debug)]
pub struct Config {
    /// Address every listener binds to.
    pub bind: IpAddr,
    /// Port of the plain `ws://` listener.
    pub port: u16,
    /// Port of the `wss://` listener whose certificate the test CA signs.
    pub tls_port: Option<u16>,
    /// Names (DNS names or IP addresses) the trusted leaf is valid for.
    pub tls_names: Vec<String>,
    /// File to write the test CA certificate (PEM) to, if any.
    pub ca_out: Option<PathBuf>,
    /// Port of a `wss://` listener whose CA-signed leaf is valid only for
    /// `wrong.invalid`.
    pub wrong_name_port: Option<u16>,
    /// Port of a `wss://` listener with a self-signed leaf no CA vouches for.
    pub untrusted_port: Option<u16>,
    /// Log connections and hostile-case outcomes to stderr.
    pub verbose: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls_port: None,
            tls_names: DEFAULT_TLS_NAMES.iter().map(|s| s.to_string()).collect(),
            ca_out: None,
            wrong_name_port: None,
            untrusted_port: None,
            verbose: false,
        }
    }
}

impl Config {
    /// The default configuration with all three TLS listeners on free ports.
    pub fn with_all_tls() -> Self {
        Config {
            tls_port: Some(0),
            wrong_name_port: Some(0),
            untrusted_port: Some(0),
            ..Config::default()
        }
    }
}

/// A started server. Dropping it stops accepting new connections; those
/// already open finish on their own threads.
pub struct Running {
    ip: IpAddr,
    port: u16,
    tls_port: Option<u16>,
    wrong_name_port: Option<u16>,
    untrusted_port: Option<u16>,
    ca_pem: Option<String>,
    ca_path: Option<PathBuf>,
    stop: Arc<AtomicBool>,
    acceptors: Vec<(SocketAddr, JoinHandle<()>)>,
}

/// Pending connections a listener queues before the kernel drops new ones: enough for
/// a thousand clients connecting at once (std's `bind` asks for 128, and dropped
/// connection attempts are retried only after a second).
const BACKLOG: i32 = 1024;

/// A listening TCP socket on `ip`:`port` (0 = any free port) with a [`BACKLOG`] queue.
fn listen(ip: IpAddr, port: u16) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let addr = SocketAddr::new(ip, port);
    let sock = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    sock.set_reuse_address(true)?;
    sock.bind(&addr.into())?;
    sock.listen(BACKLOG)?;
    Ok(sock.into())
}

/// Binds every configured listener, generates the TLS material (writing the
/// CA to `config.ca_out` if set) and starts serving on background threads.
pub fn start(config: Config) -> io::Result<Running> {
    let any_tls = config.tls_port.is_some()
        || config.wrong_name_port.is_some()
        || config.untrusted_port.is_some();
    let ca = if any_tls {
        Some(tls::TestCa::generate()?)
    } else {
        None
    };
    let mut listeners = vec![(listen(config.bind, config.port)?, Flavor::Plain)];
    let mut tls_listener = |port: Option<u16>, make: &dyn Fn() -> io::Result<Flavor>| {
        port.map(|port| -> io::Result<u16> {
            let listener = listen(config.bind, port)?;
            let bound = listener.local_addr()?.port();
            listeners.push((listener, make()?));
            Ok(bound)
        })
        .transpose()
    };
    let tls_port = tls_listener(config.tls_port, &|| {
        let ca = ca.as_ref().expect("CA exists when TLS is on");
        Ok(Flavor::Tls(ca.server_config(&config.tls_names)?))
    })?;
    let wrong_name_port = tls_listener(config.wrong_name_port, &|| {
        let ca = ca.as_ref().expect("CA exists when TLS is on");
        Ok(Flavor::Tls(
            ca.server_config(&[tls::WRONG_NAME.to_string()])?,
        ))
    })?;
    let untrusted_port = tls_listener(config.untrusted_port, &|| {
        Ok(Flavor::Tls(tls::untrusted_config(&config.tls_names)?))
    })?;
    let ca_pem = ca.map(|ca| ca.pem().to_string());
    let ca_path = match (&ca_pem, config.ca_out) {
        (Some(pem), Some(path)) => {
            fs::write(&path, pem)?;
            Some(path)
        }
        _ => None,
    };
    let state = Arc::new(State::new(config.verbose));
    let stop = Arc::new(AtomicBool::new(false));
    let mut acceptors = Vec::new();
    for (listener, flavor) in listeners {
        let addr = listener.local_addr()?;
        let handle =
            server::spawn_acceptor(listener, flavor, Arc::clone(&state), Arc::clone(&stop))?;
        acceptors.push((addr, handle));
    }
    Ok(Running {
        ip: config.bind,
        port: acceptors[0].0.port(),
        tls_port,
        wrong_name_port,
        untrusted_port,
        ca_pem,
        ca_path,
        stop,
        acceptors,
    })
}

/// Starts a name server on `addr` (UDP and TCP) that reads every query and never
/// answers, so that a resolver asking it waits until its own timeout. It runs on
/// background threads for the life of the process; returns the UDP address bound.
pub fn start_dns_sink(addr: SocketAddr) -> io::Result<SocketAddr> {
    let udp = UdpSocket::bind(addr)?;
    let bound = udp.local_addr()?;
    let tcp = TcpListener::bind(bound)?;
    std::thread::Builder::new()
        .name("sigil-testserver-dns-udp".into())
        .spawn(move || {
            let mut query = [0u8; 1500];
            while udp.recv_from(&mut query).is_ok() {}
        })?;
    std::thread::Builder::new()
        .name("sigil-testserver-dns-tcp".into())
        .spawn(move || {
            let mut held = Vec::new();
            for conn in tcp.incoming().flatten() {
                held.push(conn);
            }
        })?;
    Ok(bound)
}

/// The raw bytes `/hostile/<case>` writes after its 101 response, for the
/// frame-level cases (`None` for unknown or handshake-level cases).
pub fn hostile_frame(case: &str) -> Option<Vec<u8>> {
    hostile::Case::parse(case)?.frame()
}

impl Running {
    /// Port of the plain `ws://` listener.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Port of the trusted `wss://` listener, if configured.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_port
    }

    /// Port of the wrong-host-name `wss://` listener, if configured.
    pub fn wrong_name_port(&self) -> Option<u16> {
        self.wrong_name_port
    }

    /// Port of the untrusted-certificate `wss://` listener, if configured.
    pub fn untrusted_port(&self) -> Option<u16> {
        self.untrusted_port
    }

    /// The test CA certificate in PEM form, when any TLS listener runs.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// Where the CA certificate was written, when `ca_out` was given.
    pub fn ca_path(&self) -> Option<&Path> {
        self.ca_path.as_deref()
    }

    /// `ws://<bind>:<port><path>` for the plain listener.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{path}", SocketAddr::new(self.ip, self.port))
    }

    /// The line the binary prints once every listener is bound:
    /// `READY port=<p> tls_port=<p|0> wrong_name_port=<p|0> untrusted_port=<p|0>`.
    pub fn ready_line(&self) -> String {
        format!(
            "READY port={} tls_port={} wrong_name_port={} untrusted_port={}",
            self.port,
            self.tls_port.unwrap_or(0),
            self.wrong_name_port.unwrap_or(0),
            self.untrusted_port.unwrap_or(0)
        )
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for (addr, handle) in self.acceptors.drain(..) {
            let mut wake = addr;
            if wake.ip().is_unspecified() {
                wake.set_ip(match wake.ip() {
                    IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
                });
            }
            // Only join an acceptor that is sure to see the stop flag.
            if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok() {
                let _ = handle.join();
            }
        }
    }
}
