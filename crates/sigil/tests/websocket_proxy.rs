//! Proxies and redirects of `ws-connect` (issue 9, part 3), against the forwarding
//! proxy (HTTP `CONNECT` and SOCKS5) and the redirecting routes of `sigil-testserver`:
//! the `proxy` option, the environment variables, authentication, refusals, `no_proxy`,
//! TLS through the tunnel, redirect chains, loops and a downgrade attempt. Each case runs
//! the `sigil` binary on a script; the proxy's log tells whether a connection went
//! through it.

mod child;

use std::sync::OnceLock;

use sigil_testserver::{start_proxy, Config, ProxyConfig, Running, RunningProxy};

/// The shared test server, with `wss://` listeners.
fn server() -> &'static Running {
    static SERVER: OnceLock<Running> = OnceLock::new();
    SERVER.get_or_init(|| sigil_testserver::start(Config::with_all_tls()).expect("test server"))
}

/// Definitions for the scripts: `url`, `wss`, `say`, `try` (prints what a connect and
/// one echo gave) and `ca`.
fn prelude() -> String {
    let srv = server();
    format!(
        r#"(import (sigil websocket))
(define (url path) (string-append "ws://127.0.0.1:{port}" path))
(define (wss port path) (string-append "wss://localhost:" (number->string port) path))
(define tls-port {tls})
(define wrong-name-port {wrong})
(define ca '(ca-pem . "{ca}"))
(define (say . xs) (for-each display xs) (newline))
;; Connects to u with options, sends one message and prints "LABEL: reply | URL" or
;; "LABEL: #f | error".
(define (try label u options)
  (let ((c (ws-connect u options)))
    (if c
        (begin
          (ws-send c "hi")
          (let ((m (ws-receive c)))
            (say label ": " (if (ws-message? m) (ws-message-data m) m)
                 " | " (ws-connection-url c)))
          (ws-close c))
        (say label ": #f | " (ws-last-error)))))
"#,
        port = srv.port(),
        tls = srv.tls_port().unwrap(),
        wrong = srv.wrong_name_port().unwrap(),
        ca = srv.ca_pem().unwrap(),
    )
}

/// Runs `body` after the prelude with `env`, asserting success; its output.
fn run(body: &str, env: &[(&str, &str)]) -> String {
    let program = format!("{}{body}", prelude());
    let run = child::run(&program, env);
    assert!(run.success, "{}\n{}\n{body}", run.stdout, run.stderr);
    run.stdout
}

/// The line printed for `label`.
fn line<'a>(out: &'a str, label: &str) -> &'a str {
    out.lines()
        .find(|l| l.starts_with(&format!("{label}: ")))
        .unwrap_or_else(|| panic!("no line for {label} in:\n{out}"))
}

/// The requests the proxy logged after the first `seen`.
fn new_requests(proxy: &RunningProxy, seen: usize) -> Vec<String> {
    proxy.requests()[seen..].to_vec()
}

#[test]
fn http_proxy_from_the_option_over_ws_and_wss() {
    let proxy = start_proxy(ProxyConfig::default()).unwrap();
    let srv = server();
    let out = run(
        &format!(
            r#"(define p '(proxy . "{proxy}"))
(try "ws" (url "/echo") (list p))
(try "wss" (wss tls-port "/echo") (list p ca))
(try "wrong-name" (wss wrong-name-port "/echo") (list p ca))
(import (sigil async))
(async-run (lambda () (try "task" (wss tls-port "/echo") (list p ca))))
"#,
            proxy = proxy.http_url()
        ),
        &[],
    );
    let url = srv.ws_url("/echo");
    assert_eq!(line(&out, "ws"), format!("ws: hi | {url}"));
    let tls = srv.tls_port().unwrap();
    assert_eq!(
        line(&out, "wss"),
        format!("wss: hi | wss://localhost:{tls}/echo")
    );
    assert_eq!(
        line(&out, "task"),
        format!("task: hi | wss://localhost:{tls}/echo")
    );
    // The origin server's certificate is still checked through the tunnel.
    assert!(
        line(&out, "wrong-name").contains("does not match the host name"),
        "{out}"
    );
    let wrong = srv.wrong_name_port().unwrap();
    assert_eq!(
        proxy.requests(),
        [
            format!("CONNECT 127.0.0.1:{} 200", srv.port()),
            format!("CONNECT localhost:{tls} 200"),
            format!("CONNECT localhost:{wrong} 200"),
            format!("CONNECT localhost:{tls} 200"),
        ]
    );
}

#[test]
fn proxy_authentication_and_refusals() {
    let srv = server();
    let denied = format!("localhost:{}", srv.port());
    let proxy = start_proxy(ProxyConfig {
        credentials: Some(("user".into(), "p@ss word".into())),
        deny: vec![denied.clone()],
    })
    .unwrap();
    let port = proxy.addr().port();
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = run(
        &format!(
            r#"(define (via p) (list (cons 'proxy p)))
(try "none" (url "/echo") (via "http://127.0.0.1:{port}"))
(try "wrong" (url "/echo") (via "http://user:guess@127.0.0.1:{port}"))
(try "right" (url "/echo") (via "http://user:p%40ss%20word@127.0.0.1:{port}"))
(try "denied" "ws://{denied}/echo" (via "http://user:p%40ss%20word@127.0.0.1:{port}"))
(try "unreachable" "ws://127.0.0.1:{closed}/" (via "http://user:p%40ss%20word@127.0.0.1:{port}"))
(try "no-proxy-there" (url "/echo") (via "http://127.0.0.1:{closed}"))
(say "bad: " (guard (e (#t (error-object-message e))) (ws-connect (url "/") (via "ftp://x"))))
"#
        ),
        &[],
    );
    for label in ["none", "wrong"] {
        let l = line(&out, label);
        assert!(
            l.contains("wants authentication") && l.contains("HTTP 407"),
            "{l}"
        );
    }
    assert!(
        line(&out, "wrong").contains("http://user:***@127.0.0.1"),
        "{out}"
    );
    assert!(!out.contains("guess") && !out.contains("p%40ss"), "{out}");
    assert_eq!(
        line(&out, "right"),
        format!("right: hi | {}", srv.ws_url("/echo"))
    );
    assert!(
        line(&out, "denied").ends_with(&format!(
            "refused the tunnel to {denied}: HTTP 403 Forbidden"
        )),
        "{out}"
    );
    assert!(
        line(&out, "unreachable").ends_with("HTTP 502 Bad Gateway"),
        "{out}"
    );
    assert!(
        line(&out, "no-proxy-there").contains(&format!(
            "proxy http://127.0.0.1:{closed}: connection refused"
        )),
        "{out}"
    );
    assert!(
        line(&out, "bad").contains("option proxy: invalid argument: proxy \"ftp://x\""),
        "{out}"
    );
}

#[test]
fn environment_variables_choose_the_proxy() {
    let proxy = start_proxy(ProxyConfig::default()).unwrap();
    let srv = server();
    let p = proxy.http_url();
    let body = r#"(try "ws" (url "/echo") '())
(try "wss" (wss tls-port "/echo") (list ca))
(try "localhost" (string-append "ws://localhost:" (number->string (+ 0 {port})) "/echo") '())
(try "direct" (url "/echo") '((proxy . #f)))
"#
    .replace("{port}", &srv.port().to_string());
    // What each set of variables sends through the proxy, by label.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (&[("http_proxy", &p)], &["ws", "localhost"]),
        (&[("HTTP_PROXY", &p)], &["ws", "localhost"]),
        (&[("https_proxy", &p)], &["wss"]),
        (&[("HTTPS_PROXY", &p)], &["wss"]),
        (&[("all_proxy", &p)], &["ws", "wss", "localhost"]),
        (
            &[("ALL_PROXY", &p), ("no_proxy", "127.0.0.1")],
            &["wss", "localhost"],
        ),
        (
            &[("all_proxy", &p), ("NO_PROXY", "example.com, .localhost")],
            &["ws"],
        ),
        (&[("all_proxy", &p), ("no_proxy", "*")], &[]),
        (
            &[("http_proxy", ""), ("all_proxy", &p)],
            &["ws", "wss", "localhost"],
        ),
        (
            &[("https_proxy", "http://127.0.0.1:1"), ("wss_proxy", &p)],
            &["wss"],
        ),
    ];
    for (env, proxied) in cases {
        let seen = proxy.requests().len();
        let out = run(&body, env);
        for label in ["ws", "wss", "localhost", "direct"] {
            assert!(line(&out, label).contains(": hi | "), "{env:?}: {out}");
        }
        let requests = new_requests(&proxy, seen);
        assert_eq!(requests.len(), proxied.len(), "{env:?}: {requests:?}");
        let tls = srv.tls_port().unwrap();
        for (label, target) in [
            ("ws", format!("127.0.0.1:{}", srv.port())),
            ("wss", format!("localhost:{tls}")),
            ("localhost", format!("localhost:{}", srv.port())),
        ] {
            let through = requests.iter().any(|r| r.contains(&target));
            assert_eq!(
                through,
                proxied.contains(&label),
                "{env:?} {label}: {requests:?}"
            );
        }
    }
    // A malformed variable is an error, naming it.
    let program = format!(
        "{}(say (guard (e (#t (error-object-message e))) (ws-connect (url \"/\"))))",
        prelude()
    );
    let run = child::run(&program, &[("http_proxy", "gopher://p")]);
    assert!(run.stdout.contains("(from http_proxy)"), "{}", run.stdout);
}

#[test]
fn socks5_proxy() {
    let proxy = start_proxy(ProxyConfig {
        credentials: Some(("u".into(), "pw".into())),
        deny: Vec::new(),
    })
    .unwrap();
    let port = proxy.addr().port();
    let srv = server();
    let out = run(
        &format!(
            r#"(define p '(proxy . "socks5h://u:pw@127.0.0.1:{port}"))
(try "ws" (url "/echo") (list p))
(try "wss" (wss tls-port "/echo") (list p ca))
(try "anonymous" (url "/echo") '((proxy . "socks5h://127.0.0.1:{port}")))
(try "closed" "ws://127.0.0.1:1/" (list p))
"#
        ),
        &[],
    );
    assert_eq!(
        line(&out, "ws"),
        format!("ws: hi | {}", srv.ws_url("/echo"))
    );
    assert!(
        line(&out, "wss").starts_with("wss: hi | wss://localhost:"),
        "{out}"
    );
    assert!(
        line(&out, "anonymous").contains("no acceptable authentication"),
        "{out}"
    );
    assert!(
        line(&out, "closed").contains("SOCKS5: connection refused"),
        "{out}"
    );
    let tls = srv.tls_port().unwrap();
    assert_eq!(
        proxy.requests(),
        [
            format!("SOCKS5 127.0.0.1:{} 0", srv.port()),
            format!("SOCKS5 localhost:{tls} 0"),
            "SOCKS5 no acceptable method".to_string(),
            "SOCKS5 127.0.0.1:1 5".to_string(),
        ]
    );
}

#[test]
fn redirects_are_followed_up_to_a_limit_and_never_to_plain_ws_from_wss() {
    let srv = server();
    let port = srv.port();
    let out = run(
        &format!(
            r#"(try "chain" (url "/redirect/301/redirect/302/redirect/303/redirect/307/redirect/308/echo") '())
(try "loop" (url "/redirect-loop") '())
(try "limit" (url "/redirect/301/redirect/302/redirect/303/echo") '((max-redirects . 2)))
(try "off" (url "/redirect/302/echo") '((max-redirects . 0)))
(try "upgrade" (url (string-append "/redirect-to/307/wss/localhost:" (number->string tls-port) "/echo")) (list ca))
(try "downgrade" (wss tls-port "/redirect-to/302/ws/127.0.0.1:{port}/echo") (list ca))
(try "not-ws" (url "/redirect-to/302/https/127.0.0.1:{port}/echo") '())
(define (head u)
  (let ((c (ws-connect u '((headers . (("Authorization" . "Bearer secret") ("X-Token" . "kept")))))))
    (let ((m (ws-message-data (ws-receive c))))
      (ws-close c)
      m)))
(define same (head (url "/redirect/302/request-head")))
(define other (head (url "/redirect-to/302/ws/localhost:{port}/request-head")))
(say "same-origin: " (and (string-contains same "Bearer secret") #t)
     " " (and (string-contains same "X-Token: kept") #t))
(say "cross-origin: " (and (string-contains other "Bearer secret") #t)
     " " (and (string-contains other "X-Token: kept") #t))
"#
        ),
        &[],
    );
    assert_eq!(
        line(&out, "chain"),
        format!("chain: hi | {}", srv.ws_url("/echo"))
    );
    assert!(
        line(&out, "loop").contains("too many redirects (more than 10; the last one to"),
        "{out}"
    );
    assert!(line(&out, "limit").contains("more than 2"), "{out}");
    assert!(
        line(&out, "off").ends_with("HTTP 302 Found (Location: /echo)"),
        "{out}"
    );
    let tls = srv.tls_port().unwrap();
    assert_eq!(
        line(&out, "upgrade"),
        format!("upgrade: hi | wss://localhost:{tls}/echo")
    );
    assert!(
        line(&out, "downgrade").ends_with(&format!(
            "cannot follow the redirect to ws://127.0.0.1:{port}/echo: it would leave TLS \
             (wss:// to ws://)"
        )),
        "{out}"
    );
    assert!(
        line(&out, "not-ws").contains("cannot follow the redirect to https://"),
        "{out}"
    );
    assert!(out.contains("same-origin: #t #t\n"), "{out}");
    assert!(out.contains("cross-origin: #f #t\n"), "{out}");
}

#[test]
fn redirects_through_a_proxy_open_a_tunnel_per_hop() {
    let proxy = start_proxy(ProxyConfig::default()).unwrap();
    let srv = server();
    let port = srv.port();
    let out = run(
        &format!(
            r#"(try "hops" (url "/redirect-to/302/ws/localhost:{port}/echo") '((proxy . "{p}")))"#,
            p = proxy.http_url()
        ),
        &[],
    );
    assert_eq!(
        line(&out, "hops"),
        format!("hops: hi | ws://localhost:{port}/echo")
    );
    assert_eq!(
        proxy.requests(),
        [
            format!("CONNECT 127.0.0.1:{port} 200"),
            format!("CONNECT localhost:{port} 200"),
        ]
    );
}
