//! Carrying out a parked wait when no scheduler runs: the thread blocks, in `poll` for a
//! descriptor, in short sleeps for a deadline, checking the interrupt flag every 50 ms.

use crate::run::native::{Descriptor, Wait};
use crate::run::value::Error;
use crate::run::vm::Vm;
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use std::os::fd::AsFd;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// The longest the thread blocks before it looks at the interrupt flag again.
const SLICE: Duration = Duration::from_millis(50);

/// Blocks the thread until `wait` is satisfied. A wait for a task event is an error: no
/// task can cause it.
pub(crate) fn block_thread(vm: &Vm, wait: &Wait) -> Result<(), Error> {
    match wait {
        Wait::Until(deadline) => until(vm, *deadline, |slice| {
            std::thread::sleep(slice);
            Ok(false)
        }),
        Wait::Readable(d) => ready(vm, d, PollFlags::IN, None),
        Wait::Writable(d) => ready(vm, d, PollFlags::OUT, None),
        Wait::ReadableUntil(d, deadline) => ready(vm, d, PollFlags::IN, Some(*deadline)),
        Wait::WritableUntil(d, deadline) => ready(vm, d, PollFlags::OUT, Some(*deadline)),
        Wait::Yield => Ok(()),
        Wait::Event => Err(Error::msg(
            "deadlock: waiting for an event with no scheduler running",
        )),
    }
}

/// Waits until descriptor `d` is ready for `events` (or reports an error or hang-up, which
/// the retried native then sees), or `deadline` passes.
fn ready(
    vm: &Vm,
    d: &Descriptor,
    events: PollFlags,
    deadline: Option<Instant>,
) -> Result<(), Error> {
    // Without a deadline, one far enough away that the loop only ends when `d` is ready.
    let deadline = deadline.unwrap_or_else(|| Instant::now() + Duration::from_secs(1 << 32));
    until(vm, deadline, |slice| {
        let mut fds = [PollFd::from_borrowed_fd(d.as_fd(), events)];
        let timeout = Timespec::try_from(slice).unwrap_or(Timespec {
            tv_sec: 0,
            tv_nsec: 50_000_000,
        });
        match poll(&mut fds, Some(&timeout)) {
            Ok(n) => Ok(n > 0),
            Err(rustix::io::Errno::INTR) => Ok(false),
            Err(e) => Err(Error::with("file-error", format!("poll: {e}"), vec![])),
        }
    })
}

/// Runs `step` with slices of at most [`SLICE`] until it reports readiness or `deadline`
/// passes, failing with `interrupt` when the interrupt flag is set.
fn until(
    vm: &Vm,
    deadline: Instant,
    mut step: impl FnMut(Duration) -> Result<bool, Error>,
) -> Result<(), Error> {
    loop {
        let now = Instant::now();
        if now >= deadline {
            return Ok(());
        }
        if vm.interrupt.swap(false, Ordering::Relaxed) {
            return Err(Error::with("interrupt", "interrupted", vec![]));
        }
        if step((deadline - now).min(SLICE))? {
            return Ok(());
        }
    }
}
