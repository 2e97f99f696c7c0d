//! `dyn(Trait)`: the casts that let a concrete type be loaded as `Box<dyn Trait>`,
//! `Arc<dyn Trait>` and `Rc<dyn Trait>`, shared by the derive and `register_foreign!`.

use proc_macro2::{Span, TokenStream};
use quote::quote_spanned;
use syn::spanned::Spanned;
use syn::Path;

/// One `DynCast` submission per trait, spanned at the trait so that a type that does not
/// implement it is reported there.
pub fn casts(target: &TokenStream, traits: &[Path]) -> TokenStream {
    traits
        .iter()
        .map(|trait_| {
            let span = trait_.span().resolved_at(Span::call_site());
            // Each cast takes the boxed concrete value, makes the pointer, and puts it in
            // the caller's `Option` slot.
            let cast = |pointer: TokenStream, make: TokenStream| {
                quote_spanned! {span=>
                    |__v, __slot| {
                        let __cr::Result::Ok(__v) = __v.downcast::<#target>() else {
                            return false;
                        };
                        let __v: #pointer<dyn #trait_> = #make;
                        match __slot.downcast_mut::<__cr::Option<#pointer<dyn #trait_>>>() {
                            __cr::Option::Some(__slot) => {
                                *__slot = __cr::Option::Some(__v);
                                true
                            }
                            __cr::Option::None => false,
                        }
                    }
                }
            };
            let boxed = cast(quote_spanned!(span=> __cr::Box), quote_spanned!(span=> __v));
            let arc = cast(
                quote_spanned!(span=> __cr::Arc),
                quote_spanned!(span=> __cr::Arc::new(*__v)),
            );
            let rc = cast(
                quote_spanned!(span=> __cr::Rc),
                quote_spanned!(span=> __cr::Rc::new(*__v)),
            );
            quote_spanned! {span=>
                __cr::inventory::submit! {
                    __cr::DynCast {
                        trait_id: __cr::TypeId::of::<dyn #trait_>,
                        concrete: __cr::TypeId::of::<#target>,
                        boxed: #boxed,
                        arc: #arc,
                        rc: #rc,
                    }
                }
            }
        })
        .collect()
}
