//! Runs the `sigil` binary on a script as a child process and reports its output and
//! its peak resident memory (`VmHWM` of `/proc/<pid>/status`, sampled
//! while it runs), killing it if it runs too long or grows too big. Programs can start
//! with a [`prelude`] of helpers that time operations, and the helpers below read what
//! they print.
#![allow(dead_code)] // each test binary uses its own part

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A child that outlives this is killed and the test fails.
pub const LIMIT: Duration = Duration::from_secs(30);

/// A child whose resident memory passes this is killed and the test fails.
pub const MAX_RSS_KIB: u64 = 2 << 20;

/// What a run of `sigil` produced.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub success: bool,
    /// Largest `VmHWM` seen, in KiB.
    pub peak_rss_kib: u64,
}

/// `VmHWM` of process `pid` in KiB, if it can be read.
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A fresh path for a script file.
fn script_path() -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("sigil-child-{}-{n}.sgl", std::process::id()))
}

/// Runs `sigil SCRIPT` (the program text written to a temporary file) with `env` added
/// to its environment. Panics if it runs past [`LIMIT`] or grows past [`MAX_RSS_KIB`].
pub fn run(program: &str, env: &[(&str, &str)]) -> Run {
    let path = script_path();
    std::fs::write(&path, program).expect("script written");
    let mut child = Command::new(env!("CARGO_BIN_EXE_sigil"))
        .arg(&path)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sigil starts");
    let start = Instant::now();
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_string(&mut text);
            }
            text
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = peak_rss_kib(child.id()) {
            peak = peak.max(kib);
        }
        match child.try_wait().expect("waiting for sigil") {
            Some(status) => break status,
            None if start.elapsed() > LIMIT || peak > MAX_RSS_KIB => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = std::fs::remove_file(&path);
                panic!(
                    "sigil killed after {:?} at {peak} KiB peak RSS; stdout so far:\n{}\nprogram:\n{program}",
                    start.elapsed(),
                    out.join().unwrap_or_default()
                );
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let _ = std::fs::remove_file(&path);
    Run {
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
        success: status.success(),
        peak_rss_kib: peak,
    }
}

/// Definitions every program starts with: `url` (for a server on `port`), `say`,
/// `timed`, `outcome`, `raised`, `hwm`.
pub fn prelude(port: u16) -> String {
    format!(
        r#"(import (sigil websocket) (sigil async) (scheme time))
(define (url path) (string-append "ws://127.0.0.1:{port}" path))
(define (say . xs) (for-each display xs) (newline))
;; Runs thunk and prints "LABEL MS: RESULT", MS the milliseconds it took.
(define (timed label thunk)
  (let* ((t0 (current-jiffy)) (r (thunk)) (t1 (current-jiffy)))
    (say label " " (quotient (* 1000 (- t1 t0)) (jiffies-per-second)) ": " r)))
;; What ws-receive gave, as text.
(define (outcome c)
  (let ((m (ws-receive c)))
    (cond ((ws-message? m) (ws-message-data m))
          ((eq? m 'closed) "closed")
          (else (string-append "failed: " (ws-last-error))))))
;; The message of the condition a thunk raises, or "returned".
(define (raised thunk)
  (guard (e (#t (error-object-message e))) (thunk) "returned"))
;; The VmHWM line of this process.
(define (hwm)
  (call-with-input-file "/proc/self/status"
    (lambda (p)
      (let loop ((l (read-line p)))
        (cond ((eof-object? l) "VmHWM: unknown")
              ((and (> (string-length l) 6) (string=? (substring l 0 6) "VmHWM:")) l)
              (else (loop (read-line p))))))))
"#,
    )
}

/// Runs `body` after the [`prelude`] for a server on `port`, asserting success.
pub fn run_program(port: u16, body: &str) -> Run {
    let program = format!("{}{body}", prelude(port));
    let run = run(&program, &[]);
    assert!(
        run.success,
        "sigil failed:\n{}\n{}\nprogram:\n{body}",
        run.stdout, run.stderr
    );
    run
}

/// The `LABEL MS: RESULT` line printed by `timed` for `label`: (ms, result).
pub fn timing<'a>(out: &'a str, label: &str) -> (u64, &'a str) {
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("{label} ")))
        .unwrap_or_else(|| panic!("no line for {label} in:\n{out}"));
    let (head, result) = line.split_once(": ").expect("label ms: result");
    let ms = head[label.len() + 1..].parse().expect("milliseconds");
    (ms, result)
}

/// Asserts that `label` took about `expected_ms` (not less: the deadline is not cut
/// short; at most `expected_ms` + 1.5 s) and that its result contains `fragment`.
pub fn assert_took(out: &str, label: &str, expected_ms: u64, fragment: &str) {
    let (ms, result) = timing(out, label);
    assert!(
        ms + 50 >= expected_ms && ms <= expected_ms + 1500,
        "{label}: took {ms} ms, expected about {expected_ms} ms\n{out}"
    );
    assert!(
        result.contains(fragment),
        "{label}: expected {fragment:?} in {result:?}"
    );
}

/// The KiB of a `VmHWM:` line printed after `label: `.
pub fn hwm_kib(out: &str, label: &str) -> u64 {
    let line = out
        .lines()
        .find(|l| l.starts_with(&format!("{label}: VmHWM:")))
        .unwrap_or_else(|| panic!("no {label} line in:\n{out}"));
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}
