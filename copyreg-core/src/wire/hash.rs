//! The hashers of copyreg's maps. Keys are `TypeId`s, addresses and registered names: what
//! the program holds, never what a stream says, so a quick hash is safe (see each).

use std::any::TypeId;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// `TypeId`s are hashes already: pass them through instead of hashing them again.
#[derive(Default)]
pub(crate) struct TypeIdHasher(u64);

impl Hasher for TypeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 ^= n;
    }
}

pub(crate) type TypeMap<V> = HashMap<TypeId, V, BuildHasherDefault<TypeIdHasher>>;

/// A quick hash for constructor names (a folded multiply over 8-byte words). Streams choose
/// the names looked up but not what the table holds, so a lookup costs at most the few
/// registrations sharing a bucket: no flooding is possible, and SipHash is not needed.
#[derive(Default)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks_exact(8) {
            if let Some(word) = chunk.first_chunk::<8>() {
                self.add(u64::from_le_bytes(*word));
            }
        }
        // The bytes after the last whole word, as a word read from the input (the last
        // eight bytes, overlapping words already added) rather than assembled in a buffer:
        // a word loaded from bytes just stored one by one stalls.
        let tail = match bytes.last_chunk::<8>() {
            Some(last) if !bytes.len().is_multiple_of(8) => u64::from_le_bytes(*last),
            Some(_) => 0,
            None => bytes.iter().fold(0, |word, &b| word << 8 | u64::from(b)),
        };
        self.add(tail ^ (bytes.len() as u64) << 56);
    }
    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// Maps keyed by what the program itself holds (addresses, `TypeId`s, registered names),
/// never by what a stream says: the quick hash is safe there.
pub(crate) type QuickMap<K, V> = HashMap<K, V, BuildHasherDefault<NameHasher>>;
/// The set twin of [`QuickMap`].
pub(crate) type QuickSet<K> = std::collections::HashSet<K, BuildHasherDefault<NameHasher>>;

impl NameHasher {
    /// A folded multiply: the 128-bit product's high half, XORed into its low half, carries
    /// every input bit into the low bits that pick a bucket. A plain multiply carries bits
    /// only upward, so names that differ only in their last bytes (one module's types:
    /// `app.T1`, `app.T2`, …) fell into a few buckets, and building a table of 1,000 such
    /// types probed along chains hundreds of entries long.
    fn add(&mut self, word: u64) {
        let product = u128::from(self.0 ^ word) * 0x517c_c1b7_2722_0a95;
        self.0 = product as u64 ^ (product >> 64) as u64;
    }
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, BuildHasherDefault};

    use super::NameHasher;

    /// How many of a table's `buckets` (a power of two) the hashes of `keys` pick, as
    /// hashbrown picks them: by the hash's low bits.
    fn buckets_used<K: std::hash::Hash>(keys: impl Iterator<Item = K>, buckets: u64) -> usize {
        let hasher = BuildHasherDefault::<NameHasher>::default();
        let picked: std::collections::HashSet<u64> = keys
            .map(|key| hasher.hash_one(key) & (buckets - 1))
            .collect();
        picked.len()
    }

    #[test]
    fn names_that_differ_only_at_the_end_spread_over_the_buckets() {
        // 1,000 keys over 8,192 buckets: a random hash picks about 940 distinct ones. The
        // multiply-rotate hash this replaced picked 74 for the `Vec<…>` names.
        for (before, after) in [("app.T", ""), ("Vec<scale.T", ">"), ("bench::b5::T", "")] {
            let names = (0..1000).map(|i| format!("{before}{i}{after}"));
            let used = buckets_used(names, 8192);
            assert!(used > 900, "{before}N{after}: {used} buckets of 8,192");
        }
    }

    #[test]
    fn allocations_side_by_side_spread_over_the_buckets() {
        // The shared-pointer memos' keys: 48-byte allocations in a row, and their type.
        let type_id = std::any::TypeId::of::<u32>();
        let allocations = (0..1000usize).map(|i| (0x5555_0000_0000 + 48 * i, type_id));
        let used = buckets_used(allocations, 8192);
        assert!(used > 900, "{used} buckets of 8,192");
    }
}
