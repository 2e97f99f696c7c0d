//! Round trips over generated values: `loads(dumps(v)) == v`, `copy(v) == v` and
//! `deepcopy(v) == v` for any value of a rich derived type; runs of numbers (written in one
//! pass) are postcard's bytes and fail cleanly when cut short.

mod common;

use std::collections::BTreeMap;
use std::sync::Arc;

use copyreg::Reducible;
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
struct Meta {
    tags: Vec<String>,
    flag: bool,
}

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "prop.Shape")]
enum Shape {
    Dot,
    Circle { r: f64 },
    Poly(Vec<(i32, i32)>),
}

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "prop.Item", fn = |i: &Item| (i.name.clone(), i.count), constructor = Item::new)]
struct Item {
    name: String,
    count: u32,
}

impl Item {
    fn new(name: String, count: u32) -> Item {
        Item { name, count }
    }
}

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "prop.Rich")]
struct Rich {
    id: u64,
    small: i8,
    wide: i128,
    ch: char,
    text: String,
    shapes: Vec<Shape>,
    items: BTreeMap<String, Item>,
    maybe: Option<Box<Shape>>,
    pair: (u16, String),
    grid: [u8; 3],
    meta: Meta,
    shared: Arc<Item>,
}

fn shape() -> impl Strategy<Value = Shape> {
    prop_oneof![
        Just(Shape::Dot),
        (-1e9f64..1e9).prop_map(|r| Shape::Circle { r }),
        prop::collection::vec((any::<i32>(), any::<i32>()), 0..5).prop_map(Shape::Poly),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    (".{0,12}", any::<u32>()).prop_map(|(name, count)| Item { name, count })
}

fn rich() -> impl Strategy<Value = Rich> {
    (
        (
            any::<u64>(),
            any::<i8>(),
            any::<i128>(),
            any::<char>(),
            ".{0,20}",
        ),
        prop::collection::vec(shape(), 0..6),
        prop::collection::btree_map(".{0,6}", item(), 0..4),
        prop::option::of(shape().prop_map(Box::new)),
        (any::<u16>(), ".{0,8}"),
        any::<[u8; 3]>(),
        (prop::collection::vec(".{0,5}", 0..3), any::<bool>()),
        item(),
    )
        .prop_map(
            |(
                (id, small, wide, ch, text),
                shapes,
                items,
                maybe,
                pair,
                grid,
                (tags, flag),
                shared,
            )| Rich {
                id,
                small,
                wide,
                ch,
                text,
                shapes,
                items,
                maybe,
                pair,
                grid,
                meta: Meta { tags, flag },
                shared: Arc::new(shared),
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn loads_of_dumps_gives_the_value_back(value in rich()) {
        let bytes = copyreg::dumps(&value).unwrap();
        prop_assert_eq!(copyreg::loads::<Rich>(&bytes).unwrap(), value);
    }

    #[test]
    fn copy_and_deepcopy_give_an_equal_value(value in rich()) {
        prop_assert_eq!(&copyreg::copy(&value).unwrap(), &value);
        prop_assert_eq!(&copyreg::deepcopy(&value).unwrap(), &value);
    }

    #[test]
    fn a_vec_of_values_round_trips_through_loads_any(values in prop::collection::vec(rich(), 0..4)) {
        let bytes = copyreg::dumps(&values).unwrap();
        let any = copyreg::loads_any(&bytes).unwrap();
        prop_assert_eq!(any.downcast_ref::<Vec<Rich>>(), Some(&values));
    }
}

/// Runs of numbers, which copyreg writes and reads in one pass rather than one by one.
#[derive(Reducible, Serialize, Debug, PartialEq, Clone)]
#[reducer(name = "props.Runs")]
struct Runs {
    bytes: Vec<u8>,
    words: Vec<u16>,
    signed: Vec<i64>,
    sizes: Vec<usize>,
    floats: Vec<f32>,
    doubles: Vec<f64>,
    rows: Vec<[u32; 3]>,
    wide: Vec<i128>,
}

fn runs() -> impl Strategy<Value = Runs> {
    let v = |n| prop::collection::vec(any::<u8>(), 0..n);
    (
        (v(64), prop::collection::vec(any::<u16>(), 0..16)),
        prop::collection::vec(any::<i64>(), 0..16),
        prop::collection::vec(any::<usize>(), 0..16),
        prop::collection::vec(
            any::<f32>().prop_filter("NaN != NaN", |f| !f.is_nan()),
            0..16,
        ),
        prop::collection::vec(
            any::<f64>().prop_filter("NaN != NaN", |f| !f.is_nan()),
            0..16,
        ),
        prop::collection::vec(any::<[u32; 3]>(), 0..8),
        prop::collection::vec(any::<i128>(), 0..4),
    )
        .prop_map(
            |((bytes, words), signed, sizes, floats, doubles, rows, wide)| Runs {
                bytes,
                words,
                signed,
                sizes,
                floats,
                doubles,
                rows,
                wide,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn runs_of_numbers_are_postcards_bytes_and_round_trip(value in runs()) {
        let bytes = copyreg::dumps(&value).unwrap();
        // Body: a one-byte constructor reference, then exactly postcard's layout.
        let body = common::body(&bytes);
        prop_assert_eq!(&body[1..], &postcard::to_allocvec(&value).unwrap()[..]);
        prop_assert_eq!(copyreg::loads::<Runs>(&bytes).unwrap(), value.clone());
        prop_assert_eq!(copyreg::copy(&value).unwrap(), value);
    }

    #[test]
    fn every_truncation_of_a_run_is_an_error(value in runs()) {
        let bytes = copyreg::dumps(&value).unwrap();
        let body = common::body(&bytes).to_vec();
        for cut in 0..body.len() {
            let truncated = common::with_body(&bytes, &body[..cut]);
            prop_assert!(copyreg::loads::<Runs>(&truncated).is_err());
        }
    }
}
