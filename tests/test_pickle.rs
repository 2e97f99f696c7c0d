//! `copyreg::pickle`: run-time registration with Python's dispatch-table semantics.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Barrier;

use copyreg::Reducible;

#[derive(Debug, PartialEq)]
struct Legacy {
    v: u8,
}

#[test]
fn a_type_with_no_derive_becomes_dumpable_loadable_and_copyable() {
    assert!(matches!(
        copyreg::dumps(&Legacy { v: 1 }),
        Err(copyreg::Error::NotRegistered { .. })
    ));
    copyreg::pickle(|l: &Legacy| (l.v,), |v: u8| Legacy { v }).unwrap();
    let bytes = copyreg::dumps(&Legacy { v: 7 }).unwrap();
    assert_eq!(copyreg::loads::<Legacy>(&bytes).unwrap(), Legacy { v: 7 });
    assert_eq!(copyreg::copy(&Legacy { v: 8 }).unwrap(), Legacy { v: 8 });
    assert_eq!(
        copyreg::dispatch_table().get::<Legacy>().unwrap().name(),
        std::any::type_name::<Legacy>()
    );
}

/// Counts how often the link-time constructor and the run-time one are called.
static LINK_TIME: AtomicUsize = AtomicUsize::new(0);
static RUN_TIME: AtomicUsize = AtomicUsize::new(0);

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "test.Tracked", fn = |t: &Tracked| (t.0,), constructor = Tracked::link_time)]
struct Tracked(i32);

impl Tracked {
    fn link_time(v: i32) -> Tracked {
        LINK_TIME.fetch_add(1, Ordering::SeqCst);
        Tracked(v)
    }
}

#[derive(Reducible, Debug, PartialEq)]
struct Holder {
    direct: Tracked,
    nested: Vec<Option<Tracked>>,
    keyed: BTreeMap<u8, Tracked>,
}

#[test]
fn a_run_time_registration_takes_precedence_everywhere_and_the_last_one_wins() {
    let holder = || Holder {
        direct: Tracked(1),
        nested: vec![Some(Tracked(2)), None],
        keyed: BTreeMap::from([(0, Tracked(3))]),
    };
    assert_eq!(copyreg::copy(&holder()).unwrap(), holder());
    assert_eq!(LINK_TIME.swap(0, Ordering::SeqCst), 3);

    // First run-time registration: multiplies by 10.
    copyreg::pickle(|t: &Tracked| (t.0,), |v: i32| Tracked(v * 10)).unwrap();
    // Second one for the same type replaces it: the last one wins.
    copyreg::pickle(
        |t: &Tracked| (t.0, 100),
        |v: i32, plus: i32| {
            RUN_TIME.fetch_add(1, Ordering::SeqCst);
            Tracked(v + plus)
        },
    )
    .unwrap();

    let expected = Holder {
        direct: Tracked(101),
        nested: vec![Some(Tracked(102)), None],
        keyed: BTreeMap::from([(0, Tracked(103))]),
    };
    assert_eq!(copyreg::copy(&holder()).unwrap(), expected);
    let bytes = copyreg::dumps(&holder()).unwrap();
    assert_eq!(copyreg::loads::<Holder>(&bytes).unwrap(), expected);
    assert_eq!(
        copyreg::loads::<Tracked>(&copyreg::dumps(&Tracked(5)).unwrap()).unwrap(),
        Tracked(105)
    );
    assert_eq!(
        LINK_TIME.load(Ordering::SeqCst),
        0,
        "the link-time constructor was bypassed"
    );
    assert_eq!(RUN_TIME.load(Ordering::SeqCst), 3 + 3 + 1);
    // The run-time registration keeps the link-time name.
    assert_eq!(
        copyreg::dispatch_table().get::<Tracked>().unwrap().name(),
        "test.Tracked"
    );
}

#[test]
fn native_types_refuse_a_reducer() {
    let err = copyreg::pickle(|v: &u32| (*v,), |v: u32| v + 1).unwrap_err();
    assert!(matches!(err, copyreg::Error::Builtin { type_name: "u32" }));
    assert!(err.to_string().contains("wrap it in a type of your own"));
    assert_eq!(copyreg::copy(&5u32).unwrap(), 5);
}

#[test]
fn a_name_taken_by_another_type_is_refused() {
    struct A;
    struct B;
    copyreg::pickle_as("test.shared", |_: &A| (), || A).unwrap();
    let err = copyreg::pickle_as("test.shared", |_: &B| (), || B).unwrap_err();
    assert!(matches!(err, copyreg::Error::Ambiguous { .. }), "{err:?}");
    // Re-registering the same type under the same name is fine.
    copyreg::pickle_as("test.shared", |_: &A| (), || A).unwrap();
}

#[derive(Debug, PartialEq)]
struct Gauge(u64);

#[derive(Reducible, Debug, PartialEq)]
struct Spin {
    n: i64,
}

#[test]
fn pickle_while_other_threads_dump_and_load_is_safe() {
    const THREADS: usize = 8;
    let start = Barrier::new(THREADS + 1);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let start = &start;
            s.spawn(move || {
                start.wait();
                for i in 0..200u64 {
                    let n = t as i64;
                    let bytes = copyreg::dumps(&vec![Spin { n }]).unwrap();
                    let back = copyreg::loads::<Vec<Spin>>(&bytes).unwrap();
                    // Before the registration n comes back as is; after it, negated; a stream
                    // written before and loaded after holds the link-time name, which the
                    // run-time constructor now answers.
                    assert!(back == [Spin { n }] || back == [Spin { n: -n }], "{back:?}");
                    if let Ok(bytes) = copyreg::dumps(&Gauge(i)) {
                        assert_eq!(copyreg::loads::<Gauge>(&bytes).unwrap(), Gauge(i));
                    }
                }
            });
        }
        start.wait();
        copyreg::pickle(|g: &Gauge| (g.0,), Gauge).unwrap();
        copyreg::pickle(|s: &Spin| (s.n,), |n: i64| Spin { n: -n }).unwrap();
    });
    assert_eq!(
        copyreg::loads::<Gauge>(&copyreg::dumps(&Gauge(3)).unwrap()).unwrap(),
        Gauge(3)
    );
    assert_eq!(copyreg::copy(&Spin { n: 4 }).unwrap(), Spin { n: -4 });
}

#[derive(Debug, PartialEq)]
struct Wrapper(Vec<Legacy2>);
#[derive(Debug, PartialEq)]
struct Legacy2(String);

#[test]
fn containers_of_a_run_time_registered_type_work_too() {
    copyreg::pickle(|l: &Legacy2| (l.0.clone(),), Legacy2).unwrap();
    copyreg::pickle(
        |w: &Wrapper| (w.0.iter().map(|l| Legacy2(l.0.clone())).collect::<Vec<_>>(),),
        Wrapper,
    )
    .unwrap();
    let w = Wrapper(vec![Legacy2("a".into()), Legacy2("b".into())]);
    assert_eq!(
        copyreg::loads::<Wrapper>(&copyreg::dumps(&w).unwrap()).unwrap(),
        w
    );
    assert_eq!(copyreg::deepcopy(&w).unwrap(), w);
}

#[derive(Debug, PartialEq)]
struct Tally(u8);

#[test]
fn a_run_of_run_time_registered_objects_is_laid_out_as_a_run_of_derived_ones() {
    copyreg::pickle_as("test.Tally", |t: &Tally| (t.0,), Tally).unwrap();
    let tallies = vec![Tally(7), Tally(8)];
    let bytes = copyreg::dumps(&tallies).unwrap();
    // The `Vec`, its length, the run's constructor once, then each object's argument: what
    // a derived type of that name writes.
    assert_eq!(common::body(&bytes), [1, 2, 2, 7, 8]);
    assert_eq!(common::names(&bytes), ["Vec<test.Tally>", "test.Tally"]);
    assert_eq!(copyreg::loads::<Vec<Tally>>(&bytes).unwrap(), tallies);
    // A run header of 0: each object names its own constructor, as where a pickler asks
    // each for a persistent id.
    let each = common::with_body(&bytes, &[1, 2, 0, 2, 7, 2, 8]);
    assert_eq!(copyreg::loads::<Vec<Tally>>(&each).unwrap(), tallies);
    let pickler = copyreg::Pickler::new().persistent_id(|_| None);
    assert_eq!(
        common::body(&pickler.dumps(&tallies).unwrap()),
        [1, 2, 0, 2, 7, 2, 8]
    );
    // Arrays are runs too.
    let array = copyreg::dumps(&Boxes([Tally(1), Tally(2)])).unwrap();
    assert_eq!(
        copyreg::loads::<Boxes>(&array).unwrap(),
        Boxes([Tally(1), Tally(2)])
    );
}

#[derive(Reducible, Debug, PartialEq)]
struct Boxes([Tally; 2]);
