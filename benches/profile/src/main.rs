//! `copyreg-profile CASE SIDE ITERATIONS`: runs one side (`copyreg` or `baseline`, or for B2
//! `postcard`, whose layout copyreg's streams share) of one case
//! ITERATIONS times, after building its data. benches/callgrind.py runs it under callgrind
//! with 0 and with N iterations, so that the difference is the cost of the loop alone.

use std::hint::black_box;

use serde::{Deserialize, Serialize};

// The benches' own data (B1's struct, B2's records, B4's dict), so that counts and timings
// are of the same values.
#[path = "../../common/data.rs"]
mod data;

use data::{
    batch, build, links, memo, nested, profile, small, Graph, Log, Memo, Profile, Records, Small,
};

trait Obj: std::any::Any {}

macro_rules! objects {
    ($($m:ident)*) => {
        $(mod $m {
            #[derive(copyreg::Reducible, serde::Serialize, serde::Deserialize)]
            #[reducer(dyn(super::Obj))]
            pub struct T {
                pub a: u32,
                pub b: f64,
            }
            impl super::Obj for T {}
        })*

        #[allow(non_camel_case_types)]
        #[derive(Serialize, Deserialize)]
        enum Plain {
            $($m($m::T),)*
        }

        /// Object `i` of a batch over `k` types.
        fn object(i: usize, k: usize) -> (Box<dyn Obj>, Plain) {
            let makers: &[fn(u32, f64) -> (Box<dyn Obj>, Plain)] = &[$(
                |a, b| (Box::new($m::T { a, b }), Plain::$m($m::T { a, b })),
            )*];
            makers[i % k](i as u32, i as f64)
        }
    };
}

data::b5_types!(objects);

#[derive(copyreg::Reducible)]
#[reducer(name = "bench.Objects")]
struct Objects {
    items: Vec<Box<dyn Obj>>,
}

/// How many records a B2 case's batch holds: 10,000, or 100 or 1,000,000 as its name says.
fn records(case: &str) -> usize {
    match case {
        _ if case.starts_with("b2-100-") => 100,
        _ if case.starts_with("b2-1m-") => 1_000_000,
        _ => 10_000,
    }
}

/// Runs `f` `n` times.
fn repeat<R>(n: u64, mut f: impl FnMut() -> R) {
    for _ in 0..n {
        black_box(f());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, case, side, n] = &args[..] else {
        eprintln!("usage: copyreg-profile CASE copyreg|baseline ITERATIONS");
        std::process::exit(2);
    };
    let n: u64 = n.parse().expect("ITERATIONS is a number");
    let ours = side == "copyreg";
    match case.as_str() {
        "b1-dumps" => {
            let v = small();
            if ours {
                repeat(n, || copyreg::dumps(black_box(&v)).unwrap())
            } else {
                repeat(n, || bincode::serialize(black_box(&v)).unwrap())
            }
        }
        "b1-dumps-into" => {
            let (v, mut out) = (small(), Vec::new());
            if ours {
                repeat(n, || {
                    out.clear();
                    copyreg::dumps_into(black_box(&v), &mut out).unwrap()
                })
            } else {
                repeat(n, || {
                    out.clear();
                    bincode::serialize_into(&mut out, black_box(&v)).unwrap()
                })
            }
        }
        "b1-loads" => {
            let v = small();
            let (s, raw) = (copyreg::dumps(&v).unwrap(), bincode::serialize(&v).unwrap());
            if ours {
                repeat(n, || copyreg::loads::<Small>(black_box(&s)).unwrap())
            } else {
                repeat(n, || {
                    bincode::deserialize::<Small>(black_box(&raw)).unwrap()
                })
            }
        }
        "b10-load" => {
            // 100 small values one after another: `load` from a `BufReader` against `loads`.
            let one = copyreg::dumps(&small()).unwrap();
            let many = one.repeat(100);
            if ours {
                repeat(n, || {
                    let mut input = std::io::BufReader::new(black_box(many.as_slice()));
                    for _ in 0..100 {
                        black_box(copyreg::load::<Small>(&mut input).unwrap());
                    }
                })
            } else {
                repeat(n, || {
                    for stream in black_box(many.as_slice()).chunks(one.len()) {
                        black_box(copyreg::loads::<Small>(stream).unwrap());
                    }
                })
            }
        }
        "b1-copy" => {
            let v = small();
            if ours {
                repeat(n, || copyreg::copy(black_box(&v)).unwrap())
            } else {
                repeat(n, || black_box(&v).clone())
            }
        }
        "b2-dumps" | "b2-100-dumps" | "b2-1m-dumps" => {
            let v = batch(records(case));
            if ours {
                repeat(n, || copyreg::dumps(black_box(&v)).unwrap())
            } else if side == "postcard" {
                repeat(n, || postcard::to_allocvec(black_box(&v)).unwrap())
            } else {
                repeat(n, || bincode::serialize(black_box(&v)).unwrap())
            }
        }
        "b2-loads" | "b2-100-loads" | "b2-1m-loads" => {
            let v = batch(records(case));
            let (s, raw) = (copyreg::dumps(&v).unwrap(), bincode::serialize(&v).unwrap());
            let post = postcard::to_allocvec(&v).unwrap();
            if ours {
                repeat(n, || copyreg::loads::<Vec<Log>>(black_box(&s)).unwrap())
            } else if side == "postcard" {
                repeat(n, || {
                    postcard::from_bytes::<Vec<Log>>(black_box(&post)).unwrap()
                })
            } else {
                repeat(n, || {
                    bincode::deserialize::<Vec<Log>>(black_box(&raw)).unwrap()
                })
            }
        }
        "b6-dumps" | "b6-loads" | "b6-deepcopy" => {
            // No baseline here: B6's are Python's (benches/python_baseline.py).
            let graph = Graph {
                root: build(&links()),
            };
            let bytes = copyreg::dumps(&graph).unwrap();
            match (case.as_str(), ours) {
                (_, false) => {}
                ("b6-dumps", true) => repeat(n, || copyreg::dumps(black_box(&graph)).unwrap()),
                ("b6-loads", true) => {
                    repeat(n, || copyreg::loads::<Graph>(black_box(&bytes)).unwrap())
                }
                (_, true) => repeat(n, || copyreg::deepcopy(black_box(&graph)).unwrap()),
            }
        }
        "b6-memo-deepcopy" | "b6-memo-round-trip" => {
            // The baseline rebuilds the list once and shares it, as a memo would.
            let v = memo();
            let rebuild = |m: &Memo| {
                let list = std::sync::Arc::new(m.a.0.as_ref().clone());
                Memo {
                    a: (list.clone(), list.clone(), list.clone()),
                    b: vec![list; m.b.len()],
                }
            };
            match (case.as_str(), ours) {
                (_, false) => repeat(n, || rebuild(black_box(&v))),
                ("b6-memo-deepcopy", true) => {
                    repeat(n, || copyreg::deepcopy(black_box(&v)).unwrap())
                }
                (_, true) => repeat(n, || {
                    let bytes = copyreg::dumps(black_box(&v)).unwrap();
                    copyreg::loads::<Memo>(&bytes).unwrap()
                }),
            }
        }
        "b4-nested-dumps" | "b4-nested-loads" => {
            let v = Records(nested());
            let (s, raw) = (copyreg::dumps(&v).unwrap(), bincode::serialize(&v).unwrap());
            match (case.as_str(), ours) {
                ("b4-nested-dumps", true) => repeat(n, || copyreg::dumps(black_box(&v)).unwrap()),
                ("b4-nested-dumps", false) => {
                    repeat(n, || bincode::serialize(black_box(&v)).unwrap())
                }
                (_, true) => repeat(n, || copyreg::loads::<Records>(black_box(&s)).unwrap()),
                (_, false) => repeat(n, || {
                    bincode::deserialize::<Records>(black_box(&raw)).unwrap()
                }),
            }
        }
        "b4-dumps" | "b4-loads" => {
            let v = Profile(profile());
            let (s, raw) = (copyreg::dumps(&v).unwrap(), bincode::serialize(&v).unwrap());
            match (case.as_str(), ours) {
                ("b4-dumps", true) => repeat(n, || copyreg::dumps(black_box(&v)).unwrap()),
                ("b4-dumps", false) => repeat(n, || bincode::serialize(black_box(&v)).unwrap()),
                (_, true) => repeat(n, || copyreg::loads::<Profile>(black_box(&s)).unwrap()),
                (_, false) => repeat(n, || {
                    bincode::deserialize::<Profile>(black_box(&raw)).unwrap()
                }),
            }
        }
        "b5-dumps" | "b5-loads" | "b5-100-dumps" | "b5-100-loads" => {
            let k = if case.starts_with("b5-100") { 100 } else { 8 };
            let (items, plain): (Vec<_>, Vec<_>) = (0..1000).map(|i| object(i, k)).unzip();
            let objects = Objects { items };
            let (s, raw) = (
                copyreg::dumps(&objects).unwrap(),
                bincode::serialize(&plain).unwrap(),
            );
            match (case.as_str(), ours) {
                ("b5-dumps" | "b5-100-dumps", true) => {
                    repeat(n, || copyreg::dumps(black_box(&objects)).unwrap())
                }
                ("b5-dumps" | "b5-100-dumps", false) => {
                    repeat(n, || bincode::serialize(black_box(&plain)).unwrap())
                }
                (_, true) => repeat(n, || copyreg::loads::<Objects>(black_box(&s)).unwrap()),
                (_, false) => repeat(n, || {
                    bincode::deserialize::<Vec<Plain>>(black_box(&raw)).unwrap()
                }),
            }
        }
        other => {
            eprintln!("unknown case {other}");
            std::process::exit(2);
        }
    }
}
