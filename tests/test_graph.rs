//! Object graphs: shared `Arc`/`Rc`, parent links through `Weak`, cycles.

mod common;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use copyreg::{Error, Reducible};

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "graph.Config")]
struct Config {
    host: String,
    blob: Vec<u8>,
}

#[derive(Reducible, Debug)]
struct Task {
    id: u32,
    config: Arc<Config>,
}

#[derive(Reducible, Debug)]
struct Batch {
    tasks: Vec<Task>,
    default: Option<Arc<Config>>,
    by_name: HashMap<String, Arc<Config>>,
    pair: (Arc<Config>, Arc<Config>),
}

// Top-level streams of std composites name a registered type.
copyreg::register!(Vec<Arc<Config>>);
copyreg::register!(Rc<RefCell<Node>>);
copyreg::register!(Rc<RefCell<Strong>>);

fn config() -> Arc<Config> {
    Arc::new(Config {
        host: "db".into(),
        blob: vec![7; 4096],
    })
}

fn batch(shared: &Arc<Config>, other: &Arc<Config>) -> Batch {
    Batch {
        tasks: (0..3)
            .map(|id| Task {
                id,
                config: shared.clone(),
            })
            .collect(),
        default: Some(shared.clone()),
        by_name: HashMap::from([("main".to_string(), shared.clone())]),
        pair: (other.clone(), shared.clone()),
    }
}

fn assert_shape(b: &Batch) {
    let first = &b.tasks[0].config;
    assert!(b.tasks.iter().all(|t| Arc::ptr_eq(&t.config, first)));
    assert!(Arc::ptr_eq(b.default.as_ref().unwrap(), first));
    assert!(Arc::ptr_eq(&b.by_name["main"], first));
    assert!(Arc::ptr_eq(&b.pair.1, first));
    assert!(!Arc::ptr_eq(&b.pair.0, first));
}

#[test]
fn sharing_survives_dumps_and_loads() {
    let (shared, other) = (config(), config());
    let bytes = copyreg::dumps(&batch(&shared, &other)).unwrap();
    let back = copyreg::loads::<Batch>(&bytes).unwrap();
    assert_shape(&back);
    assert_eq!(*back.tasks[0].config, *shared);
    assert!(!Arc::ptr_eq(&back.tasks[0].config, &shared));
}

#[test]
fn a_shared_value_is_written_once() {
    let shared = config();
    let one = copyreg::dumps(&vec![shared.clone()]).unwrap();
    let thousand = copyreg::dumps(&vec![shared.clone(); 1000]).unwrap();
    // Each further reference costs one varint of one or two bytes.
    assert!(
        thousand.len() - one.len() <= 2 * 999,
        "{} vs {}",
        thousand.len(),
        one.len()
    );
    println!(
        "one Arc<Config>: {} bytes; 1000 clones: {} bytes",
        one.len(),
        thousand.len()
    );
    let back = copyreg::loads::<Vec<Arc<Config>>>(&thousand).unwrap();
    assert!(back.iter().all(|c| Arc::ptr_eq(c, &back[0])));
}

/// Which of `list`'s items share an allocation with which earlier item.
fn sharing(list: &[Arc<Config>]) -> Vec<usize> {
    list.iter()
        .map(|c| list.iter().position(|d| Arc::ptr_eq(c, d)).unwrap())
        .collect()
}

#[test]
fn runs_and_alternations_of_shared_values_keep_their_pattern() {
    let (a, b, c) = (config(), config(), config());
    let list: Vec<Arc<Config>> = [&a, &a, &b, &a, &b, &b, &c, &a, &c, &c, &b]
        .into_iter()
        .cloned()
        .collect();
    let pattern = sharing(&list);
    assert_eq!(pattern, [0, 0, 2, 0, 2, 2, 6, 0, 6, 6, 2]);
    let back = copyreg::loads::<Vec<Arc<Config>>>(&copyreg::dumps(&list).unwrap()).unwrap();
    assert_eq!(sharing(&back), pattern);
    let deep = copyreg::deepcopy(&list).unwrap();
    assert_eq!(sharing(&deep), pattern);
    assert!(deep
        .iter()
        .all(|copy| list.iter().all(|item| !Arc::ptr_eq(copy, item))));
    let shallow = copyreg::copy(&list).unwrap();
    assert!(shallow
        .iter()
        .zip(&list)
        .all(|(copy, item)| Arc::ptr_eq(copy, item)));
}

#[test]
fn copy_shares_the_originals_and_deepcopy_mirrors_the_sharing() {
    let (shared, other) = (config(), config());
    let original = batch(&shared, &other);

    let shallow = copyreg::copy(&original).unwrap();
    assert!(Arc::ptr_eq(&shallow.tasks[0].config, &shared));
    assert_shape(&shallow);

    let deep = copyreg::deepcopy(&original).unwrap();
    assert_shape(&deep);
    assert!(!Arc::ptr_eq(&deep.tasks[0].config, &shared));
    assert!(!Arc::ptr_eq(&deep.pair.0, &other));
    assert_eq!(*deep.pair.0, *other);
}

/// A tree whose nodes point back to their parent.
#[derive(Reducible, Debug)]
#[reducer(name = "graph.Node")]
struct Node {
    label: String,
    parent: Weak<RefCell<Node>>,
    children: Vec<Rc<RefCell<Node>>>,
}

fn node(label: &str, parent: &Rc<RefCell<Node>>) -> Rc<RefCell<Node>> {
    let child = Rc::new(RefCell::new(Node {
        label: label.into(),
        parent: Rc::downgrade(parent),
        children: vec![],
    }));
    parent.borrow_mut().children.push(child.clone());
    child
}

fn tree() -> Rc<RefCell<Node>> {
    let root = Rc::new(RefCell::new(Node {
        label: "root".into(),
        parent: Weak::new(),
        children: vec![],
    }));
    let a = node("a", &root);
    node("a1", &a);
    node("a2", &a);
    node("b", &root);
    root
}

/// Walks the tree, checking that every child's parent link leads back to its parent.
fn check_links(node: &Rc<RefCell<Node>>) -> usize {
    let mut count = 1;
    for child in &node.borrow().children {
        let parent = child
            .borrow()
            .parent
            .upgrade()
            .expect("parent link restored");
        assert!(
            Rc::ptr_eq(&parent, node),
            "{}'s parent",
            child.borrow().label
        );
        count += check_links(child);
    }
    count
}

#[test]
fn parent_links_round_trip_and_deep_copy() {
    let root = tree();
    assert_eq!(check_links(&root), 5);

    let bytes = copyreg::dumps(&root).unwrap_or_else(|e| panic!("{e}"));
    let back = copyreg::loads::<Rc<RefCell<Node>>>(&bytes).unwrap();
    assert_eq!(check_links(&back), 5);
    assert!(back.borrow().parent.upgrade().is_none());
    assert_eq!(
        back.borrow().children[0].borrow().children[1]
            .borrow()
            .label,
        "a2"
    );

    let deep = copyreg::deepcopy(&root).unwrap();
    assert_eq!(check_links(&deep), 5);
    assert!(!Rc::ptr_eq(&deep, &root));
    let deep_a = deep.borrow().children[0].clone();
    let a = root.borrow().children[0].clone();
    assert!(!Rc::ptr_eq(&deep_a, &a));
}

#[test]
fn a_weak_to_something_outside_the_value_loads_dangling() {
    let root = tree();
    let a = root.borrow().children[0].clone();
    // `a`'s parent is not part of what is dumped.
    let back = copyreg::loads::<Rc<RefCell<Node>>>(&copyreg::dumps(&a).unwrap()).unwrap();
    assert!(back.borrow().parent.upgrade().is_none());
    assert_eq!(check_links(&back), 3);
    // A deep copy keeps such a link pointing where the original did, as Python's does.
    let deep = copyreg::deepcopy(&a).unwrap();
    assert!(Rc::ptr_eq(&deep.borrow().parent.upgrade().unwrap(), &root));
}

#[derive(Reducible, Debug)]
struct Strong {
    next: Option<Rc<RefCell<Strong>>>,
}

#[test]
fn a_cycle_of_strong_references_is_an_error_not_a_hang() {
    let a = Rc::new(RefCell::new(Strong { next: None }));
    let b = Rc::new(RefCell::new(Strong {
        next: Some(a.clone()),
    }));
    a.borrow_mut().next = Some(b.clone());

    let err = copyreg::dumps(&a).unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");
    assert!(err.to_string().contains("Weak"), "{err}");
    assert!(matches!(copyreg::deepcopy(&a), Err(Error::Cycle { .. })));
    // Shallow copy shares, so it has nothing to follow.
    assert!(copyreg::copy(&a).is_ok());
    a.borrow_mut().next = None; // break the cycle so the test does not leak
}

#[test]
fn a_stream_cannot_build_a_strong_cycle() {
    // A shared value whose content refers back to itself: a back reference to an
    // allocation still being built.
    let bytes = copyreg::dumps(&Rc::new(RefCell::new(Strong { next: None }))).unwrap();
    let mut body = common::body(&bytes).to_vec();
    // ... Some(...) then a back reference to shared value #1 (written k + 2 for the k-th,
    // counted from 0), the one being built.
    *body.last_mut().unwrap() = 1;
    body.push(2);
    let evil = common::with_body(&bytes, &body);
    let err = copyreg::loads::<Rc<RefCell<Strong>>>(&evil).unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");
}

#[test]
fn a_back_reference_before_any_shared_value_is_malformed() {
    // The stream's first shared pointer refers back to shared value #1, which no shared
    // pointer has written.
    let bytes = copyreg::dumps(&Rc::new(RefCell::new(Strong { next: None }))).unwrap();
    // The value's constructor reference, then the pointer: a back reference to #1 (written
    // k + 2 for the k-th, counted from 0).
    let evil = common::with_body(&bytes, &[common::body(&bytes)[0], 2]);
    let err = copyreg::loads::<Rc<RefCell<Strong>>>(&evil).unwrap_err();
    assert!(matches!(err, Error::Malformed { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains("#1, which the stream has not written"),
        "{err}"
    );
}

#[test]
fn a_mutably_borrowed_cell_is_an_error() {
    let cell = Rc::new(RefCell::new(Strong { next: None }));
    let _guard = cell.borrow_mut();
    assert!(matches!(copyreg::dumps(&cell), Err(Error::Borrowed { .. })));
}

#[derive(Reducible, Debug)]
struct Cache {
    /// Comes first, and points at what `owner` owns.
    hot: Weak<RefCell<Node>>,
    owner: Rc<RefCell<Node>>,
}

copyreg::register!(Cache);

fn leaf(label: &str) -> Rc<RefCell<Node>> {
    Rc::new(RefCell::new(Node {
        label: label.into(),
        parent: Weak::new(),
        children: vec![],
    }))
}

#[test]
fn a_weak_that_comes_before_its_target_is_restored() {
    let owner = leaf("owned");
    let cache = Cache {
        hot: Rc::downgrade(&owner),
        owner,
    };
    let back = copyreg::loads::<Cache>(&copyreg::dumps(&cache).unwrap()).unwrap();
    assert!(Rc::ptr_eq(&back.hot.upgrade().unwrap(), &back.owner));
    assert_eq!(back.owner.borrow().label, "owned");

    let deep = copyreg::deepcopy(&cache).unwrap();
    assert!(Rc::ptr_eq(&deep.hot.upgrade().unwrap(), &deep.owner));
    assert!(!Rc::ptr_eq(&deep.owner, &cache.owner));

    // Pointing at the root of a tree with parent links works too: the root is written
    // where the Weak is, and the children's links lead back to it.
    let root = tree();
    let cache = Cache {
        hot: Rc::downgrade(&root),
        owner: root,
    };
    let back = copyreg::loads::<Cache>(&copyreg::dumps(&cache).unwrap()).unwrap();
    assert!(Rc::ptr_eq(&back.hot.upgrade().unwrap(), &back.owner));
    assert_eq!(check_links(&back.owner), 5);
}

#[test]
fn registering_a_derived_type_again_is_harmless() {
    // `Cache` derives Reducible and is also named by register!: the same registration twice.
    let table = copyreg::dispatch_table();
    assert!(table.contains::<Cache>());
    assert!(table.contains::<Vec<Cache>>());
    let caches = vec![Cache {
        hot: Weak::new(),
        owner: leaf("x"),
    }];
    let back = copyreg::loads::<Vec<Cache>>(&copyreg::dumps(&caches).unwrap()).unwrap();
    assert_eq!(back[0].owner.borrow().label, "x");
}

#[test]
fn a_weak_before_a_node_deep_in_its_owner_cannot_be_rebuilt_and_says_so() {
    // The node's ancestors own it, and it links back to them: written where the Weak is, it
    // would need its ancestors first. Putting the owner first is the fix.
    let root = tree();
    let deep_node = root.borrow().children[0].borrow().children[1].clone();
    let cache = Cache {
        hot: Rc::downgrade(&deep_node),
        owner: root.clone(),
    };
    let err = copyreg::dumps(&cache).unwrap_err();
    assert!(matches!(err, Error::Cycle { .. }), "{err:?}");
    assert!(err.to_string().contains("before"), "{err}");
}

#[derive(Reducible, Debug)]
#[reducer(name = "graph.Twice")]
struct Twice {
    first: Arc<Config>,
    again: Arc<Config>,
}

/// A `Twice` whose second pointer is to another type, under a name as long.
#[derive(Reducible, Debug)]
#[reducer(name = "graph.Mixed")]
struct Mixed {
    first: Arc<Config>,
    again: Arc<String>,
}

#[test]
fn a_back_reference_to_a_shared_value_of_another_type_is_a_type_mismatch() {
    let shared = config();
    let mut bytes = copyreg::dumps(&Twice {
        first: Arc::clone(&shared),
        again: shared,
    })
    .unwrap();
    // The same stream, read as written, keeps the sharing.
    let twice = copyreg::loads::<Twice>(&bytes).unwrap();
    assert!(Arc::ptr_eq(&twice.first, &twice.again));
    // Renamed to a `Mixed`, its second pointer refers back to a `Config` where a `String`
    // is expected.
    let at = bytes.windows(11).position(|w| w == b"graph.Twice").unwrap();
    bytes[at..at + 11].copy_from_slice(b"graph.Mixed");
    match copyreg::loads::<Mixed>(&bytes).unwrap_err() {
        Error::TypeMismatch { found, .. } => assert_eq!(found, "a shared value of another type"),
        other => panic!("expected a type mismatch, got {other}"),
    }
}
