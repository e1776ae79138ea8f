//! Deadlines, and the socket timeouts that make the kernel's waits end with them in
//! blocking mode.

use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::connector::Interest;

/// A kernel socket timeout this much (or 2 % of it) longer than what is left of a
/// deadline is still good enough (saves a system call per read or write); a wait may
/// overrun its deadline by that much.
const ARM_SLACK: Duration = Duration::from_millis(5);

/// Whether `deadline` has passed.
pub(super) fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}

/// What is left until `deadline`, from one reading of the clock (`None`: no deadline;
/// zero: it has passed).
pub(super) fn left(deadline: Option<Instant>) -> Option<Duration> {
    deadline.map(|d| d.saturating_duration_since(Instant::now()))
}

/// The earlier of two deadlines (`None` is no deadline).
pub(super) fn earlier(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// What the socket's read and write timeouts are set to (blocking mode).
#[derive(Debug, Default)]
pub(super) struct SocketTimeouts {
    armed: [Option<Duration>; 2],
}

impl SocketTimeouts {
    /// Whether the socket has a timeout for `interest`.
    pub(super) fn is_set(&self, interest: Interest) -> bool {
        self.armed[interest as usize].is_some()
    }

    /// Sets `tcp`'s timeout for `interest` to `left` (what is left of a deadline), but
    /// at most `cap`, unless the current one is close enough.
    pub(super) fn arm(
        &mut self,
        tcp: &TcpStream,
        interest: Interest,
        left: Option<Duration>,
        cap: Option<Duration>,
    ) -> io::Result<()> {
        let left = left.map(|l| l.max(Duration::from_micros(1)));
        let left = match (left, cap) {
            (Some(l), Some(c)) => Some(l.min(c)),
            (l, c) => l.or(c),
        };
        let slot = &mut self.armed[interest as usize];
        let good_enough = match (*slot, left) {
            // The common case with an interrupt flag: a wait capped at the slice again.
            (Some(armed), Some(left)) if armed == left => true,
            (None, None) => true,
            (Some(armed), Some(left)) => {
                armed <= left + ARM_SLACK.max(armed / 50) && armed * 2 >= left
            }
            _ => false,
        };
        if !good_enough {
            match interest {
                Interest::Readable => tcp.set_read_timeout(left)?,
                Interest::Writable => tcp.set_write_timeout(left)?,
            }
            *slot = left;
        }
        Ok(())
    }
}
