//! Every fix that copyreg's messages show, applied (a trybuild pass case, run by
//! `tests/compiletest.rs`): each must compile and make the failing call work.
//! `tests/test_hints.rs` checks that each snippet a message shows is written here verbatim.

#[path = "shop.rs"]
mod shop;

use std::collections::HashMap;

use shop::vendor::Sku;
use shop::{Discount, Item, Page, Percent};

fn round_trip<T: 'static>(value: &T) -> T {
    let bytes = copyreg::dumps(value).expect("the fix makes it dumpable");
    copyreg::loads::<T>(&bytes).expect("and loadable")
}

/// `Vec<Box<dyn Discount>>` at top level.
mod dyn_vec {
    use super::*;

    #[derive(copyreg::Reducible)] struct Wrapper(Vec<Box<dyn Discount>>);

    pub fn check() {
        let back = round_trip(&Wrapper(vec![Box::new(Percent(5))]));
        assert_eq!(back.0[0].off(), 5);
    }
}

/// `Box<dyn Discount>` at top level.
mod dyn_box {
    use super::*;

    #[derive(copyreg::Reducible)] struct Wrapper(Box<dyn Discount>);

    pub fn check() {
        assert_eq!(round_trip(&Wrapper(Box::new(Percent(7)))).0.off(), 7);
    }
}

/// `Page<Sku>`: a derived generic type of a foreign type, as a field and at top level.
mod generic_of_foreign {
    use super::*;

    #[derive(copyreg::Reducible)] struct Wrapped(Sku);
    copyreg::register!(Page<Wrapped>);

    #[derive(copyreg::Reducible)]
    struct Order {
        skus: Page<Wrapped>,
    }

    pub fn check() {
        let page = || Page {
            items: vec![Wrapped(Sku(1))],
            next: None,
        };
        assert_eq!(round_trip(&page()).items[0].0, Sku(1));
        assert_eq!(round_trip(&Order { skus: page() }).skus.items[0].0, Sku(1));
    }
}

/// `Page<Item>`: a derived generic type of a derived type, at top level.
mod generic_of_derived {
    use super::*;

    copyreg::register!(Page<Item>);

    pub fn check() {
        let page = Page {
            items: vec![Item { name: "pen".into() }],
            next: Some(2),
        };
        assert_eq!(round_trip(&page), page);
    }

    pub mod wrapped {
        use super::*;

        #[derive(copyreg::Reducible)] struct Wrapper(Page<Item>);

        pub fn check() {
            let page = Page {
                items: vec![Item { name: "pen".into() }],
                next: None,
            };
            assert_eq!(round_trip(&Wrapper(page)).0.next, None);
        }
    }
}

/// `HashMap<String, Item>`: a std container of derived types, at top level.
mod map_of_derived {
    use super::*;

    copyreg::register!(HashMap<String, Item>);

    pub fn check() {
        let map = HashMap::from([("a".to_string(), Item { name: "pen".into() })]);
        assert_eq!(round_trip(&map), map);
    }

    pub mod wrapped {
        use super::*;

        #[derive(copyreg::Reducible)] struct Wrapper(HashMap<String, Item>);

        pub fn check() {
            let map = HashMap::from([("a".to_string(), Item { name: "pen".into() })]);
            assert_eq!(round_trip(&Wrapper(map.clone())).0, map);
        }
    }
}

/// `HashMap<String, Sku>`: a std container of a foreign type, at top level.
mod map_of_foreign {
    use super::*;

    #[derive(copyreg::Reducible)] struct Wrapper(HashMap<String, Sku>);

    pub fn check() {
        let map = HashMap::from([("a".to_string(), Sku(9))]);
        assert_eq!(round_trip(&Wrapper(map.clone())).0, map);
    }
}

/// An allow-list that does not name a foreign type.
mod allow_foreign {
    use super::*;

    pub fn check() {
        let bytes = copyreg::dumps(&Sku(4)).unwrap();
        let by_type = copyreg::Unpickler::new().allow::<Item>().allow::<Sku>();
        assert_eq!(by_type.loads::<Sku>(&bytes).unwrap(), Sku(4));
        let by_name = copyreg::Unpickler::new().allow::<Item>().allow_name("vendor.Sku");
        assert_eq!(by_name.loads::<Sku>(&bytes).unwrap(), Sku(4));
    }
}

/// A type held as a `dyn Discount` that did not declare it.
mod undeclared_trait {
    use super::*;

    #[derive(copyreg::Reducible)]
    #[reducer(name = "shop.Coupon", dyn(Discount))]
    struct Coupon(u32);

    impl Discount for Coupon {
        fn off(&self) -> u32 {
            self.0
        }
    }

    #[derive(copyreg::Reducible)]
    struct Basket(Vec<Box<dyn Discount>>);

    pub fn check() {
        let back = round_trip(&Basket(vec![Box::new(Coupon(3))]));
        assert_eq!(back.0[0].off(), 3);
    }
}

fn main() {
    dyn_vec::check();
    dyn_box::check();
    generic_of_foreign::check();
    generic_of_derived::check();
    generic_of_derived::wrapped::check();
    map_of_derived::check();
    map_of_derived::wrapped::check();
    map_of_foreign::check();
    allow_foreign::check();
    undeclared_trait::check();
}
