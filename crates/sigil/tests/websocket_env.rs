//! The environment variables read by sigil-ws, seen from Scheme: `SSL_CERT_FILE` (extra
//! trusted roots) and `SIGIL_RESOLVE` (name-resolution override). This binary holds a
//! single test because it changes the process environment.

use sigil_testserver::Config;

#[test]
fn ssl_cert_file_and_sigil_resolve() {
    let ca =
        std::env::temp_dir().join(format!("sigil-websocket-env-ca-{}.pem", std::process::id()));
    let srv = sigil_testserver::start(Config {
        tls_port: Some(0),
        ca_out: Some(ca.clone()),
        ..Config::default()
    })
    .expect("test server starts");
    let port = srv.tls_port().unwrap();
    let mut interp = sigil::interpreter();
    let src = "(import (sigil websocket))
               (define conn (ws-connect \"wss://example.com/echo\" '((timeout . 5))))";

    // Without the CA the certificate is not trusted.
    std::env::set_var("SIGIL_RESOLVE", format!("example.com:443=127.0.0.1:{port}"));
    interp.eval_str(src).unwrap();
    let err = interp.eval_str("(ws-last-error)").unwrap();
    assert!(
        interp.display(err).contains("not trusted"),
        "{}",
        interp.display(err)
    );

    std::env::set_var("SSL_CERT_FILE", &ca);
    interp.eval_str(src).unwrap();
    let v = interp.eval_str("(ws-connection-socket conn)").unwrap();
    assert_eq!(interp.write(v), "#<tls-connection example.com:443>");
    let v = interp
        .eval_str("(ws-send conn \"env\") (ws-message-data (ws-receive conn))")
        .unwrap();
    assert_eq!(interp.write(v), "\"env\"");
    interp.eval_str("(ws-close conn)").unwrap();
    let _ = std::fs::remove_file(ca);
}
