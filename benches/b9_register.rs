//! B9, registering many types at run time: `copyreg::pickle` for 256 distinct types, timed in
//! blocks of 32 in registration order. If each registration copied the table, a late block
//! would take many times an early one (the table it copies is 8x larger); registering in
//! place, every block takes about the same. Reported: each block's time per registration,
//! and the last block's over the first's (#14's target: O(n) in all, so about 1x).
//!
//! `cargo bench --bench b9_register` (one pass: a type registers for the first time once).

mod common;

use std::time::Instant;

/// 256 distinct types, one per pair of parameters.
#[derive(Debug)]
struct Reg<const A: u8, const B: u8>(u8);

/// Registers `Reg<A, B>` for every `B` given, timing each.
macro_rules! row {
    ($times:ident, $a:literal; $($b:literal)*) => {{
        $(
            let start = Instant::now();
            copyreg::pickle(|r: &Reg<$a, $b>| (r.0,), Reg::<$a, $b>).unwrap();
            $times.push(start.elapsed().as_nanos() as f64);
        )*
    }};
}

macro_rules! grid {
    ($times:ident; $($a:literal)*) => {
        $( row!($times, $a; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15); )*
    };
}

fn main() {
    // Under `cargo test --benches` (which passes no `--bench`), run once without reporting.
    let measuring = std::env::args().any(|a| a == "--bench");
    // The link-time table is built by the first call of any kind, not by a registration.
    let _ = copyreg::dispatch_table();
    let mut times: Vec<f64> = Vec::new();
    grid!(times; 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
    let blocks: Vec<f64> = times
        .chunks(32)
        .map(|block| {
            let mut block = block.to_vec();
            block.sort_by(f64::total_cmp);
            block[block.len() / 2]
        })
        .collect();
    let ratio = blocks[blocks.len() - 1] / blocks[0];
    if !measuring {
        return;
    }
    for (i, ns) in blocks.iter().enumerate() {
        println!(
            "B9 registrations {:>3}-{:>3}: {:>8.0} ns each",
            i * 32,
            i * 32 + 31,
            ns
        );
    }
    println!("B9 last block / first block: {ratio:.2}x");
    common::write_fixture(
        "b9",
        &serde_json::json!({ "ns_per_registration": blocks, "ratio": ratio }),
    );
}
