//! `sigil-testserver`: command-line wrapper around [`sigil_testserver::start`].

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::thread;

use sigil_testserver::{start, start_dns_sink, Config};

/// Usage text for `--help` and argument errors.
const USAGE: &str = "usage: sigil-testserver [--port N] [--bind ADDR] [--tls-port P] \
[--tls-names a,b,c] [--ca-out FILE] [--tls-wrong-name-port P] [--tls-untrusted-port P] \
[--dns-sink ADDR] [--verbose] [--exit-on-stdin-eof]";

/// Parsed command line.
struct Args {
    config: Config,
    dns_sink: Option<std::net::SocketAddr>,
    exit_on_stdin_eof: bool,
}

/// Parses the arguments after the program name (`--flag value` or `--flag=value`).
fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut config = Config::default();
    let mut exit_on_stdin_eof = false;
    let mut dns_sink = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (arg, None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let port = |v: String| v.parse::<u16>().map_err(|e| format!("bad port {v:?}: {e}"));
        match flag.as_str() {
            "--port" => config.port = port(value()?)?,
            "--bind" => {
                let v = value()?;
                config.bind = v.parse().map_err(|e| format!("bad address {v:?}: {e}"))?;
            }
            "--tls-port" => config.tls_port = Some(port(value()?)?),
            "--tls-names" => {
                config.tls_names = value()?.split(',').map(|s| s.trim().to_string()).collect();
            }
            "--ca-out" => config.ca_out = Some(PathBuf::from(value()?)),
            "--tls-wrong-name-port" => config.wrong_name_port = Some(port(value()?)?),
            "--tls-untrusted-port" => config.untrusted_port = Some(port(value()?)?),
            "--dns-sink" => {
                let v = value()?;
                dns_sink = Some(v.parse().map_err(|e| format!("bad address {v:?}: {e}"))?);
            }
            "--verbose" => config.verbose = true,
            "--exit-on-stdin-eof" => exit_on_stdin_eof = true,
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(Args {
        config,
        dns_sink,
        exit_on_stdin_eof,
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let args = match parse_args(args) {
        Ok(args) => args,
        Err(e) => {
            eprintln!("sigil-testserver: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(addr) = args.dns_sink {
        if let Err(e) = start_dns_sink(addr) {
            eprintln!("sigil-testserver: cannot start the DNS sink on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    }
    let running = match start(args.config) {
        Ok(running) => running,
        Err(e) => {
            eprintln!("sigil-testserver: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = io::stdout().lock();
    if writeln!(stdout, "{}", running.ready_line())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(stdout);
    if args.exit_on_stdin_eof {
        let _ = io::copy(&mut io::stdin().lock(), &mut io::sink());
        return ExitCode::SUCCESS;
    }
    loop {
        thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::parse_args;

    fn parse(args: &[&str]) -> Result<super::Args, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn parses_flags() {
        let args = parse(&[
            "--port",
            "9001",
            "--tls-port=0",
            "--tls-names",
            "a, b",
            "--verbose",
            "--dns-sink",
            "127.0.0.1:5353",
        ])
        .unwrap();
        assert_eq!(args.dns_sink, Some("127.0.0.1:5353".parse().unwrap()));
        assert_eq!(args.config.port, 9001);
        assert_eq!(args.config.tls_port, Some(0));
        assert_eq!(args.config.tls_names, ["a", "b"]);
        assert!(args.config.verbose && !args.exit_on_stdin_eof);
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--bogus"]).is_err());
    }
}
