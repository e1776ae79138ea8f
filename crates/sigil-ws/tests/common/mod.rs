//! A real, independent WebSocket peer for the integration tests: a `tungstenite`
//! server on 127.0.0.1, optionally behind `rustls` with an `rcgen` certificate.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tungstenite::{Message, WebSocket};

/// Starts a server; `tls` wraps every accepted socket in TLS first.
pub fn start(tls: Option<Arc<rustls::ServerConfig>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let tls = tls.clone();
            thread::spawn(move || match tls {
                Some(cfg) => {
                    let conn = rustls::ServerConnection::new(cfg).unwrap();
                    handle(rustls::StreamOwned::new(conn, stream));
                }
                None => handle(stream),
            });
        }
    });
    addr
}

/// Starts a plain `ws://` server.
#[allow(dead_code)]
pub fn start_plain() -> SocketAddr {
    start(None)
}

#[allow(clippy::result_large_err)] // the callback signature is fixed by tungstenite
fn handle<S: Read + Write>(stream: S) {
    let mut path = String::new();
    let mut seen = String::new();
    let callback = |req: &Request, mut resp: Response| -> Result<Response, ErrorResponse> {
        path = req.uri().to_string();
        for name in ["host", "origin", "x-test", "sec-websocket-protocol"] {
            if let Some(v) = req.headers().get(name) {
                seen.push_str(&format!("{name}={};", v.to_str().unwrap()));
            }
        }
        if path.starts_with("/reject") {
            let mut err = ErrorResponse::new(Some("go away".into()));
            *err.status_mut() = tungstenite::http::StatusCode::FORBIDDEN;
            return Err(err);
        }
        if req.headers().contains_key("sec-websocket-protocol") {
            resp.headers_mut()
                .insert("sec-websocket-protocol", "chat".parse().unwrap());
        }
        Ok(resp)
    };
    let config = WebSocketConfig::default()
        .max_frame_size(Some(64 << 20))
        .max_message_size(Some(64 << 20));
    let Ok(mut ws) = tungstenite::accept_hdr_with_config(stream, callback, Some(config)) else {
        return;
    };
    if path.starts_with("/headers") {
        let _ = ws.send(Message::text(format!("path={path};{seen}")));
    }
    serve(&mut ws);
}

fn serve<S: Read + Write>(ws: &mut WebSocket<S>) {
    loop {
        let msg = match ws.read() {
            Ok(m) => m,
            Err(_) => return,
        };
        let reply = match msg {
            Message::Text(t) if t.as_str() == "close-me" => {
                let _ = ws.close(Some(CloseFrame {
                    code: CloseCode::from(4001),
                    reason: "bye".into(),
                }));
                continue;
            }
            Message::Text(t) if t.as_str() == "ping-me" => Message::Ping(b"srv".to_vec().into()),
            Message::Text(t) if t.as_str() == "fragments" => {
                // Sent as raw frames: a fragmented text message with a ping in between.
                let raw: &[&[u8]] = &[b"\x01\x03fra", b"\x89\x02hi", b"\x80\x04gm\xc3\xa9"];
                for part in raw {
                    let _ = ws.get_mut().write_all(part);
                }
                let _ = ws.get_mut().flush();
                continue;
            }
            Message::Pong(p) => Message::text(format!("got pong: {}", String::from_utf8_lossy(&p))),
            m @ (Message::Text(_) | Message::Binary(_)) => m,
            _ => continue,
        };
        if ws.send(reply).is_err() {
            return;
        }
    }
}

/// A self-signed certificate for `names`: (config for the server, certificate PEM).
#[allow(dead_code)]
pub fn tls_server_config(names: &[&str]) -> (Arc<rustls::ServerConfig>, Vec<u8>) {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let ck = rcgen::generate_simple_self_signed(names).unwrap();
    let cert = ck.cert.der().clone();
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(ck.signing_key.serialize_der().into());
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
    .unwrap();
    (Arc::new(cfg), ck.cert.pem().into_bytes())
}

/// Opens a raw TCP connection (for tests that misbehave on purpose).
#[allow(dead_code)]
pub fn raw_server(script: impl FnOnce(TcpStream) + Send + 'static) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        if let Ok((s, _)) = listener.accept() {
            script(s);
        }
    });
    addr
}
