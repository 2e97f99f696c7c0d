//! A type for fuzzing the shapes that take no bytes: zero-sized and unit elements in every
//! std collection, in derived fields and in serde-only fields, next to `Rc`/`Arc` that a
//! `Weak` inside points back to (built with `new_cyclic`). Shared by the fuzz target and the
//! corpus maker.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;
use std::rc::{Rc, Weak};
use std::sync::{self, Arc};

use copyreg::Reducible;
use serde::{Deserialize, Serialize};

/// Unit-like, and only serde knows it.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Flag;

/// A serde-only value whose collections hold nothing but units.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct SerdeUnits {
    pub flags: Vec<Flag>,
    pub units: Vec<()>,
    pub set: HashSet<()>,
    pub map: BTreeMap<(), Flag>,
    pub nested: Vec<Vec<()>>,
    pub deque: VecDeque<Flag>,
}

/// A derived unit struct: written as a constructor reference, one byte.
#[derive(Reducible, Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[reducer(name = "fuzz.Mark")]
pub struct Mark;

#[derive(Reducible, Debug)]
#[reducer(name = "fuzz.Cell")]
pub struct Cell {
    pub up: Weak<Cell>,
    pub units: Vec<()>,
    pub next: Option<Rc<Cell>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "fuzz.SyncCell")]
pub struct SyncCell {
    pub up: sync::Weak<SyncCell>,
    pub marks: Vec<Mark>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "fuzz.Empty")]
pub struct Empty {
    pub units: Vec<()>,
    pub deque: VecDeque<()>,
    pub set: HashSet<()>,
    pub btree_set: BTreeSet<()>,
    pub map: HashMap<(), ()>,
    pub btree_map: BTreeMap<(), ()>,
    pub arrays: Vec<[u64; 0]>,
    pub phantoms: Vec<PhantomData<String>>,
    pub tuples: Vec<((), ())>,
    pub nested: Vec<Vec<()>>,
    pub marks: Vec<Mark>,
    pub mark_set: BTreeSet<Mark>,
    pub serde: SerdeUnits,
    pub serde_list: Vec<SerdeUnits>,
    pub cell: Rc<Cell>,
    pub sync_cell: Arc<SyncCell>,
}

pub fn empty() -> Empty {
    let cell = Rc::new_cyclic(|up| Cell {
        up: up.clone(),
        units: vec![(); 3],
        next: Some(Rc::new_cyclic(|inner| Cell {
            up: inner.clone(),
            units: vec![],
            next: None,
        })),
    });
    let sync_cell = Arc::new_cyclic(|up| SyncCell {
        up: up.clone(),
        marks: vec![Mark, Mark],
    });
    let serde = SerdeUnits {
        flags: vec![Flag; 4],
        units: vec![(); 2],
        set: [()].into(),
        map: [((), Flag)].into(),
        nested: vec![vec![(); 2], vec![]],
        deque: [Flag].into(),
    };
    Empty {
        units: vec![(); 5],
        deque: [(), ()].into(),
        set: [()].into(),
        btree_set: [()].into(),
        map: [((), ())].into(),
        btree_map: [((), ())].into(),
        arrays: vec![[], []],
        phantoms: vec![PhantomData; 3],
        tuples: vec![((), ()); 2],
        nested: vec![vec![(); 3], vec![()]],
        marks: vec![Mark; 3],
        mark_set: [Mark].into(),
        serde_list: vec![serde.clone()],
        serde,
        cell,
        sync_cell,
    }
}
