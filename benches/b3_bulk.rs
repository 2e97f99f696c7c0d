//! B3, bulk numeric data: a 6 MB `Vec<[f32; 12]>`, a 64 MB `Vec<f64>` and a 16 MB `Vec<u8>`,
//! against `memcpy` of the same bytes (into a new buffer, and into a reused one), `Clone` and
//! raw serde + bincode 1.3; Python pickles the same numbers as `array` and the blob as
//! `bytes` (`benches/python_baseline.py`).
//!
//! `cargo bench --bench b3_bulk`

mod common;

use std::hint::black_box;

use common::Sizes;
use criterion::{BenchmarkId, Criterion, Throughput};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// `Vec<[f32; 12]>` is not registered at top level (generic containers are registered for
/// each derived type, not for arrays of primitives), so it goes in a struct of its own.
#[derive(copyreg::Reducible, Serialize, serde::Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Rows")]
struct Rows(Vec<[f32; 12]>);

/// One scenario: `value`, whose in-memory payload is `bytes` long.
fn bench<T>(c: &mut Criterion, scenario: &str, value: &T, payload: &[u8], sizes: &mut Sizes)
where
    T: copyreg::Reducible + Serialize + DeserializeOwned + Clone + PartialEq + std::fmt::Debug,
{
    let mut group = c.benchmark_group(scenario);
    group.throughput(Throughput::Bytes(payload.len() as u64));
    group.sample_size(10);
    // dumps and loads return a new Vec, so their memcpy is into a new one too (for 64 MB,
    // that is mostly the page faults of fresh memory); dumps_into reuses a buffer, as the
    // memcpy it is compared with does.
    group.bench_function(BenchmarkId::new("dumps", "memcpy"), |b| {
        b.iter(|| black_box(payload).to_vec())
    });
    group.bench_function(BenchmarkId::new("loads", "memcpy"), |b| {
        b.iter(|| black_box(payload).to_vec())
    });
    let mut target = vec![0u8; payload.len()];
    group.bench_function(BenchmarkId::new("dumps_into", "memcpy"), |b| {
        b.iter(|| target.copy_from_slice(black_box(payload)))
    });
    let mut buffer = Vec::new();
    group.bench_function(BenchmarkId::new("dumps_into", "copyreg"), |b| {
        b.iter(|| {
            buffer.clear();
            copyreg::dumps_into(black_box(value), &mut buffer).unwrap();
        })
    });
    common::versus_bincode(&mut group, scenario, value, sizes);
    group.bench_function(BenchmarkId::new("copy", "copyreg"), |b| {
        b.iter(|| copyreg::copy(black_box(value)).unwrap())
    });
    group.bench_function(BenchmarkId::new("copy", "Clone"), |b| {
        b.iter(|| black_box(value).clone())
    });
    group.finish();
}

fn b3(c: &mut Criterion) {
    let mut sizes = Sizes::default();

    let rows = Rows(
        (0..131_072)
            .map(|i| std::array::from_fn(|j| (i * 12 + j) as f32 * 0.25))
            .collect(),
    );
    let row_bytes: Vec<u8> = rows
        .0
        .iter()
        .flatten()
        .flat_map(|f| f.to_le_bytes())
        .collect();
    common::write_bytes("b3_f32", &row_bytes);
    bench(c, "B3/f32x12 6MB", &rows, &row_bytes, &mut sizes);
    drop(rows);

    let floats: Vec<f64> = (0..8_388_608).map(|i| i as f64 * 0.5).collect();
    let float_bytes: Vec<u8> = floats.iter().flat_map(|f| f.to_le_bytes()).collect();
    common::write_bytes("b3_f64", &float_bytes);
    bench(c, "B3/f64 64MB", &floats, &float_bytes, &mut sizes);
    drop(floats);

    let blob: Vec<u8> = (0..16 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    common::write_bytes("b3_blob", &blob);
    bench(c, "B3/blob 16MB", &blob, &blob, &mut sizes);

    sizes.write("b3");
}

bench_main!(b3);
