//! What every benchmark shares: criterion's settings, and the fixtures it writes for
//! `benches/python_baseline.py`, so that Python pickles exactly the data Rust measured.

#![allow(dead_code)] // each bench uses part of this module

use std::path::PathBuf;
use std::time::Duration;

use criterion::Criterion;
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
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-fixtures");
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

/// Records stream sizes for the report: `(scenario, implementation, bytes)`, one file per
/// bench, replaced on each run.
pub fn write_sizes(bench: &str, sizes: &[(&str, &str, usize)]) {
    let rows: Vec<_> = sizes
        .iter()
        .map(|(scenario, what, bytes)| {
            serde_json::json!({ "scenario": scenario, "impl": what, "bytes": bytes })
        })
        .collect();
    write_fixture(&format!("{bench}.sizes"), &rows);
}
