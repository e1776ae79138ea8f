//! Keepalive: a ping every [`Limits::ping_interval`](crate::Limits::ping_interval) while
//! a connection waits for its peer, and a deadline,
//! [`Limits::ping_timeout`](crate::Limits::ping_timeout), for each ping's pong, as Python
//! `websockets` does (`ping_interval`, `ping_timeout`). A pong that does not come in time
//! fails the connection with 1011, "keepalive ping timeout".
//!
//! This is the schedule alone, without I/O or clock, for either role: the driver
//! waits no later than [`Keepalive::deadline`]; when that passes it asks
//! [`Keepalive::due`] what to do, and it hands every pong received to
//! [`Keepalive::pong`]. A driver only wakes while its user waits for the peer, so a
//! pong may sit unread in the socket long after its deadline: before failing the
//! connection on [`Due::PongOverdue`], the driver reads what has already arrived.
//!
//! The schedule follows `websockets`: the next ping is due one interval after the
//! previous one was sent, but never while a pong is awaited; the first one interval
//! after the connection opened. Pings carry 4 random bytes, and only the pong that
//! echoes them counts (a pong for a ping of the user's does not).

use std::time::{Duration, Instant};

/// What is due when the keepalive deadline has passed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// Send a ping with this payload (its pong is awaited from now on).
    Ping([u8; 4]),
    /// The pong of the last ping did not arrive in time.
    PongOverdue,
}

/// The ping awaiting its pong.
#[derive(Debug, Clone, Copy)]
struct Outstanding {
    payload: [u8; 4],
    /// When its pong is overdue.
    deadline: Instant,
}

/// The keepalive schedule of one connection.
#[derive(Debug, Clone)]
pub struct Keepalive {
    interval: Duration,
    timeout: Option<Duration>,
    /// When the next ping is due (`None`: too far away to represent).
    next_ping: Option<Instant>,
    outstanding: Option<Outstanding>,
}

impl Keepalive {
    /// The schedule for a connection opened at `now`; `None` when `interval` is `None`
    /// (no keepalive). Without a `timeout` pings are sent but pongs never awaited.
    pub fn new(
        interval: Option<Duration>,
        timeout: Option<Duration>,
        now: Instant,
    ) -> Option<Keepalive> {
        let interval = interval?;
        Some(Keepalive {
            interval,
            timeout,
            next_ping: now.checked_add(interval),
            outstanding: None,
        })
    }

    /// When something is next due: the pong deadline while a pong is awaited, else the
    /// next ping (`None`: never).
    pub fn deadline(&self) -> Option<Instant> {
        match self.outstanding {
            Some(o) => Some(o.deadline),
            None => self.next_ping,
        }
    }

    /// What is due at `now`, if anything. A ping returned is taken as sent at `now`.
    pub fn due(&mut self, now: Instant) -> Option<Due> {
        if let Some(o) = self.outstanding {
            return (now >= o.deadline).then_some(Due::PongOverdue);
        }
        if self.next_ping.is_none_or(|t| now < t) {
            return None;
        }
        let payload: [u8; 4] = rand::random();
        self.next_ping = now.checked_add(self.interval);
        self.outstanding = self
            .timeout
            .and_then(|t| now.checked_add(t))
            .map(|deadline| Outstanding { payload, deadline });
        Some(Due::Ping(payload))
    }

    /// A pong with `payload` arrived: if it answers the ping awaiting its pong, the
    /// next ping is scheduled (at once if its time has already come).
    pub fn pong(&mut self, payload: &[u8]) {
        if self.outstanding.is_some_and(|o| o.payload == payload) {
            self.outstanding = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn ping(k: &mut Keepalive, now: Instant) -> [u8; 4] {
        match k.due(now) {
            Some(Due::Ping(p)) => p,
            other => panic!("expected a ping, got {other:?}"),
        }
    }

    #[test]
    fn pings_every_interval_and_waits_for_each_pong() {
        let t0 = Instant::now();
        let mut k = Keepalive::new(Some(10 * S), Some(5 * S), t0).unwrap();
        assert_eq!(k.deadline(), Some(t0 + 10 * S));
        assert_eq!(k.due(t0 + 9 * S), None);
        let p = ping(&mut k, t0 + 10 * S);
        assert_eq!(k.deadline(), Some(t0 + 15 * S), "the pong's deadline");
        assert_eq!(k.due(t0 + 14 * S), None);
        k.pong(b"nope");
        k.pong(&p[..3]);
        assert_eq!(k.deadline(), Some(t0 + 15 * S), "other pongs do not count");
        k.pong(&p);
        assert_eq!(
            k.deadline(),
            Some(t0 + 20 * S),
            "one interval after the ping"
        );
        let q = ping(&mut k, t0 + 20 * S);
        assert_ne!(p, q, "random payloads");
        assert_eq!(k.due(t0 + 25 * S), Some(Due::PongOverdue));
        assert_eq!(k.due(t0 + 26 * S), Some(Due::PongOverdue), "until a pong");
        k.pong(&q);
        // The next ping was due at 30 s; a late pong makes it due at once.
        assert_eq!(k.deadline(), Some(t0 + 30 * S));
        ping(&mut k, t0 + 31 * S);
        assert_eq!(k.deadline(), Some(t0 + 36 * S));
    }

    #[test]
    fn a_timeout_longer_than_the_interval_holds_the_next_ping() {
        let t0 = Instant::now();
        let mut k = Keepalive::new(Some(S), Some(3 * S), t0).unwrap();
        let p = ping(&mut k, t0 + S);
        assert_eq!(
            k.due(t0 + 2 * S),
            None,
            "no second ping while one is awaited"
        );
        k.pong(&p);
        ping(&mut k, t0 + 3 * S);
    }

    #[test]
    fn without_a_timeout_pongs_are_not_awaited() {
        let t0 = Instant::now();
        let mut k = Keepalive::new(Some(S), None, t0).unwrap();
        ping(&mut k, t0 + S);
        assert_eq!(k.deadline(), Some(t0 + 2 * S));
        ping(&mut k, t0 + 5 * S);
        assert_eq!(k.deadline(), Some(t0 + 6 * S));
    }

    #[test]
    fn off_or_never() {
        let t0 = Instant::now();
        assert!(Keepalive::new(None, Some(S), t0).is_none());
        let mut k = Keepalive::new(Some(Duration::MAX), Some(S), t0).unwrap();
        assert_eq!(k.deadline(), None);
        assert_eq!(k.due(t0 + 1000 * S), None);
    }
}
