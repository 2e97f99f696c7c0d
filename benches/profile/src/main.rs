//! `copyreg-profile CASE SIDE ITERATIONS`: runs one side (`copyreg` or `baseline`) of one case
//! ITERATIONS times, after building its data. benches/callgrind.py runs it under callgrind
//! with 0 and with N iterations, so that the difference is the cost of the loop alone.

use std::collections::HashMap;
use std::hint::black_box;

use serde::{Deserialize, Serialize};

#[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Small")]
struct Small {
    x: f64,
    y: f64,
    z: f64,
    id: i64,
    label: String,
}

#[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Log")]
struct Log {
    host: String,
    path: String,
    agent: String,
    message: String,
    status: u16,
    bytes: u64,
    millis: u32,
}

#[derive(copyreg::Reducible, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[reducer(name = "bench.Value")]
enum Value {
    Int(i64),
    Str(String),
    Flag(bool),
    List(Vec<String>),
}

#[derive(copyreg::Reducible, Serialize, Deserialize, Debug, PartialEq)]
#[reducer(name = "bench.Profile")]
struct Profile(HashMap<String, Value>);

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

        fn object(i: usize) -> (Box<dyn Obj>, Plain) {
            let makers: &[fn(u32, f64) -> (Box<dyn Obj>, Plain)] = &[$(
                |a, b| (Box::new($m::T { a, b }), Plain::$m($m::T { a, b })),
            )*];
            makers[i % makers.len()](i as u32, i as f64)
        }
    };
}

objects!(o0 o1 o2 o3 o4 o5 o6 o7);

#[derive(copyreg::Reducible)]
#[reducer(name = "bench.Objects")]
struct Objects {
    items: Vec<Box<dyn Obj>>,
}

fn small() -> Small {
    Small {
        x: 1.5,
        y: -2.25,
        z: 3.125,
        id: 42,
        label: "twelve chars".into(),
    }
}

fn logs() -> Vec<Log> {
    (0..10_000)
        .map(|i| Log {
            host: format!("host-{}", i % 17),
            path: format!("/api/v1/items/{i}"),
            agent: "Mozilla/5.0 (X11; Linux x86_64)".into(),
            message: format!("request {i} served"),
            status: 200 + (i % 5) as u16,
            bytes: (i * 37) as u64,
            millis: (i % 1000) as u32,
        })
        .collect()
}

fn profile() -> Profile {
    Profile(
        (0..33)
            .map(|i| {
                let value = match i % 4 {
                    0 => Value::Int(i * 1_000_003),
                    1 => Value::Str(format!("value {i}")),
                    2 => Value::Flag(i % 3 == 0),
                    _ => Value::List((0..5).map(|j| format!("item {i} {j}")).collect()),
                };
                (format!("key_number_{i}"), value)
            })
            .collect(),
    )
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
        "b1-copy" => {
            let v = small();
            if ours {
                repeat(n, || copyreg::copy(black_box(&v)).unwrap())
            } else {
                repeat(n, || black_box(&v).clone())
            }
        }
        "b2-dumps" => {
            let v = logs();
            if ours {
                repeat(n, || copyreg::dumps(black_box(&v)).unwrap())
            } else {
                repeat(n, || bincode::serialize(black_box(&v)).unwrap())
            }
        }
        "b2-loads" => {
            let v = logs();
            let (s, raw) = (copyreg::dumps(&v).unwrap(), bincode::serialize(&v).unwrap());
            if ours {
                repeat(n, || copyreg::loads::<Vec<Log>>(black_box(&s)).unwrap())
            } else {
                repeat(n, || {
                    bincode::deserialize::<Vec<Log>>(black_box(&raw)).unwrap()
                })
            }
        }
        "b4-loads" => {
            let v = profile();
            let (s, raw) = (copyreg::dumps(&v).unwrap(), bincode::serialize(&v).unwrap());
            if ours {
                repeat(n, || copyreg::loads::<Profile>(black_box(&s)).unwrap())
            } else {
                repeat(n, || {
                    bincode::deserialize::<Profile>(black_box(&raw)).unwrap()
                })
            }
        }
        "b5-dumps" | "b5-loads" => {
            let (items, plain): (Vec<_>, Vec<_>) = (0..1000).map(object).unzip();
            let objects = Objects { items };
            let (s, raw) = (
                copyreg::dumps(&objects).unwrap(),
                bincode::serialize(&plain).unwrap(),
            );
            match (case.as_str(), ours) {
                ("b5-dumps", true) => repeat(n, || copyreg::dumps(black_box(&objects)).unwrap()),
                ("b5-dumps", false) => repeat(n, || bincode::serialize(black_box(&plain)).unwrap()),
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
