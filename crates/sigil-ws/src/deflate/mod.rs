//! The permessage-deflate extension (RFC 7692): messages compressed with DEFLATE,
//! the compression context optionally kept from one message to the next.
//!
//! [`params`] negotiates it (the client's offer and its check of the answer, and the
//! server's choice, [`negotiate`]); [`PerMessageDeflate`] compresses and decompresses
//! the messages of one connection, for either side: each side compresses with its own
//! parameters (`client_*` for a client, `server_*` for a server) and decompresses
//! with the peer's. DEFLATE itself is zlib-rs, through `flate2`.
//!
//! # Windows of 8 bits
//! zlib (and zlib-rs) cannot compress with a 256-byte window: a raw deflate stream
//! asks for at least 9 bits. When the peer limits our window to 8 bits we therefore
//! send every message uncompressed (RSV1 clear), which RFC 7692 allows for any
//! message; the peer's messages are still decompressed. Decompressing needs no such
//! care: an inflater with a larger window reads any stream made with a smaller one, so
//! an 8-bit stream is read with a 9-bit window.
//!
//! # Decompression bombs
//! [`PerMessageDeflate::inflate`] writes at most a given number of bytes, so the
//! caller bounds a message by its decompressed size while it is being inflated
//! (see `connection/reassembly.rs`), whatever the ratio of the compressed input.

pub mod params;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use crate::error::{ProtocolError, WsError};

pub use params::{
    negotiate, DeflateConfig, DeflateParams, NegotiationError, DEFAULT_LEVEL, EXTENSION_NAME,
};

/// The empty stored block that ends every sync flush; RFC 7692 §7.2.1 strips it from
/// each compressed message and the receiver puts it back (§7.2.2).
const TAIL: [u8; 4] = [0x00, 0x00, 0xff, 0xff];

/// The compressor and decompressor of one connection.
pub struct PerMessageDeflate {
    params: DeflateParams,
    level: u8,
    /// Our window in bits (below 9: we send messages uncompressed, see the module docs).
    own_bits: u8,
    /// We start every message with an empty context.
    own_no_context_takeover: bool,
    /// The peer's window in bits.
    peer_bits: u8,
    /// Created at the first message sent, so idle connections stay small.
    compressor: Option<Compress>,
    /// Created at the first compressed message received.
    decompressor: Option<Decompress>,
    /// The peer ended its DEFLATE stream with a final block: the next message starts a
    /// new stream.
    peer_stream_ended: bool,
    /// The compressed form of the last message sent.
    out: Vec<u8>,
}

impl std::fmt::Debug for PerMessageDeflate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PerMessageDeflate")
            .field("params", &self.params)
            .field("level", &self.level)
            .finish()
    }
}

impl PerMessageDeflate {
    /// The extension as a client uses it after the handshake agreed `params`, compressing
    /// at `level` (0–9, higher values are taken as 9).
    pub fn for_client(params: DeflateParams, level: u8) -> PerMessageDeflate {
        PerMessageDeflate::new(
            params,
            level,
            (
                params.client_window_bits(),
                params.client_no_context_takeover,
            ),
            params.server_window_bits(),
        )
    }

    /// The extension as a server uses it after answering with `params` (see
    /// [`negotiate`]).
    pub fn for_server(params: DeflateParams, level: u8) -> PerMessageDeflate {
        PerMessageDeflate::new(
            params,
            level,
            (
                params.server_window_bits(),
                params.server_no_context_takeover,
            ),
            params.client_window_bits(),
        )
    }

    fn new(
        params: DeflateParams,
        level: u8,
        (own_bits, own_no_context_takeover): (u8, bool),
        peer_bits: u8,
    ) -> PerMessageDeflate {
        PerMessageDeflate {
            params,
            level: level.min(9),
            own_bits,
            own_no_context_takeover,
            peer_bits,
            compressor: None,
            decompressor: None,
            peer_stream_ended: false,
            out: Vec::new(),
        }
    }

    /// The agreed parameters.
    pub fn params(&self) -> &DeflateParams {
        &self.params
    }

    /// Compresses one whole message. Returns the payload to send with RSV1 set, or
    /// `None` when the message must go uncompressed (our window is limited to 8 bits).
    pub fn compress(&mut self, message: &[u8]) -> Result<Option<&[u8]>, WsError> {
        if self.own_bits < 9 {
            return Ok(None);
        }
        if message.is_empty() {
            // The first byte of an empty stored block (RFC 7692 §7.2.3.6); the tail
            // completes it. (A sync flush with nothing new to flush writes nothing.)
            self.out.clear();
            self.out.push(0);
            return Ok(Some(&self.out));
        }
        let (level, bits) = (Compression::new(u32::from(self.level)), self.own_bits);
        let c = self
            .compressor
            .get_or_insert_with(|| Compress::new_with_window_bits(level, false, bits));
        let failed = |e: flate2::CompressError| {
            WsError::Io(std::io::Error::other(format!("compression failed: {e}")))
        };
        self.out.clear();
        let start = c.total_in();
        loop {
            let consumed = (c.total_in() - start) as usize;
            let want = (message.len() - consumed) / 2 + 64;
            if self.out.capacity() - self.out.len() < want {
                self.out.reserve(want);
            }
            c.compress_vec(&message[consumed..], &mut self.out, FlushCompress::Sync)
                .map_err(failed)?;
            // A sync flush is complete once all input is taken and output room is left.
            if (c.total_in() - start) as usize == message.len()
                && self.out.len() < self.out.capacity()
            {
                break;
            }
        }
        if !self.out.ends_with(&TAIL) {
            return Err(WsError::Io(std::io::Error::other(
                "compression failed: sync flush without its empty block",
            )));
        }
        self.out.truncate(self.out.len() - TAIL.len());
        if self.own_no_context_takeover {
            c.reset();
        }
        Ok(Some(&self.out))
    }

    /// Inflates `input`, part of a compressed message's payload (or its
    /// [`PerMessageDeflate::message_tail`]), onto `out`, which may not grow past `limit`
    /// bytes: a message that would is refused with [`ProtocolError::MessageTooBig`]
    /// once it reaches the limit, so memory stays bounded whatever the input.
    /// `grow(out, extra)` makes room for at least `extra` more bytes (at most what the
    /// limit leaves); it is the caller's allocation policy.
    pub fn inflate_onto(
        &mut self,
        mut input: &[u8],
        out: &mut Vec<u8>,
        limit: usize,
        mut grow: impl FnMut(&mut Vec<u8>, usize) -> Result<(), ProtocolError>,
    ) -> Result<(), ProtocolError> {
        loop {
            let room = limit.saturating_sub(out.len());
            if room == 0 {
                return match self.inflates_more(input)? {
                    true => Err(ProtocolError::MessageTooBig {
                        size: limit as u64 + 1,
                        limit,
                    }),
                    false => Ok(()),
                };
            }
            if out.len() == out.capacity() {
                grow(out, out.len().max(input.len() * 4).max(4096).min(room))?;
            }
            let spare = (out.capacity() - out.len()).min(room);
            let (used, made) = self.inflate(input, out, spare)?;
            input = &input[used..];
            if made < spare && input.is_empty() {
                return Ok(());
            }
            if used == 0 && made == 0 {
                return Err(ProtocolError::Decompression(
                    "the compressed data does not progress".into(),
                ));
            }
        }
    }

    /// Inflates from `input` into the spare capacity of `out`, at most `max` bytes.
    /// Returns the bytes of `input` consumed and the bytes written.
    fn inflate(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        max: usize,
    ) -> Result<(usize, usize), ProtocolError> {
        if self.peer_stream_ended {
            return match input {
                [] => Ok((0, 0)),
                _ => Err(ProtocolError::Decompression(
                    "data after the final DEFLATE block of a message".into(),
                )),
            };
        }
        // zlib's raw inflate takes 9 to 15 bits; 9 reads 8-bit streams too.
        let bits = self.peer_bits.clamp(9, 15);
        let d = self
            .decompressor
            .get_or_insert_with(|| Decompress::new_with_window_bits(false, bits));
        let spare = out.spare_capacity_mut();
        let room = spare.len().min(max);
        let (in0, out0) = (d.total_in(), d.total_out());
        let status = d
            .decompress_uninit(input, &mut spare[..room], FlushDecompress::None)
            .map_err(|e| ProtocolError::Decompression(e.to_string()))?;
        let (used, made) = (
            (d.total_in() - in0) as usize,
            (d.total_out() - out0) as usize,
        );
        // SAFETY: `decompress_uninit` initialized the first `made` bytes of the spare
        // capacity it was given, which begins right after `out.len()`.
        unsafe { out.set_len(out.len() + made) };
        if status == Status::StreamEnd {
            self.peer_stream_ended = true;
            if used < input.len() {
                return Err(ProtocolError::Decompression(
                    "data after the final DEFLATE block of a message".into(),
                ));
            }
        }
        Ok((used, made))
    }

    /// Whether inflating `input` would produce at least one more byte (a message that
    /// reached its limit must end here). Consumes what it reads.
    fn inflates_more(&mut self, mut input: &[u8]) -> Result<bool, ProtocolError> {
        let mut probe = Vec::with_capacity(1);
        loop {
            let (used, made) = self.inflate(input, &mut probe, 1)?;
            if made > 0 {
                return Ok(true);
            }
            if used == 0 {
                return Ok(false);
            }
            input = &input[used..];
        }
    }

    /// The bytes that end every compressed message before it is inflated: the empty
    /// block the sender stripped (none if its stream already ended).
    pub fn message_tail(&self) -> &'static [u8] {
        if self.peer_stream_ended {
            &[]
        } else {
            &TAIL
        }
    }

    /// After a compressed message was inflated whole: a stream that ended with a final
    /// block is followed by a new one.
    pub fn end_message(&mut self) {
        if self.peer_stream_ended {
            self.peer_stream_ended = false;
            if let Some(d) = self.decompressor.as_mut() {
                d.reset(false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inflates a whole message as the connection does: the payload, then the tail.
    fn inflate_message(
        d: &mut PerMessageDeflate,
        payload: &[u8],
        limit: usize,
    ) -> Result<Vec<u8>, ProtocolError> {
        let mut out = Vec::new();
        let grow = |v: &mut Vec<u8>, extra: usize| {
            v.reserve(extra);
            Ok(())
        };
        d.inflate_onto(payload, &mut out, limit, grow)?;
        d.inflate_onto(d.message_tail(), &mut out, limit, grow)?;
        d.end_message();
        Ok(out)
    }

    fn pair(params: DeflateParams) -> (PerMessageDeflate, PerMessageDeflate) {
        (
            PerMessageDeflate::for_client(params, params::DEFAULT_LEVEL),
            PerMessageDeflate::for_server(params, params::DEFAULT_LEVEL),
        )
    }

    /// `len` bytes of JSON-like text drawn from a small vocabulary (seeded).
    fn sample(len: usize, seed: usize) -> Vec<u8> {
        const WORDS: [&str; 8] = [
            "{\"id\": ",
            "\"name\": ",
            "\"sigil\", ",
            "42, ",
            "true}, ",
            "\"deflate\"",
            " ",
            "[1, 2, 3]",
        ];
        let mut state = seed as u64 * 2_654_435_761 + 1;
        let mut out = Vec::with_capacity(len + 16);
        while out.len() < len {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            out.extend_from_slice(WORDS[(state >> 61) as usize].as_bytes());
        }
        out.truncate(len);
        out
    }

    #[test]
    fn both_directions_every_window_with_and_without_context_takeover() {
        for bits in 8..=15u8 {
            for nct in [false, true] {
                let p = DeflateParams {
                    server_no_context_takeover: nct,
                    client_no_context_takeover: nct,
                    server_max_window_bits: Some(bits),
                    client_max_window_bits: Some(bits),
                };
                let (mut client, mut server) = pair(p);
                for (i, len) in [0usize, 1, 0, 16, 300, 0, 5000, 70_000, 200_000, 0, 7]
                    .iter()
                    .enumerate()
                {
                    let msg = sample(*len, i);
                    echo(&mut client, &mut server, &msg, bits);
                    echo(&mut server, &mut client, &msg, bits);
                }
            }
        }
    }

    /// Sends `msg` from one side to the other and checks what arrives.
    fn echo(from: &mut PerMessageDeflate, to: &mut PerMessageDeflate, msg: &[u8], bits: u8) {
        match from.compress(msg).unwrap().map(<[u8]>::to_vec) {
            Some(z) => {
                assert!(bits >= 9, "8-bit windows send uncompressed");
                if msg.len() >= 300 {
                    assert!(z.len() < msg.len() / 2, "{}: {}", msg.len(), z.len());
                }
                assert_eq!(inflate_message(to, &z, usize::MAX).unwrap(), msg);
            }
            None => assert_eq!(bits, 8),
        }
    }

    #[test]
    fn context_takeover_shrinks_repeated_messages() {
        let msg = sample(2000, 3);
        let sizes = |nct| {
            let (mut client, mut server) = pair(DeflateParams {
                client_no_context_takeover: nct,
                ..DeflateParams::default()
            });
            let first = client.compress(&msg).unwrap().unwrap().to_vec();
            let second = client.compress(&msg).unwrap().unwrap().to_vec();
            assert_eq!(
                inflate_message(&mut server, &first, usize::MAX).unwrap(),
                msg
            );
            assert_eq!(
                inflate_message(&mut server, &second, usize::MAX).unwrap(),
                msg
            );
            (first.len(), second.len())
        };
        let (first, second) = sizes(false);
        assert!(second < first / 4, "{first} then {second}");
        let (first, second) = sizes(true);
        assert_eq!(first, second);
    }

    #[test]
    fn output_is_bounded_by_the_limit() {
        let (mut client, mut server) = pair(DeflateParams::default());
        let zeros = vec![0u8; 10 << 20];
        let z = client.compress(&zeros).unwrap().unwrap().to_vec();
        assert!(z.len() < 20_000, "{}", z.len());
        let e = inflate_message(&mut server, &z, 1 << 20).unwrap_err();
        assert!(matches!(e, ProtocolError::MessageTooBig { .. }), "{e:?}");
        // Exactly at the limit is fine.
        let (mut client, mut server) = pair(DeflateParams::default());
        let z = client
            .compress(&zeros[..1 << 20])
            .unwrap()
            .unwrap()
            .to_vec();
        assert_eq!(
            inflate_message(&mut server, &z, 1 << 20).unwrap().len(),
            1 << 20
        );
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        let (_, mut server) = pair(DeflateParams::default());
        let e = inflate_message(&mut server, &[0xff, 0xff, 0xff], usize::MAX).unwrap_err();
        assert!(matches!(e, ProtocolError::Decompression(_)), "{e:?}");
        assert_eq!(e.close_code(), 1002);
    }

    #[test]
    fn a_final_block_starts_a_new_stream() {
        // A peer may end a message with BFINAL set (e.g. with no context takeover).
        let mut z = Compress::new(Compression::default(), false);
        let mut finished = Vec::with_capacity(100);
        z.compress_vec(b"hello hello", &mut finished, FlushCompress::Finish)
            .unwrap();
        let (_, mut client) = pair(DeflateParams::default());
        for _ in 0..2 {
            assert_eq!(
                inflate_message(&mut client, &finished, usize::MAX).unwrap(),
                b"hello hello"
            );
        }
        let mut trailing = finished.clone();
        trailing.push(0);
        assert!(inflate_message(&mut client, &trailing, usize::MAX).is_err());
    }
}
