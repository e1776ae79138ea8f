//! TLS listeners, checked with a rustls client that trusts the generated CA.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use sigil_testserver::{start, Config};
use tungstenite::Message;

fn client_config(ca_pem: &str) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

/// Opens TLS to 127.0.0.1:`port` expecting certificate name `name` and
/// completes the TLS handshake.
fn tls(
    config: &Arc<ClientConfig>,
    port: u16,
    name: &str,
) -> Result<StreamOwned<ClientConnection, TcpStream>, rustls::Error> {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let name = ServerName::try_from(name.to_string()).unwrap();
    let mut conn = ClientConnection::new(Arc::clone(config), name).unwrap();
    while conn.is_handshaking() {
        if let Err(e) = conn.complete_io(&mut tcp) {
            let inner = e.into_inner().expect("TLS error inside");
            return Err(*inner.downcast::<rustls::Error>().expect("rustls error"));
        }
    }
    Ok(StreamOwned::new(conn, tcp))
}

#[test]
fn wss_echo_and_certificate_failures() {
    let ca_out =
        std::env::temp_dir().join(format!("sigil-testserver-ca-{}.pem", std::process::id()));
    let srv = start(Config {
        ca_out: Some(ca_out.clone()),
        ..Config::with_all_tls()
    })
    .unwrap();
    let pem = srv.ca_pem().unwrap();
    assert_eq!(std::fs::read_to_string(&ca_out).unwrap(), pem);
    assert_eq!(srv.ca_path(), Some(ca_out.as_path()));
    let config = client_config(pem);

    for name in ["localhost", "127.0.0.1", "example.com"] {
        let stream = tls(&config, srv.tls_port().unwrap(), name).unwrap();
        let url = format!("wss://{name}/echo");
        let (mut ws, _) = tungstenite::client(url, stream).unwrap();
        ws.send(Message::text("secure")).unwrap();
        assert_eq!(ws.read().unwrap(), Message::text("secure"));
        ws.close(None).unwrap();
        while ws.read().is_ok() {}
    }

    let wrong = tls(&config, srv.wrong_name_port().unwrap(), "localhost").unwrap_err();
    assert!(
        matches!(
            wrong,
            rustls::Error::InvalidCertificate(
                rustls::CertificateError::NotValidForName
                    | rustls::CertificateError::NotValidForNameContext { .. }
            )
        ),
        "{wrong:?}"
    );
    assert!(tls(&config, srv.wrong_name_port().unwrap(), "wrong.invalid").is_ok());

    let untrusted = tls(&config, srv.untrusted_port().unwrap(), "localhost").unwrap_err();
    assert!(
        matches!(
            untrusted,
            rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
        ),
        "{untrusted:?}"
    );
    let _ = std::fs::remove_file(ca_out);
}

#[test]
fn binary_prints_ready_and_exits_on_stdin_eof() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigil-testserver"))
        .args(["--port", "0", "--tls-port", "0", "--exit-on-stdin-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[0], "READY", "{line}");
    let port: u16 = fields[1].strip_prefix("port=").unwrap().parse().unwrap();
    let tls_port: u16 = fields[2]
        .strip_prefix("tls_port=")
        .unwrap()
        .parse()
        .unwrap();
    assert!(port > 0 && tls_port > 0);
    assert_eq!(&fields[3..], ["wrong_name_port=0", "untrusted_port=0"]);

    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let (mut ws, _) = tungstenite::client(format!("ws://127.0.0.1:{port}/echo"), tcp).unwrap();
    ws.send(Message::text("cli")).unwrap();
    assert_eq!(ws.read().unwrap(), Message::text("cli"));

    let mut stdin = child.stdin.take().unwrap();
    stdin.flush().unwrap();
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
