//! `#[reducer(fn = ..., constructor = ...)]`: custom reducers and constructors.

mod common;

use std::fmt;

use copyreg::Reducible;
use serde::{Deserialize, Serialize};

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Point", fn = pickle_point, constructor = Point::new)]
struct Point {
    x: f64,
    y: f64,
    /// Derived from x and y; not written.
    norm: f64,
}

impl Point {
    fn new(x: f64, y: f64) -> Point {
        Point {
            x,
            y,
            norm: (x * x + y * y).sqrt(),
        }
    }
}

fn pickle_point(p: &Point) -> (f64, f64) {
    (p.x, p.y)
}

#[test]
fn the_reducer_chooses_the_arguments_and_the_constructor_rebuilds() {
    let bytes = copyreg::dumps(&Point::new(3.0, 4.0)).unwrap();
    let back = copyreg::loads::<Point>(&bytes).unwrap();
    assert_eq!(back, Point::new(3.0, 4.0));
    assert_eq!(back.norm, 5.0);
}

#[test]
fn the_default_reducer_writes_what_a_field_tuple_reducer_writes() {
    #[derive(Reducible)]
    #[reducer(name = "same.Bytes")]
    struct ByFields {
        a: u16,
        b: String,
    }
    #[derive(Reducible)]
    #[reducer(name = "same.Bytes.custom", fn = |v: &ByTuple| (v.a, v.b.clone()), constructor = |a, b| ByTuple { a, b })]
    struct ByTuple {
        a: u16,
        b: String,
    }
    let fields = copyreg::dumps(&ByFields {
        a: 1,
        b: "x".into(),
    })
    .unwrap();
    let tuple = copyreg::dumps(&ByTuple {
        a: 1,
        b: "x".into(),
    })
    .unwrap();
    // The body: a one-byte constructor reference, then the arguments.
    let expected = postcard::to_allocvec(&(1u16, "x")).unwrap();
    assert_eq!(common::body(&fields)[1..], expected);
    assert_eq!(common::body(&tuple)[1..], expected);
    assert_eq!(common::names(&fields), ["same.Bytes"]);
    assert_eq!(common::names(&tuple), ["same.Bytes.custom"]);
}

#[derive(Debug)]
struct Negative(i32);

impl fmt::Display for Negative {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} is negative", self.0)
    }
}

impl std::error::Error for Negative {}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(fn = |c: &Count| (c.0,), constructor = Count::checked)]
struct Count(i32);

impl Count {
    fn checked(n: i32) -> Result<Count, Negative> {
        if n < 0 {
            Err(Negative(n))
        } else {
            Ok(Count(n))
        }
    }
}

#[test]
fn a_fallible_constructor_reports_its_error_through_construct() {
    assert_eq!(copyreg::copy(&Count(3)).unwrap(), Count(3));
    let err = copyreg::copy(&Count(-2)).unwrap_err();
    match &err {
        copyreg::Error::Construct {
            constructor,
            source,
        } => {
            assert!(constructor.ends_with("Count"));
            assert_eq!(source.to_string(), "-2 is negative");
        }
        other => panic!("expected Construct, got {other:?}"),
    }
    assert!(err.to_string().contains("-2 is negative"));
    let bytes = copyreg::dumps(&Count(-2)).unwrap();
    assert!(matches!(
        copyreg::loads::<Count>(&bytes),
        Err(copyreg::Error::Construct { .. })
    ));
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(fn = |_: &Nullary| (), constructor = Nullary::default)]
struct Nullary {
    cache: Vec<u8>,
}

impl Default for Nullary {
    fn default() -> Self {
        Nullary {
            cache: vec![1, 2, 3],
        }
    }
}

#[test]
fn zero_arguments_call_the_constructor_with_none() {
    let back =
        copyreg::loads::<Nullary>(&copyreg::dumps(&Nullary { cache: vec![] }).unwrap()).unwrap();
    assert_eq!(back, Nullary::default());
}

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(fn = twelve, constructor = Twelve::new)]
struct Twelve([u8; 12]);

#[allow(clippy::type_complexity)]
fn twelve(t: &Twelve) -> (u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8, u8) {
    let a = t.0;
    (
        a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11],
    )
}

impl Twelve {
    #[allow(clippy::too_many_arguments)]
    fn new(
        a: u8,
        b: u8,
        c: u8,
        d: u8,
        e: u8,
        f: u8,
        g: u8,
        h: u8,
        i: u8,
        j: u8,
        k: u8,
        l: u8,
    ) -> Self {
        Twelve([a, b, c, d, e, f, g, h, i, j, k, l])
    }
}

#[test]
fn twelve_arguments_are_the_maximum_and_work() {
    let t = Twelve([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    assert_eq!(
        copyreg::loads::<Twelve>(&copyreg::dumps(&t).unwrap()).unwrap(),
        t
    );
}

/// serde-only, Reducible and foreign arguments, mixed in one tuple.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Settings {
    verbose: bool,
}

struct Opaque(String);

copyreg::register_foreign!(
    Opaque,
    reduce = |o: &Opaque| (o.0.clone(),),
    construct = |s: String| Opaque(s),
    name = "test.Opaque",
);

#[derive(Reducible)]
#[reducer(fn = |j: &Job| (j.settings.clone(), j.point_xy, Opaque(j.owner.0.clone())), constructor = Job::new)]
struct Job {
    settings: Settings,
    point_xy: (f64, f64),
    owner: Opaque,
}

impl Job {
    fn new(settings: Settings, point_xy: (f64, f64), owner: Opaque) -> Job {
        Job {
            settings,
            point_xy,
            owner,
        }
    }
}

#[test]
fn arguments_may_be_serde_reducible_or_foreign_types() {
    let job = Job {
        settings: Settings { verbose: true },
        point_xy: (1.0, 2.0),
        owner: Opaque("ana".into()),
    };
    let back = copyreg::loads::<Job>(&copyreg::dumps(&job).unwrap()).unwrap();
    assert_eq!(back.settings, job.settings);
    assert_eq!(back.point_xy, job.point_xy);
    assert_eq!(back.owner.0, "ana");
    let copy = copyreg::deepcopy(&job).unwrap();
    assert_eq!(copy.owner.0, "ana");
}

/// A default reducer with a custom constructor: the constructor takes the fields in order.
#[derive(Reducible, Debug, PartialEq)]
#[reducer(constructor = Label::normalized)]
struct Label {
    text: String,
}

impl Label {
    fn normalized(text: String) -> Label {
        Label {
            text: text.trim().to_lowercase(),
        }
    }
}

#[test]
fn a_constructor_without_fn_takes_the_fields_in_order() {
    let back = copyreg::loads::<Label>(
        &copyreg::dumps(&Label {
            text: "  Hi ".into(),
        })
        .unwrap(),
    )
    .unwrap();
    assert_eq!(back.text, "hi");
    assert_eq!(
        copyreg::copy(&Label { text: " A".into() }).unwrap().text,
        "a"
    );
}

#[test]
fn copy_hands_the_reducer_arguments_to_the_constructor() {
    let copy = copyreg::copy(&Point::new(6.0, 8.0)).unwrap();
    assert_eq!(copy.norm, 10.0);
}
