//! A Sigil server script run by the `sigil` binary in its own process, for the tests of
//! Sigil servers against independent clients.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// How long [`SigilServer::wait`] waits for the server to exit before it kills it.
const EXIT_LIMIT: Duration = Duration::from_secs(30);

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A Sigil server script running in its own process; killed when dropped.
pub struct SigilServer {
    child: Child,
    stdout: BufReader<ChildStdout>,
    /// Its standard error, when kept ([`SigilServer::start_keeping_stderr`]).
    stderr: Option<ChildStderr>,
    pub port: u16,
}

/// How a server process ended ([`SigilServer::wait`]).
pub struct Exited {
    pub status: ExitStatus,
    /// What it printed after the lines already read.
    pub stdout: String,
    /// Its standard error, when kept.
    pub stderr: String,
}

impl SigilServer {
    /// Runs `script` (relative to the repository) with arguments `args`, and reads
    /// the port from its first line ("... on ws://localhost:PORT/ ...").
    pub fn start(script: &str, args: &[&str]) -> SigilServer {
        Self::spawn(script, args, Stdio::inherit())
    }

    /// Like [`SigilServer::start`], keeping its standard error for [`SigilServer::wait`].
    pub fn start_keeping_stderr(script: &str, args: &[&str]) -> SigilServer {
        Self::spawn(script, args, Stdio::piped())
    }

    fn spawn(script: &str, args: &[&str], stderr: Stdio) -> SigilServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sigil"))
            .arg(repo().join(script))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start sigil");
        let stderr = child.stderr.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let line = Self::line(&mut stdout);
        let port = line
            .split("ws://localhost:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{script} printed {line:?}"));
        SigilServer {
            child,
            stdout,
            stderr,
            port,
        }
    }

    fn line(stdout: &mut BufReader<ChildStdout>) -> String {
        let mut line = String::new();
        stdout.read_line(&mut line).expect("server output");
        line
    }

    /// The next line the server prints.
    pub fn next_line(&mut self) -> String {
        Self::line(&mut self.stdout)
    }

    /// Sends it SIGINT, as Ctrl-C in its terminal would.
    pub fn interrupt(&self) {
        // SAFETY: kill(2) on our own child's process id.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as i32, libc::SIGINT) },
            0
        );
    }

    /// Waits for the server to exit (killing it after [`EXIT_LIMIT`], which fails the
    /// test): its status and the rest of its output.
    pub fn wait(mut self) -> Exited {
        let start = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("waiting for sigil") {
                break status;
            }
            if start.elapsed() > EXIT_LIMIT {
                let _ = self.child.kill();
                panic!("the server did not exit within {EXIT_LIMIT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stdout = String::new();
        self.stdout
            .read_to_string(&mut stdout)
            .expect("server output");
        let mut stderr = String::new();
        if let Some(e) = &mut self.stderr {
            e.read_to_string(&mut stderr).expect("server errors");
        }
        Exited {
            status,
            stdout,
            stderr,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("ws://localhost:{}{path}", self.port)
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server process's resident memory, in KiB.
    pub fn rss_kib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("read /proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmRSS line")
    }
}

impl Drop for SigilServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
