//! `copyreg::python::dumps` of registered Rust values, loaded by real CPython as the objects
//! `tests/python/typed.py` expects, with every protocol from 2 to 5.
//!
//! These tests drive `python3`; where it is not on `PATH` they print a notice and pass.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::Write;
use std::net::Ipv4Addr;
use std::process::{Command, Stdio};
use std::rc::{Rc, Weak};
use std::sync::Arc;

use copyreg::python::{dumps, dumps_with, loads_value, Value};
use copyreg::{Error, Pickler, Reducible};

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/typed.py");

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Point", dyn(Priced))]
struct Point {
    x: i64,
    y: i64,
}

/// The constructor geo.py's copyreg reducer names for its `Money`.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.make_money", dyn(Priced))]
struct Money {
    units: i64,
    currency: String,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Color")]
enum Color {
    Red,
    Green,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Shape")]
enum Shape {
    Circle(f64),
    Empty,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Tagged", code = 240)]
struct Tagged {
    tag: String,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Account")]
struct Account {
    number: u32,
}

copyreg::register_foreign!(
    Ipv4Addr,
    name = "ipaddress.IPv4Address",
    reduce = |a: &Ipv4Addr| (u32::from(*a),),
    construct = Ipv4Addr::from
);

type Primitives = (
    (u8, i8, u16, i32, u64, i64, u128),
    (i128, f32, f64, bool, char, String, ()),
);
type Containers = (
    (
        Vec<u8>,
        Vec<u32>,
        VecDeque<i64>,
        [u16; 3],
        HashMap<String, u32>,
    ),
    (
        BTreeSet<i32>,
        Option<u8>,
        Option<u8>,
        Vec<Vec<u32>>,
        Box<(u8, String)>,
    ),
);

// Generic instances at top level are registered one by one, as for `copyreg::dumps`.
copyreg::register!(Primitives);
copyreg::register!(Containers);
copyreg::register!(Vec<Arc<Point>>);
copyreg::register!((Color, Color, Shape, Shape));
copyreg::register!(Vec<Account>);
copyreg::register!(Vec<Weak<Point>>);

trait Priced: std::any::Any {}

/// Trait objects inside a derived type, which is how they reach the top of a stream.
#[derive(Reducible)]
#[reducer(name = "geo.Basket")]
struct Basket(Vec<Box<dyn Priced>>);
impl Priced for Point {}
impl Priced for Money {}

/// The pickles of every case in `typed.py`, as (case, value written with `protocol`).
fn pickles(protocol: u8) -> Vec<(&'static str, Vec<u8>)> {
    let point = Arc::new(Point { x: 1, y: 2 });
    let primitives: Primitives = (
        (
            255u8,
            -128i8,
            65535u16,
            i32::MIN,
            u64::MAX,
            i64::MIN,
            1u128 << 100,
        ),
        (
            -(1i128 << 90),
            1.5f32,
            0.1f64,
            true,
            'é',
            String::from("text"),
            (),
        ),
    );
    let containers: Containers = (
        (
            vec![0u8, 1, 255],
            vec![1u32, 2, 3],
            VecDeque::from([4i64, 5]),
            [7u16, 8, 9],
            HashMap::from([(String::from("a"), 1u32)]),
        ),
        (
            BTreeSet::from([-1i32, 2]),
            None::<u8>,
            Some(5u8),
            vec![vec![1u32], vec![]],
            Box::new((1u8, String::from("x"))),
        ),
    );
    let trait_objects = Basket(vec![
        Box::new(Point { x: 5, y: 6 }),
        Box::new(Money {
            units: 1,
            currency: "USD".into(),
        }),
    ]);
    let dangling: Vec<Weak<Point>> = vec![Rc::downgrade(&Rc::new(Point { x: 0, y: 0 }))];
    let by_reference = Pickler::new().persistent_id(|value| {
        let account = value.downcast_ref::<Account>()?;
        Some(format!("account:{}", account.number))
    });
    let write = |r: Result<Vec<u8>, Error>| r.unwrap_or_else(|e| panic!("{e}"));
    vec![
        ("point", write(dumps_with(&Point { x: 1, y: 2 }, protocol))),
        (
            "money",
            write(dumps_with(
                &Money {
                    units: 250,
                    currency: "EUR".into(),
                },
                protocol,
            )),
        ),
        ("primitives", write(dumps_with(&primitives, protocol))),
        ("containers", write(dumps_with(&containers, protocol))),
        (
            "shared",
            write(dumps_with(
                &vec![point.clone(), point, Arc::new(Point { x: 3, y: 4 })],
                protocol,
            )),
        ),
        (
            "enums",
            write(dumps_with(
                &(Color::Red, Color::Green, Shape::Circle(1.5), Shape::Empty),
                protocol,
            )),
        ),
        (
            "extension code",
            write(dumps_with(&Tagged { tag: "t".into() }, protocol)),
        ),
        (
            "persistent id",
            write(by_reference.python_dumps_with(
                &vec![Account { number: 7 }, Account { number: 8 }],
                protocol,
            )),
        ),
        (
            "foreign type",
            write(dumps_with(&Ipv4Addr::new(10, 0, 0, 1), protocol)),
        ),
        ("trait objects", write(dumps_with(&trait_objects, protocol))),
        ("weak", write(dumps_with(&dangling, protocol))),
    ]
}

/// `python3 typed.py check` on `jobs`: its report, or `None` (after a notice) without
/// `python3`.
fn cpython_check(jobs: &str) -> Option<(String, bool)> {
    let child = Command::new("python3")
        .args([SCRIPT, "check"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            eprintln!("python3 is not available ({e}): skipping the CPython interop tests");
            return None;
        }
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin.write_all(jobs.as_bytes()).expect("python3 reads");
    drop(stdin);
    let out = child.wait_with_output().expect("python3 runs");
    Some((String::from_utf8(out.stdout).unwrap(), out.status.success()))
}

#[test]
fn rust_values_load_in_cpython_as_the_objects_they_stand_for() {
    let mut jobs = String::new();
    for protocol in 2..=5 {
        for (case, bytes) in pickles(protocol) {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            jobs.push_str(&format!(
                "{{\"case\": \"{case}\", \"protocol\": {protocol}, \"pickle\": \"{hex}\"}}\n"
            ));
        }
    }
    let Some((report, ok)) = cpython_check(&jobs) else {
        return;
    };
    assert!(ok, "CPython did not load what copyreg wrote:\n{report}");
    assert!(report.contains("checked, 0 failures"), "{report}");
}

#[test]
fn shared_pointers_are_one_object_in_the_pickle() {
    let point = Arc::new(Point { x: 1, y: 2 });
    let bytes = dumps(&vec![point.clone(), point]).unwrap();
    // The second is a memo reference: protocol 4's MEMOIZE, then BINGET 0.
    assert!(bytes.windows(2).any(|w| w == [0x68, 0x00]), "{bytes:?}");
    let Value::List(items) = loads_value(&bytes).unwrap() else {
        panic!("a list")
    };
    assert_eq!(items[0], items[1]);
}

#[test]
fn a_type_named_by_its_rust_path_is_a_global_of_that_module() {
    #[derive(Reducible)]
    struct Unnamed {
        n: u8,
    }
    let value = loads_value(&dumps(&Unnamed { n: 3 }).unwrap()).unwrap();
    let Value::Object(call) = value else {
        panic!("an object")
    };
    assert_eq!(
        call.callable,
        Value::Global {
            module: "test_python_typed".into(),
            name: "Unnamed".into()
        }
    );
    assert_eq!(call.args, vec![Value::Int(3)]);
}

#[test]
fn what_python_cannot_hold_is_refused_with_the_reason() {
    // A parent link: a Weak inside an Rc that points back to it.
    #[derive(Reducible)]
    #[reducer(name = "tree.Node")]
    struct Node {
        parent: Weak<Node>,
        children: Vec<Rc<Node>>,
    }
    copyreg::register!(Rc<Node>);
    let root = Rc::new_cyclic(|me| Node {
        parent: Weak::new(),
        children: vec![Rc::new(Node {
            parent: me.clone(),
            children: vec![],
        })],
    });
    let err = dumps(&root).unwrap_err();
    assert!(err.to_string().contains("parent link"), "{err}");

    // A generic instance's name is no Python global.
    #[derive(Reducible)]
    #[reducer(name = "box.Wrapper")]
    struct Wrapper<T: Reducible> {
        inner: T,
    }
    copyreg::register!(Wrapper<u8>);
    let err = dumps(&Wrapper { inner: 1u8 }).unwrap_err();
    assert!(err.to_string().contains("no Python global"), "{err}");

    // An unregistered type, as copyreg::dumps says it.
    struct Unregistered;
    assert!(matches!(
        dumps(&Unregistered),
        Err(Error::NotRegistered { .. })
    ));
    // A protocol no Python 3 pickle has, before anything is written.
    assert!(dumps_with(&1u8, 6).is_err());
}
