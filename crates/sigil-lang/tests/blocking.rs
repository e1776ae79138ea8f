//! A native's wait on a descriptor: outside a scheduler the thread blocks in `poll` (no busy
//! waiting) until the descriptor is ready or the deadline passes; in a task of
//! `(sigil async)` the scheduler waits, holding the descriptor open.

use sigil_lang::{native, Ctl, Descriptor, Interpreter, NResult, Registry, Resume, Value, Wait};
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
        .eval_str("(async-run (lambda () (let ((t (spawn (lambda () (take-byte))))) (await t))))")
        .unwrap();
    assert_eq!(i.write(v), "7");
    assert_eq!(CALLS.with(Cell::get), 2);
    drop(writer.join());
}
