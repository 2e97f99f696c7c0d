//! B10, objects on the move.
//!
//! - `dump` through a `BufWriter` and `load` through a `BufReader`, 100 values one after
//!   another, against `dumps` and `loads` of the same 100 values: what the streams over I/O
//!   cost beyond the byte strings. For B1's small struct and B2's batch of 1,000 records.
//! - A `Pickled<Vec<Log>>` inside a serde struct, written and read back through bincode and
//!   loaded, against the same struct holding the `Vec<Log>` itself, through bincode: what a
//!   copyreg value costs inside a serde transport.
//!
//! `cargo bench -p copyreg-benches --bench b10_move`

mod common;

use std::any::Any;
use std::hint::black_box;
use std::io::{self, BufReader, BufWriter};

use common::data::{batch, small, Log};
use copyreg::serde::Pickled;
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use serde::{Deserialize, Serialize};

/// Values written and read per measurement.
const RUN: usize = 100;

fn streams_over_io<T: Any + PartialEq + std::fmt::Debug>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    value: &T,
) {
    let one = copyreg::dumps(value).unwrap();
    let many = one.repeat(RUN);
    let mut reader = many.as_slice();
    for _ in 0..RUN {
        assert_eq!(&copyreg::load::<T>(&mut reader).unwrap(), value);
    }
    assert!(reader.is_empty());

    group.bench_function(BenchmarkId::new("write", "dump+BufWriter"), |b| {
        b.iter(|| {
            let mut out = BufWriter::new(io::sink());
            for _ in 0..RUN {
                copyreg::dump(black_box(value), &mut out).unwrap();
            }
            out
        })
    });
    group.bench_function(BenchmarkId::new("write", "dumps"), |b| {
        b.iter(|| {
            for _ in 0..RUN {
                black_box(copyreg::dumps(black_box(value)).unwrap());
            }
        })
    });
    group.bench_function(BenchmarkId::new("read", "load+BufReader"), |b| {
        b.iter(|| {
            let mut input = BufReader::new(black_box(many.as_slice()));
            for _ in 0..RUN {
                black_box(copyreg::load::<T>(&mut input).unwrap());
            }
        })
    });
    group.bench_function(BenchmarkId::new("read", "loads"), |b| {
        b.iter(|| {
            for stream in black_box(many.as_slice()).chunks(one.len()) {
                black_box(copyreg::loads::<T>(stream).unwrap());
            }
        })
    });
}

#[derive(Serialize, Deserialize, PartialEq, Debug)]
struct Plain {
    seq: u64,
    logs: Vec<Log>,
}

#[derive(Serialize, Deserialize)]
struct Carried {
    seq: u64,
    logs: Pickled<Vec<Log>>,
}

fn b10(c: &mut Criterion) {
    let mut group = c.benchmark_group("B10/small");
    streams_over_io(&mut group, &small());
    group.finish();
    let mut group = c.benchmark_group("B10/batch 1000");
    streams_over_io(&mut group, &batch(1000));
    group.finish();

    let logs = batch(1000);
    let plain = Plain {
        seq: 7,
        logs: logs.clone(),
    };
    let carried = Carried {
        seq: 7,
        logs: Pickled::new(&logs).unwrap(),
    };
    let mut sizes = common::Sizes::default();
    sizes.add(
        "B10/serde 1000",
        "Pickled in bincode",
        bincode::serialize(&carried).unwrap().len(),
    );
    sizes.add(
        "B10/serde 1000",
        "serde+bincode",
        bincode::serialize(&plain).unwrap().len(),
    );
    sizes.write("b10");

    let mut group = c.benchmark_group("B10/serde 1000");
    group.bench_function(BenchmarkId::new("round trip", "Pickled in bincode"), |b| {
        b.iter(|| {
            let carried = Carried {
                seq: 7,
                logs: Pickled::new(black_box(&logs)).unwrap(),
            };
            let wire = bincode::serialize(&carried).unwrap();
            let back: Carried = bincode::deserialize(&wire).unwrap();
            (back.seq, back.logs.load().unwrap())
        })
    });
    group.bench_function(BenchmarkId::new("round trip", "serde+bincode"), |b| {
        b.iter(|| {
            let wire = bincode::serialize(black_box(&plain)).unwrap();
            bincode::deserialize::<Plain>(&wire).unwrap()
        })
    });
    group.finish();
}

bench_main!(b10);
