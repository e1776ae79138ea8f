//! A Sigil server script run by the `sigil` binary in its own process, for the tests of
//! Sigil servers against independent clients.
#![allow(dead_code)] // each test binary uses its own part

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A Sigil server script running in its own process; killed when dropped.
pub struct SigilServer {
    child: Child,
    stdout: BufReader<ChildStdout>,
    pub port: u16,
}

impl SigilServer {
    /// Runs `script` (relative to the repository) with arguments `args`, and reads
    /// the port from its first line ("... on ws://localhost:PORT/ ...").
    pub fn start(script: &str, args: &[&str]) -> SigilServer {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sigil"))
            .arg(repo().join(script))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start sigil");
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
