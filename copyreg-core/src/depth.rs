//! How deep dumps, loads and copies have followed a value.

use crate::error::Error;

/// How many objects deep dumps, loads and copies follow a value before giving up with
/// [`Error::TooDeep`] rather than overflowing the stack. The value itself counts as one.
///
/// ```
/// #[derive(copyreg::Reducible)]
/// struct Node {
///     next: Option<Box<Node>>,
/// }
///
/// let mut list = Node { next: None };
/// for _ in 0..copyreg::MAX_DEPTH {
///     list = Node { next: Some(Box::new(list)) };
/// }
/// assert!(matches!(copyreg::dumps(&list), Err(copyreg::Error::TooDeep { limit: copyreg::MAX_DEPTH })));
/// ```
pub const MAX_DEPTH: usize = 2048;

/// The number of objects entered and not yet left.
#[derive(Debug, Default)]
pub(crate) struct Depth(usize);

impl Depth {
    pub(crate) fn enter(&mut self) -> Result<(), Error> {
        if self.0 == MAX_DEPTH {
            return Err(Error::TooDeep { limit: MAX_DEPTH });
        }
        self.0 += 1;
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.0 -= 1;
    }
}

/// The dump, load or copy contexts, which all follow values into nested objects.
pub(crate) trait Nested: Sized {
    fn depth(&mut self) -> &mut Depth;

    /// Runs `f` one object deeper: counted against [`MAX_DEPTH`], and on a stack grown on
    /// the heap when the thread's runs low, so that no nesting copyreg accepts can overflow
    /// it, whatever the thread's stack size and however large debug builds' frames are.
    fn nested<R>(&mut self, f: impl FnOnce(&mut Self) -> Result<R, Error>) -> Result<R, Error> {
        self.depth().enter()?;
        let result = stacker::maybe_grow(RED_ZONE, SEGMENT, || f(self));
        self.depth().leave();
        result
    }
}

/// Grow the stack when less than this is left: more than one level of nesting takes, with
/// room for a user's reducer or a serde impl between two checks.
const RED_ZONE: usize = 256 * 1024;
/// How much to grow it by.
const SEGMENT: usize = 4 * 1024 * 1024;
