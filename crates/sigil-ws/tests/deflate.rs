//! permessage-deflate (RFC 7692) against an independent implementation: Python
//! `websockets` 17.4 as the server (`sigil-testserver`'s `py/deflate_server.py`),
//! configured per connection by the URL's query string.
//!
//! Modelled on the Autobahn|Testsuite compression categories (12.x, 13.x): messages
//! of 16 B to 128 KiB, text and binary, compressible and not, whole and fragmented,
//! every combination of the four parameters (windows 8 to 15), many messages with
//! and without context takeover.

use std::sync::OnceLock;

use sigil_testserver::{Config, PythonDeflateServer, Running};
use sigil_ws::{
    connect, CloseFrame, ConnectOptions, DeflateConfig, DeflateParams, Event, Limits, Message,
    RequestOptions, WsError,
};

fn server() -> &'static PythonDeflateServer {
    static SERVER: OnceLock<PythonDeflateServer> = OnceLock::new();
    SERVER.get_or_init(|| PythonDeflateServer::start().expect("Python websockets server starts"))
}

fn options(deflate: Option<DeflateConfig>) -> ConnectOptions {
    ConnectOptions {
        request: RequestOptions {
            deflate,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// JSON-like text of `len` bytes (compressible, varied), seeded.
fn json(len: usize, seed: u64) -> String {
    let mut s = String::with_capacity(len + 64);
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    while s.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        s.push_str(&format!(
            "{{\"id\":{},\"user\":\"user{}\",\"active\":{},\"score\":{}.{}}},",
            x % 100_000,
            x % 97,
            x.is_multiple_of(2),
            x % 1000,
            x % 10
        ));
    }
    s.truncate(len);
    s
}

/// `len` bytes: half random (incompressible), half runs, seeded.
fn binary(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x2545_f491_4f6c_dd1d) | 1;
    (0..len)
        .map(|i| {
            if (i / 512) % 2 == 0 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            } else {
                (i / 1024) as u8
            }
        })
        .collect()
}

fn echo_text(ws: &mut sigil_ws::WebSocket, text: &str) {
    ws.send_text(text).unwrap();
    match ws.receive().unwrap() {
        Event::Message(Message::Text(t)) => {
            assert!(t == text, "text echo of {} bytes differs", text.len())
        }
        other => panic!("expected text, got {other:?}"),
    }
}

fn echo_binary(ws: &mut sigil_ws::WebSocket, data: &[u8]) {
    ws.send_binary(data).unwrap();
    match ws.receive().unwrap() {
        Event::Message(Message::Binary(b)) => {
            assert!(
                b == data,
                "binary echo of {} bytes differs: got {} bytes, first diff at {:?}",
                data.len(),
                b.len(),
                b.iter().zip(data).position(|(x, y)| x != y)
            )
        }
        other => panic!("expected binary, got {other:?}"),
    }
}

/// The query string for server settings, and the parameters they must produce with
/// our default offer (`permessage-deflate; client_max_window_bits`).
fn settings(snct: bool, cnct: bool, s: Option<u8>, c: Option<u8>) -> (String, DeflateParams) {
    let mut q = vec![];
    if snct {
        q.push("server_no_context_takeover=1".to_string());
    }
    if cnct {
        q.push("client_no_context_takeover=1".to_string());
    }
    if let Some(b) = s {
        q.push(format!("server_max_window_bits={b}"));
    }
    if let Some(b) = c {
        q.push(format!("client_max_window_bits={b}"));
    }
    let params = DeflateParams {
        server_no_context_takeover: snct,
        client_no_context_takeover: cnct,
        server_max_window_bits: s,
        client_max_window_bits: c,
    };
    (q.join("&"), params)
}

#[test]
fn every_parameter_combination() {
    let bits = [None, Some(8), Some(9), Some(12), Some(15)];
    for snct in [false, true] {
        for cnct in [false, true] {
            for s in bits {
                for c in bits {
                    let (query, expected) = settings(snct, cnct, s, c);
                    let url = server().url(&format!("/echo?{query}"));
                    let mut ws = connect(&url, &options(Some(DeflateConfig::default()))).unwrap();
                    assert_eq!(ws.deflate(), Some(&expected), "{query}");
                    // Past the 4 KiB window of 12 bits; 15 bits: see the next test.
                    echo_text(&mut ws, &json(16, 0));
                    echo_text(&mut ws, &json(6000, 1));
                    echo_binary(&mut ws, &binary(6000, 2));
                    ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
                }
            }
        }
    }
}

#[test]
fn autobahn_sizes_whole_and_fragmented() {
    // 12.x/13.x echo 16 B .. 128 KiB messages; here with the server also fragmenting
    // its compressed echo, and with the smallest windows.
    for query in [
        "",
        "fragment=256",
        "fragment=4096&server_no_context_takeover=1&client_no_context_takeover=1",
        "server_max_window_bits=8&client_max_window_bits=9&fragment=1000",
    ] {
        let url = server().url(&format!("/echo?{query}"));
        let mut ws = connect(&url, &options(Some(DeflateConfig::default()))).unwrap();
        assert!(ws.deflate().is_some());
        let mut len = 16;
        while len <= 128 * 1024 {
            for seed in 0..2 {
                echo_text(&mut ws, &json(len, seed));
                echo_binary(&mut ws, &binary(len, seed));
            }
            len *= 2;
        }
        ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
    }
}

/// `"key": value` of the server's JSON report.
fn field<'a>(report: &'a str, key: &str) -> &'a str {
    let at = report.find(&format!("\"{key}\": ")).expect(key) + key.len() + 4;
    report[at..].split([',', '}']).next().unwrap().trim()
}

/// Sends `msg` to `/report` and returns (compressed, wire bytes).
fn report(ws: &mut sigil_ws::WebSocket, msg: &str) -> (bool, usize) {
    ws.send_text(msg).unwrap();
    let Event::Message(Message::Text(r)) = ws.receive().unwrap() else {
        panic!("no report")
    };
    assert_eq!(field(&r, "size"), msg.len().to_string(), "{r}");
    (
        field(&r, "compressed") == "true",
        field(&r, "wire").parse().unwrap(),
    )
}

#[test]
fn context_takeover_across_many_messages() {
    let messages: Vec<String> = (0..500)
        .map(|i| json(300 + i % 200, i as u64 % 7))
        .collect();
    let mut totals = Vec::new();
    for (query, cfg) in [
        ("", DeflateConfig::default()),
        ("client_no_context_takeover=1", DeflateConfig::default()),
        (
            "",
            DeflateConfig {
                client_no_context_takeover: true,
                ..DeflateConfig::default()
            },
        ),
    ] {
        let mut ws = connect(
            &server().url(&format!("/report?{query}")),
            &options(Some(cfg)),
        )
        .unwrap();
        let takeover = !ws.deflate().unwrap().client_no_context_takeover;
        assert_eq!(
            takeover,
            query.is_empty() && !cfg.client_no_context_takeover
        );
        let mut total = 0;
        for m in &messages {
            let (compressed, wire) = report(&mut ws, m);
            assert!(compressed, "every message goes compressed");
            total += wire;
        }
        totals.push(total);
        ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
    }
    let sent: usize = messages.iter().map(String::len).sum();
    assert!(
        totals[0] * 3 < totals[1],
        "takeover {} vs none {}",
        totals[0],
        totals[1]
    );
    assert_eq!(totals[1], totals[2], "refused takeover, asked or imposed");
    assert!(totals[1] < sent, "compressed {} of {sent}", totals[1]);

    // And the server's context across many messages (echo).
    for query in [
        "",
        "server_no_context_takeover=1",
        "server_max_window_bits=9",
    ] {
        let mut ws = connect(
            &server().url(&format!("/echo?{query}")),
            &options(Some(DeflateConfig::default())),
        )
        .unwrap();
        for m in &messages {
            echo_text(&mut ws, m);
        }
        ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
    }
}

#[test]
fn an_8_bit_window_for_us_means_uncompressed_messages() {
    let mut ws = connect(
        &server().url("/report?client_max_window_bits=8"),
        &options(Some(DeflateConfig::default())),
    )
    .unwrap();
    assert_eq!(ws.deflate().unwrap().client_max_window_bits, Some(8));
    let msg = json(5000, 1);
    assert_eq!(report(&mut ws, &msg), (false, msg.len()));
    ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}

#[test]
fn offer_parameters_are_honoured_by_the_server() {
    let cfg = DeflateConfig {
        server_no_context_takeover: true,
        server_max_window_bits: Some(10),
        client_max_window_bits: Some(11),
        ..DeflateConfig::default()
    };
    let mut ws = connect(&server().url("/echo"), &options(Some(cfg))).unwrap();
    assert_eq!(
        ws.deflate(),
        Some(&DeflateParams {
            server_no_context_takeover: true,
            client_no_context_takeover: false,
            server_max_window_bits: Some(10),
            client_max_window_bits: Some(11),
        })
    );
    echo_text(&mut ws, &json(100_000, 3));
    ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}

#[test]
fn compression_declined_or_not_offered() {
    // The server declines: no extension, messages go as they are.
    let mut ws = connect(
        &server().url("/report?compression=0"),
        &options(Some(DeflateConfig::default())),
    )
    .unwrap();
    assert_eq!(ws.deflate(), None);
    let msg = json(2000, 2);
    assert_eq!(report(&mut ws, &msg), (false, msg.len()));
    ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
    // We do not offer it.
    let mut ws = connect(&server().url("/report"), &options(None)).unwrap();
    assert_eq!(ws.deflate(), None);
    assert_eq!(report(&mut ws, &msg), (false, msg.len()));
    ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}

#[test]
fn a_16_mib_message() {
    let mut ws = connect(
        &server().url("/echo?fragment=1048576"),
        &options(Some(DeflateConfig::default())),
    )
    .unwrap();
    let text = json(16 << 20, 5);
    echo_text(&mut ws, &text);
    ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
}

/// The raw test server (hand-written answers and payloads).
fn raw_server() -> &'static Running {
    static SERVER: OnceLock<Running> = OnceLock::new();
    SERVER.get_or_init(|| sigil_testserver::start(Config::default()).expect("test server starts"))
}

#[test]
fn malformed_repeated_or_unoffered_answers_fail_the_handshake() {
    for (case, fragment) in [
        (
            "unoffered",
            "server selected extension \"x-webkit-deflate-frame\" that we did not offer",
        ),
        ("repeated", "server selected permessage-deflate twice"),
        ("repeated-param", "server_no_context_takeover given twice"),
        (
            "bad-window-bits",
            "server_max_window_bits must be 8 to 15, got \"16\"",
        ),
        (
            "window-bits-without-value",
            "client_max_window_bits needs a value",
        ),
        ("unknown-param", "unknown parameter no_such_param"),
        (
            "flag-with-value",
            "server_no_context_takeover takes no value",
        ),
        ("malformed", "malformed"),
    ] {
        let url = raw_server().ws_url(&format!("/deflate/answer/{case}"));
        let e = connect(&url, &options(Some(DeflateConfig::default()))).unwrap_err();
        assert!(matches!(e, WsError::BadHandshake(_)), "{case}: {e:?}");
        let message = e.to_string();
        assert!(message.contains(fragment), "{case}: {message}");
    }
}

#[test]
fn a_decompression_bomb_stops_at_the_message_limit() {
    let opts = ConnectOptions {
        limits: Limits {
            max_message_size: 4 << 20,
            ..Limits::default()
        },
        ..Default::default()
    };
    let mut ws = connect(&raw_server().ws_url("/deflate/bomb/1024"), &opts).unwrap();
    assert!(ws.deflate().is_some());
    let e = ws.receive().unwrap_err();
    assert_eq!(e.close_code(), Some(1009), "{e}");
    assert!(
        e.to_string().contains("exceeds the limit of 4194304 bytes"),
        "{e}"
    );
}

#[test]
fn the_test_servers_own_deflate_echo() {
    // The benchmark's compressed server (sigil-testserver /deflate/echo).
    let url = raw_server().ws_url("/deflate/echo");
    let mut ws = connect(&url, &options(Some(DeflateConfig::default()))).unwrap();
    assert_eq!(ws.deflate(), Some(&DeflateParams::default()));
    for (i, len) in [0usize, 16, 1000, 0, 70_000, 300_000]
        .into_iter()
        .enumerate()
    {
        echo_text(&mut ws, &json(len, i as u64));
        echo_binary(&mut ws, &binary(len, i as u64));
    }
    ws.close(&CloseFrame::new(1000, "").unwrap()).unwrap();
    // Offers it does not take are declined.
    let cfg = DeflateConfig {
        server_no_context_takeover: true,
        ..DeflateConfig::default()
    };
    let mut ws = connect(&url, &options(Some(cfg))).unwrap();
    assert_eq!(ws.deflate(), None);
    echo_text(&mut ws, "plain");
}
