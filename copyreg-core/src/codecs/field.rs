//! Codecs for field types, composed the way the type is written.
//!
//! The derive reads a field's type and, for the std containers it recognizes (`Vec`,
//! `Option`, `Box`, `Arc`, `Rc`, maps, sets, arrays, tuples, cells), nests the matching codec
//! around the codec of the element type. Only at the leaves does autoref pick how a value is
//! written (see `autoref.rs`). So a type of another crate registered with
//! `register_foreign!` works inside `HashMap<String, Vec<Option<Foreign>>>` as well as on its
//! own, with the same bytes the `Reducible` impls of those containers write.
//!
//! At the end, [`SkippedDefault`]: how a `#[reducer(skip)]` or `#[reducer(default)]` field
//! is rebuilt, with the compile error that names the fix when its type has no `Default`.

use std::cell::RefCell;
use std::marker::PhantomData;
use std::sync::{Mutex, PoisonError, RwLock};

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::codecs::reducible::Reducible;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::shared::Pointer;
use crate::wire::error::{Error, Failure};

/// How values of `T` are written, read and copied.
pub trait Codec<T> {
    /// The fewest bytes a value takes in a stream; lengths read from input are checked
    /// against it before anything is allocated.
    const MIN_SIZE: usize = 1;

    /// Whether a value is an object: written with a constructor reference, one level deeper.
    const OBJECT: bool = false;

    /// Writes `value`.
    fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Failure>;
    /// Writes `value` side by side with others, on a stack the caller made room on for all
    /// of them (see [`Dumper::dump_sibling`]).
    fn dump_sibling(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        self.dump(value, cx)
    }
    /// Reads a `T`.
    fn load(&self, cx: &mut Loader<'_>) -> Result<T, Failure>;
    /// Reads a `T` side by side with others, on a stack the caller made room on for all of
    /// them (see [`Loader::load_sibling`]).
    fn load_sibling(&self, cx: &mut Loader<'_>) -> Result<T, Failure> {
        self.load(cx)
    }
    /// Copies `value`.
    fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Failure>;

    /// Writes a run of values (a `Vec`'s or an array's).
    fn dump_slice(&self, items: &[T], cx: &mut Dumper<'_>) -> Result<(), Failure> {
        items.iter().try_for_each(|item| self.dump(item, cx))
    }
    /// Copies a run of values into a `Vec`.
    fn copy_vec(&self, items: &[T], cx: &mut Copier<'_>) -> Result<Vec<T>, Failure> {
        crate::engine::items::copy_vec(items, |item| self.copy(item, cx))
    }
    /// Reads an array of `N` values.
    fn load_array<const N: usize>(&self, cx: &mut Loader<'_>) -> Result<[T; N], Failure> {
        crate::engine::items::load_array(cx, |cx| self.load(cx))
    }
    /// Copies an array of `N` values.
    fn copy_array<const N: usize>(
        &self,
        items: &[T; N],
        cx: &mut Copier<'_>,
    ) -> Result<[T; N], Failure> {
        crate::engine::items::copy_array(items, |item| self.copy(item, cx))
    }
    /// Reads `len` values into a `Vec`; `len` is checked and charged already.
    fn load_vec(&self, len: usize, cx: &mut Loader<'_>) -> Result<Vec<T>, Failure>
    where
        T: 'static,
    {
        crate::engine::items::load_vec(len, cx, |cx| self.load(cx))
    }
}

/// A leaf that is [`Reducible`].
#[derive(Debug)]
pub struct ReducibleLeaf<T>(pub(crate) PhantomData<fn() -> T>);

/// A leaf that is a `serde` type (the registry is asked first).
#[derive(Debug)]
pub struct SerdeLeaf<T>(pub(crate) PhantomData<fn() -> T>);

/// A leaf known only to the registry.
#[derive(Debug)]
pub struct RegistryLeaf<T>(pub(crate) PhantomData<fn() -> T>);

/// A codec that carries no state, so the registry can name it by type alone.
pub trait Stateless {
    /// The codec.
    const NEW: Self;
}

macro_rules! stateless_leaf {
    ($($leaf:ident),*) => {$(
        impl<T> Stateless for $leaf<T> {
            const NEW: Self = $leaf(PhantomData);
        }
    )*};
}

stateless_leaf!(ReducibleLeaf, SerdeLeaf, RegistryLeaf);

impl<T: Reducible> Codec<T> for ReducibleLeaf<T> {
    const MIN_SIZE: usize = T::__MIN_SIZE;
    const OBJECT: bool = !T::__NATIVE;

    #[inline]
    fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        value.__dump(cx)
    }
    #[inline]
    fn dump_sibling(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        value.__dump_sibling(cx)
    }
    #[inline]
    fn load(&self, cx: &mut Loader<'_>) -> Result<T, Failure> {
        T::__load(cx)
    }
    #[inline]
    fn load_sibling(&self, cx: &mut Loader<'_>) -> Result<T, Failure> {
        T::__load_sibling(cx)
    }
    #[inline]
    fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Failure> {
        value.__copy(cx)
    }
    fn dump_slice(&self, items: &[T], cx: &mut Dumper<'_>) -> Result<(), Failure> {
        T::__dump_slice(items, cx)
    }
    fn load_vec(&self, len: usize, cx: &mut Loader<'_>) -> Result<Vec<T>, Failure> {
        T::__load_vec(len, cx)
    }
    fn load_array<const N: usize>(&self, cx: &mut Loader<'_>) -> Result<[T; N], Failure> {
        T::__load_array(cx)
    }
    fn copy_vec(&self, items: &[T], cx: &mut Copier<'_>) -> Result<Vec<T>, Failure> {
        T::__copy_vec(items, cx)
    }
    fn copy_array<const N: usize>(
        &self,
        items: &[T; N],
        cx: &mut Copier<'_>,
    ) -> Result<[T; N], Failure> {
        T::__copy_array(items, cx)
    }
}

impl<T: Serialize + DeserializeOwned + 'static> Codec<T> for SerdeLeaf<T> {
    // A serde value may take no bytes at all (a unit struct, `()`).
    const MIN_SIZE: usize = 0;

    fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.dump_serde(value)
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<T, Failure> {
        cx.load_serde()
    }
    fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Failure> {
        cx.copy_serde(value)
    }
    // A serde type the registry knows as an object is written as one, in runs as objects are.
    fn dump_slice(&self, items: &[T], cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.dump_registered_run(items, false, |cx, item| cx.dump_serde(item))
    }
    fn load_vec(&self, len: usize, cx: &mut Loader<'_>) -> Result<Vec<T>, Failure> {
        cx.load_registered_run(len, false, |cx| cx.load_serde())
    }
    fn load_array<const N: usize>(&self, cx: &mut Loader<'_>) -> Result<[T; N], Failure> {
        cx.load_registered_array(false, |cx| cx.load_serde())
    }
}

impl<T: 'static> Codec<T> for RegistryLeaf<T> {
    fn dump(&self, value: &T, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.dump_dynamic(value)
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<T, Failure> {
        cx.load_dynamic()
    }
    fn copy(&self, value: &T, cx: &mut Copier<'_>) -> Result<T, Failure> {
        cx.copy_dynamic(value)
    }
    fn dump_slice(&self, items: &[T], cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.dump_registered_run(items, true, |cx, item| cx.dump_dynamic(item))
    }
    fn load_vec(&self, len: usize, cx: &mut Loader<'_>) -> Result<Vec<T>, Failure> {
        cx.load_registered_run(len, true, |cx| cx.load_dynamic())
    }
    fn load_array<const N: usize>(&self, cx: &mut Loader<'_>) -> Result<[T; N], Failure> {
        cx.load_registered_array(true, |cx| cx.load_dynamic())
    }
}

/// `Vec`, `VecDeque` and the sets: a varint length, then the elements (a `Vec` of objects
/// names their constructor once, before the first).
#[derive(Debug)]
pub struct SeqCodec<C>(pub C);

/// `Option`: a `u8` tag, then the value.
#[derive(Debug)]
pub struct OptionCodec<C>(pub C);

/// `Box`, `RefCell`, `Mutex`, `RwLock`: the value inside.
#[derive(Debug)]
pub struct InnerCodec<C>(pub C);

/// `Arc` and `Rc`: shared once per stream (see `engine/shared`).
#[derive(Debug)]
pub struct PointerCodec<C>(pub C);

/// Maps: a varint length, then each key and value.
#[derive(Debug)]
pub struct MapCodec<K, V>(pub K, pub V);

/// Arrays: the elements, no length.
#[derive(Debug)]
pub struct ArrayCodec<C>(pub C);

/// Tuples: the elements one after another.
#[derive(Debug)]
pub struct TupleCodec<C>(pub C);

macro_rules! stateless_combinator {
    ($($codec:ident($($inner:ident),+)),*) => {$(
        impl<$($inner: Stateless),+> Stateless for $codec<$($inner),+> {
            const NEW: Self = $codec($($inner::NEW),+);
        }
    )*};
}

stateless_combinator!(
    SeqCodec(C),
    OptionCodec(C),
    InnerCodec(C),
    PointerCodec(C),
    MapCodec(K, V),
    ArrayCodec(C)
);

impl<T, C: Codec<T>> Codec<Option<T>> for OptionCodec<C> {
    fn dump(&self, value: &Option<T>, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        match value {
            None => {
                cx.write_bytes(&[0]);
                Ok(())
            }
            Some(v) => {
                cx.write_bytes(&[1]);
                self.0.dump(v, cx)
            }
        }
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<Option<T>, Failure> {
        match cx.read_option_tag()? {
            false => Ok(None),
            true => self.0.load(cx).map(Some),
        }
    }
    fn copy(&self, value: &Option<T>, cx: &mut Copier<'_>) -> Result<Option<T>, Failure> {
        value.as_ref().map(|v| self.0.copy(v, cx)).transpose()
    }
}

/// A wrapper written as the value it holds.
pub(crate) trait Wrapper: Sized {
    type Inner;
    /// Whether wrapping allocates the value on the heap.
    const BOXED: bool = false;
    fn wrap(value: Self::Inner) -> Self;
    fn with<R>(&self, f: impl FnOnce(&Self::Inner) -> R) -> Result<R, Failure>;
}

impl<T> Wrapper for Box<T> {
    type Inner = T;
    const BOXED: bool = true;
    fn wrap(value: T) -> Self {
        Box::new(value)
    }
    fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, Failure> {
        Ok(f(self))
    }
}

impl<T> Wrapper for RefCell<T> {
    type Inner = T;
    fn wrap(value: T) -> Self {
        RefCell::new(value)
    }
    fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, Failure> {
        let value = self.try_borrow().map_err(|_| Error::Borrowed {
            type_name: std::any::type_name::<Self>(),
        })?;
        Ok(f(&value))
    }
}

// A poisoned lock still holds a whole value: a panic elsewhere does not stop it being read.
impl<T> Wrapper for Mutex<T> {
    type Inner = T;
    fn wrap(value: T) -> Self {
        Mutex::new(value)
    }
    fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, Failure> {
        Ok(f(&self.lock().unwrap_or_else(PoisonError::into_inner)))
    }
}

impl<T> Wrapper for RwLock<T> {
    type Inner = T;
    fn wrap(value: T) -> Self {
        RwLock::new(value)
    }
    fn with<R>(&self, f: impl FnOnce(&T) -> R) -> Result<R, Failure> {
        Ok(f(&self.read().unwrap_or_else(PoisonError::into_inner)))
    }
}

impl<W: Wrapper, C: Codec<W::Inner>> Codec<W> for InnerCodec<C> {
    const MIN_SIZE: usize = C::MIN_SIZE;

    fn dump(&self, value: &W, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        value.with(|v| self.0.dump(v, cx))?
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<W, Failure> {
        if W::BOXED {
            cx.charge(std::mem::size_of::<W::Inner>())?;
        }
        self.0.load(cx).map(W::wrap)
    }
    fn copy(&self, value: &W, cx: &mut Copier<'_>) -> Result<W, Failure> {
        value.with(|v| self.0.copy(v, cx))?.map(W::wrap)
    }
}

impl<P: Pointer, C: Codec<P::Target>> Codec<P> for PointerCodec<C> {
    fn dump(&self, value: &P, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.dump_pointer(value, |v, cx| self.0.dump(v, cx))
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<P, Failure> {
        cx.load_pointer::<P>(|cx| self.0.load(cx))
    }
    fn copy(&self, value: &P, cx: &mut Copier<'_>) -> Result<P, Failure> {
        cx.copy_pointer(value, |v, cx| self.0.copy(v, cx))
    }
    /// An item that points where the one before it does gets that one's copy, as the memo
    /// would give it, without a lookup: a list that repeats one shared value (Python's
    /// `[a] * 100`) copies at the speed of cloning.
    fn copy_vec(&self, items: &[P], cx: &mut Copier<'_>) -> Result<Vec<P>, Failure> {
        let mut out: Vec<P> = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            // `out[j]` is the copy of `items[j]`.
            let copy = match i.checked_sub(1) {
                Some(j) if items[j].address() == item.address() => out[j].clone(),
                _ => self.copy(item, cx)?,
            };
            out.push(copy);
        }
        Ok(out)
    }
}

macro_rules! tuple_codec {
    ($(($($t:ident $c:ident $i:tt),*)),* $(,)?) => {$(
        impl<$($c: Stateless),*> Stateless for TupleCodec<($($c,)*)> {
            const NEW: Self = TupleCodec(($($c::NEW,)*));
        }

        #[allow(unused_variables)] // `cx` for the empty tuple
        impl<$($t, $c: Codec<$t>),*> Codec<($($t,)*)> for TupleCodec<($($c,)*)> {
            const MIN_SIZE: usize = 0 $(+ $c::MIN_SIZE)*;

            fn dump(&self, value: &($($t,)*), cx: &mut Dumper<'_>) -> Result<(), Failure> {
                $(self.0.$i.dump(&value.$i, cx)?;)*
                Ok(())
            }
            fn load(&self, cx: &mut Loader<'_>) -> Result<($($t,)*), Failure> {
                Ok(($(self.0.$i.load(cx)?,)*))
            }
            fn copy(&self, value: &($($t,)*), cx: &mut Copier<'_>) -> Result<($($t,)*), Failure> {
                Ok(($(self.0.$i.copy(&value.$i, cx)?,)*))
            }
        }
    )*};
}

tuple_codec! {
    (),
    (A CA 0),
    (A CA 0, B CB 1),
    (A CA 0, B CB 1, C CC 2),
    (A CA 0, B CB 1, C CC 2, D CD 3),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4, F CF 5),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4, F CF 5, G CG 6),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4, F CF 5, G CG 6, H CH 7),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4, F CF 5, G CG 6, H CH 7, I CI 8),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4, F CF 5, G CG 6, H CH 7, I CI 8, J CJ 9),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4, F CF 5, G CG 6, H CH 7, I CI 8, J CJ 9, K CK 10),
    (A CA 0, B CB 1, C CC 2, D CD 3, E CE 4, F CF 5, G CG 6, H CH 7, I CI 8, J CJ 9, K CK 10, L CL 11),
}

/// `Default`, for the fields a stream does not hold: a `#[reducer(skip)]` field, and a
/// `#[reducer(default)]` one a stream from before it existed lacks. Its own trait, so that a
/// type without `Default` gets copyreg's words.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no `Default`, which a `#[reducer(skip)]` or `#[reducer(default)]` field is rebuilt with",
    label = "no `Default` for this field",
    note = "derive or implement `Default` for it, or name a function that makes the value: \
            `#[reducer(skip, default = path::to::function)]`"
)]
pub trait SkippedDefault {
    /// The value the field is rebuilt with.
    fn skipped_default() -> Self;
}

impl<T: Default> SkippedDefault for T {
    fn skipped_default() -> Self {
        T::default()
    }
}

/// `SkippedDefault` of `T`, as generated code calls it.
pub fn skipped_default<T: SkippedDefault>() -> T {
    T::skipped_default()
}
