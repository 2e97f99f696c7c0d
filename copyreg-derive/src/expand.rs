//! Code generation for `#[derive(Reducible)]`.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens};
use syn::ext::IdentExt;
use syn::DeriveInput;

use crate::ast::{Data, Fields, Input, Style};
use crate::ctxt::{self, Ctxt};
use crate::dyns;
use crate::fields;
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
                fn __name(_: &mut ::std::string::String) {
                    ::core::unreachable!()
                }
                fn __dump(&self, _: &mut __cr::Dumper<'_>) -> __cr::Result<(), __cr::Failure> {
                    ::core::unreachable!()
                }
                fn __load(_: &mut __cr::Loader<'_>) -> __cr::Result<Self, __cr::Failure> {
                    ::core::unreachable!()
                }
                fn __copy(&self, _: &mut __cr::Copier<'_>) -> __cr::Result<Self, __cr::Failure> {
                    ::core::unreachable!()
                }
            }
        };
    }
}

/// `Object::CODE` for a validated `code = N`, or nothing (the trait's `None`).
pub fn code_const(code: Option<&syn::LitInt>) -> TokenStream {
    match code.and_then(|c| c.base10_parse::<u32>().ok()) {
        Some(n) => {
            quote!(const CODE: ::core::option::Option<u32> = ::core::option::Option::Some(#n);)
        }
        None => TokenStream::new(),
    }
}

/// `Object::PYTHON` for `python = "module.Name"`, or nothing (the trait's `None`).
pub fn python_const(python: Option<&syn::LitStr>) -> TokenStream {
    match python {
        Some(python) => {
            quote!(const PYTHON: ::core::option::Option<&'static str> = ::core::option::Option::Some(#python);)
        }
        None => TokenStream::new(),
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
    let code = code_const(input.attrs.code.as_ref());
    let python = python_const(input.attrs.python.as_ref());
    let (reduce, construct, copy, args) = match (&input.attrs.reduce, &input.attrs.constructor) {
        (Some((_, reduce)), Some((_, construct))) => {
            let pair = Pair {
                target: quote!(Self),
                reduce,
                construct,
            };
            (
                pair.reduce_body(),
                pair.construct_body(),
                pair.copy_body(),
                pair.args_body(),
            )
        }
        (_, constructor) => {
            let constructor = constructor.as_ref().map(|(_, c)| c);
            match &input.data {
                Data::Struct(fields) => (
                    struct_reduce(fields),
                    struct_construct(fields, constructor),
                    struct_copy(fields, constructor),
                    {
                        let args = fields::args(fields);
                        quote!(__cr::Args::Fields(#args))
                    },
                ),
                Data::Enum(variants) => (
                    enum_reduce(variants),
                    enum_construct(variants),
                    enum_copy(variants),
                    enum_args(variants),
                ),
                Data::Union(_) => unreachable!("rejected by validate"),
            }
        }
    };
    let counts = match (&input.attrs.reduce, &input.data) {
        (None, Data::Struct(fields)) => fields::counts(fields),
        _ => TokenStream::new(),
    };
    let visit = match (&input.attrs.reduce, &input.data) {
        // The arguments of a type's own reducer are not its fields.
        (Some(_), _) | (_, Data::Union(_)) => TokenStream::new(),
        (None, Data::Struct(fields)) => fields::visit(fields, &ident.to_string()),
        (None, Data::Enum(variants)) => variants
            .iter()
            .map(|v| fields::visit(&v.fields, &format!("{ident}::{}", v.ident)))
            .collect(),
    };
    let generics = bounded_generics(input);
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    // Each parameter's part of the name: a type's wire name, a const's value.
    let param_names: Vec<_> = generics
        .params
        .iter()
        .filter_map(|param| match param {
            syn::GenericParam::Type(t) => {
                let ident = &t.ident;
                Some(quote!(<#ident as __cr::Reducible>::__name(__out);))
            }
            syn::GenericParam::Const(c) => {
                let ident = &c.ident;
                Some(quote!(__out.push_str(&::std::string::ToString::to_string(&#ident));))
            }
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    // A generic type's name carries its parameters' names; it cannot register itself, since
    // statics cannot be generic: `copyreg::register!` registers concrete instances. Only a
    // plain type declares `dyn(...)` casts, and delivers itself as those trait objects.
    let (object_fns, wire_name, registration) = if param_names.is_empty() {
        let casts = dyns::casts(&quote!(#ident), &input.attrs.dyns);
        (
            dyns::deliver(&quote!(#ident), &input.attrs.dyns),
            quote!(__out.push_str(<Self as __cr::Object>::NAME);),
            quote! {
                __cr::inventory::submit! {
                    __cr::Registration::named::<#ident>(<#ident as __cr::Object>::NAME)
                }
                #casts
            },
        )
    } else {
        (
            quote! {
                fn name() -> &'static str {
                    __cr::name_of::<Self>()
                }
            },
            quote! {
                __out.push_str(<Self as __cr::Object>::NAME);
                __out.push('<');
                #(
                    if !__out.ends_with('<') {
                        __out.push_str(", ");
                    }
                    #param_names
                )*
                __out.push('>');
            },
            quote!(),
        )
    };
    quote! {
        #[doc(hidden)]
        #[allow(non_upper_case_globals, unused_qualifications, clippy::all)]
        const _: () = {
            use #krate::__private as __cr;
            #[allow(unused_imports)]
            use __cr::{Codec as _, ViaReducible as _, ViaSerde as _, ViaRegistry as _};

            #[automatically_derived]
            impl #impl_generics __cr::Object for #ident #ty_generics #where_clause {
                type Target = Self;
                const NAME: &'static str = #name;
                #code
                #python
                #counts

                #object_fns

                // copyreg-core calls each from two places, so that a type's code is compiled
                // twice, not once per caller (inlined in each of five places, it cost five
                // times the build time and code size for a few percent on small objects):
                // `reduce` from a `Vec`'s loop and from one out-of-line copy that single
                // objects share; `construct` and `copy` from the registry's vtable, which a
                // top-level call goes through, and from one out-of-line copy that fields
                // and runs share.
                #[inline(always)]
                fn reduce(__value: &Self, __cx: &mut __cr::Dumper<'_>) -> __cr::Result<(), __cr::Failure> {
                    #reduce
                }

                #[inline]
                fn construct(__cx: &mut __cr::Loader<'_>) -> __cr::Result<Self, __cr::Failure> {
                    #construct
                }

                #[inline]
                fn copy(__value: &Self, __cx: &mut __cr::Copier<'_>) -> __cr::Result<Self, __cr::Failure> {
                    #copy
                }

                fn args() -> __cr::Args {
                    #args
                }

                fn visit_types(__tree: &mut __cr::TypeTree) {
                    <Self as __cr::Reducible>::__visit_types(__tree)
                }
            }

            #[automatically_derived]
            impl #impl_generics __cr::Reducible for #ident #ty_generics #where_clause {
                const __NATIVE: bool = false;
                // In a run, an object's constructor is the run's: it may take no bytes.
                const __MIN_SIZE: usize = 0;
                const __OPS: &'static dyn __cr::Ops = &__cr::ObjectOps::<Self>::NEW;

                fn __name(__out: &mut ::std::string::String) {
                    #wire_name
                }

                fn __dump(&self, __cx: &mut __cr::Dumper<'_>) -> __cr::Result<(), __cr::Failure> {
                    __cx.dump_object::<Self>(self)
                }

                fn __dump_sibling(
                    &self,
                    __cx: &mut __cr::Dumper<'_>,
                ) -> __cr::Result<(), __cr::Failure> {
                    __cx.dump_sibling::<Self>(self)
                }

                fn __load(__cx: &mut __cr::Loader<'_>) -> __cr::Result<Self, __cr::Failure> {
                    __cx.load_own::<Self>()
                }

                fn __load_sibling(
                    __cx: &mut __cr::Loader<'_>,
                ) -> __cr::Result<Self, __cr::Failure> {
                    __cx.load_sibling::<Self>()
                }

                fn __copy(&self, __cx: &mut __cr::Copier<'_>) -> __cr::Result<Self, __cr::Failure> {
                    __cx.copy_object::<Self>(self)
                }

                #[inline]
                fn __visit_types(__tree: &mut __cr::TypeTree) {
                    if __tree.enter::<Self>() {
                        #visit
                        __tree.leave::<Self>();
                    }
                }

                fn __dump_slice(
                    __items: &[Self],
                    __cx: &mut __cr::Dumper<'_>,
                ) -> __cr::Result<(), __cr::Failure> {
                    __cx.dump_objects::<Self>(__items)
                }

                fn __load_vec(
                    __len: usize,
                    __cx: &mut __cr::Loader<'_>,
                ) -> __cr::Result<::std::vec::Vec<Self>, __cr::Failure> {
                    __cx.load_objects::<Self>(__len)
                }

                fn __copy_vec(
                    __items: &[Self],
                    __cx: &mut __cr::Copier<'_>,
                ) -> __cr::Result<::std::vec::Vec<Self>, __cr::Failure> {
                    __cx.copy_objects::<Self>(__items)
                }

                fn __load_array<const __N: usize>(
                    __cx: &mut __cr::Loader<'_>,
                ) -> __cr::Result<[Self; __N], __cr::Failure> {
                    __cx.load_object_array::<Self, __N>()
                }
            }

            #registration
        };
    }
}

/// The type's generics with `T: Reducible` added for every type parameter, as serde adds
/// `T: Serialize`: the fields that use `T` are then written through its impl.
fn bounded_generics(input: &Input<'_>) -> syn::Generics {
    let mut generics = input.original.generics.clone();
    let params: Vec<_> = generics.type_params().map(|p| p.ident.clone()).collect();
    let where_clause = generics.make_where_clause();
    for param in params {
        where_clause
            .predicates
            .push(syn::parse_quote!(#param: __cr::Reducible));
    }
    generics
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
    let pattern = literal(quote!(Self), fields, &fields::patterns(fields));
    let dumps = fields::dump(fields);
    quote! {
        let #pattern = __value;
        #dumps
        __cr::Ok(())
    }
}

fn struct_construct(fields: &Fields<'_>, constructor: Option<&syn::Expr>) -> TokenStream {
    let loads = fields::load(fields);
    let build = build(fields, constructor, &fields::bindings(fields));
    quote! {
        #loads
        #build
    }
}

fn struct_copy(fields: &Fields<'_>, constructor: Option<&syn::Expr>) -> TokenStream {
    let pattern = literal(quote!(Self), fields, &fields::patterns(fields));
    let build = build(fields, constructor, &fields::copied(fields));
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
        let pattern = literal(
            variant_path(v.ident),
            &v.fields,
            &fields::patterns(&v.fields),
        );
        let dumps = fields::dump(&v.fields);
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
        let loads = fields::load(&v.fields);
        let value = literal(
            variant_path(v.ident),
            &v.fields,
            &fields::bindings(&v.fields),
        );
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
            __other => __cr::Err(__cx.unknown_variant(<Self as __cr::Object>::name(), __other)),
        }
    }
}

/// `Object::args` of an enum: each variant's name and fields, by index.
fn enum_args(variants: &[crate::ast::Variant<'_>]) -> TokenStream {
    let variants = variants.iter().map(|v| {
        let name = v.ident.unraw().to_string();
        let args = fields::args(&v.fields);
        quote!((#name, #args))
    });
    quote!(__cr::Args::Variants(::std::vec![#(#variants),*]))
}

fn enum_copy(variants: &[crate::ast::Variant<'_>]) -> TokenStream {
    let arms = variants.iter().map(|v| {
        let pattern = literal(
            variant_path(v.ident),
            &v.fields,
            &fields::patterns(&v.fields),
        );
        let value = literal(variant_path(v.ident), &v.fields, &fields::copied(&v.fields));
        quote!(#pattern => __cr::Ok(#value),)
    });
    quote! {
        match __value {
            #(#arms)*
        }
    }
}
