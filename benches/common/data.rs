//! The data several benches and `benches/profile` share, so that timings and instruction
//! counts are of the same values. Only copyreg and serde: `benches/profile` includes it too.

#![allow(dead_code)] // each user takes part of it

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// B1: a struct of five fields.
#[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Small")]
pub struct Small {
    pub x: f64,
    pub y: f64,
    pub z: f64,
    pub id: i64,
    pub label: String,
}

pub fn small() -> Small {
    Small {
        x: 1.5,
        y: -2.25,
        z: 3.125,
        id: 42,
        label: "twelve chars".into(),
    }
}

/// B2: a log record of four strings and three integers.
#[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Log")]
pub struct Log {
    pub host: String,
    pub path: String,
    pub agent: String,
    pub message: String,
    pub status: u16,
    pub bytes: u64,
    pub millis: u32,
}

pub fn batch(n: usize) -> Vec<Log> {
    (0..n)
        .map(|i| Log {
            host: format!("host-{}", i % 17),
            path: format!("/api/v1/items/{i}"),
            agent: "Mozilla/5.0 (X11; Linux x86_64)".into(),
            message: format!("request {i} served"),
            status: 200 + (i % 5) as u16,
            bytes: (i * 37) as u64,
            millis: (i % 1000) as u32,
        })
        .collect()
}

/// A dict value, as JSON-like data holds them.
#[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Value")]
pub enum Value {
    Int(i64),
    Str(String),
    Flag(bool),
    List(Vec<String>),
}

/// A map at top level goes in a struct: generic containers are registered for each derived
/// type (`Vec<Value>`, `Option<Value>`, `Box<Value>`), not for every map of them.
#[derive(copyreg::Reducible, Serialize, Deserialize, Debug, PartialEq)]
#[reducer(name = "bench.Profile")]
pub struct Profile(pub HashMap<String, Value>);

/// 33 entries: what a user profile record holds.
pub fn profile() -> HashMap<String, Value> {
    let mut map = HashMap::new();
    for (i, key) in [
        "ads_flags",
        "age",
        "bulletin_count",
        "comment_count",
        "country",
        "encrypted_id",
        "favorite_artists",
        "favorite_books",
        "favorite_movies",
        "favorite_music",
        "favorite_tv_shows",
        "first_name",
        "friends_count",
        "gender",
        "gender_for_display",
        "id",
        "is_active",
        "is_banned",
        "is_verified",
        "last_name",
        "locale",
        "location",
        "long_picture_url",
        "medium_picture_url",
        "message_count",
        "name",
        "picture_url",
        "profile_count",
        "relationship_status",
        "time_zone",
        "updated",
        "username",
        "website",
    ]
    .into_iter()
    .enumerate()
    {
        let value = match i % 4 {
            0 => Value::Int(i as i64 * 1_000_003),
            1 => Value::Str(format!("value of {key}")),
            2 => Value::Flag(i % 3 == 0),
            _ => Value::List((0..5).map(|j| format!("\"{key} {j}\"")).collect()),
        };
        map.insert(key.to_string(), value);
    }
    map
}

/// B4's second shape: a map of maps.
#[derive(copyreg::Reducible, Serialize, Deserialize, Debug, PartialEq)]
#[reducer(name = "bench.Records")]
pub struct Records(pub HashMap<String, HashMap<String, Value>>);

/// 100 maps of 10 entries.
pub fn nested() -> HashMap<String, HashMap<String, Value>> {
    (0..100)
        .map(|i| {
            let inner = (0..10)
                .map(|j| (format!("field_{j}"), Value::Int(i * 10 + j)))
                .collect();
            (format!("record_{i}"), inner)
        })
        .collect()
}

/// B6/memo, pyperformance's `deepcopy_memo` data: `A = [1] * 100; {'a': (A, A, A), 'b': [A]
/// * 100}`, one list referred to 103 times.
#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "bench.Memo")]
pub struct Memo {
    pub a: (List, List, List),
    pub b: Vec<List>,
}

/// B6/memo's shared list.
pub type List = Arc<Vec<i64>>;

pub fn memo() -> Memo {
    let list = Arc::new(vec![1i64; 100]);
    Memo {
        a: (list.clone(), list.clone(), list.clone()),
        b: vec![list; 100],
    }
}

/// Calls the macro `$declare` with B5's 100 module names, so that the B5 bench and
/// `benches/profile` declare the same object types.
#[allow(unused_macros)] // as `dead_code` above
macro_rules! b5_types {
    ($declare:ident) => {
        $declare! {
            t0 t1 t2 t3 t4 t5 t6 t7 t8 t9 t10 t11 t12 t13 t14 t15 t16 t17 t18 t19 t20 t21
            t22 t23 t24 t25 t26 t27 t28 t29 t30 t31 t32 t33 t34 t35 t36 t37 t38 t39 t40 t41
            t42 t43 t44 t45 t46 t47 t48 t49 t50 t51 t52 t53 t54 t55 t56 t57 t58 t59 t60 t61
            t62 t63 t64 t65 t66 t67 t68 t69 t70 t71 t72 t73 t74 t75 t76 t77 t78 t79 t80 t81
            t82 t83 t84 t85 t86 t87 t88 t89 t90 t91 t92 t93 t94 t95 t96 t97 t98 t99
        }
    };
}
#[allow(unused_imports)]
pub(crate) use b5_types;

/// B6: a node of a DAG of shared `Arc`s.
#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "bench.Node")]
pub struct Node {
    pub id: u32,
    pub children: Vec<Arc<Node>>,
}

/// The graph's entry point (`Arc<Node>` itself is not registered at top level).
#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "bench.Graph")]
pub struct Graph {
    pub root: Arc<Node>,
}

pub const NODES: usize = 10_000;

/// Each node's children, by index; a child's index is always larger than its parent's.
/// Node `c > 0` hangs under one random earlier node; then extra links (30% of all links)
/// point at nodes that already have a parent.
pub fn links() -> Vec<Vec<usize>> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |below: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below as u64) as usize
    };
    let mut children = vec![Vec::new(); NODES];
    for c in 1..NODES {
        children[next(c)].push(c);
    }
    let tree_links = NODES - 1;
    let extra = tree_links * 3 / 7;
    for _ in 0..extra {
        let c = 1 + next(NODES - 1);
        let p = next(c);
        children[p].push(c);
    }
    children
}

pub fn build(children: &[Vec<usize>]) -> Arc<Node> {
    build_with(children, |id, children| Node { id, children })
}

/// The DAG `children` describes, of nodes that `node` makes from an id and the children.
pub fn build_with<N>(children: &[Vec<usize>], node: impl Fn(u32, Vec<Arc<N>>) -> N) -> Arc<N> {
    let mut nodes: Vec<Option<Arc<N>>> = (0..children.len()).map(|_| None).collect();
    for i in (0..children.len()).rev() {
        let links = children[i]
            .iter()
            .map(|&c| Arc::clone(nodes[c].as_ref().expect("children come later")))
            .collect();
        nodes[i] = Some(Arc::new(node(i as u32, links)));
    }
    nodes[0].take().expect("the root")
}
