//! The `sigil` command: runs a script, an expression, standard input, or the REPL.
//! See `docs/cli.md`.

mod cli;
mod repl;

use cli::Mode;
use sigil_lang::{Interpreter, SchemeError, Value};
use std::io::Read;
use std::process::ExitCode;

/// Makes glibc keep freed memory for reuse instead of returning it to the kernel.
///
/// The collector frees garbage in batches (say 64 received 1 MiB WebSocket messages at
/// once); with glibc's defaults that memory is unmapped or trimmed, and the next messages
/// land in fresh pages that fault in one 4 KiB page at a time, which costs more than
/// receiving the data (`docs/performance.md`). Blocks below 64 MiB now come from the
/// heap, and up to 256 MiB of free heap stays mapped. Only the `sigil` binary does this:
/// an embedding program keeps its own allocator settings.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn keep_freed_memory() {
    // SAFETY: mallopt only sets allocator parameters; no other thread exists yet.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
    }
}

/// Other allocators need no tuning here.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_freed_memory() {}

fn main() -> ExitCode {
    keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match cli::parse(&args) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("sigil: {msg}\n");
            eprint!("{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let mut interp = sigil::interpreter();
    for dir in &opts.include {
        interp.add_search_path(dir);
    }
    if let Some(n) = opts.max_depth {
        interp.set_max_depth(n);
    }
    interp.set_command_line(opts.command_line);
    match opts.mode {
        Mode::Help => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Mode::Version => {
            println!("sigil {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Mode::Repl => repl::run(&mut interp),
        Mode::Script(path) => {
            let r = interp.eval_file(&path);
            finish(&mut interp, r, false)
        }
        Mode::Expr(src) => {
            let r = interp.eval_source(&src, "<-e>");
            finish(&mut interp, r, true)
        }
        Mode::Stdin => {
            let mut src = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut src) {
                eprintln!("error: cannot read standard input: {e}");
                return ExitCode::from(1);
            }
            let r = interp.eval_source(&src, "<stdin>");
            finish(&mut interp, r, false)
        }
    }
}

/// Reports the outcome of a run and turns it into the exit status; with `print_value` the
/// final value is written to standard output.
fn finish(interp: &mut Interpreter, r: Result<Value, SchemeError>, print_value: bool) -> ExitCode {
    match r {
        Ok(v) => {
            interp.vm.flush();
            if print_value && !matches!(v, Value::Unspecified) {
                println!("{}", interp.write(v));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            sigil::report::print(interp, &e);
            ExitCode::from(1)
        }
    }
}
