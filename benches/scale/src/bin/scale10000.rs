//! B7 with 10000 derived types: prints how long the first dumps + loads took (the registry is
//! built then) and a second one, in nanoseconds, as JSON.

mod types {
    include!(concat!(env!("OUT_DIR"), "/types_10000.rs"));
}

fn main() {
    let start = std::time::Instant::now();
    types::first_use();
    let first = start.elapsed();
    let start = std::time::Instant::now();
    types::first_use();
    let second = start.elapsed();
    println!(
        "{{\"types\": 10000, \"first_call_ns\": {}, \"second_call_ns\": {}, \"registered\": {}}}",
        first.as_nanos(),
        second.as_nanos(),
        copyreg::dispatch_table().len()
    );
}
