//! The types of the hint tests, shared by the run-time test that reads the hints
//! (`tests/test_hints.rs`) and the trybuild pass case that applies them (`fixes.rs`).

#![allow(dead_code)]

pub trait Discount: std::any::Any {
    fn off(&self) -> u32;
}

#[derive(copyreg::Reducible, Debug, PartialEq)]
#[reducer(name = "shop.Percent", dyn(Discount))]
pub struct Percent(pub u32);

impl Discount for Percent {
    fn off(&self) -> u32 {
        self.0
    }
}

/// A type of another crate.
pub mod vendor {
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct Sku(pub u64);
}

copyreg::register_foreign!(
    vendor::Sku,
    reduce = |s: &vendor::Sku| (s.0,),
    construct = |n: u64| vendor::Sku(n),
    name = "vendor.Sku",
);

#[derive(copyreg::Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "shop.Item")]
pub struct Item {
    pub name: String,
}

#[derive(copyreg::Reducible, Debug, PartialEq)]
#[reducer(name = "shop.Page")]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<u32>,
}
