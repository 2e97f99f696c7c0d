//! B6, shared references: a DAG of 10,000 `Arc` nodes in which 30% of the child links point
//! to a node that another link already reaches. copyreg's dumps, loads and deepcopy keep the
//! sharing; Python's `copy.deepcopy` and a pickle round trip of the same graph are the
//! baselines (`benches/python_baseline.py`), and Apache Fory's serialize and deserialize of
//! a mirror of the graph, which keep the sharing as well. B6/memo is pyperformance's `deepcopy_memo` data:
//! one list of 100 integers referred to 103 times.
//!
//! `cargo bench --bench b6_shared`

mod common;

use std::hint::black_box;
use std::sync::Arc;

use criterion::{BenchmarkId, Criterion};

use common::data::{build, links, memo, Graph, Memo, Node, NODES};

/// Distinct nodes reachable from `root`, which a copy that keeps sharing preserves.
fn distinct(root: &Arc<Node>) -> usize {
    let mut seen = std::collections::HashSet::new();
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if seen.insert(Arc::as_ptr(n)) {
            stack.extend(&n.children);
        }
    }
    seen.len()
}

fn b6(c: &mut Criterion) {
    let children = links();
    let root = Graph {
        root: build(&children),
    };
    assert_eq!(distinct(&root.root), NODES);
    common::write_fixture("b6", &children);

    let stream = copyreg::dumps(&root).unwrap();
    assert_eq!(
        distinct(&copyreg::loads::<Graph>(&stream).unwrap().root),
        NODES
    );
    assert_eq!(distinct(&copyreg::deepcopy(&root).unwrap().root), NODES);
    let mut sizes = common::Sizes::default();
    sizes.add("B6", "copyreg", stream.len());

    let mut group = c.benchmark_group("B6");
    // Apache Fory, which keeps the sharing too.
    let mirrored = common::fory::graph(&children);
    let fory_distinct = |g: &common::fory::FGraph| {
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![&g.root];
        while let Some(n) = stack.pop() {
            if seen.insert(Arc::as_ptr(n)) {
                stack.extend(&n.children);
            }
        }
        seen.len()
    };
    assert_eq!(fory_distinct(&mirrored), NODES);
    common::fory::versus_fory_with(
        &mut group,
        "B6",
        &mirrored,
        &mut sizes,
        common::fory::fory,
        |back| fory_distinct(back) == NODES,
    );
    group.bench_function(BenchmarkId::new("dumps", "copyreg"), |b| {
        b.iter(|| copyreg::dumps(black_box(&root)).unwrap())
    });
    group.bench_function(BenchmarkId::new("loads", "copyreg"), |b| {
        b.iter(|| copyreg::loads::<Graph>(black_box(&stream)).unwrap())
    });
    group.bench_function(BenchmarkId::new("round trip", "copyreg"), |b| {
        b.iter(|| {
            let bytes = copyreg::dumps(black_box(&root)).unwrap();
            copyreg::loads::<Graph>(&bytes).unwrap()
        })
    });
    group.bench_function(BenchmarkId::new("deepcopy", "copyreg"), |b| {
        b.iter(|| copyreg::deepcopy(black_box(&root)).unwrap())
    });
    // Python's own format, sharing kept in its memo: CPython loads these bytes in
    // python_baseline.py.
    let pickle = copyreg::python::dumps(&root).unwrap();
    let back = copyreg::python::loads::<Graph>(&pickle).unwrap();
    assert_eq!(distinct(&back.root), NODES);
    common::write_bytes("b6_pickle", &pickle);
    sizes.add("B6", "copyreg python", pickle.len());
    group.bench_function(BenchmarkId::new("python dumps", "copyreg"), |b| {
        b.iter(|| copyreg::python::dumps(black_box(&root)).unwrap())
    });
    group.bench_function(BenchmarkId::new("python loads", "copyreg"), |b| {
        b.iter(|| copyreg::python::loads::<Graph>(black_box(&pickle)).unwrap())
    });
    group.finish();

    let memo = memo();
    let copy = copyreg::deepcopy(&memo).unwrap();
    assert!(Arc::ptr_eq(&copy.a.0, &copy.b[99]) && !Arc::ptr_eq(&copy.a.0, &memo.a.0));
    let stream = copyreg::dumps(&memo).unwrap();
    let back = copyreg::loads::<Memo>(&stream).unwrap();
    assert!(Arc::ptr_eq(&back.a.2, &back.b[0]));
    sizes.add("B6/memo", "copyreg", stream.len());
    let mut group = c.benchmark_group("B6/memo");
    group.bench_function(BenchmarkId::new("deepcopy", "copyreg"), |b| {
        b.iter(|| copyreg::deepcopy(black_box(&memo)).unwrap())
    });
    group.bench_function(BenchmarkId::new("round trip", "copyreg"), |b| {
        b.iter(|| {
            let bytes = copyreg::dumps(black_box(&memo)).unwrap();
            copyreg::loads::<Memo>(&bytes).unwrap()
        })
    });
    group.finish();
    sizes.write("b6");
}

bench_main!(b6);
