//! `dyn(Trait)`: the casts that let a concrete type be loaded as `Box<dyn Trait>`,
//! `Arc<dyn Trait>` and `Rc<dyn Trait>`, shared by the derive and `register_foreign!`.
//! Two ways, both spanned at the trait: `Object::deliver_dyn`, which the type's own
//! constructor calls to make the pointer directly, and the registered `DynCast`s, for values
//! that come as `Box<dyn Any>` (other constructors, persistent objects).

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
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

/// `Object::deliver_dyn` for the declared traits: the value goes into the caller's
/// `DynSlot` of a `Box`, `Arc` or `Rc` of one of them, with no `Box<dyn Any>` in between.
/// Nothing (the trait's default) when no trait is declared.
pub fn deliver(target: &TokenStream, traits: &[Path]) -> TokenStream {
    if traits.is_empty() {
        return TokenStream::new();
    }
    let fills = traits.iter().flat_map(|trait_| {
        let span = trait_.span().resolved_at(Span::call_site());
        ["Box", "Arc", "Rc"].map(|pointer| {
            let pointer = syn::Ident::new(pointer, span);
            quote_spanned! {span=>
                if let __cr::Option::Some(__slot) =
                    __slot.downcast_mut::<__cr::DynSlot<__cr::#pointer<dyn #trait_>>>()
                {
                    let __v: __cr::#pointer<dyn #trait_> = __cr::#pointer::new(__value);
                    __slot.0 = __cr::Option::Some(__v);
                    return __cr::Result::Ok(());
                }
            }
        })
    });
    quote! {
        fn deliver_dyn(
            __value: #target,
            __slot: &mut dyn __cr::Any,
        ) -> __cr::Result<(), #target> {
            #(#fills)*
            __cr::Result::Err(__value)
        }
    }
}
