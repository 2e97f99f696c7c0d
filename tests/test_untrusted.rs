//! Hostile input: every truncation and single-bit flip of real streams is an error or a
//! value, never a panic, and no load allocates much more than the input's size.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::{Rc, Weak};

use copyreg::{Error, Reducible};
use serde::{Deserialize, Serialize};

mod common;
#[path = "common/counting.rs"]
mod counting;

/// Runs `f`, returning the total and the largest single allocation it made.
fn measure(f: impl FnOnce()) -> (usize, usize) {
    let measured = counting::measure(f);
    (measured.allocated, measured.largest)
}

/// How many allocations `f` makes.
fn allocations(f: impl FnOnce()) -> usize {
    counting::measure(f).allocations
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Meta {
    tags: Vec<String>,
    weights: Vec<u64>,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "hostile.Item")]
enum Item {
    Empty,
    Word(String),
    Pair { a: u64, b: Vec<u16> },
}

#[derive(Reducible, Debug)]
#[reducer(name = "hostile.Node")]
struct Node {
    name: String,
    parent: Weak<RefCell<Node>>,
    children: Vec<Rc<RefCell<Node>>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "hostile.Doc")]
struct Doc {
    items: Vec<Item>,
    index: BTreeMap<String, Vec<Item>>,
    meta: Meta,
    tree: Rc<RefCell<Node>>,
}

fn doc() -> Doc {
    let tree = Rc::new(RefCell::new(Node {
        name: "root".into(),
        parent: Weak::new(),
        children: vec![],
    }));
    let child = Rc::new(RefCell::new(Node {
        name: "leaf".into(),
        parent: Rc::downgrade(&tree),
        children: vec![],
    }));
    tree.borrow_mut().children.push(child);
    Doc {
        items: vec![
            Item::Empty,
            Item::Word("w".into()),
            Item::Pair {
                a: 7,
                b: vec![1, 2],
            },
        ],
        index: [("k".to_string(), vec![Item::Word("x".into())])].into(),
        meta: Meta {
            tags: vec!["t".into()],
            weights: vec![1, 2, 3],
        },
        tree,
    }
}

fn streams() -> Vec<Vec<u8>> {
    vec![
        copyreg::dumps(&doc()).unwrap(),
        copyreg::dumps(
            &(0..20)
                .map(|_| Item::Word("abc".into()))
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        copyreg::dumps(&vec![String::from("s"); 10]).unwrap(),
    ]
}

/// Loads `bytes` as every type the streams hold, and through `loads_any`.
fn load_all(bytes: &[u8]) {
    let _ = copyreg::loads::<Doc>(bytes);
    let _ = copyreg::loads::<Vec<Item>>(bytes);
    let _ = copyreg::loads::<Vec<String>>(bytes);
    let _ = copyreg::loads_any(bytes);
}

/// The most a load of `len` input bytes may allocate in these tests: a small multiple of
/// the input, plus the registry snapshot and the constants of a call.
fn bound(len: usize) -> usize {
    64 * len + 64 * 1024
}

#[test]
fn truncations_and_bit_flips_are_errors_or_values_with_bounded_allocation() {
    // Build the registry and its caches outside the measurement.
    load_all(&streams()[0]);
    let mut worst = (0usize, 0usize);
    for stream in streams() {
        let mut cases: Vec<Vec<u8>> = (0..stream.len()).map(|n| stream[..n].to_vec()).collect();
        for bit in 0..stream.len() * 8 {
            let mut flipped = stream.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            cases.push(flipped);
        }
        for case in &cases {
            let (total, largest) = measure(|| load_all(case));
            assert!(
                total <= bound(case.len()),
                "{total} bytes for an input of {}",
                case.len()
            );
            worst = worst.max((total, case.len()));
            assert!(largest <= bound(case.len()));
        }
    }
    println!(
        "largest total allocation: {} bytes for an input of {} bytes",
        worst.0, worst.1
    );
}

#[test]
fn a_tiny_stream_claiming_a_huge_collection_allocates_nothing_big() {
    load_all(&streams()[0]);
    for name in ["Vec<String>", "hostile.Doc"] {
        let mut body = vec![1];
        body.extend(common::varint(1 << 60));
        let stream = common::stream(&[name], &body);
        let (total, largest) = measure(|| load_all(&stream));
        assert!(largest < 4096, "{largest} bytes at once for {name}");
        assert!(total < 64 * 1024, "{total} bytes for {name}");
    }
    // Inside a serde field: the meta's `tags` claims 2^60 strings.
    let good = copyreg::dumps(&doc()).unwrap();
    let mut body = common::body(&good).to_vec();
    // `tags` is ["t"], `weights` [1, 2, 3].
    let meta = [1, 1, b't', 3, 1, 2, 3];
    let tags = body.windows(meta.len()).position(|w| w == meta).unwrap();
    body.splice(tags..tags + 1, common::varint(1 << 60));
    let stream = common::with_body(&good, &body);
    let (_, largest) = measure(|| assert!(copyreg::loads::<Doc>(&stream).is_err()));
    assert!(largest <= bound(stream.len()), "{largest}");
}

/// A recursive type only serde knows: bincode alone would recurse once per level.
#[derive(Serialize, Deserialize, Debug, PartialEq)]
enum Json {
    Null,
    Array(Vec<Json>),
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "hostile.Holder")]
struct Holder {
    json: Json,
}

#[test]
fn a_deeply_nested_serde_value_is_an_error_not_a_stack_overflow() {
    let shallow = Holder {
        json: Json::Array(vec![Json::Array(vec![Json::Null])]),
    };
    let bytes = copyreg::dumps(&shallow).unwrap();
    assert_eq!(copyreg::loads::<Holder>(&bytes).unwrap(), shallow);

    // 100,000 levels of `Array([...])`, each a variant index and a length of one.
    let mut body = vec![1];
    for _ in 0..100_000 {
        body.extend_from_slice(&[1, 1]);
    }
    body.push(0);
    let stream = common::stream(&["hostile.Holder"], &body);
    let err = copyreg::loads::<Holder>(&stream).unwrap_err();
    assert!(err.to_string().contains("nested more than"), "{err}");
}

trait Shape: std::any::Any {}

#[derive(Reducible, Debug)]
#[reducer(name = "hostile.Dot", dyn(Shape))]
struct Dot(u8);

impl Shape for Dot {}

copyreg::register_foreign!(
    std::time::Duration,
    reduce = |d: &std::time::Duration| (d.as_secs(), d.subsec_nanos()),
    construct = std::time::Duration::new,
);

#[derive(Reducible)]
#[reducer(name = "hostile.Message")]
struct Message {
    label: String,
    took: std::time::Duration,
    shape: Box<dyn Shape>,
}

#[test]
fn a_small_dumps_allocates_only_its_stream_and_a_small_loads_only_its_value() {
    let message = Message {
        label: "twelve chars".into(),
        took: std::time::Duration::from_millis(1500),
        shape: Box::new(Dot(7)),
    };
    // The first call builds the registry.
    let bytes = copyreg::dumps(&message).unwrap();
    assert_eq!(allocations(|| drop(copyreg::dumps(&message).unwrap())), 1);
    // The label's `String` and the `Box` behind the trait object.
    assert_eq!(
        allocations(|| drop(copyreg::loads::<Message>(&bytes).unwrap())),
        2
    );
}

thread_local! {
    static BUILT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts its constructions, and refuses an id it has built before on this thread: a
/// constructor that is not idempotent.
#[derive(Reducible, Debug)]
#[reducer(name = "hostile.Id", fn = |id: &Id| (id.0,), constructor = Id::claim)]
struct Id(u32);

impl Id {
    fn claim(id: u32) -> Result<Id, String> {
        thread_local! {
            static CLAIMED: RefCell<std::collections::HashSet<u32>> = RefCell::default();
        }
        BUILT.with(|n| n.set(n.get() + 1));
        match CLAIMED.with(|c| c.borrow_mut().insert(id)) {
            true => Ok(Id(id)),
            false => Err(format!("id {id} is taken")),
        }
    }
}

#[derive(Reducible, Debug)]
#[reducer(name = "hostile.Outer")]
struct Outer {
    a: Rc<Inner>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "hostile.Inner")]
struct Inner {
    b: Rc<Id>,
}

#[test]
fn a_stream_cannot_mark_an_allocation_nothing_points_back_to_as_cyclic() {
    let outer = |id| Outer {
        a: Rc::new(Inner { b: Rc::new(Id(id)) }),
    };
    let stream = copyreg::dumps(&outer(1)).unwrap();
    // Outer's ref, `0` (a new shared value, `1` if marked cyclic); Inner's ref, `0`; Id's
    // ref and argument.
    let body = common::body(&stream);
    assert_eq!(body, [1, 0, 2, 0, 3, 1]);
    let flags = [1, 3];
    BUILT.with(|n| n.set(0));
    for (id, marked) in [(2u32, &flags[..1]), (3, &flags[1..]), (4, &flags[..])] {
        let honest = copyreg::dumps(&outer(id + 100)).unwrap();
        let mut body = common::body(&honest).to_vec();
        for &at in marked {
            body[at] = 1;
        }
        let hostile = common::with_body(&honest, &body);
        match copyreg::loads::<Outer>(&hostile) {
            Err(Error::Malformed { reason, .. }) => {
                assert!(reason.contains("none points back"), "{reason}")
            }
            other => panic!("{marked:?}: {other:?}"),
        }
    }
    // Each hostile stream was refused after one trial: each id was claimed once.
    assert_eq!(BUILT.with(std::cell::Cell::get), 3);
    // The honest stream builds each object once.
    copyreg::loads::<Outer>(&copyreg::dumps(&outer(77)).unwrap()).unwrap();
    assert_eq!(BUILT.with(std::cell::Cell::get), 4);
}

#[test]
fn a_deep_copy_of_an_allocation_whose_weak_is_held_outside_copies_it_once() {
    let inner = Rc::new(Inner {
        b: Rc::new(Id(900)),
    });
    let _held_outside = Rc::downgrade(&inner);
    let outer = Outer { a: inner };
    let before = BUILT.with(std::cell::Cell::get);
    let copy = copyreg::deepcopy(&outer).unwrap();
    assert_eq!(BUILT.with(std::cell::Cell::get) - before, 1);
    assert_eq!(copy.a.b.0, 900);
    assert!(!Rc::ptr_eq(&copy.a, &outer.a));
}
