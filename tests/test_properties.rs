//! Round trips over generated values: `loads(dumps(v)) == v`, `copy(v) == v` and
//! `deepcopy(v) == v` for any value of a rich derived type.

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
