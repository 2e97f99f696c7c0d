//! What the pickle machine builds: an arena of inert nodes that keeps the pickle's object
//! identities, and the budget that copies are charged to.

use super::value::Value;
use crate::error::{Error, LimitKind};

/// A node's index in the arena.
pub(crate) type Id = usize;

/// One object of the pickle. Strings and bytes the pickle holds as they are borrow its
/// bytes: a load allocates for them only where the type it builds holds them.
#[derive(Debug)]
pub(crate) enum Node<'a> {
    /// Data with nothing inside, and globals.
    Leaf(Value),
    /// A `str`, as the pickle's bytes hold it.
    Text(&'a str),
    /// A `bytes`, as the pickle's bytes hold it.
    Data(&'a [u8]),
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

/// A pickle, read: its objects and which one it holds.
#[derive(Debug)]
pub(crate) struct Pickle<'a> {
    pub(crate) nodes: Vec<Node<'a>>,
    pub(crate) root: Id,
}

impl Pickle<'_> {
    /// A call's positional arguments.
    pub(crate) fn args<'s>(&'s self, call: &'s Call) -> &'s [Id] {
        items(&self.nodes, &call.args)
    }
}

/// The ids `args` stands for, among `nodes`.
pub(crate) fn items<'s>(nodes: &'s [Node<'_>], args: &'s CallArgs) -> &'s [Id] {
    match args {
        CallArgs::Tuple(tuple, skip) => match &nodes[*tuple] {
            Node::Tuple(items) => items.get(*skip..).unwrap_or_default(),
            _ => &[],
        },
        CallArgs::Given(ids) => ids,
    }
}

/// The text of a node that is a `str`, borrowed or owned.
pub(crate) fn text<'s>(node: &'s Node<'_>) -> Option<&'s str> {
    match node {
        Node::Text(s) => Some(s),
        Node::Leaf(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// The bytes of a node that is a `bytes` or a `bytearray`.
pub(crate) fn data<'s>(node: &'s Node<'_>) -> Option<&'s [u8]> {
    match node {
        Node::Data(b) => Some(b),
        Node::Leaf(Value::Bytes(b) | Value::ByteArray(b)) => Some(b),
        _ => None,
    }
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
