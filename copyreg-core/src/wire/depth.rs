//! How deep dumps, loads and copies have followed a value.

use crate::wire::error::{Error, Failure, LimitKind};

/// How many objects deep dumps, loads and copies follow a value before giving up with
/// [`Error::Limit`] rather than overflowing the stack. The value itself counts as one. An
/// `Unpickler` can set its own.
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
/// let err = copyreg::dumps(&list).unwrap_err();
/// assert!(matches!(err, copyreg::Error::Limit { which: copyreg::LimitKind::Depth, max: copyreg::MAX_DEPTH }));
/// ```
pub const MAX_DEPTH: usize = 2048;

/// The number of objects entered and not yet left, and how many may be.
#[derive(Debug)]
pub(crate) struct Depth {
    now: usize,
    max: usize,
}

impl Default for Depth {
    fn default() -> Self {
        Depth::with_max(MAX_DEPTH)
    }
}

impl Depth {
    pub(crate) fn with_max(max: usize) -> Self {
        Depth { now: 0, max }
    }

    pub(crate) fn enter(&mut self) -> Result<(), Failure> {
        if self.now == self.max {
            return Err(Error::Limit {
                which: LimitKind::Depth,
                max: self.max,
            }
            .into());
        }
        self.now += 1;
        Ok(())
    }

    pub(crate) fn leave(&mut self) {
        self.now -= 1;
    }
}

/// The dump, load or copy contexts, which all follow values into nested objects.
pub(crate) trait Nested: Sized {
    fn depth(&mut self) -> &mut Depth;

    /// Runs `f` one object deeper: counted against [`MAX_DEPTH`], and on a stack grown on
    /// the heap when the thread's runs low, so that no nesting copyreg accepts can overflow
    /// it, whatever the thread's stack size and however large debug builds' frames are.
    fn nested<R>(&mut self, f: impl FnOnce(&mut Self) -> Result<R, Failure>) -> Result<R, Failure> {
        self.with_stack(|cx| cx.entered(f))
    }

    /// Runs `f` one object deeper, counted against [`MAX_DEPTH`], on the stack as it is: for
    /// one of several siblings that [`Nested::with_stack`] made room for together.
    fn entered<R>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        self.depth().enter()?;
        let result = f(self);
        self.depth().leave();
        result
    }

    /// Runs `f` one object deeper: [`Nested::entered`] for a `SIBLING` (one of a run of
    /// objects on a stack the caller made room on for all of them), else [`Nested::nested`].
    fn enter<const SIBLING: bool, R>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        if SIBLING {
            self.entered(f)
        } else {
            self.nested(f)
        }
    }

    /// Runs `f` on a stack with room for a level of nesting, grown on the heap if the
    /// thread's runs low. Objects side by side (a map's keys and values) sit at one stack
    /// depth, so one check makes room for all of them.
    fn with_stack<R>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<R, Failure>,
    ) -> Result<R, Failure> {
        if has_room() {
            return f(self);
        }
        self.grown(f)
    }

    /// [`Nested::with_stack`] where the stack runs low: through one `&mut dyn FnMut` per
    /// context type, so that stacker's generic `grow` is compiled three times, not once
    /// per type and call site.
    #[cold]
    #[inline(never)]
    fn grown<R>(&mut self, f: impl FnOnce(&mut Self) -> Result<R, Failure>) -> Result<R, Failure> {
        let mut f = Some(f);
        let mut out = None;
        grow(self, &mut |cx| {
            if let Some(f) = f.take() {
                out = Some(f(cx));
            }
        });
        match out {
            Some(result) => result,
            None => unreachable!("stacker runs its callback once"),
        }
    }
}

/// Whether the thread's stack has room for a level of nesting as it is.
#[inline]
pub(crate) fn has_room() -> bool {
    stacker::remaining_stack().is_some_and(|left| left >= RED_ZONE)
}

/// Runs `f` on `cx` on a new stack segment.
fn grow<C>(cx: &mut C, f: &mut dyn FnMut(&mut C)) {
    stacker::grow(SEGMENT, || f(cx));
}

/// Grow the stack when less than this is left: more than one level of nesting takes, with
/// room for a user's reducer or a serde impl between two checks.
pub(crate) const RED_ZONE: usize = 256 * 1024;
/// How much to grow it by.
pub(crate) const SEGMENT: usize = 4 * 1024 * 1024;
