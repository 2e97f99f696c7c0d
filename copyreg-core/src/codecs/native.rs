//! [`Reducible`] for the types copyreg writes natively, in postcard's layout, and their
//! registrations under their Rust names (`u8`, `String`, `Vec<u8>`, ...).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::{Arc, Mutex, RwLock};

use crate::codecs::field::{
    ArrayCodec, Codec, InnerCodec, MapCodec, OptionCodec, PointerCodec, ReducibleLeaf, SeqCodec,
    Stateless, TupleCodec,
};
use crate::codecs::reducible::{name_wrapped, Reducible};
use crate::codecs::register::registration_of;
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::engine::shape::{Shape, ShapeOf};
use crate::engine::tree::{TypeTree, VisitTypes};
use crate::wire::error::Failure;
use crate::wire::input::does_not_fit;
use crate::wire::varint;

/// The parts of `Reducible` every integer type shares.
macro_rules! integer_common {
    ($t:ty) => {
        fn __name(out: &mut String) {
            out.push_str(stringify!($t));
        }

        #[inline]
        fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Failure> {
            Ok(*self)
        }

        fn __copy_vec(items: &[Self], _: &mut Copier<'_>) -> Result<Vec<Self>, Failure> {
            Ok(items.to_vec())
        }

        fn __copy_array<const N: usize>(
            items: &[Self; N],
            _: &mut Copier<'_>,
        ) -> Result<[Self; N], Failure> {
            Ok(*items)
        }
    };
}

/// Integers wider than a byte: varints, zigzagged if signed (`$width` bytes each in versions
/// 1 and 2, where `usize` and `isize` took 8).
macro_rules! integers {
    ($($t:ty, $width:literal, $wire:ty, $read:ident, $read_run:ident, $encode:expr;)*) => {$(
        impl Reducible for $t {
            const __MIN_SIZE: usize = 1;
            const __SHAPE: &'static Shape = if <$wire>::MIN == 0 { &Shape::Unsigned } else { &Shape::Signed };

            integer_common!($t);

            #[inline]
            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.write_number($encode(*self as $wire));
                Ok(())
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
                let at = cx.position();
                let wire = cx.input().$read::<$width>()?;
                <$t>::try_from(wire).map_err(|_| does_not_fit(at, wire, stringify!($t)))
            }

            fn __dump_slice(items: &[Self], cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.write_numbers(items.iter().map(|n| $encode(*n as $wire)));
                Ok(())
            }

            fn __load_vec(len: usize, cx: &mut Loader<'_>) -> Result<Vec<Self>, Failure> {
                cx.input().$read_run::<Self, $width>(len, stringify!($t))
            }
        }

        inventory::submit! { registration_of::<$t>() }
    )*};
}

integers! {
    u16, 2, u64, unsigned, unsigned_run, std::convert::identity;
    u32, 4, u64, unsigned, unsigned_run, std::convert::identity;
    u64, 8, u64, unsigned, unsigned_run, std::convert::identity;
    usize, 8, u64, unsigned, unsigned_run, std::convert::identity;
    i16, 2, i64, signed, signed_run, varint::zigzag;
    i32, 4, i64, signed, signed_run, varint::zigzag;
    i64, 8, i64, signed, signed_run, varint::zigzag;
    isize, 8, i64, signed, signed_run, varint::zigzag;
}

/// `u8` and `i8`: one byte each, so a run of them is a copy.
macro_rules! bytes {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            const __SHAPE: &'static Shape = if <$t>::MIN == 0 { &Shape::U8 } else { &Shape::I8 };

            integer_common!($t);

            #[inline]
            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.write_bytes(&self.to_le_bytes());
                Ok(())
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
                Ok(<$t>::from_le_bytes(cx.read_array()?))
            }

            fn __dump_slice(items: &[Self], cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.write_each(items, |n| n.to_le_bytes());
                Ok(())
            }

            fn __load_vec(len: usize, cx: &mut Loader<'_>) -> Result<Vec<Self>, Failure> {
                cx.input().each(len, <$t>::from_le_bytes)
            }
        }

        inventory::submit! { registration_of::<$t>() }
    )*};
}

bytes!(u8, i8);

/// `u128` and `i128`: varints of up to 19 bytes (16 bytes each in versions 1 and 2).
macro_rules! wide {
    ($($t:ty, $read:ident, $encode:expr;)*) => {$(
        impl Reducible for $t {
            const __SHAPE: &'static Shape = if <$t>::MIN == 0 { &Shape::Unsigned } else { &Shape::Signed };

            integer_common!($t);

            #[inline]
            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.write_u128($encode(*self));
                Ok(())
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
                cx.input().$read()
            }
        }

        inventory::submit! { registration_of::<$t>() }
    )*};
}

wide! {
    u128, u128, std::convert::identity;
    i128, i128, varint::zigzag_128;
}

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            const __MIN_SIZE: usize = std::mem::size_of::<$t>();
            const __SHAPE: &'static Shape = if std::mem::size_of::<$t>() == 4 { &Shape::F32 } else { &Shape::F64 };

            fn __name(out: &mut String) {
                out.push_str(stringify!($t));
            }

            #[inline]
            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.write_bytes(&self.to_le_bytes());
                Ok(())
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
                Ok(<$t>::from_le_bytes(cx.read_array()?))
            }

            #[inline]
            fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Failure> {
                Ok(*self)
            }

            fn __dump_slice(items: &[Self], cx: &mut Dumper<'_>) -> Result<(), Failure> {
                cx.write_each(items, |f| f.to_le_bytes());
                Ok(())
            }

            fn __load_vec(len: usize, cx: &mut Loader<'_>) -> Result<Vec<Self>, Failure> {
                cx.input().each(len, <$t>::from_le_bytes)
            }

            fn __copy_vec(items: &[Self], _: &mut Copier<'_>) -> Result<Vec<Self>, Failure> {
                Ok(items.to_vec())
            }

            fn __load_array<const N: usize>(cx: &mut Loader<'_>) -> Result<[Self; N], Failure> {
                cx.input().run(|bytes| <$t>::from_le_bytes(bytes))
            }

            fn __copy_array<const N: usize>(items: &[Self; N], _: &mut Copier<'_>) -> Result<[Self; N], Failure> {
                Ok(*items)
            }
        }

        inventory::submit! { registration_of::<$t>() }
    )*};
}

floats!(f32, f64);

impl Reducible for bool {
    const __SHAPE: &'static Shape = &Shape::Bool;

    fn __name(out: &mut String) {
        out.push_str("bool");
    }

    #[inline]
    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.write_bytes(&[u8::from(*self)]);
        Ok(())
    }

    #[inline]
    fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
        match cx.read_array::<1>()?[0] {
            0 => Ok(false),
            1 => Ok(true),
            // At the byte itself, just read.
            b => Err(Failure::malformed(
                cx.position() - 1,
                format!("bool byte {b}, expected 0 or 1"),
            )),
        }
    }

    #[inline]
    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Failure> {
        Ok(*self)
    }
}

impl Reducible for char {
    const __SHAPE: &'static Shape = &Shape::Char;

    fn __name(out: &mut String) {
        out.push_str("char");
    }

    /// Written as a string of one char: its UTF-8 bytes after their count, as postcard does.
    #[inline]
    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        let mut buf = [0; 5];
        let width = self.encode_utf8(&mut buf[1..]).len();
        buf[0] = width as u8;
        cx.write_bytes(&buf[..=width]);
        Ok(())
    }

    #[inline]
    fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
        cx.input().char()
    }

    #[inline]
    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Failure> {
        Ok(*self)
    }
}

impl Reducible for String {
    const __MIN_SIZE: usize = 1;
    const __SHAPE: &'static Shape = &Shape::Str;

    fn __name(out: &mut String) {
        out.push_str("String");
    }

    #[inline]
    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.write_len(self.len());
        cx.write_bytes(self.as_bytes());
        Ok(())
    }

    #[inline]
    fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
        let len = cx.read_byte_len()?;
        cx.read_string(len)
    }

    #[inline]
    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Failure> {
        Ok(self.clone())
    }
}

inventory::submit! { registration_of::<bool>() }
inventory::submit! { registration_of::<char>() }
inventory::submit! { registration_of::<String>() }
inventory::submit! { registration_of::<()>() }

impl<T: 'static> Reducible for PhantomData<T> {
    const __MIN_SIZE: usize = 0;
    const __SHAPE: &'static Shape = &Shape::Unit;

    fn __name(out: &mut String) {
        out.push_str("PhantomData");
    }

    #[inline]
    fn __dump(&self, _: &mut Dumper<'_>) -> Result<(), Failure> {
        Ok(())
    }

    #[inline]
    fn __load(_: &mut Loader<'_>) -> Result<Self, Failure> {
        Ok(PhantomData)
    }

    #[inline]
    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Failure> {
        Ok(PhantomData)
    }
}

/// The three methods of `Reducible` by the codec that writes the type, so that each std
/// container's layout is written down once (in `field.rs`), for the derive's field codecs and
/// for these impls alike.
macro_rules! by_codec {
    ($codec:ty) => {
        const __MIN_SIZE: usize = <$codec as Codec<Self>>::MIN_SIZE;
        const __SHAPE: &'static Shape = <$codec as ShapeOf<Self>>::SHAPE;

        fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Failure> {
            <$codec as Stateless>::NEW.dump(self, cx)
        }

        fn __load(cx: &mut Loader<'_>) -> Result<Self, Failure> {
            <$codec as Stateless>::NEW.load(cx)
        }

        fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Failure> {
            <$codec as Stateless>::NEW.copy(self, cx)
        }

        fn __visit_types(tree: &mut TypeTree) {
            <$codec as Stateless>::NEW.visit_types(tree)
        }

        // The codec's own, where it has one: a run of shared pointers copies each allocation
        // once and shares the copy along the run.
        fn __copy_vec(items: &[Self], cx: &mut Copier<'_>) -> Result<Vec<Self>, Failure> {
            <$codec as Stateless>::NEW.copy_vec(items, cx)
        }
    };
}

/// `Eq + Hash` as one bound, for the macros below.
pub trait HashKey: Eq + Hash {}
impl<K: Eq + Hash> HashKey for K {}

/// `Reducible` for `Wrapper<T>` by `Codec<ReducibleLeaf<T>>`, named `Wrapper<T>`.
macro_rules! wrappers {
    ($($ty:ident<T $(: $bound:path)*> $(, $s:ident)? => $codec:ident;)*) => {$(
        impl<T: Reducible $(+ $bound)* $(, $s: BuildHasher + Default + 'static)?> Reducible
            for $ty<T $(, $s)?>
        {
            fn __name(out: &mut String) {
                name_wrapped::<T>(out, stringify!($ty));
            }

            by_codec!($codec<ReducibleLeaf<T>>);
        }
    )*};
}

wrappers! {
    Option<T> => OptionCodec;
    Box<T> => InnerCodec;
    Vec<T> => SeqCodec;
    VecDeque<T> => SeqCodec;
    BTreeSet<T: Ord> => SeqCodec;
    HashSet<T: HashKey>, S => SeqCodec;
    RefCell<T> => InnerCodec;
    Mutex<T> => InnerCodec;
    RwLock<T> => InnerCodec;
    Arc<T> => PointerCodec;
    Rc<T> => PointerCodec;
}

impl<T: Reducible, const N: usize> Reducible for [T; N] {
    fn __name(out: &mut String) {
        out.push('[');
        T::__name(out);
        out.push_str(&format!("; {N}]"));
    }

    by_codec!(ArrayCodec<ReducibleLeaf<T>>);
}

/// Maps: `Map<K, V>`.
macro_rules! maps {
    ($($ty:ident<K: $bound:path> $(, $s:ident)?;)*) => {$(
        impl<K: Reducible + $bound, V: Reducible $(, $s: BuildHasher + Default + 'static)?>
            Reducible for $ty<K, V $(, $s)?>
        {
            fn __name(out: &mut String) {
                out.push_str(concat!(stringify!($ty), "<"));
                K::__name(out);
                out.push_str(", ");
                V::__name(out);
                out.push('>');
            }

            by_codec!(MapCodec<ReducibleLeaf<K>, ReducibleLeaf<V>>);
        }
    )*};
}

maps! {
    HashMap<K: HashKey>, S;
    BTreeMap<K: Ord>;
}

/// Tuples: the elements one after another, no length.
macro_rules! tuples {
    ($(($($t:ident),*)),* $(,)?) => {$(
        impl<$($t: Reducible),*> Reducible for ($($t,)*) {
            fn __name(out: &mut String) {
                out.push('(');
                let mut _first = true;
                $(
                    if !std::mem::take(&mut _first) {
                        out.push_str(", ");
                    }
                    $t::__name(out);
                )*
                out.push(')');
            }

            by_codec!(TupleCodec<($(ReducibleLeaf<$t>,)*)>);
        }
    )*};
}

tuples! {
    (),
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H),
    (A, B, C, D, E, F, G, H, I),
    (A, B, C, D, E, F, G, H, I, J),
    (A, B, C, D, E, F, G, H, I, J, K),
    (A, B, C, D, E, F, G, H, I, J, K, L),
}
