//! The interactive REPL driven through a pseudo-terminal, as a user's terminal drives it:
//! rustyline runs in raw mode, echoes the input and redraws the prompt. The test keeps a
//! small model of the screen (carriage return, line feed, erase to end of line, cursor
//! forward) and checks what the user would see.

#![cfg(unix)]

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long to wait for the REPL to show something.
const DEADLINE: Duration = Duration::from_secs(20);

/// A `sigil` REPL on the slave side of a pseudo-terminal.
struct Repl {
    child: Child,
    master: File,
    /// Everything read from the terminal so far.
    output: Vec<u8>,
}

impl Repl {
    fn start() -> Repl {
        Repl::start_with(&[])
    }

    /// `sigil ARGS...` on the terminal.
    fn start_with(args: &[&str]) -> Repl {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 24,
            ws_col: 100,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two fresh descriptors into `master` and `slave`.
        let r = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(r, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors are open and owned by nothing else.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let child = Command::new(env!("CARGO_BIN_EXE_sigil"))
            .args(args)
            .env("TERM", "xterm")
            .env("SIGIL_HISTORY", "")
            .env_remove("HOME")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave))
            .spawn()
            .expect("start sigil");
        // The parent's copies of the slave are closed now, so reading the master ends
        // (EIO) once the REPL exits.
        Repl {
            child,
            master: File::from(master),
            output: Vec::new(),
        }
    }

    /// Types `keys` at the terminal.
    fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).unwrap();
    }

    /// Reads from the terminal until the screen satisfies `done`; fails after [`DEADLINE`].
    fn wait_for(&mut self, what: &str, done: impl Fn(&[String]) -> bool) -> Vec<String> {
        let start = Instant::now();
        loop {
            let lines = screen(&self.output);
            if done(&lines) {
                return lines;
            }
            let left = DEADLINE.saturating_sub(start.elapsed());
            assert!(
                !left.is_zero(),
                "timed out waiting for {what}; screen:\n{lines:#?}"
            );
            let mut pfd = libc::pollfd {
                fd: self.master.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd.
            let ready = unsafe { libc::poll(&mut pfd, 1, left.as_millis().min(100) as i32) };
            if ready > 0 {
                let mut buf = [0u8; 4096];
                match self.master.read(&mut buf) {
                    Ok(n) if n > 0 => self.output.extend_from_slice(&buf[..n]),
                    // EOF or EIO: the REPL has exited.
                    _ => {
                        let lines = screen(&self.output);
                        assert!(
                            done(&lines),
                            "the REPL ended before {what}; screen:\n{lines:#?}"
                        );
                        return lines;
                    }
                }
            }
        }
    }

    /// Waits until the screen shows `n` prompts, the last one empty.
    fn prompt(&mut self, n: usize) -> Vec<String> {
        self.wait_for(&format!("prompt {n}"), |lines| {
            lines.iter().filter(|l| l.starts_with("sigil> ")).count() >= n
                && lines.last().is_some_and(|l| l == "sigil> ")
        })
    }

    /// Waits for the REPL to exit; its exit code.
    fn exit_code(&mut self) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(start.elapsed() < DEADLINE, "the REPL did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Repl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines a terminal shows for `output`: printable text overwrites at the cursor,
/// `\r` returns to the start of the line, `\n` starts the next line, `ESC [ K` erases to
/// the end of the line, `ESC [ N C` moves right; other escape sequences are ignored.
fn screen(output: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(output);
    let mut lines = vec![Vec::<char>::new()];
    let mut col = 0;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let line = lines.last_mut().unwrap();
        match c {
            '\r' => col = 0,
            '\n' => {
                lines.push(Vec::new());
                col = 0;
            }
            '\x1b' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut param = String::new();
                let mut last = ' ';
                for p in chars.by_ref() {
                    if ('@'..='~').contains(&p) {
                        last = p;
                        break;
                    }
                    param.push(p);
                }
                match last {
                    'K' => line.truncate(col),
                    'C' => col += param.parse::<usize>().unwrap_or(1),
                    _ => {}
                }
            }
            c if !c.is_control() => {
                while line.len() < col {
                    line.push(' ');
                }
                if col < line.len() {
                    line[col] = c;
                } else {
                    line.push(c);
                }
                col += 1;
            }
            _ => {}
        }
    }
    lines.into_iter().map(|l| l.into_iter().collect()).collect()
}

#[test]
fn output_without_a_newline_is_followed_by_a_fresh_prompt_line() {
    let mut repl = Repl::start();
    let lines = repl.prompt(1);
    assert!(lines[0].starts_with("Sigil "), "{lines:#?}");
    repl.send("(display \"hi\")\r");
    let lines = repl.prompt(2);
    assert_eq!(
        lines[1..],
        ["sigil> (display \"hi\")", "hi", "sigil> "],
        "{lines:#?}"
    );
    // A value after unfinished output starts its own line too.
    repl.send("(begin (display \"x\") 42)\r");
    let lines = repl.prompt(3);
    assert_eq!(
        lines[3..],
        ["sigil> (begin (display \"x\") 42)", "x", "42", "sigil> "],
        "{lines:#?}"
    );
}

#[test]
fn errors_are_reported_and_the_session_goes_on() {
    let mut repl = Repl::start();
    repl.prompt(1);
    repl.send("(display \"partial\") (car 1)\r");
    let lines = repl.prompt(2);
    assert_eq!(
        lines[1..],
        [
            "sigil> (display \"partial\") (car 1)",
            "partial",
            "error: <repl>:1:21: car: expected a pair, got 1",
            "  in toplevel (<repl>:1:21)",
            "sigil> "
        ],
        "{lines:#?}"
    );
    repl.send("(+ 1 2)\r");
    let lines = repl.prompt(3);
    assert_eq!(lines[lines.len() - 2], "3", "{lines:#?}");
    // Ctrl-D on an empty line leaves with status 0: in an interactive session the user
    // has seen each error already.
    repl.send("\x04");
    assert_eq!(repl.exit_code(), Some(0));
}

/// A `#!fold-case` directive typed on its own line lasts for the next inputs.
#[test]
fn fold_case_typed_at_the_prompt_lasts() {
    let mut repl = Repl::start();
    repl.prompt(1);
    repl.send("#!fold-case\r");
    repl.prompt(2);
    repl.send("(quote HeLLo)\r");
    let lines = repl.prompt(3);
    assert_eq!(lines[lines.len() - 2], "hello", "{lines:#?}");
    repl.send("#!no-fold-case 'HeLLo\r");
    let lines = repl.prompt(4);
    assert_eq!(lines[lines.len() - 2], "HeLLo", "{lines:#?}");
}

#[test]
fn ctrl_c_interrupts_an_evaluation_and_the_session_goes_on() {
    let mut repl = Repl::start();
    repl.prompt(1);
    repl.send("(import (sigil async))\r");
    repl.prompt(2);
    repl.send("(async-run (lambda () (sleep 30) 'slept))\r");
    repl.wait_for("the evaluation to start", |l| l.len() >= 4);
    // Give the REPL time to enter the evaluation, then interrupt it as the terminal does.
    std::thread::sleep(Duration::from_millis(300));
    // SAFETY: sends a signal to our own child process.
    assert_eq!(
        unsafe { libc::kill(repl.child.id() as i32, libc::SIGINT) },
        0
    );
    let lines = repl.prompt(3);
    assert!(
        lines.iter().any(|l| l.ends_with("interrupted")),
        "{lines:#?}"
    );
    repl.send("(display \"after\")\r");
    let lines = repl.prompt(4);
    assert_eq!(lines[lines.len() - 2], "after", "{lines:#?}");
}

/// Sends SIGINT to the REPL, as the terminal does on Ctrl-C.
fn interrupt(repl: &Repl) {
    // SAFETY: sends a signal to our own child process.
    assert_eq!(
        unsafe { libc::kill(repl.child.id() as i32, libc::SIGINT) },
        0
    );
}

/// Waits for the REPL's prompt number `n` after an interrupt, which must come within
/// two seconds (the waits notice it within 50 ms), and checks that it was the REPL's
/// `count`th report of `interrupted`.
fn interrupted_by_ctrl_c(repl: &mut Repl, n: usize, count: usize) {
    // Give the REPL time to enter the evaluation (and block in it).
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    interrupt(repl);
    let lines = repl.prompt(n);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(2), "took {took:?}");
    let reports = lines
        .iter()
        .filter(|l| l.starts_with("error: ") && l.ends_with(": interrupted"))
        .count();
    assert_eq!(reports, count, "{lines:#?}");
}

#[test]
fn ctrl_c_interrupts_blocked_websocket_calls_and_the_session_goes_on() {
    let server = sigil_testserver::start(sigil_testserver::Config::default()).unwrap();
    let mut repl = Repl::start();
    repl.prompt(1);
    repl.send("(import (sigil websocket)) (define kept 'yes)\r");
    repl.prompt(2);
    let url = server.ws_url("/echo");
    repl.send(&format!("(define c (ws-connect \"{url}\"))\r"));
    repl.prompt(3);
    // A receive on an idle connection.
    repl.send("(ws-receive c)\r");
    interrupted_by_ctrl_c(&mut repl, 4, 1);
    // The connection is still usable, and the session kept its definitions.
    repl.send("(ws-send c \"still\") (ws-message-data (ws-receive c)) kept\r");
    assert_values(&repl.prompt(5), &["\"still\"", "yes"]);
    // A connect to a server that never answers the upgrade (10 s connect timeout).
    let silent = server.ws_url("/hostile/silent");
    repl.send(&format!("(ws-connect \"{silent}\")\r"));
    interrupted_by_ctrl_c(&mut repl, 6, 2);
    // A close whose answer never comes: the connection is closed at once.
    let quiet = server.ws_url("/hostile/never-read");
    repl.send(&format!(
        "(define q (ws-connect \"{quiet}\" '((close-timeout . 30))))\r"
    ));
    repl.prompt(7);
    repl.send("(ws-close q)\r");
    interrupted_by_ctrl_c(&mut repl, 8, 3);
    repl.send("(ws-connection-state q) (ws-close c) (ws-connection-state c)\r");
    assert_values(&repl.prompt(9), &["closed", "closed"]);
}

/// Asserts that the screen ends with `values`, then an empty prompt.
fn assert_values(lines: &[String], values: &[&str]) {
    let last = &lines[lines.len() - values.len() - 1..];
    assert_eq!(last[..values.len()], *values, "{lines:#?}");
    assert_eq!(last[values.len()], "sigil> ", "{lines:#?}");
}

/// `sigil --ws URL` on a terminal: typed lines are sent, echoes printed as they come,
/// Ctrl-D (end of input) closes.
#[test]
fn the_websocket_client_on_a_terminal() {
    let server = sigil_testserver::start(sigil_testserver::Config::default()).unwrap();
    let url = server.ws_url("/echo");
    let mut term = Repl::start_with(&["--ws", &url]);
    let connected = format!("Connected to {url}.");
    term.wait_for("the connection", |l| l.contains(&connected));
    term.send("hello there\r");
    term.wait_for("the echo", |l| l.iter().any(|l| l == "< hello there"));
    term.send("\x04");
    let lines = term.wait_for("the close", |l| {
        l.iter().any(|l| l == "Connection closed: 1000.")
    });
    assert!(
        lines.iter().any(|l| l == "hello there"),
        "the typed line is echoed: {lines:#?}"
    );
    assert_eq!(term.exit_code(), Some(0));
}
