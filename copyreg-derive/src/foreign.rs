//! `register_foreign!(path::Type, reduce = EXPR, construct = EXPR, name = "...")`.
//!
//! Called through the facade's `macro_rules! register_foreign`, which passes `$crate` first so
//! that the generated paths survive a renamed dependency.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Expr, LitStr, Token, Type};

use crate::attr::path_text;
use crate::ctxt::Ctxt;
use crate::pair::Pair;

mod kw {
    syn::custom_keyword!(reduce);
    syn::custom_keyword!(construct);
    syn::custom_keyword!(name);
    syn::custom_keyword!(code);
    syn::custom_keyword!(python);
}

pub struct Foreign {
    krate: TokenStream,
    ty: Type,
    reduce: Option<Expr>,
    construct: Option<Expr>,
    name: Option<LitStr>,
    code: Option<syn::LitInt>,
    python: Option<LitStr>,
    dyns: Vec<syn::Path>,
}

impl Parse for Foreign {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        // `$crate ;` from the facade's macro_rules.
        let mut krate = TokenStream::new();
        while !input.peek(Token![;]) {
            krate.extend([input.parse::<TokenTree>()?]);
        }
        input.parse::<Token![;]>()?;

        let ty: Type = input.parse().map_err(|e| {
            syn::Error::new(
                e.span(),
                "register_foreign! starts with the type to register: \
                 `register_foreign!(path::Type, reduce = ..., construct = ...)`",
            )
        })?;
        let mut cx = Ctxt::default();
        let mut out = Foreign {
            krate,
            ty,
            reduce: None,
            construct: None,
            name: None,
            code: None,
            python: None,
            dyns: Vec::new(),
        };
        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let lookahead = input.lookahead1();
            if lookahead.peek(kw::reduce) {
                // reduce = |value: &Type| (arg0, arg1)
                let key = input.parse::<kw::reduce>()?;
                input.parse::<Token![=]>()?;
                let value = input.parse()?;
                set_once(&mut cx, key, "reduce", &mut out.reduce, value);
            } else if lookahead.peek(kw::construct) {
                // construct = Type::new
                let key = input.parse::<kw::construct>()?;
                input.parse::<Token![=]>()?;
                let value = input.parse()?;
                set_once(&mut cx, key, "construct", &mut out.construct, value);
            } else if lookahead.peek(kw::name) {
                // name = "vendor.Type"
                let key = input.parse::<kw::name>()?;
                input.parse::<Token![=]>()?;
                let value = input.parse::<LitStr>().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`name` takes a string literal, as in `name = \"vendor.Type\"`",
                    )
                })?;
                set_once(&mut cx, key, "name", &mut out.name, value);
            } else if lookahead.peek(kw::python) {
                // python = "ipaddress.IPv4Address"
                let key = input.parse::<kw::python>()?;
                input.parse::<Token![=]>()?;
                let value = input.parse::<LitStr>().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`python` takes a string literal, as in `python = \"ipaddress.IPv4Address\"`",
                    )
                })?;
                set_once(&mut cx, key, "python", &mut out.python, value);
            } else if lookahead.peek(kw::code) {
                // code = 17
                let key = input.parse::<kw::code>()?;
                input.parse::<Token![=]>()?;
                let value = input.parse::<syn::LitInt>().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "`code` takes an integer literal, as in `code = 17`",
                    )
                })?;
                set_once(&mut cx, key, "code", &mut out.code, value);
            } else if lookahead.peek(Token![dyn]) {
                // dyn(Shape, path::to::Drawable)
                input.parse::<Token![dyn]>()?;
                let content;
                syn::parenthesized!(content in input);
                let traits = content.parse_terminated(syn::Path::parse, Token![,])?;
                out.dyns.extend(traits);
            } else if input.peek(syn::Ident) {
                let key: syn::Ident = input.parse()?;
                return Err(syn::Error::new(
                    key.span(),
                    format_args!(
                        "unknown register_foreign! key `{key}`; expected `reduce`, `construct`, `name`, `code`, `python` or `dyn(...)`"
                    ),
                ));
            } else {
                return Err(lookahead.error());
            }
        }
        let ty = &out.ty;
        if out.reduce.is_none() {
            cx.error_spanned_by(
                ty,
                "register_foreign! needs `reduce = ...`: a function or closure that turns a \
                 `&Type` into the tuple of arguments for its constructor",
            );
        }
        if out.construct.is_none() {
            cx.error_spanned_by(
                ty,
                "register_foreign! needs `construct = ...`: a function or closure that takes the \
                 reducer's tuple elements and returns the type (or a Result of it)",
            );
        }
        if let Some(name) = &out.name {
            crate::valid::check_name(&mut cx, name);
        }
        if let Some(python) = &out.python {
            crate::valid::check_python(&mut cx, python);
        }
        if let Some(code) = &out.code {
            crate::valid::check_code(&mut cx, code);
        }
        cx.check()?;
        Ok(out)
    }
}

fn set_once<T>(
    cx: &mut Ctxt,
    key: impl syn::spanned::Spanned,
    text: &str,
    slot: &mut Option<T>,
    value: T,
) {
    if slot.is_some() {
        cx.syn_error(syn::Error::new(
            key.span(),
            format_args!("duplicate register_foreign! key `{text}`; give it once"),
        ));
    } else {
        *slot = Some(value);
    }
}

pub fn expand(input: Foreign) -> TokenStream {
    let Foreign {
        krate,
        ty,
        reduce,
        construct,
        name,
        code,
        python,
        dyns,
    } = input;
    let code = crate::expand::code_const(code.as_ref());
    let python = crate::expand::python_const(python.as_ref());
    let (Some(reduce), Some(construct)) = (reduce, construct) else {
        unreachable!("checked while parsing")
    };
    let name = match name {
        Some(name) => quote!(#name),
        None => {
            let text = match &ty {
                Type::Path(p) => path_text(&p.path),
                other => quote!(#other).to_string().replace(' ', ""),
            };
            quote!(#text)
        }
    };
    // Both expressions are evaluated anew for every value: a block with side effects, or a
    // closure carrying state, would surprise. Evaluated here at compile time, a block with
    // side effects does not compile, and a closure that captures anything fails the assert.
    let plain_check = quote_spanned! {reduce.span().resolved_at(proc_macro2::Span::call_site())=>
        const _: () = ::core::assert!(
            __cr::captures_nothing::<#ty, _, _, _, _>(&(#reduce), &(#construct)),
            "register_foreign!'s `reduce` and `construct` must be functions or closures that \
             capture nothing: each is evaluated anew for every value"
        );
    };
    let pair = Pair {
        target: quote!(#ty),
        reduce: &reduce,
        construct: &construct,
    };
    let (reduce, construct, copy) = (pair.reduce_body(), pair.construct_body(), pair.copy_body());
    let args = pair.args_body();
    let casts = crate::dyns::casts(&quote!(#ty), &dyns);
    let deliver = crate::dyns::deliver(&quote!(#ty), &dyns);
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            use #krate::__private as __cr;
            #[allow(unused_imports)]
            use __cr::{Codec as _, ViaReducible as _, ViaSerde as _, ViaRegistry as _};

            #[allow(non_camel_case_types)]
            struct __CopyregForeign;

            impl __cr::Object for __CopyregForeign {
                type Target = #ty;
                const NAME: &'static str = #name;
                #code
                #python

                fn reduce(__value: &#ty, __cx: &mut __cr::Dumper<'_>) -> __cr::Result<(), __cr::Failure> {
                    #reduce
                }

                fn construct(__cx: &mut __cr::Loader<'_>) -> __cr::Result<#ty, __cr::Failure> {
                    #construct
                }

                fn copy(__value: &#ty, __cx: &mut __cr::Copier<'_>) -> __cr::Result<#ty, __cr::Failure> {
                    #copy
                }

                fn args() -> __cr::Args {
                    #args
                }

                #deliver
            }

            __cr::inventory::submit! { __cr::Registration::object::<__CopyregForeign>() }
            #casts
            #plain_check
        };
    }
}
