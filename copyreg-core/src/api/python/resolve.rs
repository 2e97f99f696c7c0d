//! What a value known only through the registry is written as, for both directions.

use crate::engine::registry::View;
use crate::engine::shape::{Args, Shape};
use crate::wire::error::{Error, Failure};

/// What the registry writes a [`Shape::Registered`] or [`Shape::Serde`] value as: a native
/// shape, or (`None`) an object. `serde_only` words the error for a serde value with no
/// registration, which has no shape to be read or written by.
pub(super) fn resolve(
    view: &View,
    shape: &Shape,
    serde_only: impl FnOnce(&'static str) -> Failure,
) -> Result<Option<&'static Shape>, Failure> {
    let (id, name, serde) = match shape {
        Shape::Registered(id, name) => (id(), name(), false),
        Shape::Serde(id, name) => (id(), name(), true),
        _ => return Ok(None),
    };
    match view.reducer(id)? {
        Some(reducer) if reducer.native => match reducer.ops.args() {
            Args::Native(shape) => Ok(Some(shape)),
            _ => Err(Error::Pickle {
                offset: None,
                reason: format!("`{name}` has no shape").into(),
            }
            .into()),
        },
        Some(_) => Ok(None),
        None if serde => Err(serde_only(name)),
        None => Err(Error::NotRegistered {
            type_name: name,
            path: String::new(),
        }
        .into()),
    }
}

/// Whether a `Vec` of `item` is written as a run: objects named once, before the first.
/// A trait object is not: each names its own constructor.
pub(super) fn is_run(
    view: &View,
    item: &Shape,
    serde_only: impl FnOnce(&'static str) -> Failure,
) -> Result<bool, Failure> {
    Ok(match item {
        Shape::Object => true,
        Shape::Registered(..) | Shape::Serde(..) => resolve(view, item, serde_only)?.is_none(),
        _ => false,
    })
}
