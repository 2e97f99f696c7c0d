//! The code for a type's fields, one by one through their codecs: written, read, copied and
//! visited. A `skip` field is never written and is rebuilt from its default; a `default`
//! field is read when the stream has it, and rebuilt from its default when the stream was
//! written before the field existed.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned, ToTokens};
use syn::ext::IdentExt;
use syn::spanned::Spanned;

use crate::ast::{Field, Fields};
use crate::codec::{codec, label};

/// The fields bound to their locals, as a pattern or literal needs them.
pub fn bindings(fields: &Fields<'_>) -> Vec<TokenStream> {
    fields
        .fields
        .iter()
        .map(|f| f.binding.to_token_stream())
        .collect()
}

/// The fields as a pattern binds them: a skipped field is not read, so not bound.
pub fn patterns(fields: &Fields<'_>) -> Vec<TokenStream> {
    fields
        .fields
        .iter()
        .map(|f| match f.written() {
            true => f.binding.to_token_stream(),
            false => quote!(_),
        })
        .collect()
}

/// What a field is rebuilt from when it is not in the stream: its `default = path`, or
/// `Default`, with copyreg's own error where the type has none.
fn default_value(f: &Field<'_>) -> TokenStream {
    match &f.attrs.default {
        Some((_, Some(path))) => quote_spanned!(path.span()=> (#path)()),
        _ => {
            let ty = f.ty;
            quote_spanned!(ty.span()=> __cr::skipped_default::<#ty>())
        }
    }
}

pub fn dump(fields: &Fields<'_>) -> TokenStream {
    let dumps = fields.written().map(|f| {
        let (codec, binding) = (codec(f.ty), &f.binding);
        quote!(__cr::Codec::dump(&#codec, #binding, __cx)?;)
    });
    quote!(#(#dumps)*)
}

/// The written fields as `copyreg::python` reads and writes them: each one's name (for a
/// named field) and shape.
pub fn args(fields: &Fields<'_>) -> TokenStream {
    let args = fields.written().map(|f| {
        let (codec, ty) = (codec(f.ty), f.ty);
        let shape = quote!(__cr::shape_of::<#ty, _>(&#codec));
        match &f.member {
            syn::Member::Named(ident) => {
                let name = ident.unraw().to_string();
                quote!(__cr::Arg::named(#name, #shape))
            }
            syn::Member::Unnamed(_) => quote!(__cr::Arg::positional(#shape)),
        }
    });
    quote!(::std::vec![#(#args),*])
}

/// Walks the types each field can hold, for `Unpickler::allow_tree` and for errors that
/// say where a value sits: each field under its place (`Order.items[]`; `root` is the
/// type's name, or `Enum::Variant`).
pub fn visit(fields: &Fields<'_>, root: &str) -> TokenStream {
    let visits = fields.written().map(|f| {
        let codec = codec(f.ty);
        let label = label(&f.member, f.ty);
        quote! {
            __tree.field(#root, #label);
            __cr::VisitTypes::visit_types(&#codec, __tree);
            __tree.leave_field();
        }
    });
    quote!(#(#visits)*)
}

/// Binds each field to its local: read, or rebuilt from its default. Where fields have
/// defaults, the stream's count of written fields decides which are there.
pub fn load(fields: &Fields<'_>) -> TokenStream {
    let counted = fields
        .fields
        .iter()
        .any(|f| f.written() && f.attrs.default.is_some());
    let written = counted.then(|| quote!(let __written = __cx.written_fields::<Self>()?;));
    let mut index = 0u32;
    let loads = fields.fields.iter().map(|f| {
        let binding = &f.binding;
        let default = default_value(f);
        if !f.written() {
            return quote!(let #binding = #default;);
        }
        let load = {
            let codec = codec(f.ty);
            quote!(__cr::Codec::load(&#codec, __cx)?)
        };
        let this = index;
        index += 1;
        match &f.attrs.default {
            Some(_) => quote! {
                let #binding = match __written {
                    __cr::Option::Some(__n) if __n <= #this => #default,
                    _ => #load,
                };
            },
            None => quote!(let #binding = #load;),
        }
    });
    quote!(#written #(#loads)*)
}

/// Each field's copy: through its codec, or, for a skipped field, its default (as loading
/// the copy's stream would give).
pub fn copied(fields: &Fields<'_>) -> Vec<TokenStream> {
    fields
        .fields
        .iter()
        .map(|f| match f.written() {
            true => {
                let (codec, binding) = (codec(f.ty), &f.binding);
                quote!(__cr::Codec::copy(&#codec, #binding, __cx)?)
            }
            false => default_value(f),
        })
        .collect()
}

/// `Object::FIELDS` for a struct whose fields are its arguments: how many it needs a
/// stream to hold (those before the first `default`) and how many it writes.
pub fn counts(fields: &Fields<'_>) -> TokenStream {
    let total = fields.written().count() as u32;
    let required = fields
        .written()
        .take_while(|f| f.attrs.default.is_none())
        .count() as u32;
    quote! {
        const FIELDS: __cr::Option<(u32, u32)> = __cr::Option::Some((#required, #total));
    }
}
