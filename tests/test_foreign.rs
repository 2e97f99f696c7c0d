//! `register_foreign!`: reducers for types of other crates, used everywhere they occur.

mod common;

use std::time::Duration;

use copyreg::Reducible;

// A third-party type with no serde support enabled: semver's Version.
copyreg::register_foreign!(
    semver::Version,
    construct = |text: String| semver::Version::parse(&text),
    reduce = |v: &semver::Version| (v.to_string(),),
    name = "semver.Version",
);

// A std type, keys in the other order, no name, trailing comma.
copyreg::register_foreign!(
    Duration,
    reduce = |d: &Duration| (d.as_secs(), d.subsec_nanos()),
    construct = Duration::new,
);

#[derive(Reducible, Debug, PartialEq)]
struct Release {
    version: semver::Version,
    previous: Vec<semver::Version>,
    next: Option<semver::Version>,
    boxed: Box<semver::Version>,
    timeout: Duration,
}

fn v(text: &str) -> semver::Version {
    semver::Version::parse(text).unwrap()
}

fn release() -> Release {
    Release {
        version: v("1.2.3"),
        previous: vec![v("1.2.2"), v("1.0.0-rc.1")],
        next: Some(v("2.0.0")),
        boxed: Box::new(v("0.1.0")),
        timeout: Duration::from_millis(1500),
    }
}

#[test]
fn a_foreign_type_round_trips_at_top_level() {
    let bytes = copyreg::dumps(&v("1.2.3+build.7")).unwrap();
    assert_eq!(
        copyreg::loads::<semver::Version>(&bytes).unwrap(),
        v("1.2.3+build.7")
    );
    let d = Duration::new(5, 7);
    assert_eq!(
        copyreg::loads::<Duration>(&copyreg::dumps(&d).unwrap()).unwrap(),
        d
    );
}

#[test]
fn a_foreign_type_works_inside_derived_types_and_std_containers() {
    let bytes = copyreg::dumps(&release()).unwrap();
    assert_eq!(copyreg::loads::<Release>(&bytes).unwrap(), release());
    let list = vec![v("3.0.0"), v("3.1.0")];
    assert_eq!(
        copyreg::loads::<Vec<semver::Version>>(&copyreg::dumps(&list).unwrap()).unwrap(),
        list
    );
    assert_eq!(copyreg::copy(&Some(v("1.0.0"))).unwrap(), Some(v("1.0.0")));
}

#[test]
fn copy_of_a_struct_holding_foreign_types_needs_no_clone() {
    // Release does not implement Clone.
    assert_eq!(copyreg::copy(&release()).unwrap(), release());
    assert_eq!(copyreg::deepcopy(&release()).unwrap(), release());
}

#[test]
fn the_default_foreign_name_is_the_path_as_written() {
    let table = copyreg::dispatch_table();
    assert_eq!(table.get::<Duration>().unwrap().name(), "Duration");
    assert_eq!(
        table.get::<semver::Version>().unwrap().name(),
        "semver.Version"
    );
    assert_eq!(
        table.get::<Vec<semver::Version>>().unwrap().name(),
        "Vec<semver.Version>"
    );
}

#[test]
fn a_failing_foreign_constructor_gives_construct_with_its_message() {
    // A stream whose argument is not a valid version, written by a look-alike registration.
    struct FakeVersion(String);
    copyreg::pickle_as(
        "semver.Version.fake",
        |f: &FakeVersion| (f.0.clone(),),
        |s: String| FakeVersion(s),
    )
    .unwrap();
    let fake = copyreg::dumps(&FakeVersion("not a version".into())).unwrap();
    assert_eq!(common::names(&fake), ["semver.Version.fake"]);
    let bytes = common::stream(&["semver.Version"], common::body(&fake));
    match copyreg::loads::<semver::Version>(&bytes) {
        Err(copyreg::Error::Construct {
            constructor,
            source,
        }) => {
            assert_eq!(constructor, "semver.Version");
            assert!(!source.to_string().is_empty());
        }
        other => panic!("expected Construct, got {other:?}"),
    }
}

#[test]
fn a_registered_reducer_wins_over_serde_for_types_that_have_both() {
    // Duration is a serde type too; its registered reducer is still the one used.
    let bytes = copyreg::dumps(&release()).unwrap();
    assert!(bytes.windows(8).any(|w| w == b"Duration"));
}

/// `register_foreign!` at item level in a nested module, far from where the type is used.
mod vendor_glue {
    pub struct Meters(pub f32);

    copyreg::register_foreign!(Meters, reduce = |m: &Meters| (m.0,), construct = Meters);
}

#[test]
fn a_registration_in_any_module_applies_everywhere() {
    #[derive(Reducible)]
    struct Track {
        lengths: Vec<vendor_glue::Meters>,
    }
    let track = Track {
        lengths: vec![vendor_glue::Meters(1.5), vendor_glue::Meters(2.0)],
    };
    let back = copyreg::loads::<Track>(&copyreg::dumps(&track).unwrap()).unwrap();
    assert_eq!(
        back.lengths.iter().map(|m| m.0).collect::<Vec<_>>(),
        [1.5, 2.0]
    );
}

/// A foreign type registered once, nested in every std container, to any depth.
#[derive(Reducible, Debug, PartialEq)]
struct Deep {
    by_name: std::collections::HashMap<String, Vec<Option<semver::Version>>>,
    tree: std::collections::BTreeMap<u8, Box<Duration>>,
    array: [semver::Version; 2],
    pair: (semver::Version, Duration),
    shared: std::sync::Arc<semver::Version>,
    shared_again: std::sync::Arc<semver::Version>,
    nested: Vec<Vec<Option<Box<semver::Version>>>>,
    cell: std::cell::RefCell<std::collections::VecDeque<semver::Version>>,
    set: std::collections::BTreeSet<String>,
}

fn deep() -> Deep {
    let shared = std::sync::Arc::new(v("9.9.9"));
    Deep {
        by_name: [("a".to_string(), vec![Some(v("1.0.0")), None])].into(),
        tree: [(1, Box::new(Duration::from_secs(1)))].into(),
        array: [v("0.0.1"), v("0.0.2")],
        pair: (v("2.0.0"), Duration::from_nanos(5)),
        shared: shared.clone(),
        shared_again: shared,
        nested: vec![vec![Some(Box::new(v("3.0.0"))), None]],
        cell: std::cell::RefCell::new([v("4.0.0")].into()),
        set: ["x".to_string()].into(),
    }
}

#[test]
fn a_foreign_type_works_nested_in_any_std_container() {
    let bytes = copyreg::dumps(&deep()).unwrap();
    let back = copyreg::loads::<Deep>(&bytes).unwrap();
    assert_eq!(back, deep());
    assert!(std::sync::Arc::ptr_eq(&back.shared, &back.shared_again));
    assert_eq!(copyreg::copy(&deep()).unwrap(), deep());
    let original = deep();
    let copy = copyreg::deepcopy(&original).unwrap();
    assert_eq!(copy, original);
    assert!(std::sync::Arc::ptr_eq(&copy.shared, &copy.shared_again));
    assert!(!std::sync::Arc::ptr_eq(&copy.shared, &original.shared));
}
