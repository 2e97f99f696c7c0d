//! Writes the whole of each B7 program, `scale<n>`: `n` derived types, and a `main` that
//! prints as JSON the time of the first dumps + loads of one of them (which builds the
//! registry table) and of a second one, the registry's size, and the time `main` itself
//! took (what a whole run takes beyond it is start-up and exit).
//!
//! Also `b5many`: 1,000 derived types registered as `dyn Obj`, whose `main` prints B5 over
//! them as well: the median time to dump and to load 10,000 `Box<dyn Obj>` of 8 types and of
//! all 1,000. That measures B5's flatness in K past the B5 bench's 100 types without
//! compiling typetag and enum baselines of that size. (10,000 types no longer compile on a
//! 24 GB machine: rustc passed 22 GB for the plain ones and 24 GB for `dyn Obj` ones, where
//! 1,000 take 2.4 GB.)

use std::fmt::Write;

/// What every program holds besides its types.
const COMMON: &str = r#"
pub trait Obj: std::any::Any {}

#[derive(copyreg::Reducible)]
#[reducer(name = "scale.Objects")]
pub struct Objects {
    pub items: Vec<Box<dyn Obj>>,
}

/// The median time of 101 calls of `f`.
fn median_ns(mut f: impl FnMut()) -> u128 {
    let mut times: Vec<u128> = (0..101)
        .map(|_| {
            let start = std::time::Instant::now();
            f();
            start.elapsed().as_nanos()
        })
        .collect();
    times.sort_unstable();
    times[times.len() / 2]
}

/// B5's shape over the first `k` types: 10,000 objects (ten per type at K = 1,000), object
/// `i` of type `i * 7919 mod k`, so that with many types a stream's types are spread over the
/// registry. Returns the median dumps and loads times.
fn b5(k: usize) -> (u128, u128) {
    use std::hint::black_box;
    let objects = Objects {
        items: (0..10_000).map(|i| MAKERS[i * 7919 % k](i as u32)).collect(),
    };
    let bytes = copyreg::dumps(&objects).unwrap();
    let back = copyreg::loads::<Objects>(&bytes).unwrap();
    assert_eq!(copyreg::dumps(&back).unwrap(), bytes);
    let dumps = median_ns(|| drop(black_box(copyreg::dumps(black_box(&objects)).unwrap())));
    let loads = median_ns(|| drop(black_box(copyreg::loads::<Objects>(black_box(&bytes)).unwrap())));
    (dumps, loads)
}

fn main() {
    let entered = std::time::Instant::now();
    let start = std::time::Instant::now();
    first_use();
    let first = start.elapsed();
    let start = std::time::Instant::now();
    first_use();
    let second = start.elapsed();
    let registered = copyreg::dispatch_table().len();
    let b5 = if MAKERS.is_empty() {
        "null".to_string()
    } else {
        let (k8_dumps, k8_loads) = b5(8);
        let (all_dumps, all_loads) = b5(MAKERS.len());
        format!(
            "{{\"k8_dumps_ns\": {k8_dumps}, \"k8_loads_ns\": {k8_loads}, \
             \"all_dumps_ns\": {all_dumps}, \"all_loads_ns\": {all_loads}}}"
        )
    };
    println!(
        "{{\"types\": {}, \"first_call_ns\": {}, \"second_call_ns\": {}, \"registered\": {}, \"b5\": {}, \"main_ns\": {}}}",
        TYPES,
        first.as_nanos(),
        second.as_nanos(),
        registered,
        b5,
        entered.elapsed().as_nanos()
    );
}
"#;

/// The source of a program with `n` types, registered as `dyn Obj` if `dyn_obj`.
fn program(n: usize, dyn_obj: bool) -> String {
    let mut code = String::from(COMMON);
    writeln!(code, "const TYPES: usize = {n};").unwrap();
    for i in 0..n {
        if dyn_obj {
            writeln!(
                code,
                "#[derive(copyreg::Reducible, Debug, PartialEq)]\n\
                 #[reducer(name = \"scale.T{i}\", dyn(Obj))]\n\
                 pub struct T{i} {{ pub a: u32 }}\n\
                 impl Obj for T{i} {{}}"
            )
        } else {
            writeln!(
                code,
                "#[derive(copyreg::Reducible, Debug, PartialEq)]\n\
                 #[reducer(name = \"scale.T{i}\")]\n\
                 pub struct T{i} {{ pub a: u32 }}"
            )
        }
        .unwrap();
    }
    code.push_str("const MAKERS: &[fn(u32) -> Box<dyn Obj>] = &[\n");
    for i in (0..n).filter(|_| dyn_obj) {
        writeln!(code, "    |a| Box::new(T{i} {{ a }}),").unwrap();
    }
    code.push_str("];\n");
    code.push_str(if n == 0 {
        "fn first_use() { let b = copyreg::dumps(&7u32).unwrap(); assert_eq!(copyreg::loads::<u32>(&b).unwrap(), 7); }\n"
    } else {
        "fn first_use() { let b = copyreg::dumps(&T0 { a: 7 }).unwrap(); assert_eq!(copyreg::loads::<T0>(&b).unwrap(), T0 { a: 7 }); }\n"
    });
    code
}

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for n in [0usize, 1_000, 10_000] {
        std::fs::write(format!("{out}/scale_{n}.rs"), program(n, false)).unwrap();
    }
    std::fs::write(format!("{out}/b5many.rs"), program(1_000, true)).unwrap();
    println!("cargo:rerun-if-changed=build.rs");
}
