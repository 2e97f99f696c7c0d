//! `#[reducer(...)]` and `#[copyreg::constructor(...)]` parsed into plain structs.

use syn::meta::ParseNestedMeta;
use syn::{Attribute, Expr, LitInt, LitStr, Path};

use crate::ctxt::Ctxt;

/// The keys of `#[reducer(...)]`.
#[derive(Default)]
pub struct Reducer {
    pub name: Option<LitStr>,
    /// `code = N`: the compact code written instead of the name.
    pub code: Option<LitInt>,
    /// `python = "module.Name"`: the global Python pickles call, where the name cannot be.
    pub python: Option<LitStr>,
    /// `fn = path`, with the key's path kept for spans.
    pub reduce: Option<(Path, Expr)>,
    pub constructor: Option<(Path, Expr)>,
    pub krate: Option<Path>,
    /// `dyn(Trait, ...)`: the traits the type can be loaded as.
    pub dyns: Vec<Path>,
}

impl Reducer {
    pub fn from_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = Reducer::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("reducer")) {
            let result = attr.parse_nested_meta(|meta| {
                // #[reducer(name = "geo.Point")]
                if meta.path.is_ident("name") {
                    let value = string(&meta, "name = \"geo.Point\"")?;
                    set_once(cx, &meta, &mut out.name, value);
                // #[reducer(code = 17)]
                } else if meta.path.is_ident("code") {
                    let value = integer(&meta, "code = 17")?;
                    set_once(cx, &meta, &mut out.code, value);
                // #[reducer(python = "shop.models.Order")]
                } else if meta.path.is_ident("python") {
                    let value = string(&meta, "python = \"shop.models.Order\"")?;
                    set_once(cx, &meta, &mut out.python, value);
                // #[reducer(fn = pickle_point)]
                } else if meta.path.is_ident("fn") {
                    let value = meta.value()?.parse::<Expr>()?;
                    set_once(cx, &meta, &mut out.reduce, (meta.path.clone(), value));
                // #[reducer(constructor = Point::new)]
                } else if meta.path.is_ident("constructor") {
                    let value = meta.value()?.parse::<Expr>()?;
                    set_once(cx, &meta, &mut out.constructor, (meta.path.clone(), value));
                // #[reducer(crate = "path::to::copyreg")]
                } else if meta.path.is_ident("crate") {
                    let value = string(&meta, "crate = \"path::to::copyreg\"")?.parse::<Path>()?;
                    set_once(cx, &meta, &mut out.krate, value);
                // #[reducer(dyn(Shape, path::to::Drawable))]
                } else if meta.path.is_ident("dyn") {
                    out.dyns.extend(dyn_traits(&meta)?);
                } else {
                    return Err(meta.error(format_args!(
                        "unknown reducer attribute `{}`; expected one of `name`, `code`, `python`, `fn`, `constructor`, `crate`, `dyn`",
                        path_text(&meta.path),
                    )));
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        out
    }
}

/// The keys of `#[reducer(...)]` on a field.
#[derive(Default)]
pub struct FieldAttrs {
    /// `skip`: the field is not written, and is rebuilt from its default.
    pub skip: Option<Path>,
    /// `default` or `default = path`: what a field is rebuilt from when it is skipped, or
    /// when a stream ends before it (a field added after the stream was written).
    pub default: Option<(Path, Option<Expr>)>,
}

impl FieldAttrs {
    pub fn from_attrs(cx: &mut Ctxt, attrs: &[Attribute]) -> Self {
        let mut out = FieldAttrs::default();
        for attr in attrs.iter().filter(|a| a.path().is_ident("reducer")) {
            let result = attr.parse_nested_meta(|meta| {
                // #[reducer(skip)]
                if meta.path.is_ident("skip") {
                    set_once(cx, &meta, &mut out.skip, meta.path.clone());
                // #[reducer(default)], #[reducer(default = path::to::function)]
                } else if meta.path.is_ident("default") {
                    let value = match meta.input.peek(syn::Token![=]) {
                        true => Some(meta.value()?.parse::<Expr>()?),
                        false => None,
                    };
                    set_once(cx, &meta, &mut out.default, (meta.path.clone(), value));
                } else {
                    return Err(meta.error(format_args!(
                        "unknown field attribute `{}`; on a field, #[reducer(...)] takes `skip` \
                         (not written, rebuilt from its default) and `default` or `default = path` \
                         (what it is rebuilt from); the other keys go on the type",
                        path_text(&meta.path),
                    )));
                }
                Ok(())
            });
            if let Err(e) = result {
                cx.syn_error(e);
            }
        }
        out
    }
}

/// The keys of `#[copyreg::constructor(...)]`.
#[derive(Default)]
pub struct ConstructorAttr {
    pub name: Option<LitStr>,
    pub krate: Option<Path>,
}

impl ConstructorAttr {
    pub fn parse(cx: &mut Ctxt, args: proc_macro2::TokenStream) -> Self {
        let mut out = ConstructorAttr::default();
        let parser = syn::meta::parser(|meta| {
            // #[copyreg::constructor(name = "thermo.Reading")]
            if meta.path.is_ident("name") {
                let value = string(&meta, "name = \"thermo.Reading\"")?;
                set_once(cx, &meta, &mut out.name, value);
            // #[copyreg::constructor(crate = "path::to::copyreg")]
            } else if meta.path.is_ident("crate") {
                let value = string(&meta, "crate = \"path::to::copyreg\"")?.parse::<Path>()?;
                set_once(cx, &meta, &mut out.krate, value);
            } else {
                return Err(meta.error(format_args!(
                    "unknown constructor attribute `{}`; expected `name` or `crate`",
                    path_text(&meta.path),
                )));
            }
            Ok(())
        });
        if let Err(e) = syn::parse::Parser::parse2(parser, args) {
            cx.syn_error(e);
        }
        out
    }
}

/// `dyn(Trait, ...)`: one or more trait paths.
fn dyn_traits(meta: &ParseNestedMeta<'_>) -> syn::Result<Vec<Path>> {
    let content;
    syn::parenthesized!(content in meta.input);
    let traits = content.parse_terminated(<Path as syn::parse::Parse>::parse, syn::Token![,])?;
    if traits.is_empty() {
        return Err(
            meta.error("`dyn(...)` lists the traits the type can be loaded as, as in `dyn(Shape)`")
        );
    }
    Ok(traits.into_iter().collect())
}

fn string(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<LitStr> {
    literal(meta, "a string", example, |lit| match lit {
        syn::Lit::Str(s) => Ok(s),
        other => Err(other),
    })
}

fn integer(meta: &ParseNestedMeta<'_>, example: &str) -> syn::Result<LitInt> {
    literal(meta, "an integer", example, |lit| match lit {
        syn::Lit::Int(n) => Ok(n),
        other => Err(other),
    })
}

/// The literal after `key =`, of the kind `pick` accepts; otherwise an error showing
/// `example`.
fn literal<T>(
    meta: &ParseNestedMeta<'_>,
    kind: &str,
    example: &str,
    pick: impl FnOnce(syn::Lit) -> Result<T, syn::Lit>,
) -> syn::Result<T> {
    let key = path_text(&meta.path);
    let message = format!("`{key}` takes {kind} literal, as in `{example}`");
    match meta.value()?.parse::<syn::Lit>() {
        Ok(lit) => pick(lit).map_err(|other| syn::Error::new_spanned(other, &message)),
        Err(e) => Err(syn::Error::new(e.span(), &message)),
    }
}

fn set_once<T>(cx: &mut Ctxt, meta: &ParseNestedMeta<'_>, slot: &mut Option<T>, value: T) {
    if slot.is_some() {
        cx.error_spanned_by(
            &meta.path,
            format_args!(
                "duplicate attribute `{}`; give it once",
                path_text(&meta.path)
            ),
        );
    } else {
        *slot = Some(value);
    }
}

pub fn path_text(path: &Path) -> String {
    quote::quote!(#path).to_string().replace(' ', "")
}
