//! B2, a record batch: `Vec<Log>` of 100, 10,000 and 1,000,000 records (four `String`s, three
//! integers each), against raw serde + bincode 1.3, postcard, Apache Fory (both modes) and
//! `Clone`, measured in the same run; Python pickles the same records
//! (`benches/python_baseline.py`). At 10,000 records, `copyreg::python` writes and reads
//! Python's pickle format, against CPython's C pickle on the same bytes.
//!
//! `cargo bench --bench b2_batch`

mod common;

use std::hint::black_box;

use common::data::{batch, Log};
use criterion::{BenchmarkId, Criterion, Throughput};

fn b2(c: &mut Criterion) {
    let mut sizes = common::Sizes::default();
    for n in [100, 10_000, 1_000_000] {
        let value = batch(n);
        let stream = copyreg::dumps(&value).unwrap();
        let raw = bincode::serialize(&value).unwrap();
        let post = postcard::to_allocvec(&value).unwrap();
        assert_eq!(copyreg::loads::<Vec<Log>>(&stream).unwrap(), value);
        assert_eq!(postcard::from_bytes::<Vec<Log>>(&post).unwrap(), value);
        common::write_fixture(&format!("b2_{n}"), &value);
        let scenario = format!("B2/{n}");
        sizes.add(&scenario, "copyreg", stream.len());
        sizes.add(&scenario, "serde+bincode", raw.len());
        sizes.add(&scenario, "postcard", post.len());

        let mut group = c.benchmark_group(&scenario);
        group.throughput(Throughput::Elements(n as u64));
        if n == 1_000_000 {
            group.sample_size(10);
        }
        group.bench_function(BenchmarkId::new("dumps", "copyreg"), |b| {
            b.iter(|| copyreg::dumps(black_box(&value)).unwrap())
        });
        group.bench_function(BenchmarkId::new("dumps", "serde+bincode"), |b| {
            b.iter(|| bincode::serialize(black_box(&value)).unwrap())
        });
        group.bench_function(BenchmarkId::new("dumps", "postcard"), |b| {
            b.iter(|| postcard::to_allocvec(black_box(&value)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", "copyreg"), |b| {
            b.iter(|| copyreg::loads::<Vec<Log>>(black_box(&stream)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", "serde+bincode"), |b| {
            b.iter(|| bincode::deserialize::<Vec<Log>>(black_box(&raw)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", "postcard"), |b| {
            b.iter(|| postcard::from_bytes::<Vec<Log>>(black_box(&post)).unwrap())
        });
        if n == 10_000 {
            // Python's own format: CPython loads these bytes in python_baseline.py.
            let pickle = copyreg::python::dumps(&value).unwrap();
            assert_eq!(copyreg::python::loads::<Vec<Log>>(&pickle).unwrap(), value);
            common::write_bytes("b2_10000_pickle", &pickle);
            sizes.add(&scenario, "copyreg python", pickle.len());
            group.bench_function(BenchmarkId::new("python dumps", "copyreg"), |b| {
                b.iter(|| copyreg::python::dumps(black_box(&value)).unwrap())
            });
            group.bench_function(BenchmarkId::new("python loads", "copyreg"), |b| {
                b.iter(|| copyreg::python::loads::<Vec<Log>>(black_box(&pickle)).unwrap())
            });
        }
        let mirrored: Vec<common::fory::FLog> = value.iter().map(Into::into).collect();
        common::fory::versus_fory(&mut group, &scenario, &mirrored, &mut sizes);
        group.bench_function(BenchmarkId::new("copy", "copyreg"), |b| {
            b.iter(|| copyreg::copy(black_box(&value)).unwrap())
        });
        group.bench_function(BenchmarkId::new("copy", "Clone"), |b| {
            b.iter(|| black_box(&value).clone())
        });
        group.finish();
    }
    sizes.write("b2");
}

bench_main!(b2);
