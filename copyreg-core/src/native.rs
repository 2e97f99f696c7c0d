//! [`Reducible`] for the types copyreg writes natively, in bincode 1.3's layout, and their
//! registrations under their Rust names (`u8`, `String`, `Vec<u8>`, ...).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};
use std::marker::PhantomData;

use crate::copy::Copier;
use crate::dump::Dumper;
use crate::error::Error;
use crate::load::Loader;
use crate::reducible::{name_wrapped, Reducible};
use crate::registry::Registration;

macro_rules! numbers {
    ($($t:ty => $wire:ty),* $(,)?) => {$(
        impl Reducible for $t {
            const __MIN_SIZE: usize = std::mem::size_of::<$wire>();

            fn __name(out: &mut String) {
                out.push_str(stringify!($t));
            }

            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
                cx.write_bytes(&(*self as $wire).to_le_bytes());
                Ok(())
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
                let wire = <$wire>::from_le_bytes(cx.read_array()?);
                <$t>::try_from(wire).map_err(|_| {
                    cx.malformed(format!("{wire} does not fit in {}", stringify!($t)))
                })
            }

            fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Error> {
                Ok(*self)
            }
        }

        inventory::submit! { Registration::of::<$t>() }
    )*};
}

numbers! {
    u8 => u8, u16 => u16, u32 => u32, u64 => u64, u128 => u128, usize => u64,
    i8 => i8, i16 => i16, i32 => i32, i64 => i64, i128 => i128, isize => i64,
}

macro_rules! floats {
    ($($t:ty),*) => {$(
        impl Reducible for $t {
            const __MIN_SIZE: usize = std::mem::size_of::<$t>();

            fn __name(out: &mut String) {
                out.push_str(stringify!($t));
            }

            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
                cx.write_bytes(&self.to_le_bytes());
                Ok(())
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
                Ok(<$t>::from_le_bytes(cx.read_array()?))
            }

            fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Error> {
                Ok(*self)
            }
        }

        inventory::submit! { Registration::of::<$t>() }
    )*};
}

floats!(f32, f64);

impl Reducible for bool {
    fn __name(out: &mut String) {
        out.push_str("bool");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.write_bytes(&[u8::from(*self)]);
        Ok(())
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        match cx.read_array::<1>()?[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(cx.malformed(format!("bool byte {b}, expected 0 or 1"))),
        }
    }

    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Error> {
        Ok(*self)
    }
}

impl Reducible for char {
    fn __name(out: &mut String) {
        out.push_str("char");
    }

    /// Written as its UTF-8 bytes, as bincode 1.3 does.
    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.write_bytes(self.encode_utf8(&mut [0; 4]).as_bytes());
        Ok(())
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        let first = cx.read_array::<1>()?[0];
        let width = match first {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => return Err(cx.malformed("invalid char encoding")),
        };
        let mut buf = [first, 0, 0, 0];
        buf[1..width].copy_from_slice(cx.read_bytes(width - 1)?);
        std::str::from_utf8(&buf[..width])
            .ok()
            .and_then(|s| s.chars().next())
            .ok_or_else(|| cx.malformed("invalid char encoding"))
    }

    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Error> {
        Ok(*self)
    }
}

impl Reducible for String {
    const __MIN_SIZE: usize = 8;

    fn __name(out: &mut String) {
        out.push_str("String");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.write_len(self.len());
        cx.write_bytes(self.as_bytes());
        Ok(())
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        let len = cx.read_len(1)?;
        cx.read_str(len).map(str::to_owned)
    }

    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Error> {
        Ok(self.clone())
    }
}

inventory::submit! { Registration::of::<bool>() }
inventory::submit! { Registration::of::<char>() }
inventory::submit! { Registration::of::<String>() }
inventory::submit! { Registration::of::<()>() }

impl<T: 'static> Reducible for PhantomData<T> {
    const __MIN_SIZE: usize = 0;

    fn __name(out: &mut String) {
        out.push_str("PhantomData");
    }

    fn __dump(&self, _: &mut Dumper<'_>) -> Result<(), Error> {
        Ok(())
    }

    fn __load(_: &mut Loader<'_>) -> Result<Self, Error> {
        Ok(PhantomData)
    }

    fn __copy(&self, _: &mut Copier<'_>) -> Result<Self, Error> {
        Ok(PhantomData)
    }
}

impl<T: Reducible> Reducible for Option<T> {
    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "Option");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        match self {
            None => {
                cx.write_bytes(&[0]);
                Ok(())
            }
            Some(v) => {
                cx.write_bytes(&[1]);
                v.__dump(cx)
            }
        }
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        match cx.read_option_tag()? {
            false => Ok(None),
            true => T::__load(cx).map(Some),
        }
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        self.as_ref().map(|v| v.__copy(cx)).transpose()
    }
}

impl<T: Reducible> Reducible for Box<T> {
    const __MIN_SIZE: usize = T::__MIN_SIZE;

    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "Box");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        (**self).__dump(cx)
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        T::__load(cx).map(Box::new)
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        (**self).__copy(cx).map(Box::new)
    }
}

impl<T: Reducible, const N: usize> Reducible for [T; N] {
    const __MIN_SIZE: usize = T::__MIN_SIZE * N;

    fn __name(out: &mut String) {
        out.push('[');
        T::__name(out);
        out.push_str(&format!("; {N}]"));
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        self.iter().try_for_each(|v| v.__dump(cx))
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        let items = (0..N)
            .map(|_| T::__load(cx))
            .collect::<Result<Vec<T>, _>>()?;
        items
            .try_into()
            .map_err(|_| cx.malformed("array of the wrong length"))
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        let items = self
            .iter()
            .map(|v| v.__copy(cx))
            .collect::<Result<Vec<T>, _>>()?;
        items
            .try_into()
            .map_err(|_| unreachable!("copied as many items as the array holds"))
    }
}

/// Sequences: a `u64` length, then the elements.
macro_rules! sequence {
    ($($ty:ident <$t:ident $(: $bound:path)*> via $with_len:expr),* $(,)?) => {$(
        impl<$t: Reducible $(+ $bound)*> Reducible for $ty<$t> {
            const __MIN_SIZE: usize = 8;

            fn __name(out: &mut String) {
                name_wrapped::<$t>(out, stringify!($ty));
            }

            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
                cx.write_len(self.len());
                self.iter().try_for_each(|v| v.__dump(cx))
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
                let len = cx.read_len($t::__MIN_SIZE)?;
                let mut out: Self = ($with_len)(len);
                for _ in 0..len {
                    out.extend(Some($t::__load(cx)?));
                }
                Ok(out)
            }

            fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
                self.iter().map(|v| v.__copy(cx)).collect()
            }
        }
    )*};
}

sequence! {
    Vec<T> via |len| Vec::with_capacity(Loader::capacity::<T>(len)),
    VecDeque<T> via |len| VecDeque::with_capacity(Loader::capacity::<T>(len)),
    BTreeSet<T: Ord> via |_| BTreeSet::new(),
}

impl<T: Reducible + Eq + Hash, S: BuildHasher + Default + 'static> Reducible for HashSet<T, S> {
    const __MIN_SIZE: usize = 8;

    fn __name(out: &mut String) {
        name_wrapped::<T>(out, "HashSet");
    }

    fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
        cx.write_len(self.len());
        self.iter().try_for_each(|v| v.__dump(cx))
    }

    fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
        let len = cx.read_len(T::__MIN_SIZE)?;
        let mut out = HashSet::with_capacity_and_hasher(Loader::capacity::<T>(len), S::default());
        for _ in 0..len {
            out.insert(T::__load(cx)?);
        }
        Ok(out)
    }

    fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
        self.iter().map(|v| v.__copy(cx)).collect()
    }
}

/// Maps: a `u64` length, then key and value after each other.
macro_rules! map {
    ($($ty:ident <K: [$($bound:path),*], V $(, $s:ident)?> via $with_len:expr),* $(,)?) => {$(
        impl<K: Reducible $(+ $bound)*, V: Reducible $(, $s: BuildHasher + Default + 'static)?>
            Reducible for $ty<K, V $(, $s)?>
        {
            const __MIN_SIZE: usize = 8;

            fn __name(out: &mut String) {
                out.push_str(concat!(stringify!($ty), "<"));
                K::__name(out);
                out.push_str(", ");
                V::__name(out);
                out.push('>');
            }

            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
                cx.write_len(self.len());
                self.iter().try_for_each(|(k, v)| {
                    k.__dump(cx)?;
                    v.__dump(cx)
                })
            }

            fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
                let len = cx.read_len(K::__MIN_SIZE + V::__MIN_SIZE)?;
                let mut out: Self = ($with_len)(len);
                for _ in 0..len {
                    let k = K::__load(cx)?;
                    out.insert(k, V::__load(cx)?);
                }
                Ok(out)
            }

            fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
                self.iter().map(|(k, v)| Ok((k.__copy(cx)?, v.__copy(cx)?))).collect()
            }
        }
    )*};
}

map! {
    HashMap<K: [Eq, Hash], V, S> via |len| {
        HashMap::with_capacity_and_hasher(Loader::capacity::<(K, V)>(len), S::default())
    },
    BTreeMap<K: [Ord], V> via |_| BTreeMap::new(),
}

/// Tuples: the elements one after another, no length.
macro_rules! tuples {
    ($(($($t:ident $i:tt),*)),* $(,)?) => {$(
        impl<$($t: Reducible),*> Reducible for ($($t,)*) {
            const __MIN_SIZE: usize = 0 $(+ $t::__MIN_SIZE)*;

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

            #[allow(unused_variables)] // `cx` for the empty tuple
            fn __dump(&self, cx: &mut Dumper<'_>) -> Result<(), Error> {
                $(self.$i.__dump(cx)?;)*
                Ok(())
            }

            #[allow(unused_variables)]
            fn __load(cx: &mut Loader<'_>) -> Result<Self, Error> {
                Ok(($($t::__load(cx)?,)*))
            }

            #[allow(unused_variables)]
            fn __copy(&self, cx: &mut Copier<'_>) -> Result<Self, Error> {
                Ok(($(self.$i.__copy(cx)?,)*))
            }
        }
    )*};
}

tuples! {
    (),
    (A 0),
    (A 0, B 1),
    (A 0, B 1, C 2),
    (A 0, B 1, C 2, D 3),
    (A 0, B 1, C 2, D 3, E 4),
    (A 0, B 1, C 2, D 3, E 4, F 5),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10),
    (A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9, K 10, L 11),
}
