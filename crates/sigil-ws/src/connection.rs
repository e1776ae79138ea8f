//! Connection state machine (RFC 6455 §5–7), without I/O.
//!
//! Feed received bytes with [`Connection::receive_bytes`] (or read straight into
//! [`Connection::read_buffer`] and call [`Connection::commit_read`]), then drain
//! [`Connection::next_event`]. Frames to send (our messages, automatic pongs, close
//! frames) accumulate in an output buffer: write [`Connection::pending_output`] to the
//! socket and report progress with [`Connection::consume_output`].
//!
//! The opening handshake happens before a `Connection` exists (see
//! [`crate::handshake`]); a new connection starts [`State::Open`].

use crate::error::WsError;
use crate::frame::{decode_header, encode_frame, OpCode, MAX_CONTROL_PAYLOAD};
use crate::limits::Limits;
use crate::mask::generate_mask_key;

/// Lifecycle of an established connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Messages flow both ways.
    Open,
    /// We sent a close frame and wait for the server's.
    Closing,
    /// Close frames were exchanged, or the connection failed or was lost.
    Closed,
}

/// A complete, reassembled data message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    /// A text message (validated UTF-8).
    Text(String),
    /// A binary message.
    Binary(Vec<u8>),
}

/// What the connection reports after consuming input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A complete message.
    Message(Message),
    /// The server pinged us; a pong with the same payload is already queued.
    Ping(Vec<u8>),
    /// The server answered a ping (or sent an unsolicited pong).
    Pong(Vec<u8>),
    /// The server sent a close frame; our reply (if one was due) is queued.
    Close {
        /// Close code the server sent (`None` for an empty close frame).
        code: Option<u16>,
        /// Close reason the server sent.
        reason: String,
    },
    /// The connection failed; a close frame with `code` is queued if we could still send one.
    Failed {
        /// RFC 6455 close code (1002 protocol error, 1007 bad UTF-8, 1009 too big, 1006 lost).
        code: u16,
        /// Human-readable cause.
        reason: String,
    },
}

/// Close codes a peer may send and we may send (RFC 6455 §7.4, IANA registry).
pub fn is_valid_close_code(code: u16) -> bool {
    matches!(code, 1000..=1003 | 1007..=1014 | 3000..=4999)
}

/// Largest close reason that fits a control frame next to the 2-byte code.
const MAX_CLOSE_REASON: usize = MAX_CONTROL_PAYLOAD - 2;

/// Largest size of one read into the input buffer.
const READ_CHUNK: usize = 64 * 1024;

/// First size of a read into the input buffer: small, so thousands of mostly idle
/// connections stay cheap; it doubles (up to [`READ_CHUNK`]) whenever a read fills it.
const FIRST_READ_CHUNK: usize = 4 * 1024;

/// Single-frame messages at least this large are read straight into their own buffer
/// (which becomes the message) instead of through the input buffer and a copy.
const DIRECT_MIN: usize = READ_CHUNK;

/// A large unfragmented data message whose payload is being read directly into
/// `data` (see [`DIRECT_MIN`]); `filled` bytes have arrived.
#[derive(Debug)]
struct Direct {
    text: bool,
    data: Vec<u8>,
    filled: usize,
}

impl Direct {
    fn remaining(&self) -> usize {
        self.data.len() - self.filled
    }
}

#[derive(Debug)]
struct Partial {
    text: bool,
    data: Vec<u8>,
    utf8_checked: usize,
}

/// Sans-I/O client side of an open WebSocket connection.
#[derive(Debug)]
pub struct Connection {
    limits: Limits,
    state: State,
    close_sent: bool,
    inbuf: Vec<u8>,
    in_start: usize,
    in_end: usize,
    want: usize,
    /// Current read size (see [`FIRST_READ_CHUNK`]).
    chunk: usize,
    out: Vec<u8>,
    out_pos: usize,
    partial: Option<Partial>,
    direct: Option<Direct>,
    peer_close: Option<(Option<u16>, String)>,
    failure: Option<(u16, String)>,
}

/// Validates UTF-8 appended since `*checked`, allowing an incomplete last character
/// unless `fin`. Advances `*checked` past the validated part.
fn check_utf8(data: &[u8], checked: &mut usize, fin: bool) -> bool {
    match std::str::from_utf8(&data[*checked..]) {
        Ok(_) => {
            *checked = data.len();
            true
        }
        Err(e) if e.error_len().is_none() && !fin => {
            *checked += e.valid_up_to();
            true
        }
        Err(_) => false,
    }
}

/// Cuts `s` to at most `max` bytes on a character boundary.
fn truncate_utf8(s: &str, max: usize) -> &str {
    let mut end = s.len().min(max);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

impl Connection {
    /// A connection in the [`State::Open`] state, right after a successful handshake.
    pub fn new(limits: Limits) -> Connection {
        Connection {
            limits,
            state: State::Open,
            close_sent: false,
            inbuf: Vec::new(),
            in_start: 0,
            in_end: 0,
            want: 0,
            chunk: FIRST_READ_CHUNK,
            out: Vec::new(),
            out_pos: 0,
            partial: None,
            direct: None,
            peer_close: None,
            failure: None,
        }
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Close code the server sent, if it sent a close frame with one.
    pub fn close_code(&self) -> Option<u16> {
        self.peer_close.as_ref().and_then(|(c, _)| *c)
    }

    /// Close reason the server sent, if it sent a close frame.
    pub fn close_reason(&self) -> Option<&str> {
        self.peer_close.as_ref().map(|(_, r)| r.as_str())
    }

    /// Why we failed the connection (close code and reason), if we did.
    pub fn failure(&self) -> Option<(u16, &str)> {
        self.failure.as_ref().map(|(c, r)| (*c, r.as_str()))
    }

    /// Appends received bytes to the input buffer.
    pub fn receive_bytes(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            let buf = self.read_buffer(data.len());
            let n = buf.len().min(data.len());
            buf[..n].copy_from_slice(&data[..n]);
            self.commit_read(n);
            data = &data[n..];
        }
    }

    /// Free space at the end of the input buffer, at least `min` bytes (and at least
    /// what the frame being received still needs), to read into directly.
    /// Call [`Connection::commit_read`] with the number of bytes written.
    ///
    /// While the payload of a large unfragmented message is being received, this is
    /// instead the rest of that message's own buffer, which may be shorter than `min`
    /// (it is exactly what the frame still needs).
    pub fn read_buffer(&mut self, min: usize) -> &mut [u8] {
        if let Some(d) = self.direct.as_mut().filter(|d| d.remaining() > 0) {
            return &mut d.data[d.filled..];
        }
        let min = min.max(self.want).max(1);
        if self.in_start == self.in_end {
            self.in_start = 0;
            self.in_end = 0;
        }
        if self.inbuf.len() - self.in_end < min {
            if self.in_start > 0 {
                self.inbuf.copy_within(self.in_start..self.in_end, 0);
                self.in_end -= self.in_start;
                self.in_start = 0;
            }
            if self.inbuf.len() - self.in_end < min {
                self.inbuf.resize(self.in_end + min, 0);
            }
        }
        &mut self.inbuf[self.in_end..]
    }

    /// Suggested size for the next read into [`Connection::read_buffer`].
    pub fn read_hint(&self) -> usize {
        self.want.max(self.chunk)
    }

    /// Records that `n` bytes were written into the slice from [`Connection::read_buffer`].
    pub fn commit_read(&mut self, n: usize) {
        if let Some(d) = self.direct.as_mut().filter(|d| d.remaining() > 0) {
            d.filled = (d.filled + n).min(d.data.len());
            self.want = d.remaining();
            return;
        }
        self.in_end = (self.in_end + n).min(self.inbuf.len());
        if n >= self.chunk {
            self.chunk = (self.chunk * 2).min(READ_CHUNK);
        }
    }

    /// Bytes waiting to be written to the socket.
    pub fn pending_output(&self) -> &[u8] {
        &self.out[self.out_pos..]
    }

    /// Marks the first `n` bytes of [`Connection::pending_output`] as written.
    pub fn consume_output(&mut self, n: usize) {
        self.out_pos = (self.out_pos + n).min(self.out.len());
        if self.out_pos == self.out.len() {
            self.out.clear();
            self.out_pos = 0;
        }
    }

    /// Queues a text message.
    pub fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.check_open()?;
        self.queue(OpCode::Text, text.as_bytes());
        Ok(())
    }

    /// Queues a binary message.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.check_open()?;
        self.queue(OpCode::Binary, data);
        Ok(())
    }

    /// Queues a ping (payload at most 125 bytes).
    pub fn ping(&mut self, payload: &[u8]) -> Result<(), WsError> {
        self.check_open()?;
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(WsError::InvalidInput(
                "ping payload longer than 125 bytes".into(),
            ));
        }
        self.queue(OpCode::Ping, payload);
        Ok(())
    }

    /// Starts the closing handshake: queues a close frame and moves to [`State::Closing`].
    ///
    /// `code` must be a valid close code (1000–1003, 1007–1014, 3000–4999) and
    /// `reason` at most 123 bytes.
    pub fn close(&mut self, code: u16, reason: &str) -> Result<(), WsError> {
        self.check_open()?;
        if !is_valid_close_code(code) {
            return Err(WsError::InvalidInput(format!(
                "close code {code} may not be sent"
            )));
        }
        if reason.len() > MAX_CLOSE_REASON {
            return Err(WsError::InvalidInput(
                "close reason longer than 123 bytes".into(),
            ));
        }
        self.queue_close(Some(code), reason);
        self.state = State::Closing;
        Ok(())
    }

    /// Reports that the transport reached end of stream. Returns a 1006 failure unless
    /// the connection was already closed.
    pub fn receive_eof(&mut self) -> Option<Event> {
        if self.state == State::Closed {
            return None;
        }
        self.state = State::Closed;
        self.partial = None;
        self.direct = None;
        let reason = "connection closed without a close frame".to_string();
        self.failure = Some((1006, reason.clone()));
        Some(Event::Failed { code: 1006, reason })
    }

    /// Decodes buffered input into the next event, or `None` if more bytes are needed
    /// (or the connection is closed).
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            if self.state == State::Closed {
                return None;
            }
            if let Some(d) = &self.direct {
                if d.remaining() > 0 {
                    self.want = d.remaining();
                    return None;
                }
                let d = self.direct.take()?;
                self.want = 0;
                return Some(self.complete_message(d.text, d.data));
            }
            let buf = &self.inbuf[self.in_start..self.in_end];
            let h = match decode_header(buf, self.limits.max_frame_size) {
                Ok(Some(h)) => h,
                Ok(None) => {
                    self.want = 0;
                    return None;
                }
                Err(e) => return Some(self.fail(e.close_code(), e.to_string())),
            };
            if h.mask.is_some() {
                return Some(self.fail(1002, "server sent a masked frame".into()));
            }
            if !h.opcode.is_control() {
                let buffered = match (&self.partial, h.opcode) {
                    (None, OpCode::Continuation) => {
                        return Some(self.fail(
                            1002,
                            "continuation frame without a message to continue".into(),
                        ))
                    }
                    (Some(_), OpCode::Text | OpCode::Binary) => {
                        return Some(
                            self.fail(1002, "new data frame inside a fragmented message".into()),
                        )
                    }
                    (Some(p), _) => p.data.len() as u64,
                    (None, _) => 0,
                };
                if buffered + h.payload_len > self.limits.max_message_size as u64 {
                    let msg = format!(
                        "message of at least {} bytes exceeds the limit of {} bytes",
                        buffered + h.payload_len,
                        self.limits.max_message_size
                    );
                    return Some(self.fail(1009, msg));
                }
            }
            // decode_header bounded payload_len by max_frame_size, so it fits in usize.
            let total = h.header_len + h.payload_len as usize;
            if buf.len() < total {
                let payload_len = h.payload_len as usize;
                if h.fin
                    && matches!(h.opcode, OpCode::Text | OpCode::Binary)
                    && payload_len >= DIRECT_MIN
                {
                    // Receive the rest of the payload straight into the message's own
                    // buffer (calloc'd, so large ones need no zeroing pass).
                    let mut data = vec![0u8; payload_len];
                    let have = &buf[h.header_len..];
                    data[..have.len()].copy_from_slice(have);
                    let filled = have.len();
                    self.in_start = self.in_end;
                    self.direct = Some(Direct {
                        text: h.opcode == OpCode::Text,
                        data,
                        filled,
                    });
                    self.want = payload_len - filled;
                    return None;
                }
                self.want = total - buf.len();
                return None;
            }
            self.want = 0;
            let start = self.in_start + h.header_len;
            let end = self.in_start + total;
            self.in_start = end;
            if let Some(ev) = self.handle_frame(h.fin, h.opcode, start, end) {
                return Some(ev);
            }
        }
    }

    fn handle_frame(
        &mut self,
        fin: bool,
        opcode: OpCode,
        start: usize,
        end: usize,
    ) -> Option<Event> {
        let payload = &self.inbuf[start..end];
        match opcode {
            OpCode::Ping => {
                let payload = payload.to_vec();
                if self.state == State::Open {
                    self.queue(OpCode::Pong, &payload);
                }
                Some(Event::Ping(payload))
            }
            OpCode::Pong => Some(Event::Pong(payload.to_vec())),
            OpCode::Close => self.handle_close(start, end),
            OpCode::Text | OpCode::Binary if fin => {
                let data = payload.to_vec();
                Some(self.complete_message(opcode == OpCode::Text, data))
            }
            OpCode::Text | OpCode::Binary => {
                let text = opcode == OpCode::Text;
                let mut p = Partial {
                    text,
                    data: payload.to_vec(),
                    utf8_checked: 0,
                };
                if text && !check_utf8(&p.data, &mut p.utf8_checked, false) {
                    return Some(self.fail(1007, "invalid UTF-8 in text message".into()));
                }
                self.partial = Some(p);
                None
            }
            _ => {
                // Continuation: next_event checked that a message is in progress.
                let mut p = self.partial.take()?;
                p.data.extend_from_slice(payload);
                if p.text && !check_utf8(&p.data, &mut p.utf8_checked, fin) {
                    return Some(self.fail(1007, "invalid UTF-8 in text message".into()));
                }
                if !fin {
                    self.partial = Some(p);
                    return None;
                }
                Some(Event::Message(if p.text {
                    match String::from_utf8(p.data) {
                        Ok(s) => Message::Text(s),
                        Err(_) => {
                            return Some(self.fail(1007, "invalid UTF-8 in text message".into()))
                        }
                    }
                } else {
                    Message::Binary(p.data)
                }))
            }
        }
    }

    /// The event for a complete unfragmented message (failing on invalid UTF-8 text).
    fn complete_message(&mut self, text: bool, data: Vec<u8>) -> Event {
        if !text {
            return Event::Message(Message::Binary(data));
        }
        match String::from_utf8(data) {
            Ok(s) => Event::Message(Message::Text(s)),
            Err(_) => self.fail(1007, "invalid UTF-8 in text message".into()),
        }
    }

    fn handle_close(&mut self, start: usize, end: usize) -> Option<Event> {
        let payload = &self.inbuf[start..end];
        let (code, reason) = match payload {
            [] => (None, String::new()),
            [_] => return Some(self.fail(1002, "close frame with a 1-byte payload".into())),
            [hi, lo, rest @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                let Ok(reason) = std::str::from_utf8(rest).map(str::to_owned) else {
                    return Some(self.fail(1007, "invalid UTF-8 in close reason".into()));
                };
                if !is_valid_close_code(code) {
                    return Some(self.fail(1002, format!("invalid close code {code}")));
                }
                (Some(code), reason)
            }
        };
        if !self.close_sent {
            self.queue_close(code, "");
        }
        self.peer_close = Some((code, reason.clone()));
        self.state = State::Closed;
        self.partial = None;
        Some(Event::Close { code, reason })
    }

    fn fail(&mut self, code: u16, reason: String) -> Event {
        if !self.close_sent {
            let short = truncate_utf8(&reason, MAX_CLOSE_REASON).to_string();
            self.queue_close(Some(code), &short);
        }
        self.state = State::Closed;
        self.partial = None;
        self.direct = None;
        self.in_start = 0;
        self.in_end = 0;
        self.failure = Some((code, reason.clone()));
        Event::Failed { code, reason }
    }

    fn check_open(&self) -> Result<(), WsError> {
        match self.state {
            State::Open => Ok(()),
            _ => Err(WsError::ConnectionClosed),
        }
    }

    fn queue_close(&mut self, code: Option<u16>, reason: &str) {
        let mut payload = Vec::with_capacity(2 + reason.len());
        if let Some(code) = code {
            payload.extend_from_slice(&code.to_be_bytes());
            payload.extend_from_slice(reason.as_bytes());
        }
        self.queue(OpCode::Close, &payload);
        self.close_sent = true;
    }

    fn queue(&mut self, opcode: OpCode, payload: &[u8]) {
        if self.out_pos > 0 && self.out_pos * 2 >= self.out.len() {
            self.out.drain(..self.out_pos);
            self.out_pos = 0;
        }
        encode_frame(
            &mut self.out,
            true,
            opcode,
            payload,
            Some(generate_mask_key()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{decode_frame, Frame};
    use proptest::prelude::*;

    fn server_frame(fin: bool, op: OpCode, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        encode_frame(&mut v, fin, op, payload, None);
        v
    }

    fn conn() -> Connection {
        Connection::new(Limits::default())
    }

    #[test]
    fn reads_start_small_and_grow_when_filled() {
        let mut c = conn();
        assert_eq!(c.read_hint(), FIRST_READ_CHUNK);
        let hint = c.read_hint();
        assert!(c.read_buffer(hint).len() >= hint);
        assert!(
            c.inbuf.len() <= FIRST_READ_CHUNK,
            "an idle connection stays small"
        );
        // a full read doubles the next read, up to READ_CHUNK
        let msg = server_frame(true, OpCode::Binary, &vec![7u8; FIRST_READ_CHUNK * 40]);
        let mut fed = 0;
        while fed < msg.len() {
            let hint = c.read_hint();
            let buf = c.read_buffer(hint);
            let n = buf.len().min(msg.len() - fed).min(hint);
            buf[..n].copy_from_slice(&msg[fed..fed + n]);
            c.commit_read(n);
            fed += n;
        }
        assert_eq!(c.read_hint(), READ_CHUNK);
        match c.next_event() {
            Some(Event::Message(Message::Binary(b))) => assert_eq!(b.len(), FIRST_READ_CHUNK * 40),
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Decodes and consumes everything the client queued.
    fn sent(c: &mut Connection) -> Vec<Frame> {
        let mut frames = Vec::new();
        let out = c.pending_output().to_vec();
        let mut pos = 0;
        while let Some((f, used)) = decode_frame(&out[pos..]).unwrap() {
            assert!(f.mask.is_some(), "client frames must be masked");
            frames.push(f);
            pos += used;
        }
        assert_eq!(pos, out.len());
        c.consume_output(out.len());
        frames
    }

    fn feed(c: &mut Connection, bytes: &[u8]) -> Vec<Event> {
        c.receive_bytes(bytes);
        std::iter::from_fn(|| c.next_event()).collect()
    }

    fn assert_failed(c: &mut Connection, bytes: &[u8], code: u16) {
        let events = feed(c, bytes);
        assert!(
            matches!(events.last(), Some(Event::Failed { code: c2, .. }) if *c2 == code),
            "expected failure {code}, got {events:?}"
        );
        assert_eq!(c.state(), State::Closed);
        assert_eq!(c.failure().map(|f| f.0), Some(code));
        let frames = sent(c);
        let close = frames.last().expect("close frame queued");
        assert_eq!(close.opcode, OpCode::Close);
        assert_eq!(
            u16::from_be_bytes([close.payload[0], close.payload[1]]),
            code
        );
        assert!(c.send_text("x").is_err());
    }

    #[test]
    fn large_messages_are_received_directly_in_pieces() {
        let big: Vec<u8> = (0..(3 * DIRECT_MIN + 5)).map(|i| (i % 251) as u8).collect();
        let text = "é".repeat(DIRECT_MIN);
        let mut data = server_frame(true, OpCode::Binary, &big);
        data.extend(server_frame(true, OpCode::Text, text.as_bytes()));
        data.extend(server_frame(true, OpCode::Binary, b"tail"));
        // Odd-sized pieces, so pieces straddle frame boundaries and split 'é'.
        for piece in [1, 7, 1000, 65_537] {
            let mut c = conn();
            let mut events = Vec::new();
            for chunk in data.chunks(piece) {
                events.extend(feed(&mut c, chunk));
            }
            assert_eq!(
                events,
                [
                    Event::Message(Message::Binary(big.clone())),
                    Event::Message(Message::Text(text.clone())),
                    Event::Message(Message::Binary(b"tail".to_vec())),
                ],
                "piece size {piece}"
            );
        }
    }

    #[test]
    fn large_message_through_read_buffer_and_failures() {
        let big = vec![0xffu8; DIRECT_MIN * 2];
        let frame = server_frame(true, OpCode::Text, &big);
        let mut c = conn();
        c.receive_bytes(&frame[..100]);
        assert_eq!(c.next_event(), None);
        // The rest goes straight into the message buffer, at most what it still needs.
        let buf = c.read_buffer(c.read_hint());
        assert_eq!(buf.len(), frame.len() - 100);
        buf.copy_from_slice(&frame[100..]);
        c.commit_read(frame.len() - 100);
        assert!(matches!(
            c.next_event(),
            Some(Event::Failed { code: 1007, .. })
        ));

        let mut c = conn();
        let frame = server_frame(true, OpCode::Binary, &big);
        c.receive_bytes(&frame[..DIRECT_MIN]);
        assert_eq!(c.next_event(), None);
        assert!(matches!(
            c.receive_eof(),
            Some(Event::Failed { code: 1006, .. })
        ));
        assert_eq!(c.next_event(), None);
    }

    #[test]
    fn simple_messages_byte_by_byte() {
        let mut c = conn();
        let mut data = server_frame(true, OpCode::Text, "héllo".as_bytes());
        data.extend(server_frame(true, OpCode::Binary, &[0, 1, 2]));
        let mut events = Vec::new();
        for b in &data {
            events.extend(feed(&mut c, &[*b]));
        }
        assert_eq!(
            events,
            [
                Event::Message(Message::Text("héllo".into())),
                Event::Message(Message::Binary(vec![0, 1, 2]))
            ]
        );
    }

    #[test]
    fn fragmentation_with_interleaved_ping_and_auto_pong() {
        let mut c = conn();
        let mut data = server_frame(false, OpCode::Text, b"Hel");
        data.extend(server_frame(true, OpCode::Ping, b"are you there"));
        data.extend(server_frame(false, OpCode::Continuation, b"lo "));
        data.extend(server_frame(true, OpCode::Continuation, b"world"));
        let events = feed(&mut c, &data);
        assert_eq!(
            events,
            [
                Event::Ping(b"are you there".to_vec()),
                Event::Message(Message::Text("Hello world".into()))
            ]
        );
        let frames = sent(&mut c);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].opcode, OpCode::Pong);
        assert_eq!(frames[0].payload, b"are you there");
    }

    #[test]
    fn fragmented_binary() {
        let mut c = conn();
        let mut data = server_frame(false, OpCode::Binary, &[1]);
        data.extend(server_frame(false, OpCode::Continuation, &[]));
        data.extend(server_frame(true, OpCode::Continuation, &[2, 3]));
        assert_eq!(
            feed(&mut c, &data),
            [Event::Message(Message::Binary(vec![1, 2, 3]))]
        );
    }

    #[test]
    fn pong_is_reported() {
        let mut c = conn();
        assert_eq!(
            feed(&mut c, &server_frame(true, OpCode::Pong, b"p")),
            [Event::Pong(b"p".to_vec())]
        );
        assert!(c.pending_output().is_empty());
    }

    #[test]
    fn server_initiated_close_is_echoed() {
        let mut c = conn();
        let mut payload = 1001u16.to_be_bytes().to_vec();
        payload.extend_from_slice("going away ✓".as_bytes());
        let events = feed(&mut c, &server_frame(true, OpCode::Close, &payload));
        assert_eq!(
            events,
            [Event::Close {
                code: Some(1001),
                reason: "going away ✓".into()
            }]
        );
        assert_eq!(c.state(), State::Closed);
        assert_eq!(c.close_code(), Some(1001));
        assert_eq!(c.close_reason(), Some("going away ✓"));
        let frames = sent(&mut c);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].opcode, OpCode::Close);
        assert_eq!(frames[0].payload, 1001u16.to_be_bytes());
        assert!(matches!(
            c.send_text("late"),
            Err(WsError::ConnectionClosed)
        ));
        // Anything after the close is ignored.
        assert!(feed(&mut c, &server_frame(true, OpCode::Text, b"x")).is_empty());
    }

    #[test]
    fn empty_close_is_echoed_empty() {
        let mut c = conn();
        let events = feed(&mut c, &server_frame(true, OpCode::Close, &[]));
        assert_eq!(
            events,
            [Event::Close {
                code: None,
                reason: String::new()
            }]
        );
        let frames = sent(&mut c);
        assert!(frames[0].payload.is_empty());
    }

    #[test]
    fn client_initiated_close() {
        let mut c = conn();
        c.close(1000, "bye").unwrap();
        assert_eq!(c.state(), State::Closing);
        let frames = sent(&mut c);
        assert_eq!(frames[0].opcode, OpCode::Close);
        assert_eq!(frames[0].payload, b"\x03\xe8bye");
        assert!(c.close(1000, "again").is_err());
        assert!(c.send_binary(b"x").is_err());
        // Data still arriving before the server's close is delivered, pings not answered.
        let mut data = server_frame(true, OpCode::Text, b"in flight");
        data.extend(server_frame(true, OpCode::Ping, b"p"));
        data.extend(server_frame(true, OpCode::Close, &1000u16.to_be_bytes()));
        let events = feed(&mut c, &data);
        assert_eq!(events.len(), 3);
        assert_eq!(
            events[2],
            Event::Close {
                code: Some(1000),
                reason: String::new()
            }
        );
        assert_eq!(c.state(), State::Closed);
        assert!(
            c.pending_output().is_empty(),
            "no second close, no pong after close"
        );
    }

    #[test]
    fn close_argument_checks() {
        let mut c = conn();
        assert!(matches!(c.close(1005, ""), Err(WsError::InvalidInput(_))));
        assert!(matches!(
            c.close(1000, &"x".repeat(124)),
            Err(WsError::InvalidInput(_))
        ));
        assert!(matches!(c.ping(&[0; 126]), Err(WsError::InvalidInput(_))));
        assert_eq!(c.state(), State::Open);
        c.close(4000, &"x".repeat(123)).unwrap();
    }

    #[test]
    fn utf8_split_across_fragments_is_accepted() {
        let mut c = conn();
        let euro = "€".as_bytes(); // 3 bytes
        let mut data = server_frame(false, OpCode::Text, &[b'a', euro[0]]);
        data.extend(server_frame(false, OpCode::Continuation, &euro[1..2]));
        data.extend(server_frame(true, OpCode::Continuation, &[euro[2], b'b']));
        assert_eq!(
            feed(&mut c, &data),
            [Event::Message(Message::Text("a€b".into()))]
        );
    }

    #[test]
    fn invalid_utf8_fails_fast_with_1007() {
        let mut c = conn();
        // First fragment already invalid: fail before the message completes.
        assert_failed(
            &mut c,
            &server_frame(false, OpCode::Text, &[b'a', 0xff]),
            1007,
        );
        let mut c = conn();
        assert_failed(
            &mut c,
            &server_frame(true, OpCode::Text, &[0xc3, 0x28]),
            1007,
        );
        // Truncated character at the end of the message.
        let mut c = conn();
        let mut data = server_frame(false, OpCode::Text, b"ok");
        data.extend(server_frame(true, OpCode::Continuation, &[0xe2, 0x82]));
        assert_failed(&mut c, &data, 1007);
        // Invalid close reason.
        let mut c = conn();
        assert_failed(
            &mut c,
            &server_frame(true, OpCode::Close, &[0x03, 0xe8, 0xff]),
            1007,
        );
    }

    #[test]
    fn close_code_validation() {
        for code in [
            0u16, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535,
        ] {
            let mut c = conn();
            assert_failed(
                &mut c,
                &server_frame(true, OpCode::Close, &code.to_be_bytes()),
                1002,
            );
        }
        for code in [
            1000u16, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999,
        ] {
            let mut c = conn();
            let ev = feed(
                &mut c,
                &server_frame(true, OpCode::Close, &code.to_be_bytes()),
            );
            assert_eq!(
                ev,
                [Event::Close {
                    code: Some(code),
                    reason: String::new()
                }]
            );
        }
        let mut c = conn();
        assert_failed(&mut c, &server_frame(true, OpCode::Close, &[0x03]), 1002);
    }

    #[test]
    fn protocol_violations() {
        let mut c = conn();
        assert_failed(
            &mut c,
            &server_frame(true, OpCode::Continuation, b"x"),
            1002,
        );
        let mut c = conn();
        let mut data = server_frame(false, OpCode::Text, b"a");
        data.extend(server_frame(true, OpCode::Binary, b"b"));
        assert_failed(&mut c, &data, 1002);
        let mut c = conn();
        let mut masked = Vec::new();
        encode_frame(&mut masked, true, OpCode::Text, b"hi", Some([1, 2, 3, 4]));
        assert_failed(&mut c, &masked, 1002);
        let mut c = conn();
        assert_failed(&mut c, &[0x89, 126, 0, 200], 1002); // oversize ping
        let mut c = conn();
        assert_failed(&mut c, &server_frame(false, OpCode::Ping, b""), 1002);
        let mut c = conn();
        assert_failed(&mut c, &[0x83, 0], 1002); // reserved opcode
        let mut c = conn();
        assert_failed(&mut c, &[0xc1, 0], 1002); // RSV1
    }

    #[test]
    fn size_limits_fail_with_1009_before_buffering() {
        let limits = Limits {
            max_frame_size: 100,
            max_message_size: 150,
            ..Limits::default()
        };
        let mut c = Connection::new(limits);
        // Header alone announces 1 GiB: rejected without the payload.
        let mut hdr = vec![0x82, 127];
        hdr.extend_from_slice(&(1u64 << 30).to_be_bytes());
        assert_failed(&mut c, &hdr, 1009);

        let mut c = Connection::new(limits);
        let mut data = server_frame(false, OpCode::Binary, &[0; 100]);
        data.extend(server_frame(true, OpCode::Continuation, &[0; 51])[..4].to_vec());
        assert_failed(&mut c, &data, 1009);

        let mut c = Connection::new(limits);
        let mut data = server_frame(false, OpCode::Binary, &[0; 100]);
        data.extend(server_frame(true, OpCode::Continuation, &[0; 50]));
        assert_eq!(
            feed(&mut c, &data),
            [Event::Message(Message::Binary(vec![0; 150]))]
        );
    }

    #[test]
    fn read_buffer_grows_for_frame_in_progress() {
        let mut c = conn();
        let frame = server_frame(true, OpCode::Binary, &vec![7u8; 300_000]);
        c.receive_bytes(&frame[..10]);
        assert!(c.next_event().is_none());
        assert!(c.read_hint() >= frame.len() - 10);
        let buf = c.read_buffer(1);
        assert!(buf.len() >= frame.len() - 10);
        buf[..frame.len() - 10].copy_from_slice(&frame[10..]);
        c.commit_read(frame.len() - 10);
        assert_eq!(
            c.next_event(),
            Some(Event::Message(Message::Binary(vec![7u8; 300_000])))
        );
    }

    #[test]
    fn eof_is_abnormal_closure() {
        let mut c = conn();
        assert!(matches!(
            c.receive_eof(),
            Some(Event::Failed { code: 1006, .. })
        ));
        assert_eq!(c.state(), State::Closed);
        assert_eq!(c.receive_eof(), None);
    }

    #[test]
    fn sending_masks_every_frame() {
        let mut c = conn();
        c.send_text("hi").unwrap();
        c.send_binary(&[1; 70000]).unwrap();
        c.ping(b"x").unwrap();
        let frames = sent(&mut c);
        assert_eq!(
            frames.iter().map(|f| f.opcode).collect::<Vec<_>>(),
            [OpCode::Text, OpCode::Binary, OpCode::Ping]
        );
        assert_eq!(frames[1].payload, vec![1; 70000]);
        // Partial consumption keeps the rest.
        c.send_text("abc").unwrap();
        let n = c.pending_output().len();
        c.consume_output(2);
        assert_eq!(c.pending_output().len(), n - 2);
        c.send_text("def").unwrap();
        assert_eq!(c.pending_output().len(), n - 2 + n);
    }

    proptest! {
        #[test]
        fn prop_arbitrary_input_never_panics(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..20)
        ) {
            let mut c = Connection::new(Limits { max_frame_size: 1 << 16, max_message_size: 1 << 17, ..Limits::default() });
            for chunk in &chunks {
                c.receive_bytes(chunk);
                while let Some(ev) = c.next_event() {
                    if let Event::Failed { code, .. } = ev {
                        prop_assert!(matches!(code, 1002 | 1007 | 1009));
                    }
                }
            }
            let _ = c.receive_eof();
        }

        #[test]
        fn prop_valid_stream_in_any_chunking(
            msgs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..8),
            chunk in 1usize..50,
        ) {
            let mut data = Vec::new();
            for m in &msgs {
                let half = m.len() / 2;
                data.extend(server_frame(false, OpCode::Binary, &m[..half]));
                data.extend(server_frame(true, OpCode::Ping, b"x"));
                data.extend(server_frame(true, OpCode::Continuation, &m[half..]));
            }
            let mut c = conn();
            let mut got = Vec::new();
            for piece in data.chunks(chunk) {
                c.receive_bytes(piece);
                while let Some(ev) = c.next_event() {
                    if let Event::Message(Message::Binary(b)) = ev { got.push(b) }
                }
            }
            prop_assert_eq!(got, msgs);
        }
    }
}
