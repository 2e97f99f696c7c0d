//! The types a value of a type can hold, as its declaration says: what
//! [`Unpickler::allow_tree`](crate::Unpickler::allow_tree) allows.
//!
//! The walk follows the same codecs the derive composes for fields, so it sees exactly the
//! types dumps and loads would meet: a derived type's fields, through every std container,
//! down to the leaves. It stops at trait objects (any type may sit behind one) and at types
//! that reduce themselves (a foreign type's arguments are its reducer's business).

use std::any::TypeId;
use std::collections::HashSet;

use crate::dynamic::{AnyCodec, DynCodec};
use crate::field::{
    ArrayCodec, InnerCodec, MapCodec, OptionCodec, PointerCodec, ReducibleLeaf, RegistryLeaf,
    SeqCodec, SerdeLeaf, TupleCodec,
};
use crate::reducible::Reducible;

/// The types met so far on a walk, each once: a recursive type ends the walk where it
/// meets itself again.
#[derive(Debug, Default)]
pub struct TypeTree {
    seen: HashSet<TypeId>,
}

impl TypeTree {
    /// Notes `T`; whether it is new, so that the caller walks its fields only once.
    pub fn enter<T: 'static>(&mut self) -> bool {
        self.seen.insert(TypeId::of::<T>())
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
                tree.enter::<T>();
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

/// Any type may sit behind a trait object: `allow_dyn` names those.
impl<D: ?Sized, P> VisitTypes for DynCodec<D, P> {
    fn visit_types(&self, _: &mut TypeTree) {}
}

impl VisitTypes for AnyCodec {
    fn visit_types(&self, _: &mut TypeTree) {}
}
