#![no_main]

#[path = "../src/rich.rs"]
mod rich;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Any input: an error or a value, never a panic, a hang or an outsized allocation.
    let limited = copyreg::Unpickler::new()
        .max_alloc(1 << 24)
        .max_objects(1 << 12);
    // Typed: only registered constructors run, and what loads writes back.
    if let Ok(kinds) = limited.python_loads::<Vec<rich::Kind>>(data) {
        let again = copyreg::python::dumps(&kinds).expect("what loads dumps again");
        let back: Vec<rich::Kind> = copyreg::python::loads(&again).expect("and loads again");
        assert_eq!(format!("{back:?}"), format!("{kinds:?}"));
    }
    let _ = limited.python_loads::<rich::Rich>(data);
    let _ = limited.python_loads::<rich::Pair<u8, String>>(data);
    let _ = limited.python_loads::<std::time::Duration>(data);
    // Inert: any pickle reads, and what is read writes back, with every protocol that can
    // hold it, as itself.
    let Ok(value) = limited.python_loads_value(data) else {
        return;
    };
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
