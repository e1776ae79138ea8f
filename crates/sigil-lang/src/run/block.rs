//! Carrying out a parked wait when no scheduler runs: the thread blocks, in `poll(2)` for
//! a descriptor and in sleeps for a deadline, looking at the interrupt flag every 50 ms.

use crate::run::value::*;
use crate::run::vm::Vm;
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use std::os::fd::BorrowedFd;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// How a wait is carried out when no scheduler runs: blocks the thread.
pub type Blocker = fn(&mut Vm, Wait) -> Result<(), Error>;

/// The longest the thread blocks before it looks at the interrupt flag again.
const SLICE: Duration = Duration::from_millis(50);

/// Blocks the thread until the wait is satisfied (used outside a scheduler): a
/// descriptor ready (or in error: the retried native sees it), a deadline passed.
pub fn block_thread(vm: &mut Vm, wait: Wait) -> Result<(), Error> {
    let (fd, events, deadline) = match wait {
        Wait::Until(deadline) => (None, PollFlags::empty(), Some(deadline)),
        Wait::Readable(fd) => (Some(fd), PollFlags::IN, None),
        Wait::Writable(fd) => (Some(fd), PollFlags::OUT, None),
        Wait::ReadableUntil(fd, deadline) => (Some(fd), PollFlags::IN, Some(deadline)),
        Wait::WritableUntil(fd, deadline) => (Some(fd), PollFlags::OUT, Some(deadline)),
        Wait::Yield => return Ok(()),
        Wait::Event => {
            return Err(Error::msg(
                "deadlock: waiting for an event with no scheduler running",
            ))
        }
    };
    loop {
        let slice = match deadline {
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => left.min(SLICE),
                _ => return Ok(()),
            },
            None => SLICE,
        };
        if vm.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Error::with("interrupt", "interrupted", vec![]));
        }
        let Some(fd) = fd else {
            std::thread::sleep(slice);
            continue;
        };
        // SAFETY: the native that parked promised the descriptor stays open while it
        // waits.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        let mut fds = [PollFd::from_borrowed_fd(fd, events)];
        let timeout = Timespec::try_from(slice).unwrap_or(Timespec {
            tv_sec: 0,
            tv_nsec: 50_000_000,
        });
        match poll(&mut fds, Some(&timeout)) {
            Ok(n) if n > 0 => return Ok(()),
            Ok(_) | Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(Error::with("file-error", format!("poll: {e}"), vec![])),
        }
    }
}
