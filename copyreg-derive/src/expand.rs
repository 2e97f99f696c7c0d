//! Code generation for `#[derive(Reducible)]`.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::DeriveInput;

use crate::ast::{Data, Fields, Input, Style};
use crate::ctxt::{self, Ctxt};
use crate::pair::{self, Pair};

pub fn derive(input: &DeriveInput) -> TokenStream {
    let mut cx = Ctxt::default();
    let input = Input::from_syn(&mut cx, input);
    input.validate(&mut cx);
    match cx.check() {
        Ok(()) => expand(&input),
        Err(error) => ctxt::with_fallback(error, fallback(&input)),
    }
}

fn krate(input: &Input<'_>) -> TokenStream {
    match &input.attrs.krate {
        Some(path) => path.to_token_stream(),
        None => quote!(::copyreg),
    }
}

/// A `Reducible` impl that satisfies the trait without doing anything, so that uses of the
/// type elsewhere do not add errors to the one already reported. None for generic types,
/// whose parameters would need bounds the user has not written.
fn fallback(input: &Input<'_>) -> TokenStream {
    if !input.original.generics.params.is_empty() {
        return TokenStream::new();
    }
    let ident = &input.original.ident;
    let (impl_generics, ty_generics, where_clause) = input.original.generics.split_for_impl();
    let krate = krate(input);
    quote! {
        const _: () = {
            use #krate::__private as __cr;
            impl #impl_generics __cr::Reducible for #ident #ty_generics #where_clause {
                fn __dump(&self, _: &mut __cr::Dumper<'_>) -> __cr::Result<(), __cr::Error> {
                    ::core::unreachable!()
                }
                fn __load(_: &mut __cr::Loader<'_>) -> __cr::Result<Self, __cr::Error> {
                    ::core::unreachable!()
                }
                fn __copy(&self, _: &mut __cr::Copier<'_>) -> __cr::Result<Self, __cr::Error> {
                    ::core::unreachable!()
                }
            }
        };
    }
}

fn expand(input: &Input<'_>) -> TokenStream {
    let ident = &input.original.ident;
    let krate = krate(input);
    let name = match &input.attrs.name {
        Some(name) => name.to_token_stream(),
        None => quote!(::core::concat!(
            ::core::module_path!(),
            "::",
            ::core::stringify!(#ident)
        )),
    };
    let (reduce, construct, copy) = match (&input.attrs.reduce, &input.attrs.constructor) {
        (Some((_, reduce)), Some((_, construct))) => {
            let pair = Pair {
                target: quote!(Self),
                reduce,
                construct,
            };
            (pair.reduce_body(), pair.construct_body(), pair.copy_body())
        }
        (_, constructor) => {
            let constructor = constructor.as_ref().map(|(_, c)| c);
            match &input.data {
                Data::Struct(fields) => (
                    struct_reduce(fields),
                    struct_construct(fields, constructor),
                    struct_copy(fields, constructor),
                ),
                Data::Enum(variants) => (
                    enum_reduce(variants),
                    enum_construct(variants),
                    enum_copy(variants),
                ),
                Data::Union(_) => unreachable!("rejected by validate"),
            }
        }
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            use #krate::__private as __cr;
            #[allow(unused_imports)]
            use __cr::{ViaReducible as _, ViaSerde as _, ViaRegistry as _};

            #[automatically_derived]
            impl __cr::Object for #ident {
                type Target = Self;
                const NAME: &'static str = #name;

                fn reduce(__value: &Self, __cx: &mut __cr::Dumper<'_>) -> __cr::Result<(), __cr::Error> {
                    #reduce
                }

                fn construct(__cx: &mut __cr::Loader<'_>) -> __cr::Result<Self, __cr::Error> {
                    #construct
                }

                fn copy(__value: &Self, __cx: &mut __cr::Copier<'_>) -> __cr::Result<Self, __cr::Error> {
                    #copy
                }
            }

            #[automatically_derived]
            impl __cr::Reducible for #ident {
                fn __dump(&self, __cx: &mut __cr::Dumper<'_>) -> __cr::Result<(), __cr::Error> {
                    __cx.dump_object::<Self>(self)
                }

                fn __load(__cx: &mut __cr::Loader<'_>) -> __cr::Result<Self, __cr::Error> {
                    __cx.load_object::<Self>()
                }

                fn __copy(&self, __cx: &mut __cr::Copier<'_>) -> __cr::Result<Self, __cr::Error> {
                    __cx.copy_object::<Self>(self)
                }
            }

            __cr::inventory::submit! { __cr::Registration::object::<#ident>() }
        };
    }
}

/// `Self { a: __f0, b: __f1 }`, `Self(__f0, __f1)` or `Self`, as a pattern or an expression
/// with the given values.
fn literal(path: TokenStream, fields: &Fields<'_>, values: &[TokenStream]) -> TokenStream {
    match fields.style {
        Style::Named => {
            let members = fields.fields.iter().map(|f| &f.member);
            quote!(#path { #(#members: #values),* })
        }
        Style::Unnamed => quote!(#path ( #(#values),* )),
        Style::Unit => path,
    }
}

fn bindings(fields: &Fields<'_>) -> Vec<TokenStream> {
    fields
        .fields
        .iter()
        .map(|f| f.binding.to_token_stream())
        .collect()
}

fn dump_fields(fields: &Fields<'_>) -> TokenStream {
    let dumps = fields.fields.iter().map(|f| {
        let (tag, binding) = (pair::tag(f.ty), &f.binding);
        quote!(#tag.dump(#binding, __cx)?;)
    });
    quote!(#(#dumps)*)
}

fn load_fields(fields: &Fields<'_>) -> TokenStream {
    let loads = fields.fields.iter().map(|f| {
        let (tag, binding) = (pair::tag(f.ty), &f.binding);
        quote!(let #binding = #tag.load(__cx)?;)
    });
    quote!(#(#loads)*)
}

fn copied_fields(fields: &Fields<'_>) -> Vec<TokenStream> {
    fields
        .fields
        .iter()
        .map(|f| {
            let (tag, binding) = (pair::tag(f.ty), &f.binding);
            quote!(#tag.copy(#binding, __cx)?)
        })
        .collect()
}

/// Builds the value from the bound fields: the literal, or the custom constructor called with
/// the fields in order.
fn build(
    fields: &Fields<'_>,
    constructor: Option<&syn::Expr>,
    values: &[TokenStream],
) -> TokenStream {
    match constructor {
        None => {
            let value = literal(quote!(Self), fields, values);
            quote!(__cr::Ok(#value))
        }
        Some(constructor) => {
            let call = pair::construct_call(&quote!(Self), constructor);
            quote! {
                let __args = (#(#values,)*);
                #call
            }
        }
    }
}

fn struct_reduce(fields: &Fields<'_>) -> TokenStream {
    let pattern = literal(quote!(Self), fields, &bindings(fields));
    let dumps = dump_fields(fields);
    quote! {
        let #pattern = __value;
        #dumps
        __cr::Ok(())
    }
}

fn struct_construct(fields: &Fields<'_>, constructor: Option<&syn::Expr>) -> TokenStream {
    let loads = load_fields(fields);
    let build = build(fields, constructor, &bindings(fields));
    quote! {
        #loads
        #build
    }
}

fn struct_copy(fields: &Fields<'_>, constructor: Option<&syn::Expr>) -> TokenStream {
    let pattern = literal(quote!(Self), fields, &bindings(fields));
    let build = build(fields, constructor, &copied_fields(fields));
    quote! {
        let #pattern = __value;
        #build
    }
}

fn variant_path(ident: &syn::Ident) -> TokenStream {
    quote!(Self::#ident)
}

fn enum_reduce(variants: &[crate::ast::Variant<'_>]) -> TokenStream {
    let arms = variants.iter().enumerate().map(|(i, v)| {
        let index = i as u32;
        let pattern = literal(variant_path(v.ident), &v.fields, &bindings(&v.fields));
        let dumps = dump_fields(&v.fields);
        quote! {
            #pattern => {
                __cx.write_variant(#index);
                #dumps
            }
        }
    });
    quote! {
        match __value {
            #(#arms)*
        }
        __cr::Ok(())
    }
}

fn enum_construct(variants: &[crate::ast::Variant<'_>]) -> TokenStream {
    let arms = variants.iter().enumerate().map(|(i, v)| {
        let index = i as u32;
        let loads = load_fields(&v.fields);
        let value = literal(variant_path(v.ident), &v.fields, &bindings(&v.fields));
        quote! {
            #index => {
                #loads
                __cr::Ok(#value)
            }
        }
    });
    quote! {
        match __cx.read_variant()? {
            #(#arms)*
            __other => __cr::Err(__cx.unknown_variant(<Self as __cr::Object>::NAME, __other)),
        }
    }
}

fn enum_copy(variants: &[crate::ast::Variant<'_>]) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let pattern = literal(variant_path(v.ident), &v.fields, &bindings(&v.fields));
        let value = literal(variant_path(v.ident), &v.fields, &copied_fields(&v.fields));
        quote!(#pattern => __cr::Ok(#value),)
    });
    quote! {
        match __value {
            #(#arms)*
        }
    }
}
