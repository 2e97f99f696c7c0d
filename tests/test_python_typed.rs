//! `copyreg::python::dumps` of registered Rust values, loaded by real CPython as the objects
//! `tests/python/typed.py` expects, with every protocol from 2 to 5.
//!
//! These tests drive `python3`; where it is not on `PATH` they print a notice and pass.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::net::Ipv4Addr;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use copyreg::python::{dumps, dumps_value, dumps_with, loads, loads_value, Object, Value};
use copyreg::{Error, Pickler, Reducible, Unpickler};

mod cpython;

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Point", dyn(Priced))]
struct Point {
    x: i64,
    y: i64,
}

/// The constructor geo.py's copyreg reducer names for its `Money`: a Python global of its
/// own, beside the name copyreg streams use.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "money.Money", python = "geo.make_money", dyn(Priced))]
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
    name = "net.Ipv4",
    python = "ipaddress.IPv4Address",
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

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "slots.Slotted", python = "geo.Slotted")]
struct Slotted {
    a: i64,
    b: String,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Keyed")]
struct Keyed {
    key: String,
}

/// The Rust side of `geo.Order`, which has gained a field since Python's was written.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Order")]
struct Order {
    id: u64,
    sku: String,
    #[reducer(default)]
    note: String,
}

/// What old pickles of `geo.PointV1` name: a stable reconstruction function.
#[copyreg::constructor(name = "geo.point_v1")]
fn point_v1(x: i64, y: i64) -> Point {
    Point { x, y }
}

type Builtins = (
    i32,
    String,
    Vec<u16>,
    HashMap<String, f64>,
    Vec<u8>,
    Option<u8>,
    f32,
    bool,
    BTreeSet<u8>,
    f64,
);
copyreg::register!(Builtins);

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

fn cpython_check(jobs: &str) -> Option<(String, bool)> {
    cpython::run("typed.py", "check", jobs)
}

#[test]
fn rust_values_load_in_cpython_as_the_objects_they_stand_for() {
    let mut jobs = String::new();
    for protocol in 2..=5 {
        for (case, bytes) in pickles(protocol) {
            let hex = cpython::to_hex(&bytes);
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
    // Memo slot 0 is `geo.Point`, the global; slot 1 the point, which the second refers to.
    assert!(bytes.windows(2).any(|w| w == [0x68, 0x01]), "{bytes:?}");
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

/// CPython's pickles of every case in `typed.py`, protocols 0 to 5, as (case, protocol,
/// bytes); `None` (after a notice) without `python3`.
fn cpython_pickles() -> Option<Vec<(String, u8, Vec<u8>)>> {
    let (text, ok) = cpython::run("typed.py", "emit", "")?;
    assert!(ok, "typed.py emit failed");
    let cases = text
        .lines()
        .map(|line| {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let bytes = cpython::hex(case["pickle"].as_str().unwrap());
            let protocol = case["protocol"].as_u64().unwrap() as u8;
            (case["case"].as_str().unwrap().to_owned(), protocol, bytes)
        })
        .collect();
    Some(cases)
}

fn by_reference() -> Unpickler {
    Unpickler::new().persistent_load(|id| {
        let number = id.strip_prefix("account:").ok_or("not an account")?;
        Ok(Box::new(Account {
            number: number.parse()?,
        }))
    })
}

#[test]
fn cpython_pickles_load_into_rust_types() {
    let Some(cases) = cpython_pickles() else {
        return;
    };
    let point = |x, y| Point { x, y };
    let mut loaded = 0;
    for (case, protocol, bytes) in &cases {
        let at = format!("{case}, protocol {protocol}");
        let fail = |e: Error| -> ! { panic!("{at}: {e}") };
        match case.as_str() {
            "point" => assert_eq!(
                loads::<Point>(bytes).unwrap_or_else(|e| fail(e)),
                point(1, 2)
            ),
            "money" => assert_eq!(
                loads::<Money>(bytes).unwrap_or_else(|e| fail(e)),
                Money {
                    units: 250,
                    currency: "EUR".into()
                }
            ),
            "primitives" => {
                let expected: Primitives = (
                    (255, -128, 65535, i32::MIN, u64::MAX, i64::MIN, 1 << 100),
                    (-(1 << 90), 1.5, 0.1, true, 'é', "text".into(), ()),
                );
                assert_eq!(
                    loads::<Primitives>(bytes).unwrap_or_else(|e| fail(e)),
                    expected
                );
            }
            "containers" => {
                let value = loads::<Containers>(bytes).unwrap_or_else(|e| fail(e));
                assert_eq!(value.0 .0, [0, 1, 255]);
                assert_eq!(value.0 .3, [7, 8, 9]);
                assert_eq!(value.1 .0, BTreeSet::from([-1, 2]));
                assert_eq!((value.1 .1, value.1 .2), (None, Some(5)));
                assert_eq!(*value.1 .4, (1, "x".into()));
            }
            "shared" => {
                let points = loads::<Vec<Arc<Point>>>(bytes).unwrap_or_else(|e| fail(e));
                assert!(Arc::ptr_eq(&points[0], &points[1]), "{at}");
                assert!(!Arc::ptr_eq(&points[0], &points[2]), "{at}");
                assert_eq!(*points[2], point(3, 4));
            }
            "enums" => assert_eq!(
                loads::<(Color, Color, Shape, Shape)>(bytes).unwrap_or_else(|e| fail(e)),
                (Color::Red, Color::Green, Shape::Circle(1.5), Shape::Empty)
            ),
            "extension code" => assert_eq!(
                loads::<Tagged>(bytes).unwrap_or_else(|e| fail(e)),
                Tagged { tag: "t".into() }
            ),
            "persistent id" => assert_eq!(
                by_reference()
                    .python_loads::<Vec<Account>>(bytes)
                    .unwrap_or_else(|e| fail(e)),
                [Account { number: 7 }, Account { number: 8 }]
            ),
            "foreign type" => assert_eq!(
                loads::<Ipv4Addr>(bytes).unwrap_or_else(|e| fail(e)),
                Ipv4Addr::new(10, 0, 0, 1)
            ),
            "trait objects" => {
                let basket = loads::<Basket>(bytes).unwrap_or_else(|e| fail(e));
                let first: &dyn std::any::Any = &*basket.0[0];
                assert_eq!(first.downcast_ref::<Point>(), Some(&point(5, 6)), "{at}");
                let second: &dyn std::any::Any = &*basket.0[1];
                assert!(second.downcast_ref::<Money>().is_some(), "{at}");
            }
            "slots" => assert_eq!(
                loads::<Slotted>(bytes).unwrap_or_else(|e| fail(e)),
                Slotted {
                    a: 1,
                    b: "b".into()
                }
            ),
            "keyword arguments" => assert_eq!(
                loads::<Keyed>(bytes).unwrap_or_else(|e| fail(e)),
                Keyed { key: "k1".into() }
            ),
            "legacy" => assert_eq!(
                loads::<Point>(bytes).unwrap_or_else(|e| fail(e)),
                point(3, 4)
            ),
            "older order" => assert_eq!(
                loads::<Order>(bytes).unwrap_or_else(|e| fail(e)),
                Order {
                    id: 9,
                    sku: "A-7".into(),
                    note: String::new()
                }
            ),
            "builtins" => {
                let value = loads::<Builtins>(bytes).unwrap_or_else(|e| fail(e));
                assert_eq!(
                    (value.0, value.2.clone(), value.4.clone()),
                    (1, vec![1, 2], vec![0])
                );
                assert_eq!((value.6, value.7, value.9), (2.5, true, 7.0));
            }
            other => panic!("no check for case {other}"),
        }
        loaded += 1;
    }
    assert!(loaded >= 80, "only {loaded} pickles loaded");
}

fn global(module: &str, name: &str) -> Value {
    Value::Global {
        module: module.into(),
        name: name.into(),
    }
}

/// A pickle of an instance of `geo.Point` made without its constructor, with `state`.
fn instance(state: Vec<(&str, Value)>) -> Vec<u8> {
    let mut call = Object::call(global("geo", "Point"), vec![]);
    call.new = true;
    call.state = Some(Value::Dict(
        state
            .into_iter()
            .map(|(k, v)| (Value::Str(k.into()), v))
            .collect(),
    ));
    dumps_value(&Value::Object(Box::new(call))).unwrap()
}

#[test]
fn a_pickle_that_does_not_fit_the_type_says_what_is_wrong() {
    let cases = [
        (instance(vec![("x", Value::Int(1))]), "field `y` is missing"),
        (
            instance(vec![
                ("x", Value::Int(1)),
                ("y", Value::Int(2)),
                ("z", Value::None),
            ]),
            "no field `z`",
        ),
        (
            instance(vec![("x", Value::Str("1".into())), ("y", Value::Int(2))]),
            "expected an int, found a str",
        ),
        (
            dumps_value(&Value::Object(Box::new(Object::call(
                global("geo", "Point"),
                vec![Value::Int(1), Value::Int(2), Value::Int(3)],
            ))))
            .unwrap(),
            "takes 2 arguments, the pickle gives 3",
        ),
        (
            dumps_value(&Value::Object(Box::new(Object::call(
                global("os", "system"),
                vec![Value::Str("ls".into())],
            ))))
            .unwrap(),
            "`os.system`, which this program never registered",
        ),
    ];
    for (bytes, expected) in cases {
        let err = loads::<Point>(&bytes).unwrap_err();
        assert!(err.to_string().contains(expected), "{err}");
    }
    // An int past the field's type is refused by the loader, as in a copyreg stream.
    let big = instance(vec![("x", Value::Int(1)), ("y", Value::Int(2))]);
    assert!(loads::<Point>(&big).is_ok());
    let err = loads::<u8>(&dumps_value(&Value::Int(300)).unwrap()).unwrap_err();
    assert!(err.to_string().contains("300"), "{err}");
}

#[test]
fn allow_lists_and_limits_apply_to_python_pickles() {
    let bytes = dumps(&Money {
        units: 5,
        currency: "EUR".into(),
    })
    .unwrap();
    let only_points = Unpickler::new().allow::<Point>();
    assert!(matches!(
        only_points.python_loads::<Money>(&bytes),
        Err(Error::Forbidden { .. })
    ));
    assert!(Unpickler::new()
        .allow::<Money>()
        .python_loads::<Money>(&bytes)
        .is_ok());
    let tiny = Unpickler::new().max_input(8);
    assert!(matches!(
        tiny.python_loads::<Money>(&bytes),
        Err(Error::Limit { .. })
    ));
    // A persistent id with no persistent_load is refused, as in a copyreg stream.
    let by_id = Pickler::new().persistent_id(|v| v.downcast_ref::<Account>().map(|_| "a:1".into()));
    let bytes = by_id
        .python_dumps_with(&vec![Account { number: 1 }], 4)
        .unwrap();
    assert!(matches!(
        loads::<Vec<Account>>(&bytes),
        Err(Error::PersistentId { .. })
    ));
}

#[test]
fn rust_values_survive_a_trip_through_a_pickle() {
    let point = Arc::new(Point { x: -1, y: 7 });
    let shared = vec![point.clone(), point];
    for protocol in 2..=5 {
        let back: Vec<Arc<Point>> = loads(&dumps_with(&shared, protocol).unwrap()).unwrap();
        assert!(Arc::ptr_eq(&back[0], &back[1]));
        assert_eq!(*back[0], Point { x: -1, y: 7 });
        let order = Order {
            id: 1,
            sku: "s".into(),
            note: "n".into(),
        };
        assert_eq!(
            loads::<Order>(&dumps_with(&order, protocol).unwrap()).unwrap(),
            order
        );
    }
}

#[test]
fn the_vec_option_and_box_every_type_comes_with_need_no_registration() {
    // Found by the benchmarks: `Vec<T>` registered with `T` (not by `register!`) wrote
    // nothing to Python.
    #[derive(Reducible, Debug, PartialEq)]
    #[reducer(name = "geo.Pin")]
    struct Pin {
        id: u8,
    }
    let pins = vec![Pin { id: 1 }, Pin { id: 2 }];
    let back: Vec<Pin> = loads(&dumps(&pins).unwrap()).unwrap();
    assert_eq!(back, pins);
    let some = Some(Pin { id: 3 });
    assert_eq!(loads::<Option<Pin>>(&dumps(&some).unwrap()).unwrap(), some);
    assert_eq!(
        loads::<Option<Pin>>(&dumps(&None::<Pin>).unwrap()).unwrap(),
        None
    );
    let boxed = Box::new(Pin { id: 4 });
    assert_eq!(loads::<Box<Pin>>(&dumps(&boxed).unwrap()).unwrap(), boxed);
    let addresses = vec![Ipv4Addr::LOCALHOST];
    assert_eq!(
        loads::<Vec<Ipv4Addr>>(&dumps(&addresses).unwrap()).unwrap(),
        addresses
    );
}

#[test]
fn a_field_only_serde_knows_has_no_python_form_and_says_how_to_give_it_one() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Meta {
        tag: String,
    }
    #[derive(Reducible, Debug, PartialEq)]
    #[reducer(name = "geo.Labelled")]
    struct Labelled {
        meta: Meta,
    }
    let value = Labelled {
        meta: Meta { tag: "t".into() },
    };
    // copyreg's own streams carry it through serde.
    assert_eq!(
        copyreg::loads::<Labelled>(&copyreg::dumps(&value).unwrap()).unwrap(),
        value
    );
    let err = dumps(&value).unwrap_err();
    assert!(err.to_string().contains("written through serde"), "{err}");
    assert!(err.to_string().contains("register_foreign!"), "{err}");
    let pickle = dumps_value(&Value::Object(Box::new(Object::call(
        global("geo", "Labelled"),
        vec![Value::Dict(vec![])],
    ))))
    .unwrap();
    let err = loads::<Labelled>(&pickle).unwrap_err();
    assert!(err.to_string().contains("read through serde"), "{err}");
}
