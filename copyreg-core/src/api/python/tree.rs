//! A read pickle as a [`Value`] tree: each object copied into every place the pickle
//! refers to it, within the unpickler's budget.

use std::borrow::Cow;

use super::arena::{Arena, Budget, Id, Node, Pickle};
use super::value::{Object, Value};
use crate::wire::depth::{RED_ZONE, SEGMENT};
use crate::wire::error::{Error, LimitKind};

/// The most levels a [`Value`] read from a pickle nests: Python's default recursion limit.
/// A `Value`'s derived `Clone`, `PartialEq` and `Debug` recurse, and in a debug build a
/// thread's 2 MiB stack holds about 1,500 levels of them.
///
/// ```
/// use copyreg::python::{loads_value, MAX_VALUE_DEPTH};
///
/// // `depth` MARKs, an empty list, then `depth` LISTs: lists `depth` + 1 deep.
/// let nested = |depth: usize| [vec![b'('; depth], vec![b']'], vec![b'l'; depth], vec![b'.']].concat();
/// assert!(loads_value(&nested(MAX_VALUE_DEPTH - 1)).is_ok());
/// assert!(loads_value(&nested(MAX_VALUE_DEPTH)).is_err());
/// ```
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
        arena: &pickle.arena,
        open: vec![false; pickle.arena.nodes.len()],
        budget,
        depth: 0,
        max_depth,
    }
    .expand(pickle.root)
}

struct Expand<'p, 'b> {
    arena: &'p Arena<'p>,
    /// The containers being expanded, outermost to innermost.
    open: Vec<bool>,
    budget: &'b mut Budget,
    depth: usize,
    max_depth: usize,
}

impl Expand<'_, '_> {
    fn expand(&mut self, id: Id) -> Result<Value, Error> {
        self.budget.elements(1)?;
        let leaf = match self.arena.node(id) {
            Node::None => Value::None,
            &Node::Bool(b) => Value::Bool(b),
            &Node::Int(n) => Value::Int(n),
            &Node::Float(x) => Value::Float(x),
            Node::Text(s) => {
                self.budget.bytes(s.len())?;
                Value::Str((*s).to_owned())
            }
            Node::Data(b) => {
                self.budget.bytes(b.len())?;
                Value::Bytes(b.to_vec())
            }
            Node::Leaf(leaf) => {
                if let Value::Str(s) = &**leaf {
                    self.budget.bytes(s.len())?;
                } else if let Value::Bytes(b) | Value::ByteArray(b) = &**leaf {
                    self.budget.bytes(b.len())?;
                }
                (**leaf).clone()
            }
            _ => return self.container(id),
        };
        Ok(leaf)
    }

    /// A container: refused if it holds itself, or nests past the limit.
    fn container(&mut self, id: Id) -> Result<Value, Error> {
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
        let value = stacker::maybe_grow(RED_ZONE, SEGMENT, || self.inner(id));
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

    fn inner(&mut self, id: Id) -> Result<Value, Error> {
        let arena = self.arena;
        Ok(match arena.node(id) {
            Node::List(items) => Value::List(self.all(items)?),
            Node::Tuple { .. } => Value::Tuple(self.all(arena.tuple(id).unwrap_or_default())?),
            Node::Set(items) => Value::Set(self.all(items)?),
            Node::FrozenSet(items) => Value::FrozenSet(self.all(items)?),
            Node::Dict(pairs) => Value::Dict(self.pairs(pairs)?),
            Node::Persistent(id) => Value::Persistent(Box::new(self.expand(*id)?)),
            Node::Object(index) => {
                let call = &arena.calls[*index as usize];
                Value::Object(Box::new(Object {
                    callable: self.expand(call.callable)?,
                    args: self.all(arena.args(&call.args))?,
                    kwargs: self.pairs(&call.kwargs)?,
                    new: call.new,
                    state: call.state.map(|id| self.expand(id)).transpose()?,
                    items: self.all(&call.items)?,
                    entries: self.pairs(&call.entries)?,
                }))
            }
            // Leaves are expanded by `expand`.
            _ => Value::None,
        })
    }
}
