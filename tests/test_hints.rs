//! Every fix a message shows is code that compiles and fixes the problem: each snippet
//! must appear in `tests/hints/fixes.rs`, a trybuild pass case that applies it and checks
//! the failing call then works.

use std::collections::HashMap;

use copyreg::{Error, Reducible, Unpickler};

#[path = "hints/shop.rs"]
mod shop;

use shop::vendor::Sku;
use shop::{Discount, Item, Page, Percent};

const FIXES: &str = include_str!("hints/fixes.rs");

/// Whitespace runs as one space, so that formatting does not matter.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The code in `message`: its backquoted spans that are items, macro calls, method calls
/// or attribute arguments, placeholders aside. Asserts there is some, and that each is in `fixes.rs`.
fn assert_every_fix_is_applied(message: &str) -> Vec<String> {
    let fixes = squeeze(FIXES);
    let code: Vec<String> = message
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            ["#[", "copyreg::", ".allow", "dyn("]
                .iter()
                .any(|p| s.starts_with(p))
        })
        // A placeholder (`#[reducer(...)]`) says where the code goes.
        .filter(|s| !s.contains("..."))
        .map(squeeze)
        .collect();
    assert!(!code.is_empty(), "no fix shown: {message}");
    for snippet in &code {
        assert!(
            fixes.contains(snippet.as_str()),
            "`{snippet}` is not applied in tests/hints/fixes.rs; message: {message}"
        );
    }
    code
}

fn not_registered(result: Result<Vec<u8>, Error>) -> String {
    match result {
        Err(err @ Error::NotRegistered { .. }) => err.to_string(),
        other => panic!("expected NotRegistered, got {other:?}"),
    }
}

#[test]
fn a_container_of_trait_objects_is_wrapped_in_a_derived_struct() {
    let discounts: Vec<Box<dyn Discount>> = vec![Box::new(Percent(5))];
    let message = not_registered(copyreg::dumps(&discounts));
    let code = assert_every_fix_is_applied(&message);
    assert_eq!(
        code,
        ["#[derive(copyreg::Reducible)] struct Wrapper(Vec<Box<dyn Discount>>);"]
    );

    let one: Box<dyn Discount> = Box::new(Percent(5));
    let message = not_registered(copyreg::dumps(&one));
    assert_every_fix_is_applied(&message);
}

#[test]
fn a_derived_generic_type_of_a_foreign_type_wraps_the_parameter() {
    #[derive(Reducible)]
    struct Order {
        skus: Page<Sku>,
    }
    let page = || Page {
        items: vec![Sku(1)],
        next: None,
    };
    for message in [
        not_registered(copyreg::dumps(&Order { skus: page() })),
        not_registered(copyreg::dumps(&page())),
    ] {
        let code = assert_every_fix_is_applied(&message);
        assert_eq!(
            code,
            [
                "#[derive(copyreg::Reducible)] struct Wrapped(Sku);",
                "copyreg::register!(Page<Wrapped>);"
            ],
            "{message}"
        );
    }
}

#[test]
fn a_generic_type_of_reducible_types_is_named_with_register() {
    let page = Page {
        items: vec![Item { name: "pen".into() }],
        next: None,
    };
    let code = assert_every_fix_is_applied(&not_registered(copyreg::dumps(&page)));
    assert_eq!(code.len(), 2, "{code:?}");

    let map = HashMap::from([("a".to_string(), Item { name: "pen".into() })]);
    let code = assert_every_fix_is_applied(&not_registered(copyreg::dumps(&map)));
    assert_eq!(
        code,
        [
            "copyreg::register!(HashMap<String, Item>);",
            "#[derive(copyreg::Reducible)] struct Wrapper(HashMap<String, Item>);"
        ]
    );
}

#[test]
fn a_std_container_of_a_foreign_type_is_wrapped_not_registered() {
    let map = HashMap::from([("a".to_string(), Sku(9))]);
    let message = not_registered(copyreg::dumps(&map));
    let code = assert_every_fix_is_applied(&message);
    assert_eq!(
        code,
        ["#[derive(copyreg::Reducible)] struct Wrapper(HashMap<String, Sku>);"]
    );
}

#[test]
fn a_forbidden_foreign_type_is_allowed_by_its_type() {
    let bytes = copyreg::dumps(&Sku(4)).unwrap();
    let err = Unpickler::new()
        .allow::<Item>()
        .loads::<Sku>(&bytes)
        .unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }));
    let code = assert_every_fix_is_applied(&err.to_string());
    assert_eq!(code, [".allow::<Sku>()", ".allow_name(\"vendor.Sku\")"]);
}

#[test]
fn a_trait_object_of_an_undeclared_trait_names_the_attribute() {
    #[derive(Reducible)]
    #[reducer(name = "shop.Coupon")]
    struct Coupon(u32);
    impl Discount for Coupon {
        fn off(&self) -> u32 {
            self.0
        }
    }
    #[derive(Reducible)]
    struct Basket(Vec<Box<dyn Discount>>);
    let err = copyreg::dumps(&Basket(vec![Box::new(Coupon(3))])).unwrap_err();
    assert!(matches!(err, Error::UndeclaredTrait { .. }), "{err:?}");
    let code = assert_every_fix_is_applied(&err.to_string());
    assert_eq!(code, ["dyn(Discount)"]);
}

#[test]
fn a_program_without_conflicts_passes_the_registry_check() {
    assert!(copyreg::dispatch_table().conflicts().is_empty());
    copyreg::assert_registry_ok();
}
