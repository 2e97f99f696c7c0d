//! B1, one small object: a struct of five fields (three `f64`, an `i64`, a 12-character
//! `String`), against raw serde + bincode 1.3, Apache Fory (both modes) and `Clone`, measured
//! in the same run. The Python baseline pickles the same values
//! (`benches/python_baseline.py`).
//!
//! `cargo bench --bench b1_small`

mod common;

use std::hint::black_box;

use common::data::{small, Small};
use criterion::{BenchmarkId, Criterion};

fn b1(c: &mut Criterion) {
    let value = small();
    let stream = copyreg::dumps(&value).unwrap();
    let raw = bincode::serialize(&value).unwrap();
    assert_eq!(copyreg::loads::<Small>(&stream).unwrap(), value);
    common::write_fixture("b1", &value);
    let mut sizes = common::Sizes::default();
    sizes.add("B1", "copyreg", stream.len());
    sizes.add("B1", "serde+bincode", raw.len());

    let mut group = c.benchmark_group("B1");
    group.bench_function(BenchmarkId::new("dumps", "copyreg"), |b| {
        b.iter(|| copyreg::dumps(black_box(&value)).unwrap())
    });
    group.bench_function(BenchmarkId::new("dumps", "serde+bincode"), |b| {
        b.iter(|| bincode::serialize(black_box(&value)).unwrap())
    });
    let mut buffer = Vec::new();
    group.bench_function(BenchmarkId::new("dumps_into", "copyreg"), |b| {
        b.iter(|| {
            buffer.clear();
            copyreg::dumps_into(black_box(&value), &mut buffer).unwrap();
        })
    });
    group.bench_function(BenchmarkId::new("dumps_into", "serde+bincode"), |b| {
        b.iter(|| {
            buffer.clear();
            bincode::serialize_into(&mut buffer, black_box(&value)).unwrap();
        })
    });
    group.bench_function(BenchmarkId::new("loads", "copyreg"), |b| {
        b.iter(|| copyreg::loads::<Small>(black_box(&stream)).unwrap())
    });
    group.bench_function(BenchmarkId::new("loads", "serde+bincode"), |b| {
        b.iter(|| bincode::deserialize::<Small>(black_box(&raw)).unwrap())
    });
    common::fory::versus_fory(
        &mut group,
        "B1",
        &common::fory::FSmall::from(&value),
        &mut sizes,
    );
    group.bench_function(BenchmarkId::new("copy", "copyreg"), |b| {
        b.iter(|| copyreg::copy(black_box(&value)).unwrap())
    });
    group.bench_function(BenchmarkId::new("deepcopy", "copyreg"), |b| {
        b.iter(|| copyreg::deepcopy(black_box(&value)).unwrap())
    });
    group.bench_function(BenchmarkId::new("copy", "Clone"), |b| {
        b.iter(|| black_box(&value).clone())
    });
    group.bench_function(BenchmarkId::new("deepcopy", "Clone"), |b| {
        b.iter(|| black_box(&value).clone())
    });
    group.finish();
    sizes.write("b1");
}

bench_main!(b1);
