//! `/hostile/<behaviour>/<params>` routes that misbehave in time rather than in
//! format: peers that are slow, chatty or stalled after a correct opening handshake.
//! They test a client's deadlines and its memory bounds. Each runs for at most
//! [`LIMIT`], and ends early when the client goes away.

use std::io::{self, Read, Write};
use std::thread;
use std::time::{Duration, Instant};

use crate::hostile::{parse_client_frame, switch};
use crate::http::Replay;
use crate::server::State;

/// The longest any of these behaviours lasts.
const LIMIT: Duration = Duration::from_secs(30);

/// Size of a frame header announcing [`CLOSE_REPLY_LEN`] payload bytes.
const CLOSE_REPLY_LEN: u64 = 100_000;

/// One misbehaviour in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stall {
    /// Never reads; writes 125-byte pings as fast as the connection takes them.
    PingFlood,
    /// A ping every `ms` milliseconds (a heartbeat); never sends a message.
    PingEvery(u64),
    /// An unsolicited pong every `ms` milliseconds; never sends a message.
    PongEvery(u64),
    /// A text frame without FIN, then an empty continuation frame without FIN every
    /// `ms` milliseconds: a message that never ends.
    EmptyContinuations(u64),
    /// One text message of `len` bytes, written one byte every `ms` milliseconds.
    Dribble { len: usize, ms: u64 },
    /// Neither reads nor writes anything after the 101.
    NeverRead,
    /// Waits for the client's close frame and answers it with the header of a
    /// 100 000-byte frame, then one payload byte every `ms` milliseconds.
    CloseDribble(u64),
    /// One text message `hello`, then silence (a close frame is still answered).
    OneThenQuiet,
    /// Answers each ping with its pong `ms` milliseconds late; never sends a message.
    PongAfter(u64),
}

impl Stall {
    /// The behaviour served at `/hostile/<parts...>`, if any.
    pub(crate) fn parse(parts: &[&str]) -> Option<Stall> {
        let num = |s: &str| s.parse::<u64>().ok().filter(|&n| n <= 60_000);
        Some(match parts {
            ["ping-flood"] => Stall::PingFlood,
            ["ping-every", ms] => Stall::PingEvery(num(ms)?),
            ["pong-every", ms] => Stall::PongEvery(num(ms)?),
            ["empty-continuations", ms] => Stall::EmptyContinuations(num(ms)?),
            ["dribble", len, ms] => Stall::Dribble {
                len: usize::try_from(num(len)?).ok()?,
                ms: num(ms)?,
            },
            ["never-read"] => Stall::NeverRead,
            ["close-dribble", ms] => Stall::CloseDribble(num(ms)?),
            ["one-then-quiet"] => Stall::OneThenQuiet,
            ["pong-after", ms] => Stall::PongAfter(num(ms)?),
            _ => return None,
        })
    }
}

/// An unmasked server frame: first byte `b0` (FIN and opcode), then `payload`.
fn frame(b0: u8, payload: &[u8]) -> Vec<u8> {
    let mut v = vec![b0];
    match payload.len() {
        n @ 0..=125 => v.push(n as u8),
        n @ 126..=65535 => {
            v.push(126);
            v.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            v.push(127);
            v.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    v.extend_from_slice(payload);
    v
}

/// Serves `stall` to a client whose upgrade request carried `key`.
pub(crate) fn serve(stall: Stall, key: &str, mut replay: Replay, state: &State) {
    replay.skip_head();
    let result = switch(&mut replay, key).and_then(|()| run(stall, &mut replay));
    if let Err(e) = result {
        state.log(format_args!("hostile {stall:?}: {e}"));
    }
    replay.conn().abort();
}

fn run(stall: Stall, replay: &mut Replay) -> io::Result<()> {
    let deadline = Instant::now() + LIMIT;
    match stall {
        Stall::PingFlood => {
            let ping = frame(0x89, &[b'p'; 125]);
            let batch: Vec<u8> = ping
                .iter()
                .copied()
                .cycle()
                .take(ping.len() * 512)
                .collect();
            while Instant::now() < deadline {
                replay.write_all(&batch)?;
            }
            Ok(())
        }
        Stall::NeverRead => {
            thread::sleep(LIMIT);
            Ok(())
        }
        Stall::PingEvery(ms) => every(replay, ms, &frame(0x89, b"heartbeat"), deadline),
        Stall::PongEvery(ms) => every(replay, ms, &frame(0x8a, b"unsolicited"), deadline),
        Stall::EmptyContinuations(ms) => {
            replay.write_all(&frame(0x01, b"a"))?;
            every(replay, ms, &frame(0x00, b""), deadline)
        }
        Stall::Dribble { len, ms } => {
            for byte in frame(0x81, &vec![b'x'; len]) {
                replay.write_all(&[byte])?;
                replay.flush()?;
                thread::sleep(Duration::from_millis(ms));
            }
            every(replay, 0, &[], deadline)
        }
        Stall::OneThenQuiet => {
            replay.write_all(&frame(0x81, b"hello"))?;
            every(replay, 0, &[], deadline)
        }
        Stall::PongAfter(ms) => {
            let mut buf = Vec::new();
            while let Some(left) = deadline.checked_duration_since(Instant::now()) {
                match listen(replay, &mut buf, left)? {
                    Heard::Nothing => {}
                    Heard::Ping(payload) => {
                        thread::sleep(Duration::from_millis(ms));
                        replay.write_all(&frame(0x8a, &payload))?;
                        replay.flush()?;
                    }
                    Heard::Close => {
                        replay.write_all(&frame(0x88, b""))?;
                        return replay.flush();
                    }
                    Heard::Gone => return Ok(()),
                }
            }
            Ok(())
        }
        Stall::CloseDribble(ms) => {
            if !read_until_close(replay, deadline)? {
                return Ok(());
            }
            let mut header = vec![0x82, 127];
            header.extend_from_slice(&CLOSE_REPLY_LEN.to_be_bytes());
            replay.write_all(&header)?;
            while Instant::now() < deadline {
                replay.write_all(b"z")?;
                replay.flush()?;
                thread::sleep(Duration::from_millis(ms));
            }
            Ok(())
        }
    }
}

/// Writes `bytes` every `ms` milliseconds (never, when `bytes` is empty) while reading
/// what the client sends; answers its close frame and stops, or stops when it leaves
/// or `deadline` passes.
fn every(replay: &mut Replay, ms: u64, bytes: &[u8], deadline: Instant) -> io::Result<()> {
    let interval = Duration::from_millis(ms.max(1));
    let mut next = Instant::now() + interval;
    let mut buf = Vec::new();
    while Instant::now() < deadline {
        let now = Instant::now();
        if now >= next {
            if !bytes.is_empty() {
                replay.write_all(bytes)?;
                replay.flush()?;
            }
            next = now + interval;
            continue;
        }
        match listen(replay, &mut buf, next - now)? {
            Heard::Nothing | Heard::Ping(_) => {}
            Heard::Close => {
                replay.write_all(&frame(0x88, b""))?;
                return replay.flush();
            }
            Heard::Gone => return Ok(()),
        }
    }
    Ok(())
}

/// Reads client frames until its close frame (`true`), its leaving or `deadline`.
fn read_until_close(replay: &mut Replay, deadline: Instant) -> io::Result<bool> {
    let mut buf = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match listen(replay, &mut buf, left)? {
            Heard::Nothing | Heard::Ping(_) => {}
            Heard::Close => return Ok(true),
            Heard::Gone => return Ok(false),
        }
    }
    Ok(false)
}

/// What the client did while [`listen`] waited.
enum Heard {
    /// Nothing that matters (data frames, or nothing at all).
    Nothing,
    /// A ping with this payload (frames after it stay in the buffer).
    Ping(Vec<u8>),
    /// It sent a close frame.
    Close,
    /// It closed the connection.
    Gone,
}

/// Reads what the client sends for at most `wait` into `buf` (unless it holds a whole
/// frame already), dropping its whole frames, and tells whether one was a close frame
/// or a ping.
fn listen(replay: &mut Replay, buf: &mut Vec<u8>, wait: Duration) -> io::Result<Heard> {
    if let Some(heard) = heard(buf) {
        return Ok(heard);
    }
    let mut chunk = [0u8; 4096];
    replay.conn().set_read_timeout(Some(wait))?;
    match replay.read(&mut chunk) {
        Ok(0) => return Ok(Heard::Gone),
        Ok(n) => buf.extend_from_slice(&chunk[..n]),
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
            ) => {}
        Err(e) => return Err(e),
    }
    Ok(heard(buf).unwrap_or(Heard::Nothing))
}

/// Drops the whole frames at the start of `buf` up to its first close frame or ping,
/// which it reports.
fn heard(buf: &mut Vec<u8>) -> Option<Heard> {
    while let Some((b0, payload, used)) = parse_client_frame(buf) {
        buf.drain(..used);
        match b0 & 0x0F {
            0x8 => return Some(Heard::Close),
            0x9 => return Some(Heard::Ping(payload)),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{frame, Stall};

    #[test]
    fn routes() {
        assert_eq!(Stall::parse(&["ping-flood"]), Some(Stall::PingFlood));
        assert_eq!(
            Stall::parse(&["ping-every", "250"]),
            Some(Stall::PingEvery(250))
        );
        assert_eq!(
            Stall::parse(&["dribble", "20", "100"]),
            Some(Stall::Dribble { len: 20, ms: 100 })
        );
        assert_eq!(Stall::parse(&["ping-every", "soon"]), None);
        assert_eq!(Stall::parse(&["ping-every", "99999999"]), None);
        assert_eq!(Stall::parse(&["nope"]), None);
    }

    #[test]
    fn frames() {
        assert_eq!(frame(0x89, b"hi"), [0x89, 2, b'h', b'i']);
        assert_eq!(frame(0x81, &[0; 200])[..4], [0x81, 126, 0, 200]);
        assert_eq!(frame(0x82, &[0; 70_000])[..3], [0x82, 127, 0]);
    }
}
