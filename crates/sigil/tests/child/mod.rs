//! Runs the `sigil` binary on a script as a child process and reports its output and
//! its peak resident memory (`VmHWM` of `/proc/<pid>/status`, sampled
//! while it runs), killing it if it runs too long or grows too big.

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
