//! Eight threads register, dump and load at once, some through picklers with private
//! tables; and a reducer or constructor that panics leaves nothing broken behind it.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Barrier;

use copyreg::{Pickler, Reducible, Unpickler};

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "threads.Sample")]
struct Sample {
    id: u64,
    values: Vec<f64>,
}

#[derive(Debug, PartialEq)]
struct Late(u64);

#[test]
fn eight_threads_register_dump_and_load_at_once() {
    const THREADS: u64 = 8;
    let start = Barrier::new(THREADS as usize);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let start = &start;
            s.spawn(move || {
                start.wait();
                // Even threads use a private pickler that doubles every id; odd ones the
                // registry, which one thread extends while the others read it.
                let doubling = Pickler::new()
                    .register(
                        |s: &Sample| (s.id * 2, s.values.clone()),
                        |id: u64, values: Vec<f64>| Sample { id, values },
                    )
                    .unwrap();
                if t == 1 {
                    copyreg::pickle(|l: &Late| (l.0,), Late).unwrap();
                }
                for i in 0..300 {
                    let sample = Sample {
                        id: t * 1000 + i,
                        values: vec![i as f64; (i % 7) as usize],
                    };
                    if t % 2 == 0 {
                        let bytes = doubling.dumps(&sample).unwrap();
                        let back = Unpickler::new().loads::<Sample>(&bytes).unwrap();
                        assert_eq!(back.id, sample.id * 2);
                    } else {
                        let bytes = copyreg::dumps(&vec![sample.clone()]).unwrap();
                        assert_eq!(
                            copyreg::loads::<Vec<Sample>>(&bytes).unwrap(),
                            std::slice::from_ref(&sample)
                        );
                        assert_eq!(copyreg::deepcopy(&sample).unwrap(), sample);
                    }
                    if let Ok(bytes) = copyreg::dumps(&Late(i)) {
                        assert_eq!(copyreg::loads::<Late>(&bytes).unwrap(), Late(i));
                    }
                }
            });
        }
    });
    // The private tables changed nothing global.
    let sample = Sample {
        id: 3,
        values: vec![],
    };
    assert_eq!(
        copyreg::loads::<Sample>(&copyreg::dumps(&sample).unwrap()).unwrap(),
        sample
    );
    assert!(copyreg::dispatch_table().contains::<Late>());
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "threads.Fragile", constructor = Fragile::new)]
struct Fragile {
    n: i32,
}

impl Fragile {
    fn new(n: i32) -> Fragile {
        assert!(n >= 0, "negative fragile");
        Fragile { n }
    }
}

#[derive(Debug)]
struct Touchy(i32);

#[test]
fn a_panicking_constructor_or_reducer_leaves_nothing_broken() {
    let bad = copyreg::dumps(&Fragile { n: -1 }).unwrap();
    let good = copyreg::dumps(&Fragile { n: 1 }).unwrap();
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let caught = panic::catch_unwind(|| copyreg::loads::<Fragile>(&bad));
    let reducer = panic::catch_unwind(AssertUnwindSafe(|| {
        copyreg::pickle(
            |t: &Touchy| -> (i32,) { panic!("reducer of {}", t.0) },
            Touchy,
        )
        .unwrap();
        copyreg::dumps(&Touchy(1))
    }));
    panic::set_hook(quiet);
    assert!(caught.is_err() && reducer.is_err());

    // The registry, its run-time table and the memo of later calls all still work, on this
    // thread and on others.
    assert_eq!(copyreg::loads::<Fragile>(&good).unwrap(), Fragile { n: 1 });
    copyreg::pickle(|t: &Touchy| (t.0,), Touchy).unwrap();
    assert_eq!(copyreg::copy(&Touchy(4)).unwrap().0, 4);
    std::thread::spawn(move || {
        assert_eq!(copyreg::loads::<Fragile>(&good).unwrap(), Fragile { n: 1 });
        assert_eq!(copyreg::copy(&Touchy(5)).unwrap().0, 5);
    })
    .join()
    .unwrap();
}
