//! `#[copyreg::constructor]`: declares a free function as a constructor streams may name.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, ToTokens};
use syn::{FnArg, ItemFn, ReturnType};

use crate::attr::ConstructorAttr;
use crate::codec::codec;
use crate::ctxt::{self, Ctxt};

pub fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let mut cx = Ctxt::default();
    let attr = ConstructorAttr::parse(&mut cx, args);
    let function = match syn::parse2::<ItemFn>(item.clone()) {
        Ok(function) => function,
        Err(_) => {
            cx.syn_error(syn::Error::new_spanned(
                first_tokens(&item),
                "#[copyreg::constructor] goes on a free function that takes the reducer's \
                 arguments and returns the type it builds, as in \
                 `#[copyreg::constructor] fn point_v1(x: f64, y: f64) -> Point`",
            ));
            return ctxt::with_fallback(cx.check().unwrap_err(), item);
        }
    };
    validate(&mut cx, &function);
    if let Some(name) = &attr.name {
        crate::valid::check_name(&mut cx, name);
    }
    if let Err(error) = cx.check() {
        return ctxt::with_fallback(error, function.into_token_stream());
    }

    let krate = match &attr.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::copyreg),
    };
    let ident = &function.sig.ident;
    let name = match &attr.name {
        Some(name) => name.to_token_stream(),
        None => quote!(::core::concat!(
            ::core::module_path!(),
            "::",
            ::core::stringify!(#ident)
        )),
    };
    let ReturnType::Type(_, output) = &function.sig.output else {
        unreachable!("checked by validate")
    };
    let mut loads = Vec::new();
    let mut bindings = Vec::new();
    let mut shapes = Vec::new();
    for (i, input) in function.sig.inputs.iter().enumerate() {
        let FnArg::Typed(param) = input else {
            unreachable!("checked by validate")
        };
        let binding = format_ident!("__a{}", i);
        let (codec, ty) = (codec(&param.ty), &param.ty);
        loads.push(quote!(let #binding = __cr::Codec::load(&#codec, __cx)?;));
        shapes.push(quote!(__cr::Arg::positional(__cr::shape_of::<#ty, _>(&#codec))));
        bindings.push(binding);
    }
    quote! {
        #function

        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            use #krate::__private as __cr;
            #[allow(unused_imports)]
            use __cr::{Codec as _, ViaReducible as _, ViaSerde as _, ViaRegistry as _, ViaResult as _, ViaValue as _};

            const __NAME: &str = #name;

            fn __output() -> (__cr::TypeId, &'static str) {
                (&&__cr::Outcome::<#output>::NEW).output()
            }

            fn __load(__cx: &mut __cr::Loader<'_>, __place: __cr::Place<'_>) -> __cr::Delivered {
                #(#loads)*
                let __value = (&&__cr::Outcome::<#output>::NEW)
                    .settle(#ident(#(#bindings),*))
                    .map_err(|__e| __cx.constructor_failed(__NAME, __e))?;
                __cr::deliver(__place, __value)
            }

            fn __args() -> __cr::Args {
                __cr::Args::Fields(::std::vec![#(#shapes),*])
            }

            __cr::inventory::submit! {
                __cr::Registration::constructor(
                    __NAME,
                    &__cr::FnConstructor { output: __output, load: __load, args: __args },
                )
            }
        };
    }
}

fn validate(cx: &mut Ctxt, function: &ItemFn) {
    let sig = &function.sig;
    if !sig.generics.params.is_empty() {
        cx.error_spanned_by(
            &sig.generics,
            "a #[copyreg::constructor] function cannot be generic: streams name one concrete constructor",
        );
    }
    if let Some(asyncness) = &sig.asyncness {
        cx.error_spanned_by(
            asyncness,
            "a #[copyreg::constructor] function cannot be async",
        );
    }
    if let ReturnType::Default = sig.output {
        cx.error_spanned_by(
            sig,
            "a #[copyreg::constructor] function must return the value it builds, or a Result of it",
        );
    }
    for input in &sig.inputs {
        if let FnArg::Receiver(receiver) = input {
            cx.error_spanned_by(
                receiver,
                "#[copyreg::constructor] goes on a free function, not a method",
            );
        }
    }
}

/// The item's first few tokens, to point at without underlining a whole item.
fn first_tokens(item: &TokenStream) -> TokenStream {
    item.clone().into_iter().take(2).collect()
}
