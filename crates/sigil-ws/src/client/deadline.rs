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

    /// Sets `tcp`'s timeout for `interest` to what is left until `deadline`, unless the
    /// current one is close enough.
    pub(super) fn arm(
        &mut self,
        tcp: &TcpStream,
        interest: Interest,
        deadline: Option<Instant>,
    ) -> io::Result<()> {
        let left = deadline.map(|d| {
            d.saturating_duration_since(Instant::now())
                .max(Duration::from_micros(1))
        });
        let slot = &mut self.armed[interest as usize];
        let good_enough = match (*slot, left) {
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
