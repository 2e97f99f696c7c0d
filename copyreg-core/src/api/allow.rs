//! [`Unpickler`]'s allow-lists: what a stream may name, given as types, trees of types,
//! names and traits. They are checked for each name of a stream's table, before anything is
//! built, by the load's rules (`engine/rules.rs`).

use std::any::{Any, TypeId};

use crate::api::unpickler::Unpickler;
use crate::codecs::reducible::Reducible;
use crate::engine::registry::View;
use crate::engine::rules::Allowed;
use crate::engine::tree::TypeTree;

impl Unpickler {
    fn allowed(&mut self) -> &mut Allowed {
        self.rules.allowed.get_or_insert_with(Allowed::default)
    }

    /// Allows constructors that build a `T`, and the name `T` is registered under. Once
    /// anything is allowed, a stream naming any other constructor fails with
    /// [`Error::Forbidden`](crate::Error::Forbidden) before a constructor runs. copyreg's native types (primitives,
    /// `String`, std containers) need no allowing.
    ///
    /// `T` is any registered type: derived, attached with `register_foreign!` or
    /// [`pickle`](crate::pickle)d. A type nothing registers has no constructor, so allowing
    /// it allows nothing. To allow a type together with every type its fields can hold, use
    /// [`allow_tree`](Unpickler::allow_tree).
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Token(u64);
    ///
    /// let bytes = copyreg::dumps(&Token(7))?;
    /// assert_eq!(copyreg::Unpickler::new().allow::<Token>().loads::<Token>(&bytes)?, Token(7));
    ///
    /// // A type of another crate, registered with `register_foreign!`, is allowed the same way.
    /// copyreg::register_foreign!(
    ///     std::net::Ipv4Addr,
    ///     reduce = |a: &std::net::Ipv4Addr| (a.octets(),),
    ///     construct = |o: [u8; 4]| std::net::Ipv4Addr::from(o),
    /// );
    /// let home = std::net::Ipv4Addr::LOCALHOST;
    /// let bytes = copyreg::dumps(&home)?;
    /// let unpickler = copyreg::Unpickler::new().allow::<std::net::Ipv4Addr>();
    /// assert_eq!(unpickler.loads::<std::net::Ipv4Addr>(&bytes)?, home);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow<T: Any>(mut self) -> Self {
        let name = View::current()
            .reducer(TypeId::of::<T>())
            .ok()
            .flatten()
            .map(|reducer| reducer.name.to_string());
        let allowed = self.allowed();
        allowed.types.insert(TypeId::of::<T>());
        allowed.names.extend(name);
        self
    }

    /// Allows `T` and every type a `T` can hold, as its declaration says: the types of its
    /// fields, through any std containers, and theirs in turn, so that one call allows a
    /// whole tree of derived types. Trait objects are not followed, since any type may sit
    /// behind one: allow those with [`allow_dyn`](Unpickler::allow_dyn). Nor are the
    /// arguments of a type with its own reducer (`#[reducer(fn = ...)]`, `register_foreign!`,
    /// `pickle`): the type itself is allowed, and its arguments are allowed by their own
    /// calls. A foreign type on its own is allowed with [`allow`](Unpickler::allow).
    ///
    /// Python's `Unpickler.find_class` is a function that sees each global a pickle names
    /// and decides then; an allow-list is data, fixed before the load starts, checked before
    /// any constructor runs, and built from types rather than strings, so a renamed type
    /// stays allowed. `allow_tree` builds it from the type the caller expects: everything
    /// a well-formed stream of that type can name, and nothing else.
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Line {
    ///     sku: String,
    ///     qty: u32,
    /// }
    ///
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// struct Order {
    ///     lines: Vec<Line>,
    ///     gift: Option<Box<Line>>,
    /// }
    ///
    /// let order = Order { lines: vec![Line { sku: "A1".into(), qty: 2 }], gift: None };
    /// let bytes = copyreg::dumps(&order)?;
    ///
    /// // `allow::<Order>()` alone would refuse the `Line`s inside.
    /// let only_order = copyreg::Unpickler::new().allow::<Order>();
    /// assert!(matches!(only_order.loads::<Order>(&bytes), Err(copyreg::Error::Forbidden { .. })));
    /// let tree = copyreg::Unpickler::new().allow_tree::<Order>();
    /// assert_eq!(tree.loads::<Order>(&bytes)?, order);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow_tree<T: Reducible>(mut self) -> Self {
        let view = View::current();
        let types = TypeTree::types_from(TypeId::of::<T>(), T::__visit_types);
        let names = types
            .iter()
            .filter_map(|id| view.reducer(*id).ok().flatten())
            .map(|reducer| reducer.name.to_string())
            .collect::<Vec<_>>();
        let allowed = self.allowed();
        allowed.types.extend(types);
        allowed.names.extend(names);
        self
    }

    /// Allows the constructor registered under `name`.
    ///
    /// ```
    /// #[derive(copyreg::Reducible, Debug, PartialEq)]
    /// #[reducer(name = "auth.Token")]
    /// struct Token(u64);
    ///
    /// let bytes = copyreg::dumps(&Token(7))?;
    /// let unpickler = copyreg::Unpickler::new().allow_name("auth.Token");
    /// assert_eq!(unpickler.loads::<Token>(&bytes)?, Token(7));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow_name(mut self, name: &str) -> Self {
        self.allowed().names.insert(name.to_string());
        self
    }

    /// Allows every type that declared it can be loaded as `D` (`#[reducer(dyn(Trait))]`).
    ///
    /// ```
    /// trait Shape: std::any::Any {}
    ///
    /// #[derive(copyreg::Reducible)]
    /// #[reducer(dyn(Shape))]
    /// struct Square(f64);
    /// impl Shape for Square {}
    ///
    /// let bytes = copyreg::dumps(&Square(2.0))?;
    /// let unpickler = copyreg::Unpickler::new().allow_dyn::<dyn Shape>();
    /// assert!(unpickler.loads_dyn::<dyn Shape>(&bytes).is_ok());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn allow_dyn<D: ?Sized + 'static>(mut self) -> Self {
        self.allowed().traits.push(TypeId::of::<D>());
        self
    }
}
