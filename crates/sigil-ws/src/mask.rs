//! Payload masking (RFC 6455 §5.3): XOR with a 4-byte key, a machine word at a time.

use std::mem::MaybeUninit;

/// Repeats the 4-byte key into a native-endian 64-bit word.
fn key_word(key: [u8; 4]) -> u64 {
    u64::from_ne_bytes([
        key[0], key[1], key[2], key[3], key[0], key[1], key[2], key[3],
    ])
}

/// The key as seen from payload offset `offset`.
fn rotate(key: [u8; 4], offset: usize) -> [u8; 4] {
    let s = offset & 3;
    [key[s], key[(s + 1) & 3], key[(s + 2) & 3], key[(s + 3) & 3]]
}

/// Masks (or unmasks: the operation is its own inverse) `data` in place with `key`,
/// with `data[0]` taken as payload offset 0.
///
/// Bytes up to the first 16-byte boundary are done one at a time; the rest as 64-bit
/// words starting on that boundary, which the compiler turns into aligned SIMD XORs.
pub fn apply_mask(data: &mut [u8], key: [u8; 4]) {
    let head_len = data.as_ptr().align_offset(16).min(data.len());
    let (head, body) = data.split_at_mut(head_len);
    for (i, b) in head.iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
    let key = rotate(key, head_len);
    // SAFETY: any bit pattern is a valid u64, and `align_to_mut` only hands out
    // correctly aligned words that lie inside `body`.
    let (pre, words, tail) = unsafe { body.align_to_mut::<u64>() };
    debug_assert!(pre.is_empty(), "body starts 16-byte aligned");
    let k = key_word(key);
    for w in words.iter_mut() {
        *w ^= k;
    }
    // The words cover a multiple of 4 bytes, so the tail starts with the same rotation.
    for (i, b) in tail.iter_mut().enumerate() {
        *b ^= key[i & 3];
    }
}

/// [`apply_mask`] for a piece of a payload that starts at payload offset `offset`
/// (for payloads unmasked piece by piece as they arrive).
pub fn apply_mask_at(data: &mut [u8], key: [u8; 4], offset: usize) {
    apply_mask(data, rotate(key, offset));
}

/// Copies `src` into `dst` while masking it with `key`, in a single pass
/// (stores aligned on `dst` as in [`apply_mask`], loads unaligned from `src`).
///
/// # Panics
/// Panics if `src` and `dst` differ in length.
pub fn copy_and_mask(src: &[u8], dst: &mut [u8], key: [u8; 4]) {
    // SAFETY: `[u8]` and `[MaybeUninit<u8>]` have the same layout, and
    // `copy_and_mask_uninit` only stores initialized bytes, so `dst` stays initialized.
    let dst = unsafe { &mut *(dst as *mut [u8] as *mut [MaybeUninit<u8>]) };
    copy_and_mask_uninit(src, dst, key);
}

/// [`copy_and_mask`] into possibly uninitialized memory (such as a `Vec`'s spare
/// capacity), so a frame encoder need not zero its buffer first. Every byte of `dst`
/// is initialized on return.
///
/// # Panics
/// Panics if `src` and `dst` differ in length.
pub fn copy_and_mask_uninit(src: &[u8], dst: &mut [MaybeUninit<u8>], key: [u8; 4]) {
    assert_eq!(src.len(), dst.len(), "copy_and_mask: length mismatch");
    let head_len = dst.as_ptr().align_offset(16).min(dst.len());
    let (dst_head, dst_body) = dst.split_at_mut(head_len);
    let (src_head, src_body) = src.split_at(head_len);
    for (i, (d, s)) in dst_head.iter_mut().zip(src_head).enumerate() {
        d.write(s ^ key[i & 3]);
    }
    let key = rotate(key, head_len);
    // SAFETY: `MaybeUninit<u64>` has no validity requirement, and `align_to_mut` only
    // hands out correctly aligned words that lie inside `dst_body`.
    let (pre, words, tail) = unsafe { dst_body.align_to_mut::<MaybeUninit<u64>>() };
    debug_assert!(pre.is_empty(), "body starts 16-byte aligned");
    let (src_words, src_tail) = src_body.split_at(words.len() * 8);
    let k = key_word(key);
    for (w, s) in words.iter_mut().zip(src_words.chunks_exact(8)) {
        let mut b = [0u8; 8];
        b.copy_from_slice(s);
        w.write(u64::from_ne_bytes(b) ^ k);
    }
    for (i, (d, s)) in tail.iter_mut().zip(src_tail).enumerate() {
        d.write(s ^ key[i & 3]);
    }
}

/// Draws a fresh masking key from the operating system's CSPRNG via `rand`'s thread RNG
/// (a ChaCha-based CSPRNG seeded from the OS).
pub fn generate_mask_key() -> [u8; 4] {
    rand::random()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(data: &mut [u8], key: [u8; 4]) {
        for (i, b) in data.iter_mut().enumerate() {
            *b ^= key[i % 4];
        }
    }

    #[test]
    fn matches_reference_on_all_offsets_and_lengths() {
        let key = [0x12, 0x34, 0x56, 0x78];
        let base: Vec<u8> = (0..300u32).map(|i| (i * 7 + 3) as u8).collect();
        for start in 0..17 {
            for len in 0..(base.len() - start) {
                let mut fast = base.clone();
                let mut slow = base.clone();
                apply_mask(&mut fast[start..start + len], key);
                reference(&mut slow[start..start + len], key);
                assert_eq!(fast, slow, "start {start} len {len}");
            }
        }
    }

    #[test]
    fn copy_and_mask_matches_reference() {
        let key = [0xde, 0xad, 0xbe, 0xef];
        let src: Vec<u8> = (0..257u32).map(|i| i as u8).collect();
        for start in 0..5 {
            for off in 0..17 {
                for len in [0, 1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 200] {
                    let s = &src[start..start + len];
                    let mut dst = vec![0u8; len + off];
                    copy_and_mask(s, &mut dst[off..], key);
                    let mut expect = s.to_vec();
                    reference(&mut expect, key);
                    assert_eq!(&dst[off..], &expect[..]);
                }
            }
        }
    }

    #[test]
    fn masking_in_pieces_matches_masking_whole() {
        let key = [0x37, 0xfa, 0x21, 0x3d];
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7) as u8).collect();
        let mut whole = data.clone();
        apply_mask(&mut whole, key);
        for piece in [1, 3, 5, 64, 333] {
            let mut pieces = data.clone();
            for (n, chunk) in pieces.chunks_mut(piece).enumerate() {
                apply_mask_at(chunk, key, n * piece);
            }
            assert_eq!(pieces, whole, "pieces of {piece}");
        }
    }

    #[test]
    fn mask_round_trips() {
        let key = generate_mask_key();
        let orig: Vec<u8> = (0..1001u32).map(|i| (i ^ 0x5a) as u8).collect();
        let mut data = orig.clone();
        apply_mask(&mut data, key);
        if key != [0; 4] {
            assert_ne!(data, orig);
        }
        apply_mask(&mut data, key);
        assert_eq!(data, orig);
    }

    #[test]
    fn keys_vary() {
        let keys: Vec<[u8; 4]> = (0..8).map(|_| generate_mask_key()).collect();
        assert!(keys.iter().any(|k| *k != keys[0]));
    }
}
