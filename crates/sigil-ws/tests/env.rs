//! `SSL_CERT_FILE` and `SIGIL_RESOLVE` feed the same trust and resolution paths as
//! the options. This binary holds a single test because it sets process environment.

mod common;

use sigil_ws::{connect, CloseFrame, ConnectOptions, Event, Message};

#[test]
fn ssl_cert_file_and_sigil_resolve() {
    let (cfg, pem) = common::tls_server_config(&["env.sigil.test"]);
    let addr = common::start(Some(cfg));
    let path = std::env::temp_dir().join(format!("sigil-ws-test-{}.pem", std::process::id()));
    std::fs::write(&path, &pem).unwrap();
    std::env::set_var("SSL_CERT_FILE", &path);
    std::env::set_var(
        "SIGIL_RESOLVE",
        format!("other:1=127.0.0.1:1, env.sigil.test:8443={addr}"),
    );
    let result = connect("wss://env.sigil.test:8443/echo", &ConnectOptions::default());
    std::fs::remove_file(&path).unwrap();
    let mut c = result.unwrap();
    assert_eq!(c.peer_addr().unwrap(), addr);
    c.send_text("via env").unwrap();
    assert_eq!(
        c.receive().unwrap(),
        Event::Message(Message::Text("via env".into()))
    );
    c.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}
