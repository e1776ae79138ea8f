//! Carrying out a parked wait when no scheduler runs: the thread blocks.

use crate::run::value::*;
use crate::run::vm::Vm;
use std::sync::atomic::Ordering;

/// How a wait is carried out when no scheduler runs: blocks the thread.
pub type Blocker = fn(&mut Vm, Wait) -> Result<(), Error>;

/// Blocks the thread until the wait is satisfied (used outside a scheduler). Checks the
/// interrupt flag every 50 ms.
pub fn block_thread(vm: &mut Vm, wait: Wait) -> Result<(), Error> {
    use std::time::{Duration, Instant};
    match wait {
        Wait::Until(deadline)
        | Wait::ReadableUntil(_, deadline)
        | Wait::WritableUntil(_, deadline) => loop {
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            if vm.interrupt.swap(false, Ordering::Relaxed) {
                return Err(Error::with("interrupt", "interrupted", vec![]));
            }
            std::thread::sleep((deadline - now).min(Duration::from_millis(50)));
        },
        Wait::Readable(_) | Wait::Writable(_) | Wait::Yield => Ok(()),
        Wait::Event => Err(Error::msg(
            "deadlock: waiting for an event with no scheduler running",
        )),
    }
}
