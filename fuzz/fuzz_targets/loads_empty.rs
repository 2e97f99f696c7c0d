#![no_main]

#[path = "../src/empty.rs"]
mod empty;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Elements that take no bytes are counted, preallocation is charged at its real size and
    // cyclic builds never unwind: an error or a value, quickly, within the allocation bound.
    if let Ok(value) = copyreg::loads::<empty::Empty>(data) {
        let _ = copyreg::dumps(&value);
        let _ = copyreg::deepcopy(&value);
    }
    let limited = copyreg::Unpickler::new().max_alloc(1 << 16).max_elements(1 << 12);
    let _ = limited.loads::<empty::Empty>(data);
});
