//! WebSocket echo benchmark client on `tungstenite` (the reference for `bench/ws`).
//!
//! ```sh
//! cargo run --release -p sigil-testserver --example ws_bench_client -- \
//!     ws://127.0.0.1:PORT/echo [ROUND_TRIPS [BULK_MESSAGES]]
//! ```
//!
//! Same workloads and output as `bench/ws/echo.sgl`: ROUND_TRIPS (20000) round trips
//! of a 32-byte text message and BULK_MESSAGES (256) binary messages of 1 MiB, every
//! echo compared with what was sent; each workload timed on its own after an untimed
//! warm-up (100 text round trips, 2 bulk messages).
//!
//! As the load generator of `bench/async` (servers under many clients):
//!
//! ```sh
//! ws_bench_client --load ws://127.0.0.1:PORT/ [CLIENTS [ROUND_TRIPS [SERVER_PID]]]
//! ```
//!
//! runs CLIENTS (1000) concurrent clients, connected at once (a thread each), then all
//! driven by one event loop, each doing ROUND_TRIPS (100) round trips of its own
//! 32-byte text message, every echo checked (`sigil_testserver::echo_load`), and prints
//! `round_trips=VERIFIED seconds=ELAPSED rt_per_s=RATE echo_seconds=ECHOES` timed from
//! the first connect to the last close (ECHOES: from the moment every client is
//! connected); with SERVER_PID, also `idle_rss_kib=RSS`, the server's resident
//! memory while every client is connected and none has sent anything yet.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::net::TcpStream;
use std::process::exit;
use std::time::Instant;

use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Bytes, Message, WebSocket};

const BULK_SIZE: usize = 1 << 20;
const TEXT: &str = "sigil-ws-bench:0123456789abcdef!";

type Ws = WebSocket<TcpStream>;

fn fail(what: &str) -> ! {
    println!("{what}");
    exit(1)
}

/// `n` round trips of `msg`; every echo must equal it.
fn run(ws: &mut Ws, n: usize, msg: &Message) -> usize {
    for _ in 0..n {
        ws.send(msg.clone())
            .unwrap_or_else(|e| fail(&format!("send: {e}")));
        let got = loop {
            match ws.read() {
                // A server's keepalive pings (tungstenite answers them) and pongs.
                Ok(Message::Ping(_) | Message::Pong(_)) => {}
                Ok(m) => break m,
                Err(e) => fail(&format!("read: {e}")),
            }
        };
        let same = match (&got, msg) {
            (Message::Text(a), Message::Text(b)) => a.as_str() == b.as_str(),
            (Message::Binary(a), Message::Binary(b)) => a[..] == b[..],
            _ => false,
        };
        if !same {
            fail("echo mismatch");
        }
    }
    n
}

/// Runs `n` round trips; returns how many and the elapsed microseconds.
fn timed(ws: &mut Ws, n: usize, msg: &Message) -> (usize, u128) {
    let t0 = Instant::now();
    let done = run(ws, n, msg);
    (done, t0.elapsed().as_micros())
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// `--load URL [CLIENTS [ROUND_TRIPS [SERVER_PID]]]`.
fn load(args: &[String]) {
    let Some(url) = args.first() else {
        fail("usage: ws_bench_client --load URL [CLIENTS [ROUND_TRIPS [SERVER_PID]]]")
    };
    let count = |i: usize, default: usize| {
        args.get(i).map_or(default, |s| {
            s.parse()
                .unwrap_or_else(|_| fail("counts must be integers"))
        })
    };
    let (clients, round_trips) = (count(1, 1000), count(2, 100));
    let server_pid = args.get(3);
    let mut idle = None;
    let report = sigil_testserver::echo_load(url, clients, round_trips, || {
        // Let the server finish setting up the last connections.
        std::thread::sleep(std::time::Duration::from_millis(500));
        idle = server_pid.and_then(|p| rss_kib(p));
    })
    .unwrap_or_else(|e| fail(&format!("load: {e}")));
    for f in report.failures.iter().take(5) {
        eprintln!("{f}");
    }
    let secs = report.total_time.as_secs_f64();
    print!(
        "round_trips={} seconds={secs:.6} rt_per_s={:.1} echo_seconds={:.6}",
        report.verified,
        report.verified as f64 / secs,
        report.echo_time.as_secs_f64()
    );
    match idle {
        Some(kib) => println!(" idle_rss_kib={kib}"),
        None => println!(),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "--load") {
        return load(&args[2..]);
    }
    let Some(url) = args.get(1) else {
        fail("usage: ws_bench_client URL [ROUND_TRIPS [BULK_MESSAGES]]")
    };
    let arg = |i: usize, default: usize| {
        args.get(i)
            .map(|s| {
                s.parse()
                    .unwrap_or_else(|_| fail("counts must be integers"))
            })
            .unwrap_or(default)
    };
    let round_trips = arg(2, 20000);
    let bulk_messages = arg(3, 256);

    let host_port = url
        .strip_prefix("ws://")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| fail("only ws:// URLs are supported"));
    let tcp = TcpStream::connect(host_port).unwrap_or_else(|e| fail(&format!("connect: {e}")));
    tcp.set_nodelay(true)
        .unwrap_or_else(|e| fail(&format!("nodelay: {e}")));
    let config = WebSocketConfig::default().max_message_size(Some(4 * BULK_SIZE));
    let (mut ws, _) = tungstenite::client::client_with_config(url.as_str(), tcp, Some(config))
        .unwrap_or_else(|e| fail(&format!("handshake: {e}")));

    let text = Message::text(TEXT);
    let payload: Vec<u8> = (0..BULK_SIZE).map(|i| ((i * 31) % 251) as u8).collect();
    let bulk = Message::Binary(Bytes::from(payload));

    run(&mut ws, 100, &text);
    run(&mut ws, 2, &bulk);
    let (ok, us) = timed(&mut ws, round_trips, &text);
    println!("text_ok={ok} text_us={us}");
    let (ok, us) = timed(&mut ws, bulk_messages, &bulk);
    println!("bulk_ok={ok} bulk_bytes={} bulk_us={us}", ok * BULK_SIZE);
    let _ = ws.close(None);
    while ws.read().is_ok() {}
}
