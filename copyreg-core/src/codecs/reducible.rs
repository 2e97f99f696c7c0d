//! The [`Reducible`] trait: the types copyreg walks statically.

use std::any::TypeId;
use std::sync::{OnceLock, PoisonError, RwLock};

use crate::codecs::field::ReducibleLeaf;
use crate::codecs::register::CodecOps;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::ops::Ops;
use crate::engine::shape::Shape;
use crate::engine::tree::TypeTree;
use crate::wire::error::Failure;
use crate::wire::hash::TypeMap;

/// A type copyreg knows how to reduce, rebuild and copy without looking it up at run time.
///
/// Derive it with `#[derive(copyreg::Reducible)]`: the derived impl writes a constructor
/// reference and the reducer's arguments, and registers the type at link time. The
/// primitives, `String`, `()`, tuples and arrays of `Reducible` types, and `Vec`, `VecDeque`,
/// `Option`, `Box`, `HashMap`, `BTreeMap`, `HashSet` and `BTreeSet` of them implement it too,
/// written natively in postcard's layout the way Python's pickle writes `int` and `list`.
///
/// The methods are the derive's business and hidden from the docs.
///
/// ```
/// use copyreg::Reducible;
///
/// #[derive(Reducible)]
/// struct Point {
///     x: f64,
///     y: f64,
/// }
///
/// fn assert_reducible<T: Reducible>() {}
/// assert_reducible::<Point>();
/// assert_reducible::<Vec<Option<(String, Point)>>>();
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not reducible by copyreg",
    label = "not `copyreg::Reducible`",
    note = "derive `copyreg::Reducible` for it; a type from another crate, registered with \
            `copyreg::register_foreign!`, works as a field but is not `Reducible`: wrap it in a \
            derived newtype (`#[derive(copyreg::Reducible)] struct Wrapped(ForeignType);`)"
)]
pub trait Reducible: Sized + 'static {
    /// The fewest bytes a value takes in a stream; lengths read from input are checked
    /// against it before anything is allocated.
    #[doc(hidden)]
    const __MIN_SIZE: usize = 1;

    /// Whether values are written without a constructor reference (primitives, std types).
    #[doc(hidden)]
    const __NATIVE: bool = true;

    /// How values are laid out in a stream (see `engine/shape.rs`): an object, unless the type is
    /// written natively.
    #[doc(hidden)]
    const __SHAPE: &'static Shape = &Shape::Object;

    /// How the registry dumps, loads and copies the type when `register!` names it.
    #[doc(hidden)]
    const __OPS: &'static dyn Ops = &CodecOps::<Self, ReducibleLeaf<Self>>::NEW;

    /// Appends the type's wire name: what streams call it at top level, and what a generic
    /// type's name is built from. `u8`, `String`, `Vec<geo.Point>`, `(u8, String)`, ...
    #[doc(hidden)]
    fn __name(out: &mut String);

    #[doc(hidden)]
    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure>;

    /// Writes the value side by side with others, on a stack the caller made room on for
    /// all of them; an object skips its own stack check.
    #[doc(hidden)]
    fn __dump_sibling(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        self.__dump(cx)
    }

    #[doc(hidden)]
    fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure>;

    /// Reads a value side by side with others, on a stack the caller made room on for all
    /// of them; an object skips its own stack check.
    #[doc(hidden)]
    fn __load_sibling(cx: &mut Loader<'_>) -> Result<Self, Failure> {
        Self::__load(cx)
    }

    #[doc(hidden)]
    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Failure>;

    /// Notes the types a value can hold (for `Unpickler::allow_tree`); a primitive holds
    /// none.
    #[doc(hidden)]
    #[inline]
    fn __visit_types(tree: &mut TypeTree) {
        let _ = tree;
    }

    /// Writes a run of values, as a `Vec` or array holds them; primitives write the whole
    /// run at once.
    #[doc(hidden)]
    fn __dump_slice(items: &[Self], cx: &mut Dumper<'_>) -> Result<(), Failure> {
        items.iter().try_for_each(|item| item.__dump(cx))
    }

    /// Copies a run of values into a `Vec`; primitives copy it whole.
    #[doc(hidden)]
    fn __copy_vec(items: &[Self], cx: &mut Copier<'_>) -> Result<Vec<Self>, Failure> {
        crate::engine::items::copy_vec(items, |item| item.__copy(cx))
    }

    /// Reads an array; primitives read it as one run.
    #[doc(hidden)]
    fn __load_array<const N: usize>(cx: &mut Loader<'_>) -> Result<[Self; N], Failure> {
        crate::engine::items::load_array(cx, Self::__load)
    }

    /// Copies an array; primitives copy it whole.
    #[doc(hidden)]
    fn __copy_array<const N: usize>(
        items: &[Self; N],
        cx: &mut Copier<'_>,
    ) -> Result<[Self; N], Failure> {
        crate::engine::items::copy_array(items, |item| item.__copy(cx))
    }

    /// Reads `len` values into a `Vec` (`len` is already checked against the input and
    /// charged to the allocation budget); primitives read the whole run at once.
    #[doc(hidden)]
    fn __load_vec(len: usize, cx: &mut Loader<'_>) -> Result<Vec<Self>, Failure> {
        crate::engine::items::load_vec(len, cx, Self::__load)
    }
}

/// Appends `outer<T>`: the wire name of a container of `T`.
pub(crate) fn name_wrapped<T: Reducible>(out: &mut String, outer: &str) {
    out.push_str(outer);
    out.push('<');
    T::__name(out);
    out.push('>');
}

/// The wire name of `T`, built once per type and kept for the life of the program.
pub fn name_of<T: Reducible>() -> &'static str {
    static NAMES: OnceLock<RwLock<TypeMap<&'static str>>> = OnceLock::new();
    let names = NAMES.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(name) = names
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&id)
    {
        return name;
    }
    let mut name = String::new();
    T::__name(&mut name);
    let mut names = names.write().unwrap_or_else(PoisonError::into_inner);
    names
        .entry(id)
        .or_insert_with(|| Box::leak(name.into_boxed_str()))
}
