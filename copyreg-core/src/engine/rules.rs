//! What an [`Unpickler`](crate::Unpickler) asks of each load besides its registry: the
//! [`Limits`], the names the stream may use (its allow-lists, checked for each name of a
//! stream's table before anything is built), and how persistent ids become objects.

use std::any::{Any, TypeId};
use std::collections::HashSet;
use std::sync::Arc;

use crate::engine::registry::casts::declares;
use crate::engine::registry::Constructor;
use crate::wire::error::{BoxError, Error, Failure};
use crate::wire::limits::Limits;

/// Python's `persistent_load`: the object a persistent id stands for.
pub(crate) type PersistentLoad = dyn Fn(&str) -> Result<Box<dyn Any>, BoxError> + Send + Sync;

/// One unpickler's rules, which every load through it follows.
#[derive(Clone)]
pub(crate) struct Rules {
    pub(crate) limits: Limits,
    /// `None`: every registered name may be used.
    pub(crate) allowed: Option<Allowed>,
    pub(crate) persistent_load: Option<Arc<PersistentLoad>>,
}

impl Rules {
    /// The default limits, no allow-list, no persistent ids.
    pub(crate) const DEFAULT: Rules = Rules {
        limits: Limits::DEFAULT,
        allowed: None,
        persistent_load: None,
    };

    /// Whether a stream may name compact `code`, which nothing registers. Only an allow-list
    /// can refuse it, and only then is its name spelled out.
    pub(crate) fn check_allowed_code(&self, code: u32) -> Result<(), Failure> {
        match self.allowed {
            None => Ok(()),
            Some(_) => self.check_allowed(&format!("compact code {code}"), None),
        }
    }

    /// Whether a stream may name `name`, which resolves to `found` (if anything).
    pub(crate) fn check_allowed(
        &self,
        name: &str,
        found: Option<&Constructor>,
    ) -> Result<(), Failure> {
        let Some(allowed) = &self.allowed else {
            return Ok(());
        };
        let ok = match found {
            Some(ctor) if ctor.native => true,
            Some(ctor) => {
                let output = ctor.ops.target_id();
                allowed.names.contains(name)
                    || allowed.types.contains(&output)
                    || allowed.traits.iter().any(|t| declares(*t, output))
            }
            None => allowed.names.contains(name),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::Forbidden {
                name: name.to_string(),
            }
            .into())
        }
    }

    pub(crate) fn resolve(&self, id: &str) -> Result<Box<dyn Any>, Failure> {
        let load = self
            .persistent_load
            .as_ref()
            .ok_or_else(|| Error::PersistentId { id: id.to_string() })?;
        load(id).map_err(|source| {
            Failure::from(Error::Construct {
                constructor: format!("persistent_load({id:?})"),
                source,
            })
        })
    }
}

/// What an allow-list lets a stream name.
#[derive(Debug, Default, Clone)]
pub(crate) struct Allowed {
    pub(crate) names: HashSet<String>,
    pub(crate) types: HashSet<TypeId>,
    pub(crate) traits: Vec<TypeId>,
}
