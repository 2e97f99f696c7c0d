//! `#[derive(Reducible)]` on every struct and enum shape, with default reducers.

use std::collections::{BTreeMap, HashMap};

use copyreg::Reducible;
use serde::{Deserialize, Serialize};

#[derive(Reducible, Debug, PartialEq)]
struct Named {
    id: u32,
    label: String,
    weights: Vec<f64>,
}

#[derive(Reducible, Debug, PartialEq)]
struct Tuple(i8, Option<String>);

#[derive(Reducible, Debug, PartialEq)]
struct Unit;

#[derive(Reducible, Debug, PartialEq)]
enum Shape {
    Circle { r: f64 },
    Rect(f64, f64),
    Empty,
}

/// A type with serde only: written through bincode inside derived types.
#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meta {
    tags: Vec<String>,
}

#[derive(Reducible, Debug, PartialEq)]
struct Everything {
    named: Named,
    shapes: Vec<Shape>,
    maybe: Option<Box<Shape>>,
    grid: [[u8; 2]; 2],
    pair: (Unit, Tuple),
    by_name: BTreeMap<String, Shape>,
    counts: HashMap<u16, Vec<Named>>,
    meta: Meta,
    metas: Vec<Meta>,
    ch: char,
    flag: bool,
    wide: (u128, i128, usize, isize),
}

fn round_trip<T: Reducible + PartialEq + std::fmt::Debug>(value: &T) {
    let bytes = copyreg::dumps(value).unwrap();
    assert_eq!(&copyreg::loads::<T>(&bytes).unwrap(), value);
    assert_eq!(&copyreg::copy(value).unwrap(), value);
    assert_eq!(&copyreg::deepcopy(value).unwrap(), value);
}

fn named() -> Named {
    Named {
        id: 7,
        label: "seven".into(),
        weights: vec![0.5, -1.25],
    }
}

#[test]
fn struct_shapes_round_trip() {
    round_trip(&named());
    round_trip(&Tuple(-3, Some("x".into())));
    round_trip(&Tuple(0, None));
    round_trip(&Unit);
}

#[test]
fn every_enum_variant_round_trips() {
    for shape in [
        Shape::Circle { r: 1.5 },
        Shape::Rect(2.0, 3.0),
        Shape::Empty,
    ] {
        round_trip(&shape);
    }
}

#[test]
fn nested_containers_and_serde_fields_round_trip() {
    let value = Everything {
        named: named(),
        shapes: vec![Shape::Empty, Shape::Rect(1.0, 2.0)],
        maybe: Some(Box::new(Shape::Circle { r: 9.0 })),
        grid: [[1, 2], [3, 4]],
        pair: (Unit, Tuple(1, None)),
        by_name: BTreeMap::from([("c".to_string(), Shape::Circle { r: 0.1 })]),
        counts: HashMap::from([(3, vec![named(), named()])]),
        meta: Meta {
            tags: vec!["a".into(), "b".into()],
        },
        metas: vec![Meta { tags: vec![] }],
        ch: 'é',
        flag: true,
        wide: (u128::MAX, i128::MIN, usize::MAX, isize::MIN),
    };
    round_trip(&value);
}

#[test]
fn vec_option_and_box_of_a_derived_type_work_at_top_level() {
    round_trip(&vec![named(), named()]);
    round_trip(&Some(Shape::Empty));
    round_trip(&None::<Shape>);
    round_trip(&Box::new(Unit));
    let table = copyreg::dispatch_table();
    let name = table.get::<Named>().unwrap().name();
    assert_eq!(
        table.get::<Vec<Named>>().unwrap().name(),
        format!("Vec<{name}>")
    );
}

#[test]
fn default_name_is_module_path_plus_type_name() {
    let entry = copyreg::dispatch_table().get::<Named>().unwrap();
    assert_eq!(entry.name(), "test_derive::Named");
    assert_eq!(entry.type_id(), std::any::TypeId::of::<Named>());
}

mod renamed {
    #[derive(copyreg::Reducible, Debug, PartialEq)]
    #[reducer(name = "geo.Point")]
    pub struct Point {
        pub x: i64,
        pub y: i64,
    }
}

#[test]
fn name_attribute_sets_the_wire_name() {
    let p = renamed::Point { x: 1, y: 2 };
    let bytes = copyreg::dumps(&p).unwrap();
    assert!(bytes.windows(9).any(|w| w == b"geo.Point"));
    assert_eq!(
        copyreg::dispatch_table()
            .by_name("geo.Point")
            .unwrap()
            .type_id(),
        std::any::TypeId::of::<renamed::Point>()
    );
}

mod reexport {
    //! A crate that re-exports copyreg under another path.
    pub mod facade {
        pub use copyreg::*;
    }
}

#[derive(copyreg::Reducible, Debug, PartialEq)]
#[reducer(crate = "reexport::facade")]
struct ThroughReexport {
    v: u8,
}

#[test]
fn crate_attribute_points_generated_code_at_a_reexport() {
    round_trip(&ThroughReexport { v: 9 });
}

#[test]
fn loads_any_gives_back_the_concrete_type() {
    let bytes = copyreg::dumps(&Shape::Rect(1.0, 2.0)).unwrap();
    let any = copyreg::loads_any(&bytes).unwrap();
    assert_eq!(any.downcast_ref::<Shape>(), Some(&Shape::Rect(1.0, 2.0)));
    assert_eq!(copyreg::dumps_dyn(&Shape::Rect(1.0, 2.0)).unwrap(), bytes);
}
