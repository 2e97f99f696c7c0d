//! Python's own pickles: load CPython pickles into registered Rust types, write Rust values
//! as pickles CPython loads, and read any pickle as inert data.
//!
//! [`loads`](fn@loads) (and [`Unpickler::python_loads`], with an allow-list, limits and
//! `persistent_load`) calls only registered constructors, each named by a global the pickle
//! calls; [`dumps`](fn@dumps) (and [`Pickler::python_dumps_with`](crate::Pickler::python_dumps_with))
//! writes a registered value as its constructor's global called with its arguments, which
//! Python's `pickle.loads` makes. Neither costs a type any code of its own: each
//! registration describes its arguments as data.
//!
//! [`loads_value`] runs CPython's unpickling machine over protocols 0 to 5 without importing
//! or calling anything: builtin data comes back as itself and every global and call the
//! pickle asks for as inert data ([`Value::Global`], [`Value::Object`]), so that any pickle,
//! trusted or not, can be inspected. [`dumps_value`] writes a [`Value`] the way CPython's
//! pickler writes the same Python value, opcode for opcode.
//!
//! ```
//! use copyreg::python::{dumps_value, loads_value, Value};
//!
//! let order = Value::Dict(vec![
//!     (Value::Str("sku".into()), Value::Str("A-7".into())),
//!     (Value::Str("qty".into()), Value::Int(3)),
//! ]);
//! // `pickle.loads` in Python gives {'sku': 'A-7', 'qty': 3}.
//! let bytes = dumps_value(&order)?;
//! assert_eq!(loads_value(&bytes)?, order);
//! # Ok::<(), copyreg::Error>(())
//! ```
//!
//! **Limits.** Reading is bounded as copyreg's own loads are, by the [`Unpickler`]'s
//! limits ([`Unpickler::python_loads_value`]): the input's size, one element per input
//! byte, the bytes the strings take, and the nesting depth. The arena the machine builds is
//! never larger than the input; an object the pickle refers to from many places is copied
//! into each, and the copies count against the limits, so a small pickle cannot expand into
//! a large value.

mod arena;
mod calls;
mod construct;
mod dumps;
mod loads;
mod machine;
mod names;
mod opcodes;
mod resolve;
mod scalars;
mod text;
mod tree;
mod value;
mod write;

use arena::Budget;
pub use num_bigint::BigInt;
pub use tree::MAX_VALUE_DEPTH;
pub use value::{Object, Value};

use crate::api::unpickler::Unpickler;
use crate::wire::error::{Error, LimitKind};

/// The protocol [`dumps`](fn@dumps) and [`dumps_value`] write: CPython 3.8's default.
///
/// ```
/// let bytes = copyreg::python::dumps_value(&copyreg::python::Value::None)?;
/// assert_eq!(bytes[..2], [0x80, copyreg::python::DEFAULT_PROTOCOL]);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub const DEFAULT_PROTOCOL: u8 = 4;

/// Reads a pickle of any protocol from 0 to 5 as a [`Value`], with the default limits:
/// `Unpickler::new().python_loads_value(bytes)`. Bytes after the pickle's `STOP` are not
/// read, as with Python's `pickle.loads`.
///
/// ```
/// use copyreg::python::{loads_value, Value};
///
/// // pickle.dumps({"id": 7}, protocol=0)
/// let value = loads_value(b"(dp0\nVid\np1\nI7\ns.")?;
/// assert_eq!(value, Value::Dict(vec![(Value::Str("id".into()), Value::Int(7))]));
///
/// let err = loads_value(b"\x80\x04\x95\x05").unwrap_err();
/// assert!(err.to_string().contains("runs past the end"), "{err}");
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads_value(bytes: &[u8]) -> Result<Value, Error> {
    Unpickler::new().python_loads_value(bytes)
}

/// Writes a registered value as a protocol 4 pickle that CPython loads, as
/// `Pickler::new().python_dumps_with(value, 4)`.
///
/// The value is what [`copyreg::dumps`](crate::dumps) writes, as Python objects: integers,
/// floats, `bool`, `String` and `char` become `int`, `float`, `bool` and `str`; `Vec<u8>`
/// becomes `bytes`; `Option` is `None` or the value; tuples become `tuple`, `Vec`,
/// `VecDeque` and arrays `list`, maps `dict`, sets `set`. A registered type becomes a call
/// of its constructor's Python global with its arguments (a derived struct's fields in
/// order), which Python makes when it loads the pickle; a derived enum's global is called
/// with the variant's name first, then its fields, which is also how Python pickles an
/// `enum.Enum` member (`Color("Red")`). A compact code is written as `EXT1/2/4`, for
/// Python's `copyreg.add_extension`. A shared `Arc` or `Rc` is written once and then taken
/// from the memo, so that Python sees one object; a `Weak` is the object it points to, or
/// `None` where it dangles.
///
/// A constructor's Python global is its name split at the last dot (`shop.models.Order` is
/// `Order` in module `shop.models`); a type's default name, a Rust path
/// (`my_crate::models::Order`), is split at the last `::`, with the module's `::` made dots.
/// A type whose Python global is another declares it: `#[reducer(python = "module.Name")]`,
/// or `python = "module.Name"` in `register_foreign!`.
///
/// ```
/// #[derive(copyreg::Reducible)]
/// #[reducer(name = "geo.Point")]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
/// // A generic type at the top of a stream is registered instance by instance.
/// copyreg::register!(Vec<Point>);
///
/// let bytes = copyreg::python::dumps(&vec![Point { x: 1, y: 2 }])?;
/// // In Python, with a module `geo` that has `Point`: pickle.loads(bytes) == [geo.Point(1, 2)]
/// let value = copyreg::python::loads_value(&bytes)?;
/// assert_eq!(
///     format!("{value:?}"),
///     r#"List([Object(Object { callable: Global { module: "geo", name: "Point" }, args: [Int(1), Int(2)], kwargs: [], new: false, state: None, items: [], entries: [] })])"#
/// );
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps<T: std::any::Any>(value: &T) -> Result<Vec<u8>, Error> {
    dumps_with(value, DEFAULT_PROTOCOL)
}

/// [`dumps`](fn@dumps) with the pickle protocol, 2 to 5: protocols 2 and 3 write sets as calls of
/// `set`, as CPython does, and protocol 2 `bytes` as calls of `_codecs.encode`.
///
/// ```
/// copyreg::register!((u8, String));
///
/// let bytes = copyreg::python::dumps_with(&(1u8, String::from("a")), 2)?;
/// assert_eq!(bytes, b"\x80\x02K\x01X\x01\x00\x00\x00a\x86.");
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps_with<T: std::any::Any>(value: &T, protocol: u8) -> Result<Vec<u8>, Error> {
    crate::api::pickler::Pickler::new().python_dumps_with(value, protocol)
}

/// Loads a CPython pickle into a `T`, calling only registered constructors:
/// `Unpickler::new().python_loads::<T>(bytes)`, which says how globals, instances and
/// shared objects are read.
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// #[reducer(name = "shop.Item")]
/// struct Item {
///     sku: String,
///     qty: u32,
/// }
/// copyreg::register!(Vec<Item>);
///
/// // In Python, with a copyreg reducer `shop.Item -> (shop.Item, (sku, qty))`:
/// // pickle.dumps([Item("A-7", 3)], protocol=4)
/// let bytes = b"\x80\x04\x95\x20\x00\x00\x00\x00\x00\x00\x00]\x94\x8c\x04shop\x94\x8c\x04Item\x94\x93\x94\x8c\x03A-7\x94K\x03\x86\x94R\x94a.";
/// let items: Vec<Item> = copyreg::python::loads(bytes)?;
/// assert_eq!(items, [Item { sku: "A-7".into(), qty: 3 }]);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads<T: std::any::Any>(bytes: &[u8]) -> Result<T, Error> {
    Unpickler::new().python_loads(bytes)
}

/// Writes `value` as a protocol 4 pickle, which CPython 3.4 and later load.
///
/// ```
/// use copyreg::python::{dumps_value, Value};
///
/// // pickle.dumps(None, protocol=4)
/// assert_eq!(dumps_value(&Value::None)?, b"\x80\x04N.");
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps_value(value: &Value) -> Result<Vec<u8>, Error> {
    dumps_value_with(value, DEFAULT_PROTOCOL)
}

/// Writes `value` as a pickle of `protocol`, 2 to 5, as CPython's pickler writes the same
/// value: protocol 2 and 3 write sets as calls of `set`, protocol 2 writes `bytes` as a
/// call of `_codecs.encode`, protocol 5 writes `bytearray` in-band.
///
/// ```
/// use copyreg::python::{dumps_value_with, Value};
///
/// // pickle.dumps(b"hi", protocol=3)
/// assert_eq!(dumps_value_with(&Value::Bytes(b"hi".to_vec()), 3)?, b"\x80\x03C\x02hi.");
/// assert!(dumps_value_with(&Value::None, 1).is_err());
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps_value_with(value: &Value, protocol: u8) -> Result<Vec<u8>, Error> {
    let mut writer = write::Writer::new(protocol)?;
    writer.value(value)?;
    Ok(writer.finish())
}

impl Unpickler {
    /// Reads a pickle of any protocol from 0 to 5 as a [`Value`], within this unpickler's
    /// limits on input size, elements, allocation and depth. Nothing is imported or called:
    /// allow-lists and `persistent_load` play no part, as nothing is built.
    ///
    /// ```
    /// use copyreg::python::Value;
    ///
    /// // pickle.dumps([[1, 2, 3]] * 3, protocol=2): one list, referred to three times.
    /// let bytes = b"\x80\x02]q\x00(]q\x01(K\x01K\x02K\x03eh\x01h\x01e.";
    /// let value = copyreg::Unpickler::new().python_loads_value(bytes)?;
    /// assert!(matches!(&value, Value::List(rows) if rows.len() == 3));
    ///
    /// let strict = copyreg::Unpickler::new().max_elements(5);
    /// assert!(strict.python_loads_value(bytes).is_err());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn python_loads_value(&self, bytes: &[u8]) -> Result<Value, Error> {
        let (pickle, mut budget) = self.read_pickle(bytes)?;
        tree::value(&pickle, &mut budget, self.limits().max_depth)
    }

    /// Runs the pickle machine over `bytes` within this unpickler's limits: the pickle,
    /// and what is left of the budget for the copies a load makes.
    pub(super) fn read_pickle<'a>(
        &self,
        bytes: &'a [u8],
    ) -> Result<(arena::Pickle<'a>, Budget), Error> {
        let limits = self.limits();
        if bytes.len() > limits.max_input {
            return Err(Error::Limit {
                which: LimitKind::InputSize,
                max: limits.max_input,
            });
        }
        let mut budget = Budget::new(limits.max_alloc, limits.elements_for(bytes.len()));
        let pickle = machine::run(bytes, &mut budget)?;
        Ok((pickle, budget))
    }
}
