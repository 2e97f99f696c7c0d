//! The [`Reducible`] trait: the types copyreg walks statically.

use crate::copy::Copier;
use crate::dump::Dumper;
use crate::error::Error;
use crate::load::Loader;

/// A type copyreg knows how to reduce, rebuild and copy without looking it up at run time.
///
/// Derive it with `#[derive(copyreg::Reducible)]`: the derived impl writes a constructor
/// reference and the reducer's arguments, and registers the type at link time. The
/// primitives, `String`, `()`, tuples and arrays of `Reducible` types, and `Vec`, `VecDeque`,
/// `Option`, `Box`, `HashMap`, `BTreeMap`, `HashSet` and `BTreeSet` of them implement it too,
/// written natively in bincode 1.3's layout the way Python's pickle writes `int` and `list`.
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
pub trait Reducible: Sized + 'static {
    /// The fewest bytes a value takes in a stream; lengths read from input are checked
    /// against it before anything is allocated.
    #[doc(hidden)]
    const __MIN_SIZE: usize = 1;

    #[doc(hidden)]
    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error>;

    #[doc(hidden)]
    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error>;

    #[doc(hidden)]
    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error>;
}
