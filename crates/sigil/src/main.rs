//! The `sigil` command: runs a script, an expression, standard input, or the REPL.
//! See `docs/cli.md`.

mod repl;

use sigil::cli::{self, Mode};
use std::process::ExitCode;
use std::sync::atomic::Ordering;

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
    run()
}

/// Everything `main` does after setting up the allocator.
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
    let interpreter = || opts.interpreter();
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
        Mode::Run(program) => {
            let mut interp = interpreter();
            install_script_interrupt_handler(&interp);
            cli::run(&mut interp, program)
        }
    }
}

/// Ctrl-C while a script runs: ends it at once (status 130), as the signal would,
/// unless the script handles it (a `ws-serve` stops gracefully): then the interrupt
/// flag is set for the scheduler, and a second Ctrl-C before it noticed ends the
/// program.
fn install_script_interrupt_handler(interp: &sigil_lang::Interpreter) {
    let flag = interp.interrupt_flag();
    let wanted = interp.interrupt_wanted();
    let _ = ctrlc::set_handler(move || {
        if !wanted.load(Ordering::SeqCst) || flag.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
}
