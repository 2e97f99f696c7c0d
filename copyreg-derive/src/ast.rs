//! The derive input as copyreg's own types, each keeping the syntax it came from for spans.

use proc_macro2::Ident;
use quote::format_ident;
use syn::{DeriveInput, Member, Type};

use crate::attr;
use crate::ctxt::Ctxt;

pub struct Input<'a> {
    pub original: &'a DeriveInput,
    pub attrs: attr::Reducer,
    pub data: Data<'a>,
}

pub enum Data<'a> {
    Struct(Fields<'a>),
    Enum(Vec<Variant<'a>>),
    Union(&'a syn::DataUnion),
}

pub struct Variant<'a> {
    pub ident: &'a Ident,
    pub fields: Fields<'a>,
}

pub enum Style {
    Named,
    Unnamed,
    Unit,
}

pub struct Fields<'a> {
    pub style: Style,
    pub fields: Vec<Field<'a>>,
}

pub struct Field<'a> {
    pub member: Member,
    pub ty: &'a Type,
    /// The local the field is bound to in generated code.
    pub binding: Ident,
    pub attrs: attr::FieldAttrs,
}

impl Field<'_> {
    /// Whether the field is in the stream (not `#[reducer(skip)]`).
    pub fn written(&self) -> bool {
        self.attrs.skip.is_none()
    }
}

impl Fields<'_> {
    /// The fields in the stream, in order.
    pub fn written(&self) -> impl Iterator<Item = &Field<'_>> {
        self.fields.iter().filter(|f| f.written())
    }
}

impl<'a> Input<'a> {
    pub fn from_syn(cx: &mut Ctxt, input: &'a DeriveInput) -> Self {
        let attrs = attr::Reducer::from_attrs(cx, &input.attrs);
        let data = match &input.data {
            syn::Data::Struct(s) => Data::Struct(Fields::from_syn(cx, &s.fields)),
            syn::Data::Enum(e) => Data::Enum(
                e.variants
                    .iter()
                    .map(|v| Variant {
                        ident: &v.ident,
                        fields: Fields::from_syn(cx, &v.fields),
                    })
                    .collect(),
            ),
            syn::Data::Union(u) => Data::Union(u),
        };
        Input {
            original: input,
            attrs,
            data,
        }
    }
}

impl<'a> Fields<'a> {
    fn from_syn(cx: &mut Ctxt, fields: &'a syn::Fields) -> Self {
        let style = match fields {
            syn::Fields::Named(_) => Style::Named,
            syn::Fields::Unnamed(_) => Style::Unnamed,
            syn::Fields::Unit => Style::Unit,
        };
        let fields = fields
            .iter()
            .enumerate()
            .map(|(i, f)| Field {
                member: match &f.ident {
                    Some(ident) => Member::Named(ident.clone()),
                    None => Member::Unnamed(i.into()),
                },
                ty: &f.ty,
                binding: format_ident!("__f{}", i),
                attrs: attr::FieldAttrs::from_attrs(cx, &f.attrs),
            })
            .collect();
        Fields { style, fields }
    }
}
