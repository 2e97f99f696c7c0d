//! What the pickle machine builds: an arena of inert nodes that keeps the pickle's object
//! identities, and the budget that copies are charged to.

use super::value::Value;
use crate::wire::error::{Error, Failure, LimitKind};

/// A node's index in the arena.
pub(crate) type Id = usize;

/// One object of the pickle, in 32 bytes: small data inline, strings and bytes the pickle
/// holds as they are borrowed from it (a load allocates for them only where the type it
/// builds holds them), tuples in the arena's pool and calls in its list, so that reading an
/// object costs no allocation of its own.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A `str`, as the pickle's bytes hold it.
    Text(&'a str),
    /// A `bytes`, as the pickle's bytes hold it.
    Data(&'a [u8]),
    /// Every other leaf: big ints, strings decoded from protocol 0's text, `bytearray`s,
    /// globals.
    Leaf(Box<Value>),
    List(Vec<Id>),
    /// The items `pool[start..start + len]`: a tuple never changes.
    Tuple {
        start: u32,
        len: u32,
    },
    Dict(Vec<(Id, Id)>),
    Set(Vec<Id>),
    FrozenSet(Vec<Id>),
    /// `calls[index]`.
    Object(u32),
    Persistent(Id),
}

/// A call, as [`Object`](super::Object) describes it, over nodes.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) callable: Id,
    pub(crate) args: CallArgs,
    pub(crate) kwargs: Vec<(Id, Id)>,
    pub(crate) new: bool,
    pub(crate) state: Option<Id>,
    pub(crate) items: Vec<Id>,
    pub(crate) entries: Vec<(Id, Id)>,
}

/// A call's positional arguments: the tuple the pickle gives them in (from its `skip`-th
/// item), shared rather than copied, or a list of their own.
#[derive(Debug)]
pub(crate) enum CallArgs {
    Tuple(Id, usize),
    Given(Vec<Id>),
}

impl Call {
    pub(super) fn new(callable: Id, args: CallArgs, new: bool) -> Self {
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

/// The objects of a pickle, by [`Id`].
#[derive(Debug, Default)]
pub(crate) struct Arena<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    /// Every tuple's items.
    pub(crate) pool: Vec<Id>,
    pub(crate) calls: Vec<Call>,
}

impl<'a> Arena<'a> {
    pub(crate) fn node(&self, id: Id) -> &Node<'a> {
        &self.nodes[id]
    }

    /// The items of node `id`, if it is a tuple.
    pub(crate) fn tuple(&self, id: Id) -> Option<&[Id]> {
        match self.nodes[id] {
            Node::Tuple { start, len } => self.pool.get(start as usize..(start + len) as usize),
            _ => None,
        }
    }

    /// A call's positional arguments.
    pub(crate) fn args<'s>(&'s self, args: &'s CallArgs) -> &'s [Id] {
        match args {
            CallArgs::Tuple(tuple, skip) => self
                .tuple(*tuple)
                .and_then(|items| items.get(*skip..))
                .unwrap_or_default(),
            CallArgs::Given(ids) => ids,
        }
    }

    /// The text of node `id`, if it is a `str`, borrowed or owned.
    pub(crate) fn text(&self, id: Id) -> Option<&str> {
        match &self.nodes[id] {
            Node::Text(s) => Some(s),
            Node::Leaf(leaf) => match &**leaf {
                Value::Str(s) => Some(s),
                _ => None,
            },
            _ => None,
        }
    }

    /// The bytes of node `id`, if it is a `bytes` or a `bytearray`.
    pub(crate) fn data(&self, id: Id) -> Option<&[u8]> {
        match &self.nodes[id] {
            Node::Data(b) => Some(b),
            Node::Leaf(leaf) => match &**leaf {
                Value::Bytes(b) | Value::ByteArray(b) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    /// The module and name of node `id`, if it is a global.
    pub(crate) fn global(&self, id: Id) -> Option<(&str, &str)> {
        match &self.nodes[id] {
            Node::Leaf(leaf) => match &**leaf {
                Value::Global { module, name } => Some((module, name)),
                _ => None,
            },
            _ => None,
        }
    }
}

/// A pickle, read: its objects and which one it holds.
#[derive(Debug)]
pub(crate) struct Pickle<'a> {
    pub(crate) arena: Arena<'a>,
    pub(crate) root: Id,
}

/// Takes `n` from what is `left`, if there is that much.
#[inline]
fn charge(left: &mut usize, n: usize) -> Option<()> {
    *left = left.checked_sub(n)?;
    Some(())
}

/// What a load may spend on copies the pickle asks for. (`guard::Budget` is serde's: it
/// counts through serde's error types, and for one value at a time.)
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

    #[inline]
    pub(crate) fn bytes(&mut self, n: usize) -> Result<(), Failure> {
        charge(&mut self.alloc, n).ok_or_else(|| self.spent(LimitKind::Allocation))
    }

    #[inline]
    pub(crate) fn elements(&mut self, n: usize) -> Result<(), Failure> {
        charge(&mut self.elements, n).ok_or_else(|| self.spent(LimitKind::Elements))
    }

    #[cold]
    fn spent(&self, which: LimitKind) -> Failure {
        let max = match which {
            LimitKind::Allocation => self.max_alloc,
            _ => self.max_elements,
        };
        Error::Limit { which, max }.into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_node_takes_32_bytes() {
        assert_eq!(std::mem::size_of::<super::Node<'_>>(), 32);
    }
}
