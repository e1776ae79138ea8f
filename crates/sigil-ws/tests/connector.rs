//! The non-blocking [`Connector`], driven by a `poll(2)` loop over many connections at
//! once, against the tungstenite test servers (plain and TLS).

mod common;

use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use sigil_ws::{
    CloseFrame, ConnectOptions, Connector, Event, Interest, Limits, Message, ResolveOverride, Step,
    WebSocket, WsError,
};

/// Drives every connector to completion from one thread, waiting with `poll(2)` on
/// the descriptors they name; returns each outcome in order.
fn drive_all(mut connectors: Vec<Connector>) -> Vec<Result<WebSocket, WsError>> {
    let mut results: Vec<Option<Result<WebSocket, WsError>>> =
        connectors.iter().map(|_| None).collect();
    let mut waits = vec![None; connectors.len()];
    let mut rounds = 0;
    loop {
        for (i, c) in connectors.iter_mut().enumerate() {
            if results[i].is_some() {
                continue;
            }
            match c.advance() {
                Ok(Step::Open(client)) => results[i] = Some(Ok(*client)),
                Ok(Step::Wait(fd, interest)) => waits[i] = Some((fd.as_fd().as_raw_fd(), interest)),
                Err(e) => results[i] = Some(Err(e)),
            }
        }
        let mut fds: Vec<libc::pollfd> = waits
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.is_none())
            .filter_map(|(w, _)| *w)
            .map(|(fd, interest)| libc::pollfd {
                fd,
                events: match interest {
                    Interest::Readable => libc::POLLIN,
                    Interest::Writable => libc::POLLOUT,
                },
                revents: 0,
            })
            .collect();
        if fds.is_empty() {
            break;
        }
        rounds += 1;
        assert!(rounds < 10_000, "connectors keep asking to wait");
        // SAFETY: `fds` is a valid array of initialised pollfds for the call's duration.
        unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 100) };
    }
    results.into_iter().map(Option::unwrap).collect()
}

fn echo(mut c: WebSocket, text: &str) {
    c.set_nonblocking(false).unwrap();
    c.send_text(text).unwrap();
    assert_eq!(
        c.receive().unwrap(),
        Event::Message(Message::Text(text.into()))
    );
    c.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}

#[test]
fn many_connections_open_concurrently_through_the_resolver_pool() {
    let addr = common::start_plain();
    // "localhost" goes through the DNS pool; the literal address does not.
    let urls: Vec<String> = (0..40)
        .map(|i| match i % 2 {
            0 => format!("ws://localhost:{}/echo", addr.port()),
            _ => format!("ws://{addr}/echo"),
        })
        .collect();
    let connectors = urls
        .iter()
        .map(|u| Connector::start(u, &ConnectOptions::default()).unwrap())
        .collect();
    for (i, result) in drive_all(connectors).into_iter().enumerate() {
        let client = result.unwrap_or_else(|e| panic!("{}: {e}", urls[i]));
        assert_eq!(client.url(), urls[i]);
        echo(client, &format!("hello {i}"));
    }
}

#[test]
fn tls_connections_open_without_blocking() {
    let (cfg, pem) = common::tls_server_config(&["sigil.test"]);
    let addr = common::start(Some(cfg));
    let options = ConnectOptions {
        root_certs_pem: vec![pem],
        resolve: vec![ResolveOverride {
            host: "sigil.test".into(),
            port: 443,
            addr,
        }],
        ..Default::default()
    };
    let connectors = (0..8)
        .map(|_| Connector::start("wss://sigil.test/echo", &options).unwrap())
        .collect();
    for (i, result) in drive_all(connectors).into_iter().enumerate() {
        let client = result.unwrap();
        assert!(client.is_tls());
        echo(client, &format!("secure {i}"));
    }
    // Without the extra root the certificate is rejected, still without blocking.
    let untrusted = ConnectOptions {
        root_certs_pem: vec![],
        ..options
    };
    let results = drive_all(vec![
        Connector::start("wss://sigil.test/echo", &untrusted).unwrap()
    ]);
    let err = results.into_iter().next().unwrap().unwrap_err();
    assert!(matches!(err, WsError::TlsUntrustedCertificate(_)), "{err}");
}

#[test]
fn failures_are_reported_per_connection() {
    let good = common::start_plain();
    let refused = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let silent = common::raw_server(|_s| std::thread::sleep(Duration::from_millis(1500)));
    let options = ConnectOptions {
        limits: Limits {
            connect_timeout: Duration::from_millis(300),
            ..Limits::default()
        },
        ..Default::default()
    };
    let start = |u: String| Connector::start(&u, &options).unwrap();
    let connectors = vec![
        start(format!("ws://{refused}/")),
        start("ws://no-such-host.invalid/".into()),
        start(format!("ws://{silent}/")),
        start(format!("ws://{good}/echo")),
    ];
    let started = Instant::now();
    let mut results = drive_all(connectors).into_iter();
    let err = results.next().unwrap().unwrap_err();
    assert!(matches!(err, WsError::ConnectionRefused { .. }), "{err}");
    let err = results.next().unwrap().unwrap_err();
    assert!(matches!(err, WsError::Dns { .. }), "{err}");
    let err = results.next().unwrap().unwrap_err();
    assert!(matches!(err, WsError::ConnectTimeout { .. }), "{err}");
    echo(results.next().unwrap().unwrap(), "still fine");
    assert!(started.elapsed() < Duration::from_secs(1));
    // Bad URLs fail at once, before any I/O.
    assert!(matches!(
        Connector::start("http://x/", &options),
        Err(WsError::UnsupportedScheme(_))
    ));
}

#[test]
fn a_wait_shares_the_connectors_descriptor_and_keeps_it_open() {
    // A server that accepts and then says nothing: the upgrade waits for its answer.
    let silent = common::raw_server(|_s| std::thread::sleep(Duration::from_millis(500)));
    let mut c = Connector::start(&format!("ws://{silent}/"), &ConnectOptions::default()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let (fd, again) = loop {
        assert!(
            Instant::now() < deadline,
            "the connector never waited for the answer"
        );
        match c.advance().unwrap() {
            Step::Wait(fd, Interest::Readable) => match c.advance().unwrap() {
                // Still waiting for the answer, on the same descriptor.
                Step::Wait(again, Interest::Readable) => break (fd, again),
                _ => continue,
            },
            Step::Wait(fd, Interest::Writable) => {
                sigil_ws::connector::wait_for(fd, Interest::Writable, Some(deadline)).unwrap()
            }
            Step::Open(_) => panic!("a silent server cannot open a connection"),
        }
    };
    // The same descriptor each time: nothing is duplicated.
    assert_eq!(fd.as_fd().as_raw_fd(), again.as_fd().as_raw_fd());
    drop(c);
    // The connection's socket, open after the connector is gone.
    let peer = socket2::SockRef::from(&fd).peer_addr().unwrap();
    assert_eq!(peer.as_socket(), Some(silent));
}
