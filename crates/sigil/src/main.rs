//! The `sigil` command: runs a script, an expression, standard input, or the REPL.
//! See `docs/cli.md`.

mod repl;

use sigil::cli::{self, Mode};
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

/// Stack of the thread the interpreter runs on. Compiling recurses on the nesting of the
/// code, so deeply nested code needs more than the main thread's 8 MiB; only the pages
/// actually used are committed.
const STACK_SIZE: usize = 256 << 20;

/// How much of it compiling one form may use before "expression nested too deeply":
/// generating code needs up to 2.3 times what expanding took (in a debug build; 1.1 times
/// in an optimised one), so a quarter leaves ample room. About 90 000 levels of
/// `(+ 1 (+ 1 ...))` or 35 000 nested `let`s in an optimised build.
const COMPILE_STACK: usize = STACK_SIZE / 4;

fn main() -> ExitCode {
    keep_freed_memory();
    let thread = std::thread::Builder::new()
        .name("sigil".into())
        .stack_size(STACK_SIZE)
        .spawn(run);
    match thread.map(|t| t.join()) {
        Ok(Ok(code)) => code,
        // The panic message is already printed.
        Ok(Err(_)) => ExitCode::from(101),
        Err(e) => {
            eprintln!("sigil: cannot start the interpreter thread: {e}");
            ExitCode::from(1)
        }
    }
}

/// Everything `main` does, on the interpreter's thread.
fn run() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match cli::parse(&args) {
        Ok(o) => o,
        Err(msg) => {
            eprintln!("sigil: {msg}\n");
            eprint!("{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    let interpreter = || {
        let mut interp = opts.interpreter();
        interp.set_compile_stack(COMPILE_STACK);
        interp
    };
    match &opts.mode {
        Mode::Help => {
            print!("{}", cli::USAGE);
            ExitCode::SUCCESS
        }
        Mode::Version => {
            println!("sigil {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Mode::Repl => repl::run(&mut interpreter()),
        Mode::Run(program @ cli::Program::WsClient) => {
            // Ctrl-C closes the connection cleanly (a second one quits at once).
            let mut interp = interpreter();
            repl::install_interrupt_handler(&interp);
            cli::run(&mut interp, program)
        }
        Mode::Run(program) => cli::run(&mut interpreter(), program),
    }
}
