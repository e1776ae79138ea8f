//! Host-name lookups off the calling thread, for non-blocking connects.
//!
//! The C resolver (`getaddrinfo`) only blocks, so lookups run on a small pool of
//! worker threads ([`WORKERS`], started on first use and kept for the life of the
//! process). Each [`Lookup`] owns the read end of a socket pair whose write end the
//! worker drops when the answer is ready: an event loop waits for that descriptor to
//! become readable, then calls [`Lookup::result`].

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::net::UnixStream;
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use crate::shared_fd::SharedFd;

/// Number of resolver threads.
pub const WORKERS: usize = 4;

/// The outcome of one lookup.
type Answer = io::Result<Vec<SocketAddr>>;

/// A queued lookup: the name, where to put the answer, and the end to drop when done.
struct Job {
    host: String,
    port: u16,
    answer: Arc<Mutex<Option<Answer>>>,
    done: UnixStream,
}

/// A lookup in progress.
pub struct Lookup {
    answer: Arc<Mutex<Option<Answer>>>,
    ready: Arc<UnixStream>,
}

impl Lookup {
    /// Queues a lookup of `host`:`port` on the resolver pool.
    pub fn start(host: &str, port: u16) -> io::Result<Lookup> {
        let (ready, done) = UnixStream::pair()?;
        ready.set_nonblocking(true)?;
        let answer = Arc::new(Mutex::new(None));
        let job = Job {
            host: host.to_string(),
            port,
            answer: Arc::clone(&answer),
            done,
        };
        pool()
            .lock()
            .map_err(|_| io::Error::other("resolver pool poisoned"))?
            .send(job)
            .map_err(|_| io::Error::other("resolver pool stopped"))?;
        Ok(Lookup {
            answer,
            ready: Arc::new(ready),
        })
    }

    /// The answer once the lookup finished, `None` while it is still running.
    pub fn result(&self) -> Option<Answer> {
        self.answer.lock().ok()?.take()
    }

    /// The descriptor [`AsFd::as_fd`] names, kept open while the handle lives.
    pub fn shared_fd(&self) -> SharedFd {
        SharedFd::new(Arc::clone(&self.ready))
    }
}

impl AsFd for Lookup {
    /// A descriptor that becomes readable when the answer is ready.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.ready.as_fd()
    }
}

/// The job queue, starting the workers on first use.
fn pool() -> &'static Mutex<Sender<Job>> {
    static POOL: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    POOL.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..WORKERS {
            let rx = Arc::clone(&rx);
            // A worker that fails to start leaves the others; with none, `start`
            // reports the pool as stopped.
            let _ = std::thread::Builder::new()
                .name(format!("sigil-dns-{i}"))
                .spawn(move || work(&rx));
        }
        Mutex::new(tx)
    })
}

/// A worker: resolve jobs until the queue is gone.
fn work(rx: &Mutex<Receiver<Job>>) {
    loop {
        let job = match rx.lock() {
            Ok(rx) => match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Err(_) => return,
        };
        let answer = (job.host.as_str(), job.port)
            .to_socket_addrs()
            .map(Iterator::collect);
        if let Ok(mut slot) = job.answer.lock() {
            *slot = Some(answer);
        }
        drop(job.done);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wait(lookup: &Lookup) -> Answer {
        let mut probe = [0u8; 1];
        lookup.ready.set_nonblocking(false).unwrap();
        // The worker drops its end after storing the answer: read sees end of stream.
        assert_eq!(io::Read::read(&mut &*lookup.ready, &mut probe).unwrap(), 0);
        lookup
            .result()
            .expect("answer stored before the end was dropped")
    }

    #[test]
    fn resolves_localhost_off_thread() {
        let lookups: Vec<Lookup> = (0..10)
            .map(|_| Lookup::start("localhost", 8080).unwrap())
            .collect();
        for l in &lookups {
            let addrs = wait(l).unwrap();
            assert!(addrs
                .iter()
                .all(|a| a.port() == 8080 && a.ip().is_loopback()));
            assert!(!addrs.is_empty());
        }
    }

    #[test]
    fn reports_failures() {
        let l = Lookup::start("no-such-host.invalid", 80).unwrap();
        assert!(wait(&l).is_err());
    }
}
