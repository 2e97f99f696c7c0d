//! B4, dictionaries in the shapes of pyperformance's `pickle_dict`: a `HashMap<String, Value>`
//! of 33 entries, and a map of 100 maps of 10 entries each, against raw serde + bincode 1.3;
//! Python pickles the same dicts (`benches/python_baseline.py`).
//!
//! `cargo bench --bench b4_dict`

mod common;

use std::collections::HashMap;

use common::data::{nested, profile, Profile, Records, Value};
use common::Sizes;
use criterion::Criterion;
use serde::de::DeserializeOwned;
use serde::Serialize;

impl Value {
    /// The plain int, string, bool or list Python's dict holds.
    fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Int(n) => (*n).into(),
            Value::Str(s) => s.as_str().into(),
            Value::Flag(b) => (*b).into(),
            Value::List(items) => items.as_slice().into(),
        }
    }
}

fn fixture(map: &HashMap<String, Value>) -> serde_json::Value {
    map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()
}

fn bench<T>(c: &mut Criterion, scenario: &str, value: &T, sizes: &mut Sizes)
where
    T: copyreg::Reducible + Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let mut group = c.benchmark_group(scenario);
    common::versus_bincode(&mut group, scenario, value, sizes);
    group.finish();
}

fn b4(c: &mut Criterion) {
    let mut sizes = Sizes::default();
    let profile = Profile(profile());
    common::write_fixture("b4_profile", &fixture(&profile.0));
    bench(c, "B4/dict 33", &profile, &mut sizes);
    let nested = Records(nested());
    let nested_fixture: serde_json::Map<_, _> = nested
        .0
        .iter()
        .map(|(k, v)| (k.clone(), fixture(v)))
        .collect();
    common::write_fixture("b4_nested", &nested_fixture);
    bench(c, "B4/dict 100x10", &nested, &mut sizes);
    sizes.write("b4");
}

bench_main!(b4);
