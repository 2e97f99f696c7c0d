//! Golden streams: `tests/golden/v<N>/` holds, for every format version that ever landed, the
//! streams the code of that version wrote for the catalogue below.
//!
//! - Every file of every version must load, as the value its case describes.
//! - The catalogue dumped today must match the current version's files byte for byte, so a
//!   format change is always deliberate: bump the version, then write the new version's files
//!   with `COPYREG_GOLDEN=write cargo test --test test_golden`, keeping the old ones.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::rc::{Rc, Weak};
use std::sync::Arc;

use copyreg::Reducible;

// ---- the catalogue's types ----------------------------------------------------------------

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Record")]
struct Record {
    id: u64,
    label: String,
    ratio: f64,
    tags: Vec<String>,
    parent: Option<u32>,
    counts: BTreeMap<String, i16>,
    flags: (bool, char, i8),
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Event")]
enum Event {
    Start,
    Move(i32, i32),
    Say { text: String, loud: bool },
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Celsius", fn = to_tenths, constructor = Celsius::from_tenths)]
struct Celsius {
    degrees: f64,
}

impl Celsius {
    fn from_tenths(tenths: i32) -> Celsius {
        Celsius {
            degrees: f64::from(tenths) / 10.0,
        }
    }
}

fn to_tenths(c: &Celsius) -> (i32,) {
    ((c.degrees * 10.0).round() as i32,)
}

copyreg::register_foreign!(
    SocketAddrV4,
    reduce = |a: &SocketAddrV4| (a.ip().octets(), a.port()),
    construct = |ip: [u8; 4], port: u16| SocketAddrV4::new(Ipv4Addr::from(ip), port),
    name = "golden.SocketAddrV4",
);

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Peers")]
struct Peers {
    primary: SocketAddrV4,
    backups: Vec<SocketAddrV4>,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Coded", code = 7301)]
struct Coded {
    value: u16,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Config")]
struct Config {
    host: String,
    port: u16,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Fleet")]
struct Fleet {
    a: Arc<Config>,
    b: Arc<Config>,
    others: Vec<Arc<Config>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "golden.Node")]
struct Node {
    name: String,
    parent: Weak<RefCell<Node>>,
    children: Vec<Rc<RefCell<Node>>>,
}

copyreg::register!(Rc<RefCell<Node>>);

trait Shape: std::any::Any {
    fn describe(&self) -> String;
}

#[derive(Reducible, Debug)]
#[reducer(name = "golden.Circle", dyn(Shape))]
struct Circle {
    r: f64,
}

#[derive(Reducible, Debug)]
#[reducer(name = "golden.Square", dyn(Shape))]
struct Square(u32);

impl Shape for Circle {
    fn describe(&self) -> String {
        format!("circle {}", self.r)
    }
}

impl Shape for Square {
    fn describe(&self) -> String {
        format!("square {}", self.0)
    }
}

#[derive(Reducible)]
#[reducer(name = "golden.Drawing")]
struct Drawing {
    shapes: Vec<Box<dyn Shape>>,
    pinned: Arc<dyn Shape>,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Labeled")]
struct Labeled<T> {
    label: String,
    value: T,
}

copyreg::register!(Labeled<Celsius>);

/// A type that is only `serde`, inside a derived one.
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Meta {
    source: String,
    version: (u8, u8),
    notes: Option<Vec<String>>,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Tagged")]
struct Tagged {
    meta: Meta,
    weight: u32,
}

/// Today's gauge; streams of the old one name the constructor "golden.Gauge", which
/// [`gauge_v0`] keeps loadable.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Gauge.v1")]
struct Gauge {
    millibar: u32,
    site: String,
}

#[copyreg::constructor(name = "golden.Gauge")]
fn gauge_v0(bar: f32) -> Gauge {
    Gauge {
        millibar: (bar * 1000.0).round() as u32,
        site: "unknown".into(),
    }
}

/// The old gauge, as the program that wrote "golden.Gauge" streams had it. It cannot hold
/// that name here, where the name belongs to [`gauge_v0`], so it is registered under a name
/// of the same length, which [`old_gauge_stream`] swaps back.
#[derive(Reducible)]
#[reducer(name = "golden.Gaug0")]
struct OldGauge {
    bar: f32,
}

/// Field-level control (format 4 on): a skipped field, and fields with defaults.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "golden.Stock")]
struct Stock {
    sku: String,
    #[reducer(skip)]
    cache: Option<u64>,
    qty: u32,
    #[reducer(default)]
    note: String,
}

/// `Stock` before it had a note, registered under a name of the same length that
/// [`old_stock_stream`] swaps back.
#[derive(Reducible)]
#[reducer(name = "golden.Stoc0")]
struct OldStock {
    sku: String,
    qty: u32,
}

// ---- the catalogue ------------------------------------------------------------------------

/// One value of the catalogue: how to dump it, and how to check what a stream loads as.
struct Case {
    name: &'static str,
    dump: fn() -> Result<Vec<u8>, copyreg::Error>,
    check: fn(&[u8]) -> Result<(), String>,
}

/// The cases of features that came with a later format version, and that version: older
/// versions have no file of them.
const SINCE: &[(&str, u8)] = &[("field_control", 4), ("field_added", 4)];

/// Whether format `version` has a file of `case`.
fn has(version: u8, case: &Case) -> bool {
    SINCE
        .iter()
        .find(|(name, _)| *name == case.name)
        .is_none_or(|(_, since)| version >= *since)
}

fn record() -> Record {
    Record {
        id: 1 << 40,
        label: "golden ✓".into(),
        ratio: -0.125,
        tags: vec!["a".into(), String::new(), "ccc".into()],
        parent: Some(17),
        counts: [("x".to_string(), -3), ("y".to_string(), 300)].into(),
        flags: (true, 'é', -128),
    }
}

fn events() -> Vec<Event> {
    vec![
        Event::Start,
        Event::Move(-1, 2),
        Event::Say {
            text: "hi".into(),
            loud: true,
        },
    ]
}

fn peers() -> Peers {
    Peers {
        primary: SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 1), 80),
        backups: vec![SocketAddrV4::new(Ipv4Addr::new(10, 0, 0, 2), 8080)],
    }
}

fn fleet() -> Fleet {
    let shared = Arc::new(Config {
        host: "db".into(),
        port: 5432,
    });
    Fleet {
        a: shared.clone(),
        b: Arc::new(Config {
            host: "cache".into(),
            port: 6379,
        }),
        others: vec![shared.clone(), shared],
    }
}

fn tree() -> Rc<RefCell<Node>> {
    let root = Rc::new(RefCell::new(Node {
        name: "root".into(),
        parent: Weak::new(),
        children: Vec::new(),
    }));
    for name in ["left", "right"] {
        let child = Rc::new(RefCell::new(Node {
            name: name.into(),
            parent: Rc::downgrade(&root),
            children: Vec::new(),
        }));
        root.borrow_mut().children.push(child);
    }
    let left = root.borrow().children[0].clone();
    let leaf = Rc::new(RefCell::new(Node {
        name: "leaf".into(),
        parent: Rc::downgrade(&left),
        children: Vec::new(),
    }));
    left.borrow_mut().children.push(leaf);
    root
}

/// Each node's name, its parent's name, and its children, in order.
fn tree_shape(node: &Rc<RefCell<Node>>, out: &mut Vec<String>) {
    let n = node.borrow();
    let parent = n.parent.upgrade().map(|p| p.borrow().name.clone());
    out.push(format!("{} <- {:?}", n.name, parent));
    for child in &n.children {
        let back = child.borrow().parent.upgrade();
        if !back.is_some_and(|p| Rc::ptr_eq(&p, node)) {
            out.push(format!("{} does not link back", child.borrow().name));
        }
        tree_shape(child, out);
    }
}

fn drawing() -> Drawing {
    Drawing {
        shapes: vec![Box::new(Circle { r: 1.5 }), Box::new(Square(4))],
        pinned: Arc::new(Square(9)),
    }
}

fn describe(d: &Drawing) -> Vec<String> {
    let mut out: Vec<String> = d.shapes.iter().map(|s| s.describe()).collect();
    out.push(d.pinned.describe());
    out
}

fn labeled() -> Labeled<Celsius> {
    Labeled {
        label: "outside".into(),
        value: Celsius { degrees: -4.5 },
    }
}

fn tagged() -> Tagged {
    Tagged {
        meta: Meta {
            source: "sensor-7".into(),
            version: (2, 1),
            notes: Some(vec!["calibrated".into()]),
        },
        weight: 70_000,
    }
}

fn stock() -> Stock {
    Stock {
        sku: "A-1".into(),
        cache: None,
        qty: 12,
        note: "fragile".into(),
    }
}

fn old_stock_stream() -> Result<Vec<u8>, copyreg::Error> {
    let mut bytes = copyreg::dumps(&OldStock {
        sku: "A-1".into(),
        qty: 12,
    })?;
    let at = bytes
        .windows(12)
        .position(|w| w == b"golden.Stoc0")
        .expect("the stream names its constructor");
    bytes[at..at + 12].copy_from_slice(b"golden.Stock");
    Ok(bytes)
}

fn old_gauge_stream() -> Result<Vec<u8>, copyreg::Error> {
    let mut bytes = copyreg::dumps(&OldGauge { bar: 1.013 })?;
    let at = bytes
        .windows(12)
        .position(|w| w == b"golden.Gaug0")
        .expect("the stream names its constructor");
    bytes[at..at + 12].copy_from_slice(b"golden.Gauge");
    Ok(bytes)
}

fn expect<T: PartialEq + std::fmt::Debug>(got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("loaded {got:?}, expected {want:?}"))
    }
}

fn catalogue() -> Vec<Case> {
    fn load<T: std::any::Any>(bytes: &[u8]) -> Result<T, String> {
        copyreg::loads::<T>(bytes).map_err(|e| e.to_string())
    }
    vec![
        Case {
            name: "derived_struct",
            dump: || copyreg::dumps(&record()),
            check: |b| expect(load::<Record>(b)?, record()),
        },
        Case {
            name: "derived_enum",
            dump: || copyreg::dumps(&events()),
            check: |b| expect(load::<Vec<Event>>(b)?, events()),
        },
        Case {
            name: "custom_reducer",
            dump: || copyreg::dumps(&Celsius { degrees: 21.5 }),
            check: |b| expect(load::<Celsius>(b)?, Celsius { degrees: 21.5 }),
        },
        Case {
            name: "foreign_type",
            dump: || copyreg::dumps(&peers()),
            check: |b| expect(load::<Peers>(b)?, peers()),
        },
        Case {
            name: "compact_code",
            dump: || copyreg::dumps(&vec![Coded { value: 1 }, Coded { value: 2 }]),
            check: |b| {
                expect(
                    load::<Vec<Coded>>(b)?,
                    vec![Coded { value: 1 }, Coded { value: 2 }],
                )
            },
        },
        Case {
            name: "shared_arc",
            dump: || copyreg::dumps(&fleet()),
            check: |b| {
                let f = load::<Fleet>(b)?;
                let shared = Arc::ptr_eq(&f.a, &f.others[0]) && Arc::ptr_eq(&f.a, &f.others[1]);
                if !shared || Arc::ptr_eq(&f.a, &f.b) {
                    return Err("the loaded Arcs lost their sharing".into());
                }
                expect(f, fleet())
            },
        },
        Case {
            name: "weak_parent_tree",
            dump: || copyreg::dumps(&tree()),
            check: |b| {
                let (mut got, mut want) = (Vec::new(), Vec::new());
                tree_shape(&load::<Rc<RefCell<Node>>>(b)?, &mut got);
                tree_shape(&tree(), &mut want);
                expect(got, want)
            },
        },
        Case {
            name: "trait_objects",
            dump: || copyreg::dumps(&drawing()),
            check: |b| expect(describe(&load::<Drawing>(b)?), describe(&drawing())),
        },
        Case {
            name: "dyn_top_level",
            dump: || copyreg::dumps_dyn(&Circle { r: 0.25 }),
            check: |b| {
                let shape = copyreg::loads_dyn::<dyn Shape>(b).map_err(|e| e.to_string())?;
                expect(shape.describe(), "circle 0.25".into())
            },
        },
        Case {
            name: "generic_instance",
            dump: || copyreg::dumps(&labeled()),
            check: |b| expect(load::<Labeled<Celsius>>(b)?, labeled()),
        },
        Case {
            name: "serde_only_field",
            dump: || copyreg::dumps(&tagged()),
            check: |b| expect(load::<Tagged>(b)?, tagged()),
        },
        Case {
            name: "legacy_constructor",
            dump: old_gauge_stream,
            check: |b| {
                let want = Gauge {
                    millibar: 1013,
                    site: "unknown".into(),
                };
                expect(load::<Gauge>(b)?, want)
            },
        },
        Case {
            name: "field_control",
            dump: || {
                copyreg::dumps(&Stock {
                    cache: Some(9),
                    ..stock()
                })
            },
            check: |b| expect(load::<Stock>(b)?, stock()),
        },
        Case {
            name: "field_added",
            dump: old_stock_stream,
            check: |b| {
                let want = Stock {
                    note: String::new(),
                    ..stock()
                };
                expect(load::<Stock>(b)?, want)
            },
        },
    ]
}

// ---- the tests ----------------------------------------------------------------------------

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// The version directories present, oldest first: `[(1, ".../v1"), ...]`.
fn versions() -> Vec<(u8, PathBuf)> {
    let mut found: Vec<(u8, PathBuf)> = std::fs::read_dir(golden_dir())
        .expect("tests/golden exists")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let version = path
                .file_name()?
                .to_str()?
                .strip_prefix('v')?
                .parse()
                .ok()?;
            Some((version, path))
        })
        .collect();
    found.sort();
    found
}

/// The format version today's code writes, read off a stream's header (magic, then version).
fn current_version() -> u8 {
    copyreg::dumps(&0u8).unwrap()[4]
}

#[test]
fn every_golden_file_of_every_version_loads_as_its_value() {
    let versions = versions();
    assert!(
        versions.iter().any(|(v, _)| *v == 1),
        "version 1's files are missing"
    );
    let mut failures = Vec::new();
    let mut loaded = 0;
    let mut expected = 0;
    for (version, dir) in &versions {
        for case in catalogue().iter().filter(|c| has(*version, c)) {
            expected += 1;
            let path = dir.join(format!("{}.cprg", case.name));
            let Ok(bytes) = std::fs::read(&path) else {
                failures.push(format!("v{version}/{}: missing", case.name));
                continue;
            };
            assert_eq!(
                bytes[4],
                *version,
                "{} is not a v{version} stream",
                path.display()
            );
            match (case.check)(&bytes) {
                Ok(()) => loaded += 1,
                Err(e) => failures.push(format!("v{version}/{}: {e}", case.name)),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(loaded, expected);
}

#[test]
fn todays_streams_match_the_current_versions_files_byte_for_byte() {
    let dir = golden_dir().join(format!("v{}", current_version()));
    let write = std::env::var("COPYREG_GOLDEN").as_deref() == Ok("write");
    if write {
        std::fs::create_dir_all(&dir).unwrap();
    }
    let mut failures = Vec::new();
    for case in catalogue() {
        let bytes = (case.dump)().unwrap_or_else(|e| panic!("dumping {}: {e}", case.name));
        (case.check)(&bytes).unwrap_or_else(|e| panic!("{} does not round-trip: {e}", case.name));
        let path = dir.join(format!("{}.cprg", case.name));
        if write {
            std::fs::write(&path, &bytes).unwrap();
            continue;
        }
        match std::fs::read(&path) {
            Ok(golden) if golden == bytes => {}
            Ok(_) => failures.push(format!("{} differs from today's dump", path.display())),
            Err(e) => failures.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "the format changed without a new version:\n{}\nBump the format version, then write \
         the new version's files with COPYREG_GOLDEN=write, keeping the old ones.",
        failures.join("\n")
    );
}

#[test]
fn every_truncation_and_bit_flip_of_every_golden_file_is_an_error_or_a_value() {
    // Each version's layout has its own reading code (fixed widths for 1 and 2, varints for
    // 3): damaged streams of every version give errors, never panics.
    let mut loads = 0;
    let mut errors = 0;
    for (version, dir) in versions() {
        for case in catalogue().iter().filter(|c| has(version, c)) {
            let bytes = std::fs::read(dir.join(format!("{}.cprg", case.name))).unwrap();
            let mut damaged: Vec<Vec<u8>> = (0..bytes.len()).map(|n| bytes[..n].to_vec()).collect();
            for bit in 0..bytes.len() * 8 {
                let mut flipped = bytes.clone();
                flipped[bit / 8] ^= 1 << (bit % 8);
                damaged.push(flipped);
            }
            for stream in damaged {
                loads += 1;
                if (case.check)(&stream).is_err() {
                    errors += 1;
                }
                let _ = copyreg::loads_any(&stream);
            }
        }
    }
    // Most damage hits a header, a length, a tag, a name or a reference.
    assert!(errors * 2 > loads, "{errors} errors in {loads} loads");
}
