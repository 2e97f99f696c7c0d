//! A load's work and memory are bounded by its input and its limits, whatever shape the
//! stream takes: elements that take no bytes, collections that preallocate, name tables.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;

use copyreg::{Error, LimitKind, Reducible, Unpickler};
use serde::{Deserialize, Serialize};

mod common;
#[path = "common/counting.rs"]
mod counting;

/// What `f` returns, the bytes it allocated in all, and how many allocations it made.
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize, usize) {
    let measured = counting::measure(f);
    (measured.result, measured.allocated, measured.allocations)
}

/// The limit a load reached, if that is how it failed.
fn limit<T: std::fmt::Debug>(result: &Result<T, Error>) -> Option<LimitKind> {
    match result {
        Err(Error::Limit { which, .. }) => Some(*which),
        _ => None,
    }
}

/// Unit-like, and only serde knows it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Flag;

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct SerdeFlags {
    flags: Vec<Flag>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct SerdeUnitSet {
    set: HashSet<()>,
}

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct SerdeUnitMap {
    map: BTreeMap<(), Flag>,
}

/// A derived unit struct: one byte (its constructor reference) per element.
#[derive(Reducible, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[reducer(name = "budget.Mark")]
struct Mark;

/// Declares a derived type holding one collection, and the collection with `n` elements.
macro_rules! shapes {
    ($($name:ident($ty:ty) = |$n:ident| $value:expr;)*) => {
        $(
            #[derive(Reducible, Debug, PartialEq)]
            struct $name($ty);
        )*

        /// For each shape: its name, a stream of it holding 3 elements, and a function that
        /// loads a stream as it with the given unpickler.
        fn shapes() -> Vec<(&'static str, Vec<u8>, fn(&Unpickler, &[u8]) -> Result<(), Error>)> {
            vec![$(
                (
                    stringify!($name),
                    {
                        let $n = 3;
                        copyreg::dumps(&$name($value)).unwrap()
                    },
                    |unpickler, bytes| unpickler.loads::<$name>(bytes).map(drop),
                ),
            )*]
        }

        /// For each shape, a value of it with `n` elements.
        fn dump_with(n: usize) -> Vec<(&'static str, Vec<u8>)> {
            vec![$({
                let $n = n;
                (stringify!($name), copyreg::dumps(&$name($value)).unwrap())
            },)*]
        }
    };
}

shapes! {
    Units(Vec<()>) = |n| vec![(); n];
    Deque(VecDeque<()>) = |n| std::iter::repeat_n((), n).collect();
    UnitSet(HashSet<()>) = |n| std::iter::repeat_n((), n.min(1)).collect();
    UnitTree(BTreeSet<()>) = |n| std::iter::repeat_n((), n.min(1)).collect();
    UnitMap(HashMap<(), ()>) = |n| std::iter::repeat_n(((), ()), n.min(1)).collect();
    UnitTreeMap(BTreeMap<(), ()>) = |n| std::iter::repeat_n(((), ()), n.min(1)).collect();
    EmptyArrays(Vec<[u64; 0]>) = |n| vec![[]; n];
    Phantoms(Vec<PhantomData<String>>) = |n| vec![PhantomData; n];
    UnitPairs(Vec<((), ())>) = |n| vec![((), ()); n];
    Nested(Vec<Vec<()>>) = |n| vec![vec![(); n]];
    Flags(SerdeFlags) = |n| SerdeFlags { flags: vec![Flag; n] };
    FlagsInVec(Vec<SerdeFlags>) = |n| vec![SerdeFlags { flags: vec![Flag; n] }];
    SerdeSet(SerdeUnitSet) = |n| SerdeUnitSet { set: std::iter::repeat_n((), n.min(1)).collect() };
    SerdeMap(SerdeUnitMap) = |n| SerdeUnitMap { map: std::iter::repeat_n(((), Flag), n.min(1)).collect() };
    FlagVec(Vec<Flag>) = |n| vec![Flag; n];
    FlagSet(HashSet<Flag>) = |n| std::iter::repeat_n(Flag, n.min(1)).collect();
    FlagKeys(BTreeMap<Flag, ()>) = |n| std::iter::repeat_n((Flag, ()), n.min(1)).collect();
}

/// `stream` with its collection's length (the first byte after the constructor reference
/// that is 3, else the first that is 1: a `Vec` of one collection has both) replaced by
/// `len`.
fn claiming(stream: &[u8], len: u64) -> Vec<u8> {
    let body = common::body(stream);
    let at = [3u8, 1]
        .iter()
        .find_map(|n| body[1..].iter().position(|b| b == n))
        .expect("a stream with a collection length of 3 or 1")
        + 1;
    let mut body = body.to_vec();
    body.splice(at..at + 1, common::varint(len));
    common::with_body(stream, &body)
}

#[test]
fn a_claimed_count_of_elements_that_take_no_bytes_is_refused_before_any_work() {
    let default = Unpickler::new();
    for (name, stream, load) in shapes() {
        load(&default, &stream).unwrap_or_else(|e| panic!("{name}: {e}"));
        for len in [u64::MAX, 1 << 40, 1 << 20, 1000] {
            let hostile = claiming(&stream, len);
            let (result, allocated, _) = measure(|| load(&default, &hostile));
            match result {
                Err(Error::Limit {
                    which: LimitKind::Elements,
                    max,
                }) => assert_eq!(max, hostile.len(), "{name}"),
                other => panic!("{name} claiming {len}: {other:?}"),
            }
            assert!(allocated < 16 * 1024, "{name}: {allocated} bytes");
        }
    }
}

#[test]
fn every_element_of_every_collection_counts_toward_one_limit() {
    let loads = |max, stream: &[u8]| Unpickler::new().max_elements(max).loads_any(stream);
    for (name, stream) in dump_with(1000) {
        // The fewest elements the stream loads with: its collection's 1,000 (sets and maps:
        // 1), and the one of a `Vec` around it.
        let least = (0..=1010)
            .find(|&max| loads(max, &stream).is_ok())
            .unwrap_or_else(|| panic!("{name} does not load"));
        let expected = match name {
            "UnitSet" | "UnitTree" | "UnitMap" | "UnitTreeMap" | "SerdeSet" | "SerdeMap"
            | "FlagSet" | "FlagKeys" => 1..=1,
            "Nested" | "FlagsInVec" => 1001..=1001,
            _ => 1000..=1000,
        };
        assert!(expected.contains(&least), "{name} loads with {least}");
        assert_eq!(
            limit(&loads(least - 1, &stream)),
            Some(LimitKind::Elements),
            "{name}"
        );
    }
}

#[derive(Reducible)]
struct Sets(Vec<BTreeSet<u8>>);

#[test]
fn the_default_element_limit_admits_every_stream_whose_elements_take_bytes() {
    // One element per byte of input: streams whose elements each take a byte fit.
    let bytes = copyreg::dumps(&vec![7u8; 1 << 20]).unwrap();
    assert_eq!(copyreg::loads::<Vec<u8>>(&bytes).unwrap().len(), 1 << 20);
    let set: BTreeSet<u8> = (0..=255).collect();
    let bytes = copyreg::dumps(&Sets(vec![set; 1000])).unwrap();
    assert_eq!(copyreg::loads::<Sets>(&bytes).unwrap().0.len(), 1000);
    // Units as many as the stream's bytes load; more need `max_elements` raised. Objects
    // of unit structs are units too: a run names their constructor once.
    let units = copyreg::dumps(&vec![(); 10]).unwrap();
    assert!(copyreg::loads::<Vec<()>>(&units).is_ok());
    let marks = copyreg::dumps(&vec![Mark; 10]).unwrap();
    assert!(copyreg::loads::<Vec<Mark>>(&marks).is_ok());
    let units = copyreg::dumps(&vec![(); 1 << 20]).unwrap();
    assert_eq!(
        limit(&copyreg::loads::<Vec<()>>(&units)),
        Some(LimitKind::Elements)
    );
    let marks = copyreg::dumps(&vec![Mark; 1 << 20]).unwrap();
    assert_eq!(
        limit(&copyreg::loads::<Vec<Mark>>(&marks)),
        Some(LimitKind::Elements)
    );
    let trusted = Unpickler::new().max_elements(1 << 20);
    assert_eq!(trusted.loads::<Vec<()>>(&units).unwrap().len(), 1 << 20);
    assert_eq!(trusted.loads::<Vec<Mark>>(&marks).unwrap().len(), 1 << 20);
}

#[derive(Reducible, Debug)]
#[reducer(name = "budget.Tables")]
struct Tables {
    bytes: HashSet<u8>,
    pairs: HashMap<u8, u64>,
    deque: VecDeque<u32>,
    tree: BTreeMap<u16, u8>,
    marks: HashSet<Mark>,
}

#[test]
fn preallocation_is_charged_at_what_the_collection_really_takes() {
    // Collections whose input is all there: what loading them allocates is what the budget
    // was charged, or the load is refused before allocating.
    let tables = Tables {
        bytes: (0..=255).collect(),
        pairs: (0..=255).map(|k| (k, u64::from(k))).collect(),
        deque: (0..20_000).collect(),
        tree: (0..20_000).map(|k| (k, k as u8)).collect(),
        marks: [Mark].into(),
    };
    let stream = copyreg::dumps(&tables).unwrap();
    copyreg::loads::<Tables>(&stream).unwrap();
    for max in [1 << 12, 1 << 14, 1 << 16, 1 << 18, 1 << 20] {
        let limited = Unpickler::new().max_alloc(max);
        let (result, allocated, _) = measure(|| limited.loads::<Tables>(&stream).map(drop));
        match result {
            Ok(()) => assert!(allocated <= max, "{allocated} bytes under max_alloc({max})"),
            Err(Error::Limit {
                which: LimitKind::Allocation,
                ..
            }) => assert!(allocated <= max, "{allocated} bytes before refusing"),
            Err(e) => panic!("{e}"),
        }
    }
    // A hash set of 40,000 bytes claimed in 40,003 bytes of input takes about 128 KiB of
    // buckets: a 64 KiB budget refuses it.
    let mut body = vec![1];
    body.extend(common::varint(40_000));
    body.extend(std::iter::repeat_n(0u8, 40_000));
    body.extend_from_slice(&[0; 4]);
    let hostile = common::stream(&["budget.Tables"], &body);
    let (result, allocated, _) = measure(|| {
        Unpickler::new()
            .max_alloc(1 << 16)
            .loads::<Tables>(&hostile)
            .map(drop)
    });
    assert!(
        matches!(
            result,
            Err(Error::Limit {
                which: LimitKind::Allocation,
                ..
            })
        ),
        "{result:?}"
    );
    assert!(allocated < 1 << 16, "{allocated}");
}

/// A name table of `n` entries of compact code 99, which nothing registers.
fn unknown_codes(n: usize) -> Vec<u8> {
    let table: Vec<u8> = std::iter::repeat_n([0u8, 99], n).flatten().collect();
    common::stream_with_table(&table, &[1])
}

#[test]
fn the_name_table_is_charged_to_the_allocation_budget() {
    let stream = unknown_codes(100_000);
    let limited = Unpickler::new().max_alloc(1 << 16);
    let (result, allocated, _) = measure(|| limited.loads::<Mark>(&stream).map(drop));
    assert_eq!(limit(&result), Some(LimitKind::Allocation), "{result:?}");
    assert!(allocated < 1 << 17, "{allocated} bytes");
    // Without a tight budget: the unknown code, with no allocation per entry.
    let (result, _, few) = measure(|| copyreg::loads::<Mark>(&unknown_codes(1000)).map(drop));
    assert!(
        matches!(result, Err(Error::UnknownCode { code: 99 })),
        "{result:?}"
    );
    let (_, _, many) = measure(|| copyreg::loads::<Mark>(&unknown_codes(100_000)).map(drop));
    assert!(
        many <= few + 8,
        "{few} allocations for 1,000 entries, {many} for 100,000"
    );
}

/// Only serde reads it: every `None` is one byte of input and a 4 KiB slot in memory.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct Slots {
    items: Vec<Option<[[u64; 32]; 16]>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "budget.SerdeSlots")]
struct SerdeSlots(Slots);

#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
struct ManyUnits {
    units: Vec<()>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "budget.SerdeManyUnits")]
struct SerdeManyUnits(ManyUnits);

#[test]
fn what_serde_builds_is_charged_to_the_allocation_budget() {
    let max = 1 << 20;
    let limited = Unpickler::new().max_alloc(max);
    for n in [100, 1000, 100_000] {
        let stream = copyreg::dumps(&SerdeSlots(Slots {
            items: vec![None; n],
        }))
        .unwrap();
        let measured = counting::measure(|| limited.loads::<SerdeSlots>(&stream).map(drop));
        match measured.result {
            Ok(()) => assert!(n * 4096 < max, "{n} slots loaded under max_alloc({max})"),
            Err(ref e) => assert_eq!(limit(&measured.result), Some(LimitKind::Allocation), "{e}"),
        }
        assert!(
            measured.peak as usize <= max,
            "{} bytes at once for {n} slots",
            measured.peak
        );
    }
    // Units take no memory, but are charged a byte each, as copyreg's own are.
    let mut body = vec![1];
    body.extend(common::varint(1 << 32));
    let stream = common::stream(&["budget.SerdeManyUnits"], &body);
    let trusting = Unpickler::new().max_elements(usize::MAX).max_alloc(max);
    let result = trusting.loads::<SerdeManyUnits>(&stream);
    assert_eq!(limit(&result), Some(LimitKind::Allocation), "{result:?}");
}

#[derive(Reducible, Debug)]
#[reducer(name = "budget.Node")]
struct Node {
    parent: std::rc::Weak<std::cell::RefCell<Node>>,
    data: Vec<u64>,
    children: Vec<std::rc::Rc<std::cell::RefCell<Node>>>,
}

copyreg::register!(std::rc::Rc<std::cell::RefCell<Node>>);

#[test]
fn an_allocation_a_weak_points_back_to_is_built_within_the_allocation_budget() {
    use std::cell::RefCell;
    use std::rc::Rc;
    let root = Rc::new(RefCell::new(Node {
        parent: Default::default(),
        data: vec![],
        children: vec![],
    }));
    for _ in 0..50 {
        let child = Rc::new(RefCell::new(Node {
            parent: Rc::downgrade(&root),
            data: vec![7; 1000],
            children: vec![],
        }));
        root.borrow_mut().children.push(child);
    }
    let stream = copyreg::dumps(&root).unwrap();
    let loads = |max| {
        Unpickler::new()
            .max_alloc(max)
            .loads::<Rc<RefCell<Node>>>(&stream)
            .map(drop)
    };
    // The smallest budget it loads within.
    let (mut low, mut high) = (0, 1 << 24);
    while low < high {
        let mid = (low + high) / 2;
        match loads(mid) {
            Ok(()) => high = mid,
            Err(_) => low = mid + 1,
        }
    }
    let measured = counting::measure(|| loads(low));
    measured.result.unwrap();
    // The memo's own few lists are not charged.
    assert!(
        measured.peak as usize <= low + low / 16 + 16 * 1024,
        "{} bytes at once under max_alloc({low})",
        measured.peak
    );
}
