//! The free functions: [`dumps`], [`loads`], [`copy`] and their kin, each a call on the
//! default [`Pickler`] or [`Unpickler`] (or, for copies, on the registry as it stands).

use std::any::Any;

use crate::api::pickler::Pickler;
use crate::api::unpickler::Unpickler;
use crate::engine::copy::copy_top;
use crate::engine::registry::View;
use crate::wire::error::Error;

/// Serializes `value` into a new copyreg stream.
///
/// The type must be registered: derived with `#[derive(Reducible)]`, attached with
/// `register_foreign!` or `pickle`, or one copyreg registers out of the box (the primitives,
/// `String`, and `Vec`, `Option` and `Box` of any registered type).
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// let bytes = copyreg::dumps(&Point { x: 3, y: 4 })?;
/// assert_eq!(copyreg::loads::<Point>(&bytes)?, Point { x: 3, y: 4 });
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps<T: Any>(value: &T) -> Result<Vec<u8>, Error> {
    PICKLER.dumps(value)
}

/// The type-erased twin of [`dumps`]: the same bytes, for a value known only as `&dyn Any`.
///
/// ```
/// use std::any::Any;
///
/// let values: Vec<Box<dyn Any>> = vec![Box::new(7u8), Box::new(String::from("seven"))];
/// for value in &values {
///     let bytes = copyreg::dumps_dyn(value.as_ref())?;
///     let back = copyreg::loads_any(&bytes)?;
///     assert_eq!((*back).type_id(), (**value).type_id());
/// }
/// assert_eq!(copyreg::dumps_dyn(&7u8)?, copyreg::dumps(&7u8)?);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps_dyn(value: &dyn Any) -> Result<Vec<u8>, Error> {
    PICKLER.dumps_dyn(value)
}

/// Appends `value` to `out` as a copyreg stream.
///
/// The same bytes as [`dumps`], written into a buffer the caller keeps: a program that
/// sends many values can reuse one allocation. On error, `out` is left as it was.
///
/// ```
/// let mut buffer = Vec::new();
/// for n in 0..3u32 {
///     buffer.clear();
///     copyreg::dumps_into(&n, &mut buffer)?;
///     assert_eq!(buffer, copyreg::dumps(&n)?);
/// }
///
/// struct Unregistered;
/// assert!(copyreg::dumps_into(&Unregistered, &mut buffer).is_err());
/// assert_eq!(buffer, copyreg::dumps(&2u32)?);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dumps_into<T: Any>(value: &T, out: &mut Vec<u8>) -> Result<(), Error> {
    PICKLER.dumps_into(value, out)
}

/// Rebuilds a `T` from a stream written by [`dumps`](crate::dumps).
///
/// Only constructors registered in this program are ever called, and only ones that build a
/// `T` (or the types inside it): a stream cannot make the program run anything else.
/// Malformed, truncated or foreign bytes give an [`Error`], never a panic.
///
/// ```
/// let bytes = copyreg::dumps(&vec![1u32, 2, 3])?;
/// assert_eq!(copyreg::loads::<Vec<u32>>(&bytes)?, [1, 2, 3]);
///
/// let err = copyreg::loads::<String>(&bytes).unwrap_err();
/// assert!(matches!(err, copyreg::Error::TypeMismatch { .. }));
/// assert!(copyreg::loads::<u8>(b"not a stream").is_err());
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads<T: Any>(bytes: &[u8]) -> Result<T, Error> {
    UNPICKLER.loads(bytes)
}

/// Rebuilds whatever value a stream holds, as a `Box<dyn Any>` to downcast.
///
/// ```
/// let bytes = copyreg::dumps(&String::from("hello"))?;
/// let value = copyreg::loads_any(&bytes)?;
/// assert_eq!(value.downcast_ref::<String>().map(String::as_str), Some("hello"));
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads_any(bytes: &[u8]) -> Result<Box<dyn Any>, Error> {
    UNPICKLER.loads_any(bytes)
}

/// Rebuilds the value a stream holds as the trait object `D`.
///
/// The stream's type must have declared `D` with `#[reducer(dyn(Trait))]` or
/// `register_foreign!(…, dyn(Trait))`; any other type gives [`Error::TypeMismatch`].
///
/// ```
/// use std::any::Any;
///
/// trait Shape: Any {
///     fn area(&self) -> f64;
/// }
///
/// #[derive(copyreg::Reducible)]
/// #[reducer(dyn(Shape))]
/// struct Square(f64);
///
/// impl Shape for Square {
///     fn area(&self) -> f64 {
///         self.0 * self.0
///     }
/// }
///
/// let shape: Box<dyn Shape> = Box::new(Square(3.0));
/// let bytes = copyreg::dumps_dyn(&*shape)?;
/// let back: Box<dyn Shape> = copyreg::loads_dyn::<dyn Shape>(&bytes)?;
/// assert_eq!(back.area(), 9.0);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn loads_dyn<D: ?Sized + 'static>(bytes: &[u8]) -> Result<Box<D>, Error> {
    Unpickler::new().loads_dyn(bytes)
}

/// A new value built by calling the type's constructor on the arguments its reducer returns,
/// as Python's `copy.copy` does.
///
/// Nothing is dumped to bytes and loaded back, so this works for types that are not `Clone`,
/// such as a struct holding a registered foreign type. A custom reducer's arguments are
/// handed to the constructor as they are; copyreg copies the fields of a default reducer
/// through their own reducers, since Rust fields cannot be shared.
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// #[reducer(fn = reduce_color, constructor = Color::from_hex)]
/// struct Color {
///     hex: String,
/// }
///
/// impl Color {
///     fn from_hex(hex: String) -> Color {
///         Color { hex: hex.to_uppercase() }
///     }
/// }
///
/// fn reduce_color(c: &Color) -> (String,) {
///     (c.hex.clone(),)
/// }
///
/// let copy = copyreg::copy(&Color { hex: "ff8800".into() })?;
/// assert_eq!(copy, Color { hex: "FF8800".into() }); // built by the constructor
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn copy<T: Any>(value: &T) -> Result<T, Error> {
    copy_top(&View::current(), value, false)
}

/// Like [`copy`], but the reducer's arguments are themselves copied through their reducers
/// before the constructor sees them, as Python's `copy.deepcopy` does.
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Tree {
///     label: String,
///     children: Vec<Tree>,
/// }
///
/// let tree = Tree { label: "root".into(), children: vec![Tree { label: "leaf".into(), children: vec![] }] };
/// assert_eq!(copyreg::deepcopy(&tree)?, tree);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn deepcopy<T: Any>(value: &T) -> Result<T, Error> {
    copy_top(&View::current(), value, true)
}

/// What [`dumps`], [`dumps_dyn`], [`dumps_into`] and [`dump`](crate::dump) use, built once
/// rather than per call.
pub(crate) static PICKLER: Pickler = Pickler::new();

/// What [`loads`], [`loads_any`] and [`load`](crate::load) use, built once rather than per
/// call.
pub(crate) static UNPICKLER: Unpickler = Unpickler::new();
