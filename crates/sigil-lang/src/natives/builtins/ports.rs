//! Ports and textual I/O: string ports, file ports, the standard streams and the
//! `current-*-port` parameters.
//!
//! `display`, `write` and `newline` are defined here (replacing the simpler versions in
//! `base`) so that they write to every kind of port and, without a port argument, to the
//! current value of `current-output-port`; this is what makes `with-output-to-string`
//! and `with-output-to-file` (in `prelude/collections.sgl`) work.

use super::strings::substring;
use super::Registry;
use crate::native;
use crate::read::reader::{ReadError, Reader};
use crate::run::ctx::Ctx;
use crate::run::datum;
use crate::run::native::{Ctl, Descriptor, Resume, Wait};
use crate::run::printer;
use crate::run::value::{Error, NResult, Object, Port, Value};
use rustix::event::{poll, PollFd, PollFlags, Timespec};
use std::any::TypeId;
use std::io::{BufRead, Write};
use std::os::fd::AsFd;
use std::rc::Rc;
use std::time::Duration;

/// Per-machine port state, kept as host data.
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

fn state<'a>(ctx: &'a mut Ctx) -> NResult<&'a mut PortState> {
    ctx.host_mut::<PortState>()
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

/// The port argument, or the current port of the given direction when it is left out.
pub(super) fn port_or_current(ctx: &mut Ctx, port: Option<Value>, which: Std) -> NResult<Value> {
    if let Some(p) = port {
        return Ok(p);
    }
    let st = state(ctx)?;
    let param = match which {
        Std::Input => st.input,
        Std::Output => st.output,
    };
    match ctx.heap().obj(param) {
        Some(Object::Param(v, _)) => Ok(*v),
        _ => Err(Error::msg("ports: current port parameter is missing")),
    }
}

/// The error for using a closed port.
pub(super) fn closed(p: Value) -> Error {
    Error::new("error", "port is closed").with_irritants(vec![p])
}

/// The error for a failed read or write.
pub(super) fn io_error(e: std::io::Error) -> Error {
    Error::new("file-error", e.to_string())
}

/// The error for a file that cannot be opened.
pub(super) fn file_error(path: &str, e: std::io::Error) -> Error {
    Error::new("file-error", format!("cannot open {path}: {e}"))
}

/// Writes `text` to output port `port`.
pub fn put(ctx: &mut Ctx, port: Value, text: &str) -> NResult<()> {
    match ctx.vm.heap.obj_mut(port) {
        Some(Object::Port(Port::Output(buf))) => buf.push_str(text),
        Some(Object::Port(Port::FileOut(w))) => w.write_all(text.as_bytes()).map_err(io_error)?,
        Some(Object::Port(Port::Stdout)) => ctx.write_out(text),
        Some(Object::Port(Port::Stderr)) => {
            ctx.flush();
            let _ = std::io::stderr().write_all(text.as_bytes());
        }
        Some(Object::Port(Port::Closed { input: false })) => return Err(closed(port)),
        _ => return Err(Error::expected("an output port", port)),
    }
    Ok(())
}

/// How long standard input must stay quiet before [`fill_stdin`] asks again whether the
/// unread text is enough, when that text has not doubled since it last asked.
const QUIET: Duration = Duration::from_millis(20);

/// Reads more standard input, line by line, until `enough` holds for the unread text or
/// input ends. `enough` (for `read`: "a whole datum is there") may take time linear in the
/// text, so after it has said no it is asked again only when the unread text has doubled
/// or no more input comes for [`QUIET`] (a person typing, a program waiting for an
/// answer): a datum over many lines costs time linear in its length, not in its length
/// times its lines.
fn fill_stdin(ctx: &mut Ctx, port: Value, enough: impl Fn(&str) -> bool) -> NResult<()> {
    if !matches!(ctx.heap().obj(port), Some(Object::Port(Port::Stdin))) {
        return Ok(());
    }
    ctx.flush();
    let st = state(ctx)?;
    // The length of the unread text when `enough` last said no.
    let mut refused: Option<usize> = None;
    while !st.stdin_eof {
        let unread = st.stdin.len() - st.stdin_pos;
        let ask = match refused {
            None => true,
            Some(n) if unread >= 2 * n => true,
            Some(_) => match stdin_arriving() {
                Probe::Input => false,
                Probe::Nothing => true,
                Probe::End => {
                    st.stdin_eof = true;
                    break;
                }
            },
        };
        if ask {
            if enough(&st.stdin[st.stdin_pos..]) {
                break;
            }
            refused = Some(unread);
        }
        st.stdin.drain(..st.stdin_pos);
        st.stdin_pos = 0;
        match std::io::stdin().lock().read_line(&mut st.stdin) {
            Ok(0) | Err(_) => st.stdin_eof = true,
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Whether standard input has more to read now or within [`QUIET`].
fn stdin_arriving() -> Probe {
    match stdin_probe() {
        Probe::Nothing => {
            let stdin = std::io::stdin();
            let mut fds = [PollFd::new(&stdin, PollFlags::IN)];
            let quiet = Timespec {
                tv_sec: 0,
                tv_nsec: QUIET.as_nanos() as i64,
            };
            match poll(&mut fds, Some(&quiet)) {
                Ok(0) => Probe::Nothing,
                // Input, its end or an error: the next read tells.
                _ => Probe::Input,
            }
        }
        probe => probe,
    }
}

/// The unread text and read position of input port `port` (after `fill_stdin`).
fn input<'a>(ctx: &'a mut Ctx, port: Value) -> NResult<(&'a str, &'a mut usize)> {
    let stdin = match ctx.heap().obj(port) {
        Some(Object::Port(Port::Stdin)) => true,
        Some(Object::Port(Port::Input { .. })) => false,
        Some(Object::Port(Port::Closed { input: true })) => return Err(closed(port)),
        _ => return Err(Error::expected("an input port", port)),
    };
    if stdin {
        let st = state(ctx)?;
        return Ok((&st.stdin, &mut st.stdin_pos));
    }
    match ctx.vm.heap.obj_mut(port) {
        Some(Object::Port(Port::Input { text, pos, .. })) => Ok((text, pos)),
        _ => Err(Error::expected("an input port", port)),
    }
}

/// The current input port or `port`, with standard input read until `enough` holds:
/// its unread text and read position.
fn reading<'a>(
    ctx: &'a mut Ctx,
    port: Option<Value>,
    enough: impl Fn(&str) -> bool,
) -> NResult<(&'a str, &'a mut usize)> {
    let port = port_or_current(ctx, port, Std::Input)?;
    fill_stdin(ctx, port, enough)?;
    input(ctx, port)
}

/// Writes `text` to `port`, or to the current output port when it is left out.
fn emit(ctx: &mut Ctx, port: Option<Value>, text: &str) -> NResult<()> {
    let port = port_or_current(ctx, port, Std::Output)?;
    put(ctx, port, text)
}

/// Prints `v` in `style` to `port`, or to the current output port.
fn print(ctx: &mut Ctx, v: Value, port: Option<Value>, style: printer::Style) -> NResult<()> {
    let s = printer::render(ctx.heap(), v, style);
    emit(ctx, port, &s)
}

macro_rules! print_natives {
    ($($f:ident $name:literal $style:ident;)*) => {$(
        #[doc = concat!("`(", $name, " obj [port])`.")]
        #[native($name)]
        fn $f(ctx: &mut Ctx, v: Value, port: Option<Value>) -> NResult<()> {
            print(ctx, v, port, printer::Style::$style)
        }
    )*};
}

print_natives! {
    display "display" Display;
    write "write" Write;
    write_shared "write-shared" Shared;
    write_simple "write-simple" Simple;
}

/// `(newline [port])`.
#[native("newline")]
fn newline(ctx: &mut Ctx, port: Option<Value>) -> NResult<()> {
    emit(ctx, port, "\n")
}

/// `(write-char char [port])`.
#[native("write-char")]
fn write_char(ctx: &mut Ctx, c: char, port: Option<Value>) -> NResult<()> {
    emit(ctx, port, c.encode_utf8(&mut [0; 4]))
}

/// `(write-string string [port [start [end]]])`.
#[native("write-string")]
fn write_string(
    ctx: &mut Ctx,
    s: String,
    port: Option<Value>,
    start: Option<usize>,
    end: Option<usize>,
) -> NResult<()> {
    let text = substring(&s, start, end)?;
    emit(ctx, port, text)
}

/// `(flush-output-port [port])`.
#[native("flush-output-port")]
fn flush_output_port(ctx: &mut Ctx, port: Option<Value>) -> NResult<()> {
    let port = port_or_current(ctx, port, Std::Output)?;
    match ctx.vm.heap.obj_mut(port) {
        Some(Object::Port(Port::FileOut(w) | Port::BinaryFileOut(w))) => {
            w.flush().map_err(io_error)?
        }
        Some(Object::Port(Port::Stdout)) => ctx.flush(),
        Some(Object::Port(Port::Stderr)) => {
            let _ = std::io::stderr().flush();
        }
        Some(Object::Port(Port::Output(_) | Port::BytesOut(_))) => {}
        Some(Object::Port(Port::Closed { input: false })) => return Err(closed(port)),
        _ => return Err(Error::expected("an output port", port)),
    }
    Ok(())
}

/// `(read-char [port])`: the next character, or the eof object.
#[native("read-char")]
fn read_char(ctx: &mut Ctx, port: Option<Value>) -> NResult {
    let (text, pos) = reading(ctx, port, |s| !s.is_empty())?;
    Ok(match text[*pos..].chars().next() {
        Some(c) => {
            *pos += c.len_utf8();
            Value::Char(c)
        }
        None => Value::Eof,
    })
}

/// `(peek-char [port])`: the next character, left unread, or the eof object.
#[native("peek-char")]
fn peek_char(ctx: &mut Ctx, port: Option<Value>) -> NResult {
    let (text, pos) = reading(ctx, port, |s| !s.is_empty())?;
    Ok(text[*pos..].chars().next().map_or(Value::Eof, Value::Char))
}

/// `(read-line [port])`: the next line without its end, or the eof object.
#[native("read-line")]
fn read_line(ctx: &mut Ctx, port: Option<Value>) -> NResult {
    let (text, pos) = reading(ctx, port, |s| s.contains('\n'))?;
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
    Ok(ctx.string(line))
}

/// `(read-string k [port])`: up to `k` characters, or the eof object at end of input.
#[native("read-string")]
fn read_string(ctx: &mut Ctx, k: usize, port: Option<Value>) -> NResult {
    let (text, pos) = reading(ctx, port, |s| s.chars().nth(k.saturating_sub(1)).is_some())?;
    let rest = &text[*pos..];
    if rest.is_empty() && k > 0 {
        return Ok(Value::Eof);
    }
    let used = rest.char_indices().nth(k).map_or(rest.len(), |(b, _)| b);
    let s = rest[..used].to_string();
    *pos += used;
    Ok(ctx.string(s))
}

/// `(char-ready? [port])`: whether `read-char` would return at once.
#[native("char-ready?")]
fn char_ready(ctx: &mut Ctx, port: Option<Value>) -> NResult<bool> {
    let port = port_or_current(ctx, port, Std::Input)?;
    input_ready(ctx, port)
}

/// `(wait-for-input [port])`: waits until `port` (the current input port by default) has
/// input that `read-char` takes at once, a character or the end of the input. Inside a
/// `(sigil async)` task only the task waits; outside one the thread does (Ctrl-C stops
/// it). Only standard input can make it wait: string and file ports hold their text.
#[native("wait-for-input")]
fn wait_for_input(ctx: &mut Ctx, port: Option<Value>) -> NResult<Ctl> {
    let port = port_or_current(ctx, port, Std::Input)?;
    if input_ready(ctx, port)? {
        return Ok(Ctl::Return(Value::Unspecified));
    }
    let stdin = Descriptor::new(Rc::new(std::io::stdin()));
    Ok(Ctl::Park(Wait::Readable(stdin), Resume::Retry))
}

/// Whether input port `port` has input `read-char` takes at once (or is at its end).
fn input_ready(ctx: &mut Ctx, port: Value) -> NResult<bool> {
    input(ctx, port)?;
    if !matches!(ctx.heap().obj(port), Some(Object::Port(Port::Stdin))) {
        return Ok(true);
    }
    let st = state(ctx)?;
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
fn fold_case<'a>(ctx: &'a mut Ctx, port: Value) -> NResult<&'a mut bool> {
    if matches!(ctx.heap().obj(port), Some(Object::Port(Port::Stdin))) {
        return Ok(&mut state(ctx)?.stdin_fold_case);
    }
    match ctx.vm.heap.obj_mut(port) {
        Some(Object::Port(Port::Input { fold_case, .. })) => Ok(fold_case),
        _ => Err(Error::expected("an input port", port)),
    }
}

/// `(read [port])`: the next datum, or the eof object when only atmosphere remains. The
/// reader stops at the end of the datum, so reading a whole port is linear in its length.
#[native("read")]
fn read(ctx: &mut Ctx, port: Option<Value>) -> NResult {
    let port = port_or_current(ctx, port, Std::Input)?;
    let file = ctx.vm.files.register("<input-port>");
    fill_stdin(ctx, port, |s| {
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
    input(ctx, port)?;
    let fold = *fold_case(ctx, port)?;
    let (text, pos) = input(ctx, port)?;
    let mut reader = Reader::new(&text[*pos..], file, 1);
    reader.set_fold_case(fold);
    let read = match reader.read() {
        Ok(datum) => {
            *pos += reader.offset();
            Ok((datum, reader.fold_case()))
        }
        Err(e) => Err(e.after(&text[..*pos])),
    };
    let (datum, fold) = read.map_err(|e| {
        let at = ctx.vm.files.locate(e.span);
        Error::new("read-error", format!("{at}: {}", e.message))
    })?;
    *fold_case(ctx, port)? = fold;
    Ok(match datum {
        Some(d) => datum::syntax_to_value(&mut ctx.vm.heap, &d),
        None => Value::Eof,
    })
}

/// `(open-input-string string)`.
#[native("open-input-string")]
fn open_input_string(ctx: &mut Ctx, text: String) -> Value {
    ctx.alloc(Object::Port(Port::Input {
        text,
        pos: 0,
        fold_case: false,
    }))
}

/// `(open-output-string)`.
#[native("open-output-string")]
fn open_output_string(ctx: &mut Ctx) -> Value {
    ctx.alloc(Object::Port(Port::Output(String::new())))
}

/// `(get-output-string port)`: what was written to a string output port.
#[native("get-output-string")]
fn get_output_string(ctx: &mut Ctx, port: Value) -> NResult {
    match ctx.heap().obj(port) {
        Some(Object::Port(Port::Output(buf))) => {
            let s = buf.clone();
            Ok(ctx.string(s))
        }
        _ => Err(Error::expected("a string output port", port)),
    }
}

/// `(open-input-file path)`: the file is read whole.
#[native("open-input-file")]
fn open_input_file(ctx: &mut Ctx, path: String) -> NResult {
    let text = std::fs::read_to_string(&path).map_err(|e| file_error(&path, e))?;
    Ok(ctx.alloc(Object::Port(Port::Input {
        text,
        pos: 0,
        fold_case: false,
    })))
}

/// `(open-output-file path)`.
#[native("open-output-file")]
fn open_output_file(ctx: &mut Ctx, path: String) -> NResult {
    let f = std::fs::File::create(&path).map_err(|e| file_error(&path, e))?;
    let w = std::io::BufWriter::new(f);
    Ok(ctx.alloc(Object::Port(Port::FileOut(w))))
}

/// `(file-exists? path)`.
#[native("file-exists?")]
fn file_exists(path: &str) -> bool {
    std::path::Path::new(path).exists()
}

/// `(delete-file path)`.
#[native("delete-file")]
fn delete_file(path: &str) -> NResult<()> {
    std::fs::remove_file(path)
        .map_err(|e| Error::new("file-error", format!("cannot delete {path}: {e}")))
}

/// The direction of a port: `Some(true)` for input, `Some(false)` for output.
fn direction(ctx: &Ctx, v: Value) -> Option<bool> {
    match ctx.heap().obj(v) {
        Some(Object::Port(p)) => Some(matches!(
            p,
            Port::Input { .. } | Port::BytesIn { .. } | Port::Stdin | Port::Closed { input: true }
        )),
        _ => None,
    }
}

/// `(port? obj)`.
#[native("port?")]
fn is_port(ctx: &mut Ctx, v: Value) -> bool {
    direction(ctx, v).is_some()
}

/// `(input-port? obj)`.
#[native("input-port?")]
fn is_input_port(ctx: &mut Ctx, v: Value) -> bool {
    direction(ctx, v) == Some(true)
}

/// `(output-port? obj)`.
#[native("output-port?")]
fn is_output_port(ctx: &mut Ctx, v: Value) -> bool {
    direction(ctx, v) == Some(false)
}

/// Whether `v` is a binary port (open or not yet closed).
fn is_binary(ctx: &Ctx, v: Value) -> bool {
    matches!(
        ctx.heap().obj(v),
        Some(Object::Port(
            Port::BytesIn { .. } | Port::BytesOut(_) | Port::BinaryFileOut(_)
        ))
    )
}

/// `(binary-port? obj)`.
#[native("binary-port?")]
fn is_binary_port(ctx: &mut Ctx, v: Value) -> bool {
    is_binary(ctx, v)
}

/// `(textual-port? obj)`.
#[native("textual-port?")]
fn is_textual_port(ctx: &mut Ctx, v: Value) -> bool {
    direction(ctx, v).is_some() && !is_binary(ctx, v)
}

fn is_open(ctx: &Ctx, v: Value, input: bool) -> bool {
    direction(ctx, v) == Some(input)
        && !matches!(ctx.heap().obj(v), Some(Object::Port(Port::Closed { .. })))
}

/// `(input-port-open? port)`.
#[native("input-port-open?")]
fn input_port_open(ctx: &mut Ctx, v: Value) -> bool {
    is_open(ctx, v, true)
}

/// `(output-port-open? port)`.
#[native("output-port-open?")]
fn output_port_open(ctx: &mut Ctx, v: Value) -> bool {
    is_open(ctx, v, false)
}

/// Closes a port; `only` restricts it to input (`Some(true)`) or output ports.
fn close(ctx: &mut Ctx, port: Value, only: Option<bool>) -> NResult<()> {
    let Some(input) = direction(ctx, port) else {
        return Err(Error::expected("a port", port));
    };
    if only.is_some_and(|o| o != input) {
        let what = if input {
            "an output port"
        } else {
            "an input port"
        };
        return Err(Error::expected(what, port));
    }
    let flushed = match ctx.vm.heap.obj_mut(port) {
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
            ctx.flush();
            Ok(())
        }
        _ => Ok(()),
    };
    flushed.map_err(io_error)
}

/// `(close-port port)`.
#[native("close-port")]
fn close_port(ctx: &mut Ctx, port: Value) -> NResult<()> {
    close(ctx, port, None)
}

/// `(close-input-port port)`.
#[native("close-input-port")]
fn close_input_port(ctx: &mut Ctx, port: Value) -> NResult<()> {
    close(ctx, port, Some(true))
}

/// `(close-output-port port)`.
#[native("close-output-port")]
fn close_output_port(ctx: &mut Ctx, port: Value) -> NResult<()> {
    close(ctx, port, Some(false))
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
    reg.add(&[
        DISPLAY,
        WRITE,
        WRITE_SHARED,
        WRITE_SIMPLE,
        NEWLINE,
        WRITE_CHAR,
        WRITE_STRING,
        FLUSH_OUTPUT_PORT,
        READ_CHAR,
        PEEK_CHAR,
        READ_LINE,
        READ_STRING,
        CHAR_READY,
        WAIT_FOR_INPUT,
        READ,
        OPEN_INPUT_STRING,
        OPEN_OUTPUT_STRING,
        GET_OUTPUT_STRING,
        OPEN_INPUT_FILE,
        OPEN_OUTPUT_FILE,
        FILE_EXISTS,
        DELETE_FILE,
        IS_PORT,
        IS_INPUT_PORT,
        IS_OUTPUT_PORT,
        IS_TEXTUAL_PORT,
        IS_BINARY_PORT,
        INPUT_PORT_OPEN,
        OUTPUT_PORT_OPEN,
        CLOSE_PORT,
        CLOSE_INPUT_PORT,
        CLOSE_OUTPUT_PORT,
    ]);
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
        assert_eq!(ev("(flush-output-port)"), "#<unspecified>");
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
