//! Rules that involve more than one attribute or the shape of the type.

use syn::{LitInt, LitStr};

use crate::ast::{Data, Field, Input};
use crate::attr;
use crate::ctxt::Ctxt;

/// The largest compact code (as in Python's `copyreg.add_extension`); copyreg-core's
/// `MAX_CODE`, which streams check on the way in.
const MAX_CODE: u32 = 0x7FFF_FFFF;
/// copyreg-core's limit on the length of a constructor name in a stream.
const MAX_NAME_LEN: usize = 1 << 12;

/// copyreg-core's `NATIVE_NAMES`: the names streams give the types copyreg writes itself.
/// (A proc-macro crate shares no code with the runtime; `tests/test_reserved.rs` checks that
/// the two lists agree with the registry.)
const NATIVE_NAMES: &[&str] = &[
    "bool",
    "char",
    "String",
    "f32",
    "f64",
    "u8",
    "u16",
    "u32",
    "u64",
    "u128",
    "usize",
    "i8",
    "i16",
    "i32",
    "i64",
    "i128",
    "isize",
    "PhantomData",
    "Vec",
    "VecDeque",
    "Option",
    "Box",
    "Arc",
    "Rc",
    "Weak",
    "Cell",
    "RefCell",
    "Mutex",
    "RwLock",
    "HashMap",
    "BTreeMap",
    "HashSet",
    "BTreeSet",
];

/// copyreg-core's `BUILT_NAME_CHARS`: what the names it builds for generic instances,
/// tuples and arrays contain, and no name given by hand may.
const BUILT_NAME_CHARS: &[char] = &['<', '>', '(', ')', '[', ']', ',', ';'];

/// A constructor name a stream can carry: not empty (a zero length marks a compact code), at
/// most 4096 bytes, and not one copyreg keeps for its own types.
pub fn check_name(cx: &mut Ctxt, name: &LitStr) {
    let text = name.value();
    if text.is_empty() {
        cx.error_spanned_by(
            name,
            "a constructor name cannot be empty; give one such as `name = \"geo.Point\"`",
        );
    } else if text.len() > MAX_NAME_LEN {
        cx.error_spanned_by(name, "a constructor name is at most 4096 bytes long");
    } else if NATIVE_NAMES.contains(&text.as_str()) {
        cx.error_spanned_by(
            name,
            format!(
                "the name `{text}` is reserved: streams use it for a type copyreg writes itself; \
                 use a dotted name such as `name = \"app.Counter\"`"
            ),
        );
    } else if text.contains(BUILT_NAME_CHARS) {
        cx.error_spanned_by(
            name,
            format!(
                "the name `{text}` is reserved: copyreg builds names with `<>()[],;` for generic \
                 instances, tuples and arrays; use a dotted name such as `name = \"app.Counter\"`"
            ),
        );
    }
}

/// A compact code's value: 1 to 2^31 - 1.
/// A Python global as pickles name it: a module and a qualified name, dotted, each part an
/// identifier Python can look up (`shop.models.Order`).
pub fn check_python(cx: &mut Ctxt, python: &LitStr) {
    let text = python.value();
    let parts: Vec<&str> = text.split('.').collect();
    let identifier = |part: &&str| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c == '_' || c.is_alphabetic())
            && chars.all(|c| c == '_' || c.is_alphanumeric())
    };
    if parts.len() < 2 || !parts.iter().all(identifier) {
        cx.error_spanned_by(
            python,
            format_args!(
                "`{text}` is not a Python global: give its module and name, dotted, as in \
                 `python = \"shop.models.Order\"`"
            ),
        );
    }
}

pub fn check_code(cx: &mut Ctxt, code: &LitInt) -> Option<u32> {
    match code.base10_parse::<u32>() {
        Ok(n) if (1..=MAX_CODE).contains(&n) => Some(n),
        _ => {
            cx.error_spanned_by(
                code,
                "a compact code is an integer from 1 to 2147483647 (as in Python's \
                 `copyreg.add_extension`); pick one no other registration uses",
            );
            None
        }
    }
}

impl Input<'_> {
    pub fn validate(&self, cx: &mut Ctxt) {
        if let Data::Union(u) = &self.data {
            cx.error_spanned_by(
                u.union_token,
                "#[derive(Reducible)] does not support unions: copyreg cannot tell which field \
                 is live; wrap the union in a struct and give it #[reducer(fn = ..., constructor = ...)]",
            );
        }
        for lifetime in self.original.generics.lifetimes() {
            cx.error_spanned_by(
                lifetime,
                "#[derive(Reducible)] needs a type that owns its data: copyreg rebuilds values, \
                 so it cannot hand out borrowed ones; remove the lifetime parameter",
            );
        }
        self.reject_inner_attrs(cx);
        self.check_field_attrs(cx);
        if let Some(name) = &self.attrs.name {
            check_name(cx, name);
        }
        if let Some(python) = &self.attrs.python {
            check_python(cx, python);
        }
        if let Some(code) = &self.attrs.code {
            check_code(cx, code);
            if !self.original.generics.params.is_empty() {
                cx.error_spanned_by(
                    code,
                    "a generic type cannot have a compact `code`: each instance is a type of \
                     its own, and one code names one type",
                );
            }
        }
        if let Some(trait_) = self.attrs.dyns.first() {
            if !self.original.generics.params.is_empty() {
                cx.error_spanned_by(
                    trait_,
                    "a generic type cannot declare `dyn(...)`: the cast is registered at link \
                     time, and statics cannot be generic",
                );
            }
        }
        match (&self.attrs.reduce, &self.attrs.constructor) {
            (Some((key, _)), None) => cx.error_spanned_by(
                key,
                "#[reducer(fn = ...)] needs a constructor to rebuild the value: add \
                 `constructor = path::to::function`, which takes the reducer's tuple elements as parameters",
            ),
            (None, Some((key, _))) if matches!(self.data, Data::Enum(_)) => cx.error_spanned_by(
                key,
                "#[reducer(constructor = ...)] on an enum needs `fn = ...` too, to say what \
                 arguments the constructor takes",
            ),
            _ => {}
        }
    }

    /// `#[reducer]` belongs on the type, or on a field with `skip` and `default`; on a
    /// variant it would be silently ignored.
    fn reject_inner_attrs(&self, cx: &mut Ctxt) {
        let syn::Data::Enum(e) = &self.original.data else {
            return;
        };
        let inner = e.variants.iter().flat_map(|v| &v.attrs);
        for attr in inner.filter(|a| a.path().is_ident("reducer")) {
            cx.error_spanned_by(
                attr,
                "#[reducer(...)] goes on the type, or with `skip` or `default` on a field; not \
                 on a variant",
            );
        }
    }

    /// `skip` and `default` on fields: only where the fields are what is written, and
    /// `default` only on the last fields of a struct.
    fn check_field_attrs(&self, cx: &mut Ctxt) {
        let (all, is_enum): (Vec<&Field<'_>>, bool) = match &self.data {
            Data::Struct(fields) => (fields.fields.iter().collect(), false),
            Data::Enum(variants) => (
                variants.iter().flat_map(|v| &v.fields.fields).collect(),
                true,
            ),
            Data::Union(_) => return,
        };
        let own = self
            .attrs
            .reduce
            .as_ref()
            .or(self.attrs.constructor.as_ref())
            .map(|(key, _)| attr::path_text(key));
        for field in &all {
            let keys = field
                .attrs
                .skip
                .iter()
                .chain(field.attrs.default.as_ref().map(|d| &d.0));
            for key in keys {
                if let Some(own) = &own {
                    cx.error_spanned_by(
                        key,
                        format!(
                            "`{}` does not go with the type's `{own} = ...`: its reducer and \
                             constructor decide what each field is written and rebuilt from",
                            attr::path_text(key)
                        ),
                    );
                }
            }
            if let (true, None, Some((key, _))) = (is_enum, &field.attrs.skip, &field.attrs.default)
            {
                cx.error_spanned_by(
                    key,
                    "a field added later, with `#[reducer(default)]`, works on structs: a stream \
                     records how many fields each struct was written with, not each variant; \
                     add a new variant at the end instead (or `skip` the field)",
                );
            }
        }
        if is_enum {
            return;
        }
        // Once a written field has a default, every written field after it needs one: a
        // stream from before they existed ends at the first of them.
        let mut first_default = None;
        for field in all.iter().filter(|f| f.written()) {
            match (&field.attrs.default, first_default) {
                (Some((key, _)), None) => first_default = Some((key, field)),
                (None, Some((_, defaulted))) => cx.error_spanned_by(
                    &field.member,
                    format!(
                        "`{field}` follows `{defaulted}`, which has `#[reducer(default)]`, and has \
                         none: defaults are for the last fields, the ones added after streams \
                         were written, which end before them; move `{defaulted}` to the end, or \
                         give `{field}` `#[reducer(default)]` too",
                        field = member_text(&field.member),
                        defaulted = member_text(&defaulted.member),
                    ),
                ),
                _ => {}
            }
        }
    }
}

fn member_text(member: &syn::Member) -> String {
    match member {
        syn::Member::Named(ident) => ident.to_string(),
        syn::Member::Unnamed(index) => index.index.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{BUILT_NAME_CHARS, NATIVE_NAMES};

    /// The runtime's lists, which `pickle_as` checks and `tests/test_registration.rs` checks
    /// against the registry, are these.
    #[test]
    fn the_reserved_names_are_the_runtimes() {
        let runtime = include_str!("../../copyreg-core/src/wire/reserved.rs");
        // The items of the runtime's `const NAME: &[_] = &[...];`, between `quote`s.
        let items = |name: &str, quote: char| -> Vec<String> {
            let start = runtime.find(&format!("const {name}")).unwrap();
            let end = start + runtime[start..].find("];").unwrap();
            let list = runtime[start..end].split_once('=').unwrap().1;
            list.split(quote)
                .skip(1)
                .step_by(2)
                .map(String::from)
                .collect()
        };
        assert_eq!(items("NATIVE_NAMES", '"'), NATIVE_NAMES);
        let chars: Vec<String> = BUILT_NAME_CHARS.iter().map(char::to_string).collect();
        assert_eq!(items("BUILT_NAME_CHARS", '\''), chars);
    }
}
