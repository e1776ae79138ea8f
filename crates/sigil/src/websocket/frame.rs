//! `(sigil %websocket-frame)`: the RFC 6455 frame codec and masking from `sigil-ws`,
//! on bytevectors. `(sigil websocket frame)` builds its records and convenience
//! encoders on top of these natives.

use sigil_lang::natives::FromValue;
use sigil_lang::run::heap::Heap;
use sigil_lang::{native, Error, NResult, Registry, Value};
use sigil_ws::frame::{decode_frame, encode_frame, FrameError, OpCode};
use sigil_ws::mask::{apply_mask, generate_mask_key};
use sigil_ws::CloseFrame;
use std::borrow::Cow;

use super::ws_error;

/// The opcode constants exported by `(sigil websocket frame)`.
const OPCODES: [(&str, u8); 6] = [
    ("opcode-continuation", 0x0),
    ("opcode-text", 0x1),
    ("opcode-binary", 0x2),
    ("opcode-close", 0x8),
    ("opcode-ping", 0x9),
    ("opcode-pong", 0xa),
];

/// The opcode numbered `n`: 0 to 15 (another integer is a range error).
fn opcode(n: i64) -> NResult<OpCode> {
    match n {
        0..=15 => Ok(OpCode::from_u8(n as u8)),
        _ => Err(Error::range("opcode must be 0-15, got").with_irritants(vec![Value::Int(n)])),
    }
}

/// A payload argument: a bytevector, or a string (its UTF-8 bytes).
struct Payload<'h>(&'h [u8]);

impl<'h> FromValue<'h> for Payload<'h> {
    fn from_value(heap: &'h Heap, v: Value) -> Option<Self> {
        heap.bytevector(v)
            .or_else(|| heap.str(v).map(str::as_bytes))
            .map(Payload)
    }
    fn expected() -> Cow<'static, str> {
        "a bytevector or string".into()
    }
}

/// A masking key argument: a bytevector of exactly 4 bytes.
struct MaskKey([u8; 4]);

impl FromValue<'_> for MaskKey {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        let key = heap.bytevector(v)?;
        <[u8; 4]>::try_from(key).ok().map(MaskKey)
    }
    fn expected() -> Cow<'static, str> {
        "a 4-byte bytevector mask key".into()
    }
}

/// How `encode-frame` masks: `#t` (a random key, the default: client frames are masked),
/// `#f` (unmasked) or a 4-byte key.
enum Masking {
    Random,
    None,
    Key([u8; 4]),
}

impl FromValue<'_> for Masking {
    fn from_value(heap: &Heap, v: Value) -> Option<Self> {
        match v {
            Value::Bool(true) => Some(Masking::Random),
            Value::Bool(false) => Some(Masking::None),
            _ => MaskKey::from_value(heap, v).map(|k| Masking::Key(k.0)),
        }
    }
    fn expected() -> Cow<'static, str> {
        "#t, #f or a 4-byte bytevector mask key".into()
    }
}

/// `(opcode-control? opcode)`: #t for 0x8–0xF.
#[native("opcode-control?")]
fn is_control(op: i64) -> NResult<bool> {
    Ok(opcode(op)?.is_control())
}

/// Encodes one frame; control frames must be final and carry at most 125 bytes.
fn encode(op: OpCode, payload: &[u8], fin: bool, mask: Option<[u8; 4]>) -> NResult<Vec<u8>> {
    let mut out = Vec::with_capacity(payload.len() + 14);
    encode_frame(&mut out, fin, op, payload, mask).map_err(|e| {
        ws_error(
            format!("{e} (RFC 6455 section {})", rfc_section(&e)),
            vec![],
        )
    })?;
    Ok(out)
}

/// `(encode-frame opcode payload [fin? [mask]])`: `fin?` defaults to `#t`; `mask` is `#t`
/// (a random key, the default: client frames are masked), `#f` (unmasked) or a 4-byte key.
#[native("encode-frame")]
fn encode_frame_native(
    op: i64,
    payload: Payload,
    fin: Option<Value>,
    mask: Option<Masking>,
) -> NResult<Vec<u8>> {
    let fin = !matches!(fin, Some(Value::Bool(false)));
    let mask = match mask.unwrap_or(Masking::Random) {
        Masking::Random => Some(generate_mask_key()),
        Masking::None => None,
        Masking::Key(k) => Some(k),
    };
    encode(opcode(op)?, payload.0, fin, mask)
}

/// `(encode-close-frame [code [reason]])`: a masked close frame; without a code the
/// payload is empty.
#[native("encode-close-frame")]
fn encode_close_frame(code: Option<i64>, reason: Option<&str>) -> NResult<Vec<u8>> {
    let payload = match code {
        Some(code) => CloseFrame::new(code, reason.unwrap_or(""))
            .map_err(|e| ws_error(e, vec![]))?
            .payload(),
        None => Vec::new(),
    };
    encode(OpCode::Close, &payload, true, Some(generate_mask_key()))
}

/// The RFC 6455 section a decoding error violates.
fn rfc_section(e: &FrameError) -> &'static str {
    match e {
        FrameError::ControlTooLong(_) | FrameError::FragmentedControl => "5.5",
        _ => "5.2",
    }
}

/// A decoded frame: `#(fin? opcode payload mask-key-or-#f bytes-consumed)`.
struct Decoded {
    fin: bool,
    opcode: u8,
    payload: Vec<u8>,
    mask: Option<[u8; 4]>,
    used: usize,
}

/// `(%decode-frame bytevector [start])` → `#f` when the data holds no complete frame,
/// else `#(fin? opcode payload mask-key-or-#f bytes-consumed)`. Malformed frames raise.
#[native("decode-frame")]
fn decode_frame_native(data: &[u8], start: Option<usize>) -> NResult<Option<Decoded>> {
    let start = start.unwrap_or(0);
    let Some(buf) = data.get(start..) else {
        return Err(Error::range("start index past the end of the bytevector:")
            .with_irritants(vec![Value::Int(start as i64)]));
    };
    match decode_frame(buf) {
        Ok(Some((frame, used))) => Ok(Some(Decoded {
            fin: frame.fin,
            opcode: frame.opcode.as_u8(),
            payload: frame.payload,
            mask: frame.mask,
            used,
        })),
        Ok(None) => Ok(None),
        Err(e) => Err(ws_error(
            format!(
                "malformed frame: {e} (RFC 6455 section {}, close code {})",
                rfc_section(&e),
                e.close_code()
            ),
            vec![],
        )),
    }
}

impl sigil_lang::IntoValue for Decoded {
    fn into_value(self, ctx: &mut sigil_lang::Ctx) -> Value {
        let payload = ctx.bytes(self.payload);
        let mask = self.mask.map(|k| k.to_vec()).into_value(ctx);
        ctx.vector(vec![
            Value::Bool(self.fin),
            Value::Int(i64::from(self.opcode)),
            payload,
            mask,
            Value::Int(self.used as i64),
        ])
    }
}

/// `(generate-mask-key)` → a fresh random 4-byte bytevector.
#[native("generate-mask-key")]
fn generate_key() -> Vec<u8> {
    generate_mask_key().to_vec()
}

/// `(apply-mask data key)` → a new bytevector, `data` XOR the repeated key.
#[native("apply-mask")]
fn apply_mask_native(data: Payload, key: MaskKey) -> Vec<u8> {
    let mut out = data.0.to_vec();
    apply_mask(&mut out, key.0);
    out
}

/// Binds the natives and constants of `(sigil %websocket-frame)`.
pub fn register(reg: &mut Registry) {
    for (name, op) in OPCODES {
        reg.define(name, Value::Int(i64::from(op)));
    }
    reg.add(&[
        IS_CONTROL,
        ENCODE_FRAME_NATIVE,
        ENCODE_CLOSE_FRAME,
        GENERATE_KEY,
        APPLY_MASK_NATIVE,
    ]);
    reg.add_as("%decode-frame", &DECODE_FRAME_NATIVE);
}
