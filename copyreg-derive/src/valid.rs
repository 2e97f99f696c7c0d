//! Rules that involve more than one attribute or the shape of the type.

use crate::ast::{Data, Input};
use crate::ctxt::Ctxt;

impl Input<'_> {
    pub fn validate(&self, cx: &mut Ctxt) {
        if let Data::Union(u) = &self.data {
            cx.error_spanned_by(
                u.union_token,
                "#[derive(Reducible)] does not support unions: copyreg cannot tell which field \
                 is live; wrap the union in a struct and give it #[reducer(fn = ..., constructor = ...)]",
            );
        }
        let generics = &self.original.generics;
        if !generics.params.is_empty() {
            cx.error_spanned_by(
                generics,
                "#[derive(Reducible)] does not support generic types yet; a generic type cannot \
                 register itself, so derive it on a concrete type",
            );
        }
        match (&self.attrs.reduce, &self.attrs.constructor) {
            (Some((key, _)), None) => cx.error_spanned_by(
                key,
                "#[reducer(fn = ...)] needs a constructor to rebuild the value: add \
                 `constructor = path::to::function`, which takes the reducer's tuple elements as parameters",
            ),
            (None, Some((key, _))) if matches!(self.data, Data::Enum(_)) => cx.error_spanned_by(
                key,
                "#[reducer(constructor = ...)] on an enum needs `fn = ...` too, to say what \
                 arguments the constructor takes",
            ),
            _ => {}
        }
    }
}
