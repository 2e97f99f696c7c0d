//! The codecs of collections: sequences (`Vec`, `VecDeque`, the sets), maps and arrays.
//! A `Vec` of primitives is written and read as one run; everything else element by element.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};

use crate::codecs::field::{ArrayCodec, Codec, MapCodec, SeqCodec};
use crate::engine::copy::Copier;
use crate::engine::dump::Dumper;
use crate::engine::load::Loader;
use crate::wire::depth::Nested;
use crate::wire::error::Failure;
use crate::wire::limits::slot_size;

/// The memory one element of a hash table takes, at most: its bucket and control byte, over
/// the table's 7/8 load factor and a bucket count rounded up to a power of two.
const fn hash_slot_size<T>() -> usize {
    (std::mem::size_of::<T>() + 1) * 16 / 7 + 1
}

/// The memory one element of a B-tree takes, at most: a node holds room for 11 elements
/// and is at least 5/11 full, and carries its parent's pointer, index and length.
const fn btree_slot_size<T>() -> usize {
    3 * slot_size::<T>() + 4
}

/// A collection built one element at a time.
pub(crate) trait Sequence: Sized + 'static {
    /// Whether it is a set, which Python pickles as a `set`.
    const SET: bool = false;
    type Item;
    /// What one element takes in memory (see [`slot_size`]).
    const SLOT: usize;
    fn items(&self) -> impl Iterator<Item = &Self::Item>;
    fn count(&self) -> usize;
    fn with_capacity(capacity: usize) -> Self;
    fn add(&mut self, item: Self::Item);

    fn dump_items<C: Codec<Self::Item>>(
        &self,
        codec: &C,
        cx: &mut Dumper<'_>,
    ) -> Result<(), Failure> {
        self.items().try_for_each(|item| codec.dump(item, cx))
    }
    fn load_items<C: Codec<Self::Item>>(
        len: usize,
        codec: &C,
        cx: &mut Loader<'_>,
    ) -> Result<Self, Failure> {
        let mut out = Self::with_capacity(len);
        for _ in 0..len {
            out.add(codec.load(cx)?);
        }
        Ok(out)
    }
    fn copy_items<C: Codec<Self::Item>>(
        &self,
        codec: &C,
        cx: &mut Copier<'_>,
    ) -> Result<Self, Failure> {
        let mut out = Self::with_capacity(self.count());
        for item in self.items() {
            out.add(codec.copy(item, cx)?);
        }
        Ok(out)
    }
}

// A `Vec` is one slice: primitives write and read it in one go.
impl<T: 'static> Sequence for Vec<T> {
    type Item = T;
    const SLOT: usize = slot_size::<T>();
    fn items(&self) -> impl Iterator<Item = &T> {
        self.iter()
    }
    fn count(&self) -> usize {
        self.len()
    }
    fn with_capacity(capacity: usize) -> Self {
        Vec::with_capacity(Loader::capacity(capacity, Self::SLOT))
    }
    fn add(&mut self, item: T) {
        self.push(item);
    }
    fn dump_items<C: Codec<T>>(&self, codec: &C, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        codec.dump_slice(self, cx)
    }
    fn load_items<C: Codec<T>>(
        len: usize,
        codec: &C,
        cx: &mut Loader<'_>,
    ) -> Result<Self, Failure> {
        codec.load_vec(len, cx)
    }
    fn copy_items<C: Codec<T>>(&self, codec: &C, cx: &mut Copier<'_>) -> Result<Self, Failure> {
        codec.copy_vec(self, cx)
    }
}

macro_rules! sequence {
    ($($ty:ident<$t:ident $(: $($bound:path),+)?> $(, $s:ident)? => $set:literal, $slot:expr, $new:expr, $add:ident;)*) => {$(
        impl<$t: 'static $($(+ $bound)+)? $(, $s: BuildHasher + Default + 'static)?> Sequence
            for $ty<$t $(, $s)?>
        {
            type Item = $t;
            const SET: bool = $set;
            const SLOT: usize = $slot;
            fn items(&self) -> impl Iterator<Item = &$t> {
                self.iter()
            }
            fn count(&self) -> usize {
                self.len()
            }
            fn with_capacity(capacity: usize) -> Self {
                ($new)(capacity)
            }
            fn add(&mut self, item: $t) {
                self.$add(item);
            }
        }
    )*};
}

sequence! {
    VecDeque<T> => false, slot_size::<T>(),
        |n| VecDeque::with_capacity(Loader::capacity(n, Self::SLOT)), push_back;
    HashSet<T: Eq, Hash>, S => true, hash_slot_size::<T>(),
        |n| HashSet::with_capacity_and_hasher(Loader::capacity(n, Self::SLOT), S::default()), insert;
    BTreeSet<T: Ord> => true, btree_slot_size::<T>(), |_| BTreeSet::new(), insert;
}

impl<S: Sequence, C: Codec<S::Item>> Codec<S> for SeqCodec<C> {
    const MIN_SIZE: usize = 1;

    fn dump(&self, value: &S, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.write_len(value.count());
        value.dump_items(&self.0, cx)
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<S, Failure> {
        let len = cx.read_count(C::MIN_SIZE, S::SLOT)?;
        S::load_items(len, &self.0, cx)
    }
    fn copy(&self, value: &S, cx: &mut Copier<'_>) -> Result<S, Failure> {
        value.copy_items(&self.0, cx)
    }
}

/// A map built one entry at a time.
pub(crate) trait Map: Sized + 'static {
    type Key;
    type Value;
    /// What one entry takes in memory.
    const SLOT: usize;
    fn entries(&self) -> impl Iterator<Item = (&Self::Key, &Self::Value)>;
    fn count(&self) -> usize;
    fn with_capacity(capacity: usize) -> Self;
    fn add(&mut self, key: Self::Key, value: Self::Value);
}

macro_rules! map {
    ($($ty:ident<K: $($bound:path),+> $(, $s:ident)? => $slot:expr, $new:expr;)*) => {$(
        impl<K: 'static $(+ $bound)+, V: 'static $(, $s: BuildHasher + Default + 'static)?> Map
            for $ty<K, V $(, $s)?>
        {
            type Key = K;
            type Value = V;
            const SLOT: usize = $slot;
            fn entries(&self) -> impl Iterator<Item = (&K, &V)> {
                self.iter()
            }
            fn count(&self) -> usize {
                self.len()
            }
            fn with_capacity(capacity: usize) -> Self {
                ($new)(capacity)
            }
            fn add(&mut self, key: K, value: V) {
                self.insert(key, value);
            }
        }
    )*};
}

map! {
    HashMap<K: Eq, Hash>, S => hash_slot_size::<(K, V)>(),
        |n| HashMap::with_capacity_and_hasher(Loader::capacity(n, Self::SLOT), S::default());
    BTreeMap<K: Ord> => btree_slot_size::<(K, V)>(), |_| BTreeMap::new();
}

impl<M: Map, KC: Codec<M::Key>, VC: Codec<M::Value>> Codec<M> for MapCodec<KC, VC> {
    const MIN_SIZE: usize = 1;

    fn dump(&self, value: &M, cx: &mut Dumper<'_>) -> Result<(), Failure> {
        cx.write_len(value.count());
        if !(KC::OBJECT || VC::OBJECT) {
            return value.entries().try_for_each(|(k, v)| {
                self.0.dump(k, cx)?;
                self.1.dump(v, cx)
            });
        }
        // The entries' objects are siblings: one stack check makes room for all of them.
        cx.with_stack(|cx| {
            value.entries().try_for_each(|(k, v)| {
                self.0.dump_sibling(k, cx)?;
                self.1.dump_sibling(v, cx)
            })
        })
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<M, Failure> {
        let len = cx.read_count(KC::MIN_SIZE + VC::MIN_SIZE, M::SLOT)?;
        let mut out = M::with_capacity(len);
        if !(KC::OBJECT || VC::OBJECT) {
            for _ in 0..len {
                let key = self.0.load(cx)?;
                out.add(key, self.1.load(cx)?);
            }
            return Ok(out);
        }
        // As when dumping: one stack check for the entries' objects, siblings all.
        cx.with_stack(|cx| {
            for _ in 0..len {
                let key = self.0.load_sibling(cx)?;
                out.add(key, self.1.load_sibling(cx)?);
            }
            Ok(out)
        })
    }
    fn copy(&self, value: &M, cx: &mut Copier<'_>) -> Result<M, Failure> {
        let mut out = M::with_capacity(value.count());
        for (k, v) in value.entries() {
            let key = self.0.copy(k, cx)?;
            out.add(key, self.1.copy(v, cx)?);
        }
        Ok(out)
    }
}

impl<T, C: Codec<T>, const N: usize> Codec<[T; N]> for ArrayCodec<C> {
    const MIN_SIZE: usize = C::MIN_SIZE * N;

    fn dump(&self, value: &[T; N], cx: &mut Dumper<'_>) -> Result<(), Failure> {
        self.0.dump_slice(value, cx)
    }
    fn load(&self, cx: &mut Loader<'_>) -> Result<[T; N], Failure> {
        self.0.load_array(cx)
    }
    fn copy(&self, value: &[T; N], cx: &mut Copier<'_>) -> Result<[T; N], Failure> {
        self.0.copy_array(value, cx)
    }
}
