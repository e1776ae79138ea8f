//! The input buffer: received bytes not yet decoded into frames.
//!
//! Reads go straight into its free space ([`InputBuffer::space`] then
//! [`InputBuffer::commit`]); decoded frames are consumed from the front. It starts
//! small and grows only for a frame that needs more room, so thousands of mostly idle
//! connections stay cheap.

use std::ops::Range;

/// Largest size of one read into the input buffer.
pub(super) const READ_CHUNK: usize = 64 * 1024;

/// First size of a read: small, so idle connections stay cheap; it doubles (up to
/// [`READ_CHUNK`]) whenever a read fills it.
pub(super) const FIRST_READ_CHUNK: usize = 4 * 1024;

/// Received bytes in `buf[start..end]`.
#[derive(Debug)]
pub(super) struct InputBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// Bytes the frame being received still needs (0 when unknown or complete).
    want: usize,
    /// Current read size (see [`FIRST_READ_CHUNK`]).
    chunk: usize,
}

impl InputBuffer {
    /// An empty buffer (allocates on first read).
    pub(super) fn new() -> InputBuffer {
        InputBuffer {
            buf: Vec::new(),
            start: 0,
            end: 0,
            want: 0,
            chunk: FIRST_READ_CHUNK,
        }
    }

    /// The bytes received and not consumed yet.
    pub(super) fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Consumes the first `n` bytes of `data()` and returns where they are, for
    /// [`InputBuffer::get`]: they stay in place until the next [`InputBuffer::space`].
    pub(super) fn take(&mut self, n: usize) -> Range<usize> {
        let from = self.start;
        self.start = (self.start + n).min(self.end);
        from..self.start
    }

    /// Bytes by a range from [`InputBuffer::take`].
    pub(super) fn get(&self, range: Range<usize>) -> &[u8] {
        &self.buf[range]
    }

    /// Bytes by a range from [`InputBuffer::take`], to change in place (unmasking).
    pub(super) fn get_mut(&mut self, range: Range<usize>) -> &mut [u8] {
        &mut self.buf[range]
    }

    /// Drops everything.
    pub(super) fn clear(&mut self) {
        self.start = 0;
        self.end = 0;
        self.want = 0;
    }

    /// Records how many more bytes the frame being received needs.
    pub(super) fn set_want(&mut self, n: usize) {
        self.want = n;
    }

    /// Suggested size for the next read.
    pub(super) fn hint(&self) -> usize {
        self.want.max(self.chunk)
    }

    /// Free space at the end, at least `min` bytes (and at least what the frame being
    /// received still needs); call [`InputBuffer::commit`] with the bytes written.
    pub(super) fn space(&mut self, min: usize) -> &mut [u8] {
        let min = min.max(self.want).max(1);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
        if self.buf.len() - self.end < min {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            if self.buf.len() - self.end < min {
                self.buf.resize(self.end + min, 0);
            }
        }
        &mut self.buf[self.end..]
    }

    /// Records that `n` bytes were written into the slice from [`InputBuffer::space`].
    pub(super) fn commit(&mut self, n: usize) {
        self.end = (self.end + n).min(self.buf.len());
        if n >= self.chunk {
            self.chunk = (self.chunk * 2).min(READ_CHUNK);
        }
    }

    /// Allocated size (for tests of idle memory).
    #[cfg(test)]
    pub(super) fn capacity(&self) -> usize {
        self.buf.len()
    }
}
