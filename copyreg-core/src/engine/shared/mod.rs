//! Shared references: `Arc`, `Rc` and their `Weak`s keep an object graph's shape.
//!
//! Within one stream or one deep copy, a shared allocation is written or copied once and every
//! later pointer to it refers back to that (Python's pickle memo). A `Weak` to an allocation
//! that is still being built around it (a parent link) is restored with `Rc::new_cyclic` /
//! `Arc::new_cyclic`. A `Weak` met before any strong pointer to its target is written with its
//! target in place when a first pass found the target in the value, and dangling when not.
//! A strong reference back to an allocation still being built is a cycle that a bottom-up
//! rebuild cannot express, and is reported as [`Error::Cycle`].
//!
//! Stream layout:
//!
//! ```text
//! pointer = varint 0, the value              a new allocation
//!         | varint 1, the value              a new allocation that a Weak inside points back to
//!         | varint k + 2                     the k-th allocation of this stream, from 0
//! weak    = varint 0                         dangling, or its target is not in the value
//!         | varint 1, pointer                its target, first met here (it is kept alive for the
//!                                            strong pointers later in the value)
//!         | varint k + 2                     the k-th allocation
//! ```
//!
//! Versions 1 and 2 wrote a new allocation as `varint 0, flags:u8` (bit 0: a Weak inside
//! points back to it), and the k-th allocation as `varint k + 1`.

use std::any::{Any, TypeId};
use std::rc::{self, Rc};
use std::sync::{self, Arc};

use smallvec::SmallVec;

use crate::wire::error::{Error, Failure};

mod copy;
mod dump;
mod load;

pub(crate) use self::copy::CopyMemo;
pub(crate) use self::dump::{DumpMemo, Reachable};
pub(crate) use self::load::LoadMemo;

/// The flag bit for an allocation that a `Weak` inside it points back to: from version 3, set
/// in the pointer's own byte (`varint 0` becomes `varint 1`).
const CYCLIC: u8 = 1;
/// A strong pointer to allocation #k of the stream is written as k + POINTER_BACK.
pub(crate) const POINTER_BACK: u64 = 2;

/// A weak pointer to nothing, or to nothing in the value.
pub(crate) const WEAK_DANGLING: u64 = 0;
/// A weak pointer whose target is written right here, as a pointer.
pub(crate) const WEAK_TARGET_FOLLOWS: u64 = 1;
/// A weak pointer to allocation #k of the stream is written as k + WEAK_BACK.
pub(crate) const WEAK_BACK: u64 = 2;

/// `Arc<T>` or `Rc<T>`, for the code both share.
pub trait Pointer: Clone + Any {
    /// The value pointed to.
    type Target: Any;
    /// The matching weak pointer.
    type Weak: Clone + Any;

    /// A new allocation.
    fn new(value: Self::Target) -> Self;
    /// A new allocation whose value is built with a weak pointer to it in hand.
    fn new_cyclic(build: impl FnOnce(&Self::Weak) -> Self::Target) -> Self;
    /// The value.
    fn get(&self) -> &Self::Target;
    /// The allocation's address, its identity within one dump or copy.
    fn address(&self) -> usize;
    /// Whether a weak pointer to this allocation exists.
    fn has_weak(&self) -> bool;
    /// A weak pointer to this allocation.
    fn downgrade(&self) -> Self::Weak;
    /// The allocation behind a weak pointer, if it is alive.
    fn upgrade(weak: &Self::Weak) -> Option<Self>;
    /// A weak pointer to nothing.
    fn dangling() -> Self::Weak;
}

macro_rules! pointer {
    ($ptr:ident, $weak:ty) => {
        impl<T: Any> Pointer for $ptr<T> {
            type Target = T;
            type Weak = $weak;

            fn new(value: T) -> Self {
                $ptr::new(value)
            }
            fn new_cyclic(build: impl FnOnce(&Self::Weak) -> T) -> Self {
                $ptr::new_cyclic(build)
            }
            fn get(&self) -> &T {
                self
            }
            fn address(&self) -> usize {
                $ptr::as_ptr(self) as *const () as usize
            }
            fn has_weak(&self) -> bool {
                $ptr::weak_count(self) > 0
            }
            fn downgrade(&self) -> Self::Weak {
                $ptr::downgrade(self)
            }
            fn upgrade(weak: &Self::Weak) -> Option<Self> {
                weak.upgrade()
            }
            fn dangling() -> Self::Weak {
                <$weak>::new()
            }
        }
    };
}

pointer!(Arc, sync::Weak<T>);
pointer!(Rc, rc::Weak<T>);

/// How a load or a deep copy is building allocations that a `Weak` inside points back to.
///
/// `new_cyclic` takes an infallible closure, and leaving it early means unwinding, which a
/// `panic = "abort"` program cannot do. So the first such allocation is tried out before
/// `new_cyclic` is entered: built as a plain allocation with a dangling `Weak`, every such
/// allocation inside it too. An error returns from the trial like any other. When the trial
/// succeeds, its bytes are read again (or its original copied again) inside `new_cyclic`,
/// with the trial's value in hand in case that fails after all.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Cycles {
    /// Not inside such an allocation.
    #[default]
    Outside,
    /// Trying one out.
    Trial,
    /// Building one that the trial built without error.
    Replay,
}

/// Builds `P` with `new_cyclic` from `build`, which is given the `Weak` to hand out. If
/// `build` fails, `new_cyclic` is given `fallback` instead (or what `retry` builds with a
/// dangling `Weak`), the allocation is dropped and the error returned.
fn build_cyclic<P: Pointer, C>(
    cx: &mut C,
    build: impl FnOnce(&mut C, &P::Weak) -> Result<P::Target, Failure>,
    fallback: Option<P::Target>,
    retry: impl FnOnce(&mut C) -> Result<P::Target, Failure>,
) -> Result<P, Failure> {
    let mut failed = None;
    let pointer = P::new_cyclic(|weak| match build(cx, weak) {
        Ok(value) => value,
        Err(error) => {
            failed = Some(error);
            match fallback {
                Some(value) => value,
                None => retry(cx).unwrap_or_else(|_| nondeterministic()),
            }
        }
    });
    match failed {
        None => Ok(pointer),
        Some(error) => Err(error),
    }
}

/// A value that built without error once failed to build from the same input: only code
/// outside copyreg (a constructor, a reducer, `persistent_load`) can make that happen.
#[cold]
fn nondeterministic() -> ! {
    panic!(
        "copyreg: an allocation with a Weak pointing back to it built without error, then \
         failed to build from the same input; a constructor, reducer or persistent_load gave \
         different results for the same arguments"
    )
}

fn key<P: Pointer>(pointer: &P) -> (usize, TypeId) {
    (pointer.address(), TypeId::of::<P>())
}

/// The pointers a load or a deep copy has built, kept for the references to come: in one
/// list per pointer type (a `Vec<P>` behind `dyn Any`), so that keeping one takes no
/// allocation of its own.
#[derive(Default)]
struct Pointers {
    lists: SmallVec<[Box<dyn KeptList>; 2]>,
}

impl std::fmt::Debug for Pointers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.lists.iter().map(|list| list.len()))
            .finish()
    }
}

/// One of [`Pointers`]' lists.
trait KeptList: Any {
    fn len(&self) -> usize;
    fn truncate(&mut self, len: usize);
}

impl<P: Any> KeptList for Vec<P> {
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn truncate(&mut self, len: usize) {
        Vec::truncate(self, len);
    }
}

/// How long each of [`Pointers`]' lists was, to go back to.
#[derive(Debug)]
struct PointersMark(SmallVec<[usize; 2]>);

/// Where [`Pointers`] keeps one: which list, and where in it.
#[derive(Debug, Clone, Copy)]
struct Kept {
    list: usize,
    at: usize,
}

impl Pointers {
    /// Keeps `pointer`.
    fn keep<P: Clone + Any>(&mut self, pointer: P) -> Kept {
        let list = match self
            .lists
            .iter()
            .position(|list| (&**list as &dyn Any).is::<Vec<P>>())
        {
            Some(list) => list,
            None => {
                self.lists.push(Box::new(Vec::<P>::new()));
                self.lists.len() - 1
            }
        };
        match (&mut *self.lists[list] as &mut dyn Any).downcast_mut::<Vec<P>>() {
            Some(pointers) => {
                pointers.push(pointer);
                Kept {
                    list,
                    at: pointers.len() - 1,
                }
            }
            None => unreachable!("the list found or made for a pointer type holds that type"),
        }
    }

    /// Where the lists stand now.
    fn mark(&self) -> PointersMark {
        PointersMark(self.lists.iter().map(|list| list.len()).collect())
    }

    /// Drops every pointer kept since `mark`.
    fn rewind(&mut self, mark: &PointersMark) {
        self.lists.truncate(mark.0.len());
        for (list, &len) in self.lists.iter_mut().zip(&mark.0) {
            list.truncate(len);
        }
    }

    /// The pointer kept at `kept`, which must be a `P`.
    fn get<P: Clone + Any>(&self, kept: Kept, expected: &'static str) -> Result<P, Failure> {
        match (&*self.lists[kept.list] as &dyn Any).downcast_ref::<Vec<P>>() {
            Some(pointers) => Ok(pointers[kept.at].clone()),
            None => Err(mismatch::<P>(expected)),
        }
    }
}

/// An allocation being rebuilt or already rebuilt, by its index in the stream or its
/// address in the original.
#[derive(Debug)]
enum Slot {
    /// Still being built, with a `Weak` to it if it is built cyclically.
    Building(Option<Box<dyn Any>>),
    /// Built: where the memo keeps its `Arc` or `Rc`.
    Built(Kept),
}

#[cold]
fn cycle<P>() -> Failure {
    Error::Cycle {
        type_name: std::any::type_name::<P>(),
    }
    .into()
}

fn downcast<T: Clone + Any>(value: &dyn Any, expected: &'static str) -> Result<T, Failure> {
    value
        .downcast_ref::<T>()
        .cloned()
        .ok_or_else(|| mismatch::<T>(expected))
}

/// A reference to a shared value of another type than the `T` expected there.
#[cold]
fn mismatch<T>(expected: &'static str) -> Failure {
    Error::TypeMismatch {
        expected: std::any::type_name::<T>(),
        found: "a shared value of another type",
        constructor: expected.to_string(),
    }
    .into()
}
