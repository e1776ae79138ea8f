//! Python `websockets` as a second independent peer (it speaks permessage-deflate and
//! can be a client or a server): a virtual environment with a pinned `websockets`,
//! created under the Cargo target directory on first use, so `cargo test` needs no
//! set-up step beyond a `python3` with the `venv` module and access to PyPI.
//!
//! `SIGIL_TEST_PYTHON` names an interpreter to use instead (one that can already
//! `import websockets`).

use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::portlock::lock_named;

/// The `websockets` release the tests run against.
pub const PYTHON_WEBSOCKETS_VERSION: &str = "17.4";

/// A Python interpreter that can `import websockets` (at
/// [`PYTHON_WEBSOCKETS_VERSION`] unless `SIGIL_TEST_PYTHON` says otherwise),
/// creating the virtual environment on first use. Safe to call from several test
/// processes at once: they take turns behind a lock.
pub fn python_with_websockets() -> io::Result<PathBuf> {
    if let Some(p) = std::env::var_os("SIGIL_TEST_PYTHON") {
        return Ok(PathBuf::from(p));
    }
    let venv = target_dir()?.join(format!("python-websockets-{PYTHON_WEBSOCKETS_VERSION}"));
    let python = venv.join("bin").join("python");
    let _lock = lock_named("python-websockets")?;
    if !imports_websockets(&python) {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("websockets=={PYTHON_WEBSOCKETS_VERSION}"),
        ]))?;
        if !imports_websockets(&python) {
            return Err(io::Error::other(format!(
                "{} cannot import websockets after installing it",
                python.display()
            )));
        }
    }
    Ok(python)
}

/// How long the Python server may take to start listening.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// `py/deflate_server.py`: a Python `websockets` server on 127.0.0.1 that speaks
/// permessage-deflate, each connection configured by its URL's query string (see the
/// script). Stopped when dropped (its standard input closes, then it is killed).
pub struct PythonDeflateServer {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
}

impl PythonDeflateServer {
    /// Starts the server on a free port (creating the virtual environment first if
    /// needed, see [`python_with_websockets`]) and waits until it listens.
    pub fn start() -> io::Result<PythonDeflateServer> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("py/deflate_server.py");
        let mut child = Command::new(python_with_websockets()?)
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| io::Error::other("no stdout"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = PythonDeflateServer {
            child,
            stdin,
            port: 0,
        };
        let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
        server.port = line
            .trim()
            .strip_prefix("READY port=")
            .and_then(|p| p.parse().ok())
            .ok_or_else(|| {
                io::Error::other(format!("deflate_server.py did not start: {line:?}"))
            })?;
        Ok(server)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `ws://127.0.0.1:<port><path_and_query>`.
    pub fn url(&self, path_and_query: &str) -> String {
        format!("ws://127.0.0.1:{}{path_and_query}", self.port)
    }
}

impl Drop for PythonDeflateServer {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether `python` exists and imports `websockets`.
fn imports_websockets(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args(["-c", "import websockets"])
            .output()
            .is_ok_and(|o| o.status.success())
}

/// Runs a set-up command, turning a failure into an error that shows its output.
fn run(cmd: &mut Command) -> io::Result<()> {
    let out = cmd.output().map_err(|e| {
        io::Error::new(e.kind(), format!("cannot run {:?}: {e}", cmd.get_program()))
    })?;
    if out.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "{cmd:?} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )))
}

/// The Cargo target directory: `CARGO_TARGET_DIR`, or the `target` directory that
/// holds the running test executable (`target/<profile>/deps/<test>`).
fn target_dir() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let exe = std::env::current_exe()?;
    exe.ancestors()
        .find(|p| p.file_name().is_some_and(|n| n == "target"))
        .or_else(|| exe.ancestors().nth(3))
        .map(Path::to_path_buf)
        .ok_or_else(|| io::Error::other("cannot find the Cargo target directory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_interpreter_imports_the_pinned_websockets() {
        let python = python_with_websockets().expect("python with websockets");
        let out = Command::new(python)
            .args(["-c", "import websockets; print(websockets.__version__)"])
            .output()
            .expect("run python");
        assert!(out.status.success());
        let version = String::from_utf8_lossy(&out.stdout);
        if std::env::var_os("SIGIL_TEST_PYTHON").is_none() {
            assert_eq!(version.trim(), PYTHON_WEBSOCKETS_VERSION);
        }
    }
}
