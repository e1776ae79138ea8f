//! `/deflate/...` routes: permessage-deflate answers and payloads written by hand,
//! for what a well-behaved peer never sends.
//!
//! * `/deflate/answer/<case>`: a correct 101 whose `Sec-WebSocket-Extensions` is the
//!   case's value (see [`ANSWERS`]), then the server listens for up to 2 s;
//! * `/deflate/bomb/<mib>`: a 101 accepting `permessage-deflate`, then one binary
//!   message with RSV1 whose payload inflates to `<mib>` MiB of zeros (at most
//!   4096) while taking about 1 KiB per MiB on the wire; then it listens, logs the
//!   client's close code and answers its close frame.

use std::io::{self, Write};

use flate2::{Compress, Compression, FlushCompress};
use tungstenite::handshake::derive_accept_key;

use crate::hostile::watch;
use crate::http::{self, Replay};
use crate::server::State;

/// The malformed, repeated or unoffered answers, by route name.
pub(crate) const ANSWERS: [(&str, &str); 8] = [
    ("unoffered", "x-webkit-deflate-frame"),
    ("repeated", "permessage-deflate, permessage-deflate"),
    (
        "repeated-param",
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",
    ),
    (
        "bad-window-bits",
        "permessage-deflate; server_max_window_bits=16",
    ),
    (
        "window-bits-without-value",
        "permessage-deflate; client_max_window_bits",
    ),
    ("unknown-param", "permessage-deflate; no_such_param"),
    (
        "flag-with-value",
        "permessage-deflate; server_no_context_takeover=yes",
    ),
    ("malformed", "permessage-deflate;;"),
];

/// Largest bomb served, in MiB.
const MAX_BOMB_MIB: usize = 4096;

/// A `/deflate/...` route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Deflate {
    /// A 101 with this `Sec-WebSocket-Extensions` value.
    Answer(&'static str),
    /// A message that inflates to this many MiB of zeros.
    Bomb(usize),
}

impl Deflate {
    /// The route for the path segments after `deflate`.
    pub(crate) fn parse(parts: &[&str]) -> Option<Deflate> {
        match parts {
            ["answer", case] => ANSWERS
                .iter()
                .find(|(name, _)| name == case)
                .map(|(_, value)| Deflate::Answer(value)),
            ["bomb", mib] => mib
                .parse()
                .ok()
                .filter(|&n| (1..=MAX_BOMB_MIB).contains(&n))
                .map(Deflate::Bomb),
            _ => None,
        }
    }
}

/// The payload of one compressed message of `mib` MiB of zeros: 1 MiB compressed on
/// its own with a sync flush, repeated (each copy is a valid continuation of the
/// DEFLATE stream), without the last copy's final `00 00 ff ff` (RFC 7692 §7.2.1).
pub(crate) fn bomb_payload(mib: usize) -> Vec<u8> {
    let mut z = Compress::new(Compression::best(), false);
    let mut chunk = Vec::with_capacity(64 * 1024);
    z.compress_vec(&vec![0u8; 1 << 20], &mut chunk, FlushCompress::Sync)
        .expect("compressing zeros");
    let mut payload = chunk.repeat(mib);
    payload.truncate(payload.len().saturating_sub(4));
    payload
}

/// Serves `route` to a client whose upgrade request carried `key`.
pub(crate) fn serve(route: Deflate, key: &str, mut replay: Replay, state: &State) {
    replay.skip_head();
    let accept = derive_accept_key(key.as_bytes());
    let (written, name) = match route {
        Deflate::Answer(value) => (
            http::write_switching(
                &mut replay,
                &accept,
                &[&format!("Sec-WebSocket-Extensions: {value}")],
            ),
            "deflate/answer",
        ),
        Deflate::Bomb(mib) => (write_bomb(&mut replay, &accept, mib), "deflate/bomb"),
    };
    match written {
        Ok(()) => watch(&mut replay, name, true, state),
        Err(e) => state.log(format_args!("{name}: write failed: {e}")),
    }
    replay.conn().finish();
}

/// The 101 accepting permessage-deflate, then the bomb as one binary frame.
fn write_bomb(w: &mut Replay, accept: &str, mib: usize) -> io::Result<()> {
    http::write_switching(w, accept, &["Sec-WebSocket-Extensions: permessage-deflate"])?;
    let payload = bomb_payload(mib);
    let mut frame = vec![0xC2, 127];
    frame.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    w.write_all(&frame)?;
    // The client may stop reading once it has had enough.
    let _ = w.write_all(&payload).and_then(|()| w.flush());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{Decompress, FlushDecompress};

    #[test]
    fn routes_parse() {
        assert_eq!(
            Deflate::parse(&["answer", "repeated"]),
            Some(Deflate::Answer("permessage-deflate, permessage-deflate"))
        );
        assert_eq!(Deflate::parse(&["bomb", "1024"]), Some(Deflate::Bomb(1024)));
        assert_eq!(Deflate::parse(&["bomb", "0"]), None);
        assert_eq!(Deflate::parse(&["bomb", "5000"]), None);
        assert_eq!(Deflate::parse(&["answer", "nope"]), None);
    }

    #[test]
    fn the_bomb_inflates_to_its_size() {
        let mut payload = bomb_payload(3);
        assert!(payload.len() < 4 * 1024, "{}", payload.len());
        payload.extend_from_slice(&[0, 0, 0xff, 0xff]);
        let mut d = Decompress::new(false);
        let mut out = Vec::with_capacity(4 << 20);
        d.decompress_vec(&payload, &mut out, FlushDecompress::Sync)
            .unwrap();
        assert_eq!(out.len(), 3 << 20);
        assert!(out.iter().all(|&b| b == 0));
    }
}
