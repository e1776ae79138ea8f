//! Masking throughput on 1 MiB compared with a plain memcpy of 1 MiB.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sigil_ws::mask::{apply_mask, copy_and_mask};
use std::hint::black_box;

const SIZE: usize = 1 << 20;

fn bench(c: &mut Criterion) {
    let src = vec![0xa5u8; SIZE];
    let mut dst = vec![0u8; SIZE];
    let key = [0x12, 0x34, 0x56, 0x78];
    let mut group = c.benchmark_group("1MiB");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.bench_function("memcpy", |b| {
        b.iter(|| dst.copy_from_slice(black_box(&src)))
    });
    group.bench_function("apply_mask", |b| {
        b.iter(|| apply_mask(black_box(&mut dst), key))
    });
    group.bench_function("apply_mask_unaligned", |b| {
        b.iter(|| apply_mask(black_box(&mut dst[1..]), key))
    });
    group.bench_function("copy_and_mask", |b| {
        b.iter(|| copy_and_mask(black_box(&src), &mut dst, key))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
