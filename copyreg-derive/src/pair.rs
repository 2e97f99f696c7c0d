//! Code for a custom reducer and constructor pair, shared by `#[reducer(fn = ..., constructor
//! = ...)]` and `register_foreign!`.
//!
//! The reducer's tuple type is inferred, not written, so the code walks all twelve positions
//! of `Tuple` (the ones past the arity are `Absent`) and picks each one's encoding by autoref.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote_spanned};
use syn::spanned::Spanned;
use syn::Expr;

const POSITIONS: usize = 12;

pub struct Pair<'a> {
    /// The type reduced.
    pub target: TokenStream,
    pub reduce: &'a Expr,
    pub construct: &'a Expr,
}

impl Pair<'_> {
    /// The body of `Object::reduce`, with `__value` and `__cx` in scope.
    pub fn reduce_body(&self) -> TokenStream {
        let Pair { target, reduce, .. } = self;
        let parts: Vec<_> = (0..POSITIONS).map(|i| format_ident!("__a{}", i)).collect();
        quote_spanned! {at(reduce)=>
            let __args = __cr::reduce_with::<#target, _, _>(&(#reduce), __value);
            let (#(#parts,)*) = __cr::Tuple::parts(&__args);
            #( (&&&__cr::Tag::of(#parts)).codec().dump(#parts, __cx)?; )*
            __cr::Ok(())
        }
    }

    /// The body of `Object::construct`, with `__cx` in scope.
    pub fn construct_body(&self) -> TokenStream {
        let Pair { target, reduce, .. } = self;
        let parts: Vec<_> = (0..POSITIONS).map(|i| format_ident!("__a{}", i)).collect();
        let index = (0..POSITIONS).map(syn::Index::from);
        let call = construct_call(target, self.construct);
        quote_spanned! {at(reduce)=>
            let __ty = __cr::args_of::<#target, _, _>(&(#reduce));
            let __tags = __cr::tags(__ty);
            #( let #parts = (&&&__tags.#index).codec().load(__cx)?; )*
            let __args = __cr::join(__ty, (#(#parts,)*));
            #call
        }
    }

    /// The body of `Object::args`: the shape of each position of the reducer's tuple.
    pub fn args_body(&self) -> TokenStream {
        let Pair { target, reduce, .. } = self;
        let index: Vec<_> = (0..POSITIONS).map(syn::Index::from).collect();
        quote_spanned! {at(reduce)=>
            let __ty = __cr::args_of::<#target, _, _>(&(#reduce));
            let __tags = __cr::tags(__ty);
            __cr::Args::positions(&[#( __cr::shape_at(&__tags.#index, &(&&&__tags.#index).codec()) ),*])
        }
    }

    /// The body of `Object::copy`, with `__value` and `__cx` in scope.
    pub fn copy_body(&self) -> TokenStream {
        let Pair { target, reduce, .. } = self;
        let parts: Vec<_> = (0..POSITIONS).map(|i| format_ident!("__a{}", i)).collect();
        let call = construct_call(target, self.construct);
        quote_spanned! {at(reduce)=>
            let __ty = __cr::args_of::<#target, _, _>(&(#reduce));
            let mut __args = __cr::reduce_with::<#target, _, _>(&(#reduce), __value);
            if __cx.is_deep() {
                let (#(#parts,)*) = __cr::Tuple::parts(&__args);
                let __copies = (#( (&&&__cr::Tag::of(#parts)).codec().copy(#parts, __cx)?, )*);
                __args = __cr::join(__ty, __copies);
            }
            #call
        }
    }
}

/// Calls `constructor` on `__args` to build a `target`, spanned at the constructor so that a
/// mismatch with the arguments points there.
pub fn construct_call(target: &TokenStream, constructor: &Expr) -> TokenStream {
    quote_spanned! {at(constructor)=>
        __cr::Arguments::construct_with::<#target, _, _>(__args, &(#constructor))
            .map_err(|__e| __cx.constructor_failed(<Self as __cr::Object>::name(), __e))
    }
}

/// A span located at `tokens`, so that errors point there, but resolved at the macro's call
/// site, so that the generated locals (`__args`, `__cx`) stay visible when the user's tokens
/// come through `macro_rules! register_foreign`.
fn at(tokens: &impl Spanned) -> Span {
    tokens.span().resolved_at(Span::call_site())
}
