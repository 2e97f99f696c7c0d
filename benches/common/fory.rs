//! Apache Fory, the Rust serializer nearest to copyreg in features, as a baseline (#16): the
//! shared data mirrored as Fory structs (mirrored, not derived on `data.rs`'s types, because
//! `benches/profile` includes that file without depending on Fory), and Fory in its native
//! mode (`xlang(false)`), with `compatible(true)` (its default) and `compatible(false)`.

use std::hint::black_box;
use std::sync::Arc;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, BenchmarkId};
use fory::{Fory, ForyStruct};

use super::data::{Log, Small};
use super::Sizes;

/// The two modes measured, by the names the report uses.
pub const MODES: [(&str, bool); 2] = [("fory", true), ("fory compatible(false)", false)];

#[derive(ForyStruct, Clone, Debug, PartialEq, Default)]
pub struct FSmall {
    pub x: f64,
    pub y: f64,
    pub z: f64,
    pub id: i64,
    pub label: String,
}

impl From<&Small> for FSmall {
    fn from(s: &Small) -> Self {
        FSmall {
            x: s.x,
            y: s.y,
            z: s.z,
            id: s.id,
            label: s.label.clone(),
        }
    }
}

#[derive(ForyStruct, Clone, Debug, PartialEq, Default)]
pub struct FLog {
    pub host: String,
    pub path: String,
    pub agent: String,
    pub message: String,
    pub status: u16,
    pub bytes: u64,
    pub millis: u32,
}

impl From<&Log> for FLog {
    fn from(l: &Log) -> Self {
        FLog {
            host: l.host.clone(),
            path: l.path.clone(),
            agent: l.agent.clone(),
            message: l.message.clone(),
            status: l.status,
            bytes: l.bytes,
            millis: l.millis,
        }
    }
}

/// B6's node, with Fory's own tracking of shared `Arc`s.
#[derive(ForyStruct, Debug, Default)]
pub struct FNode {
    pub id: u32,
    pub children: Vec<Arc<FNode>>,
}

/// B6's graph.
#[derive(ForyStruct, Debug, Default)]
pub struct FGraph {
    pub root: Arc<FNode>,
}

/// B6's graph as `data::build` makes it, of Fory nodes.
#[allow(dead_code)] // B6's only
pub fn graph(children: &[Vec<usize>]) -> FGraph {
    FGraph {
        root: super::data::build_with(children, |id, children| FNode { id, children }),
    }
}

/// Fory in its native mode, with every mirrored type registered.
pub fn fory(compatible: bool) -> Fory {
    let mut fory = Fory::builder().xlang(false).compatible(compatible).build();
    fory.register::<FSmall>(100).unwrap();
    fory.register::<FLog>(101).unwrap();
    fory.register::<FNode>(102).unwrap();
    fory.register::<FGraph>(103).unwrap();
    fory
}

/// Adds Fory's serialize and deserialize of `value`, in both modes, to `group` as `dumps`
/// and `loads`, after checking the round trip; records the streams' sizes.
pub fn versus_fory<T>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    scenario: &str,
    value: &T,
    sizes: &mut Sizes,
) where
    T: fory::Serializer<Target = T> + PartialEq + std::fmt::Debug,
{
    versus_fory_with(group, scenario, value, sizes, fory, |back| back == value);
}

/// [`versus_fory`] with the Fory that `make` builds for each mode, and `same` to check the
/// round trip (for values without `PartialEq`: trait objects, shared graphs).
pub fn versus_fory_with<T>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    scenario: &str,
    value: &T,
    sizes: &mut Sizes,
    make: impl Fn(bool) -> Fory,
    same: impl Fn(&T) -> bool,
) where
    T: fory::Serializer<Target = T>,
{
    for (name, compatible) in MODES {
        let fory = make(compatible);
        let bytes = fory.serialize(value).unwrap();
        assert!(
            same(&fory.deserialize::<T>(&bytes).unwrap()),
            "{name}: round trip"
        );
        sizes.add(scenario, name, bytes.len());
        group.bench_function(BenchmarkId::new("dumps", name), |b| {
            b.iter(|| fory.serialize(black_box(value)).unwrap())
        });
        group.bench_function(BenchmarkId::new("loads", name), |b| {
            b.iter(|| fory.deserialize::<T>(black_box(&bytes)).unwrap())
        });
    }
}
