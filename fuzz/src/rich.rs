//! A rich type for fuzzing loads: graphs, trait objects, foreign and generic types, enums,
//! maps, serde fields, compact codes and runs of numbers. Shared by the fuzz target and the
//! corpus maker.

use std::any::Any;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::time::Duration;

use copyreg::Reducible;
use serde::{Deserialize, Serialize};

pub trait Shape: Any {
    fn area(&self) -> f64;
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fuzz.Circle", code = 77, dyn(Shape))]
pub struct Circle {
    pub r: f64,
}

impl Shape for Circle {
    fn area(&self) -> f64 {
        3.0 * self.r * self.r
    }
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fuzz.Square", fn = |s: &Square| (s.0,), constructor = Square::checked, dyn(Shape))]
pub struct Square(pub f64);

impl Square {
    fn checked(side: f64) -> Result<Square, String> {
        if side.is_finite() {
            Ok(Square(side))
        } else {
            Err("side is not finite".into())
        }
    }
}

impl Shape for Square {
    fn area(&self) -> f64 {
        self.0 * self.0
    }
}

#[derive(Serialize, Deserialize, Debug, PartialEq, Clone)]
pub struct Meta {
    pub tags: Vec<String>,
    pub score: Option<i32>,
}

copyreg::register_foreign!(
    Duration,
    reduce = |d: &Duration| (d.as_secs(), d.subsec_nanos()),
    construct = |s: u64, n: u32| if n < 1_000_000_000 { Ok(Duration::new(s, n)) } else { Err("nanos out of range") },
    name = "fuzz.Duration",
    code = 300,
);

#[derive(Reducible, Debug)]
#[reducer(name = "fuzz.Node")]
pub struct Node {
    pub label: String,
    pub parent: Weak<RefCell<Node>>,
    pub children: Vec<Rc<RefCell<Node>>>,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fuzz.Pair")]
pub struct Pair<A, B> {
    pub a: A,
    pub b: B,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "fuzz.Kind")]
pub enum Kind {
    Empty,
    Number(i64),
    Text { text: String, repeat: u8 },
}

#[derive(Reducible)]
#[reducer(name = "fuzz.Rich")]
pub struct Rich {
    pub kinds: Vec<Kind>,
    pub by_name: BTreeMap<String, Option<Kind>>,
    /// Objects as a map's values: loaded side by side, one stack check for all.
    pub by_id: BTreeMap<u8, Kind>,
    pub shapes: Vec<Box<dyn Shape>>,
    pub shared: Arc<dyn Shape>,
    pub shared_again: Arc<dyn Shape>,
    pub tree: Rc<RefCell<Node>>,
    pub timeouts: HashMap<String, Vec<Duration>>,
    pub meta: Meta,
    pub pair: Pair<u8, Pair<String, Kind>>,
    pub chars: [char; 2],
    pub anything: Box<dyn Any>,
    pub floats: Vec<f64>,
    pub grid: [f32; 4],
    pub bytes: Vec<u8>,
    pub sizes: Vec<usize>,
}

copyreg::register!(Pair<u8, String>);

pub fn rich() -> Rich {
    let shared: Arc<dyn Shape> = Arc::new(Square(2.0));
    let tree = Rc::new(RefCell::new(Node {
        label: "root".into(),
        parent: Weak::new(),
        children: vec![],
    }));
    let child = Rc::new(RefCell::new(Node {
        label: "child".into(),
        parent: Rc::downgrade(&tree),
        children: vec![],
    }));
    tree.borrow_mut().children.push(child);
    Rich {
        kinds: vec![Kind::Empty, Kind::Number(-5), Kind::Text { text: "t".into(), repeat: 2 }],
        by_name: [("k".to_string(), Some(Kind::Number(1))), ("n".to_string(), None)].into(),
        by_id: [(1, Kind::Number(7)), (2, Kind::Text { text: "v".into(), repeat: 1 })].into(),
        shapes: vec![Box::new(Circle { r: 1.0 }), Box::new(Square(3.0))],
        shared_again: shared.clone(),
        shared,
        tree,
        timeouts: [("a".to_string(), vec![Duration::from_millis(1500)])].into(),
        meta: Meta {
            tags: vec!["x".into()],
            score: Some(9),
        },
        pair: Pair {
            a: 1,
            b: Pair {
                a: "b".into(),
                b: Kind::Number(3),
            },
        },
        chars: ['a', '€'],
        anything: Box::new(String::from("any")),
        floats: vec![0.5, -1.0, f64::MAX],
        grid: [1.0, 2.0, 3.0, 4.0],
        bytes: b"blob".to_vec(),
        sizes: vec![0, 1, usize::MAX],
    }
}
