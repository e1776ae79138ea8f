//! Cross-process locks: on the fixed port 8080, shared by every harness that
//! starts a server there (the golden WebSocket tests, the demo's tests), so
//! they take turns instead of failing with "address in use"; and on any other
//! named resource that test processes set up once (see [`lock_named`]).
//!
//! The lock is a file in the temporary directory created with
//! `OpenOptions::create_new` and holding the owner's process id. A lock whose
//! owner is gone (a killed test run) is removed and taken over: on Linux by
//! checking `/proc/<pid>`, elsewhere once the file is older than
//! [`STALE_AGE`].

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// The port the README demo and the golden WebSocket tests listen on.
pub const DEMO_PORT: u16 = 8080;

/// How long a lock waits for another holder before giving up.
const WAIT: Duration = Duration::from_secs(300);

/// Age after which a lock whose owner cannot be checked counts as stale.
const STALE_AGE: Duration = Duration::from_secs(600);

/// Age after which an empty lock file (owner died between creating and
/// writing it) counts as stale.
const EMPTY_STALE_AGE: Duration = Duration::from_secs(30);

/// Holds a lock until dropped.
#[derive(Debug)]
pub struct PortLock {
    path: PathBuf,
}

impl PortLock {
    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for PortLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Waits (up to five minutes) until no other holder, in this or another
/// process, has the port-8080 lock, then takes it. Hold the returned guard
/// for as long as the port is in use.
pub fn lock_port_8080() -> io::Result<PortLock> {
    lock_named(&format!("port-{DEMO_PORT}"))
}

/// Waits (up to five minutes) until no other holder, in this or another
/// process, has the lock called `name`, then takes it (a file
/// `sigil-NAME.lock` in the temporary directory).
pub fn lock_named(name: &str) -> io::Result<PortLock> {
    let path = std::env::temp_dir().join(format!("sigil-{name}.lock"));
    let start = Instant::now();
    loop {
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(std::process::id().to_string().as_bytes())?;
                return Ok(PortLock { path });
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                if is_stale(&path) {
                    let _ = fs::remove_file(&path);
                    continue;
                }
                if start.elapsed() > WAIT {
                    let owner = fs::read_to_string(&path).unwrap_or_default();
                    return Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!(
                            "{name} is still locked by process {} after {}s \
                             (lock file {}; remove it if that process is gone)",
                            owner.trim(),
                            WAIT.as_secs(),
                            path.display()
                        ),
                    ));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => {
                return Err(io::Error::new(
                    e.kind(),
                    format!("cannot create lock file {}: {e}", path.display()),
                ))
            }
        }
    }
}

/// Whether the lock file's owner is gone.
fn is_stale(path: &Path) -> bool {
    let age = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .unwrap_or_default();
    let Ok(text) = fs::read_to_string(path) else {
        return false;
    };
    let Ok(pid) = text.trim().parse::<u32>() else {
        return age > EMPTY_STALE_AGE;
    };
    let proc = Path::new("/proc");
    if proc.join("self").exists() {
        !proc.join(pid.to_string()).exists()
    } else {
        age > STALE_AGE
    }
}
