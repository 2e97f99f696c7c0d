//! What the pickle machine builds: an arena of inert nodes that keeps the pickle's object
//! identities, and the budget that copies are charged to.

use super::value::Value;
use crate::error::{Error, LimitKind};

/// A node's index in the arena.
pub(crate) type Id = usize;

/// One object of the pickle.
#[derive(Debug)]
pub(crate) enum Node {
    /// Data with nothing inside, and globals.
    Leaf(Value),
    List(Vec<Id>),
    Tuple(Vec<Id>),
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    Object(Box<Call>),
    Persistent(Id),
}

/// A call, as [`Object`](super::Object) describes it, over nodes.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) callable: Id,
    pub(crate) args: Vec<Id>,
    pub(crate) kwargs: Vec<(Id, Id)>,
    pub(crate) new: bool,
    pub(crate) state: Option<Id>,
    pub(crate) items: Vec<Id>,
    pub(crate) entries: Vec<(Id, Id)>,
}

impl Call {
    pub(super) fn new(callable: Id, args: Vec<Id>, new: bool) -> Self {
        Call {
            callable,
            args,
            kwargs: Vec::new(),
            new,
            state: None,
            items: Vec::new(),
            entries: Vec::new(),
        }
    }
}

/// A pickle, read: its objects and which one it holds.
#[derive(Debug)]
pub(crate) struct Pickle {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: Id,
}

/// What a load may spend on copies the pickle asks for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Budget {
    pub(crate) alloc: usize,
    pub(crate) elements: usize,
    max_alloc: usize,
    max_elements: usize,
}

impl Budget {
    pub(crate) fn new(max_alloc: usize, max_elements: usize) -> Self {
        Budget {
            alloc: max_alloc,
            elements: max_elements,
            max_alloc,
            max_elements,
        }
    }

    pub(crate) fn bytes(&mut self, n: usize) -> Result<(), Error> {
        self.alloc = self.alloc.checked_sub(n).ok_or(Error::Limit {
            which: LimitKind::Allocation,
            max: self.max_alloc,
        })?;
        Ok(())
    }

    pub(crate) fn elements(&mut self, n: usize) -> Result<(), Error> {
        self.elements = self.elements.checked_sub(n).ok_or(Error::Limit {
            which: LimitKind::Elements,
            max: self.max_elements,
        })?;
        Ok(())
    }
}
