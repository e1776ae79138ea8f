//! Message reassembly: data frames (RFC 6455 §5.4 fragments) in, whole messages out.
//!
//! Small frames arrive whole from the input buffer ([`Reassembly::frame`]). The payload
//! of a large frame is instead received straight into the message's own buffer
//! ([`Reassembly::begin_direct`], then [`Reassembly::direct_space`] and
//! [`Reassembly::commit_direct`]), so big messages are not copied on the way in; a
//! masked one (server role) is unmasked in place once it is complete.

use crate::deflate::PerMessageDeflate;
use crate::error::ProtocolError;
use crate::frame::OpCode;
use crate::mask::apply_mask;

use super::Message;

/// Data frames with at least this much payload are received straight into the message
/// buffer instead of through the input buffer and a copy.
pub(super) const DIRECT_MIN: usize = super::input::READ_CHUNK;

/// A message whose frames are arriving.
#[derive(Debug)]
struct Partial {
    text: bool,
    data: Vec<u8>,
    /// Bytes of `data` already validated as UTF-8 (text messages).
    utf8_checked: usize,
    /// The message is compressed (permessage-deflate): `data` is what was inflated.
    compressed: bool,
}

/// The message being reassembled, if any.
#[derive(Debug, Default)]
pub(super) struct Reassembly {
    partial: Option<Partial>,
    /// While a frame's payload is received directly: where it is in `partial.data`.
    direct: Option<Direct>,
}

/// A frame's payload being received straight into the message buffer.
#[derive(Debug)]
struct Direct {
    /// Where the payload starts in `partial.data` (which is already sized for all of it).
    start: usize,
    /// The end of what arrived so far.
    filled: usize,
    /// The frame's FIN bit.
    fin: bool,
    /// The frame's masking key (frames a server receives).
    mask: Option<[u8; 4]>,
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

/// Size from which a fragmented message gets room for the largest it may become.
const EAGER: usize = 1 << 20;

/// Makes room for `extra` more bytes in `data`, part of a message of at most `limit`
/// bytes. Small messages grow as usual. From [`EAGER`] bytes on, room for `limit`
/// bytes is reserved at once: untouched pages cost address space, not memory, and the
/// buffer is never copied again, whereas each doubling copy briefly holds the old and
/// the new buffer (a 64 MiB message peaked at 1.6x its size). An allocation failure
/// fails the message as too big.
fn grow(data: &mut Vec<u8>, extra: usize, limit: usize) -> Result<(), ProtocolError> {
    let needed = data.len() + extra;
    if needed <= data.capacity() {
        return Ok(());
    }
    if needed >= EAGER
        && data
            .try_reserve_exact(limit.max(needed) - data.len())
            .is_ok()
    {
        return Ok(());
    }
    data.try_reserve(extra)
        .map_err(|_| ProtocolError::MessageTooBig {
            size: needed as u64,
            limit,
        })
}

/// A complete message from its payload (failing on invalid UTF-8 text).
fn complete(text: bool, data: Vec<u8>) -> Result<Message, ProtocolError> {
    if !text {
        return Ok(Message::Binary(data));
    }
    String::from_utf8(data)
        .map(Message::Text)
        .map_err(|_| ProtocolError::InvalidUtf8)
}

impl Reassembly {
    /// Checks a data frame's header against the message in progress and the size limit,
    /// before its payload is buffered.
    pub(super) fn check_frame(
        &self,
        opcode: OpCode,
        payload_len: u64,
        limit: usize,
    ) -> Result<(), ProtocolError> {
        let buffered = match (&self.partial, opcode) {
            (None, OpCode::Continuation) => return Err(ProtocolError::UnexpectedContinuation),
            (Some(_), OpCode::Text | OpCode::Binary) => {
                return Err(ProtocolError::UnfinishedMessage)
            }
            (Some(p), _) => p.data.len() as u64,
            (None, _) => 0,
        };
        let size = buffered + payload_len;
        if size > limit as u64 {
            return Err(ProtocolError::MessageTooBig { size, limit });
        }
        Ok(())
    }

    /// Adds a whole data frame that passed [`Reassembly::check_frame`] against `limit`;
    /// returns the message it completes, if it does.
    pub(super) fn frame(
        &mut self,
        opcode: OpCode,
        fin: bool,
        payload: &[u8],
        limit: usize,
    ) -> Result<Option<Message>, ProtocolError> {
        if opcode != OpCode::Continuation {
            let text = opcode == OpCode::Text;
            if fin {
                return complete(text, payload.to_vec()).map(Some);
            }
            self.partial = Some(Partial {
                text,
                data: Vec::new(),
                utf8_checked: 0,
                compressed: false,
            });
        }
        let Some(p) = self.partial.as_mut() else {
            return Err(ProtocolError::UnexpectedContinuation);
        };
        grow(&mut p.data, payload.len(), limit)?;
        p.data.extend_from_slice(payload);
        self.fragment_done(fin)
    }

    /// After a frame's payload was appended: on FIN, the whole message (validated);
    /// otherwise checks the UTF-8 received so far, so bad text fails early.
    pub(super) fn fragment_done(&mut self, fin: bool) -> Result<Option<Message>, ProtocolError> {
        if fin {
            return match self.partial.take() {
                Some(mut p) => {
                    if p.data.capacity() - p.data.len() > p.data.len() / 8 {
                        // Room reserved for a larger message: give it back (no copy).
                        p.data.shrink_to_fit();
                    }
                    complete(p.text, p.data).map(Some)
                }
                None => Err(ProtocolError::UnexpectedContinuation),
            };
        }
        match self.partial.as_mut() {
            Some(p) if p.text => match check_utf8(&p.data, &mut p.utf8_checked, false) {
                true => Ok(None),
                false => Err(ProtocolError::InvalidUtf8),
            },
            _ => Ok(None),
        }
    }

    /// Whether the message in progress is compressed (permessage-deflate).
    pub(super) fn is_compressed(&self) -> bool {
        self.partial.as_ref().is_some_and(|p| p.compressed)
    }

    /// Starts a compressed message: its first frame (`opcode` text or binary) had RSV1.
    pub(super) fn begin_compressed(&mut self, opcode: OpCode) {
        self.partial = Some(Partial {
            text: opcode == OpCode::Text,
            data: Vec::new(),
            utf8_checked: 0,
            compressed: true,
        });
    }

    /// Inflates part of a compressed frame's payload onto the message in progress,
    /// which may not exceed `limit` bytes once inflated (checked while inflating, so a
    /// decompression bomb stops at the limit). The buffer grows as [`grow`] says.
    pub(super) fn inflate(
        &mut self,
        deflate: &mut PerMessageDeflate,
        input: &[u8],
        limit: usize,
    ) -> Result<(), ProtocolError> {
        let Some(p) = self.partial.as_mut() else {
            return Err(ProtocolError::UnexpectedContinuation);
        };
        deflate.inflate_onto(input, &mut p.data, limit, |data, extra| {
            grow(data, extra, limit)
        })
    }

    /// Starts receiving the payload of a data frame (that passed
    /// [`Reassembly::check_frame`] against `limit`) straight into the message buffer;
    /// `have` is the part already in the input buffer, still masked with `mask` if the
    /// frame is.
    pub(super) fn begin_direct(
        &mut self,
        opcode: OpCode,
        fin: bool,
        payload_len: usize,
        mask: Option<[u8; 4]>,
        have: &[u8],
        limit: usize,
    ) -> Result<(), ProtocolError> {
        if opcode != OpCode::Continuation {
            let data = if fin {
                // Exactly the message; calloc'd, so large buffers need no zeroing pass.
                vec![0u8; payload_len]
            } else {
                Vec::new()
            };
            self.partial = Some(Partial {
                text: opcode == OpCode::Text,
                data,
                utf8_checked: 0,
                compressed: false,
            });
        }
        let Some(p) = self.partial.as_mut() else {
            return Err(ProtocolError::UnexpectedContinuation);
        };
        let start = if fin && opcode != OpCode::Continuation {
            0
        } else {
            let start = p.data.len();
            grow(&mut p.data, payload_len, limit)?;
            p.data.resize(start + payload_len, 0);
            start
        };
        p.data[start..start + have.len()].copy_from_slice(have);
        self.direct = Some(Direct {
            start,
            filled: start + have.len(),
            fin,
            mask,
        });
        Ok(())
    }

    /// Whether a frame's payload is being received directly.
    pub(super) fn is_direct(&self) -> bool {
        self.direct.is_some()
    }

    /// Payload bytes the directly received frame still needs.
    pub(super) fn direct_remaining(&self) -> usize {
        match (&self.direct, &self.partial) {
            (Some(d), Some(p)) => p.data.len() - d.filled,
            _ => 0,
        }
    }

    /// Where the rest of the directly received payload goes: exactly what it still needs.
    pub(super) fn direct_space(&mut self) -> Option<&mut [u8]> {
        let filled = self.direct.as_ref()?.filled;
        let p = self.partial.as_mut()?;
        Some(&mut p.data[filled..]).filter(|s| !s.is_empty())
    }

    /// Records `n` bytes written into [`Reassembly::direct_space`].
    pub(super) fn commit_direct(&mut self, n: usize) {
        if let (Some(d), Some(p)) = (self.direct.as_mut(), &self.partial) {
            d.filled = (d.filled + n).min(p.data.len());
        }
    }

    /// Once the directly received payload is complete: the message it completes, if any.
    pub(super) fn finish_direct(&mut self) -> Result<Option<Message>, ProtocolError> {
        let Some(d) = self.direct.take() else {
            return Ok(None);
        };
        if let (Some(key), Some(p)) = (d.mask, self.partial.as_mut()) {
            apply_mask(&mut p.data[d.start..d.filled], key);
        }
        self.fragment_done(d.fin)
    }

    /// Forgets the message in progress (the connection failed or closed).
    pub(super) fn clear(&mut self) {
        self.partial = None;
        self.direct = None;
    }
}
