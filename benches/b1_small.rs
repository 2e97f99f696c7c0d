//! B1, one small object: a struct of five fields (three `f64`, an `i64`, a 12-character
//! `String`), against raw serde + bincode 1.3 and `Clone`, measured in the same run.
//!
//! `cargo bench --bench b1_small`

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use serde::{Deserialize, Serialize};

#[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Small")]
struct Small {
    x: f64,
    y: f64,
    z: f64,
    id: i64,
    label: String,
}

fn small() -> Small {
    Small {
        x: 1.5,
        y: -2.25,
        z: 3.125,
        id: 42,
        label: "twelve chars".into(),
    }
}

fn b1(c: &mut Criterion) {
    let value = small();
    let stream = copyreg::dumps(&value).unwrap();
    let raw = bincode::serialize(&value).unwrap();
    assert_eq!(copyreg::loads::<Small>(&stream).unwrap(), value);

    let mut dumps = c.benchmark_group("B1/dumps");
    dumps.bench_function("copyreg", |b| {
        b.iter(|| copyreg::dumps(black_box(&value)).unwrap())
    });
    dumps.bench_function("serde+bincode", |b| {
        b.iter(|| bincode::serialize(black_box(&value)).unwrap())
    });
    dumps.finish();

    let mut loads = c.benchmark_group("B1/loads");
    loads.bench_function("copyreg", |b| {
        b.iter(|| copyreg::loads::<Small>(black_box(&stream)).unwrap())
    });
    loads.bench_function("serde+bincode", |b| {
        b.iter(|| bincode::deserialize::<Small>(black_box(&raw)).unwrap())
    });
    loads.finish();

    let mut copy = c.benchmark_group("B1/copy");
    copy.bench_function("copyreg::copy", |b| {
        b.iter(|| copyreg::copy(black_box(&value)).unwrap())
    });
    copy.bench_function("copyreg::deepcopy", |b| {
        b.iter(|| copyreg::deepcopy(black_box(&value)).unwrap())
    });
    copy.bench_function("Clone", |b| b.iter(|| black_box(&value).clone()));
    copy.finish();
}

criterion_group!(benches, b1);
criterion_main!(benches);
