//! What every benchmark shares: criterion's settings, and the fixtures it writes for
//! `benches/python_baseline.py`, so that Python pickles exactly the data Rust measured.

#![allow(dead_code)] // each bench uses part of this module

pub mod data;
pub mod fory;

use std::path::PathBuf;
use std::time::Duration;

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId, Criterion};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Short runs: the suite has ~80 measurements and must finish in minutes on 2 cores.
pub fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

/// `target/bench-fixtures`, where fixtures and the Python results go.
pub fn fixture_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-fixtures");
    std::fs::create_dir_all(&dir).expect("create target/bench-fixtures");
    dir
}

/// Writes `value` as JSON to `target/bench-fixtures/<name>.json`.
pub fn write_fixture<T: Serialize + ?Sized>(name: &str, value: &T) {
    let path = fixture_dir().join(format!("{name}.json"));
    let file = std::fs::File::create(&path).expect("create fixture");
    serde_json::to_writer(std::io::BufWriter::new(file), value).expect("write fixture");
}

/// Writes raw bytes to `target/bench-fixtures/<name>.bin`.
pub fn write_bytes(name: &str, bytes: &[u8]) {
    std::fs::write(fixture_dir().join(format!("{name}.bin")), bytes).expect("write fixture");
}

/// Stream sizes for the report: `(scenario, implementation, bytes)`.
#[derive(Default)]
pub struct Sizes(Vec<(String, &'static str, usize)>);

impl Sizes {
    pub fn add(&mut self, scenario: &str, implementation: &'static str, bytes: usize) {
        self.0.push((scenario.to_string(), implementation, bytes));
    }

    /// Writes `target/bench-fixtures/<bench>.sizes.json`, replacing an earlier run's.
    pub fn write(&self, bench: &str) {
        let rows: Vec<_> = self
            .0
            .iter()
            .map(|(scenario, what, bytes)| {
                serde_json::json!({ "scenario": scenario, "impl": what, "bytes": bytes })
            })
            .collect();
        write_fixture(&format!("{bench}.sizes"), &rows);
    }
}

/// Adds copyreg's `dumps` and `loads` of `value` and raw serde + bincode's to `group`, after
/// checking that copyreg's stream loads back equal; records both streams' sizes.
pub fn versus_bincode<T>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    scenario: &str,
    value: &T,
    sizes: &mut Sizes,
) where
    T: copyreg::Reducible + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let stream = copyreg::dumps(value).unwrap();
    let raw = bincode::serialize(value).unwrap();
    assert!(copyreg::loads::<T>(&stream).unwrap() == *value);
    sizes.add(scenario, "copyreg", stream.len());
    sizes.add(scenario, "serde+bincode", raw.len());
    group.bench_function(BenchmarkId::new("dumps", "copyreg"), |b| {
        b.iter(|| copyreg::dumps(black_box(value)).unwrap())
    });
    group.bench_function(BenchmarkId::new("dumps", "serde+bincode"), |b| {
        b.iter(|| bincode::serialize(black_box(value)).unwrap())
    });
    group.bench_function(BenchmarkId::new("loads", "copyreg"), |b| {
        b.iter(|| copyreg::loads::<T>(black_box(&stream)).unwrap())
    });
    group.bench_function(BenchmarkId::new("loads", "serde+bincode"), |b| {
        b.iter(|| bincode::deserialize::<T>(black_box(&raw)).unwrap())
    });
}

/// `main` for a bench: its functions, with the suite's criterion settings.
#[macro_export]
macro_rules! bench_main {
    ($($bench:path),+) => {
        criterion::criterion_group! {
            name = benches;
            config = common::criterion();
            targets = $($bench),+
        }
        criterion::criterion_main!(benches);
    };
}
