//! The `Vec`, `Option` and `Box` registered with every derived and foreign type, used at top
//! level: their bytes, and the paths a stream can take through them (another registered
//! constructor, a pickler's own reducer, persistent ids, a thread's stack running low).

mod common;

use std::any::Any;

use copyreg::{Error, Pickler, Reducible, Unpickler};

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "containers.Point")]
struct Point {
    x: i32,
    y: i32,
}

copyreg::register_foreign!(
    semver::Version,
    reduce = |v: &semver::Version| (v.to_string(),),
    construct = |text: String| semver::Version::parse(&text),
    name = "containers.Version",
);

fn p(x: i32, y: i32) -> Point {
    Point { x, y }
}

fn version(text: &str) -> semver::Version {
    semver::Version::parse(text).unwrap()
}

/// An older constructor of points, which streams may still name.
#[copyreg::constructor(name = "containers.LegacyPoint")]
fn legacy_point(x: i32) -> Point {
    p(x, -1)
}

/// A point's arguments: x and y.
fn point_args(x: i32, y: i32) -> Vec<u8> {
    let mut body = common::zigzag(x.into());
    body.extend(common::zigzag(y.into()));
    body
}

/// A point's body: the reference to its constructor (`reference`, counted from 1 in the
/// stream's name table), then its arguments.
fn point_body(reference: u8, x: i32, y: i32) -> Vec<u8> {
    let mut body = vec![reference];
    body.extend(point_args(x, y));
    body
}

#[test]
fn each_container_writes_the_layout_of_its_field_codec() {
    // At top level, the container is named first; then what its field codec writes: for a
    // `Vec`, its length and the run's constructor, once, then each point's arguments.
    let mut vec_body = vec![1, 2, 2];
    vec_body.extend(point_args(1, 2));
    vec_body.extend(point_args(3, 4));
    assert_eq!(
        copyreg::dumps(&vec![p(1, 2), p(3, 4)]).unwrap(),
        common::stream_counted(
            &[
                ("Vec<containers.Point>", None),
                ("containers.Point", Some(2))
            ],
            &vec_body
        )
    );
    let mut some_body = vec![1, 1];
    some_body.extend(point_body(2, 5, 6));
    assert_eq!(
        copyreg::dumps(&Some(p(5, 6))).unwrap(),
        common::stream_counted(
            &[
                ("Option<containers.Point>", None),
                ("containers.Point", Some(2))
            ],
            &some_body
        )
    );
    assert_eq!(
        copyreg::dumps(&None::<Point>).unwrap(),
        common::stream_counted(&[("Option<containers.Point>", None)], &[1, 0])
    );
    let mut box_body = vec![1];
    box_body.extend(point_body(2, 7, 8));
    assert_eq!(
        copyreg::dumps(&Box::new(p(7, 8))).unwrap(),
        common::stream_counted(
            &[
                ("Box<containers.Point>", None),
                ("containers.Point", Some(2))
            ],
            &box_body
        )
    );
}

#[test]
fn another_registered_constructor_builds_elements_of_each_container() {
    let legacy = |x: i32| {
        let mut body = vec![3];
        body.extend(common::zigzag(x.into()));
        body
    };
    let names = [
        "Vec<containers.Point>",
        "containers.Point",
        "containers.LegacyPoint",
    ];
    // The `Vec`, its length, and a run constructor of 0: each point names its own.
    let mut body = vec![1, 3, 0];
    body.extend(point_body(2, 1, 2));
    body.extend(legacy(3));
    body.extend(point_body(2, 4, 5));
    let stream = common::stream(&names, &body);
    assert_eq!(
        copyreg::loads::<Vec<Point>>(&stream).unwrap(),
        [p(1, 2), p(3, -1), p(4, 5)]
    );

    let names = ["Option<containers.Point>", "x", "containers.LegacyPoint"];
    let mut body = vec![1, 1];
    body.extend(legacy(6));
    let stream = common::stream(&names, &body);
    assert_eq!(
        copyreg::loads::<Option<Point>>(&stream).unwrap(),
        Some(p(6, -1))
    );

    let names = ["Box<containers.Point>", "x", "containers.LegacyPoint"];
    let mut body = vec![1];
    body.extend(legacy(7));
    let stream = common::stream(&names, &body);
    assert_eq!(*copyreg::loads::<Box<Point>>(&stream).unwrap(), p(7, -1));

    // A constructor of another type is refused where a point is expected.
    let names = ["Box<containers.Point>", "x", "containers.Version"];
    let mut body = vec![1, 3];
    body.extend(common::varint(5));
    body.extend(b"1.0.0");
    let stream = common::stream(&names, &body);
    let err = copyreg::loads::<Box<Point>>(&stream).unwrap_err();
    assert!(matches!(err, Error::TypeMismatch { .. }), "{err}");
}

#[test]
fn containers_of_derived_and_foreign_types_round_trip_and_copy() {
    let points = vec![p(1, 2), p(3, 4), p(1, 2)];
    let bytes = copyreg::dumps(&points).unwrap();
    assert_eq!(copyreg::loads::<Vec<Point>>(&bytes).unwrap(), points);
    assert_eq!(copyreg::copy(&points).unwrap(), points);
    assert_eq!(copyreg::deepcopy(&points).unwrap(), points);
    assert_eq!(copyreg::copy(&Vec::<Point>::new()).unwrap(), []);

    for value in [Some(p(5, 6)), None] {
        let bytes = copyreg::dumps(&value).unwrap();
        assert_eq!(copyreg::loads::<Option<Point>>(&bytes).unwrap(), value);
        assert_eq!(copyreg::copy(&value).unwrap(), value);
    }
    let boxed = Box::new(p(7, 8));
    let bytes = copyreg::dumps(&boxed).unwrap();
    assert_eq!(copyreg::loads::<Box<Point>>(&bytes).unwrap(), boxed);
    assert_eq!(copyreg::copy(&boxed).unwrap(), boxed);

    let versions = vec![version("1.0.0"), version("2.1.0-rc.1")];
    let bytes = copyreg::dumps(&versions).unwrap();
    assert_eq!(
        copyreg::loads::<Vec<semver::Version>>(&bytes).unwrap(),
        versions
    );
    let maybe = Some(version("3.0.0"));
    let bytes = copyreg::dumps(&maybe).unwrap();
    assert_eq!(
        copyreg::loads::<Option<semver::Version>>(&bytes).unwrap(),
        maybe
    );
    assert_eq!(copyreg::copy(&maybe).unwrap(), maybe);
    let boxed = Box::new(version("4.0.0"));
    let bytes = copyreg::dumps(&boxed).unwrap();
    assert_eq!(
        *copyreg::loads::<Box<semver::Version>>(&bytes).unwrap(),
        *boxed
    );
    assert_eq!(copyreg::deepcopy(&boxed).unwrap(), boxed);
}

#[test]
fn a_pickler_reducer_for_the_element_copies_each_container() {
    let pickler = Pickler::new()
        .register_as("containers.OldPoint", |p: &Point| (p.x,), |x: i32| p(x, 0))
        .unwrap();
    assert_eq!(
        pickler.copy(&vec![p(1, 2), p(3, 4)]).unwrap(),
        [p(1, 0), p(3, 0)]
    );
    assert_eq!(pickler.copy(&Some(p(5, 6))).unwrap(), Some(p(5, 0)));
    assert_eq!(*pickler.copy(&Box::new(p(7, 8))).unwrap(), p(7, 0));
    // The registry's own reducer, elsewhere.
    assert_eq!(copyreg::copy(&Some(p(5, 6))).unwrap(), Some(p(5, 6)));
}

#[test]
fn persistent_ids_stand_in_for_elements_of_each_container() {
    let pickler = Pickler::new().persistent_id(|obj: &dyn Any| {
        obj.downcast_ref::<Point>()
            .filter(|p| p.x < 0)
            .map(|p| format!("point:{}", p.y))
    });
    let unpickler = Unpickler::new().persistent_load(|id: &str| {
        let y = id.strip_prefix("point:").ok_or("unknown id")?.parse()?;
        Ok(Box::new(p(100, y)))
    });

    let bytes = pickler.dumps(&vec![p(1, 2), p(-1, 3), p(4, 5)]).unwrap();
    assert_eq!(
        unpickler.loads::<Vec<Point>>(&bytes).unwrap(),
        [p(1, 2), p(100, 3), p(4, 5)]
    );
    let bytes = pickler.dumps(&Some(p(-1, 7))).unwrap();
    assert_eq!(
        unpickler.loads::<Option<Point>>(&bytes).unwrap(),
        Some(p(100, 7))
    );
    let bytes = pickler.dumps(&Box::new(p(-1, 8))).unwrap();
    assert_eq!(*unpickler.loads::<Box<Point>>(&bytes).unwrap(), p(100, 8));

    // An object of another type from persistent_load is refused, not taken for a point.
    let wrong = Unpickler::new().persistent_load(|_: &str| Ok(Box::new(String::from("no"))));
    for bytes in [
        pickler.dumps(&vec![p(-1, 1)]).unwrap(),
        pickler.dumps(&Some(p(-1, 1))).unwrap(),
        pickler.dumps(&Box::new(p(-1, 1))).unwrap(),
    ] {
        let err = wrong
            .loads::<Box<Point>>(&bytes)
            .map(drop)
            .or_else(|_| wrong.loads::<Option<Point>>(&bytes).map(drop))
            .or_else(|_| wrong.loads::<Vec<Point>>(&bytes).map(drop))
            .unwrap_err();
        assert!(matches!(err, Error::TypeMismatch { .. }), "{err}");
    }
}

/// Nested objects to make a value that reaches deep into the stack.
#[derive(Reducible, Debug, PartialEq)]
struct Node {
    next: Option<Box<Node>>,
}

/// `depth` nodes, each holding the next.
fn chain(depth: usize) -> Node {
    (1..depth).fold(Node { next: None }, |inner, _| Node {
        next: Some(Box::new(inner)),
    })
}

#[test]
fn containers_make_room_on_a_small_stack() {
    // On a thread with less stack than copyreg keeps in reserve for one level, every
    // container of objects grows the stack rather than overflowing it.
    std::thread::Builder::new()
        .stack_size(160 << 10)
        .spawn(|| {
            let nodes = vec![chain(100), chain(2)];
            let bytes = copyreg::dumps(&nodes).unwrap();
            let back = copyreg::loads::<Vec<Node>>(&bytes).unwrap();
            let copy = copyreg::copy(&nodes).unwrap();
            let option =
                copyreg::loads::<Option<Node>>(&copyreg::dumps(&Some(chain(100))).unwrap())
                    .unwrap();
            let boxed = copyreg::copy(&Box::new(chain(100))).unwrap();
            let ok = back == nodes && copy == nodes && option.is_some() && boxed.next.is_some();
            // Dropping a long chain recurses: give the values back to a thread with room.
            (ok, nodes, back, copy, option, boxed)
        })
        .unwrap()
        .join()
        .map(|(ok, ..)| assert!(ok))
        .unwrap();
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "containers.Corners")]
struct Corners {
    corners: [Point; 3],
    none: [Point; 0],
    versions: [semver::Version; 2],
}

#[test]
fn an_array_of_objects_is_a_run_as_a_vec_is() {
    let corners = Corners {
        corners: [p(1, 2), p(3, 4), p(5, 6)],
        none: [],
        versions: [version("1.0.0"), version("2.1.0")],
    };
    let bytes = copyreg::dumps(&corners).unwrap();
    // Corners' reference; the run of points: their constructor once, then each x and y;
    // nothing for no points; the run of versions: their constructor, then each string.
    let mut body = vec![1, 2];
    for (x, y) in [(1, 2), (3, 4), (5, 6)] {
        body.extend(point_args(x, y));
    }
    body.push(3);
    for text in ["1.0.0", "2.1.0"] {
        body.push(text.len() as u8);
        body.extend(text.as_bytes());
    }
    assert_eq!(common::body(&bytes), body);
    assert_eq!(copyreg::loads::<Corners>(&bytes).unwrap(), corners);
    assert_eq!(copyreg::deepcopy(&corners).unwrap(), corners);
}
