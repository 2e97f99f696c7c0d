//! A read pickle as a [`Value`] tree: each object copied into every place the pickle
//! refers to it, within the unpickler's budget.

use std::borrow::Cow;

use super::arena::{items, Budget, Id, Node, Pickle};
use super::value::{Object, Value};
use crate::depth::{RED_ZONE, SEGMENT};
use crate::error::{Error, LimitKind};

/// The most levels a [`Value`] read from a pickle nests: Python's default recursion limit.
/// A `Value`'s derived `Clone`, `PartialEq` and `Debug` recurse, and in a debug build a
/// thread's 2 MiB stack holds about 1,500 levels of them.
pub const MAX_VALUE_DEPTH: usize = 1000;

/// The pickle's object as a tree. Every node counts against the element budget, and every
/// string's bytes against the allocation budget, so a small pickle that refers to one large
/// object many times cannot expand past them; a container that holds itself is an error.
pub(crate) fn value(
    pickle: &Pickle<'_>,
    budget: &mut Budget,
    max_depth: usize,
) -> Result<Value, Error> {
    Expand {
        nodes: &pickle.nodes,
        open: vec![false; pickle.nodes.len()],
        budget,
        depth: 0,
        max_depth,
    }
    .expand(pickle.root)
}

struct Expand<'p, 'b> {
    nodes: &'p [Node<'p>],
    /// The containers being expanded, outermost to innermost.
    open: Vec<bool>,
    budget: &'b mut Budget,
    depth: usize,
    max_depth: usize,
}

impl Expand<'_, '_> {
    fn expand(&mut self, id: Id) -> Result<Value, Error> {
        self.budget.elements(1)?;
        let node = &self.nodes[id];
        match node {
            Node::Text(s) => {
                self.budget.bytes(s.len())?;
                return Ok(Value::Str((*s).to_owned()));
            }
            Node::Data(b) => {
                self.budget.bytes(b.len())?;
                return Ok(Value::Bytes(b.to_vec()));
            }
            _ => {}
        }
        if let Node::Leaf(leaf) = node {
            if let Value::Str(s) = leaf {
                self.budget.bytes(s.len())?;
            } else if let Value::Bytes(b) | Value::ByteArray(b) = leaf {
                self.budget.bytes(b.len())?;
            }
            return Ok(leaf.clone());
        }
        if self.open[id] {
            return Err(Error::Pickle {
                offset: None,
                reason: Cow::Borrowed(
                    "the pickle holds a container that contains itself, which a tree of \
                     values cannot hold",
                ),
            });
        }
        if self.depth >= self.max_depth.min(MAX_VALUE_DEPTH) {
            return Err(self.too_deep());
        }
        self.open[id] = true;
        self.depth += 1;
        let value = stacker::maybe_grow(RED_ZONE, SEGMENT, || self.inner(node));
        self.depth -= 1;
        self.open[id] = false;
        value
    }

    #[cold]
    fn too_deep(&self) -> Error {
        if self.max_depth <= MAX_VALUE_DEPTH {
            return Error::Limit {
                which: LimitKind::Depth,
                max: self.max_depth,
            };
        }
        Error::Pickle {
            offset: None,
            reason: Cow::Owned(format!(
                "the pickle nests deeper than {MAX_VALUE_DEPTH} levels, the most a `Value` \
                 holds: like Python's `repr` and `==`, its `Clone`, `PartialEq` and `Debug` \
                 recurse, and deeper would risk the stack of a thread"
            )),
        }
    }

    fn all(&mut self, ids: &[Id]) -> Result<Vec<Value>, Error> {
        ids.iter().map(|&id| self.expand(id)).collect()
    }

    fn pairs(&mut self, pairs: &[(Id, Id)]) -> Result<Vec<(Value, Value)>, Error> {
        pairs
            .iter()
            .map(|&(k, v)| Ok((self.expand(k)?, self.expand(v)?)))
            .collect()
    }

    fn inner(&mut self, node: &Node<'_>) -> Result<Value, Error> {
        Ok(match node {
            Node::Leaf(leaf) => leaf.clone(),
            Node::Text(s) => Value::Str((*s).to_owned()),
            Node::Data(b) => Value::Bytes(b.to_vec()),
            Node::List(items) => Value::List(self.all(items)?),
            Node::Tuple(items) => Value::Tuple(self.all(items)?),
            Node::Set(items) => Value::Set(self.all(items)?),
            Node::FrozenSet(items) => Value::FrozenSet(self.all(items)?),
            Node::Dict(pairs) => Value::Dict(self.pairs(pairs)?),
            Node::Persistent(id) => Value::Persistent(Box::new(self.expand(*id)?)),
            Node::Object(call) => Value::Object(Box::new(Object {
                callable: self.expand(call.callable)?,
                args: self.all(items(self.nodes, &call.args))?,
                kwargs: self.pairs(&call.kwargs)?,
                new: call.new,
                state: call.state.map(|id| self.expand(id)).transpose()?,
                items: self.all(&call.items)?,
                entries: self.pairs(&call.entries)?,
            })),
        })
    }
}
