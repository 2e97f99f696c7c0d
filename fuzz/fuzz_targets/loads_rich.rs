#![no_main]

#[path = "../src/rich.rs"]
mod rich;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Any input: an error or a value, never a panic, a hang or an outsized allocation.
    if let Ok(value) = copyreg::loads::<rich::Rich>(data) {
        // What loads must dump again.
        let _ = copyreg::dumps(&value);
        let _ = copyreg::deepcopy(&value);
    }
    let limited = copyreg::Unpickler::new()
        .max_alloc(1 << 20)
        .max_objects(1 << 12)
        .allow::<rich::Kind>();
    let _ = limited.loads::<Vec<rich::Kind>>(data);
    // The listing of any input: a string, never a panic.
    let _ = copyreg::dis(data);
});
