//! End-to-end tests of the `sigil` command: scripts, `-e`, options, error reports, and the
//! REPL fed through a pipe (`repl_pty.rs` drives it through a terminal).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

fn sigil() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sigil"));
    // Keep the REPL away from the user's history file.
    cmd.env("SIGIL_HISTORY", "");
    cmd.env_remove("HOME");
    cmd
}

/// A script file with a unique name under the temp dir, removed on drop.
struct Script(PathBuf);

impl Script {
    fn new(src: &str) -> Script {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "sigil-cli-{}-{}.sgl",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        std::fs::write(&path, src).unwrap();
        Script(path)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().unwrap();
    (
        status.code().unwrap_or(-1),
        String::from_utf8(stdout).unwrap(),
        String::from_utf8(stderr).unwrap(),
    )
}

/// Starts `cmd` with piped standard streams, writes `input` and closes its stdin.
fn spawn_with_input(cmd: &mut Command, input: &[u8]) -> std::process::Child {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child
}

/// Starts `sigil -e program` with its standard input and output piped to the test.
fn spawn_piped(program: &str) -> std::process::Child {
    sigil()
        .args(["-e", program])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap()
}

fn with_stdin(cmd: &mut Command, input: &str) -> (i32, String, String) {
    let out = spawn_with_input(cmd, input.as_bytes())
        .wait_with_output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn script_runs_with_command_line() {
    let s = Script::new("(display (command-line))\n(newline)\n");
    let (code, out, err) = run(sigil().arg(s.path()).args(["a", "b c"]));
    assert_eq!(code, 0, "stderr: {err}");
    assert_eq!(out, format!("({} a b c)\n", s.path()));
}

#[test]
fn script_error_reports_position_and_exits_1() {
    let s = Script::new("(display \"before\")\n(newline)\n(define (f x)\n  (+ x nope))\n(f 1)\n");
    let (code, out, err) = run(sigil().arg(s.path()));
    assert_eq!(code, 1);
    assert_eq!(out, "before\n");
    let first = err.lines().next().unwrap();
    let prefix = format!("error: {}:", s.path());
    assert!(first.starts_with(&prefix), "{err}");
    assert!(first.ends_with("unbound variable: nope"), "{err}");
    // error: FILE:LINE:COL: MESSAGE
    let pos: Vec<&str> = first[prefix.len()..].splitn(3, ':').collect();
    assert!(pos[0].parse::<u32>().unwrap() >= 3, "{err}");
    assert!(pos[1].parse::<u32>().is_ok(), "{err}");
    assert!(err.lines().skip(1).all(|l| l.starts_with("  ")), "{err}");
}

/// Code nested 30 000 deep compiles and runs (the compiler grows its stack on the heap);
/// a macro that never stops expanding is an error, never a crash.
#[test]
fn deeply_nested_code_runs_and_endless_macros_stop() {
    let nest = |n: usize| format!("(display {}0{})", "(+ 1 ".repeat(n), ")".repeat(n));
    let s = Script::new(&nest(30_000));
    let (code, out, err) = run(sigil().arg(s.path()));
    assert_eq!((code, out.as_str()), (0, "30000"), "{err}");
    let s = Script::new("(define-syntax m (syntax-rules () ((_ x) (m (x)))))\n(m 1)\n");
    let (code, out, err) = run(sigil().arg(s.path()));
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains(":2:1: macro expansion too deep"), "{err}");
}

#[test]
fn read_error_reports_position() {
    // A script runs form by form: what comes before the unreadable form runs.
    let src = "(define-library (m) (export f) (import (scheme base)) (begin (define (f) 1)))\n(import (m))\n(display (f))\n(+ 1 (foo 2)\n(display 2)\n";
    let s = Script::new(src);
    let (code, out, err) = run(sigil().arg(s.path()));
    assert_eq!((code, out.as_str()), (1, "1"));
    let prefix = format!("error: {}:4:1: read error", s.path());
    assert!(err.starts_with(&prefix), "{err}");
    let (code, out, err) = with_stdin(sigil().arg("-"), "(display 1)\n)");
    assert_eq!((code, out.as_str()), (1, "1"));
    assert!(err.starts_with("error: <stdin>:2:1: read error"), "{err}");
}

#[test]
fn missing_file() {
    let (code, _, err) = run(sigil().arg("/nonexistent/sigil-no-such-file.sgl"));
    assert_eq!(code, 1);
    assert!(
        err.starts_with("error: cannot read /nonexistent/sigil-no-such-file.sgl"),
        "{err}"
    );
}

#[test]
fn eval_option() {
    let (code, out, _) = run(sigil().args(["-e", "(define x 20) (+ x 22)"]));
    assert_eq!((code, out.as_str()), (0, "42\n"));
    let (_, out, _) = run(sigil().args(["-e", "\"hi\""]));
    assert_eq!(out, "\"hi\"\n");
    let (_, out, _) = run(sigil().args(["-e", "(command-line)", "x", "y"]));
    assert_eq!(out, "(\"-e\" \"x\" \"y\")\n");
    let (_, out, _) = run(sigil().args(["-e", "(display \"z\")"]));
    assert_eq!(out, "z");
    let (code, _, err) = run(sigil().args(["-e", "(car 5)"]));
    assert_eq!(code, 1);
    assert!(err.starts_with("error: <-e>:1:1: "), "{err}");
}

#[test]
fn program_from_stdin() {
    let (code, out, _) = with_stdin(sigil().arg("-"), "(display (+ 1 2))\n");
    assert_eq!((code, out.as_str()), (0, "3"));
}

#[test]
fn help_and_version() {
    let (code, out, _) = run(sigil().arg("--help"));
    assert_eq!(code, 0);
    for word in [
        "-e",
        "--eval",
        "-I",
        "--max-depth",
        "SIGIL_MAX_DEPTH",
        "--repl",
        "--help",
        "--version",
        "SIGIL_PATH",
        "SIGIL_HISTORY",
        "SIGIL_RESOLVE",
        "SSL_CERT_FILE",
    ] {
        assert!(out.contains(word), "help lacks {word}");
    }
    assert_eq!(run(sigil().arg("-h")).1, out);
    let (code, out, _) = run(sigil().arg("--version"));
    assert_eq!((code, out.as_str()), (0, "sigil 0.1.0\n"));
    assert_eq!(run(sigil().arg("-V")).1, "sigil 0.1.0\n");
}

#[test]
fn unknown_option_exits_2() {
    let (code, out, err) = run(sigil().arg("--frobnicate"));
    assert_eq!(code, 2);
    assert_eq!(out, "");
    assert!(
        err.contains("--frobnicate") && err.contains("Usage"),
        "{err}"
    );
}

#[test]
fn repl_multi_line_input() {
    let (code, out, _) = with_stdin(&mut sigil(), "(+ 1\n   2)\n\"a\" (* 2 3)\n");
    assert_eq!(code, 0);
    assert_eq!(out, "3\n\"a\"\n6\n");
}

/// A string or block comment left open waits for the next line; a stray `)` is an error
/// (and piped input stops there).
#[test]
fn repl_tells_unfinished_input_from_errors() {
    let input = "\"a\nb\"\n#| c\n|# (+ 1 2)\n)\n(+ 3 4)\n";
    let (code, out, err) = with_stdin(&mut sigil(), input);
    assert_eq!(code, 1);
    assert_eq!(out, "\"a\\nb\"\n3\n");
    assert!(err.contains("unexpected `)`"), "{err}");
}

#[test]
fn piped_repl_stops_at_the_first_error_with_status_1() {
    // As `python3 < file` does: the rest of the input is not run.
    let (code, out, err) = with_stdin(&mut sigil(), "(+ 1 2) (car 1) (display \"x\")\n");
    assert_eq!(code, 1);
    assert_eq!(out, "3\n");
    assert_eq!(
        err,
        "error: <repl>:1:9: car: expected a pair, got 1\n  in toplevel (<repl>:1:9)\n"
    );
    let (code, out, _) = with_stdin(&mut sigil(), "(display \"a\")\n(car '())\n(+ 1 2)\n");
    assert_eq!((code, out.as_str()), (1, "a"));
    // An unfinished datum at the end of the input is an error too.
    let (code, _, err) = with_stdin(&mut sigil(), "(+ 1 2\n");
    assert_eq!(code, 1);
    assert!(err.contains("read error"), "{err}");
    let (code, _, err) = with_stdin(&mut sigil(), ",frobnicate\n(+ 1 2)\n");
    assert_eq!(code, 1);
    assert!(err.contains("unknown REPL command ,frobnicate"), "{err}");
}

#[test]
fn piped_repl_prints_values_on_their_own_lines() {
    let (code, out, _) = with_stdin(&mut sigil(), "(display \"a\") 5\n(display \"b\")\n");
    assert_eq!((code, out.as_str()), (0, "a\n5\nb"));
}

/// `#!fold-case` typed at the REPL lasts for the following inputs until `#!no-fold-case`,
/// as in Chibi (the directive belongs to the input port, standard input).
#[test]
fn repl_fold_case_lasts_until_no_fold_case() {
    let input = "(define abc 1)\n#!fold-case\n(list 'ABC ABC #\\SPACE)\n(quote XyZ)\n\
                 #!no-fold-case (quote XyZ)\n(quote Q)\n";
    let (code, out, err) = with_stdin(&mut sigil(), input);
    assert_eq!((code, err.as_str()), (0, ""));
    assert_eq!(out, "(abc 1 #\\space)\nxyz\nXyZ\nQ\n");
}

#[test]
fn repl_keeps_definitions() {
    let input = "(define (sq x) (* x x))\n(define y 7)\n(sq y)\n,quit\n(sq 2)\n";
    let (code, out, _) = with_stdin(sigil().arg("--repl"), input);
    assert_eq!(code, 0);
    assert_eq!(out, "49\n");
}

#[test]
fn repl_redefinition_reaches_earlier_definitions() {
    let input = "(define (f l) (car l))\n(define (g) (iota 3))\n(f '(1 2))\n\
                 (define (car x) 'mine)\n(define (iota n) (list 'my n))\n(list (f '(1 2)) (g))\n\
                 (set! car cdr)\n(f '(1 2))\n";
    let (code, out, _) = with_stdin(sigil().arg("--repl"), input);
    assert_eq!(code, 0);
    assert_eq!(out, "1\n(mine (my 3))\n(2)\n");
}

/// `(f N)` makes N + 1 nested calls of `f`.
fn deep(n: u32) -> String {
    format!("(define (f n) (if (= n 0) 0 (+ 1 (f (- n 1))))) (f {n})")
}

#[test]
fn max_depth_option_sets_the_recursion_limit() {
    let (code, out, _) = run(sigil().args(["--max-depth", "10000", "-e", &deep(5000)]));
    assert_eq!((code, out.trim()), (0, "5000"));
    let (code, _, err) = run(sigil().args(["--max-depth", "1000", "-e", &deep(5000)]));
    assert_eq!(code, 1);
    assert!(
        err.contains("recursion too deep (more than 1000 nested calls)"),
        "{err}"
    );
    let (code, _, err) = run(sigil()
        .env("SIGIL_MAX_DEPTH", "1000")
        .args(["-e", &deep(5000)]));
    assert_eq!(code, 1, "{err}");
}

#[test]
fn the_depth_limit_counts_the_programs_calls_only() {
    // 1000 nested calls of f are allowed under a limit of 1000: the frame of the top-level
    // form does not count.
    let (code, out, err) = run(sigil().args(["--max-depth", "1000", "-e", &deep(999)]));
    assert_eq!((code, out.trim()), (0, "999"), "{err}");
    let (code, _, err) = run(sigil().args(["--max-depth", "1000", "-e", &deep(1000)]));
    assert_eq!(code, 1);
    assert!(err.contains("in f [1000 times]"), "{err}");
}

#[test]
fn recursion_error_says_how_to_raise_the_limit() {
    let (_, _, err) = run(sigil().args(["--max-depth", "100", "-e", &deep(200)]));
    let hint = err.lines().last().unwrap_or_default();
    assert!(
        hint.starts_with("  hint: ")
            && hint.contains("--max-depth N")
            && hint.contains("SIGIL_MAX_DEPTH"),
        "{err}"
    );
    // Other errors have no hint.
    let (_, _, err) = run(sigil().args(["-e", "(car 1)"]));
    assert!(!err.contains("hint:"), "{err}");
}

#[test]
fn unbound_names_of_standard_libraries_name_the_import() {
    for (name, library) in [
        ("ws-connect", "(sigil websocket)"),
        ("encode-text-frame", "(sigil websocket frame)"),
        ("json->string", "(sigil json)"),
        ("async-run", "(sigil async)"),
    ] {
        let (code, _, err) = run(sigil().args(["-e", &format!("({name} 1)")]));
        assert_eq!(code, 1);
        let first = err.lines().next().unwrap_or_default();
        assert!(
            first.ends_with(&format!(
                "unbound variable: {name} (did you forget (import {library})?)"
            )),
            "{err}"
        );
    }
    let (_, _, err) = run(sigil().args(["-e", "(no-such-procedure 1)"]));
    assert!(
        err.starts_with("error: <-e>:1:2: unbound variable: no-such-procedure\n"),
        "{err}"
    );
}

#[test]
fn missing_library_lists_the_directories_searched() {
    let dir = std::env::temp_dir();
    let (code, _, err) = run(sigil()
        .env("SIGIL_PATH", "/nonexistent/one:/nonexistent/two")
        .args(["-I", "/nonexistent/three", "-e", "(import (no such lib))"]));
    assert_eq!(code, 1);
    assert!(
        err.contains(
            "library (no such lib) not found (looked for no/such/lib.sgl in \
             /nonexistent/one, /nonexistent/two, /nonexistent/three)"
        ),
        "{err}"
    );
    let s = Script::new("(import (no such lib))\n");
    let (_, _, err) = run(sigil().arg(s.path()));
    assert!(
        err.contains(&format!(
            "(looked for no/such/lib.sgl in {})",
            dir.display()
        )),
        "{err}"
    );
    let (_, _, err) = run(sigil().args(["-e", "(import (no such lib))"]));
    assert!(
        err.contains("(looked for no/such/lib.sgl, but the library search path is empty)"),
        "{err}"
    );
}

#[test]
fn ctrl_c_in_the_repl_interrupts_a_running_scheduler() {
    use std::io::{BufRead, BufReader, Read};
    let mut child = spawn_with_input(
        &mut sigil(),
        b"(import (sigil async))\n(display \"ready\")\n(newline)\n\
          (async-run (lambda () (sleep 30) 'slept))\n(display \"after\")\n",
    );
    // Interrupt only once the REPL is running (its SIGINT handler is installed).
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("ready") {
        line.clear();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the REPL ended early"
        );
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("interrupted"), "{stderr}");
    assert!(!rest.contains("slept"), "{rest}");
    // Piped input stops at the error (repl_pty.rs checks that a terminal session goes on).
    assert!(!rest.contains("after"), "{rest}");
    assert_eq!(out.status.code(), Some(1));
}

/// `wait-for-input` parks only its task: a ticker keeps running while the input is late;
/// outside a scheduler it blocks until the input comes.
#[test]
fn wait_for_input_parks_only_its_task() {
    use std::io::Read;
    let program = r#"
(import (sigil async))
(define ticks 0)
(async-run
  (lambda ()
    (spawn (lambda () (let loop () (sleep 0.02) (set! ticks (+ ticks 1)) (loop))))
    (wait-for-input)
    (display (list (read-line) (> ticks 5)))
    (newline)))
(wait-for-input)
(display (read-line))
"#;
    let mut child = spawn_piped(program);
    let mut stdin = child.stdin.take().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    stdin.write_all(b"late\n").unwrap();
    stdin.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    stdin.write_all(b"later\n").unwrap();
    drop(stdin);
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert_eq!(out, "(late #t)\nlater");
}

/// `(exit N)` ends a script, `-e` and the REPL with status N after the output so far,
/// running the pending `dynamic-wind` after-thunks; nothing after it runs.
#[test]
fn exit_ends_with_its_status() {
    let src = "(display 1)\n(dynamic-wind (lambda () #f) (lambda () (exit 4)) (lambda () (display 2)))\n(display 3)\n";
    let s = Script::new(src);
    assert_eq!(run(sigil().arg(s.path())), (4, "12".into(), String::new()));
    assert_eq!(
        run(sigil().args(["-e", src])),
        (4, "12".into(), String::new())
    );
    assert_eq!(
        with_stdin(&mut sigil(), src),
        (4, "12".into(), String::new())
    );
    let (code, out, _) = with_stdin(&mut sigil(), "(display 1)\n(emergency-exit 300)\n");
    assert_eq!((code, out.as_str()), (300 % 256, "1"));
}

/// Waits for `child` to end, killing it after `limit` (a guard against a hang, not a
/// measurement): its output, or an error saying it was still running.
fn finish_within(
    mut child: std::process::Child,
    limit: std::time::Duration,
) -> Result<Output, String> {
    let deadline = std::time::Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            return Err(format!("still running after {limit:?}"));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    Ok(child.wait_with_output().unwrap())
}

/// `read` from piped standard input takes many data over several lines each, and one
/// datum of 10 000 lines, reading each line once (it used to parse the whole unread text
/// again after each line: minutes for this input; `docs/performance.md` has figures).
#[test]
fn read_from_stdin_takes_data_over_many_lines() {
    let mut input = String::new();
    for i in 0..2000 {
        input.push_str(&format!(
            "(item {i}\n  \"text\nover lines\"\n  #| comment\n |# {i})\n"
        ));
    }
    input.push_str("(\n");
    for i in 0..10_000 {
        input.push_str(&format!("  {i}\n"));
    }
    input.push_str(")\n");
    let program = "(let loop ((x (read)) (n 0) (sum 0))
                     (cond ((eof-object? x) (write (list n sum)))
                           ((eq? (car x) 'item) (loop (read) (+ n 1) (+ sum (cadddr x))))
                           (else (loop (read) (+ n 1) (+ sum (apply + x))))))";
    let mut child = spawn_piped(program);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = finish_within(child, std::time::Duration::from_secs(60)).unwrap();
    writer.join().unwrap().unwrap();
    let sum = (0..2000).sum::<u64>() + (0..10_000).sum::<u64>();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("(2001 {sum})")
    );
}

/// A datum that a later line completes is read as soon as that line comes, while the
/// input stays open (a program answering a person, or another program, datum by datum).
#[test]
fn read_answers_a_datum_as_soon_as_it_is_complete() {
    use std::io::BufRead;
    let program = "(let loop ((x (read)))
                     (unless (eof-object? x) (write (reverse x)) (newline) (loop (read))))";
    let mut child = spawn_piped(program);
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    let answer = |stdin: &mut std::process::ChildStdin, lines: &[&str]| {
        for line in lines {
            stdin.write_all(line.as_bytes()).unwrap();
            stdin.flush().unwrap();
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
        rx.recv_timeout(std::time::Duration::from_secs(10))
    };
    assert_eq!(
        answer(&mut stdin, &["(1\n", " 2\n", " 3)\n"]).unwrap(),
        "(3 2 1)"
    );
    let many: Vec<String> = (0..40).map(|i| format!("{i}\n")).collect();
    let mut lines = vec!["(\n"];
    lines.extend(many.iter().map(String::as_str));
    lines.push(")\n");
    let reversed: Vec<String> = (0..40).rev().map(|i| i.to_string()).collect();
    assert_eq!(
        answer(&mut stdin, &lines).unwrap(),
        format!("({})", reversed.join(" "))
    );
    drop(stdin);
    assert!(finish_within(child, std::time::Duration::from_secs(10))
        .unwrap()
        .status
        .success());
}

#[test]
fn ctrl_c_ends_a_script_with_status_130() {
    use std::io::{BufRead, BufReader};
    // Blocked where nothing looks at the interrupt flag: the signal ends it at once.
    let mut child = spawn_piped("(display \"ready\") (newline) (flush-output-port) (read-line)");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "ready\n");
    // SAFETY: kill(2) on our own child's process id.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            panic!("Ctrl-C did not end the script");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(130));
}
