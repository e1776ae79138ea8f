//! Keepalive pings, without I/O: every [`Limits::ping_interval`](crate::Limits) a ping
//! goes out; if its pong has not come back within
//! [`Limits::ping_timeout`](crate::Limits), the peer is taken as gone and the
//! connection fails with 1011 ([`ProtocolError::KeepaliveTimeout`](crate::ProtocolError)).
//! The driver ([`crate::Client`], either role) asks [`Keepalive::due`] whenever a
//! receive runs and wakes at [`Keepalive::deadline`] while it waits.

use std::time::{Duration, Instant};

/// What the keepalive timer wants now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// Nothing until [`Keepalive::deadline`].
    Nothing,
    /// Send a ping with this payload.
    Ping(Vec<u8>),
    /// The last ping's pong did not come in time.
    TimedOut,
}

/// The keepalive timer of one connection.
#[derive(Debug, Clone)]
pub struct Keepalive {
    interval: Duration,
    timeout: Duration,
    /// When the next ping is due.
    next_ping: Instant,
    /// The payload of the ping awaiting its pong, and when it is too late.
    awaiting: Option<(Vec<u8>, Instant)>,
    /// Pings sent so far (their payloads count them).
    sent: u32,
}

impl Keepalive {
    /// A timer whose first ping is due `interval` after `now`.
    pub fn new(interval: Duration, timeout: Duration, now: Instant) -> Keepalive {
        Keepalive {
            interval,
            timeout,
            next_ping: now
                .checked_add(interval)
                .unwrap_or(now + Duration::from_secs(1 << 32)),
            awaiting: None,
            sent: 0,
        }
    }

    /// What to do at `now`. A [`Due::Ping`] counts as sent.
    pub fn due(&mut self, now: Instant) -> Due {
        if let Some((_, late)) = &self.awaiting {
            return if now >= *late {
                Due::TimedOut
            } else {
                Due::Nothing
            };
        }
        if now < self.next_ping {
            return Due::Nothing;
        }
        self.sent = self.sent.wrapping_add(1);
        let payload = self.sent.to_be_bytes().to_vec();
        self.awaiting = Some((payload.clone(), now + self.timeout));
        self.next_ping = now + self.interval;
        Due::Ping(payload)
    }

    /// A pong arrived: if it answers the ping in flight, that ping is settled.
    pub fn pong(&mut self, payload: &[u8]) {
        if self.awaiting.as_ref().is_some_and(|(p, _)| p == payload) {
            self.awaiting = None;
        }
    }

    /// When [`Keepalive::due`] next has something to do.
    pub fn deadline(&self) -> Instant {
        match &self.awaiting {
            Some((_, late)) => *late,
            None => self.next_ping,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pings_every_interval_and_times_out_without_a_pong() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut k = Keepalive::new(s(10), s(5), t0);
        assert_eq!(k.deadline(), t0 + s(10));
        assert_eq!(k.due(t0 + s(9)), Due::Nothing);
        let Due::Ping(first) = k.due(t0 + s(10)) else {
            panic!("ping due")
        };
        assert_eq!(k.deadline(), t0 + s(15), "waiting for the pong");
        k.pong(b"unrelated");
        assert_eq!(k.due(t0 + s(14)), Due::Nothing);
        k.pong(&first);
        assert_eq!(k.deadline(), t0 + s(20), "next ping");
        let Due::Ping(second) = k.due(t0 + s(20)) else {
            panic!("second ping due")
        };
        assert_ne!(first, second);
        assert_eq!(k.due(t0 + s(25)), Due::TimedOut);
    }
}
