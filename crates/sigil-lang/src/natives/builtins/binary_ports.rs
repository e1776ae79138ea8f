//! Binary ports (R7RS): bytevector ports and binary file ports, and the byte-level
//! procedures that read and write them.
//!
//! Binary input files are read whole when opened, like textual ones. Without a port
//! argument these procedures use the current input or output port, which is textual
//! unless rebound, so that is an error.

use super::ports::{closed, file_error, io_error, port_or_current, Std};
use super::seq::range;
use super::Registry;
use crate::native;
use crate::natives::Byte;
use crate::run::ctx::Ctx;
use crate::run::value::{Error, NResult, Object, Port, Value};
use std::io::Write;

/// The unread bytes and read position of binary input port `port`.
fn input<'a>(ctx: &'a mut Ctx, port: Value) -> NResult<(&'a [u8], &'a mut usize)> {
    match ctx.vm.heap.obj_mut(port) {
        Some(Object::Port(Port::BytesIn { data, pos })) => Ok((data, pos)),
        Some(Object::Port(Port::Closed { input: true })) => Err(closed(port)),
        _ => Err(Error::expected("a binary input port", port)),
    }
}

/// The unread bytes and read position of `port`, or of the current input port.
fn reading<'a>(ctx: &'a mut Ctx, port: Option<Value>) -> NResult<(&'a [u8], &'a mut usize)> {
    let port = port_or_current(ctx, port, Std::Input)?;
    input(ctx, port)
}

/// Writes `bytes` to `port`, or to the current output port, which must be binary.
fn put(ctx: &mut Ctx, port: Option<Value>, bytes: &[u8]) -> NResult<()> {
    let port = port_or_current(ctx, port, Std::Output)?;
    match ctx.vm.heap.obj_mut(port) {
        Some(Object::Port(Port::BytesOut(buf))) => buf.extend_from_slice(bytes),
        Some(Object::Port(Port::BinaryFileOut(w))) => w.write_all(bytes).map_err(io_error)?,
        Some(Object::Port(Port::Closed { input: false })) => return Err(closed(port)),
        _ => return Err(Error::expected("a binary output port", port)),
    }
    Ok(())
}

/// `(open-input-bytevector bytevector)`.
#[native("open-input-bytevector")]
fn open_input_bytevector(ctx: &mut Ctx, data: Vec<u8>) -> Value {
    ctx.alloc(Object::Port(Port::BytesIn { data, pos: 0 }))
}

/// `(open-output-bytevector)`.
#[native("open-output-bytevector")]
fn open_output_bytevector(ctx: &mut Ctx) -> Value {
    ctx.alloc(Object::Port(Port::BytesOut(Vec::new())))
}

/// `(get-output-bytevector port)`: what was written to a bytevector output port.
#[native("get-output-bytevector")]
fn get_output_bytevector(ctx: &mut Ctx, port: Value) -> NResult {
    match ctx.heap().obj(port) {
        Some(Object::Port(Port::BytesOut(buf))) => {
            let b = buf.clone();
            Ok(ctx.bytes(b))
        }
        _ => Err(Error::expected("a bytevector output port", port)),
    }
}

/// `(open-binary-input-file path)`: the file is read whole.
#[native("open-binary-input-file")]
fn open_binary_input_file(ctx: &mut Ctx, path: String) -> NResult {
    let data = std::fs::read(&path).map_err(|e| file_error(&path, e))?;
    Ok(ctx.alloc(Object::Port(Port::BytesIn { data, pos: 0 })))
}

/// `(open-binary-output-file path)`.
#[native("open-binary-output-file")]
fn open_binary_output_file(ctx: &mut Ctx, path: String) -> NResult {
    let f = std::fs::File::create(&path).map_err(|e| file_error(&path, e))?;
    let w = std::io::BufWriter::new(f);
    Ok(ctx.alloc(Object::Port(Port::BinaryFileOut(w))))
}

/// `read-u8` and `peek-u8`: the next byte (consumed when `consume`), or eof.
fn next_byte(ctx: &mut Ctx, port: Option<Value>, consume: bool) -> NResult {
    let (data, pos) = reading(ctx, port)?;
    Ok(match data.get(*pos) {
        Some(&b) => {
            if consume {
                *pos += 1;
            }
            Value::Int(i64::from(b))
        }
        None => Value::Eof,
    })
}

/// `(read-u8 [port])`.
#[native("read-u8")]
fn read_u8(ctx: &mut Ctx, port: Option<Value>) -> NResult {
    next_byte(ctx, port, true)
}

/// `(peek-u8 [port])`.
#[native("peek-u8")]
fn peek_u8(ctx: &mut Ctx, port: Option<Value>) -> NResult {
    next_byte(ctx, port, false)
}

/// `(u8-ready? [port])`: always `#t` (binary input is read whole).
#[native("u8-ready?")]
fn u8_ready(ctx: &mut Ctx, port: Option<Value>) -> NResult<bool> {
    reading(ctx, port)?;
    Ok(true)
}

/// `(read-bytevector k [port])`: up to `k` bytes as a new bytevector, or eof.
#[native("read-bytevector")]
fn read_bytevector(ctx: &mut Ctx, k: usize, port: Option<Value>) -> NResult {
    let (data, pos) = reading(ctx, port)?;
    if *pos >= data.len() && k > 0 {
        return Ok(Value::Eof);
    }
    let end = data.len().min(*pos + k);
    let chunk = data[*pos..end].to_vec();
    *pos = end;
    Ok(ctx.bytes(chunk))
}

/// `(read-bytevector! bytevector [port [start [end]]])`: reads into the bytevector's
/// `[start, end)`; the number of bytes read, or eof.
#[native("read-bytevector!")]
fn read_bytevector_into(
    ctx: &mut Ctx,
    into: Value,
    port: Option<Value>,
    start: Option<usize>,
    end: Option<usize>,
) -> NResult {
    let Some(len) = ctx.heap().bytevector(into).map(<[u8]>::len) else {
        return Err(Error::expected("a bytevector", into));
    };
    let r = range(start, end, len)?;
    let (data, pos) = reading(ctx, port)?;
    if *pos >= data.len() && !r.is_empty() {
        return Ok(Value::Eof);
    }
    let n = r.len().min(data.len() - *pos);
    let chunk = data[*pos..*pos + n].to_vec();
    *pos += n;
    if let Some(b) = ctx.bytes_mut(into) {
        b[r.start..r.start + n].copy_from_slice(&chunk);
    }
    Ok(Value::Int(n as i64))
}

/// `(write-u8 byte [port])`.
#[native("write-u8")]
fn write_u8(ctx: &mut Ctx, b: Byte, port: Option<Value>) -> NResult<()> {
    put(ctx, port, &[b.0])
}

/// `(write-bytevector bytevector [port [start [end]]])`.
#[native("write-bytevector")]
fn write_bytevector(
    ctx: &mut Ctx,
    b: Vec<u8>,
    port: Option<Value>,
    start: Option<usize>,
    end: Option<usize>,
) -> NResult<()> {
    let r = range(start, end, b.len())?;
    put(ctx, port, &b[r])
}

/// Registers the binary port procedures.
pub fn register(reg: &mut Registry) {
    reg.add(&[
        OPEN_INPUT_BYTEVECTOR,
        OPEN_OUTPUT_BYTEVECTOR,
        GET_OUTPUT_BYTEVECTOR,
        OPEN_BINARY_INPUT_FILE,
        OPEN_BINARY_OUTPUT_FILE,
        READ_U8,
        PEEK_U8,
        U8_READY,
        READ_BYTEVECTOR,
        READ_BYTEVECTOR_INTO,
        WRITE_U8,
        WRITE_BYTEVECTOR,
    ]);
}
