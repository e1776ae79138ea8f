//! Frame codec (RFC 6455 §5.2): encoding and validating decoding of single frames.
//!
//! Decoding is split in two steps so a receiver can reject an oversize frame from its
//! header alone, before buffering the payload: [`decode_header`] then the payload.

use std::fmt;

use crate::mask::{apply_mask, copy_and_mask_uninit};

/// Largest payload a control frame may carry.
pub const MAX_CONTROL_PAYLOAD: usize = 125;

/// The RSV1 bit of a frame's first byte: with permessage-deflate (RFC 7692), set on
/// the first frame of a compressed message.
pub const RSV1: u8 = 0x40;

/// Frame opcode, including the reserved values so decoding can report them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpCode {
    /// 0x0: continues a fragmented message.
    Continuation,
    /// 0x1: first frame of a UTF-8 text message.
    Text,
    /// 0x2: first frame of a binary message.
    Binary,
    /// 0x8: close.
    Close,
    /// 0x9: ping.
    Ping,
    /// 0xA: pong.
    Pong,
    /// 0x3–0x7: reserved non-control opcodes.
    ReservedData(u8),
    /// 0xB–0xF: reserved control opcodes.
    ReservedControl(u8),
}

impl OpCode {
    /// Decodes the low four bits of `bits`.
    pub fn from_u8(bits: u8) -> OpCode {
        match bits & 0x0f {
            0x0 => OpCode::Continuation,
            0x1 => OpCode::Text,
            0x2 => OpCode::Binary,
            0x8 => OpCode::Close,
            0x9 => OpCode::Ping,
            0xa => OpCode::Pong,
            b @ 0x3..=0x7 => OpCode::ReservedData(b),
            b => OpCode::ReservedControl(b),
        }
    }

    /// The 4-bit wire value.
    pub fn as_u8(self) -> u8 {
        match self {
            OpCode::Continuation => 0x0,
            OpCode::Text => 0x1,
            OpCode::Binary => 0x2,
            OpCode::Close => 0x8,
            OpCode::Ping => 0x9,
            OpCode::Pong => 0xa,
            OpCode::ReservedData(b) | OpCode::ReservedControl(b) => b & 0x0f,
        }
    }

    /// Control opcodes are 0x8–0xF.
    pub fn is_control(self) -> bool {
        self.as_u8() & 0x08 != 0
    }

    /// True for the opcodes RFC 6455 leaves reserved.
    pub fn is_reserved(self) -> bool {
        matches!(self, OpCode::ReservedData(_) | OpCode::ReservedControl(_))
    }
}

/// One complete frame with its payload (unmasked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Final fragment of a message.
    pub fin: bool,
    /// Extension bit 1.
    pub rsv1: bool,
    /// Extension bit 2.
    pub rsv2: bool,
    /// Extension bit 3.
    pub rsv3: bool,
    /// Frame type.
    pub opcode: OpCode,
    /// Payload data, already unmasked.
    pub payload: Vec<u8>,
    /// Masking key the frame carried (or should carry when encoded).
    pub mask: Option<[u8; 4]>,
}

impl Frame {
    /// A final, unmasked frame without extension bits.
    pub fn new(opcode: OpCode, payload: Vec<u8>) -> Frame {
        Frame {
            fin: true,
            rsv1: false,
            rsv2: false,
            rsv3: false,
            opcode,
            payload,
            mask: None,
        }
    }

    /// Appends the wire encoding of this frame (masked if `mask` is set) to `out`, as it
    /// is: RSV bits and invalid control frames included (for testing peers).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let rsv = (self.rsv1 as u8) << 6 | (self.rsv2 as u8) << 5 | (self.rsv3 as u8) << 4;
        encode_raw(
            out,
            first_byte(self.fin, self.opcode) | rsv,
            &self.payload,
            self.mask,
        );
    }
}

/// The fixed part of a frame, decoded before the payload is available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameHeader {
    /// Final fragment of a message.
    pub fin: bool,
    /// Frame type.
    pub opcode: OpCode,
    /// RSV1: the message is compressed (only when permessage-deflate allows it, see
    /// [`decode_header_ext`]).
    pub rsv1: bool,
    /// Masking key, if the frame is masked.
    pub mask: Option<[u8; 4]>,
    /// Payload length announced by the header.
    pub payload_len: u64,
    /// Size of the header itself in bytes (2 to 14).
    pub header_len: usize,
}

/// Why a frame was rejected. [`FrameError::close_code`] maps it to RFC 6455 close codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Opcode 0x3–0x7 or 0xB–0xF.
    ReservedOpcode(u8),
    /// RSV1/2/3 set although no extension was negotiated.
    ReservedBits,
    /// RSV1 (compressed) on a continuation or control frame (RFC 7692 §6.1).
    MisplacedRsv1(OpCode),
    /// Control frame with a payload over 125 bytes.
    ControlTooLong(u64),
    /// Control frame without FIN.
    FragmentedControl,
    /// 64-bit length with the most significant bit set.
    InvalidLength,
    /// Payload larger than the configured maximum frame size.
    TooBig {
        /// Announced payload length.
        len: u64,
        /// Configured limit.
        limit: usize,
    },
}

impl FrameError {
    /// Close code to fail the connection with: 1009 for size limits, 1002 otherwise.
    pub fn close_code(&self) -> u16 {
        match self {
            FrameError::TooBig { .. } => 1009,
            _ => 1002,
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::ReservedOpcode(op) => write!(f, "reserved opcode 0x{op:x}"),
            FrameError::ReservedBits => {
                write!(f, "reserved bits set without a negotiated extension")
            }
            FrameError::MisplacedRsv1(op) => {
                let kind = match op {
                    OpCode::Continuation => "continuation",
                    _ => "control",
                };
                write!(f, "RSV1 (compressed) set on a {kind} frame")
            }
            FrameError::ControlTooLong(n) => {
                write!(f, "control frame payload of {n} bytes (max 125)")
            }
            FrameError::FragmentedControl => write!(f, "fragmented control frame"),
            FrameError::InvalidLength => write!(f, "64-bit payload length with the high bit set"),
            FrameError::TooBig { len, limit } => {
                write!(f, "frame of {len} bytes exceeds the limit of {limit} bytes")
            }
        }
    }
}

impl std::error::Error for FrameError {}

/// Decodes and validates a frame header, rejecting frames above `max_frame_size`.
///
/// Returns `Ok(None)` when `buf` does not hold the whole header yet.
pub fn decode_header(buf: &[u8], max_frame_size: usize) -> Result<Option<FrameHeader>, FrameError> {
    decode_header_ext(buf, max_frame_size, false)
}

/// [`decode_header`] for a connection that may have negotiated permessage-deflate:
/// when `rsv1_allowed`, RSV1 may mark the first frame of a data message as compressed
/// ([`FrameHeader::rsv1`]); on a continuation or control frame it is an error
/// ([`FrameError::MisplacedRsv1`]). RSV2 and RSV3 are always errors.
pub fn decode_header_ext(
    buf: &[u8],
    max_frame_size: usize,
    rsv1_allowed: bool,
) -> Result<Option<FrameHeader>, FrameError> {
    let (b0, b1) = match buf {
        [b0, b1, ..] => (*b0, *b1),
        _ => return Ok(None),
    };
    let fin = b0 & 0x80 != 0;
    let rsv1 = b0 & RSV1 != 0;
    if b0 & 0x70 != 0 && !(rsv1_allowed && b0 & 0x70 == RSV1) {
        return Err(FrameError::ReservedBits);
    }
    let opcode = OpCode::from_u8(b0);
    if opcode.is_reserved() {
        return Err(FrameError::ReservedOpcode(opcode.as_u8()));
    }
    if rsv1 && (opcode == OpCode::Continuation || opcode.is_control()) {
        return Err(FrameError::MisplacedRsv1(opcode));
    }
    let masked = b1 & 0x80 != 0;
    let (payload_len, mut pos) = match b1 & 0x7f {
        126 => match buf.get(2..4) {
            Some(b) => (u64::from(u16::from_be_bytes([b[0], b[1]])), 4),
            None => return Ok(None),
        },
        127 => match buf.get(2..10) {
            Some(b) => {
                let mut w = [0u8; 8];
                w.copy_from_slice(b);
                let len = u64::from_be_bytes(w);
                if len >> 63 != 0 {
                    return Err(FrameError::InvalidLength);
                }
                (len, 10)
            }
            None => return Ok(None),
        },
        n => (u64::from(n), 2),
    };
    check_control(fin, opcode, payload_len)?;
    if payload_len > max_frame_size as u64 {
        return Err(FrameError::TooBig {
            len: payload_len,
            limit: max_frame_size,
        });
    }
    let mask = if masked {
        match buf.get(pos..pos + 4) {
            Some(k) => {
                pos += 4;
                Some([k[0], k[1], k[2], k[3]])
            }
            None => return Ok(None),
        }
    } else {
        None
    };
    Ok(Some(FrameHeader {
        fin,
        opcode,
        rsv1,
        mask,
        payload_len,
        header_len: pos,
    }))
}

/// Decodes one whole frame from the front of `buf`, unmasking its payload.
///
/// Returns the frame and the number of bytes it used, or `Ok(None)` if `buf` holds
/// only part of it. Never panics, whatever the input.
pub fn decode_frame(buf: &[u8]) -> Result<Option<(Frame, usize)>, FrameError> {
    let Some(h) = decode_header(buf, usize::MAX)? else {
        return Ok(None);
    };
    let available = (buf.len() - h.header_len) as u64;
    if available < h.payload_len {
        return Ok(None);
    }
    // payload_len <= available fits in usize.
    let end = h.header_len + h.payload_len as usize;
    let mut payload = buf[h.header_len..end].to_vec();
    if let Some(key) = h.mask {
        apply_mask(&mut payload, key);
    }
    let frame = Frame {
        fin: h.fin,
        rsv1: false,
        rsv2: false,
        rsv3: false,
        opcode: h.opcode,
        payload,
        mask: h.mask,
    };
    Ok(Some((frame, end)))
}

/// Control frames must be final and carry at most 125 bytes (RFC 6455 §5.5).
fn check_control(fin: bool, opcode: OpCode, payload_len: u64) -> Result<(), FrameError> {
    if opcode.is_control() {
        if payload_len > MAX_CONTROL_PAYLOAD as u64 {
            return Err(FrameError::ControlTooLong(payload_len));
        }
        if !fin {
            return Err(FrameError::FragmentedControl);
        }
    }
    Ok(())
}

/// Appends one frame (header and, if `mask` is set, masked payload) to `out`,
/// choosing the 7-, 16- or 64-bit length form. A control frame that is not final or
/// carries more than 125 bytes is refused (and nothing is appended); reserved opcodes
/// are encoded as given, for testing peers.
pub fn encode_frame(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: OpCode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) -> Result<(), FrameError> {
    check_control(fin, opcode, payload.len() as u64)?;
    encode_unchecked(out, fin, opcode, payload, mask);
    Ok(())
}

/// [`encode_frame`] for frames whose validity the caller guarantees (data frames, and
/// control frames built from checked payloads).
pub(crate) fn encode_unchecked(
    out: &mut Vec<u8>,
    fin: bool,
    opcode: OpCode,
    payload: &[u8],
    mask: Option<[u8; 4]>,
) {
    encode_raw(out, first_byte(fin, opcode), payload, mask);
}

fn first_byte(fin: bool, opcode: OpCode) -> u8 {
    (fin as u8) << 7 | opcode.as_u8()
}

fn encode_raw(out: &mut Vec<u8>, b0: u8, payload: &[u8], mask: Option<[u8; 4]>) {
    let len = payload.len();
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    out.reserve(14 + len);
    out.push(b0);
    if len < 126 {
        out.push(mask_bit | len as u8);
    } else if len <= usize::from(u16::MAX) {
        out.push(mask_bit | 126);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(len as u64).to_be_bytes());
    }
    match mask {
        Some(key) => {
            out.extend_from_slice(&key);
            let start = out.len();
            // Mask straight into the spare capacity reserved above: no zeroing pass.
            copy_and_mask_uninit(payload, &mut out.spare_capacity_mut()[..len], key);
            // SAFETY: `copy_and_mask_uninit` initialized the `len` bytes after `start`.
            unsafe { out.set_len(start + len) };
        }
        None => out.extend_from_slice(payload),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn round_trip(len: usize, mask: Option<[u8; 4]>) {
        let payload: Vec<u8> = (0..len).map(|i| (i * 31) as u8).collect();
        let mut out = Vec::new();
        encode_frame(&mut out, true, OpCode::Binary, &payload, mask).unwrap();
        let (frame, used) = decode_frame(&out).unwrap().unwrap();
        assert_eq!(used, out.len());
        assert_eq!(frame.payload, payload);
        assert_eq!(frame.mask, mask);
        assert!(frame.fin);
        // Every strict prefix is incomplete, not an error.
        for cut in [0, 1, out.len() / 2, out.len() - 1] {
            assert_eq!(decode_frame(&out[..cut]).unwrap(), None, "cut {cut}");
        }
    }

    #[test]
    fn length_forms() {
        for (len, header) in [
            (0, 2),
            (125, 2),
            (126, 4),
            (65535, 4),
            (65536, 10),
            (70000, 10),
        ] {
            let mut out = Vec::new();
            encode_frame(&mut out, true, OpCode::Text, &vec![b'a'; len], None).unwrap();
            assert_eq!(out.len(), header + len, "len {len}");
            let mut masked = Vec::new();
            encode_frame(
                &mut masked,
                true,
                OpCode::Text,
                &vec![b'a'; len],
                Some([1, 2, 3, 4]),
            )
            .unwrap();
            assert_eq!(masked.len(), header + 4 + len);
            round_trip(len, None);
            round_trip(len, Some([9, 8, 7, 6]));
        }
    }

    #[test]
    fn exact_bytes_of_rfc_examples() {
        // RFC 6455 §5.7: unmasked "Hello" and masked "Hello".
        let mut out = Vec::new();
        encode_frame(&mut out, true, OpCode::Text, b"Hello", None).unwrap();
        assert_eq!(out, [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        out.clear();
        encode_frame(
            &mut out,
            true,
            OpCode::Text,
            b"Hello",
            Some([0x37, 0xfa, 0x21, 0x3d]),
        )
        .unwrap();
        assert_eq!(
            out,
            [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]
        );
        // Fragmented: first frame without FIN.
        out.clear();
        encode_frame(&mut out, false, OpCode::Text, b"Hel", None).unwrap();
        assert_eq!(out, [0x01, 0x03, 0x48, 0x65, 0x6c]);
        let (f, _) = decode_frame(&out).unwrap().unwrap();
        assert!(!f.fin);
    }

    #[test]
    fn rsv1_only_where_permessage_deflate_allows_it() {
        let h = decode_header_ext(&[0xc1, 0x02], 100, true)
            .unwrap()
            .unwrap();
        assert!(h.rsv1 && h.fin && h.opcode == OpCode::Text);
        let h = decode_header_ext(&[0x42, 0x00], 100, true)
            .unwrap()
            .unwrap();
        assert!(h.rsv1 && !h.fin && h.opcode == OpCode::Binary);
        assert!(
            !decode_header_ext(&[0x81, 0x00], 100, true)
                .unwrap()
                .unwrap()
                .rsv1
        );
        for (b0, e) in [
            (0xc0, FrameError::MisplacedRsv1(OpCode::Continuation)),
            (0xc9, FrameError::MisplacedRsv1(OpCode::Ping)),
            (0xc8, FrameError::MisplacedRsv1(OpCode::Close)),
            (0xa1, FrameError::ReservedBits),
            (0x91, FrameError::ReservedBits),
            (0xe1, FrameError::ReservedBits),
        ] {
            let got = decode_header_ext(&[b0, 0x00], 100, true);
            assert_eq!(got, Err(e.clone()), "{b0:#x}");
            assert_eq!(e.close_code(), 1002);
        }
        assert_eq!(
            FrameError::MisplacedRsv1(OpCode::Continuation).to_string(),
            "RSV1 (compressed) set on a continuation frame"
        );
        assert_eq!(
            decode_header(&[0xc1, 0x00], 100),
            Err(FrameError::ReservedBits)
        );
    }

    #[test]
    fn decode_errors() {
        assert_eq!(
            decode_frame(&[0x83, 0x00]),
            Err(FrameError::ReservedOpcode(3))
        );
        assert_eq!(
            decode_frame(&[0x8b, 0x00]),
            Err(FrameError::ReservedOpcode(0xb))
        );
        assert_eq!(decode_frame(&[0xc1, 0x00]), Err(FrameError::ReservedBits));
        assert_eq!(decode_frame(&[0xa1, 0x00]), Err(FrameError::ReservedBits));
        assert_eq!(decode_frame(&[0x91, 0x00]), Err(FrameError::ReservedBits));
        assert_eq!(
            decode_frame(&[0x89, 126, 0, 126]),
            Err(FrameError::ControlTooLong(126))
        );
        assert_eq!(
            decode_frame(&[0x09, 0x00]),
            Err(FrameError::FragmentedControl)
        );
        let mut big = vec![0x82, 127, 0x80];
        big.extend_from_slice(&[0; 7]);
        assert_eq!(decode_frame(&big), Err(FrameError::InvalidLength));
        let e = decode_header(&[0x82, 126, 0x01, 0x00], 255).unwrap_err();
        assert_eq!(
            e,
            FrameError::TooBig {
                len: 256,
                limit: 255
            }
        );
        assert_eq!(e.close_code(), 1009);
        assert_eq!(FrameError::ReservedBits.close_code(), 1002);
        // The size check needs only the header: no payload is present here.
        let mut huge = vec![0x82, 127];
        huge.extend_from_slice(&(1u64 << 40).to_be_bytes());
        assert!(matches!(
            decode_header(&huge, 1 << 20),
            Err(FrameError::TooBig { .. })
        ));
    }

    #[test]
    fn encode_refuses_invalid_control_frames() {
        let mut out = Vec::new();
        assert_eq!(
            encode_frame(&mut out, true, OpCode::Ping, &[0; 126], None),
            Err(FrameError::ControlTooLong(126))
        );
        assert_eq!(
            encode_frame(&mut out, false, OpCode::Close, &[], None),
            Err(FrameError::FragmentedControl)
        );
        assert!(out.is_empty());
        encode_frame(&mut out, true, OpCode::Pong, &[0; 125], None).unwrap();
        encode_frame(&mut out, false, OpCode::ReservedData(3), &[0; 300], None).unwrap();
        assert_eq!(out.len(), 2 + 125 + 4 + 300);
    }

    #[test]
    fn frame_encode_keeps_rsv_bits() {
        let mut f = Frame::new(OpCode::Binary, vec![1, 2, 3]);
        f.rsv1 = true;
        let mut out = Vec::new();
        f.encode(&mut out);
        assert_eq!(out[0], 0xc2);
        assert_eq!(decode_frame(&out), Err(FrameError::ReservedBits));
    }

    #[test]
    fn opcode_values() {
        for b in 0..16u8 {
            assert_eq!(OpCode::from_u8(b).as_u8(), b);
            assert_eq!(OpCode::from_u8(b).is_control(), b >= 8);
        }
    }

    fn opcode_strategy() -> impl Strategy<Value = OpCode> {
        prop_oneof![
            Just(OpCode::Continuation),
            Just(OpCode::Text),
            Just(OpCode::Binary),
            Just(OpCode::Close),
            Just(OpCode::Ping),
            Just(OpCode::Pong),
        ]
    }

    proptest! {
        #[test]
        fn prop_round_trip(
            opcode in opcode_strategy(),
            fin in any::<bool>(),
            payload in proptest::collection::vec(any::<u8>(), 0..3000),
            mask in proptest::option::of(any::<[u8; 4]>()),
        ) {
            let fin = fin || opcode.is_control();
            let payload = if opcode.is_control() { payload[..payload.len().min(125)].to_vec() } else { payload };
            let mut frame = Frame::new(opcode, payload);
            frame.fin = fin;
            frame.mask = mask;
            let mut out = Vec::new();
            frame.encode(&mut out);
            out.extend_from_slice(b"trailing");
            let (decoded, used) = decode_frame(&out).unwrap().unwrap();
            prop_assert_eq!(used, out.len() - 8);
            prop_assert_eq!(decoded, frame);
        }

        #[test]
        fn prop_decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            if let Ok(Some((frame, used))) = decode_frame(&bytes) {
                prop_assert!(used <= bytes.len());
                prop_assert!(frame.payload.len() < used);
            }
        }
    }
}
