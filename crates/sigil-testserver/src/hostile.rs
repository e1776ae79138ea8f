//! `/hostile/<case>` routes: protocol violations written by hand on the raw
//! connection, after (or instead of) a hand-made opening handshake.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

use tungstenite::handshake::derive_accept_key;

use crate::http::{self, Replay};
use crate::server::State;

/// How long a hostile connection listens to the client before closing.
const WATCH: Duration = Duration::from_secs(2);

/// How long `/hostile/silent` keeps quiet.
const SILENCE: Duration = Duration::from_secs(30);

/// One hostile behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    /// Frame with reserved opcode 3.
    ReservedOpcode,
    /// Text frame with RSV1 set and no extension negotiated.
    RsvBits,
    /// Ping with a 126-byte payload (control frames allow 125).
    BigPing,
    /// Ping without FIN.
    FragmentedPing,
    /// Text frame holding the invalid UTF-8 bytes `ff fe`.
    BadUtf8,
    /// Close frame carrying code 1005, which must never be sent.
    BadCloseCode,
    /// Close frame with a 1-byte payload.
    OneByteClose,
    /// Continuation frame with no message started.
    ContinuationFirst,
    /// Server frame with the mask bit set.
    Masked,
    /// 64-bit payload length with the most significant bit set.
    HugeLength,
    /// Header announcing 100 bytes, 10 sent, then the TCP connection shut.
    DropMidFrame,
    /// Unfinished text message interrupted by a new text frame.
    NewMessageMidFragment,
    /// 101 with a wrong `Sec-WebSocket-Accept`.
    BadAccept,
    /// `200 OK` with a body instead of 101.
    Not101,
    /// Reads the request and never answers.
    Silent,
    /// 101 that claims `permessage-deflate` although nobody asked for it.
    Extension,
    /// A correct 101, but from HTTP/1.0 (RFC 6455 requires HTTP/1.1).
    Http10,
}

/// Route names of every case.
const CASES: [(&str, Case); 17] = [
    ("reserved-opcode", Case::ReservedOpcode),
    ("rsv-bits", Case::RsvBits),
    ("big-ping", Case::BigPing),
    ("fragmented-ping", Case::FragmentedPing),
    ("bad-utf8", Case::BadUtf8),
    ("bad-close-code", Case::BadCloseCode),
    ("one-byte-close", Case::OneByteClose),
    ("continuation-first", Case::ContinuationFirst),
    ("masked", Case::Masked),
    ("huge-length", Case::HugeLength),
    ("drop-mid-frame", Case::DropMidFrame),
    ("new-message-mid-fragment", Case::NewMessageMidFragment),
    ("bad-accept", Case::BadAccept),
    ("not-101", Case::Not101),
    ("silent", Case::Silent),
    ("extension", Case::Extension),
    ("http10", Case::Http10),
];

impl Case {
    /// The case served at `/hostile/<name>`, if any.
    pub(crate) fn parse(name: &str) -> Option<Case> {
        CASES.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }

    /// The route name of this case.
    fn name(self) -> &'static str {
        CASES
            .iter()
            .find(|(_, c)| *c == self)
            .map_or("?", |(n, _)| n)
    }

    /// The raw bytes written after a correct 101, for frame-level cases;
    /// `None` for the handshake-level ones.
    pub(crate) fn frame(self) -> Option<Vec<u8>> {
        let bytes = match self {
            Case::ReservedOpcode => vec![0x83, 0x00],
            Case::RsvBits => vec![0xC1, 0x02, b'h', b'i'],
            Case::BigPing => {
                let mut v = vec![0x89, 0x7E, 0x00, 126];
                v.extend_from_slice(&[b'p'; 126]);
                v
            }
            Case::FragmentedPing => vec![0x09, 0x02, b'h', b'i'],
            Case::BadUtf8 => vec![0x81, 0x02, 0xFF, 0xFE],
            Case::BadCloseCode => vec![0x88, 0x02, 0x03, 0xED],
            Case::OneByteClose => vec![0x88, 0x01, 0x03],
            Case::ContinuationFirst => vec![0x80, 0x02, b'h', b'i'],
            Case::Masked => vec![0x81, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2],
            Case::HugeLength => vec![0x82, 0x7F, 0x80, 0, 0, 0, 0, 0, 0, 0],
            Case::DropMidFrame => {
                let mut v = vec![0x82, 100];
                v.extend(0u8..10);
                v
            }
            Case::NewMessageMidFragment => {
                vec![0x01, 0x03, b'a', b'b', b'c', 0x81, 0x03, b'd', b'e', b'f']
            }
            Case::BadAccept | Case::Not101 | Case::Silent | Case::Extension | Case::Http10 => {
                return None
            }
        };
        Some(bytes)
    }

    /// Whether the crafted bytes already include a close frame.
    fn sends_close(self) -> bool {
        matches!(self, Case::BadCloseCode | Case::OneByteClose)
    }
}

/// Serves `case` to a client whose upgrade request carried `key`.
pub(crate) fn serve(case: Case, key: &str, mut replay: Replay, state: &State) {
    replay.skip_head();
    let name = case.name();
    let accept = derive_accept_key(key.as_bytes());
    let written = match case {
        Case::Not101 => http::write_plain(&mut replay, "200 OK", "this is not a WebSocket\n"),
        Case::Silent => {
            wait_for_eof(&mut replay, SILENCE);
            replay.conn().abort();
            return;
        }
        Case::BadAccept => {
            let wrong = derive_accept_key(b"not the key the client sent");
            http::write_switching(&mut replay, &wrong, &[])
        }
        Case::Extension => http::write_switching(
            &mut replay,
            &accept,
            &["Sec-WebSocket-Extensions: permessage-deflate"],
        ),
        Case::Http10 => http::write_upgrade(&mut replay, "HTTP/1.0", &accept, &[]),
        _ => http::write_switching(&mut replay, &accept, &[]).and_then(|()| {
            replay.write_all(&case.frame().unwrap_or_default())?;
            replay.flush()
        }),
    };
    if let Err(e) = written {
        state.log(format_args!("hostile/{name}: write failed: {e}"));
    } else if case == Case::DropMidFrame {
        replay.conn().abort();
        return;
    } else if case != Case::Not101 {
        watch(&mut replay, name, !case.sends_close(), state);
    }
    replay.conn().finish();
}

/// Writes a correct `101 Switching Protocols` for a request that carried `key`.
pub(crate) fn switch(replay: &mut Replay, key: &str) -> io::Result<()> {
    http::write_switching(replay, &derive_accept_key(key.as_bytes()), &[])
}

/// Reads until the peer closes, an error occurs or `limit` passes.
fn wait_for_eof(replay: &mut Replay, limit: Duration) {
    let deadline = Instant::now() + limit;
    let mut sink = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if replay.conn().set_read_timeout(Some(left)).is_err() {
            return;
        }
        match replay.read(&mut sink) {
            Ok(n) if n > 0 => {}
            _ => return,
        }
    }
}

/// Listens to the client for up to [`WATCH`]; logs the code of its close
/// frame and, if `reply_close`, answers it with an empty close frame.
pub(crate) fn watch(replay: &mut Replay, name: &str, reply_close: bool, state: &State) {
    let deadline = Instant::now() + WATCH;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if replay.conn().set_read_timeout(Some(left)).is_err() {
            return;
        }
        match replay.read(&mut chunk) {
            Ok(n) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => break,
        }
        while let Some((b0, payload, used)) = parse_client_frame(&buf) {
            buf.drain(..used);
            if b0 & 0x0F == 0x8 {
                let code = match payload.as_slice() {
                    [hi, lo, ..] => u16::from_be_bytes([*hi, *lo]).to_string(),
                    _ => "none".to_string(),
                };
                state.log(format_args!(
                    "hostile/{name}: client closed with code {code}"
                ));
                if reply_close {
                    let _ = replay
                        .write_all(&[0x88, 0x00])
                        .and_then(|()| replay.flush());
                }
                return;
            }
        }
    }
    state.log(format_args!("hostile/{name}: client sent no close frame"));
}

/// Splits one complete frame off the front of `buf`: its first byte (FIN, RSV
/// bits, opcode), unmasked payload and length in bytes; `None` until a whole frame
/// is there.
pub(crate) fn parse_client_frame(buf: &[u8]) -> Option<(u8, Vec<u8>, usize)> {
    let (&b0, &b1) = (buf.first()?, buf.get(1)?);
    let (len, mut at) = match b1 & 0x7F {
        126 => (
            u64::from(u16::from_be_bytes(buf.get(2..4)?.try_into().ok()?)),
            4,
        ),
        127 => (u64::from_be_bytes(buf.get(2..10)?.try_into().ok()?), 10),
        n => (u64::from(n), 2),
    };
    let mask: Option<[u8; 4]> = if b1 & 0x80 != 0 {
        at += 4;
        Some(buf.get(at - 4..at)?.try_into().ok()?)
    } else {
        None
    };
    let end = at.checked_add(usize::try_from(len).ok()?)?;
    let mut payload = buf.get(at..end)?.to_vec();
    if let Some(mask) = mask {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Some((b0, payload, end))
}

#[cfg(test)]
mod tests {
    use super::{parse_client_frame, Case, CASES};

    #[test]
    fn names_round_trip() {
        for (name, case) in CASES {
            assert_eq!(Case::parse(name), Some(case));
            assert_eq!(case.name(), name);
        }
        assert_eq!(Case::parse("nope"), None);
    }

    #[test]
    fn parses_masked_close() {
        let frame = [0x88, 0x82, 1, 2, 3, 4, 0x03 ^ 1, 0xEA ^ 2, 0xFF];
        let (b0, payload, used) = parse_client_frame(&frame).unwrap();
        assert_eq!((b0, payload.as_slice(), used), (0x88, &[0x03, 0xEA][..], 8));
        assert!(parse_client_frame(&frame[..5]).is_none());
    }
}
