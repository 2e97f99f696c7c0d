//! Procedural macros of [copyreg](https://docs.rs/copyreg). Depend on `copyreg`, which
//! re-exports them with their documentation.

#![deny(missing_docs)]

mod ast;
mod attr;
mod constructor;
mod ctxt;
mod expand;
mod foreign;
mod pair;
mod valid;

use proc_macro::TokenStream;
use syn::parse_macro_input;

/// Implements `copyreg::Reducible` and registers the type at link time.
/// Documented on the re-export, `copyreg::Reducible`.
#[proc_macro_derive(Reducible, attributes(reducer))]
pub fn derive_reducible(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as syn::DeriveInput);
    expand::derive(&input).into()
}

/// Declares a free function as a constructor that streams may name.
/// Documented on the re-export, `copyreg::constructor`.
#[proc_macro_attribute]
pub fn constructor(args: TokenStream, item: TokenStream) -> TokenStream {
    constructor::expand(args.into(), item.into()).into()
}

/// The implementation of `copyreg::register_foreign!`, which passes `$crate` first.
#[doc(hidden)]
#[proc_macro]
pub fn __register_foreign(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as foreign::Foreign);
    foreign::expand(input).into()
}
