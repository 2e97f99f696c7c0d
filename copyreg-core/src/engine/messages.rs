//! What each [`Error`] says: what went wrong, then what to do about it. This is in
//! `engine`, with the registry, not beside the error type in `wire`, because the fix for an
//! unregistered type or a forbidden constructor depends on what is registered (see
//! `hint.rs`).

use std::fmt;

use crate::engine::hint;
use crate::wire::error::Error;
use crate::wire::frame;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotRegistered { type_name, path } => {
                if !path.is_empty() {
                    write!(f, "{path}: ")?;
                }
                hint::not_registered(f, type_name)
            }
            Error::UnknownConstructor { name } => write!(
                f,
                "the stream names the constructor `{name}`, which this program never registered; \
                 if a library crate registers it, make sure the binary references that crate \
                 (`use that_crate as _;`), or the linker drops its registrations; else register \
                 a type under that name or declare a \
                 `#[copyreg::constructor(name = \"{name}\")]` function"
            ),
            Error::TypeMismatch {
                expected,
                found,
                constructor,
            } => {
                write!(
                    f,
                    "expected a `{expected}`, but the stream holds a `{found}` (built by constructor `{constructor}`)"
                )?;
                match expected.strip_prefix("dyn ").map(hint::short_type_name) {
                    Some(trait_path) => write!(
                        f,
                        "; if a `{found}` should load as a `{expected}`, add `dyn({trait_path})` \
                         to its `#[reducer(...)]` (or to its `register_foreign!`)"
                    ),
                    None => Ok(()),
                }
            }
            Error::Ambiguous { name, candidates } => write!(
                f,
                "`{name}` is registered more than once (by {}); give each registration a unique \
                 `name = \"...\"`",
                candidates
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Error::UndeclaredTrait {
                type_name,
                trait_name,
            } => write!(
                f,
                "a `{type_name}` is held as a `{trait_name}`, which `{type_name}` does not \
                 declare, so no stream of it could be loaded back; add `dyn({})` to its \
                 `#[reducer(...)]` (or to its `register_foreign!`)",
                hint::short_type_name(trait_name.strip_prefix("dyn ").unwrap_or(trait_name))
            ),
            Error::RegisteredTwice { type_name, names } => write!(
                f,
                "`{type_name}` has {} registrations ({}), and a type takes one: keep one and \
                 remove the others (Python's last-wins has no meaning at link time); streams \
                 that name another can still load through a \
                 `#[copyreg::constructor(name = \"...\")]` function",
                names.len().max(2),
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Error::CodeConflict { code, claimants } => write!(
                f,
                "compact code {code} is claimed by {}; give each type its own `code = N`",
                claimants.join(" and ")
            ),
            Error::InvalidName { name, reason } => {
                write!(f, "cannot register the name {name:?}: {reason}")
            }
            Error::UnknownCode { code } => write!(
                f,
                "the stream refers to compact code {code}, which no type in this program \
                 registers; if a library crate registers it, make sure the binary references \
                 that crate (`use that_crate as _;`), or the linker drops its registrations; \
                 else give the type that wrote it `#[reducer(code = {code})]` (or \
                 `code = {code}` in `register_foreign!`)"
            ),
            Error::FieldCount {
                constructor,
                type_name,
                written,
                required,
                takes,
            } => {
                write!(
                    f,
                    "the stream's `{constructor}` objects were written with {written} fields, \
                     and `{type_name}` "
                )?;
                if written > takes {
                    write!(
                        f,
                        "has {takes}: the stream comes from a newer version of the type; load \
                         it with that version, or read it through a \
                         `#[copyreg::constructor(name = \"{constructor}\")]` function"
                    )
                } else {
                    write!(
                        f,
                        "needs {required}: give the fields after the first {written} \
                         `#[reducer(default)]`, so that streams from before they existed load, \
                         or read such streams through a \
                         `#[copyreg::constructor(name = \"{constructor}\")]` function"
                    )
                }
            }
            Error::Construct {
                constructor,
                source,
            } => write!(f, "constructor `{constructor}` failed: {source}"),
            Error::NotAStream { reason } => write!(f, "not a copyreg stream: {reason}"),
            Error::UnsupportedVersion { found } => write!(
                f,
                "copyreg stream format version {found} is not supported; this build reads versions \
                 {} to {}",
                frame::VERSION_1,
                frame::FORMAT_VERSION
            ),
            Error::Pickle {
                offset: Some(offset),
                reason,
            } => write!(f, "Python pickle, opcode at byte {offset}: {reason}"),
            Error::Pickle {
                offset: None,
                reason,
            } => write!(f, "Python pickle: {reason}"),
            Error::Malformed { offset, reason } => {
                write!(f, "malformed copyreg stream at byte {offset}: {reason}")
            }
            Error::Limit { which, max } => {
                write!(f, "{which} exceeds the limit of {max}; {}", which.fix())
            }
            Error::Forbidden { name } => hint::forbidden(f, name),
            Error::PersistentId { id } => write!(
                f,
                "the stream refers to the external object `{id}`; load it with an `Unpickler` \
                 that has `persistent_load`"
            ),
            Error::Cycle { type_name } => write!(
                f,
                "a `{type_name}` points back to a value that contains it; copyreg rebuilds values \
                 from the inside out, so make the back link a `Weak` (and if a `Weak` field points \
                 into a value owned by a later field, declare the owning field before it)"
            ),
            Error::Borrowed { type_name } => write!(
                f,
                "`{type_name}` is mutably borrowed; release the borrow before dumping or copying it"
            ),
            Error::Serialize { type_name, message } => {
                write!(f, "serializing `{type_name}` failed: {message}")
            }
            Error::Builtin { type_name } => write!(
                f,
                "`{type_name}` is written natively by copyreg (like int and list in Python's \
                 pickle) and cannot take a reducer; wrap it in a type of your own"
            ),
            Error::Eof => f.write_str(
                "the input ended before a copyreg stream started (the clean end of a sequence \
                 of streams)",
            ),
            Error::Io { source } => write!(f, "reading or writing the stream failed: {source}"),
        }
    }
}
