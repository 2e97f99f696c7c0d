//! Trait-object casts: each concrete type's declaration that it can be loaded as `dyn Trait`
//! (`#[reducer(dyn(Trait))]`, `register_foreign!(…, dyn(Trait))`), collected at link time
//! like the registrations, and found by the pair of types or by the concrete type; and the
//! check that a value written or copied behind a trait object declared that trait.

use std::any::{Any, TypeId};
use std::sync::OnceLock;

use crate::engine::registry::Reducer;
use crate::wire::error::{Error, Failure};
use crate::wire::hash::QuickMap;

/// Turns a boxed concrete value into a pointer to a trait object (`Box<dyn Trait>`,
/// `Arc<dyn Trait>` or `Rc<dyn Trait>`) and puts it in the slot, an `Option` of that pointer
/// seen as `dyn Any`. `false` if the value is not of the concrete type or the slot is not of
/// the pointer type. Filling a slot the caller owns, rather than returning the pointer boxed
/// again, saves an allocation per object.
pub type CastFn = fn(Box<dyn Any>, &mut dyn Any) -> bool;

/// One concrete type's declaration that it can be loaded as `dyn Trait`, submitted through
/// `inventory` by `#[reducer(dyn(Trait))]` and `register_foreign!(…, dyn(Trait))`.
#[derive(Debug)]
pub struct DynCast {
    /// `TypeId::of::<dyn Trait>`.
    pub trait_id: fn() -> TypeId,
    /// `TypeId::of` the concrete type.
    pub concrete: fn() -> TypeId,
    /// To `Box<dyn Trait>`.
    pub boxed: CastFn,
    /// To `Arc<dyn Trait>`.
    pub arc: CastFn,
    /// To `Rc<dyn Trait>`.
    pub rc: CastFn,
}

inventory::collect!(DynCast);

pub(crate) fn casts() -> &'static QuickMap<(TypeId, TypeId), &'static DynCast> {
    static CASTS: OnceLock<QuickMap<(TypeId, TypeId), &'static DynCast>> = OnceLock::new();
    CASTS.get_or_init(|| {
        inventory::iter::<DynCast>
            .into_iter()
            .map(|cast| (((cast.trait_id)(), (cast.concrete)()), cast))
            .collect()
    })
}

/// The casts a concrete type declares, with each trait's `TypeId`: what a constructor keeps,
/// so that loading a trait object scans a slice of one or two instead of hashing.
pub(crate) type Casts = &'static [(TypeId, &'static DynCast)];

/// The casts declared for the concrete type `concrete`.
pub(crate) fn casts_of(concrete: TypeId) -> Casts {
    static BY_CONCRETE: OnceLock<QuickMap<TypeId, Casts>> = OnceLock::new();
    let by_concrete = BY_CONCRETE.get_or_init(|| {
        let mut lists: QuickMap<TypeId, Vec<(TypeId, &'static DynCast)>> = QuickMap::default();
        for cast in inventory::iter::<DynCast> {
            lists
                .entry((cast.concrete)())
                .or_default()
                .push(((cast.trait_id)(), cast));
        }
        lists
            .into_iter()
            .map(|(concrete, list)| (concrete, &*Box::leak(list.into_boxed_slice())))
            .collect()
    });
    by_concrete.get(&concrete).copied().unwrap_or(&[])
}

/// Whether the type `concrete` declared it can be loaded as the trait object `trait_id`.
pub(crate) fn declares(trait_id: TypeId, concrete: TypeId) -> bool {
    casts().contains_key(&(trait_id, concrete))
}

/// The trait object `dyn D` a value is written or copied behind.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Behind {
    id: TypeId,
    name: &'static str,
}

impl Behind {
    pub(crate) fn of<D: ?Sized + 'static>() -> Behind {
        Behind {
            id: TypeId::of::<D>(),
            name: std::any::type_name::<D>(),
        }
    }

    /// Refuses a value whose type, reduced by `reducer`, does not declare this trait: no
    /// stream of it could be loaded back (`Box<dyn Any>` holds any type).
    #[inline]
    pub(crate) fn check(self, reducer: &Reducer) -> Result<(), Failure> {
        if self.id == TypeId::of::<dyn Any>() || reducer.casts.iter().any(|(t, _)| *t == self.id) {
            return Ok(());
        }
        Err(self.undeclared(reducer))
    }

    #[cold]
    fn undeclared(self, reducer: &Reducer) -> Failure {
        Error::UndeclaredTrait {
            type_name: reducer.ops.target_name(),
            trait_name: self.name,
        }
        .into()
    }
}
