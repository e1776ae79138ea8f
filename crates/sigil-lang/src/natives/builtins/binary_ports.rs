//! Binary ports (R7RS): bytevector ports and binary file ports, and the byte-level
//! procedures that read and write them.
//!
//! Binary input files are read whole when opened, like textual ones. Without a port
//! argument these procedures use the current input or output port, which is textual
//! unless rebound, so that is an error.

use super::bytevectors::{byte, bytes_arg, slice};
use super::ports::{closed, file_error, io_error, port_or_current, Std};
use super::strings::{bounds, str_arg};
use super::{index, Registry};
use crate::run::value::{Error, NResult, Object, Port, Value};
use crate::run::vm::Vm;
use std::io::Write;

/// The unread bytes and read position of binary input port `port`.
fn input<'a>(vm: &'a mut Vm, who: &str, port: Value) -> NResult<(&'a [u8], &'a mut usize)> {
    match vm.heap.obj_mut(port) {
        Some(Object::Port(Port::BytesIn { data, pos })) => Ok((data, pos)),
        Some(Object::Port(Port::Closed { input: true })) => Err(closed(who, port)),
        _ => Err(Error::wrong_type(who, "a binary input port", port)),
    }
}

/// Writes `bytes` to binary output port `port`.
fn put(vm: &mut Vm, who: &str, port: Value, bytes: &[u8]) -> NResult<()> {
    match vm.heap.obj_mut(port) {
        Some(Object::Port(Port::BytesOut(buf))) => buf.extend_from_slice(bytes),
        Some(Object::Port(Port::BinaryFileOut(w))) => {
            w.write_all(bytes).map_err(|e| io_error(who, e))?
        }
        Some(Object::Port(Port::Closed { input: false })) => return Err(closed(who, port)),
        _ => return Err(Error::wrong_type(who, "a binary output port", port)),
    }
    Ok(())
}

fn open_input_bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    let data = bytes_arg(vm, "open-input-bytevector", a[0])?.to_vec();
    Ok(vm.heap.alloc(Object::Port(Port::BytesIn { data, pos: 0 })))
}

fn open_output_bytevector(vm: &mut Vm, _: &[Value]) -> NResult {
    Ok(vm.heap.alloc(Object::Port(Port::BytesOut(Vec::new()))))
}

fn get_output_bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    match vm.heap.obj(a[0]) {
        Some(Object::Port(Port::BytesOut(buf))) => {
            let b = buf.clone();
            Ok(vm.heap.bytes(b))
        }
        _ => Err(Error::wrong_type(
            "get-output-bytevector",
            "a bytevector output port",
            a[0],
        )),
    }
}

fn open_binary_input_file(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "open-binary-input-file";
    let path = str_arg(vm, WHO, a[0])?;
    let data = std::fs::read(path).map_err(|e| file_error(WHO, path, e))?;
    Ok(vm.heap.alloc(Object::Port(Port::BytesIn { data, pos: 0 })))
}

fn open_binary_output_file(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "open-binary-output-file";
    let path = str_arg(vm, WHO, a[0])?;
    let f = std::fs::File::create(path).map_err(|e| file_error(WHO, path, e))?;
    let w = std::io::BufWriter::new(f);
    Ok(vm.heap.alloc(Object::Port(Port::BinaryFileOut(w))))
}

/// `read-u8` and `peek-u8`: the next byte (consumed when `consume`), or eof.
fn next_byte(vm: &mut Vm, who: &str, a: &[Value], consume: bool) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Input)?;
    let (data, pos) = input(vm, who, port)?;
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

fn read_u8(vm: &mut Vm, a: &[Value]) -> NResult {
    next_byte(vm, "read-u8", a, true)
}

fn peek_u8(vm: &mut Vm, a: &[Value]) -> NResult {
    next_byte(vm, "peek-u8", a, false)
}

fn u8_ready(vm: &mut Vm, a: &[Value]) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Input)?;
    input(vm, "u8-ready?", port)?;
    Ok(Value::Bool(true))
}

/// `(read-bytevector k [port])`: up to `k` bytes as a new bytevector, or eof.
fn read_bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "read-bytevector";
    let k = index(WHO, a[0])?;
    let port = port_or_current(vm, a.get(1), Std::Input)?;
    let (data, pos) = input(vm, WHO, port)?;
    if *pos >= data.len() && k > 0 {
        return Ok(Value::Eof);
    }
    let end = data.len().min(*pos + k);
    let chunk = data[*pos..end].to_vec();
    *pos = end;
    Ok(vm.heap.bytes(chunk))
}

/// `(read-bytevector! bv [port [start [end]]])`: reads into `bv[start..end]`; the
/// number of bytes read, or eof.
fn read_bytevector_into(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "read-bytevector!";
    let len = bytes_arg(vm, WHO, a[0])?.len();
    let (start, end) = bounds(WHO, a.get(2..).unwrap_or(&[]), len)?;
    let port = port_or_current(vm, a.get(1), Std::Input)?;
    let (data, pos) = input(vm, WHO, port)?;
    if *pos >= data.len() && end > start {
        return Ok(Value::Eof);
    }
    let n = (end - start).min(data.len() - *pos);
    let chunk = data[*pos..*pos + n].to_vec();
    *pos += n;
    if let Some(Object::Bytes(b)) = vm.heap.obj_mut(a[0]) {
        b[start..start + n].copy_from_slice(&chunk);
    }
    Ok(Value::Int(n as i64))
}

fn write_u8(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "write-u8";
    let b = byte(WHO, a[0])?;
    let port = port_or_current(vm, a.get(1), Std::Output)?;
    put(vm, WHO, port, &[b])?;
    Ok(Value::Unspecified)
}

/// `(write-bytevector bv [port [start [end]]])`.
fn write_bytevector(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "write-bytevector";
    let chunk = slice(vm, WHO, a[0], a.get(2..).unwrap_or(&[]))?.to_vec();
    let port = port_or_current(vm, a.get(1), Std::Output)?;
    put(vm, WHO, port, &chunk)?;
    Ok(Value::Unspecified)
}

/// Registers the binary port procedures.
pub fn register(reg: &mut Registry) {
    reg.simple("open-input-bytevector", 1, Some(1), open_input_bytevector);
    reg.simple("open-output-bytevector", 0, Some(0), open_output_bytevector);
    reg.simple("get-output-bytevector", 1, Some(1), get_output_bytevector);
    reg.simple("open-binary-input-file", 1, Some(1), open_binary_input_file);
    reg.simple(
        "open-binary-output-file",
        1,
        Some(1),
        open_binary_output_file,
    );
    reg.simple("read-u8", 0, Some(1), read_u8);
    reg.simple("peek-u8", 0, Some(1), peek_u8);
    reg.simple("u8-ready?", 0, Some(1), u8_ready);
    reg.simple("read-bytevector", 1, Some(2), read_bytevector);
    reg.simple("read-bytevector!", 1, Some(4), read_bytevector_into);
    reg.simple("write-u8", 1, Some(2), write_u8);
    reg.simple("write-bytevector", 1, Some(4), write_bytevector);
}
