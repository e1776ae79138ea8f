//! The checks the sequence procedures share (strings, vectors, bytevectors): allocation
//! sizes, optional `[start [end]]` ranges, indexes and copies.

use crate::run::value::{Error, NResult};
use std::ops::Range;

/// The largest number of elements `make-string`, `make-vector` and friends will allocate.
pub const MAX_ALLOC: usize = 1 << 28;

/// An allocation size, checked against [`MAX_ALLOC`].
pub fn alloc_size(k: usize) -> NResult<usize> {
    if k > MAX_ALLOC {
        return Err(Error::range(format!("length {k} is too large")));
    }
    Ok(k)
}

/// The range the optional `start` and `end` arguments select in a sequence of length
/// `len` (all of it by default), checking `start <= end <= len`.
pub fn range(start: Option<usize>, end: Option<usize>, len: usize) -> NResult<Range<usize>> {
    let (start, end) = (start.unwrap_or(0), end.unwrap_or(len));
    if end > len {
        return Err(Error::range(format!(
            "end index {end} out of range for length {len}"
        )));
    }
    if start > end {
        return Err(Error::range(format!(
            "start index {start} is greater than end index {end}"
        )));
    }
    Ok(start..end)
}

/// The error for index `i` past the end of a sequence of length `len`.
pub fn out_of_range(i: usize, len: usize) -> Error {
    Error::range(format!("index {i} out of range for length {len}"))
}

/// Copies `src` into `dst` at index `at` (`(vector-copy! to at from)` and friends);
/// `items` names what is copied and `seq` the sequence, for the error.
pub fn copy_into<T: Copy>(
    dst: &mut [T],
    at: usize,
    src: &[T],
    items: &str,
    seq: &str,
) -> NResult<()> {
    let len = dst.len();
    if at > len || len - at < src.len() {
        return Err(Error::range(format!(
            "cannot copy {} {items} to index {at} of a {seq} of length {len}",
            src.len()
        )));
    }
    dst[at..at + src.len()].copy_from_slice(src);
    Ok(())
}
