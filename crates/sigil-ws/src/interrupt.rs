//! Interrupting blocking waits: a flag that another thread (a Ctrl-C handler, say) sets.
//!
//! A blocking operation given an [`Interrupt`] waits in slices of at most [`SLICE`] and
//! checks the flag between them; once it is set the operation stops with
//! [`WsError::Interrupted`], leaving the connection usable (a receive, a send whose rest
//! stays queued) or shut down (a close), and a connect is abandoned. The flag is only
//! read: whoever set it clears it. Non-blocking operations never wait, so the flag
//! does not concern them.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::WsError;

/// The longest a blocking wait goes without looking at the flag.
pub const SLICE: Duration = Duration::from_millis(50);

/// An optional interrupt flag (the default: none, waits are not sliced).
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Option<Arc<AtomicBool>>);

impl Interrupt {
    /// Blocking waits stop once `flag` is set.
    pub fn new(flag: Arc<AtomicBool>) -> Interrupt {
        Interrupt(Some(flag))
    }

    /// [`WsError::Interrupted`] if the flag is set.
    pub fn check(&self) -> Result<(), WsError> {
        match &self.0 {
            Some(flag) if flag.load(Ordering::Relaxed) => Err(WsError::Interrupted),
            _ => Ok(()),
        }
    }

    /// The longest one wait may last: [`SLICE`] when there is a flag to check.
    pub(crate) fn slice(&self) -> Option<Duration> {
        self.0.as_ref().map(|_| SLICE)
    }

    /// The end of the next wait towards `deadline`: at most a [`SLICE`] away when
    /// there is a flag to check.
    pub(crate) fn wait_end(&self, deadline: Option<Instant>) -> Option<Instant> {
        let Some(slice) = self.slice() else {
            return deadline;
        };
        let end = Instant::now() + slice;
        Some(deadline.map_or(end, |d| d.min(end)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_and_slices() {
        let none = Interrupt::default();
        assert!(none.check().is_ok());
        assert_eq!(none.slice(), None);
        assert_eq!(none.wait_end(None), None);
        let flag = Arc::new(AtomicBool::new(false));
        let i = Interrupt::new(Arc::clone(&flag));
        assert!(i.check().is_ok());
        let soon = Instant::now() + Duration::from_millis(1);
        assert_eq!(i.wait_end(Some(soon)), Some(soon));
        let end = i.wait_end(None).unwrap();
        assert!(end <= Instant::now() + SLICE);
        flag.store(true, Ordering::Relaxed);
        assert!(matches!(i.check(), Err(WsError::Interrupted)));
        assert!(flag.load(Ordering::Relaxed), "the flag is only read");
    }
}
