#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Any input: an error or a value, never a panic, a hang or an outsized allocation.
    let limited = copyreg::Unpickler::new().max_alloc(1 << 24);
    let Ok(value) = limited.python_loads_value(data) else {
        return;
    };
    // What is read writes back, with every protocol that can hold it, as itself.
    for protocol in 2..=5 {
        let Ok(bytes) = copyreg::python::dumps_value_with(&value, protocol) else {
            continue;
        };
        let roomy = copyreg::Unpickler::new().max_elements(1 << 24);
        let back = roomy
            .python_loads_value(&bytes)
            .unwrap_or_else(|e| panic!("protocol {protocol} wrote what it cannot read: {e}"));
        // Debug, not ==: NaN is not equal to itself.
        assert_eq!(format!("{back:?}"), format!("{value:?}"), "protocol {protocol}");
    }
});
