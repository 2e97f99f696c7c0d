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
        for lifetime in self.original.generics.lifetimes() {
            cx.error_spanned_by(
                lifetime,
                "#[derive(Reducible)] needs a type that owns its data: copyreg rebuilds values, \
                 so it cannot hand out borrowed ones; remove the lifetime parameter",
            );
        }
        self.reject_inner_attrs(cx);
        if let Some(trait_) = self.attrs.dyns.first() {
            if !self.original.generics.params.is_empty() {
                cx.error_spanned_by(
                    trait_,
                    "a generic type cannot declare `dyn(...)`: the cast is registered at link \
                     time, and statics cannot be generic",
                );
            }
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

    /// `#[reducer]` belongs on the type; on a field or variant it would be silently ignored.
    fn reject_inner_attrs(&self, cx: &mut Ctxt) {
        let (fields, variants) = match &self.original.data {
            syn::Data::Struct(s) => (s.fields.iter().collect::<Vec<_>>(), Vec::new()),
            syn::Data::Enum(e) => (
                e.variants.iter().flat_map(|v| &v.fields).collect(),
                e.variants.iter().collect(),
            ),
            syn::Data::Union(_) => return,
        };
        let inner = fields
            .iter()
            .flat_map(|f| &f.attrs)
            .chain(variants.iter().flat_map(|v| &v.attrs));
        for attr in inner.filter(|a| a.path().is_ident("reducer")) {
            cx.error_spanned_by(
                attr,
                "#[reducer(...)] goes on the type, not on a field or variant; to control how \
                 a field is written, give its type a reducer",
            );
        }
    }
}
