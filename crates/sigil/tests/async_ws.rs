//! `(sigil async)` with real WebSocket traffic: 1 000 concurrent connections to an
//! independent echo server (sigil-testserver, tungstenite), 100 messages each, all inside
//! one scheduler, every echo checked.

use sigil_testserver::{start, Config};

#[test]
fn thousand_connections_in_one_scheduler() {
    let server = start(Config::default()).expect("echo server starts");
    let mut interp = sigil::interpreter();
    let program = format!(
        r#"
        (import (sigil websocket) (sigil async))
        (define url "ws://127.0.0.1:{port}/echo")
        (define (client i)
          (let ((conn (ws-connect url)))
            (let loop ((k 0) (ok 0))
              (if (< k 100)
                  (let ((text (string-append "m" (number->string i) "-" (number->string k))))
                    (ws-send conn text)
                    (let ((msg (ws-receive conn)))
                      (loop (+ k 1)
                            (if (and (ws-message? msg)
                                     (string=? (ws-message-data msg) text))
                                (+ ok 1)
                                ok))))
                  (begin (ws-close conn) ok)))))
        (async-run
          (lambda ()
            (let ((tasks (map (lambda (i) (spawn (lambda () (client i)))) (iota 1000))))
              (apply + (map await tasks)))))
        "#,
        port = server.port()
    );
    let v = interp.eval_str(&program).expect("program runs");
    assert_eq!(
        interp.write(v),
        "100000",
        "every echo must come back intact"
    );
}

#[test]
fn large_sends_park_instead_of_blocking_other_tasks() {
    let server = start(Config::default()).expect("echo server starts");
    let mut interp = sigil::interpreter();
    let program = format!(
        r#"
        (import (sigil websocket) (sigil async))
        (define conn (ws-connect "ws://127.0.0.1:{port}/echo"))
        (define ticks 0)
        (define done #f)
        (define (ticker) (unless done (set! ticks (+ ticks 1)) (yield) (ticker)))
        (define (bulk)
          (let loop ((i 0) (ok 0))
            (if (< i 8)
                (let ((data (make-bytevector 1048576 i)))
                  (ws-send-binary conn data)
                  (ws-ping conn "still here")
                  (let ((msg (ws-receive conn)))
                    (loop (+ i 1)
                          (if (equal? (ws-message-data msg) data) (+ ok 1) ok))))
                (begin (set! done #t) ok))))
        (define result
          (async-run (lambda () (spawn ticker) (await (spawn bulk)))))
        (ws-close conn)
        (list result (> ticks 0) (ws-connection-state conn))
        "#,
        port = server.port()
    );
    let v = interp.eval_str(&program).expect("program runs");
    assert_eq!(interp.write(v), "(8 #t closed)");
}

#[test]
fn wss_connections_park_in_the_scheduler() {
    let server = start(Config {
        tls_port: Some(0),
        ..Config::default()
    })
    .expect("TLS echo server starts");
    let ca = server.ca_pem().expect("CA generated").to_string();
    let mut interp = sigil::interpreter();
    let program = format!(
        r#"
        (import (sigil websocket) (sigil async))
        (define (client i)
          (let ((conn (ws-connect "wss://localhost:{port}/echo" '((ca-pem . "{ca}")))))
            (let loop ((k 0) (ok 0))
              (if (< k 20)
                  (let ((text (string-append "tls-" (number->string i) "-" (number->string k))))
                    (ws-send conn text)
                    (let ((msg (ws-receive conn)))
                      (loop (+ k 1) (if (equal? (ws-message-data msg) text) (+ ok 1) ok))))
                  (begin (ws-close conn) ok)))))
        (define ticks 0)
        (async-run
          (lambda ()
            (let* ((tasks (map (lambda (i) (spawn (lambda () (client i)))) (iota 20)))
                   (ticker (spawn (lambda ()
                                    (let tick ()
                                      (when (< ticks 3)
                                        (sleep 0.01)
                                        (set! ticks (+ ticks 1))
                                        (tick))))))
                   (echoes (apply + (map await tasks)))
                   ;; 20 TLS handshakes take far longer than one 10 ms tick: the ticker
                   ;; ran while the clients were parked
                   (ticked-meanwhile (> ticks 0)))
              (await ticker)
              (list echoes ticked-meanwhile ticks))))
        "#,
        port = server.tls_port().expect("TLS port"),
        ca = ca
    );
    let v = interp.eval_str(&program).expect("program runs");
    assert_eq!(interp.write(v), "(400 #t 3)");
}
