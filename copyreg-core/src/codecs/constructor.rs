//! Calling constructors: `Point::new(a0, …, an)` from an argument tuple, whether the
//! constructor returns `T` or `Result<T, E>`.

use std::any::{Any, TypeId};
use std::marker::PhantomData;

use crate::engine::load::Loader;
use crate::engine::ops::{Construct, Delivered, Place, Typed};
use crate::engine::shape::Args;
use crate::wire::error::BoxError;

/// Marks a constructor that returns the value itself.
#[derive(Debug)]
pub struct Plain;

/// Marks a constructor that returns `Result<T, E>`.
#[derive(Debug)]
pub struct Fallible<E>(PhantomData<fn() -> E>);

/// A callable that builds a `T` from the arguments `Args`, called as `f(a0, …, an)`: a
/// function or closure taking the reducer's tuple elements as separate parameters and
/// returning `T` or `Result<T, E>`. It appears in the bounds of [`pickle`](crate::pickle),
/// [`Pickler::register`](crate::Pickler::register) and
/// [`Unpickler::constructor`](crate::Unpickler::constructor); every such function implements
/// it, and nothing else needs to.
///
/// The marker `M` tells the return shapes apart, so inference picks the arity from the
/// reducer's tuple and the shape from the constructor's signature.
///
/// ```
/// use copyreg::Constructor;
///
/// fn build<M>(constructor: impl Constructor<(i32, i32), (i32, i32), M>) -> (i32, i32) {
///     constructor.call((3, 4)).unwrap()
/// }
/// assert_eq!(build(|x: i32, y: i32| (x, y)), (3, 4));
/// assert_eq!(build(|x: i32, y: i32| Ok::<_, std::num::TryFromIntError>((y, x))), (4, 3));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot build a `{T}` from the reducer's arguments `{Args}`",
    label = "this constructor does not match the reducer",
    note = "a constructor takes the reducer's tuple elements in order, as separate parameters, \
            and returns `{T}` or `Result<{T}, E>`"
)]
pub trait Constructor<Args, T, M> {
    /// Calls the constructor.
    fn call(&self, args: Args) -> Result<T, BoxError>;
}

macro_rules! constructors {
    ($(($($a:ident $i:tt),*)),* $(,)?) => {$(
        impl<F, T, $($a),*> Constructor<($($a,)*), T, Plain> for F
        where
            F: Fn($($a),*) -> T,
        {
            #[allow(unused_variables)]
            #[inline]
            fn call(&self, args: ($($a,)*)) -> Result<T, BoxError> {
                Ok(self($(args.$i),*))
            }
        }

        impl<F, T, E, $($a),*> Constructor<($($a,)*), T, Fallible<E>> for F
        where
            F: Fn($($a),*) -> Result<T, E>,
            E: Into<BoxError>,
        {
            #[allow(unused_variables)]
            #[inline]
            fn call(&self, args: ($($a,)*)) -> Result<T, BoxError> {
                self($(args.$i),*).map_err(Into::into)
            }
        }
    )*};
}

constructors! {
    (),
    (A0 0),
    (A0 0, A1 1),
    (A0 0, A1 1, A2 2),
    (A0 0, A1 1, A2 2, A3 3),
    (A0 0, A1 1, A2 2, A3 3, A4 4),
    (A0 0, A1 1, A2 2, A3 3, A4 4, A5 5),
    (A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6),
    (A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7),
    (A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8),
    (A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9),
    (A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10),
    (A0 0, A1 1, A2 2, A3 3, A4 4, A5 5, A6 6, A7 7, A8 8, A9 9, A10 10, A11 11),
}

/// Any argument tuple, with the call as a method on it: the tuple's type is fixed by the
/// receiver, so a constructor that does not fit is reported as not being a [`Constructor`]
/// for these arguments.
pub trait Arguments: Sized {
    /// Calls `constructor` on these arguments.
    #[inline]
    fn construct_with<T, M, C: Constructor<Self, T, M>>(
        self,
        constructor: &C,
    ) -> Result<T, BoxError> {
        constructor.call(self)
    }
}

impl<A> Arguments for A {}

/// What a `#[copyreg::constructor]` function returns, to tell `Result<T, E>` from `T` by
/// autoref on the concrete return type.
#[derive(Debug)]
pub struct Outcome<R>(PhantomData<fn() -> R>);

impl<R> Outcome<R> {
    /// The only value.
    pub const NEW: Self = Outcome(PhantomData);
}

/// First choice: the function returns `Result<T, E>`, and builds a `T`.
pub trait ViaResult<T, E> {
    /// The built value, or the function's error boxed.
    fn settle(&self, returned: Result<T, E>) -> Result<T, BoxError>;
    /// The type built.
    fn output(&self) -> (TypeId, &'static str);
}

impl<T: Any, E: Into<BoxError>> ViaResult<T, E> for &Outcome<Result<T, E>> {
    fn settle(&self, returned: Result<T, E>) -> Result<T, BoxError> {
        returned.map_err(Into::into)
    }
    fn output(&self) -> (TypeId, &'static str) {
        (TypeId::of::<T>(), std::any::type_name::<T>())
    }
}

/// Otherwise: the function returns the value itself.
pub trait ViaValue<R> {
    /// The returned value.
    fn settle(&self, returned: R) -> Result<R, BoxError>;
    /// The type built.
    fn output(&self) -> (TypeId, &'static str);
}

impl<R: Any> ViaValue<R> for Outcome<R> {
    fn settle(&self, returned: R) -> Result<R, BoxError> {
        Ok(returned)
    }
    fn output(&self) -> (TypeId, &'static str) {
        (TypeId::of::<R>(), std::any::type_name::<R>())
    }
}

/// A constructor declared with `#[copyreg::constructor]`, as the functions the attribute
/// generates.
#[derive(Debug)]
pub struct FnConstructor {
    /// The type built, and its name.
    pub output: fn() -> (TypeId, &'static str),
    /// Reads the arguments, calls the function, and delivers the value.
    pub load: fn(&mut Loader<'_>, Place<'_>) -> Delivered,
    /// The function's parameters.
    pub args: fn() -> Args,
}

impl Typed for FnConstructor {
    fn target_id(&self) -> TypeId {
        (self.output)().0
    }
    fn target_name(&self) -> &'static str {
        (self.output)().1
    }
    fn args(&self) -> Args {
        (self.args)()
    }
}

impl Construct for FnConstructor {
    fn load(&self, cx: &mut Loader<'_>, place: Place<'_>) -> Delivered {
        (self.load)(cx, place)
    }
}
