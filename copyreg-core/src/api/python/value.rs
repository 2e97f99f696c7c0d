//! [`Value`]: Python's data, as a pickle holds it, with every call kept inert.

use num_bigint::BigInt;

/// What a Python pickle holds, read without running anything: Python's builtin data, and
/// every global and every call the pickle asks for kept as inert data ([`Value::Global`],
/// [`Value::Object`]), so that any pickle can be inspected safely.
///
/// A few calls are data in disguise, and read as the data they build, so that one Python
/// value reads the same from every protocol: older protocols write `set`, `frozenset`,
/// `bytes` and `bytearray` as calls of `builtins.set([...])`, `_codecs.encode(s, "latin1")`
/// and so on, and an instance of a plain class as `copyreg._reconstructor(cls, object,
/// None)`, which reads as protocol 2's `cls.__new__(cls)` ([`Object::new`]).
///
/// Objects a pickle shares (Python's `a[0] is a[1]`) are copied into each place they occur
/// (within the unpickler's element budget); a container that holds itself cannot be a tree
/// and is an error.
///
/// ```
/// use copyreg::python::{loads_value, Value};
///
/// // pickle.dumps([1, "two", None], protocol=2)
/// let bytes = b"\x80\x02]q\x00(K\x01X\x03\x00\x00\x00twoq\x01Ne.";
/// assert_eq!(
///     loads_value(bytes)?,
///     Value::List(vec![Value::Int(1), Value::Str("two".into()), Value::None])
/// );
/// # Ok::<(), copyreg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// An `int` that fits in an `i64`.
    Int(i64),
    /// An `int` that does not fit in an `i64` (a pickle's `int` is read as [`Value::Int`]
    /// whenever it fits).
    BigInt(BigInt),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(String),
    /// A `bytes`.
    Bytes(Vec<u8>),
    /// A `bytearray`.
    ByteArray(Vec<u8>),
    /// A `list`.
    List(Vec<Value>),
    /// A `tuple`.
    Tuple(Vec<Value>),
    /// A `dict`'s items, in the order the pickle gives them (which is the dict's order).
    Dict(Vec<(Value, Value)>),
    /// A `set`'s items, in the order the pickle gives them.
    Set(Vec<Value>),
    /// A `frozenset`'s items, in the order the pickle gives them.
    FrozenSet(Vec<Value>),
    /// A global the pickle names: a class or function, by its module and qualified name
    /// (`"collections"`, `"OrderedDict"`). Nothing is imported.
    Global {
        /// The module, as `__module__` says.
        module: String,
        /// The qualified name within the module, as `__qualname__` says.
        name: String,
    },
    /// A global the pickle names by an extension code (`copyreg.add_extension`), which
    /// only the writer's registry of codes can resolve.
    Ext(u32),
    /// A call the pickle asks for, not made.
    Object(Box<Object>),
    /// A reference to an object outside the pickle, by the persistent id the writer's
    /// `persistent_id` gave it (Python's `persistent_load` resolves it).
    Persistent(Box<Value>),
}

/// A call a pickle asks for, kept as data: the callable (almost always a
/// [`Value::Global`]), its arguments, and what the pickle then does to the result.
///
/// Python's `__reduce__` protocol, read back: `(callable, args, state, listitems,
/// dictitems)`.
///
/// ```
/// use copyreg::python::{loads_value, Value};
///
/// // pickle.dumps(Point(1, 2), protocol=2) of `@dataclass class Point: x: int; y: int`
/// // defined in module `geo`.
/// let bytes = b"\x80\x02cgeo\nPoint\nq\x00)\x81q\x01}q\x02(X\x01\x00\x00\x00xq\x03K\x01X\x01\x00\x00\x00yq\x04K\x02ub.";
/// let Value::Object(point) = loads_value(bytes)? else { panic!("an object") };
/// assert_eq!(point.callable, Value::Global { module: "geo".into(), name: "Point".into() });
/// assert!(point.new);
/// assert_eq!(
///     point.state,
///     Some(Value::Dict(vec![
///         (Value::Str("x".into()), Value::Int(1)),
///         (Value::Str("y".into()), Value::Int(2)),
///     ]))
/// );
/// # Ok::<(), copyreg::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Object {
    /// What is called.
    pub callable: Value,
    /// The positional arguments.
    pub args: Vec<Value>,
    /// The keyword arguments (protocol 4's `NEWOBJ_EX`).
    pub kwargs: Vec<(Value, Value)>,
    /// Whether the call is `callable.__new__(callable, *args)` (protocol 2's `NEWOBJ`, and
    /// `copyreg._reconstructor` in older protocols), which makes an instance without
    /// running `__init__`, rather than `callable(*args)`.
    pub new: bool,
    /// The state given to the result (`BUILD`, Python's `__setstate__`): an instance's
    /// `__dict__`, or a `(dict, slots)` tuple.
    pub state: Option<Value>,
    /// Items appended to the result (`APPENDS`).
    pub items: Vec<Value>,
    /// Items set on the result (`SETITEMS`).
    pub entries: Vec<(Value, Value)>,
}

impl Object {
    /// A call of `callable` with `args` and nothing else: `callable(*args)`.
    ///
    /// ```
    /// use copyreg::python::{Object, Value};
    ///
    /// let call = Object::call(
    ///     Value::Global { module: "decimal".into(), name: "Decimal".into() },
    ///     vec![Value::Str("1.10".into())],
    /// );
    /// assert!(!call.new && call.state.is_none());
    /// ```
    pub fn call(callable: Value, args: Vec<Value>) -> Self {
        Object {
            callable,
            args,
            kwargs: Vec::new(),
            new: false,
            state: None,
            items: Vec::new(),
            entries: Vec::new(),
        }
    }
}
