//! Writes `types_<n>.rs` for each scale: `n` derived types, and a function that dumps and
//! loads the first of them (the program's first registry use).

use std::fmt::Write;

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
        std::fs::write(format!("{out}/types_{n}.rs"), code).unwrap();
    }
    println!("cargo:rerun-if-changed=build.rs");
}
