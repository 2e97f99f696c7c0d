//! What one load may take: its [`Limits`], and the memory each element is charged against
//! them before it is built.

use crate::wire::depth::MAX_DEPTH;

/// The limits a load applies. [`loads`](crate::loads) uses the defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_input: usize,
    pub(crate) max_alloc: usize,
    pub(crate) max_depth: usize,
    pub(crate) max_objects: usize,
    /// `None`: one element per byte of input.
    pub(crate) max_elements: Option<usize>,
}

impl Limits {
    pub(crate) const DEFAULT: Limits = Limits {
        max_input: 1 << 30,
        max_alloc: 1 << 30,
        max_depth: MAX_DEPTH,
        max_objects: 1 << 26,
        max_elements: None,
    };

    /// The elements a load of `input` bytes may build: by default one per byte, which
    /// every stream whose elements each take a byte fits, and which keeps the time a load
    /// takes in proportion to its input.
    pub(crate) fn elements_for(&self, input: usize) -> usize {
        self.max_elements.unwrap_or(input)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The memory one element of a `Vec` or `VecDeque` takes, counted as at least a byte so that
/// no claimed length is free.
pub(crate) const fn slot_size<T>() -> usize {
    let size = std::mem::size_of::<T>();
    if size == 0 {
        1
    } else {
        size
    }
}
