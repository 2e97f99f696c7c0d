//! Loading a Python pickle into a registered type: the pickle read as inert nodes, written
//! as the copyreg stream that the type's constructors would have written, by the shapes
//! their registrations describe, and loaded from there with every check a copyreg stream
//! gets: allow-lists, limits, `persistent_load`, and registered constructors only.

use std::any::{Any, TypeId};
use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use num_bigint::BigInt;

use super::arena::{Arena, Budget, Id, Node, Pickle};
use super::construct::Target;
use super::value::Value;
use crate::api::unpickler::Unpickler;
use crate::engine::registry::View;
use crate::engine::shape::{Args, Shape};
use crate::engine::shared::{POINTER_BACK, WEAK_BACK, WEAK_DANGLING, WEAK_TARGET_FOLLOWS};
use crate::wire::depth::{RED_ZONE, SEGMENT};
use crate::wire::error::{Error, Failure, LimitKind};
use crate::wire::frame;
use crate::wire::varint;

impl Unpickler {
    /// Loads a CPython pickle (protocols 0 to 5) into a `T`, with this unpickler's
    /// allow-list, limits and `persistent_load`: Python's `pickle.loads`, made safe, since
    /// the only code that runs is the registered constructors the pickle's globals name.
    ///
    /// Each global a pickle calls must name a registered constructor, the way a copyreg
    /// stream names one (see [`python::dumps`](fn@super::dumps) for how names map to Python's
    /// module and qualified name), legacy constructors (`#[copyreg::constructor]`)
    /// included. The constructor gets the call's arguments. An instance that Python pickles
    /// by default (a dataclass, a plain class: `NEWOBJ` and `BUILD` with its `__dict__` or
    /// slots) loads into a derived struct with named fields, field by field by name: a field
    /// the state lacks is an error, unless it is a trailing `#[reducer(default)]` field, and
    /// so is a name the struct lacks. An `EXT` code is a compact code; a persistent id is a
    /// `str` that `persistent_load` resolves; an object the pickle shares (`a[0] is a[1]`)
    /// loads as one allocation where the Rust type holds an `Arc` or `Rc`, and as copies
    /// elsewhere.
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// #[reducer(name = "geo.Point")]
    /// struct Point {
    ///     x: i64,
    ///     y: i64,
    /// }
    ///
    /// // pickle.dumps(Point(1, 2), protocol=2) of `@dataclass class Point: x: int; y: int`
    /// // in module `geo`: NEWOBJ, then BUILD with {'x': 1, 'y': 2}.
    /// let bytes = b"\x80\x02cgeo\nPoint\nq\x00)\x81q\x01}q\x02(X\x01\x00\x00\x00xq\x03K\x01X\x01\x00\x00\x00yq\x04K\x02ub.";
    /// let unpickler = copyreg::Unpickler::new().allow::<Point>();
    /// assert_eq!(unpickler.python_loads::<Point>(bytes)?, Point { x: 1, y: 2 });
    ///
    /// // A global nothing registers is refused, and nothing runs.
    /// let evil = b"\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsq\x00\x85R.";
    /// let err = unpickler.python_loads::<Point>(evil).unwrap_err();
    /// assert!(err.to_string().contains("os.system"), "{err}");
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn python_loads<T: Any>(&self, bytes: &[u8]) -> Result<T, Error> {
        let stream = self.python_to_stream(bytes, TypeId::of::<T>(), std::any::type_name::<T>())?;
        self.loads::<T>(&stream)
    }

    /// The copyreg stream a pickle of a `T` stands for: compiled once, not once per type.
    fn python_to_stream(
        &self,
        bytes: &[u8],
        type_id: TypeId,
        type_name: &'static str,
    ) -> Result<Vec<u8>, Error> {
        let (pickle, budget) = self.read_pickle(bytes)?;
        let limits = self.limits();
        let view = self.view();
        let reducer = view.reducer(type_id)?.ok_or(Error::NotRegistered {
            type_name,
            path: String::new(),
        })?;
        let mut encode = Encode {
            pickle: &pickle,
            view: &view,
            out: Vec::new(),
            names: Vec::new(),
            indexes: HashMap::new(),
            targets: HashMap::new(),
            globals: HashMap::new(),
            written: HashMap::new(),
            last: None,
            shared: vec![u64::MAX; pickle.arena.nodes.len()],
            allocations: 0,
            open: vec![false; pickle.arena.nodes.len()],
            depth: 0,
            max_depth: limits.max_depth,
            budget,
        };
        let frame = frame::write_header(&mut encode.out);
        if reducer.native {
            let index = encode.name_index(&reducer.name, None, None);
            varint::write(&mut encode.out, index);
            match reducer.ops.args() {
                Args::Native(shape) => encode.value(pickle.root, shape)?,
                _ => return Err(unreadable("the type has no shape")),
            }
        } else {
            encode.object(pickle.root)?;
        }
        let Encode { mut out, names, .. } = encode;
        frame::finish(
            &mut out,
            frame,
            names
                .iter()
                .map(|(name, code, fields)| (&**name, *code, *fields)),
        );
        Ok(out)
    }
}

/// The pickle does not hold what the type it is loaded into needs.
pub(super) fn unreadable(reason: impl Into<Cow<'static, str>>) -> Error {
    Error::Pickle {
        offset: None,
        reason: reason.into(),
    }
}

/// Writes the copyreg stream of a pickle's nodes.
pub(super) struct Encode<'p, 'v> {
    pub(super) pickle: &'p Pickle<'p>,
    pub(super) view: &'v View,
    pub(super) out: Vec<u8>,
    /// The name table: a registered name (or compact code) and the field count written.
    pub(super) names: Vec<(String, Option<u32>, Option<u32>)>,
    pub(super) indexes: HashMap<(String, Option<u32>, Option<u32>), u64>,
    /// Each callable node resolved so far, and each global by name (a pickle that does not
    /// share its globals through the memo names one again for each object).
    pub(super) targets: HashMap<Id, Rc<Target>>,
    pub(super) globals: HashMap<(&'p str, &'p str), Rc<Target>>,
    /// The name-table index of each callable node's objects, by the field count written.
    pub(super) written: HashMap<(Id, Option<u32>), u64>,
    /// The last object's callable, its target and name-table index: objects of one class
    /// tend to come in a row.
    pub(super) last: Option<(Id, Option<u32>, Rc<Target>, u64)>,
    /// The stream's index of each node already written as a shared allocation, by node
    /// (`u64::MAX`: not yet written).
    pub(super) shared: Vec<u64>,
    /// How many shared allocations the stream holds so far.
    pub(super) allocations: u64,
    /// The nodes being written, to refuse a value that contains itself.
    pub(super) open: Vec<bool>,
    pub(super) depth: usize,
    pub(super) max_depth: usize,
    /// What copies of shared nodes may take: each copy counts.
    pub(super) budget: Budget,
}

pub(super) type Step<T = ()> = Result<T, Failure>;

/// What a Python value is, for messages.
fn kind(node: &Node<'_>) -> &'static str {
    match node {
        Node::None => "None",
        Node::Bool(_) => "a bool",
        Node::Int(_) => "an int",
        Node::Float(_) => "a float",
        Node::Text(_) => "a str",
        Node::Data(_) => "a bytes",
        Node::Leaf(leaf) => match &**leaf {
            Value::BigInt(_) => "an int",
            Value::Str(_) => "a str",
            Value::Bytes(_) => "a bytes",
            Value::ByteArray(_) => "a bytearray",
            Value::Global { .. } | Value::Ext(_) => "a global",
            _ => "a value",
        },
        Node::List(_) => "a list",
        Node::Tuple { .. } => "a tuple",
        Node::Dict(_) => "a dict",
        Node::Set(_) => "a set",
        Node::FrozenSet(_) => "a frozenset",
        Node::Object(_) => "an object",
        Node::Persistent(_) => "a persistent id",
    }
}

impl<'p, 'v> Encode<'p, 'v> {
    pub(super) fn arena(&self) -> &'p Arena<'p> {
        &self.pickle.arena
    }

    pub(super) fn node(&self, id: Id) -> &'p Node<'p> {
        self.arena().node(id)
    }

    /// The items of a list, tuple, set or frozenset.
    fn sequence(&self, id: Id) -> Option<&'p [Id]> {
        match self.node(id) {
            Node::List(items) | Node::Set(items) | Node::FrozenSet(items) => Some(items),
            Node::Tuple { .. } => self.arena().tuple(id),
            _ => None,
        }
    }

    pub(super) fn expected(&self, id: Id, what: &str) -> Failure {
        unreadable(format!("expected {what}, found {}", kind(self.node(id)))).into()
    }

    pub(super) fn name_index(&mut self, name: &str, code: Option<u32>, fields: Option<u32>) -> u64 {
        let key = (name.to_owned(), code, fields);
        if let Some(&index) = self.indexes.get(&key) {
            return index;
        }
        self.names.push(key.clone());
        let index = self.names.len() as u64;
        self.indexes.insert(key, index);
        index
    }

    /// Writes node `id` as `shape` lays it out.
    pub(super) fn value(&mut self, id: Id, shape: &Shape) -> Step {
        self.budget.elements(1)?;
        self.value_here(id, shape)
    }

    fn value_here(&mut self, id: Id, shape: &Shape) -> Step {
        let arena = self.arena();
        let node = arena.node(id);
        match (shape, node) {
            (Shape::Absent, _) => {}
            (Shape::Unit, Node::None) => {}
            (Shape::Unit, Node::Tuple { len: 0, .. }) => {}
            (Shape::Bool, Node::Bool(b)) => self.out.push(u8::from(*b)),
            (Shape::U8 | Shape::I8 | Shape::Unsigned | Shape::Signed, _) => {
                self.integer(id, shape)?
            }
            (Shape::F32, _) => {
                let x = self.float(id)?;
                self.out.extend_from_slice(&(x as f32).to_le_bytes());
            }
            (Shape::F64, _) => {
                let x = self.float(id)?;
                self.out.extend_from_slice(&x.to_le_bytes());
            }
            (Shape::Char | Shape::Str, _) if arena.text(id).is_some() => {
                let s = arena.text(id).unwrap_or_default();
                if matches!(shape, Shape::Char) && s.chars().count() != 1 {
                    return Err(self.expected(id, "a str of one character"));
                }
                self.string(s)?
            }
            (Shape::Seq(Shape::U8), _) if arena.data(id).is_some() => {
                let b = arena.data(id).unwrap_or_default();
                self.budget.bytes(b.len())?;
                frame::write_len(&mut self.out, b.len());
                self.out.extend_from_slice(b);
            }
            (Shape::Array(n, Shape::U8), _) if arena.data(id).is_some_and(|b| b.len() == *n) => {
                let b = arena.data(id).unwrap_or_default();
                self.budget.bytes(b.len())?;
                self.out.extend_from_slice(b);
            }
            (Shape::Seq(item) | Shape::Set(item), _) if self.sequence(id).is_some() => {
                let items = self.sequence(id).unwrap_or_default();
                frame::write_len(&mut self.out, items.len());
                self.items(items, item)?;
            }
            (Shape::Array(n, item), _) if self.sequence(id).is_some_and(|i| i.len() == *n) => {
                let items = self.sequence(id).unwrap_or_default();
                self.items(items, item)?;
            }
            (Shape::Option(_), Node::None) => self.out.push(0),
            (Shape::Option(inner), _) => {
                self.out.push(1);
                self.value(id, inner)?;
            }
            (Shape::Tuple(shapes), _)
                if self.sequence(id).is_some_and(|i| i.len() == shapes.len())
                    && !matches!(node, Node::Set(_) | Node::FrozenSet(_)) =>
            {
                let items = self.sequence(id).unwrap_or_default();
                for (&item, shape) in items.iter().zip(shapes.iter()) {
                    self.value(item, shape)?;
                }
            }
            (Shape::Map(key, value), Node::Dict(pairs)) => {
                frame::write_len(&mut self.out, pairs.len());
                for &(k, v) in pairs {
                    self.value(k, key)?;
                    self.value(v, value)?;
                }
            }
            (Shape::Pointer(inner), _) => self.pointer(id, inner)?,
            (Shape::Weak(_), Node::None) => varint::write(&mut self.out, WEAK_DANGLING),
            (Shape::Weak(inner), _) => match self.shared[id] {
                u64::MAX => {
                    varint::write(&mut self.out, WEAK_TARGET_FOLLOWS);
                    self.pointer(id, inner)?;
                }
                index => varint::write(&mut self.out, index + WEAK_BACK),
            },
            (Shape::Object | Shape::Dyn, _) => self.object(id)?,
            (Shape::Registered(..) | Shape::Serde(..), _) => match self.resolve(shape)? {
                Some(native) => self.value(id, native)?,
                None => self.object(id)?,
            },
            (shape, _) => return Err(self.expected(id, describe(shape))),
        }
        Ok(())
    }

    pub(super) fn string(&mut self, s: &str) -> Step {
        self.budget.bytes(s.len())?;
        frame::write_len(&mut self.out, s.len());
        self.out.extend_from_slice(s.as_bytes());
        Ok(())
    }

    fn integer(&mut self, id: Id, shape: &Shape) -> Step {
        let big = match self.node(id) {
            Node::Leaf(leaf) => match &**leaf {
                Value::BigInt(n) => Some(n),
                _ => None,
            },
            _ => None,
        };
        let n: i128 = match (self.node(id), big) {
            (Node::Int(n), _) => (*n).into(),
            (_, Some(n)) => match (i128::try_from(n), u128::try_from(n)) {
                (Ok(n), _) => n,
                (_, Ok(n)) if matches!(shape, Shape::Unsigned) => {
                    varint::write_u128(&mut self.out, n);
                    return Ok(());
                }
                _ => return Err(self.too_big(n)),
            },
            _ => return Err(self.expected(id, "an int")),
        };
        let fits = |ok: bool| {
            ok.then_some(())
                .ok_or_else(|| unreadable(format!("{n} does not fit the integer type")))
        };
        match shape {
            Shape::U8 => {
                fits(u8::try_from(n).is_ok())?;
                self.out.push(n as u8);
            }
            Shape::I8 => {
                fits(i8::try_from(n).is_ok())?;
                self.out.push(n as i8 as u8);
            }
            Shape::Unsigned => {
                fits(n >= 0)?;
                varint::write_u128(&mut self.out, n as u128);
            }
            _ => varint::write_u128(&mut self.out, varint::zigzag_128(n)),
        }
        Ok(())
    }

    #[cold]
    fn too_big(&self, n: &BigInt) -> Failure {
        unreadable(format!("{n} is larger than any Rust integer")).into()
    }

    /// A float, or an int (which Python writes for a float field as readily).
    fn float(&self, id: Id) -> Step<f64> {
        match self.node(id) {
            Node::Float(x) => Ok(*x),
            Node::Int(n) => Ok(*n as f64),
            _ => Err(self.expected(id, "a float")),
        }
    }

    /// Items of a list or set: a run whose every object names its own constructor.
    fn items(&mut self, items: &[Id], item: &Shape) -> Step {
        if !items.is_empty() && self.is_run(item)? {
            varint::write(&mut self.out, 0);
        }
        items.iter().try_for_each(|&id| self.value(id, item))
    }

    /// Whether a `Vec` of `item` is written as a run.
    fn is_run(&self, item: &Shape) -> Step<bool> {
        super::resolve::is_run(self.view, item, serde_only)
    }

    /// What the registry writes a [`Shape::Registered`] or [`Shape::Serde`] value as: a
    /// native shape, or (`None`) an object.
    fn resolve(&self, shape: &Shape) -> Step<Option<&'static Shape>> {
        super::resolve::resolve(self.view, shape, serde_only)
    }

    /// A shared allocation: the first time the pickle's object is met, written; after that,
    /// a reference back to it, so the pickle's sharing survives.
    fn pointer(&mut self, id: Id, inner: &Shape) -> Step {
        if self.shared[id] != u64::MAX {
            varint::write(&mut self.out, self.shared[id] + POINTER_BACK);
            return Ok(());
        }
        self.shared[id] = self.allocations;
        self.allocations += 1;
        self.out.push(0);
        self.value(id, inner)
    }

    /// An object: a persistent id, or a call of a registered constructor.
    fn object(&mut self, id: Id) -> Step {
        match self.node(id) {
            Node::Persistent(pid) => match self.arena().text(*pid) {
                Some(s) => {
                    varint::write(&mut self.out, 0);
                    self.string(s)
                }
                None => Err(unreadable("a persistent id must be a str to load into Rust").into()),
            },
            Node::Object(index) => {
                let call = &self.arena().calls[*index as usize];
                if self.open[id] {
                    return Err(unreadable(
                        "an object is its own argument, which no constructor can be called with",
                    )
                    .into());
                }
                if self.depth >= self.max_depth {
                    return Err(Error::Limit {
                        which: LimitKind::Depth,
                        max: self.max_depth,
                    }
                    .into());
                }
                self.open[id] = true;
                self.depth += 1;
                // Values nest without bound only through objects: the stack is checked here.
                let written = stacker::maybe_grow(RED_ZONE, SEGMENT, || self.call(call));
                self.depth -= 1;
                self.open[id] = false;
                written
            }
            _ => Err(self.expected(id, "an object")),
        }
    }
}

/// What a shape needs, for messages.
fn describe(shape: &Shape) -> &'static str {
    match shape {
        Shape::Unit => "None",
        Shape::Bool => "a bool",
        Shape::U8 | Shape::I8 | Shape::Unsigned | Shape::Signed => "an int",
        Shape::F32 | Shape::F64 => "a float",
        Shape::Char => "a str of one character",
        Shape::Str => "a str",
        Shape::Seq(Shape::U8) => "a bytes",
        Shape::Array(..) => "a list of the array's length",
        Shape::Seq(_) | Shape::Set(_) => "a list, tuple or set",
        Shape::Tuple(_) => "a tuple of the right length",
        Shape::Map(..) => "a dict",
        _ => "a value of another kind",
    }
}

/// Why a serde-only value cannot be loaded from Python.
#[cold]
fn serde_only(name: &str) -> Failure {
    unreadable(format!(
        "`{name}` is read through serde, which Python's pickle cannot feed: register it with \
         `register_foreign!`, or derive `Reducible`, to load it from Python"
    ))
    .into()
}
