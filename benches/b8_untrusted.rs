//! B8, time per input byte: `loads` of the stream shapes that make a load work hardest for
//! each byte it is given (elements that take no bytes, sets of them, deep nesting, a big name
//! table, long runs of back references, deep serde values), next to an ordinary record batch
//! (B2's 10,000 records), all measured in the same run. Each hostile stream is about 64 KiB
//! and as costly as the default limits let it be; `report.py` divides each median by the
//! stream's length. Target (#14): the worst within 50x of the batch's ns per byte.
//!
//! `cargo bench --bench b8_untrusted`

mod common;
// How streams are laid out, shared with the tests that build streams by hand.
#[path = "../tests/common/mod.rs"]
mod layout;

use std::collections::HashSet;
use std::hint::black_box;
use std::rc::{Rc, Weak};

use common::data::{batch, Log};
use copyreg::Reducible;
use criterion::{BenchmarkId, Criterion, Throughput};
use serde::{Deserialize, Serialize};

/// About how long each hostile stream is.
const SIZE: usize = 64 * 1024;

/// Unit-like, and only serde knows it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Flag;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct Flags(Vec<Flag>);

/// A recursive type only serde knows.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Json {
    Null,
    Array(Vec<Json>),
}

/// Units as many as the stream's bytes, which a string pays for: what the default element
/// limit allows.
#[derive(Reducible, Debug)]
#[reducer(name = "b8.Units")]
struct Units {
    pad: String,
    units: Vec<()>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "b8.SerdeUnits")]
struct SerdeUnits {
    pad: String,
    flags: Flags,
}

/// Sets of units, each claiming as many as the default element limit lets the stream hold:
/// a string pays for them.
#[derive(Reducible, Debug)]
#[reducer(name = "b8.UnitSets")]
struct UnitSets {
    pad: String,
    sets: Vec<HashSet<()>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "b8.Chain")]
struct Chain {
    next: Option<Box<Chain>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "b8.Chains")]
struct Chains(Vec<Chain>);

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "b8.Leaf")]
struct Leaf(u8);

#[derive(Reducible, Debug)]
#[reducer(name = "b8.Shared")]
struct Shared(Vec<Rc<Leaf>>);

#[derive(Reducible, Debug)]
#[reducer(name = "b8.Deep")]
struct Deep(Vec<Json>);

/// A node whose child points back to it: every node is built with `new_cyclic`, so the
/// outermost of each chain is read twice (tried, then built).
#[derive(Reducible, Debug)]
#[reducer(name = "b8.Link")]
struct Link {
    up: Weak<Link>,
    next: Option<Rc<Link>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "b8.Links")]
struct Links(Vec<Rc<Link>>);

/// A chain of `depth` links, each child's `up` pointing at its parent.
fn link(up: Weak<Link>, depth: usize) -> Rc<Link> {
    Rc::new_cyclic(|me| Link {
        up,
        next: (depth > 1).then(|| link(me.clone(), depth - 1)),
    })
}

/// `stream` with its name table repeated until the stream is about `SIZE` bytes: every entry
/// is read, looked up and kept, though the body names only the first.
fn with_big_table(small: &[u8]) -> Vec<u8> {
    let entry = layout::table(small);
    let table = entry.repeat(SIZE / entry.len());
    layout::framed(4, &table, layout::body(small))
}

/// The hostile shapes: (name, stream).
fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let units = copyreg::dumps(&Units {
        pad: "x".repeat(SIZE),
        units: vec![(); SIZE],
    })
    .unwrap();
    let serde_units = copyreg::dumps(&SerdeUnits {
        pad: "x".repeat(SIZE),
        flags: Flags(vec![Flag; SIZE]),
    })
    .unwrap();
    // Sets that each claim 7 units in their one-byte length: every unit is inserted. The
    // sets are the body's last bytes.
    let count = SIZE / 8;
    let sets = UnitSets {
        pad: "x".repeat(SIZE - count),
        sets: vec![[()].into(); count],
    };
    let sets_stream = copyreg::dumps(&sets).unwrap();
    let mut sets_body = layout::body(&sets_stream).to_vec();
    let end = sets_body.len();
    sets_body[end - count..].fill(7);
    let sets_stream = layout::framed(4, layout::table(&sets_stream), &sets_body);
    // Chains as deep as the default depth allows, one after another.
    let chain = (1..copyreg::MAX_DEPTH - 2).fold(Chain { next: None }, |c, _| Chain {
        next: Some(Box::new(c)),
    });
    let empty = copyreg::dumps(&Chains(vec![])).unwrap().len();
    let per_chain = copyreg::dumps(&Chains(vec![chain])).unwrap().len() - empty;
    let chains: Vec<Chain> = (0..SIZE / per_chain)
        .map(|_| {
            (1..copyreg::MAX_DEPTH - 2).fold(Chain { next: None }, |c, _| Chain {
                next: Some(Box::new(c)),
            })
        })
        .collect();
    let chains = copyreg::dumps(&Chains(chains)).unwrap();
    // One allocation, then a back reference to it per byte.
    let leaf = Rc::new(Leaf(1));
    let shared = copyreg::dumps(&Shared(vec![leaf; SIZE - 32])).unwrap();
    // serde values as deep as the guard allows, one after another.
    let deep_one = (1..160).fold(Json::Null, |j, _| Json::Array(vec![j]));
    let per_deep = copyreg::dumps(&Deep(vec![deep_one])).unwrap().len();
    let deep = Deep(
        (0..SIZE / per_deep)
            .map(|_| (1..160).fold(Json::Null, |j, _| Json::Array(vec![j])))
            .collect(),
    );
    let deep = copyreg::dumps(&deep).unwrap();
    let table = with_big_table(&copyreg::dumps(&Leaf(1)).unwrap());
    // Chains of parent links as deep as the default depth allows (three levels a link).
    let per_links = copyreg::dumps(&Links(vec![link(Weak::new(), 600)]))
        .unwrap()
        .len();
    let links = Links(
        (0..SIZE / per_links + 1)
            .map(|_| link(Weak::new(), 600))
            .collect(),
    );
    let links = copyreg::dumps(&links).unwrap();
    vec![
        ("units", units),
        ("serde units", serde_units),
        ("unit sets", sets_stream),
        ("deep nesting", chains),
        ("back references", shared),
        ("deep serde", deep),
        ("name table", table),
        ("parent links", links),
    ]
}

fn b8(c: &mut Criterion) {
    let mut sizes = common::Sizes::default();
    let mut group = c.benchmark_group("B8");
    let ordinary = copyreg::dumps(&batch(10_000)).unwrap();
    sizes.add("B8/ordinary batch", "copyreg", ordinary.len());
    group.throughput(Throughput::Bytes(ordinary.len() as u64));
    group.bench_function(BenchmarkId::new("loads", "ordinary batch"), |b| {
        b.iter(|| copyreg::loads::<Vec<Log>>(black_box(&ordinary)).unwrap())
    });
    for (name, stream) in shapes() {
        // Each loads, or fails only at its end: the work is all done either way.
        let loaded = copyreg::loads_any(&stream);
        assert!(
            loaded.is_ok() || name == "name table",
            "{name}: {:?}",
            loaded.err()
        );
        sizes.add(&format!("B8/{name}"), "copyreg", stream.len());
        group.throughput(Throughput::Bytes(stream.len() as u64));
        group.bench_function(BenchmarkId::new("loads", name), |b| {
            b.iter(|| copyreg::loads_any(black_box(&stream)).is_ok())
        });
    }
    group.finish();
    sizes.write("b8");
}

bench_main!(b8);
