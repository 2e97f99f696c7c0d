//! Reducer argument tuples, `()` to 12 elements.
//!
//! A custom reducer returns a tuple whose arity the derive cannot see. [`Tuple`] pads every
//! tuple to 12 positions with [`Absent`], so generated code can pick an encoding for each
//! position by autoref (see `autoref.rs`) without knowing how many there are.

use crate::engine::shape::{registered, Shape};
use std::marker::PhantomData;

use crate::codecs::autoref::Tag;
use crate::codecs::reducible::Reducible;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::wire::error::Failure;

/// Fills the positions past a tuple's arity. Takes no bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Absent;

impl Reducible for Absent {
    const __MIN_SIZE: usize = 0;
    const __SHAPE: &'static crate::engine::shape::Shape = &crate::engine::shape::Shape::Absent;

    fn __name(out: &mut String) {
        out.push_str("Absent");
    }

    fn __dump(&self, _: &mut Dumper<'_>) -> Result<(), Failure> {
        Ok(())
    }

    fn __load(_: &mut Loader<'_>) -> Result<Self, Failure> {
        Ok(Absent)
    }

    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Failure> {
        Ok(Absent)
    }
}

/// Twelve positions, the missing ones [`Absent`].
pub type Parts<A> = (
    <A as Tuple>::E0,
    <A as Tuple>::E1,
    <A as Tuple>::E2,
    <A as Tuple>::E3,
    <A as Tuple>::E4,
    <A as Tuple>::E5,
    <A as Tuple>::E6,
    <A as Tuple>::E7,
    <A as Tuple>::E8,
    <A as Tuple>::E9,
    <A as Tuple>::E10,
    <A as Tuple>::E11,
);

/// The argument tuple a reducer returns: `()` or a tuple of up to 12 elements. It appears in
/// the bounds of [`pickle`](crate::pickle), [`Pickler::register`](crate::Pickler::register)
/// and [`Unpickler::constructor`](crate::Unpickler::constructor), so that a reducer returning
/// anything else is a compile error that says so. Implemented for those tuples only; its
/// members are the generated code's business.
///
/// ```
/// fn reducer_returns<A: copyreg::Tuple>(_: A) {}
/// reducer_returns((1u8, String::from("one")));
/// reducer_returns(());
/// ```
#[diagnostic::on_unimplemented(
    message = "a copyreg reducer must return a tuple of at most 12 arguments, not `{Self}`",
    note = "return `(value,)` for a single argument"
)]
#[allow(missing_docs)] // E0..E11 are the positions, nothing more
pub trait Tuple: Sized + 'static {
    #[doc(hidden)]
    type E0: 'static;
    #[doc(hidden)]
    type E1: 'static;
    #[doc(hidden)]
    type E2: 'static;
    #[doc(hidden)]
    type E3: 'static;
    #[doc(hidden)]
    type E4: 'static;
    #[doc(hidden)]
    type E5: 'static;
    #[doc(hidden)]
    type E6: 'static;
    #[doc(hidden)]
    type E7: 'static;
    #[doc(hidden)]
    type E8: 'static;
    #[doc(hidden)]
    type E9: 'static;
    #[doc(hidden)]
    type E10: 'static;
    #[doc(hidden)]
    type E11: 'static;

    /// Each element's shape, as the registry writes it (for `copyreg::python`).
    #[doc(hidden)]
    const SHAPES: &'static [&'static Shape];

    /// References to every position.
    #[doc(hidden)]
    #[allow(clippy::type_complexity)]
    fn parts(
        &self,
    ) -> (
        &Self::E0,
        &Self::E1,
        &Self::E2,
        &Self::E3,
        &Self::E4,
        &Self::E5,
        &Self::E6,
        &Self::E7,
        &Self::E8,
        &Self::E9,
        &Self::E10,
        &Self::E11,
    );

    /// The tuple back from its positions.
    #[doc(hidden)]
    fn join(parts: Parts<Self>) -> Self;

    /// Writes each element through the registry (for run-time `pickle`, where the element
    /// types are generic).
    #[doc(hidden)]
    fn dump_dynamic(&self, cx: &mut Dumper<'_>) -> Result<(), Failure>;
    /// Reads each element through the registry.
    #[doc(hidden)]
    fn load_dynamic(cx: &mut Loader<'_>) -> Result<Self, Failure>;
    /// Copies each element through the registry.
    #[doc(hidden)]
    fn copy_dynamic(&self, cx: &mut Copier<'_>) -> Result<Self, Failure>;
}

macro_rules! tuple {
    ([$($a:ident $e:ident $i:tt),*] [$($pad:ident),*]) => {
        impl<$($a: 'static),*> Tuple for ($($a,)*) {
            $(type $e = $a;)*
            $(type $pad = Absent;)*
            const SHAPES: &'static [&'static Shape] = &[$(&registered::<$a>()),*];

            fn parts(&self) -> ($(&$a,)* $(&Self::$pad,)*) {
                ($(&self.$i,)* $({ let _ = stringify!($pad); &Absent },)*)
            }

            #[allow(unused_variables, clippy::unused_unit)] // the empty tuple
            fn join(parts: Parts<Self>) -> Self {
                ($(parts.$i,)*)
            }

            #[allow(unused_variables)]
            fn dump_dynamic(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
                $(cx.dump_dynamic(&self.$i)?;)*
                Ok(())
            }

            #[allow(unused_variables)]
            fn load_dynamic(cx: &mut Loader<'_>) -> Result<Self, Failure> {
                Ok(($(cx.load_dynamic::<$a>()?,)*))
            }

            #[allow(unused_variables)]
            fn copy_dynamic(&self, cx: &mut Copier<'_>) -> Result<Self, Failure> {
                Ok(($(cx.copy_dynamic(&self.$i)?,)*))
            }
        }
    };
}

tuple!([] [E0, E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11]);
tuple!([A0 E0 0] [E1, E2, E3, E4, E5, E6, E7, E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1] [E2, E3, E4, E5, E6, E7, E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2] [E3, E4, E5, E6, E7, E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3] [E4, E5, E6, E7, E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4] [E5, E6, E7, E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4, A5 E5 5] [E6, E7, E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4, A5 E5 5, A6 E6 6] [E7, E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4, A5 E5 5, A6 E6 6, A7 E7 7] [E8, E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4, A5 E5 5, A6 E6 6, A7 E7 7, A8 E8 8] [E9, E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4, A5 E5 5, A6 E6 6, A7 E7 7, A8 E8 8, A9 E9 9] [E10, E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4, A5 E5 5, A6 E6 6, A7 E7 7, A8 E8 8, A9 E9 9, A10 E10 10] [E11]);
tuple!([A0 E0 0, A1 E1 1, A2 E2 2, A3 E3 3, A4 E4 4, A5 E5 5, A6 E6 6, A7 E7 7, A8 E8 8, A9 E9 9, A10 E10 10, A11 E11 11] []);

/// The argument tuple type a reducer returns, as a value to infer from.
pub fn args_of<T, A, F: Fn(&T) -> A>(_reducer: &F) -> PhantomData<A> {
    PhantomData
}

/// Whether a reducer and a constructor are functions or closures that capture nothing (both
/// take no bytes): what `register_foreign!` asks of them, checked when the program compiles,
/// since it evaluates each anew for every value.
pub const fn captures_nothing<T, A, M, R, C>(reducer: &R, constructor: &C) -> bool
where
    R: Fn(&T) -> A,
    C: crate::codecs::constructor::Constructor<A, T, M>,
{
    std::mem::size_of_val(reducer) == 0 && std::mem::size_of_val(constructor) == 0
}

/// Calls a reducer. Going through a function with an `Fn` bound lets closures leave their
/// parameter types out.
pub fn reduce_with<T, A, F: Fn(&T) -> A>(reducer: &F, value: &T) -> A {
    reducer(value)
}

/// One tag per position of `A`, to read each with its own encoding.
#[allow(clippy::type_complexity)]
pub fn tags<A: Tuple>(
    _: PhantomData<A>,
) -> (
    Tag<A::E0>,
    Tag<A::E1>,
    Tag<A::E2>,
    Tag<A::E3>,
    Tag<A::E4>,
    Tag<A::E5>,
    Tag<A::E6>,
    Tag<A::E7>,
    Tag<A::E8>,
    Tag<A::E9>,
    Tag<A::E10>,
    Tag<A::E11>,
) {
    (
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
        Tag::NEW,
    )
}

/// Rebuilds `A` from its positions.
pub fn join<A: Tuple>(_: PhantomData<A>, parts: Parts<A>) -> A {
    A::join(parts)
}
