//! Deadlines and memory bounds of `(sigil websocket)` against slow, chatty and stalled
//! peers (issue 13). Each test runs a `sigil` child process against
//! `sigil-testserver` routes that misbehave in exactly one way (see its README,
//! "hostile routes"), and asserts how long each operation took, with a generous margin,
//! and, for the memory cases, the child's peak RSS.
//!
//! Timeouts are short (0.5 s) to keep the suite fast; the operations they bound used to
//! take tens of seconds or never end.

mod child;

use std::sync::OnceLock;

use child::{assert_took, hwm_kib, timing};

use sigil_testserver::{Config, Running};

/// The shared test server, with a `wss://` listener.
fn server() -> &'static Running {
    static SERVER: OnceLock<Running> = OnceLock::new();
    SERVER.get_or_init(|| {
        sigil_testserver::start(Config {
            tls_port: Some(0),
            ..Config::default()
        })
        .expect("test server")
    })
}

/// Runs `body` after the prelude, asserting that `sigil` succeeds.
fn run(body: &str) -> child::Run {
    child::run_program(server().port(), body)
}

/// Finding 1: a server that never reads and floods pings used to grow a task's memory
/// by ~100 MiB/s (pongs queued without limit) and `ws-receive` never returned.
/// Finding 2: the same without a scheduler blocked for ever writing a pong.
#[test]
fn ping_flood_keeps_memory_bounded_and_receive_returns() {
    let run = run(r#"
(define opts '((read-timeout . 1) (close-timeout . 0.3)))
(define (flooded)
  (let* ((c (ws-connect (url "/hostile/ping-flood") opts)) (r (outcome c)))
    (ws-close c)
    r))
(timed "task" (lambda () (async-run flooded)))
(timed "blocking" flooded)
(say "peak: " (hwm))
"#);
    let out = &run.stdout;
    assert_took(out, "task", 1000, "timed out");
    assert_took(out, "blocking", 1000, "timed out");
    let peak = hwm_kib(out, "peak").max(run.peak_rss_kib);
    assert!(peak < 48 << 10, "peak RSS {peak} KiB\n{out}");
}

/// Finding 3: `read-timeout` limited each socket read, not the call: bytes dribbled one
/// at a time, a heartbeat ping, unsolicited pongs or endless empty continuation frames
/// kept `ws-receive` waiting for ever.
#[test]
fn read_timeout_bounds_the_whole_receive() {
    let run = run(r#"
(define opts '((read-timeout . 0.5) (close-timeout . 0.5)))
(define (case label path)
  (let ((c (ws-connect (url path) opts)))
    (timed label (lambda () (outcome c)))
    (say label " state: " (ws-connection-state c))
    (ws-close c)))
(case "dribble-20" "/hostile/dribble/20/100")
(case "dribble-100" "/hostile/dribble/100/100")
(case "heartbeat" "/hostile/ping-every/100")
(case "pongs" "/hostile/pong-every/100")
(case "continuations" "/hostile/empty-continuations/20")
"#);
    let out = &run.stdout;
    // A deadline that cuts a frame in half fails the connection with 1006.
    for label in ["dribble-20", "dribble-100"] {
        assert_took(
            out,
            label,
            500,
            "timed out waiting for the server in the middle of a frame (1006)",
        );
        assert!(out.contains(&format!("{label} state: closed")), "{out}");
    }
    // Otherwise the connection stays usable.
    for label in ["heartbeat", "pongs", "continuations"] {
        assert_took(out, label, 500, "failed: timed out waiting for the server");
        assert!(out.contains(&format!("{label} state: open")), "{out}");
    }
}

/// Finding 4: inside tasks `read-timeout` was ignored: after one message from a server
/// that then goes quiet, the next `ws-receive` parked for ever. The deadline also holds
/// against a heartbeat inside a task, and the wait parks only its task.
#[test]
fn read_timeout_holds_inside_tasks() {
    let run = run(r#"
(define opts '((read-timeout . 0.5) (close-timeout . 0.5)))
(define ticks 0)
(async-run
  (lambda ()
    (let ((ticker (spawn (lambda ()
                           (let loop ()
                             (when (< ticks 5) (sleep 0.05) (set! ticks (+ ticks 1)) (loop))))))
          (c (ws-connect (url "/hostile/one-then-quiet") opts))
          (h (ws-connect (url "/hostile/ping-every/100") opts)))
      (timed "first" (lambda () (outcome c)))
      (timed "quiet" (lambda () (outcome c)))
      (say "ticked meanwhile: " (= ticks 5))
      (timed "heartbeat" (lambda () (outcome h)))
      (say "still open: " (ws-connected? c) " " (ws-connected? h))
      (ws-close c)
      (ws-close h)
      (await ticker))))
"#);
    let out = &run.stdout;
    let (ms, first) = timing(out, "first");
    assert!(ms < 1000 && first == "hello", "{out}");
    assert_took(
        out,
        "quiet",
        500,
        "failed: timed out waiting for the server",
    );
    assert_took(
        out,
        "heartbeat",
        500,
        "failed: timed out waiting for the server",
    );
    assert!(out.contains("ticked meanwhile: #t"), "{out}");
    assert!(out.contains("still open: #t #t"), "{out}");
}

/// Finding 5: a server answering our close frame with the header of a 100 000-byte
/// frame and then one byte per interval kept `ws-close` (close-timeout 2) blocked past
/// 40 s. Now the close timeout is one deadline for the whole close, blocking or in a task.
#[test]
fn close_timeout_bounds_the_whole_close() {
    let run = run(r#"
(define opts '((close-timeout . 0.5)))
(define (close-slowly)
  (let ((c (ws-connect (url "/hostile/close-dribble/100") opts)))
    (ws-close c)
    (ws-connection-state c)))
(timed "blocking" close-slowly)
(timed "task" (lambda () (async-run close-slowly)))
"#);
    let out = &run.stdout;
    assert_took(out, "blocking", 500, "closed");
    assert_took(out, "task", 500, "closed");
}

/// Finding 6: there was no write timeout: a send to a server that never reads blocked
/// for ever, a script sending to several such servers never got past the first, and in
/// tasks the senders parked for ever (and `async-run` never returned after its main
/// task ended).
#[test]
fn write_timeout_bounds_every_send() {
    let run = run(r#"
(define opts '((write-timeout . 0.5) (close-timeout . 0.3)))
(define big (make-bytevector 33554432 7))
(define (send-to-stalled)
  (let ((c (ws-connect (url "/hostile/never-read") opts)))
    (let ((r (raised (lambda () (ws-send c big)))))
      (string-append r " / " (symbol->string (ws-connection-state c))))))
(timed "first" send-to-stalled)
(timed "second" send-to-stalled)
(timed "third" send-to-stalled)
(timed "tasks" (lambda ()
  (async-run
    (lambda ()
      (apply string-append
             (map await (map (lambda (i) (spawn send-to-stalled)) '(1 2 3))))))))
;; Senders without a write timeout are abandoned when the main task ends.
(timed "abandoned" (lambda ()
  (async-run
    (lambda ()
      (let ((c (ws-connect (url "/hostile/never-read") '((write-timeout . #f)))))
        (spawn (lambda () (ws-send c big) (say "never printed")))
        (yield)
        'main-done)))))
"#);
    let out = &run.stdout;
    for label in ["first", "second", "third", "tasks"] {
        assert_took(out, label, 500, "timed out writing to the server");
        assert!(timing(out, label).1.ends_with("/ closed"), "{out}");
    }
    assert_eq!(
        timing(out, "tasks").1.matches("timed out writing").count(),
        3,
        "{out}"
    );
    let (ms, result) = timing(out, "abandoned");
    assert!(ms < 1000 && result == "main-done", "{out}");
    assert!(!out.contains("never printed"), "{out}");
}

/// A fragmented message used to peak at 1.6x its size (reassembly buffer growth); it
/// is now received into one buffer. Peak RSS above the idle process: at most 1.1x.
#[test]
fn fragmented_64_mib_message_stays_within_1_1_times_its_size() {
    const SIZE: u64 = 64 << 20;
    for fragment in [1 << 20, 16 << 20, 65_536 * 3 + 7] {
        let run = run(&format!(
            r#"
(define c (ws-connect (url "/fragmented-big/{SIZE}/{fragment}") '((read-timeout . 20))))
(say "idle: " (hwm))
(define m (ws-receive c))
(say "length: " (bytevector-length (ws-message-data m)))
(say "check: " (bytevector-u8-ref (ws-message-data m) 1000))
(say "peak: " (hwm))
(ws-close c)
"#
        ));
        let out = &run.stdout;
        assert!(out.contains(&format!("length: {SIZE}\n")), "{out}");
        assert!(out.contains(&format!("check: {}\n", 1000 % 251)), "{out}");
        let grown = (hwm_kib(out, "peak") - hwm_kib(out, "idle")) << 10;
        assert!(
            grown * 10 <= SIZE * 11,
            "fragments of {fragment}: grew {} KiB for a {} KiB message\n{out}",
            grown >> 10,
            SIZE >> 10
        );
    }
}

/// The same deadlines hold over TLS: a ping flood, a heartbeat and a peer that never
/// reads, blocking and in tasks.
#[test]
fn tls_connections_keep_the_same_deadlines() {
    let srv = server();
    let run = run(&format!(
        r#"
(define (wss path)
  (string-append "wss://localhost:{port}" path))
(define opts '((ca-pem . "{ca}") (read-timeout . 0.5) (write-timeout . 0.5) (close-timeout . 0.3)))
(define (receive-from path)
  (let* ((c (ws-connect (wss path) opts)) (r (outcome c)))
    (ws-close c)
    r))
(define (send-to-stalled)
  (let ((c (ws-connect (wss "/hostile/never-read") opts)))
    (raised (lambda () (ws-send c (make-bytevector 33554432 1))))))
(timed "flood" (lambda () (receive-from "/hostile/ping-flood")))
(timed "flood-task" (lambda () (async-run (lambda () (receive-from "/hostile/ping-flood")))))
(timed "heartbeat-task" (lambda () (async-run (lambda () (receive-from "/hostile/ping-every/100")))))
(say "peak: " (hwm))
(timed "stalled" send-to-stalled)
(timed "stalled-task" (lambda () (async-run send-to-stalled)))
"#,
        port = srv.tls_port().expect("TLS port"),
        ca = srv.ca_pem().expect("CA")
    ));
    let out = &run.stdout;
    for label in ["flood", "flood-task", "heartbeat-task"] {
        assert_took(out, label, 500, "timed out waiting for the server");
    }
    for label in ["stalled", "stalled-task"] {
        assert_took(out, label, 500, "timed out writing to the server");
    }
    // The floods keep memory bounded over TLS too.
    let peak = hwm_kib(out, "peak");
    assert!(peak < 48 << 10, "peak RSS {peak} KiB\n{out}");
}

/// Keepalive (issue 9): a server that stops answering is detected within
/// `ping-interval` + `ping-timeout` (1011, "keepalive ping timeout"), blocking and in a
/// task, over TCP and TLS; one that answers keeps its connection.
#[test]
fn keepalive_detects_a_silent_server() {
    let srv = server();
    let run = run(&format!(
        r#"
(define keepalive '((ping-interval . 0.3) (ping-timeout . 0.3) (close-timeout . 0.3)))
(define (silent url . more)
  (let* ((c (ws-connect url (append more keepalive))) (r (outcome c)))
    (string-append r " / " (symbol->string (ws-connection-state c)))))
(timed "blocking" (lambda () (silent (url "/hostile/never-read"))))
(timed "task" (lambda () (async-run (lambda () (silent (url "/hostile/never-read"))))))
(timed "tls" (lambda ()
  (silent (string-append "wss://localhost:{port}/hostile/never-read") '(ca-pem . "{ca}"))))
(define (answered)
  (let* ((c (ws-connect (url "/echo")
                        '((ping-interval . 0.1) (ping-timeout . 0.2) (read-timeout . 0.6))))
         (r (outcome c)))
    (string-append r " / " (symbol->string (ws-connection-state c)))))
(timed "answered" answered)
(timed "answered-task" (lambda () (async-run answered)))
"#,
        port = srv.tls_port().expect("TLS port"),
        ca = srv.ca_pem().expect("CA")
    ));
    let out = &run.stdout;
    for label in ["blocking", "task", "tls"] {
        assert_took(out, label, 600, "failed: keepalive ping timeout");
        assert!(timing(out, label).1.ends_with("/ closed"), "{out}");
    }
    for label in ["answered", "answered-task"] {
        assert_took(
            out,
            label,
            600,
            "failed: timed out waiting for the server / open",
        );
    }
}

/// Keepalive does not penalise a script that was busy elsewhere: the pong that arrived
/// meanwhile (here 100 ms after the ping, when the receive had returned) is read before
/// the overdue pong fails anything.
#[test]
fn keepalive_counts_pongs_that_arrived_while_the_script_was_busy() {
    let run = run(r#"
(define opts '((ping-interval . 0.05) (ping-timeout . 0.2) (read-timeout . 0.08)))
(define (late)
  (let ((c (ws-connect (url "/hostile/pong-after/100") opts)))
    (say "first: " (outcome c))
    (sleep 0.5)
    (say "late: " (outcome c))
    (ws-connection-state c)))
(say "blocking: " (late))
(say "task: " (async-run late))
"#);
    let out = &run.stdout;
    assert_eq!(
        out.matches("late: failed: timed out waiting for the server\n")
            .count(),
        2,
        "{out}"
    );
    assert!(out.contains("blocking: open\n"), "{out}");
    assert!(out.ends_with("task: open\n"), "{out}");
}
