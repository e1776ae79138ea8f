//! `(sigil %websocket-frame)`: the RFC 6455 frame codec and masking from `sigil-ws`,
//! on bytevectors. `(sigil websocket frame)` builds its records and convenience
//! encoders on top of these natives.

use sigil_lang::natives::builtins::{self, Registry};
use sigil_lang::run::vm::Vm;
use sigil_lang::{Error, NResult, Value};
use sigil_ws::frame::{decode_frame, encode_frame, FrameError, OpCode};
use sigil_ws::mask::{apply_mask, generate_mask_key};
use sigil_ws::CloseFrame;

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

/// An opcode argument: an integer 0–15.
fn opcode(who: &str, v: Value) -> NResult<OpCode> {
    match builtins::int(who, v)? {
        n @ 0..=15 => Ok(OpCode::from_u8(n as u8)),
        _ => Err(Error::with(
            "range-error",
            format!("{who}: opcode must be 0-15, got"),
            vec![v],
        )),
    }
}

/// A payload argument: a bytevector, or a string (its UTF-8 bytes).
fn bytes(vm: &Vm, who: &str, v: Value) -> NResult<Vec<u8>> {
    if let Some(b) = vm.heap.bytevector(v) {
        Ok(b.to_vec())
    } else if let Some(s) = vm.heap.str(v) {
        Ok(s.as_bytes().to_vec())
    } else {
        Err(Error::wrong_type(who, "a bytevector or string", v))
    }
}

/// A masking key argument: a bytevector of exactly 4 bytes.
fn mask_key(vm: &Vm, who: &str, v: Value) -> NResult<[u8; 4]> {
    vm.heap
        .bytevector(v)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .ok_or_else(|| Error::wrong_type(who, "a 4-byte bytevector mask key", v))
}

/// `(opcode-control? opcode)`: #t for 0x8–0xF.
fn is_control(_vm: &mut Vm, args: &[Value]) -> NResult {
    Ok(Value::Bool(
        opcode("opcode-control?", args[0])?.is_control(),
    ))
}

/// Encodes one frame; control frames must be final and carry at most 125 bytes.
fn encode(
    vm: &mut Vm,
    who: &str,
    op: OpCode,
    payload: &[u8],
    fin: bool,
    mask: Option<[u8; 4]>,
) -> NResult {
    let mut out = Vec::with_capacity(payload.len() + 14);
    encode_frame(&mut out, fin, op, payload, mask).map_err(|e| {
        ws_error(
            who,
            format!("{e} (RFC 6455 section {})", rfc_section(&e)),
            vec![],
        )
    })?;
    Ok(vm.heap.bytes(out))
}

/// `(encode-frame opcode payload [fin? [mask]])`: `mask` is `#t` (random key, the
/// default: client frames are masked), `#f` (unmasked) or a 4-byte key.
fn encode_frame_native(vm: &mut Vm, args: &[Value]) -> NResult {
    const WHO: &str = "encode-frame";
    let op = opcode(WHO, args[0])?;
    let payload = bytes(vm, WHO, args[1])?;
    let fin = !matches!(args.get(2), Some(Value::Bool(false)));
    let mask = match args.get(3) {
        None | Some(Value::Bool(true)) => Some(generate_mask_key()),
        Some(Value::Bool(false)) => None,
        Some(v) => Some(mask_key(vm, WHO, *v)?),
    };
    encode(vm, WHO, op, &payload, fin, mask)
}

/// `(encode-close-frame [code [reason]])`: a masked close frame; without a code the
/// payload is empty.
fn encode_close_frame(vm: &mut Vm, args: &[Value]) -> NResult {
    const WHO: &str = "encode-close-frame";
    let payload = match args.first() {
        Some(v) => {
            let code = builtins::int(WHO, *v)?;
            let reason = match args.get(1) {
                Some(r) => builtins::string(vm, WHO, *r)?,
                None => String::new(),
            };
            CloseFrame::new(code, &reason)
                .map_err(|e| ws_error(WHO, e, vec![]))?
                .payload()
        }
        None => Vec::new(),
    };
    encode(
        vm,
        WHO,
        OpCode::Close,
        &payload,
        true,
        Some(generate_mask_key()),
    )
}

/// The RFC 6455 section a decoding error violates.
fn rfc_section(e: &FrameError) -> &'static str {
    match e {
        FrameError::ControlTooLong(_) | FrameError::FragmentedControl => "5.5",
        _ => "5.2",
    }
}

/// `(%decode-frame bytevector [start])` → `#f` when the data holds no complete frame,
/// else `#(fin? opcode payload mask-key-or-#f bytes-consumed)`. Malformed frames raise.
fn decode_frame_native(vm: &mut Vm, args: &[Value]) -> NResult {
    const WHO: &str = "decode-frame";
    let start = match args.get(1) {
        Some(v) => builtins::index(WHO, *v)?,
        None => 0,
    };
    let data = vm
        .heap
        .bytevector(args[0])
        .ok_or_else(|| Error::wrong_type(WHO, "a bytevector", args[0]))?;
    let Some(buf) = data.get(start..) else {
        return Err(Error::with(
            "range-error",
            format!("{WHO}: start index past the end of the bytevector:"),
            vec![args[1]],
        ));
    };
    let (frame, used) = match decode_frame(buf) {
        Ok(Some(r)) => r,
        Ok(None) => return Ok(Value::Bool(false)),
        Err(e) => {
            return Err(ws_error(
                WHO,
                format!(
                    "malformed frame: {e} (RFC 6455 section {}, close code {})",
                    rfc_section(&e),
                    e.close_code()
                ),
                vec![],
            ))
        }
    };
    let payload = vm.heap.bytes(frame.payload);
    let mask = match frame.mask {
        Some(k) => vm.heap.bytes(k.to_vec()),
        None => Value::Bool(false),
    };
    Ok(vm.heap.vector(vec![
        Value::Bool(frame.fin),
        Value::Int(i64::from(frame.opcode.as_u8())),
        payload,
        mask,
        Value::Int(used as i64),
    ]))
}

/// `(generate-mask-key)` → a fresh random 4-byte bytevector.
fn generate_key(vm: &mut Vm, _args: &[Value]) -> NResult {
    Ok(vm.heap.bytes(generate_mask_key().to_vec()))
}

/// `(apply-mask data key)` → a new bytevector, `data` XOR the repeated key.
fn apply_mask_native(vm: &mut Vm, args: &[Value]) -> NResult {
    let mut data = bytes(vm, "apply-mask", args[0])?;
    let key = mask_key(vm, "apply-mask", args[1])?;
    apply_mask(&mut data, key);
    Ok(vm.heap.bytes(data))
}

/// Binds the natives and constants of `(sigil %websocket-frame)`.
pub fn register(reg: &mut Registry) {
    for (name, op) in OPCODES {
        reg.define(name, Value::Int(i64::from(op)));
    }
    reg.simple("opcode-control?", 1, Some(1), is_control);
    reg.simple("encode-frame", 2, Some(4), encode_frame_native);
    reg.simple("encode-close-frame", 0, Some(2), encode_close_frame);
    reg.simple("%decode-frame", 1, Some(2), decode_frame_native);
    reg.simple("generate-mask-key", 0, Some(0), generate_key);
    reg.simple("apply-mask", 2, Some(2), apply_mask_native);
}
