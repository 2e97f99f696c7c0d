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
pub const MAX_DEPTH: usize = 512;

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
