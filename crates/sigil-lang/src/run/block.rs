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

#[cfg(test)]
mod tests {
    use crate::natives::Registry;
    use crate::run::native::{Ctl, Descriptor, Resume, Wait};
    use crate::run::value::{NResult, Value};
    use crate::{native, Interpreter};
    use std::cell::Cell;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    use std::rc::Rc;
    use std::time::{Duration, Instant};

    thread_local! {
        /// The socket `(take-byte)` reads, and how often it was called.
        static SOCKET: Cell<Option<Rc<UnixStream>>> = const { Cell::new(None) };
        static CALLS: Cell<u32> = const { Cell::new(0) };
    }

    /// `(take-byte [timeout])`: the next byte of the test socket, waiting for one (until
    /// `timeout` seconds, then `#f`).
    #[native("take-byte")]
    fn take_byte(timeout: Option<f64>) -> NResult<Ctl> {
        CALLS.with(|c| c.set(c.get() + 1));
        let socket = SOCKET.with(|s| {
            let socket = s.take();
            s.set(socket.clone());
            socket
        });
        let socket = socket.expect("test socket");
        let mut byte = [0u8];
        match (&*socket).read(&mut byte) {
            Ok(1) => Ok(Ctl::Return(Value::Int(i64::from(byte[0])))),
            _ => {
                let fd = Descriptor::new(socket);
                Ok(match timeout {
                    None => Ctl::Park(Wait::Readable(fd), Resume::Retry),
                    Some(secs) => {
                        let deadline = Instant::now() + Duration::from_secs_f64(secs);
                        Ctl::Park(
                            Wait::ReadableUntil(fd, deadline),
                            Resume::Return(Value::Bool(false)),
                        )
                    }
                })
            }
        }
    }

    fn interpreter(socket: UnixStream) -> Interpreter {
        socket.set_nonblocking(true).unwrap();
        SOCKET.with(|s| s.set(Some(Rc::new(socket))));
        CALLS.with(|c| c.set(0));
        let mut i = Interpreter::new();
        i.define_native_library("test sockets", |reg: &mut Registry| reg.add(&[TAKE_BYTE]));
        i.eval_str("(import (test sockets))").unwrap();
        i
    }

    #[test]
    fn a_wait_outside_a_scheduler_blocks_until_the_descriptor_is_ready() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let mut i = interpreter(ours);
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            (&theirs).write_all(&[42]).unwrap();
            theirs
        });
        let v = i.eval_str("(take-byte)").unwrap();
        assert_eq!(i.write(v), "42");
        // Called once, parked (blocked in poll), called again once the byte was there: a
        // busy wait would have called it thousands of times in 100 ms.
        assert_eq!(CALLS.with(Cell::get), 2);
        drop(writer.join());
    }

    #[test]
    fn a_wait_with_a_deadline_ends_at_the_deadline() {
        let (ours, _theirs) = UnixStream::pair().unwrap();
        let mut i = interpreter(ours);
        let v = i.eval_str("(take-byte 0.05)").unwrap();
        assert_eq!(i.write(v), "#f");
        assert_eq!(CALLS.with(Cell::get), 1);
    }

    #[test]
    fn a_task_waits_in_the_scheduler_holding_the_descriptor() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let mut i = interpreter(ours);
        let writer = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            (&theirs).write_all(&[7]).unwrap();
            theirs
        });
        i.eval_str("(import (sigil async))").unwrap();
        let v = i
            .eval_str(
                "(async-run (lambda () (let ((t (spawn (lambda () (take-byte))))) (await t))))",
            )
            .unwrap();
        assert_eq!(i.write(v), "7");
        assert_eq!(CALLS.with(Cell::get), 2);
        drop(writer.join());
    }
}
