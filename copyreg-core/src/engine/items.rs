//! The loops over a collection's items that runs of objects (`run.rs`) and the codecs of
//! collections share: read `len` values into a `Vec`, or `N` into an array, and copy them.

use smallvec::SmallVec;

use crate::engine::load::Loader;
use crate::wire::error::Failure;
use crate::wire::limits::slot_size;

/// Reads `len` values one by one into a `Vec` (`len` is checked and charged already).
pub(crate) fn load_vec<'a, T>(
    len: usize,
    cx: &mut Loader<'a>,
    mut load: impl FnMut(&mut Loader<'a>) -> Result<T, Failure>,
) -> Result<Vec<T>, Failure> {
    let mut out = Vec::with_capacity(Loader::capacity(len, slot_size::<T>()));
    for _ in 0..len {
        out.push(load(cx)?);
    }
    Ok(out)
}

/// Copies a run of values into a `Vec` of exactly their number. (Collecting the copies'
/// `Result`s would start small and grow by doubling, since an error may end them early.)
pub(crate) fn copy_vec<T>(
    items: &[T],
    mut copy: impl FnMut(&T) -> Result<T, Failure>,
) -> Result<Vec<T>, Failure> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(copy(item)?);
    }
    Ok(out)
}

/// Reads an array value by value. Built in place (a `SmallVec` of exactly `N` never spills
/// to the heap), since stable Rust cannot build an array from a fallible closure.
pub(crate) fn load_array<'a, T, const N: usize>(
    cx: &mut Loader<'a>,
    mut load: impl FnMut(&mut Loader<'a>) -> Result<T, Failure>,
) -> Result<[T; N], Failure> {
    let mut items = SmallVec::<[T; N]>::new();
    for _ in 0..N {
        items.push(load(cx)?);
    }
    items
        .into_inner()
        .map_err(|_| cx.malformed("array of the wrong length"))
}

/// Copies an array value by value, as [`load_array`] reads one.
pub(crate) fn copy_array<T, const N: usize>(
    items: &[T; N],
    copy: impl FnMut(&T) -> Result<T, Failure>,
) -> Result<[T; N], Failure> {
    let copies = items
        .iter()
        .map(copy)
        .collect::<Result<SmallVec<[T; N]>, _>>()?;
    match copies.into_inner() {
        Ok(array) => Ok(array),
        Err(_) => unreachable!("copied as many items as the array holds"),
    }
}
