//! `/deflate/echo`: an echo server that speaks permessage-deflate, written on raw
//! frames with `flate2` (zlib-rs): a fast compressed peer for the benchmarks, so that
//! they measure the clients rather than the server. (The tests' reference peer for
//! compression is Python `websockets`, see `py/deflate_server.py`.)
//!
//! It accepts an offer of `permessage-deflate` whose only parameter is
//! `client_max_window_bits` (the default offer of browsers, Python `websockets` and
//! Sigil) and answers `permessage-deflate`: context takeover both ways, 15-bit windows,
//! zlib level 6. Other offers are declined (messages then echo uncompressed). Every
//! message is echoed as one frame, compressed when the extension is on; pings are
//! answered, a close frame is echoed and ends the connection.

use std::io::{self, Read, Write};

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress};
use tungstenite::handshake::derive_accept_key;

use crate::hostile::parse_client_frame;
use crate::http::{self, Replay};
use crate::server::State;

/// The empty block that ends a sync flush (stripped from each message, RFC 7692).
const TAIL: [u8; 4] = [0, 0, 0xff, 0xff];

/// Serves `/deflate/echo` to a client whose upgrade request carried `key`.
pub(crate) fn serve(key: &str, mut replay: Replay, state: &State) {
    let deflate = offered(&replay.head());
    replay.skip_head();
    let accept = derive_accept_key(key.as_bytes());
    let answer: &[&str] = match deflate {
        true => &["Sec-WebSocket-Extensions: permessage-deflate"],
        false => &[],
    };
    let result = http::write_switching(&mut replay, &accept, answer).and_then(|()| {
        replay.conn().set_read_timeout(None)?;
        echo(&mut replay, deflate)
    });
    if let Err(e) = result {
        state.log(format_args!("deflate/echo: {e}"));
    }
    replay.conn().finish();
}

/// Whether the request head offers permessage-deflate with no parameter but
/// `client_max_window_bits`.
fn offered(head: &str) -> bool {
    head.lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(name, _)| name.trim().eq_ignore_ascii_case("Sec-WebSocket-Extensions"))
        .flat_map(|(_, value)| value.split(','))
        .any(|offer| {
            let mut parts = offer.split(';').map(str::trim);
            parts.next() == Some("permessage-deflate")
                && parts.all(|p| p.split('=').next() == Some("client_max_window_bits"))
        })
}

/// Echoes until the client closes.
fn echo(io: &mut Replay, deflate: bool) -> io::Result<()> {
    let mut inflater = Decompress::new(false);
    let mut deflater = Compress::new(Compression::default(), false);
    let mut input = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let (mut message, mut first) = (Vec::new(), 0u8);
    loop {
        let mut used_total = 0;
        while let Some((b0, payload, used)) = parse_client_frame(&input[used_total..]) {
            used_total += used;
            match b0 & 0x0F {
                0x8 => return write_frame(io, 0x88, &payload[..payload.len().min(2)]),
                0x9 => write_frame(io, 0x8A, &payload)?,
                0xA => {}
                op @ (0x0..=0x2) => {
                    if op != 0 {
                        first = b0;
                        message.clear();
                    }
                    message.extend_from_slice(&payload);
                    if b0 & 0x80 != 0 {
                        let opcode = first & 0x0F;
                        if first & 0x40 != 0 {
                            message.extend_from_slice(&TAIL);
                            message = inflate(&mut inflater, &message)?;
                        }
                        match deflate {
                            true => {
                                write_frame(io, 0xC0 | opcode, &compress(&mut deflater, &message)?)?
                            }
                            false => write_frame(io, 0x80 | opcode, &message)?,
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
        input.drain(..used_total);
        let n = io.read(&mut chunk)?;
        if n == 0 {
            return Ok(());
        }
        input.extend_from_slice(&chunk[..n]);
    }
}

/// Writes one unmasked frame with first byte `b0` in one write.
fn write_frame(io: &mut Replay, b0: u8, payload: &[u8]) -> io::Result<()> {
    let mut frame = Vec::with_capacity(payload.len() + 10);
    frame.push(b0);
    match payload.len() {
        n @ 0..=125 => frame.push(n as u8),
        n @ 126..=0xFFFF => {
            frame.push(126);
            frame.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            frame.push(127);
            frame.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    frame.extend_from_slice(payload);
    io.write_all(&frame)?;
    io.flush()
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

/// Inflates a whole compressed message (tail included).
fn inflate(d: &mut Decompress, data: &[u8]) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 4 + 64);
    let start = d.total_in();
    loop {
        let used = (d.total_in() - start) as usize;
        d.decompress_vec(&data[used..], &mut out, FlushDecompress::Sync)
            .map_err(invalid)?;
        if (d.total_in() - start) as usize == data.len() && out.len() < out.capacity() {
            return Ok(out);
        }
        out.reserve(out.capacity().max(4096));
    }
}

/// Compresses a whole message with a sync flush, without the tail.
fn compress(c: &mut Compress, data: &[u8]) -> io::Result<Vec<u8>> {
    if data.is_empty() {
        return Ok(vec![0]);
    }
    let mut out = Vec::with_capacity(data.len() / 2 + 64);
    let start = c.total_in();
    loop {
        let used = (c.total_in() - start) as usize;
        c.compress_vec(&data[used..], &mut out, FlushCompress::Sync)
            .map_err(invalid)?;
        if (c.total_in() - start) as usize == data.len() && out.len() < out.capacity() {
            break;
        }
        out.reserve(out.capacity().max(4096));
    }
    match out.ends_with(&TAIL) {
        true => {
            out.truncate(out.len() - TAIL.len());
            Ok(out)
        }
        false => Err(invalid("sync flush without its empty block")),
    }
}

#[cfg(test)]
mod tests {
    use super::offered;

    #[test]
    fn accepts_only_the_plain_offer() {
        let head = |ext: &str| format!("GET / HTTP/1.1\r\nSec-WebSocket-Extensions: {ext}\r\n\r\n");
        assert!(offered(&head("permessage-deflate; client_max_window_bits")));
        assert!(offered(&head("x-foo, permessage-deflate")));
        assert!(offered(&head(
            "permessage-deflate; client_max_window_bits=10"
        )));
        assert!(!offered(&head(
            "permessage-deflate; server_no_context_takeover"
        )));
        assert!(!offered(&head("x-foo")));
        assert!(!offered("GET / HTTP/1.1\r\n\r\n"));
    }
}
