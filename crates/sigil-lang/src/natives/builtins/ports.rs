//! Ports and textual I/O: string ports, file ports, the standard streams and the
//! `current-*-port` parameters.
//!
//! `display`, `write` and `newline` are defined here (replacing the simpler versions in
//! `base`) so that they write to every kind of port and, without a port argument, to the
//! current value of `current-output-port`; this is what makes `with-output-to-string`
//! and `with-output-to-file` (in `prelude/collections.sgl`) work.

use super::chars::char_arg;
use super::strings::{slice, str_arg};
use super::{index, string, Registry};
use crate::native;
use crate::read::reader::{ReadError, Reader};
use crate::read::syntax::Span;
use crate::run::ctx::Ctx;
use crate::run::datum;
use crate::run::native::{Ctl, Resume, Wait};
use crate::run::printer;
use crate::run::value::{Error, NResult, Object, Port, Value};
use crate::run::vm::Vm;
use std::any::TypeId;
use std::io::{BufRead, Write};
use std::os::fd::AsFd;

/// Per-machine port state, kept in `Vm::host`.
struct PortState {
    /// The `current-input-port` parameter.
    input: Value,
    /// The `current-output-port` parameter.
    output: Value,
    /// Standard input read so far but not consumed.
    stdin: String,
    /// Read position in `stdin` (bytes).
    stdin_pos: usize,
    /// Whether standard input is exhausted.
    stdin_eof: bool,
    /// Whether `#!fold-case` was read from standard input.
    stdin_fold_case: bool,
}

fn state(vm: &mut Vm) -> NResult<&mut PortState> {
    vm.host
        .get_mut(&TypeId::of::<PortState>())
        .and_then(|b| b.downcast_mut::<PortState>())
        .ok_or_else(|| Error::msg("ports: port state is not initialised"))
}

/// Which of the current ports a procedure defaults to.
#[derive(Clone, Copy)]
pub(super) enum Std {
    /// `current-input-port`.
    Input,
    /// `current-output-port`.
    Output,
}

/// The port argument at `arg`, or the current port of the given direction.
pub(super) fn port_or_current(vm: &mut Vm, arg: Option<&Value>, which: Std) -> NResult<Value> {
    if let Some(&p) = arg {
        return Ok(p);
    }
    let st = state(vm)?;
    let param = match which {
        Std::Input => st.input,
        Std::Output => st.output,
    };
    match vm.heap.obj(param) {
        Some(Object::Param(v, _)) => Ok(*v),
        _ => Err(Error::msg("ports: current port parameter is missing")),
    }
}

/// The error for using a closed port.
pub(super) fn closed(who: &str, p: Value) -> Error {
    Error::with("error", format!("{who}: port is closed"), vec![p])
}

/// The error for a failed read or write.
pub(super) fn io_error(who: &str, e: std::io::Error) -> Error {
    Error::with("file-error", format!("{who}: {e}"), vec![])
}

/// Writes `text` to output port `port`.
pub fn put(vm: &mut Vm, who: &str, port: Value, text: &str) -> NResult<()> {
    match vm.heap.obj_mut(port) {
        Some(Object::Port(Port::Output(buf))) => buf.push_str(text),
        Some(Object::Port(Port::FileOut(w))) => {
            w.write_all(text.as_bytes()).map_err(|e| io_error(who, e))?
        }
        Some(Object::Port(Port::Stdout)) => vm.write_out(text),
        Some(Object::Port(Port::Stderr)) => {
            vm.flush();
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        Some(Object::Port(Port::Closed { input: false })) => return Err(closed(who, port)),
        _ => return Err(Error::wrong_type(who, "an output port", port)),
    }
    Ok(())
}

/// Reads more standard input until `enough` holds for the unread text or input ends.
fn fill_stdin(vm: &mut Vm, port: Value, enough: impl Fn(&str) -> bool) -> NResult<()> {
    if !matches!(vm.heap.obj(port), Some(Object::Port(Port::Stdin))) {
        return Ok(());
    }
    vm.flush();
    let st = state(vm)?;
    while !st.stdin_eof && !enough(&st.stdin[st.stdin_pos..]) {
        st.stdin.drain(..st.stdin_pos);
        st.stdin_pos = 0;
        match std::io::stdin().lock().read_line(&mut st.stdin) {
            Ok(0) | Err(_) => st.stdin_eof = true,
            Ok(_) => {}
        }
    }
    Ok(())
}

/// The unread text and read position of input port `port` (after `fill_stdin`).
fn input<'a>(vm: &'a mut Vm, who: &str, port: Value) -> NResult<(&'a str, &'a mut usize)> {
    let stdin = match vm.heap.obj(port) {
        Some(Object::Port(Port::Stdin)) => true,
        Some(Object::Port(Port::Input { .. })) => false,
        Some(Object::Port(Port::Closed { input: true })) => return Err(closed(who, port)),
        _ => return Err(Error::wrong_type(who, "an input port", port)),
    };
    if stdin {
        let st = state(vm)?;
        return Ok((&st.stdin, &mut st.stdin_pos));
    }
    match vm.heap.obj_mut(port) {
        Some(Object::Port(Port::Input { text, pos, .. })) => Ok((text, pos)),
        _ => Err(Error::wrong_type(who, "an input port", port)),
    }
}

/// `(display x [port])`, `(write x [port])` and the like: `x` printed in `style`.
fn print_to_port(vm: &mut Vm, who: &str, a: &[Value], style: printer::Style) -> NResult {
    let port = port_or_current(vm, a.get(1), Std::Output)?;
    let s = printer::render(&vm.heap, a[0], style);
    put(vm, who, port, &s)?;
    Ok(Value::Unspecified)
}

fn display(vm: &mut Vm, a: &[Value]) -> NResult {
    print_to_port(vm, "display", a, printer::Style::Display)
}

fn write(vm: &mut Vm, a: &[Value]) -> NResult {
    print_to_port(vm, "write", a, printer::Style::Write)
}

fn write_shared(vm: &mut Vm, a: &[Value]) -> NResult {
    print_to_port(vm, "write-shared", a, printer::Style::Shared)
}

fn write_simple(vm: &mut Vm, a: &[Value]) -> NResult {
    print_to_port(vm, "write-simple", a, printer::Style::Simple)
}

fn newline(vm: &mut Vm, a: &[Value]) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Output)?;
    put(vm, "newline", port, "\n")?;
    Ok(Value::Unspecified)
}

fn write_char(vm: &mut Vm, a: &[Value]) -> NResult {
    let c = char_arg("write-char", a[0])?;
    let port = port_or_current(vm, a.get(1), Std::Output)?;
    put(vm, "write-char", port, c.encode_utf8(&mut [0; 4]))?;
    Ok(Value::Unspecified)
}

/// `(write-string string [port [start [end]]])`.
fn write_string(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "write-string";
    let s = slice(vm, WHO, a[0], a.get(2..).unwrap_or(&[]))?.to_string();
    let port = port_or_current(vm, a.get(1), Std::Output)?;
    put(vm, WHO, port, &s)?;
    Ok(Value::Unspecified)
}

fn flush_output_port(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "flush-output-port";
    let port = port_or_current(vm, a.first(), Std::Output)?;
    match vm.heap.obj_mut(port) {
        Some(Object::Port(Port::FileOut(w) | Port::BinaryFileOut(w))) => {
            w.flush().map_err(|e| io_error(WHO, e))?
        }
        Some(Object::Port(Port::Stdout)) => vm.flush(),
        Some(Object::Port(Port::Stderr)) => {
            let _ = std::io::stderr().flush();
        }
        Some(Object::Port(Port::Output(_) | Port::BytesOut(_))) => {}
        Some(Object::Port(Port::Closed { input: false })) => return Err(closed(WHO, port)),
        _ => return Err(Error::wrong_type(WHO, "an output port", port)),
    }
    Ok(Value::Unspecified)
}

fn read_char(vm: &mut Vm, a: &[Value]) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Input)?;
    fill_stdin(vm, port, |s| !s.is_empty())?;
    let (text, pos) = input(vm, "read-char", port)?;
    Ok(match text[*pos..].chars().next() {
        Some(c) => {
            *pos += c.len_utf8();
            Value::Char(c)
        }
        None => Value::Eof,
    })
}

fn peek_char(vm: &mut Vm, a: &[Value]) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Input)?;
    fill_stdin(vm, port, |s| !s.is_empty())?;
    let (text, pos) = input(vm, "peek-char", port)?;
    Ok(text[*pos..].chars().next().map_or(Value::Eof, Value::Char))
}

fn read_line(vm: &mut Vm, a: &[Value]) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Input)?;
    fill_stdin(vm, port, |s| s.contains('\n'))?;
    let (text, pos) = input(vm, "read-line", port)?;
    let rest = &text[*pos..];
    if rest.is_empty() {
        return Ok(Value::Eof);
    }
    let (line, used) = match rest.find('\n') {
        Some(i) => (&rest[..i], i + 1),
        None => (rest, rest.len()),
    };
    let line = line.strip_suffix('\r').unwrap_or(line).to_string();
    *pos += used;
    Ok(vm.heap.string(line))
}

/// `(read-string k [port])`: up to `k` characters, or the eof object at end of input.
fn read_string(vm: &mut Vm, a: &[Value]) -> NResult {
    let k = index("read-string", a[0])?;
    let port = port_or_current(vm, a.get(1), Std::Input)?;
    fill_stdin(vm, port, |s| s.chars().nth(k.saturating_sub(1)).is_some())?;
    let (text, pos) = input(vm, "read-string", port)?;
    let rest = &text[*pos..];
    if rest.is_empty() && k > 0 {
        return Ok(Value::Eof);
    }
    let used = rest.char_indices().nth(k).map_or(rest.len(), |(b, _)| b);
    let s = rest[..used].to_string();
    *pos += used;
    Ok(vm.heap.string(s))
}

/// `(char-ready? [port])`: whether `read-char` would return at once.
fn char_ready(vm: &mut Vm, a: &[Value]) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Input)?;
    Ok(Value::Bool(input_ready(vm, "char-ready?", port)?))
}

/// `(wait-for-input [port])`: waits until `port` (the current input port by default) has
/// input that `read-char` takes at once, a character or the end of the input. Inside a
/// `(sigil async)` task only the task waits; outside one the thread does (Ctrl-C stops
/// it). Only standard input can make it wait: string and file ports hold their text.
#[native("wait-for-input")]
fn wait_for_input(ctx: &mut Ctx, port: Option<Value>) -> NResult<Ctl> {
    let port = port_or_current(ctx.vm, port.as_ref(), Std::Input)?;
    if input_ready(ctx.vm, "wait-for-input", port)? {
        return Ok(Ctl::Return(Value::Unspecified));
    }
    let fd = std::os::fd::AsRawFd::as_raw_fd(&std::io::stdin());
    Ok(Ctl::Park(Wait::Readable(fd), Resume::Retry))
}

/// Whether input port `port` has input `read-char` takes at once (or is at its end).
fn input_ready(vm: &mut Vm, who: &str, port: Value) -> NResult<bool> {
    input(vm, who, port)?;
    if !matches!(vm.heap.obj(port), Some(Object::Port(Port::Stdin))) {
        return Ok(true);
    }
    let st = state(vm)?;
    if st.stdin_pos < st.stdin.len() || st.stdin_eof {
        return Ok(true);
    }
    Ok(match stdin_probe() {
        Probe::Input => true,
        // A terminal reports its end (Ctrl-D) once: remember it.
        Probe::End => {
            st.stdin_eof = true;
            true
        }
        Probe::Nothing => false,
    })
}

/// What standard input has to read at once.
enum Probe {
    /// Some input.
    Input,
    /// Its end.
    End,
    /// Nothing yet.
    Nothing,
}

/// Looks at standard input without waiting: what std's buffer holds (which `fill_stdin`
/// reads first), else what one read with the descriptor made non-blocking brings into
/// that buffer, or the end of the input.
fn stdin_probe() -> Probe {
    use rustix::fs::{fcntl_getfl, fcntl_setfl, OFlags};
    let stdin = std::io::stdin();
    let fd = stdin.as_fd();
    let Ok(flags) = fcntl_getfl(fd) else {
        return Probe::Input;
    };
    if fcntl_setfl(fd, flags | OFlags::NONBLOCK).is_err() {
        return Probe::Input;
    }
    let probe = stdin.lock().fill_buf().map(|b| b.is_empty());
    // The descriptor is shared (a terminal, say): it is blocking again at once.
    let _ = fcntl_setfl(fd, flags);
    match probe {
        Ok(false) => Probe::Input,
        Ok(true) => Probe::End,
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Probe::Nothing,
        // Errors are the reader's to report.
        Err(_) => Probe::Input,
    }
}

/// The `#!fold-case` setting of input port `port` (checked by `input` first).
fn fold_case(vm: &mut Vm, port: Value) -> NResult<&mut bool> {
    if matches!(vm.heap.obj(port), Some(Object::Port(Port::Stdin))) {
        return Ok(&mut state(vm)?.stdin_fold_case);
    }
    match vm.heap.obj_mut(port) {
        Some(Object::Port(Port::Input { fold_case, .. })) => Ok(fold_case),
        _ => Err(Error::wrong_type("read", "an input port", port)),
    }
}

/// `(read [port])`: the next datum, or the eof object when only atmosphere remains. The
/// reader stops at the end of the datum, so reading a whole port is linear in its length.
fn read(vm: &mut Vm, a: &[Value]) -> NResult {
    let port = port_or_current(vm, a.first(), Std::Input)?;
    let file = Span::register_file("<input-port>");
    fill_stdin(vm, port, |s| {
        let datum = Reader::new(s, file, 1).read();
        !matches!(
            datum,
            Ok(None)
                | Err(ReadError {
                    incomplete: true,
                    ..
                })
        )
    })?;
    input(vm, "read", port)?;
    let fold = *fold_case(vm, port)?;
    let (text, pos) = input(vm, "read", port)?;
    let mut reader = Reader::new(&text[*pos..], file, 1);
    reader.set_fold_case(fold);
    let datum = reader.read().map_err(|e| {
        let e = e.after(&text[..*pos]);
        Error::with(
            "read-error",
            format!("read: {}: {}", e.span, e.message),
            vec![],
        )
    })?;
    *pos += reader.offset();
    let fold = reader.fold_case();
    *fold_case(vm, port)? = fold;
    Ok(match datum {
        Some(d) => datum::syntax_to_value(&mut vm.heap, &d),
        None => Value::Eof,
    })
}

fn open_input_string(vm: &mut Vm, a: &[Value]) -> NResult {
    let text = string(vm, "open-input-string", a[0])?;
    Ok(vm.heap.alloc(Object::Port(Port::Input {
        text,
        pos: 0,
        fold_case: false,
    })))
}

fn open_output_string(vm: &mut Vm, _: &[Value]) -> NResult {
    Ok(vm.heap.alloc(Object::Port(Port::Output(String::new()))))
}

fn get_output_string(vm: &mut Vm, a: &[Value]) -> NResult {
    match vm.heap.obj(a[0]) {
        Some(Object::Port(Port::Output(buf))) => {
            let s = buf.clone();
            Ok(vm.heap.string(s))
        }
        _ => Err(Error::wrong_type(
            "get-output-string",
            "a string output port",
            a[0],
        )),
    }
}

/// The error for a file that cannot be opened.
pub(super) fn file_error(who: &str, path: &str, e: std::io::Error) -> Error {
    Error::with(
        "file-error",
        format!("{who}: cannot open {path}: {e}"),
        vec![],
    )
}

fn open_input_file(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "open-input-file";
    let path = str_arg(vm, WHO, a[0])?;
    let text = std::fs::read_to_string(path).map_err(|e| file_error(WHO, path, e))?;
    Ok(vm.heap.alloc(Object::Port(Port::Input {
        text,
        pos: 0,
        fold_case: false,
    })))
}

fn open_output_file(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "open-output-file";
    let path = str_arg(vm, WHO, a[0])?;
    let f = std::fs::File::create(path).map_err(|e| file_error(WHO, path, e))?;
    let w = std::io::BufWriter::new(f);
    Ok(vm.heap.alloc(Object::Port(Port::FileOut(w))))
}

fn file_exists(vm: &mut Vm, a: &[Value]) -> NResult {
    let path = str_arg(vm, "file-exists?", a[0])?;
    Ok(Value::Bool(std::path::Path::new(path).exists()))
}

fn delete_file(vm: &mut Vm, a: &[Value]) -> NResult {
    const WHO: &str = "delete-file";
    let path = str_arg(vm, WHO, a[0])?;
    std::fs::remove_file(path).map_err(|e| {
        Error::with(
            "file-error",
            format!("{WHO}: cannot delete {path}: {e}"),
            vec![],
        )
    })?;
    Ok(Value::Unspecified)
}

/// The direction of a port: `Some(true)` for input, `Some(false)` for output.
fn direction(vm: &Vm, v: Value) -> Option<bool> {
    match vm.heap.obj(v) {
        Some(Object::Port(p)) => Some(matches!(
            p,
            Port::Input { .. } | Port::BytesIn { .. } | Port::Stdin | Port::Closed { input: true }
        )),
        _ => None,
    }
}

fn is_port(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(direction(vm, a[0]).is_some()))
}

fn is_input_port(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(direction(vm, a[0]) == Some(true)))
}

fn is_output_port(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(direction(vm, a[0]) == Some(false)))
}

/// Whether `v` is a binary port (open or not yet closed).
fn is_binary(vm: &Vm, v: Value) -> bool {
    matches!(
        vm.heap.obj(v),
        Some(Object::Port(
            Port::BytesIn { .. } | Port::BytesOut(_) | Port::BinaryFileOut(_)
        ))
    )
}

fn is_binary_port(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(is_binary(vm, a[0])))
}

fn is_textual_port(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(
        direction(vm, a[0]).is_some() && !is_binary(vm, a[0]),
    ))
}

fn is_open(vm: &Vm, v: Value, input: bool) -> bool {
    direction(vm, v) == Some(input)
        && !matches!(vm.heap.obj(v), Some(Object::Port(Port::Closed { .. })))
}

fn input_port_open(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(is_open(vm, a[0], true)))
}

fn output_port_open(vm: &mut Vm, a: &[Value]) -> NResult {
    Ok(Value::Bool(is_open(vm, a[0], false)))
}

/// Closes a port; `only` restricts it to input (`Some(true)`) or output ports.
fn close(vm: &mut Vm, who: &str, port: Value, only: Option<bool>) -> NResult {
    let Some(input) = direction(vm, port) else {
        return Err(Error::wrong_type(who, "a port", port));
    };
    if only.is_some_and(|o| o != input) {
        let what = if input {
            "an output port"
        } else {
            "an input port"
        };
        return Err(Error::wrong_type(who, what, port));
    }
    let flushed = match vm.heap.obj_mut(port) {
        Some(Object::Port(
            p @ (Port::Input { .. }
            | Port::Output(_)
            | Port::FileOut(_)
            | Port::BytesIn { .. }
            | Port::BytesOut(_)
            | Port::BinaryFileOut(_)),
        )) => match std::mem::replace(p, Port::Closed { input }) {
            Port::FileOut(mut w) | Port::BinaryFileOut(mut w) => w.flush(),
            _ => Ok(()),
        },
        Some(Object::Port(Port::Stdout)) => {
            vm.flush();
            Ok(())
        }
        _ => Ok(()),
    };
    flushed.map_err(|e| io_error(who, e))?;
    Ok(Value::Unspecified)
}

fn close_port(vm: &mut Vm, a: &[Value]) -> NResult {
    close(vm, "close-port", a[0], None)
}

fn close_input_port(vm: &mut Vm, a: &[Value]) -> NResult {
    close(vm, "close-input-port", a[0], Some(true))
}

fn close_output_port(vm: &mut Vm, a: &[Value]) -> NResult {
    close(vm, "close-output-port", a[0], Some(false))
}

/// Registers the port natives and the `current-*-port` parameters.
pub fn register(reg: &mut Registry) {
    fn param(reg: &mut Registry, name: &str, port: Port) -> Value {
        let p = reg.vm.heap.alloc(Object::Port(port));
        let v = reg.vm.heap.alloc(Object::Param(p, Value::Bool(false)));
        // `define` also records `v` as a builtin, which keeps it alive for the state below.
        reg.define(name, v);
        v
    }
    let input = param(reg, "current-input-port", Port::Stdin);
    let output = param(reg, "current-output-port", Port::Stdout);
    param(reg, "current-error-port", Port::Stderr);
    reg.vm.host.insert(
        TypeId::of::<PortState>(),
        Box::new(PortState {
            input,
            output,
            stdin: String::new(),
            stdin_pos: 0,
            stdin_eof: false,
            stdin_fold_case: false,
        }),
    );
    reg.simple("display", 1, Some(2), display);
    reg.simple("write", 1, Some(2), write);
    reg.simple("write-shared", 1, Some(2), write_shared);
    reg.simple("write-simple", 1, Some(2), write_simple);
    reg.simple("newline", 0, Some(1), newline);
    reg.simple("write-char", 1, Some(2), write_char);
    reg.simple("write-string", 1, Some(4), write_string);
    reg.simple("flush-output-port", 0, Some(1), flush_output_port);
    reg.simple("read-char", 0, Some(1), read_char);
    reg.simple("peek-char", 0, Some(1), peek_char);
    reg.simple("read-line", 0, Some(1), read_line);
    reg.simple("read-string", 1, Some(2), read_string);
    reg.simple("char-ready?", 0, Some(1), char_ready);
    reg.add(&[WAIT_FOR_INPUT]);
    reg.simple("read", 0, Some(1), read);
    reg.simple("open-input-string", 1, Some(1), open_input_string);
    reg.simple("open-output-string", 0, Some(0), open_output_string);
    reg.simple("get-output-string", 1, Some(1), get_output_string);
    reg.simple("open-input-file", 1, Some(1), open_input_file);
    reg.simple("open-output-file", 1, Some(1), open_output_file);
    reg.simple("file-exists?", 1, Some(1), file_exists);
    reg.simple("delete-file", 1, Some(1), delete_file);
    reg.simple("port?", 1, Some(1), is_port);
    reg.simple("input-port?", 1, Some(1), is_input_port);
    reg.simple("output-port?", 1, Some(1), is_output_port);
    reg.simple("textual-port?", 1, Some(1), is_textual_port);
    reg.simple("binary-port?", 1, Some(1), is_binary_port);
    reg.simple("input-port-open?", 1, Some(1), input_port_open);
    reg.simple("output-port-open?", 1, Some(1), output_port_open);
    reg.simple("close-port", 1, Some(1), close_port);
    reg.simple("close-input-port", 1, Some(1), close_input_port);
    reg.simple("close-output-port", 1, Some(1), close_output_port);
}

#[cfg(test)]
mod tests {
    use crate::test_util::{err, ev};

    #[test]
    fn string_input_ports() {
        let p = "(define p (open-input-string \"héllo\\nworld\\r\\nlast\")) ";
        assert_eq!(
            ev(&format!(
                "{p} (list (read-char p) (peek-char p) (read-char p) (read-line p) (read-line p))"
            )),
            "(#\\h #\\é #\\é \"llo\" \"world\")"
        );
        assert_eq!(
            ev(&format!("{p} (read-line p) (read-line p) (list (read-line p) (read-line p) (read-char p) (peek-char p))")),
            "(\"last\" #<eof> #<eof> #<eof>)"
        );
        assert_eq!(
            ev(&format!("{p} (list (read-string 3 p) (read-string 0 p) (read-string 100 p) (read-string 1 p))")),
            "(\"hél\" \"\" \"lo\\nworld\\r\\nlast\" #<eof>)"
        );
        assert_eq!(ev(&format!("{p} (char-ready? p)")), "#t");
        assert!(err("(read-char (open-output-string))").contains("read-char"));
        assert!(err("(read-line 5)").contains("read-line"));
    }

    #[test]
    fn reading_data() {
        let p = "(define p (open-input-string \" (a \\\"b\\\" #(1 2)) ; comment\\n 42 foo\")) ";
        assert_eq!(
            ev(&format!(
                "{p} (list (read p) (read p) (read p) (read p) (read p))"
            )),
            "((a \"b\" #(1 2)) 42 foo #<eof> #<eof>)"
        );
        assert_eq!(ev("(read (open-input-string \"\"))"), "#<eof>");
        assert_eq!(ev("(eof-object? (read (open-input-string \"   \")))"), "#t");
        let e = err("(read (open-input-string \"(a b\"))");
        assert!(e.contains("read"), "{e}");
        assert_eq!(
            ev("(define p (open-input-string \"1 2\")) (read p) (read-char p)"),
            "#\\space"
        );
    }

    #[test]
    fn string_output_ports() {
        assert_eq!(
            ev("(define p (open-output-string))
                (write-char (string-ref \"λ\" 0) p) (write-string \"abc\" p) (write-string \"hello\" p 1 3)
                (display 42 p) (write \"q\" p) (newline p)
                (get-output-string p)"),
            "\"λabcel42\\\"q\\\"\\n\""
        );
        assert!(err("(get-output-string (open-input-string \"\"))").contains("get-output-string"));
        assert!(err("(write-char 1 (open-output-string))").contains("write-char"));
        assert!(err("(write-string \"abc\" (open-output-string) 2 9)").contains("write-string"));
        assert!(err("(display 1 (open-input-string \"\"))").contains("display"));
        assert_eq!(
            ev("(call-with-output-string (lambda (p) (write 'sym p) (display \" x\" p)))"),
            "\"sym x\""
        );
    }

    #[test]
    fn redirection() {
        assert_eq!(
            ev(
                "(with-output-to-string (lambda () (display \"hi \") (write #\\a) (newline)
                                              (write-string \"s\") (write-char #\\!)))"
            ),
            "\"hi #\\\\a\\ns!\""
        );
        assert_eq!(
            ev("(define p (open-output-string))
                (parameterize ((current-output-port p)) (display \"in\"))
                (get-output-string p)"),
            "\"in\""
        );
        assert_eq!(
            ev("(define p (open-input-string \"x y\"))
                (parameterize ((current-input-port p)) (list (read) (read-char) (read-char) (read-char)))"),
            "(x #\\space #\\y #<eof>)"
        );
    }

    #[test]
    fn predicates_and_closing() {
        assert_eq!(
            ev(
                "(define i (open-input-string \"\")) (define o (open-output-string))
                (list (port? i) (input-port? i) (output-port? i) (port? o) (output-port? o)
                      (textual-port? o) (binary-port? o) (port? 5) (input-port? \"s\"))"
            ),
            "(#t #t #f #t #t #t #f #f #f)"
        );
        assert_eq!(
            ev(
                "(list (output-port? (current-output-port)) (output-port? (current-error-port))
                      (input-port? (current-input-port)))"
            ),
            "(#t #t #t)"
        );
        assert_eq!(
            ev(
                "(define i (open-input-string \"abc\")) (define a (input-port-open? i))
                (close-input-port i) (list a (input-port-open? i) (input-port? i))"
            ),
            "(#t #f #t)"
        );
        assert!(
            err("(define i (open-input-string \"abc\")) (close-port i) (read-char i)")
                .contains("closed")
        );
        assert!(
            err("(define o (open-output-string)) (close-port o) (display 1 o)").contains("closed")
        );
        assert!(err("(close-input-port (open-output-string))").contains("close-input-port"));
        assert!(err("(close-output-port (open-input-string \"\"))").contains("close-output-port"));
        assert!(err("(close-port 1)").contains("close-port"));
        assert_eq!(ev("(open-input-string \"\")"), "#<input-port string>");
        assert_eq!(ev("(current-output-port)"), "#<output-port stdout>");
        assert_eq!(ev("(flush-output-port)"), "");
    }

    #[test]
    fn files() {
        let path =
            std::env::temp_dir().join(format!("sigil-ports-test-{}.txt", std::process::id()));
        let path = path.display().to_string().replace('\\', "/");
        let out = ev(&format!(
            "(define f \"{path}\")
             (call-with-output-file f (lambda (p) (display \"line one\" p) (newline p) (write '(1 2) p)))
             (define a (file-exists? f))
             (define lines (call-with-input-file f (lambda (p) (let* ((l (read-line p)) (d (read p))) (list l d)))))
             (with-output-to-file f (lambda () (display \"second\")))
             (define b (with-input-from-file f read-line))
             (define o (open-output-file f))
             (write-string \"third\" o)
             (flush-output-port o)
             (define c (read-line (open-input-file f)))
             (close-output-port o)
             (delete-file f)
             (list a lines b c (file-exists? f))"
        ));
        assert_eq!(out, "(#t (\"line one\" (1 2)) \"second\" \"third\" #f)");
        let e = err(&format!("(open-input-file \"{path}.missing\")"));
        assert!(e.contains("open-input-file"), "{e}");
        assert_eq!(
            ev(&format!(
                "(guard (e ((file-error? e) 'file-error)) (open-input-file \"{path}.missing\"))"
            )),
            "file-error"
        );
        assert!(err(&format!("(delete-file \"{path}.missing\")")).contains("delete-file"));
    }
}
