//! Errors collected across a whole expansion, so one run reports every mistake at once.

use std::fmt::Display;

use proc_macro2::TokenStream;
use quote::ToTokens;

/// Collects `syn::Error`s; [`Ctxt::check`] combines them.
#[derive(Default)]
pub struct Ctxt {
    errors: Vec<syn::Error>,
}

impl Ctxt {
    /// Records an error spanned at `tokens`.
    pub fn error_spanned_by(&mut self, tokens: impl ToTokens, message: impl Display) {
        self.errors.push(syn::Error::new_spanned(tokens, message));
    }

    /// Records a ready-made error.
    pub fn syn_error(&mut self, error: syn::Error) {
        self.errors.push(error);
    }

    /// All errors so far, combined, or `Ok` if there were none.
    pub fn check(self) -> Result<(), syn::Error> {
        let mut errors = self.errors.into_iter();
        let Some(mut combined) = errors.next() else {
            return Ok(());
        };
        for error in errors {
            combined.combine(error);
        }
        Err(combined)
    }
}

/// The compile errors for `error`, followed by `fallback` so that one mistake yields one
/// error rather than a cascade of "trait not implemented".
pub fn with_fallback(error: syn::Error, fallback: TokenStream) -> TokenStream {
    let mut out = error.to_compile_error();
    out.extend(fallback);
    out
}
