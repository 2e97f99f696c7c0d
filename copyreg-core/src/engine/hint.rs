//! What to do about a type with no reducer: code to paste, chosen by the type's shape.
//!
//! Every snippet here must compile and fix the error it is shown for; `tests/hints/fixes.rs`
//! holds each, and `tests/test_hints.rs` checks that the messages show nothing else.

use std::fmt;

/// `std::collections::hash::map::HashMap<alloc::string::String, app::Value>` as it would be
/// written in code: `HashMap<String, Value>`.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut segment = String::new();
    for c in full.chars() {
        if is_path_char(c) {
            segment.push(c);
        } else {
            out.push_str(segment.rsplit("::").next().unwrap_or(""));
            segment.clear();
            out.push(c);
        }
    }
    out.push_str(segment.rsplit("::").next().unwrap_or(""));
    out
}

fn is_path_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == ':'
}

/// `Outer<A, B<C>>` as `("Outer", ["A", "B<C>"])`; a tuple or an array has an empty outer
/// name. `None` for a type that takes no parameters.
fn parts(full: &str) -> Option<(&str, Vec<&str>)> {
    let (outer, inner) = match full.find(['<', '(', '[']) {
        Some(0) => ("", &full[1..full.len().saturating_sub(1)]),
        Some(open) if full[open..].starts_with('<') => {
            (&full[..open], &full[open + 1..full.len().saturating_sub(1)])
        }
        _ => return None,
    };
    let mut params = Vec::new();
    let (mut depth, mut start) = (0usize, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' | ';' if depth == 0 => {
                params.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    params.push(inner[start..].trim());
    params.retain(|p| !p.is_empty());
    Some((outer, params))
}

/// Whether `ty` holds a trait object or a type registered from outside: what no
/// `Reducible` impl, and so no `register!`, can take.
fn needs_a_derived_wrapper(ty: &str, outside: &[&str]) -> bool {
    ty.contains("dyn ")
        || ty
            .split(|c: char| !is_path_char(c))
            .any(|path| outside.contains(&path))
}

fn is_std(outer: &str) -> bool {
    outer.is_empty()
        || ["std::", "alloc::", "core::"]
            .iter()
            .any(|p| outer.starts_with(p))
}

/// The message of [`Error::NotRegistered`](crate::Error::NotRegistered).
pub(crate) fn not_registered(f: &mut fmt::Formatter<'_>, type_name: &str) -> fmt::Result {
    write!(f, "no reducer is registered for `{type_name}`; ")?;
    let Some((outer, params)) = parts(type_name) else {
        return f.write_str(
            "derive `copyreg::Reducible` for it, attach one with `copyreg::register_foreign!` \
             or `copyreg::pickle`, and if the registration lives in another crate, make sure \
             the binary references that crate (`use that_crate as _;`), or the linker drops \
             its registrations",
        );
    };
    let short = short_type_name(type_name);
    let outside = crate::engine::registry::outside_type_names();
    let wrapper = format!("#[derive(copyreg::Reducible)] struct Wrapper({short});");
    if is_std(outer) {
        if needs_a_derived_wrapper(type_name, &outside) {
            return write!(
                f,
                "it holds a trait object or a type registered with `register_foreign!`, which \
                 `register!` cannot take; put it in a derived struct, whose fields can \
                 hold both: `{wrapper}`, and dump the `Wrapper`"
            );
        }
        return write!(
            f,
            "a generic type is registered one instance at a time: name this one at item level \
             with `copyreg::register!({short});`, or put it in a derived struct: `{wrapper}`"
        );
    }
    let Some(odd) = params
        .iter()
        .position(|p| needs_a_derived_wrapper(p, &outside))
    else {
        return write!(
            f,
            "a generic type is registered one instance at a time: name this one at item level \
             with `copyreg::register!({short});` (its parameters must be `Reducible` types), \
             or put it in a derived struct: `{wrapper}`"
        );
    };
    let param = short_type_name(params[odd]);
    let mut wrapped: Vec<String> = params.iter().map(|p| short_type_name(p)).collect();
    wrapped[odd] = "Wrapped".to_string();
    let what = match params[odd].contains("dyn ") {
        true => "holds a trait object",
        false => "is registered from outside (`register_foreign!`, `pickle`), not derived",
    };
    write!(
        f,
        "a derived generic type takes `Reducible` parameters, and `{param}` {what}; wrap it \
         in a derived newtype, \
         `#[derive(copyreg::Reducible)] struct Wrapped({param});`, use `{}<{}>` and name that at \
         item level: `copyreg::register!({}<{}>);`",
        short_type_name(outer),
        wrapped.join(", "),
        short_type_name(outer),
        wrapped.join(", "),
    )
}

/// The message of [`Error::Forbidden`](crate::Error::Forbidden): the name, and the type it
/// builds where the registry knows one.
pub(crate) fn forbidden(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    write!(
        f,
        "the stream names constructor `{name}`, which this unpickler does not allow; if the \
         stream is trusted, allow it with "
    )?;
    let view = crate::engine::registry::View::current();
    match view.constructor(name) {
        Ok(ctor) => write!(
            f,
            "`.allow::<{}>()` or `.allow_name(\"{name}\")`",
            short_type_name(ctor.ops.target_name())
        ),
        _ => write!(f, "`.allow_name(\"{name}\")`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_split_at_the_top_level_only() {
        assert_eq!(
            parts("a::Page<b::Uuid, std::vec::Vec<(u8, c::D)>>"),
            Some(("a::Page", vec!["b::Uuid", "std::vec::Vec<(u8, c::D)>"]))
        );
        assert_eq!(parts("(u8, [u8; 3])"), Some(("", vec!["u8", "[u8; 3]"])));
        assert_eq!(parts("[a::B; 3]"), Some(("", vec!["a::B", "3"])));
        assert_eq!(parts("a::B"), None);
    }

    #[test]
    fn a_foreign_type_is_found_anywhere_in_a_parameter() {
        let outside = ["uuid::Uuid"];
        assert!(needs_a_derived_wrapper(
            "alloc::vec::Vec<uuid::Uuid>",
            &outside
        ));
        assert!(needs_a_derived_wrapper(
            "alloc::boxed::Box<dyn a::T>",
            &outside
        ));
        assert!(!needs_a_derived_wrapper(
            "alloc::vec::Vec<uuid::UuidV2>",
            &outside
        ));
    }
}
