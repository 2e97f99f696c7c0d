//! Writes `scale_<n>.rs` for each scale, the whole of program `scale<n>`: `n` derived types,
//! and a `main` that times the first dumps + loads of one of them (which builds the registry
//! table) and a second one, and prints both with the registry's size and the time `main`
//! itself took (what a whole run takes beyond it is start-up and exit) as JSON.

use std::fmt::Write;

const MAIN: &str = r#"

fn main() {
    let entered = std::time::Instant::now();
    let start = std::time::Instant::now();
    first_use();
    let first = start.elapsed();
    let start = std::time::Instant::now();
    first_use();
    let second = start.elapsed();
    let registered = copyreg::dispatch_table().len();
    println!(
        "{{\"types\": TYPES, \"first_call_ns\": {}, \"second_call_ns\": {}, \"registered\": {}, \"main_ns\": {}}}",
        first.as_nanos(),
        second.as_nanos(),
        registered,
        entered.elapsed().as_nanos()
    );
}
"#;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for n in [0usize, 1_000, 10_000] {
        let mut code = String::new();
        for i in 0..n {
            writeln!(
                code,
                "#[derive(copyreg::Reducible, Debug, PartialEq)]\n\
                 #[reducer(name = \"scale.T{i}\")]\n\
                 pub struct T{i} {{ pub a: u32 }}"
            )
            .unwrap();
        }
        let first = if n == 0 {
            "pub fn first_use() { let b = copyreg::dumps(&7u32).unwrap(); assert_eq!(copyreg::loads::<u32>(&b).unwrap(), 7); }".to_string()
        } else {
            "pub fn first_use() { let b = copyreg::dumps(&T0 { a: 7 }).unwrap(); assert_eq!(copyreg::loads::<T0>(&b).unwrap(), T0 { a: 7 }); }".to_string()
        };
        code.push_str(&first);
        code.push_str(MAIN);
        std::fs::write(
            format!("{out}/scale_{n}.rs"),
            code.replace("TYPES", &n.to_string()),
        )
        .unwrap();
    }
    println!("cargo:rerun-if-changed=build.rs");
}
