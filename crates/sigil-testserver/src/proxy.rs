//! A small forwarding proxy for testing clients' proxy support: HTTP `CONNECT` (RFC 9110
//! §9.3.6) and SOCKS5 (RFC 1928, the client naming the host) on one port, told apart
//! by the first byte. It can demand a user name and password (Basic for HTTP, RFC 1929
//! for SOCKS5) and answers like a real proxy: 407 without them or with wrong ones, 403
//! for a target it is told to deny, 502 when the target cannot be reached; otherwise it
//! relays bytes both ways. Every request is logged, so a test can tell whether its
//! connection went through the proxy. Shares no code with Sigil's client.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use base64::Engine;

/// How long the proxy waits for a client's request, and for a target to accept.
const WAIT: Duration = Duration::from_secs(10);

/// What the proxy demands and refuses.
#[derive(Clone, Debug, Default)]
pub struct ProxyConfig {
    /// The user name and password it demands, if any.
    pub credentials: Option<(String, String)>,
    /// Targets (`host:port`, as the client names them) refused with 403 (SOCKS5: "not
    /// allowed by ruleset").
    pub deny: Vec<String>,
}

/// A running proxy. It stops accepting when dropped.
pub struct RunningProxy {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<String>>>,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl RunningProxy {
    /// Its address (127.0.0.1 and a free port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far, one line each: `CONNECT host:port 200` (or the refusal
    /// code), `SOCKS5 host:port 0` (or the reply code).
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for RunningProxy {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

/// Starts a proxy on 127.0.0.1 (a free port) on background threads.
pub fn start_proxy(config: ProxyConfig) -> io::Result<RunningProxy> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let log = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (config, served_log, stopped) = (Arc::new(config), Arc::clone(&log), Arc::clone(&stop));
    thread::Builder::new()
        .name("sigil-testserver-proxy".into())
        .spawn(move || {
            for conn in listener.incoming() {
                if stopped.load(std::sync::atomic::Ordering::SeqCst) {
                    return;
                }
                let Ok(conn) = conn else { continue };
                let (config, log) = (Arc::clone(&config), Arc::clone(&served_log));
                let _ = thread::Builder::new()
                    .name("sigil-testserver-proxy-conn".into())
                    .spawn(move || {
                        let _ = serve(conn, &config, &log);
                    });
            }
        })?;
    Ok(RunningProxy { addr, log, stop })
}

/// Serves one client: HTTP `CONNECT` or SOCKS5, then the relay.
fn serve(client: TcpStream, config: &ProxyConfig, log: &Mutex<Vec<String>>) -> io::Result<()> {
    client.set_read_timeout(Some(WAIT))?;
    let mut reader = BufReader::new(client.try_clone()?);
    let socks = reader.fill_buf()?.first() == Some(&5);
    let (line, upstream) = if socks {
        socks5(&mut reader, &client, config)?
    } else {
        http_connect(&mut reader, &client, config)?
    };
    if let Ok(mut l) = log.lock() {
        l.push(line);
    }
    let Some(upstream) = upstream else {
        return client.shutdown(Shutdown::Write);
    };
    client.set_read_timeout(None)?;
    // The client speaks first after the answer, so nothing is left in the buffer.
    relay(client, upstream)
}

/// Copies bytes both ways until either side ends.
fn relay(client: TcpStream, upstream: TcpStream) -> io::Result<()> {
    let (mut from_client, mut to_upstream) = (client.try_clone()?, upstream.try_clone()?);
    let forward = thread::spawn(move || {
        let _ = io::copy(&mut from_client, &mut to_upstream);
        let _ = to_upstream.shutdown(Shutdown::Write);
    });
    let (mut from_upstream, mut to_client) = (upstream, client);
    let _ = io::copy(&mut from_upstream, &mut to_client);
    let _ = to_client.shutdown(Shutdown::Write);
    let _ = forward.join();
    Ok(())
}

/// Connects to `target` (`host:port`) for the client.
fn reach(target: &str) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in target.to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, WAIT) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// An HTTP `CONNECT` exchange: the log line, and the upstream connection if granted.
fn http_connect(
    reader: &mut BufReader<TcpStream>,
    mut client: &TcpStream,
    config: &ProxyConfig,
) -> io::Result<(String, Option<TcpStream>)> {
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("Proxy-Authorization") {
                authorization = Some(value.trim().to_string());
            }
        }
    }
    let mut parts = request.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    let expected = config.credentials.as_ref().map(|(user, password)| {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        format!("Basic {token}")
    });
    let (status, upstream) = if method != "CONNECT" {
        ("405 Method Not Allowed", None)
    } else if expected.is_some() && authorization != expected {
        ("407 Proxy Authentication Required", None)
    } else if config.deny.iter().any(|d| d == target) {
        ("403 Forbidden", None)
    } else {
        match reach(target) {
            Ok(s) => ("200 Connection established", Some(s)),
            Err(_) => ("502 Bad Gateway", None),
        }
    };
    let challenge = if status.starts_with("407") {
        "Proxy-Authenticate: Basic realm=\"sigil-testserver\"\r\n"
    } else {
        ""
    };
    let body = if upstream.is_some() { "" } else { "refused\n" };
    let length = if upstream.is_some() {
        String::new()
    } else {
        format!("Content-Length: {}\r\n", body.len())
    };
    write!(client, "HTTP/1.1 {status}\r\n{challenge}{length}\r\n{body}")?;
    client.flush()?;
    let code = &status[..3];
    Ok((format!("CONNECT {target} {code}"), upstream))
}

/// A SOCKS5 exchange: the log line, and the upstream connection if granted.
fn socks5(
    reader: &mut BufReader<TcpStream>,
    mut client: &TcpStream,
    config: &ProxyConfig,
) -> io::Result<(String, Option<TcpStream>)> {
    let mut head = [0u8; 2];
    reader.read_exact(&mut head)?;
    let mut methods = vec![0u8; usize::from(head[1])];
    reader.read_exact(&mut methods)?;
    let wanted = if config.credentials.is_some() { 2 } else { 0 };
    if !methods.contains(&wanted) {
        client.write_all(&[5, 0xff])?;
        return Ok(("SOCKS5 no acceptable method".into(), None));
    }
    client.write_all(&[5, wanted])?;
    if let Some((user, password)) = &config.credentials {
        let mut version = [0u8];
        reader.read_exact(&mut version)?;
        let (u, p) = (counted(reader)?, counted(reader)?);
        let ok = u == user.as_bytes() && p == password.as_bytes();
        client.write_all(&[1, if ok { 0 } else { 1 }])?;
        if !ok {
            return Ok(("SOCKS5 bad credentials".into(), None));
        }
    }
    let mut request = [0u8; 4];
    reader.read_exact(&mut request)?;
    let host = match request[3] {
        1 => {
            let mut a = [0u8; 4];
            reader.read_exact(&mut a)?;
            IpAddr::from(a).to_string()
        }
        4 => {
            let mut a = [0u8; 16];
            reader.read_exact(&mut a)?;
            format!("[{}]", Ipv6Addr::from(a))
        }
        _ => String::from_utf8_lossy(&counted(reader)?).into_owned(),
    };
    let mut port = [0u8; 2];
    reader.read_exact(&mut port)?;
    let target = format!("{host}:{}", u16::from_be_bytes(port));
    let (code, upstream) = if config.deny.contains(&target) {
        (2, None)
    } else {
        match reach(&target) {
            Ok(s) => (0, Some(s)),
            Err(_) => (5, None),
        }
    };
    client.write_all(&[5, code, 0, 1, 0, 0, 0, 0, 0, 0])?;
    Ok((format!("SOCKS5 {target} {code}"), upstream))
}

/// A field of SOCKS5: a length byte, then that many bytes.
fn counted(reader: &mut impl Read) -> io::Result<Vec<u8>> {
    let mut len = [0u8];
    reader.read_exact(&mut len)?;
    let mut v = vec![0u8; usize::from(len[0])];
    reader.read_exact(&mut v)?;
    Ok(v)
}
