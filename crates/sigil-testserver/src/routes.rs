//! Routing by request path and the behaviour of the well-behaved routes,
//! which run on tungstenite.

use serde_json::Value;
use tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tungstenite::protocol::frame::{CloseFrame, Frame};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::{Message, WebSocket};

use crate::conn::Conn;
use crate::deflate::{self, Deflate};
use crate::deflate_echo;
use crate::hostile::{self, Case};
use crate::http::{self, Replay, Request};
use crate::server::State;
use crate::stall::{self, Stall};

/// Largest `/big/<bytes>` served; larger sizes count as an unknown path.
const MAX_BIG: usize = 1 << 30;

/// A WebSocket over a connection whose request head was pre-read.
type Ws = WebSocket<Replay>;

/// What a request path asks for.
enum Route {
    /// Echo every data message (also any unknown path).
    Echo,
    /// Answer JSON subscription requests.
    Api,
    /// Refuse the first `n` attempts for `id`, then echo.
    Flaky { id: String, n: u32 },
    /// Close at once with this code and reason "bye".
    Close(u16),
    /// Send "hello", binary [1,2,3], then close 1000 "done".
    SendThenClose,
    /// Ping the client and report its pong payload as text.
    Ping,
    /// Send one binary message of this many bytes.
    Big(usize),
    /// Send "Hello, World!" in three fragments with a ping in between.
    Fragmented,
    /// A hand-crafted misbehaviour.
    Hostile(Case),
    /// A misbehaviour in time (slow, chatty or stalled).
    Stall(Stall),
    /// A hand-written permessage-deflate answer or payload.
    Deflate(Deflate),
    /// Echo with permessage-deflate (raw frames and flate2).
    DeflateEcho,
    /// Send the request head as received, as a text message, then echo.
    RequestHead,
    /// Send one binary message of `len` bytes in fragments of `fragment` bytes.
    FragmentedBig { len: usize, fragment: usize },
    /// Wait this many milliseconds before accepting the upgrade, then echo.
    Slow(u64),
    /// Answer the upgrade with this redirect status and `Location`.
    Redirect { status: u16, location: String },
}

impl Route {
    /// Maps a request path to its route; anything unrecognised echoes.
    fn parse(path: &str) -> Route {
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let parsed = match parts.as_slice() {
            ["api"] => Some(Route::Api),
            ["flaky", id, n] => n.parse().ok().map(|n| Route::Flaky {
                id: id.to_string(),
                n,
            }),
            ["close", code] => code.parse().ok().map(Route::Close),
            ["send-then-close"] => Some(Route::SendThenClose),
            ["ping"] => Some(Route::Ping),
            ["big", bytes] => bytes.parse().ok().filter(|&n| n <= MAX_BIG).map(Route::Big),
            ["fragmented"] => Some(Route::Fragmented),
            ["hostile", case] => Case::parse(case)
                .map(Route::Hostile)
                .or_else(|| Stall::parse(&[case]).map(Route::Stall)),
            ["hostile", rest @ ..] => Stall::parse(rest).map(Route::Stall),
            ["request-head"] => Some(Route::RequestHead),
            ["deflate", "echo"] => Some(Route::DeflateEcho),
            ["deflate", rest @ ..] => Deflate::parse(rest).map(Route::Deflate),
            ["fragmented-big", len, fragment] => {
                let len = len.parse().ok().filter(|&n| n <= MAX_BIG);
                let fragment = fragment.parse().ok().filter(|&n| n > 0);
                len.zip(fragment)
                    .map(|(len, fragment)| Route::FragmentedBig { len, fragment })
            }
            ["slow", ms] => ms.parse().ok().filter(|&ms| ms <= 60_000).map(Route::Slow),
            ["redirect", status, rest @ ..] => redirect(status, format!("/{}", rest.join("/"))),
            ["redirect-to", status, scheme, authority, rest @ ..] => {
                redirect(status, format!("{scheme}://{authority}/{}", rest.join("/")))
            }
            ["redirect-loop"] => redirect("302", "/redirect-loop".into()),
            _ => None,
        };
        parsed.unwrap_or(Route::Echo)
    }
}

/// A redirect with `status` (a 3xx code) to `location`.
fn redirect(status: &str, location: String) -> Option<Route> {
    let status = status.parse().ok().filter(|s| (300..400).contains(s))?;
    Some(Route::Redirect { status, location })
}

/// Serves one connection: reads the request head, then runs its route.
pub(crate) fn serve(conn: Box<dyn Conn>, state: &State) {
    let _ = conn.set_read_timeout(Some(http::HEAD_TIMEOUT));
    let (request, mut replay) = match http::read_request(conn) {
        Ok(parts) => parts,
        Err(e) => {
            state.log(format_args!("bad request: {e}"));
            return;
        }
    };
    state.log(format_args!("request {}", request.path));
    let Request { path, key } = request;
    let Some(key) = key else {
        let body = "sigil-testserver: this is a WebSocket endpoint\n";
        let _ = http::write_plain(&mut replay, "400 Bad Request", body);
        replay.conn().finish();
        return;
    };
    let route = Route::parse(&path);
    match route {
        Route::Hostile(case) => return hostile::serve(case, &key, replay, state),
        Route::Stall(behaviour) => return stall::serve(behaviour, &key, replay, state),
        Route::Deflate(route) => return deflate::serve(route, &key, replay, state),
        Route::DeflateEcho => return deflate_echo::serve(&key, replay, state),
        Route::Flaky { ref id, n } if state.flaky_refuse(id, n) => {
            state.log(format_args!("refusing {path}"));
            let _ = http::write_plain(&mut replay, "503 Service Unavailable", "flaky: try again\n");
            replay.conn().finish();
            return;
        }
        Route::Slow(ms) => std::thread::sleep(std::time::Duration::from_millis(ms)),
        Route::Redirect {
            status,
            ref location,
        } => {
            let _ = http::write_redirect(&mut replay, status, location);
            replay.conn().finish();
            return;
        }
        _ => {}
    }
    let head = replay.head();
    let _ = replay.conn().set_read_timeout(None);
    let config = WebSocketConfig::default()
        .max_message_size(None)
        .max_frame_size(None);
    let mut ws = match tungstenite::accept_with_config(replay, Some(config)) {
        Ok(ws) => ws,
        Err(e) => {
            state.log(format_args!("handshake on {path} failed: {e}"));
            return;
        }
    };
    match run(&mut ws, route, head) {
        Ok(()) | Err(tungstenite::Error::ConnectionClosed) => {}
        Err(e) => state.log(format_args!("{path}: {e}")),
    }
    ws.get_mut().conn().finish();
}

/// Performs the route's own opening moves, then echoes until the close
/// handshake is complete.
fn run(ws: &mut Ws, route: Route, head: String) -> tungstenite::Result<()> {
    match route {
        Route::Echo
        | Route::Flaky { .. }
        | Route::Hostile(_)
        | Route::Stall(_)
        | Route::Deflate(_)
        | Route::DeflateEcho
        | Route::Slow(_)
        | Route::Redirect { .. } => {}
        Route::RequestHead => ws.send(Message::text(head))?,
        Route::FragmentedBig { len, fragment } => {
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let mut chunks = payload.chunks(fragment).peekable();
            let mut opcode = OpCode::Data(Data::Binary);
            while let Some(chunk) = chunks.next() {
                let fin = chunks.peek().is_none();
                ws.write(Message::Frame(Frame::message(chunk.to_vec(), opcode, fin)))?;
                opcode = OpCode::Data(Data::Continue);
            }
            ws.flush()?;
        }
        Route::Api => return api(ws),
        Route::Close(code) => close(ws, code, "bye")?,
        Route::SendThenClose => {
            ws.send(Message::text("hello"))?;
            ws.send(Message::binary(vec![1u8, 2, 3]))?;
            close(ws, 1000, "done")?;
        }
        Route::Ping => {
            ws.send(Message::Ping("are-you-there".into()))?;
            loop {
                match ws.read()? {
                    Message::Pong(payload) => {
                        let text = String::from_utf8_lossy(&payload).into_owned();
                        ws.send(Message::text(text))?;
                        break;
                    }
                    message => echo_one(ws, message)?,
                }
            }
        }
        Route::Big(len) => {
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            ws.send(Message::binary(payload))?;
        }
        Route::Fragmented => {
            let text = OpCode::Data(Data::Text);
            let cont = OpCode::Data(Data::Continue);
            ws.send(Message::Frame(Frame::message("Hello", text, false)))?;
            ws.send(Message::Ping("mid-message".into()))?;
            ws.send(Message::Frame(Frame::message(", Wor", cont, false)))?;
            ws.send(Message::Frame(Frame::message("ld!", cont, true)))?;
        }
    }
    loop {
        let message = ws.read()?;
        echo_one(ws, message)?;
    }
}

/// Starts the close handshake with `code` and `reason`.
fn close(ws: &mut Ws, code: u16, reason: &str) -> tungstenite::Result<()> {
    ws.close(Some(CloseFrame {
        code: CloseCode::from(code),
        reason: reason.into(),
    }))
}

/// Sends a data message back unchanged while sending is still allowed;
/// control messages are answered by tungstenite itself.
fn echo_one(ws: &mut Ws, message: Message) -> tungstenite::Result<()> {
    if (message.is_text() || message.is_binary()) && ws.can_write() {
        ws.send(message)?;
    }
    Ok(())
}

/// The `/api` loop: one JSON reply per data message.
fn api(ws: &mut Ws) -> tungstenite::Result<()> {
    loop {
        let reply = match ws.read()? {
            Message::Text(text) => api_reply(text.as_bytes()),
            Message::Binary(bytes) => api_reply(&bytes),
            _ => continue,
        };
        if ws.can_write() {
            ws.send(Message::text(reply))?;
        }
    }
}

/// The `/api` answer to one message: `status` first, then `channel` and
/// `action` copied from the request (null when absent).
fn api_reply(request: &[u8]) -> String {
    match serde_json::from_slice::<Value>(request) {
        Ok(value) => {
            let field = |name: &str| value.get(name).cloned().unwrap_or(Value::Null);
            format!(
                r#"{{"status":"subscribed","channel":{},"action":{}}}"#,
                field("channel"),
                field("action")
            )
        }
        Err(_) => r#"{"status":"error"}"#.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{api_reply, Route};

    #[test]
    fn api_reply_keeps_status_first() {
        assert_eq!(
            api_reply(br#"{"action":"subscribe","channel":"ticker"}"#),
            r#"{"status":"subscribed","channel":"ticker","action":"subscribe"}"#
        );
        assert_eq!(
            api_reply(br#"{"action":"ping"}"#),
            r#"{"status":"subscribed","channel":null,"action":"ping"}"#
        );
        assert_eq!(api_reply(b"not json"), r#"{"status":"error"}"#);
    }

    #[test]
    fn unknown_paths_echo() {
        assert!(matches!(Route::parse("/nowhere"), Route::Echo));
        assert!(matches!(Route::parse("/big/x"), Route::Echo));
        assert!(matches!(Route::parse("/big/10"), Route::Big(10)));
        assert!(matches!(Route::parse("/big/99999999999"), Route::Echo));
        assert!(matches!(Route::parse("/close/4000"), Route::Close(4000)));
        assert!(matches!(Route::parse("/slow/250"), Route::Slow(250)));
        assert!(matches!(Route::parse("/slow/soon"), Route::Echo));
        assert!(matches!(
            Route::parse("/hostile/ping-every/100"),
            Route::Stall(_)
        ));
        assert!(matches!(Route::parse("/hostile/http10"), Route::Hostile(_)));
        assert!(matches!(
            Route::parse("/fragmented-big/100/7"),
            Route::FragmentedBig {
                len: 100,
                fragment: 7
            }
        ));
        assert!(matches!(Route::parse("/fragmented-big/100/0"), Route::Echo));
        let location = |path: &str| match Route::parse(path) {
            Route::Redirect { status, location } => format!("{status} {location}"),
            _ => "none".into(),
        };
        assert_eq!(location("/redirect/301/a/b"), "301 /a/b");
        assert_eq!(location("/redirect/307"), "307 /");
        assert_eq!(location("/redirect/200/a"), "none");
        assert_eq!(
            location("/redirect-to/308/ws/127.0.0.1:9/echo"),
            "308 ws://127.0.0.1:9/echo"
        );
        assert_eq!(location("/redirect-loop"), "302 /redirect-loop");
    }
}
