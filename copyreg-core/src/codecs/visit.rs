//! What each codec meets in a [`TypeTree`] walk: a derived type's fields, through every std
//! container, down to the leaves; a trait object is a leaf, since any type may sit behind one.

use crate::codecs::dynamic::{AnyCodec, DynCodec};
use crate::codecs::field::{
    ArrayCodec, InnerCodec, MapCodec, OptionCodec, PointerCodec, ReducibleLeaf, RegistryLeaf,
    SeqCodec, SerdeLeaf, TupleCodec,
};
use crate::codecs::reducible::Reducible;
use crate::engine::tree::{TypeTree, VisitTypes};

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
                if !tree.searching() {
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
