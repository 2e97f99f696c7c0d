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

use std::any::TypeId;
use std::collections::HashSet;

use crate::codecs::dynamic::{AnyCodec, DynCodec};
use crate::codecs::field::{
    ArrayCodec, InnerCodec, MapCodec, OptionCodec, PointerCodec, ReducibleLeaf, RegistryLeaf,
    SeqCodec, SerdeLeaf, TupleCodec,
};
use crate::codecs::reducible::Reducible;
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
    fn leaf(&mut self, type_name: &'static str) {
        if let Some(search) = &mut self.search {
            let place = self.places.concat();
            if search.target == type_name && !search.found.contains(&place) {
                search.found.push(place);
            }
        }
    }

    /// The types `T` can hold, `T` included.
    pub(crate) fn of<T: Reducible>() -> HashSet<TypeId> {
        let mut tree = TypeTree::default();
        T::__visit_types(&mut tree);
        tree.seen.insert(TypeId::of::<T>());
        tree.seen
    }
}

/// A codec that can say which types its values hold.
pub trait VisitTypes {
    /// Notes the types the codec's values can hold in `tree`.
    fn visit_types(&self, tree: &mut TypeTree);
}

impl<T: Reducible> VisitTypes for ReducibleLeaf<T> {
    fn visit_types(&self, tree: &mut TypeTree) {
        T::__visit_types(tree);
    }
}

/// A serde or registry leaf is a type on its own; what it holds is its own business.
macro_rules! leaf {
    ($($leaf:ident),*) => {$(
        impl<T: 'static> VisitTypes for $leaf<T> {
            fn visit_types(&self, tree: &mut TypeTree) {
                if tree.search.is_none() {
                    tree.enter::<T>();
                }
                tree.leaf(std::any::type_name::<T>());
            }
        }
    )*};
}

leaf!(SerdeLeaf, RegistryLeaf);

/// Containers hold what their element codecs say.
macro_rules! around {
    ($($codec:ident($($inner:ident $i:tt),+)),*) => {$(
        impl<$($inner: VisitTypes),+> VisitTypes for $codec<$($inner),+> {
            fn visit_types(&self, tree: &mut TypeTree) {
                $(self.$i.visit_types(tree);)+
            }
        }
    )*};
}

around!(
    SeqCodec(C 0),
    OptionCodec(C 0),
    InnerCodec(C 0),
    PointerCodec(C 0),
    ArrayCodec(C 0),
    MapCodec(K 0, V 1)
);

macro_rules! tuples {
    ($(($($c:ident $i:tt),*)),* $(,)?) => {$(
        impl<$($c: VisitTypes),*> VisitTypes for TupleCodec<($($c,)*)> {
            #[allow(unused_variables)] // `tree` for the empty tuple
            fn visit_types(&self, tree: &mut TypeTree) {
                $(self.0.$i.visit_types(tree);)*
            }
        }
    )*};
}

tuples! {
    (),
    (CA 0),
    (CA 0, CB 1),
    (CA 0, CB 1, CC 2),
    (CA 0, CB 1, CC 2, CD 3),
    (CA 0, CB 1, CC 2, CD 3, CE 4),
    (CA 0, CB 1, CC 2, CD 3, CE 4, CF 5),
    (CA 0, CB 1, CC 2, CD 3, CE 4, CF 5, CG 6),
    (CA 0, CB 1, CC 2, CD 3, CE 4, CF 5, CG 6, CH 7),
    (CA 0, CB 1, CC 2, CD 3, CE 4, CF 5, CG 6, CH 7, CI 8),
    (CA 0, CB 1, CC 2, CD 3, CE 4, CF 5, CG 6, CH 7, CI 8, CJ 9),
    (CA 0, CB 1, CC 2, CD 3, CE 4, CF 5, CG 6, CH 7, CI 8, CJ 9, CK 10),
    (CA 0, CB 1, CC 2, CD 3, CE 4, CF 5, CG 6, CH 7, CI 8, CJ 9, CK 10, CL 11),
}

/// Any type may sit behind a trait object: `allow_dyn` names those. A value behind one that
/// nothing registers is reported as the trait object.
impl<D: ?Sized, P> VisitTypes for DynCodec<D, P> {
    fn visit_types(&self, tree: &mut TypeTree) {
        tree.leaf(std::any::type_name::<D>());
    }
}

impl VisitTypes for AnyCodec {
    fn visit_types(&self, _: &mut TypeTree) {}
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
