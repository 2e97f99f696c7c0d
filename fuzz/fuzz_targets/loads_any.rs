#![no_main]

#[path = "../src/rich.rs"]
mod rich;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Whatever the stream names, only registered constructors run, and bad bytes are errors.
    if let Ok(value) = copyreg::loads_any(data) {
        let _ = copyreg::dumps_dyn(&*value);
    }
    let _ = copyreg::loads_dyn::<dyn rich::Shape>(data);
});
