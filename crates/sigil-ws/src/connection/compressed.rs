//! Compressed messages (permessage-deflate, RFC 7692) in the connection: outgoing
//! data messages are compressed whole and sent with RSV1; the payload of an incoming
//! compressed frame is inflated piece by piece as it arrives, so neither the input
//! buffer nor the message grows past its limits, whatever the compression ratio.

use crate::deflate::{DeflateParams, PerMessageDeflate};
use crate::error::{ProtocolError, WsError};
use crate::frame::{FrameError, FrameHeader, OpCode};
use crate::mask::apply_mask_at;

use super::{Connection, Message};

/// The compressed frame whose payload is being inflated.
#[derive(Debug, Clone, Copy)]
pub(super) struct CompressedFrame {
    /// Payload bytes that have not arrived yet.
    remaining: usize,
    fin: bool,
    mask: Option<[u8; 4]>,
    /// Payload bytes already inflated (the masking key's offset).
    offset: usize,
}

/// How far [`Connection::inflate_frame`] got.
pub(super) enum Inflated {
    /// The frame's payload has not all arrived.
    Waiting,
    /// The frame is done; its message goes on.
    Frame,
    /// The frame completed a message.
    Message(Message),
}

impl Connection {
    /// Turns permessage-deflate on, as the opening handshake agreed: later data
    /// messages are compressed, and received frames may carry RSV1.
    pub fn set_deflate(&mut self, deflate: PerMessageDeflate) {
        self.deflate = Some(Box::new(deflate));
    }

    /// The permessage-deflate parameters in force, if it was negotiated.
    pub fn deflate_params(&self) -> Option<&DeflateParams> {
        self.deflate.as_deref().map(PerMessageDeflate::params)
    }

    /// Whether a frame with header `h` carries (part of) a compressed message.
    pub(super) fn is_compressed_frame(&self, h: &FrameHeader) -> bool {
        h.rsv1 || (h.opcode == OpCode::Continuation && self.message.is_compressed())
    }

    /// Starts inflating a compressed frame whose header `h` is at the front of the
    /// input buffer (the header is consumed).
    pub(super) fn begin_compressed_frame(&mut self, h: &FrameHeader) -> Result<(), ProtocolError> {
        // Only the order of frames is checked here: the size limit applies to the
        // inflated message, while it is inflated.
        self.message.check_frame(h.opcode, 0, usize::MAX)?;
        if h.opcode != OpCode::Continuation {
            self.message.begin_compressed(h.opcode);
        }
        self.input.take(h.header_len);
        self.inflating = Some(CompressedFrame {
            // decode_header bounded payload_len by max_frame_size, so it fits in usize.
            remaining: h.payload_len as usize,
            fin: h.fin,
            mask: h.mask,
            offset: 0,
        });
        Ok(())
    }

    /// Inflates what has arrived of the compressed frame in progress.
    pub(super) fn inflate_frame(&mut self) -> Result<Inflated, ProtocolError> {
        let limit = self.limits.max_message_size;
        let (Some(f), Some(deflate)) = (self.inflating.as_mut(), self.deflate.as_deref_mut())
        else {
            // A compressed frame is only started once permessage-deflate is on.
            return Err(ProtocolError::Frame(FrameError::ReservedBits));
        };
        let n = f.remaining.min(self.input.data().len());
        if n > 0 {
            let range = self.input.take(n);
            let piece = self.input.get_mut(range);
            if let Some(key) = f.mask {
                apply_mask_at(piece, key, f.offset);
            }
            f.remaining -= n;
            f.offset += n;
            self.message.inflate(deflate, piece, limit)?;
        }
        if f.remaining > 0 {
            return Ok(Inflated::Waiting);
        }
        let fin = f.fin;
        self.inflating = None;
        if fin {
            let tail = deflate.message_tail();
            self.message.inflate(deflate, tail, limit)?;
            deflate.end_message();
        }
        Ok(match self.message.fragment_done(fin)? {
            Some(m) => Inflated::Message(m),
            None => Inflated::Frame,
        })
    }

    /// Queues a data message, compressed when permessage-deflate is on (and our
    /// window allows it, see [`PerMessageDeflate::compress`]).
    pub(super) fn queue_message(&mut self, opcode: OpCode, payload: &[u8]) -> Result<(), WsError> {
        let Some(mut deflate) = self.deflate.take() else {
            self.queue(opcode, payload);
            return Ok(());
        };
        let queued = deflate
            .compress(payload)
            .map(|compressed| match compressed {
                Some(data) => self.queue_frame(true, opcode, data),
                None => self.queue(opcode, payload),
            });
        self.deflate = Some(deflate);
        queued
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deflate::DEFAULT_LEVEL;
    use crate::frame::{decode_frame, Frame, RSV1};
    use crate::limits::Limits;
    use crate::{Event, State};

    /// A client connection with permessage-deflate agreed as `params`.
    fn conn(params: DeflateParams, limits: Limits) -> Connection {
        let mut c = Connection::new(limits);
        c.set_deflate(PerMessageDeflate::for_client(params, DEFAULT_LEVEL));
        c
    }

    /// The peer: compresses as a server would.
    fn server() -> PerMessageDeflate {
        PerMessageDeflate::for_server(DeflateParams::default(), DEFAULT_LEVEL)
    }

    /// An unmasked frame with the given first byte.
    fn frame(b0: u8, payload: &[u8]) -> Vec<u8> {
        let mut f = Frame::new(OpCode::from_u8(b0), payload.to_vec());
        f.fin = b0 & 0x80 != 0;
        f.rsv1 = b0 & RSV1 != 0;
        f.rsv2 = b0 & 0x20 != 0;
        f.rsv3 = b0 & 0x10 != 0;
        let mut out = Vec::new();
        f.encode(&mut out);
        out
    }

    fn compressed(s: &mut PerMessageDeflate, msg: &[u8]) -> Vec<u8> {
        s.compress(msg).unwrap().unwrap().to_vec()
    }

    fn feed(c: &mut Connection, bytes: &[u8]) -> Vec<Event> {
        c.receive_bytes(bytes);
        std::iter::from_fn(|| c.next_event()).collect()
    }

    fn failure(events: &[Event]) -> Option<u16> {
        match events.last() {
            Some(Event::Failed(e)) => Some(e.close_code()),
            _ => None,
        }
    }

    #[test]
    fn compressed_messages_in_any_pieces() {
        let mut s = server();
        let text = "ünïcödé text that repeats, text that repeats, text that repeats".repeat(50);
        let mut data = frame(0xc1, &compressed(&mut s, text.as_bytes()));
        // Fragmented: RSV1 on the first frame only, a ping in between.
        let z = compressed(&mut s, &[7u8; 100_000]);
        let (a, b) = z.split_at(z.len() / 3);
        data.extend(frame(0x42, a));
        data.extend(frame(0x89, b"ping"));
        data.extend(frame(0x00, &[]));
        data.extend(frame(0x80, b));
        // An uncompressed message is still allowed.
        data.extend(frame(0x81, b"plain"));
        let expected = [
            Event::Message(Message::Text(text.clone())),
            Event::Ping(b"ping".to_vec()),
            Event::Message(Message::Binary(vec![7u8; 100_000])),
            Event::Message(Message::Text("plain".into())),
        ];
        for piece in [1, 3, 1000, 1 << 20] {
            let mut c = conn(DeflateParams::default(), Limits::default());
            let mut events = Vec::new();
            for chunk in data.chunks(piece) {
                events.extend(feed(&mut c, chunk));
                if piece == 1 && events.len() < 4 {
                    assert!(c.mid_frame() || c.input.data().is_empty());
                }
            }
            assert_eq!(events, expected, "pieces of {piece}");
        }
    }

    #[test]
    fn misplaced_rsv1_fails_with_1002() {
        let params = DeflateParams::default();
        let mut s = server();
        let z = compressed(&mut s, b"hello");
        // RSV1 on a continuation frame.
        let mut c = conn(params, Limits::default());
        let mut data = frame(0x41, &z);
        data.extend(frame(0xc0, b""));
        assert_eq!(failure(&feed(&mut c, &data)), Some(1002));
        assert_eq!(c.state(), State::Closed);
        // RSV1 on a control frame.
        let mut c = conn(params, Limits::default());
        assert_eq!(failure(&feed(&mut c, &frame(0xc9, b""))), Some(1002));
        // RSV2 and RSV3 stay reserved.
        let mut c = conn(params, Limits::default());
        assert_eq!(failure(&feed(&mut c, &frame(0xa1, b""))), Some(1002));
        // A new compressed message inside a fragmented one.
        let mut c = conn(params, Limits::default());
        let mut data = frame(0x41, &z);
        data.extend(frame(0xc1, &z));
        assert_eq!(failure(&feed(&mut c, &data)), Some(1002));
        // Not DEFLATE data.
        let mut c = conn(params, Limits::default());
        assert_eq!(
            failure(&feed(&mut c, &frame(0xc2, &[0xff; 10]))),
            Some(1002)
        );
        // Invalid UTF-8 once inflated.
        let mut c = conn(params, Limits::default());
        let bad = compressed(&mut server(), &[b'a', 0xff, 0xfe]);
        assert_eq!(failure(&feed(&mut c, &frame(0xc1, &bad))), Some(1007));
    }

    #[test]
    fn the_limit_applies_to_the_inflated_size() {
        let limits = Limits {
            max_message_size: 1 << 20,
            ..Limits::default()
        };
        let mut s = server();
        let bomb = compressed(&mut s, &vec![0u8; 64 << 20]);
        assert!(bomb.len() < 100_000, "{}", bomb.len());
        let mut c = conn(DeflateParams::default(), limits);
        let events = feed(&mut c, &frame(0xc2, &bomb));
        assert_eq!(failure(&events), Some(1009));
        // The message never grew past the limit.
        let mut c = conn(DeflateParams::default(), limits);
        let mut s = server();
        let exact = compressed(&mut s, &vec![1u8; 1 << 20]);
        assert_eq!(
            feed(&mut c, &frame(0xc2, &exact)),
            [Event::Message(Message::Binary(vec![1u8; 1 << 20]))]
        );
        // Across fragments too.
        let mut c = conn(DeflateParams::default(), limits);
        let z = compressed(&mut s, &vec![2u8; (1 << 20) + 1]);
        let (a, b) = z.split_at(z.len() / 2);
        let mut data = frame(0x42, a);
        data.extend(frame(0x80, b));
        assert_eq!(failure(&feed(&mut c, &data)), Some(1009));
    }

    #[test]
    fn sent_data_is_compressed_and_control_frames_are_not() {
        let mut c = conn(DeflateParams::default(), Limits::default());
        let text: String = (0..300)
            .map(|i| format!("{{\"id\":{i},\"v\":{}}},", i * 7919 % 1000))
            .collect();
        c.send_text(&text).unwrap();
        c.send_text(&text).unwrap();
        c.ping(b"p").unwrap();
        c.send_binary(&[]).unwrap();
        let out = c.pending_output().to_vec();
        let mut frames = Vec::new();
        let mut pos = 0;
        while let Some((f, used)) = decode_header_frame(&out[pos..]) {
            frames.push(f);
            pos += used;
        }
        let mut peer = server_side_reader();
        let bits: Vec<_> = frames.iter().map(|(b0, _)| b0 & RSV1 != 0).collect();
        assert_eq!(bits, [true, true, false, true]);
        assert!(
            frames[1].1.len() < frames[0].1.len() / 4,
            "context taken over"
        );
        assert_eq!(inflate(&mut peer, &frames[0].1), text.as_bytes());
        assert_eq!(inflate(&mut peer, &frames[1].1), text.as_bytes());
        assert_eq!(frames[2].1, b"p");
        assert_eq!(inflate(&mut peer, &frames[3].1), b"");
    }

    #[test]
    fn an_8_bit_window_sends_uncompressed() {
        let params = DeflateParams {
            client_max_window_bits: Some(8),
            ..DeflateParams::default()
        };
        let mut c = conn(params, Limits::default());
        c.send_text(&"x".repeat(1000)).unwrap();
        let (b0, payload) = decode_header_frame(c.pending_output()).unwrap().0;
        assert_eq!(b0 & RSV1, 0);
        assert_eq!(payload.len(), 1000);
    }

    /// The first frame of `buf`: its first byte and unmasked payload, and its length.
    fn decode_header_frame(buf: &[u8]) -> Option<((u8, Vec<u8>), usize)> {
        let b0 = *buf.first()?;
        // decode_frame refuses RSV bits: clear them to read the frame.
        let mut copy = buf.to_vec();
        copy[0] &= !RSV1;
        let (f, used) = decode_frame(&copy).ok()??;
        Some(((b0, f.payload), used))
    }

    fn server_side_reader() -> PerMessageDeflate {
        PerMessageDeflate::for_server(DeflateParams::default(), DEFAULT_LEVEL)
    }

    fn inflate(d: &mut PerMessageDeflate, payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let grow = |v: &mut Vec<u8>, extra: usize| {
            v.reserve(extra);
            Ok(())
        };
        d.inflate_onto(payload, &mut out, usize::MAX, grow).unwrap();
        d.inflate_onto(d.message_tail(), &mut out, usize::MAX, grow)
            .unwrap();
        d.end_message();
        out
    }
}
