//! The types a value of a type can hold, as its declaration says: what
//! [`Unpickler::allow_tree`](crate::Unpickler::allow_tree) allows, and where an
//! unregistered type sits when a dump or copy meets one (`Order.items[].sku`).
//!
//! The walk follows the same codecs the derive composes for fields, so it sees exactly the
//! types dumps and loads would meet: a derived type's fields, through every std container,
//! down to the leaves. It stops at trait objects (any type may sit behind one) and at types
//! that reduce themselves (a foreign type's arguments are its reducer's business). It is
//! only ever walked on request: finding where an error happened this way, after the fact,
//! costs a derived type no code on the paths that dump and copy it.
//!
//! Here is the walk itself; each codec's step of it is in `codecs/visit.rs`.

use std::any::TypeId;
use std::collections::HashSet;

use crate::engine::ops::Reduce;
use crate::wire::error::{Error, Failure};

/// The types met so far on a walk, each once: a recursive type ends the walk where it
/// meets itself again.
#[derive(Debug, Default)]
pub struct TypeTree {
    seen: HashSet<TypeId>,
    /// The fields walked into, outermost first: `Order.items[]`, `.sku`.
    places: Vec<String>,
    /// When looking for where a type sits: the search.
    search: Option<Search>,
}

/// Where a type sits: every field a value of it can be in.
#[derive(Debug)]
struct Search {
    target: &'static str,
    found: Vec<String>,
    /// Types walked into so far: a cap on the walk, which follows every path.
    steps: usize,
}

/// The most places a search reports, and the most types it walks into.
const MOST_PLACES: usize = 8;
const MOST_STEPS: usize = 10_000;

impl TypeTree {
    /// Notes `T`; whether to walk its fields: once per type when collecting types; when
    /// searching, on every path that does not already go through `T` (a recursive type
    /// ends the walk where it meets itself again).
    pub fn enter<T: 'static>(&mut self) -> bool {
        if let Some(search) = &mut self.search {
            search.steps += 1;
            if search.steps > MOST_STEPS || search.found.len() >= MOST_PLACES {
                return false;
            }
        }
        self.seen.insert(TypeId::of::<T>())
    }

    /// Walks out of `T`, whose fields [`TypeTree::enter`] let the caller walk: a search
    /// may come back to it along another path.
    pub fn leave<T: 'static>(&mut self) {
        if self.search.is_some() {
            self.seen.remove(&TypeId::of::<T>());
        }
    }

    /// Walks into field `label` of `root` (a type's name, or `Enum::Variant`).
    pub fn field(&mut self, root: &str, label: &str) {
        if self.search.is_none() {
            return;
        }
        let place = match self.places.is_empty() {
            true => format!("{root}.{label}"),
            // Inside a field, a type's own name says nothing the field does not.
            false => format!(".{label}"),
        };
        self.places.push(place);
    }

    /// Walks out of the field [`TypeTree::field`] walked into.
    pub fn leave_field(&mut self) {
        self.places.pop();
    }

    /// Notes a leaf, a type written through the registry or a trait object, by its name.
    pub(crate) fn leaf(&mut self, type_name: &'static str) {
        if let Some(search) = &mut self.search {
            let place = self.places.concat();
            if search.target == type_name && !search.found.contains(&place) {
                search.found.push(place);
            }
        }
    }

    /// Every type a walk from the type `root` meets, `root` included: what
    /// [`Unpickler::allow_tree`](crate::Unpickler::allow_tree) allows.
    pub(crate) fn types_from(root: TypeId, walk: impl FnOnce(&mut TypeTree)) -> HashSet<TypeId> {
        let mut tree = TypeTree::default();
        walk(&mut tree);
        tree.seen.insert(root);
        tree.seen
    }

    /// Whether this walk looks for where a type sits (else it collects the types met).
    pub(crate) fn searching(&self) -> bool {
        self.search.is_some()
    }
}

/// A codec that can say which types its values hold.
pub trait VisitTypes {
    /// Notes the types the codec's values can hold in `tree`.
    fn visit_types(&self, tree: &mut TypeTree);
}

/// `failure` with the places of the unregistered value filled in, if it is
/// [`Error::NotRegistered`] of a value somewhere inside one of the type `root` writes:
/// every field, in declaration order, whose type can hold one.
#[cold]
pub(crate) fn locate(mut failure: Failure, root: &dyn Reduce) -> Failure {
    if let Error::NotRegistered { type_name, path } = failure.error_mut() {
        if path.is_empty() && *type_name != root.target_name() {
            let mut tree = TypeTree {
                search: Some(Search {
                    target: type_name,
                    found: Vec::new(),
                    steps: 0,
                }),
                ..TypeTree::default()
            };
            root.visit_types(&mut tree);
            if let Some(search) = tree.search {
                *path = search.found.join(", ");
            }
        }
    }
    failure
}
