//! The `sigil` command.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: sigil FILE.sgl [ARGS...]");
        return ExitCode::from(2);
    };
    let mut interp = sigil::interpreter();
    interp.set_command_line(args[1..].to_vec());
    match interp.eval_file(std::path::Path::new(path)) {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for frame in &e.trace {
                eprintln!("  in {frame}");
            }
            ExitCode::from(1)
        }
    }
}
