//! Generic derived types, and `register!` for concrete instances.

use std::collections::BTreeMap;
use std::rc::Rc;

use copyreg::Reducible;

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "geo.Point")]
struct Point {
    x: i32,
    y: i32,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "box.Wrapper")]
struct Wrapper<T> {
    inner: T,
    many: Vec<T>,
}

#[derive(Reducible, Debug, PartialEq)]
enum Either<L, R> {
    Left(L),
    Right { value: R },
}

#[derive(Reducible, Debug, PartialEq)]
struct Fixed<T, const N: usize> {
    items: [T; N],
}

/// A concrete type holding generic instances: none of them is registered.
#[derive(Reducible, Debug, PartialEq)]
struct Holder {
    points: Wrapper<Point>,
    numbers: Wrapper<u64>,
    choice: Either<String, Wrapper<Point>>,
    table: BTreeMap<String, Either<u8, i8>>,
    fixed: Fixed<u8, 3>,
}

copyreg::register!(Wrapper<Point>);
copyreg::register!(Either<u8, String>);

fn holder() -> Holder {
    Holder {
        points: Wrapper {
            inner: Point { x: 1, y: 2 },
            many: vec![Point { x: 3, y: 4 }],
        },
        numbers: Wrapper {
            inner: 5,
            many: vec![6, 7],
        },
        choice: Either::Right {
            value: Wrapper {
                inner: Point { x: 0, y: 0 },
                many: vec![],
            },
        },
        table: BTreeMap::from([
            ("l".into(), Either::Left(1)),
            ("r".into(), Either::Right { value: -1 }),
        ]),
        fixed: Fixed { items: [1, 2, 3] },
    }
}

#[test]
fn generic_types_work_as_fields_without_registration() {
    let bytes = copyreg::dumps(&holder()).unwrap();
    assert_eq!(copyreg::loads::<Holder>(&bytes).unwrap(), holder());
    assert_eq!(copyreg::copy(&holder()).unwrap(), holder());
    assert_eq!(copyreg::deepcopy(&holder()).unwrap(), holder());
}

#[test]
fn concrete_instances_are_named_after_their_parameters() {
    let bytes = copyreg::dumps(&holder()).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("box.Wrapper<geo.Point>"), "{text}");
    assert!(text.contains("box.Wrapper<u64>"), "{text}");
    assert!(
        text.contains("test_generic::Either<String, box.Wrapper<geo.Point>>"),
        "{text}"
    );
    assert!(text.contains("test_generic::Fixed<u8, 3>"), "{text}");
}

#[test]
fn a_registered_instance_works_at_top_level() {
    let w = Wrapper {
        inner: Point { x: 9, y: 9 },
        many: vec![],
    };
    let bytes = copyreg::dumps(&w).unwrap();
    assert_eq!(copyreg::loads::<Wrapper<Point>>(&bytes).unwrap(), w);
    let any = copyreg::loads_any(&bytes).unwrap();
    assert_eq!(any.downcast_ref::<Wrapper<Point>>(), Some(&w));
    let table = copyreg::dispatch_table();
    assert_eq!(
        table.get::<Wrapper<Point>>().unwrap().name(),
        "box.Wrapper<geo.Point>"
    );
    assert_eq!(
        table.get::<Either<u8, String>>().unwrap().name(),
        "test_generic::Either<u8, String>"
    );
    // Containers of a registered instance come with it.
    assert!(table.contains::<Vec<Wrapper<Point>>>());
}

#[test]
fn an_unregistered_instance_is_not_registered_at_top_level() {
    let w = Wrapper {
        inner: 1u8,
        many: vec![],
    };
    let err = copyreg::dumps(&w).unwrap_err();
    assert!(matches!(err, copyreg::Error::NotRegistered { .. }));
}

#[test]
fn register_takes_std_composites_too() {
    copyreg::register!(Rc<Vec<Point>>);
    let shared = Rc::new(vec![Point { x: 1, y: 1 }]);
    let back = copyreg::loads::<Rc<Vec<Point>>>(&copyreg::dumps(&shared).unwrap()).unwrap();
    assert_eq!(back, shared);
    assert_eq!(
        copyreg::dispatch_table()
            .get::<Rc<Vec<Point>>>()
            .unwrap()
            .name(),
        "Rc<Vec<geo.Point>>"
    );
}
