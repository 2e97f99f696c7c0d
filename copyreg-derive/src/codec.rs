//! The codec for a field's type, nested the way the type is written.
//!
//! `HashMap<String, Vec<Url>>` becomes a map codec around the codecs of `String` and of a
//! sequence of `Url`. Only std containers named plainly (`Vec<T>`) or by their std path
//! (`std::vec::Vec<T>`) are taken apart; everything else is a leaf, whose encoding autoref
//! picks: `Reducible`, then serde, then the registry.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

/// An expression of the codec for `ty`, with `__cr` in scope.
pub fn codec(ty: &Type) -> TokenStream {
    match ty {
        Type::Paren(inner) => codec(&inner.elem),
        Type::Group(inner) => codec(&inner.elem),
        Type::Array(array) => {
            let inner = codec(&array.elem);
            quote!(__cr::ArrayCodec(#inner))
        }
        Type::Tuple(tuple) if !tuple.elems.is_empty() && tuple.elems.len() <= 8 => {
            let inner = tuple.elems.iter().map(codec);
            quote!(__cr::TupleCodec((#(#inner,)*)))
        }
        Type::Path(path) if path.qself.is_none() => container(path).unwrap_or_else(|| leaf(ty)),
        _ => leaf(ty),
    }
}

/// The codec autoref picks for `ty` as a whole, spanned at the type.
pub fn leaf(ty: &Type) -> TokenStream {
    let span = ty.span().resolved_at(Span::call_site());
    quote_spanned!(span=> (&&&__cr::Tag::<#ty>::NEW).codec())
}

fn container(path: &syn::TypePath) -> Option<TokenStream> {
    let segments = &path.path.segments;
    let last = segments.last()?;
    let prefix: Vec<String> = segments
        .iter()
        .take(segments.len() - 1)
        .map(|s| s.ident.to_string())
        .collect();
    let std_path = prefix.is_empty()
        || matches!(
            prefix.first().map(String::as_str),
            Some("std" | "alloc" | "core")
        );
    if !std_path || path.path.leading_colon.is_some() && prefix.is_empty() {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let types: Vec<&Type> = args
        .args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect();
    if let [Type::TraitObject(object)] = types.as_slice() {
        return trait_object(&last.ident.to_string(), object);
    }
    let one = |wrap: fn(TokenStream) -> TokenStream| match types.as_slice() {
        [t] => Some(wrap(codec(t))),
        _ => None,
    };
    match last.ident.to_string().as_str() {
        "Vec" | "VecDeque" | "BTreeSet" => one(|c| quote!(__cr::SeqCodec(#c))),
        "HashSet" if matches!(types.len(), 1 | 2) => Some({
            let c = codec(types[0]);
            quote!(__cr::SeqCodec(#c))
        }),
        "Option" => one(|c| quote!(__cr::OptionCodec(#c))),
        "Box" | "RefCell" | "Mutex" | "RwLock" => one(|c| quote!(__cr::InnerCodec(#c))),
        "Arc" | "Rc" => one(|c| quote!(__cr::PointerCodec(#c))),
        "BTreeMap" if types.len() == 2 => Some(map(types[0], types[1])),
        "HashMap" if matches!(types.len(), 2 | 3) => Some(map(types[0], types[1])),
        _ => None,
    }
}

fn map(key: &Type, value: &Type) -> TokenStream {
    let (key, value) = (codec(key), codec(value));
    quote!(__cr::MapCodec(#key, #value))
}

/// `Box<dyn Trait>`, `Arc<dyn Trait>`, `Rc<dyn Trait>`, and `Box<dyn Any>`.
fn trait_object(pointer: &str, object: &syn::TypeTraitObject) -> Option<TokenStream> {
    let is_any = object.bounds.len() == 1
        && matches!(object.bounds.first(), Some(syn::TypeParamBound::Trait(t))
            if t.path.segments.last().is_some_and(|s| s.ident == "Any"));
    match pointer {
        "Box" if is_any => Some(quote!(__cr::AnyCodec)),
        "Box" | "Arc" | "Rc" if !is_any => {
            let pointer = syn::Ident::new(pointer, Span::call_site());
            let span = object.span().resolved_at(Span::call_site());
            // The upcast to `&dyn Any` needs the trait's `Any` supertrait; spanned at the trait.
            Some(quote_spanned! {span=>
                __cr::DynCodec::<#object, __cr::#pointer<#object>>::new(
                    |__v: &(#object)| -> &dyn __cr::Any { __v },
                )
            })
        }
        _ => None,
    }
}

/// A field's name as errors show it, with `[]` for each collection its type steps into
/// (`items[]` for `Vec<Item>`, `by_sku[]` for a map's values); `Option`, `Box`, the shared
/// pointers and the cells are transparent.
pub fn label(member: &syn::Member, ty: &Type) -> String {
    let mut label = match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    };
    let mut ty = ty;
    loop {
        ty = match ty {
            Type::Paren(inner) => &inner.elem,
            Type::Group(inner) => &inner.elem,
            Type::Array(array) => {
                label.push_str("[]");
                &array.elem
            }
            Type::Slice(slice) => {
                label.push_str("[]");
                &slice.elem
            }
            Type::Path(path) if path.qself.is_none() => match step_into(path, &mut label) {
                Some(inner) => inner,
                None => break,
            },
            _ => break,
        };
    }
    label
}

/// The element type a std container of `path` holds, noting a collection's `[]`.
fn step_into<'t>(path: &'t syn::TypePath, label: &mut String) -> Option<&'t Type> {
    let last = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    let mut types = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    });
    match last.ident.to_string().as_str() {
        "Vec" | "VecDeque" | "BTreeSet" | "HashSet" | "LinkedList" | "BinaryHeap" => {
            label.push_str("[]");
            types.next()
        }
        "HashMap" | "BTreeMap" => {
            label.push_str("[]");
            types.nth(1)
        }
        "Option" | "Box" | "Arc" | "Rc" | "RefCell" | "Cell" | "Mutex" | "RwLock" | "Weak" => {
            types.next()
        }
        _ => None,
    }
}
