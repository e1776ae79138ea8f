//! Connection state machine (RFC 6455 §5–7), without I/O.
//!
//! Feed received bytes with [`Connection::receive_bytes`] (or read straight into
//! [`Connection::read_buffer`] and call [`Connection::commit_read`]), then drain
//! [`Connection::next_event`]. Frames to send (our messages, automatic pongs, close
//! frames) accumulate in an output buffer: write [`Connection::pending_output`] to the
//! socket and report progress with [`Connection::consume_output`].
//!
//! The opening handshake happens before a `Connection` exists (see
//! [`crate::handshake`] and [`crate::server`]); a new connection starts [`State::Open`].
//! Its [`Role`] decides the masking direction (RFC 6455 §5.1): a client masks what it
//! sends and fails on masked input, a server sends unmasked frames and fails (1002) on
//! unmasked input, whose payloads it unmasks as they arrive. Received bytes wait
//! in the input buffer (`connection/input.rs`) until they form a frame; data frames
//! become messages in `connection/reassembly.rs`, compressed ones (permessage-deflate)
//! through `connection/compressed.rs`.

mod compressed;
mod input;
mod reassembly;

use crate::close::{CloseCode, CloseFrame};
use crate::deflate::PerMessageDeflate;
use crate::error::{ProtocolError, WsError};
use crate::frame::{decode_header_ext, encode_unchecked, OpCode, MAX_CONTROL_PAYLOAD, RSV1};
use crate::limits::Limits;
use crate::mask::{apply_mask, generate_mask_key};

use compressed::{CompressedFrame, Inflated};
use input::InputBuffer;
use reassembly::{Reassembly, DIRECT_MIN};

/// Which end of the connection this is (RFC 6455 §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Masks every frame it sends; the peer's frames must not be masked.
    Client,
    /// Sends unmasked frames; the peer's frames must be masked.
    Server,
}

impl Role {
    /// The role of the other end.
    pub fn peer(self) -> Role {
        match self {
            Role::Client => Role::Server,
            Role::Server => Role::Client,
        }
    }
}

impl std::fmt::Display for Role {
    /// `client` or `server`, as messages name the peer ("timed out waiting for the
    /// server").
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Client => "client",
            Role::Server => "server",
        })
    }
}

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
    /// The server pinged us; a pong with the same payload is queued (unless a newer
    /// ping replaces it before it goes out).
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
    /// The connection failed; a close frame with the error's code is queued if we could
    /// still send one (never for 1006).
    Failed(ProtocolError),
}

/// Sans-I/O client side of an open WebSocket connection.
#[derive(Debug)]
pub struct Connection {
    role: Role,
    limits: Limits,
    state: State,
    close_sent: bool,
    input: InputBuffer,
    message: Reassembly,
    out: Vec<u8>,
    out_pos: usize,
    /// Payload of the pong owed for the latest ping, while `out` still holds other
    /// frames: it goes out after them, and a newer ping replaces it (RFC 6455 §5.5.3),
    /// so a ping flood cannot grow the output.
    pong: Option<Vec<u8>>,
    peer_close: Option<(Option<u16>, String)>,
    failure: Option<ProtocolError>,
    /// permessage-deflate, when the handshake agreed on it.
    deflate: Option<Box<PerMessageDeflate>>,
    /// The compressed frame whose payload is being inflated.
    inflating: Option<CompressedFrame>,
}

impl Connection {
    /// A client connection in the [`State::Open`] state, right after a successful
    /// handshake.
    pub fn new(limits: Limits) -> Connection {
        Connection::with_role(limits, Role::Client)
    }

    /// A connection of either role in the [`State::Open`] state.
    pub fn with_role(limits: Limits, role: Role) -> Connection {
        Connection {
            role,
            limits,
            state: State::Open,
            close_sent: false,
            input: InputBuffer::new(),
            message: Reassembly::default(),
            out: Vec::new(),
            out_pos: 0,
            pong: None,
            peer_close: None,
            failure: None,
            deflate: None,
            inflating: None,
        }
    }

    /// Which end of the connection this is.
    pub fn role(&self) -> Role {
        self.role
    }

    /// Current state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The limits this connection enforces.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Sets the deadline of later receives (read by the driver, see [`Limits`]).
    pub fn set_read_timeout(&mut self, timeout: Option<std::time::Duration>) {
        self.limits.read_timeout = timeout;
    }

    /// Close code the server sent, if it sent a close frame with one.
    pub fn close_code(&self) -> Option<u16> {
        self.peer_close.as_ref().and_then(|(c, _)| *c)
    }

    /// Close reason the server sent, if it sent a close frame.
    pub fn close_reason(&self) -> Option<&str> {
        self.peer_close.as_ref().map(|(_, r)| r.as_str())
    }

    /// Why the connection failed, if it did.
    pub fn failure(&self) -> Option<&ProtocolError> {
        self.failure.as_ref()
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
    /// While the payload of a large message is being received, this is instead the rest
    /// of that payload's place in the message buffer, which may be shorter than `min`
    /// (it is exactly what the frame still needs).
    pub fn read_buffer(&mut self, min: usize) -> &mut [u8] {
        if self.message.direct_remaining() > 0 {
            if let Some(space) = self.message.direct_space() {
                return space;
            }
        }
        self.input.space(min)
    }

    /// Suggested size for the next read into [`Connection::read_buffer`].
    pub fn read_hint(&self) -> usize {
        match self.message.direct_remaining() {
            0 => self.input.hint(),
            n => n,
        }
    }

    /// Records that `n` bytes were written into the slice from [`Connection::read_buffer`].
    pub fn commit_read(&mut self, n: usize) {
        if self.message.direct_remaining() > 0 {
            self.message.commit_direct(n);
        } else {
            self.input.commit(n);
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
            self.release_pong();
        }
    }

    /// Frees the input buffer if it holds nothing (no part of a frame): for a driver
    /// about to wait, so that thousands of idle connections hold no read buffer. The
    /// next read allocates a small one again.
    pub fn release_idle_input(&mut self) {
        if self.input.data().is_empty() {
            self.input = InputBuffer::new();
        }
    }

    /// Frees the buffers (input, message in progress, output) once the transport is
    /// gone: nothing will be read or written any more. State and close details stay.
    pub fn release_buffers(&mut self) {
        self.input = InputBuffer::new();
        self.message.clear();
        self.out = Vec::new();
        self.out_pos = 0;
        self.pong = None;
        self.inflating = None;
    }

    /// Whether a frame is partly received: its header or payload has begun to arrive
    /// and is not complete. (A fragmented message between two whole frames is not.)
    pub fn mid_frame(&self) -> bool {
        !self.input.data().is_empty()
            || self.message.direct_remaining() > 0
            || self.inflating.is_some()
    }

    /// Queues a text message.
    pub fn send_text(&mut self, text: &str) -> Result<(), WsError> {
        self.check_open()?;
        self.queue_message(OpCode::Text, text.as_bytes())
    }

    /// Queues a binary message.
    pub fn send_binary(&mut self, data: &[u8]) -> Result<(), WsError> {
        self.check_open()?;
        self.queue_message(OpCode::Binary, data)
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

    /// Starts the closing handshake: queues `frame` and moves to [`State::Closing`].
    pub fn close(&mut self, frame: &CloseFrame) -> Result<(), WsError> {
        self.check_open()?;
        self.queue_close(&frame.payload());
        self.state = State::Closing;
        Ok(())
    }

    /// Reports that the transport reached end of stream. Returns a 1006 failure unless
    /// the connection was already closed.
    pub fn receive_eof(&mut self) -> Option<Event> {
        if self.state == State::Closed {
            return None;
        }
        Some(self.fail(ProtocolError::ConnectionLost))
    }

    /// Fails the connection with `e`, as if the server had caused it: queues a close
    /// frame with its code (none for 1006) and closes. Returns the event reporting it.
    pub fn fail(&mut self, e: ProtocolError) -> Event {
        self.pong = None;
        if !self.close_sent {
            if let Ok(code) = CloseCode::new(e.close_code()) {
                let frame = CloseFrame::truncated(code, &e.to_string());
                self.queue_close(&frame.payload());
            }
        }
        self.state = State::Closed;
        self.message.clear();
        self.input.clear();
        self.inflating = None;
        self.failure = Some(e.clone());
        Event::Failed(e)
    }

    /// Decodes buffered input into the next event, or `None` if more bytes are needed
    /// (or the connection is closed).
    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            if self.state == State::Closed {
                return None;
            }
            if self.inflating.is_some() {
                match self.inflate_frame() {
                    Ok(Inflated::Waiting) => {
                        self.input.set_want(0);
                        return None;
                    }
                    Ok(Inflated::Frame) => continue,
                    Ok(Inflated::Message(m)) => return Some(Event::Message(m)),
                    Err(e) => return Some(self.fail(e)),
                }
            }
            if self.message.is_direct() {
                if self.message.direct_remaining() > 0 {
                    return None;
                }
                match self.message.finish_direct() {
                    Ok(Some(m)) => return Some(Event::Message(m)),
                    Ok(None) => continue,
                    Err(e) => return Some(self.fail(e)),
                }
            }
            let compression = self.deflate.is_some();
            let h =
                match decode_header_ext(self.input.data(), self.limits.max_frame_size, compression)
                {
                    Ok(Some(h)) => h,
                    Ok(None) => {
                        self.input.set_want(0);
                        return None;
                    }
                    Err(e) => return Some(self.fail(e.into())),
                };
            match (self.role, h.mask) {
                (Role::Client, Some(_)) => return Some(self.fail(ProtocolError::MaskedFrame)),
                (Role::Server, None) => return Some(self.fail(ProtocolError::UnmaskedFrame)),
                _ => {}
            }
            if compression && self.is_compressed_frame(&h) {
                if let Err(e) = self.begin_compressed_frame(&h) {
                    return Some(self.fail(e));
                }
                continue;
            }
            if !h.opcode.is_control() {
                let limit = self.limits.max_message_size;
                if let Err(e) = self.message.check_frame(h.opcode, h.payload_len, limit) {
                    return Some(self.fail(e));
                }
            }
            // decode_header bounded payload_len by max_frame_size, so it fits in usize.
            let payload_len = h.payload_len as usize;
            let total = h.header_len + payload_len;
            let have = self.input.data().len();
            if have < total {
                if !h.opcode.is_control() && payload_len >= DIRECT_MIN {
                    let range = self.input.take(have);
                    let payload = &self.input.get(range)[h.header_len..];
                    let limit = self.limits.max_message_size;
                    let started = self.message.begin_direct(
                        h.opcode,
                        h.fin,
                        payload_len,
                        h.mask,
                        payload,
                        limit,
                    );
                    self.input.set_want(0);
                    if let Err(e) = started {
                        return Some(self.fail(e));
                    }
                    return None;
                }
                self.input.set_want(total - have);
                return None;
            }
            self.input.set_want(0);
            let range = self.input.take(total);
            let payload = range.start + h.header_len..range.end;
            if let Some(key) = h.mask {
                apply_mask(self.input.get_mut(payload.clone()), key);
            }
            if let Some(ev) = self.handle_frame(h.fin, h.opcode, payload) {
                return Some(ev);
            }
        }
    }

    /// Acts on a complete frame whose payload is `self.input.get(payload)`.
    fn handle_frame(
        &mut self,
        fin: bool,
        opcode: OpCode,
        payload: std::ops::Range<usize>,
    ) -> Option<Event> {
        let data = self.input.get(payload.clone());
        match opcode {
            OpCode::Ping => {
                let data = data.to_vec();
                if self.state == State::Open {
                    self.pong = Some(data.clone());
                    if self.pending_output().is_empty() {
                        self.release_pong();
                    }
                }
                Some(Event::Ping(data))
            }
            OpCode::Pong => Some(Event::Pong(data.to_vec())),
            OpCode::Close => self.handle_close(payload),
            _ => match self
                .message
                .frame(opcode, fin, data, self.limits.max_message_size)
            {
                Ok(Some(m)) => Some(Event::Message(m)),
                Ok(None) => None,
                Err(e) => Some(self.fail(e)),
            },
        }
    }

    fn handle_close(&mut self, payload: std::ops::Range<usize>) -> Option<Event> {
        let (code, reason) = match self.input.get(payload) {
            [] => (None, String::new()),
            [_] => return Some(self.fail(ProtocolError::OneByteClose)),
            [hi, lo, rest @ ..] => {
                let code = u16::from_be_bytes([*hi, *lo]);
                let Ok(reason) = std::str::from_utf8(rest).map(str::to_owned) else {
                    return Some(self.fail(ProtocolError::InvalidCloseReason));
                };
                if CloseCode::new(code).is_err() {
                    return Some(self.fail(ProtocolError::InvalidCloseCode(code)));
                }
                (Some(code), reason)
            }
        };
        if !self.close_sent {
            // Echo the code (RFC 6455 §5.5.1); an empty close is echoed empty.
            let echo = code.map_or_else(Vec::new, |c| c.to_be_bytes().to_vec());
            self.queue_close(&echo);
        }
        self.peer_close = Some((code, reason.clone()));
        self.state = State::Closed;
        self.message.clear();
        Some(Event::Close { code, reason })
    }

    fn check_open(&self) -> Result<(), WsError> {
        match self.state {
            State::Open => Ok(()),
            _ => Err(WsError::ConnectionClosed),
        }
    }

    fn queue_close(&mut self, payload: &[u8]) {
        self.release_pong();
        self.queue(OpCode::Close, payload);
        self.close_sent = true;
    }

    /// Queues the pong owed, if any.
    fn release_pong(&mut self) {
        if let Some(payload) = self.pong.take() {
            // A ping's payload is at most 125 bytes (checked by decode_header).
            self.queue(OpCode::Pong, &payload);
        }
    }

    /// Drops already written output when it is at least half the buffer.
    fn compact_output(&mut self) {
        if self.out_pos > 0 && self.out_pos * 2 >= self.out.len() {
            self.out.drain(..self.out_pos);
            self.out_pos = 0;
        }
    }

    /// Queues a frame whose validity the caller guarantees: a data frame, or a control
    /// frame with at most 125 bytes of payload.
    fn queue(&mut self, opcode: OpCode, payload: &[u8]) {
        self.queue_frame(false, opcode, payload);
    }

    /// [`Connection::queue`], with RSV1 set when `compressed` (permessage-deflate).
    fn queue_frame(&mut self, compressed: bool, opcode: OpCode, payload: &[u8]) {
        if opcode != OpCode::Pong {
            // The pong owed for a ping goes before anything queued after that ping.
            self.release_pong();
        }
        self.compact_output();
        let mask = match self.role {
            Role::Client => Some(generate_mask_key()),
            Role::Server => None,
        };
        let start = self.out.len();
        encode_unchecked(&mut self.out, true, opcode, payload, mask);
        if compressed {
            self.out[start] |= RSV1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::input::{FIRST_READ_CHUNK, READ_CHUNK};
    use super::*;
    use crate::frame::{decode_frame, Frame};
    use proptest::prelude::*;

    fn server_frame(fin: bool, op: OpCode, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        encode_unchecked(&mut v, fin, op, payload, None);
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
            c.input.capacity() <= FIRST_READ_CHUNK,
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
            let masked = c.role() == Role::Client;
            assert_eq!(f.mask.is_some(), masked, "only client frames are masked");
            frames.push(f);
            pos += used;
        }
        assert_eq!(pos, out.len());
        c.consume_output(out.len());
        frames
    }

    /// Receives a large frame: its first 100 bytes, then the rest straight into the
    /// message buffer, which offers exactly what the frame still needs.
    fn receive_large(c: &mut Connection, frame: &[u8]) {
        c.receive_bytes(&frame[..100]);
        assert_eq!(c.next_event(), None);
        let buf = c.read_buffer(c.read_hint());
        assert_eq!(buf.len(), frame.len() - 100);
        buf.copy_from_slice(&frame[100..]);
        c.commit_read(frame.len() - 100);
    }

    fn feed(c: &mut Connection, bytes: &[u8]) -> Vec<Event> {
        c.receive_bytes(bytes);
        std::iter::from_fn(|| c.next_event()).collect()
    }

    /// Feeds `data` to a new connection in pieces of odd sizes, so that pieces straddle
    /// frame boundaries and split characters, and checks the events each time.
    fn assert_events_in_pieces(data: &[u8], expected: &[Event]) {
        for piece in [1, 7, 1000, 65_537] {
            let mut c = conn();
            let mut events = Vec::new();
            for chunk in data.chunks(piece) {
                events.extend(feed(&mut c, chunk));
            }
            assert_eq!(events, expected, "piece size {piece}");
        }
    }

    fn assert_failed(c: &mut Connection, bytes: &[u8], code: u16) {
        let events = feed(c, bytes);
        assert!(
            matches!(events.last(), Some(Event::Failed(e)) if e.close_code() == code),
            "expected failure {code}, got {events:?}"
        );
        assert_eq!(c.state(), State::Closed);
        assert_eq!(c.failure().map(ProtocolError::close_code), Some(code));
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
        assert_events_in_pieces(
            &data,
            &[
                Event::Message(Message::Binary(big)),
                Event::Message(Message::Text(text)),
                Event::Message(Message::Binary(b"tail".to_vec())),
            ],
        );
    }

    #[test]
    fn large_fragments_are_received_directly_in_pieces() {
        let big: Vec<u8> = (0..(3 * DIRECT_MIN + 5)).map(|i| (i % 251) as u8).collect();
        let text = "é".repeat(DIRECT_MIN);
        let mut data = server_frame(false, OpCode::Binary, &big[..10]);
        data.extend(server_frame(
            false,
            OpCode::Continuation,
            &big[10..DIRECT_MIN * 2],
        ));
        data.extend(server_frame(true, OpCode::Ping, b"mid"));
        data.extend(server_frame(
            true,
            OpCode::Continuation,
            &big[DIRECT_MIN * 2..],
        ));
        data.extend(server_frame(
            false,
            OpCode::Text,
            &text.as_bytes()[..DIRECT_MIN + 1],
        ));
        data.extend(server_frame(
            true,
            OpCode::Continuation,
            &text.as_bytes()[DIRECT_MIN + 1..],
        ));
        assert_events_in_pieces(
            &data,
            &[
                Event::Ping(b"mid".to_vec()),
                Event::Message(Message::Binary(big)),
                Event::Message(Message::Text(text)),
            ],
        );
        // Invalid UTF-8 in a directly received fragment fails with 1007.
        let mut c = conn();
        let mut bad = server_frame(false, OpCode::Text, &[0xff; DIRECT_MIN]);
        bad.extend(server_frame(true, OpCode::Continuation, b"x"));
        assert_failed(&mut c, &bad, 1007);
    }

    #[test]
    fn a_ping_flood_owes_one_pong() {
        let mut c = conn();
        c.send_binary(&[1; 1000]).unwrap();
        let mut flood = Vec::new();
        for i in 0..10_000u32 {
            flood.extend(server_frame(true, OpCode::Ping, &i.to_be_bytes()));
        }
        assert_eq!(feed(&mut c, &flood).len(), 10_000);
        // Our message, then (once it is written) the pong for the latest ping only.
        let frames = sent(&mut c);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].opcode, OpCode::Binary);
        let frames = sent(&mut c);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].opcode, OpCode::Pong);
        assert_eq!(frames[0].payload, 9_999u32.to_be_bytes());
        // With nothing queued, a pong is queued at once.
        feed(&mut c, &server_frame(true, OpCode::Ping, b"now"));
        assert_eq!(sent(&mut c)[0].payload, b"now");
    }

    #[test]
    fn idle_input_is_released_but_a_partial_frame_kept() {
        let mut c = conn();
        let hint = c.read_hint();
        c.read_buffer(hint);
        assert_eq!(c.input.capacity(), FIRST_READ_CHUNK);
        c.release_idle_input();
        assert_eq!(c.input.capacity(), 0, "nothing held while idle");
        let frame = server_frame(true, OpCode::Text, b"hello");
        feed(&mut c, &frame[..3]);
        c.release_idle_input();
        assert_eq!(
            feed(&mut c, &frame[3..]),
            [Event::Message(Message::Text("hello".into()))]
        );
    }

    #[test]
    fn owed_pong_goes_before_later_messages() {
        let mut c = conn();
        c.send_text("first").unwrap();
        feed(&mut c, &server_frame(true, OpCode::Ping, b"p1"));
        c.send_text("second").unwrap();
        let frames = sent(&mut c);
        let order: Vec<(OpCode, &[u8])> = frames
            .iter()
            .map(|f| (f.opcode, f.payload.as_slice()))
            .collect();
        assert_eq!(
            order,
            [
                (OpCode::Text, &b"first"[..]),
                (OpCode::Pong, b"p1"),
                (OpCode::Text, b"second")
            ]
        );
    }

    #[test]
    fn mid_frame_is_reported() {
        let mut c = conn();
        assert!(!c.mid_frame());
        let frame = server_frame(false, OpCode::Text, b"abc");
        feed(&mut c, &frame[..2]);
        assert!(c.mid_frame());
        feed(&mut c, &frame[2..]);
        assert!(!c.mid_frame(), "between two fragments");
        let big = server_frame(true, OpCode::Continuation, &[b'x'; DIRECT_MIN]);
        feed(&mut c, &big[..100]);
        assert!(c.mid_frame(), "direct payload in progress");
        let e = ProtocolError::TimedOutMidFrame { peer: Role::Server };
        assert_eq!(c.fail(e.clone()), Event::Failed(e));
        assert!(c.pending_output().is_empty(), "1006 is never sent");
        assert_eq!(c.state(), State::Closed);
    }

    #[test]
    fn large_message_through_read_buffer_and_failures() {
        let big = vec![0xffu8; DIRECT_MIN * 2];
        let frame = server_frame(true, OpCode::Text, &big);
        let mut c = conn();
        receive_large(&mut c, &frame);
        assert!(matches!(
            c.next_event(),
            Some(Event::Failed(e)) if e.close_code() == 1007
        ));

        let mut c = conn();
        let frame = server_frame(true, OpCode::Binary, &big);
        c.receive_bytes(&frame[..DIRECT_MIN]);
        assert_eq!(c.next_event(), None);
        assert!(matches!(
            c.receive_eof(),
            Some(Event::Failed(e)) if e.close_code() == 1006
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
        c.close(&CloseFrame::new(1000, "bye").unwrap()).unwrap();
        assert_eq!(c.state(), State::Closing);
        let frames = sent(&mut c);
        assert_eq!(frames[0].opcode, OpCode::Close);
        assert_eq!(frames[0].payload, b"\x03\xe8bye");
        assert!(c.close(&CloseFrame::new(1000, "again").unwrap()).is_err());
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
    fn ping_argument_check() {
        let mut c = conn();
        assert!(matches!(c.ping(&[0; 126]), Err(WsError::InvalidInput(_))));
        assert!(c.pending_output().is_empty());
        assert_eq!(c.state(), State::Open);
        c.ping(&[0; 125]).unwrap();
        c.close(&CloseFrame::new(4000, &"x".repeat(123)).unwrap())
            .unwrap();
        let frames = sent(&mut c);
        assert_eq!(frames[0].payload.len(), 125);
        assert_eq!(frames[1].payload.len(), 125);
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
        encode_unchecked(&mut masked, true, OpCode::Text, b"hi", Some([1, 2, 3, 4]));
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
            Some(Event::Failed(e)) if e.close_code() == 1006
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

    /// A frame as a client sends it: masked with a fixed key.
    fn client_frame(fin: bool, op: OpCode, payload: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        encode_unchecked(&mut v, fin, op, payload, Some([0x37, 0xfa, 0x21, 0x3d]));
        v
    }

    fn server_conn() -> Connection {
        Connection::with_role(Limits::default(), Role::Server)
    }

    #[test]
    fn server_role_unmasks_input_and_sends_unmasked() {
        let mut c = server_conn();
        assert_eq!(c.role(), Role::Server);
        let big: Vec<u8> = (0..DIRECT_MIN * 2 + 3).map(|i| (i % 251) as u8).collect();
        let mut data = client_frame(true, OpCode::Text, "héllo".as_bytes());
        data.extend(client_frame(false, OpCode::Binary, &big[..DIRECT_MIN + 1]));
        data.extend(client_frame(true, OpCode::Ping, b"p"));
        data.extend(client_frame(
            true,
            OpCode::Continuation,
            &big[DIRECT_MIN + 1..],
        ));
        data.extend(client_frame(true, OpCode::Binary, &big));
        let expected = [
            Event::Message(Message::Text("héllo".into())),
            Event::Ping(b"p".to_vec()),
            Event::Message(Message::Binary(big.clone())),
            Event::Message(Message::Binary(big.clone())),
        ];
        for piece in [1, 7, 1000, 65_537, data.len()] {
            let mut c = server_conn();
            let mut events = Vec::new();
            for chunk in data.chunks(piece) {
                events.extend(feed(&mut c, chunk));
            }
            assert_eq!(events, expected, "piece size {piece}");
        }
        // Large frames straight into the message buffer, through read_buffer.
        receive_large(&mut c, &client_frame(true, OpCode::Binary, &big));
        assert_eq!(c.next_event(), Some(Event::Message(Message::Binary(big))));

        c.send_text("hi").unwrap();
        feed(&mut c, &client_frame(true, OpCode::Ping, b"q"));
        c.ping(b"mine").unwrap();
        let frames: Vec<(OpCode, Vec<u8>)> = sent(&mut c)
            .into_iter()
            .map(|f| (f.opcode, f.payload))
            .collect();
        assert_eq!(
            frames,
            [
                (OpCode::Text, b"hi".to_vec()),
                (OpCode::Pong, b"q".to_vec()),
                (OpCode::Ping, b"mine".to_vec())
            ]
        );
    }

    #[test]
    fn server_role_fails_unmasked_input_with_1002() {
        let mut c = server_conn();
        assert_failed(&mut c, &server_frame(true, OpCode::Text, b"hi"), 1002);
        assert_eq!(c.failure(), Some(&ProtocolError::UnmaskedFrame));
        // Invalid UTF-8 is found after unmasking, also in a large direct frame.
        let mut c = server_conn();
        let mut bad = vec![b'a'; DIRECT_MIN + 5];
        bad[DIRECT_MIN] = 0xff;
        assert_failed(&mut c, &client_frame(true, OpCode::Text, &bad), 1007);
        let mut c = server_conn();
        let text = "ok ✓".repeat(DIRECT_MIN / 4);
        assert_eq!(
            feed(&mut c, &client_frame(true, OpCode::Text, text.as_bytes())),
            [Event::Message(Message::Text(text))]
        );
    }

    proptest! {
        #[test]
        fn prop_arbitrary_input_never_panics(
            chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..20),
            server in any::<bool>(),
        ) {
            let role = if server { Role::Server } else { Role::Client };
            let limits = Limits { max_frame_size: 1 << 16, max_message_size: 1 << 17, ..Limits::default() };
            let mut c = Connection::with_role(limits, role);
            for chunk in &chunks {
                c.receive_bytes(chunk);
                while let Some(ev) = c.next_event() {
                    if let Event::Failed(e) = ev {
                        prop_assert!(matches!(e.close_code(), 1002 | 1007 | 1009));
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
