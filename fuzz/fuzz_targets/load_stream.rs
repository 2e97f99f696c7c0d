#![no_main]

#[path = "../src/rich.rs"]
mod rich;

use copyreg::serde::Pickled;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The input as streams one after another, read through `load`: each call either reads
    // a whole stream or fails, and the clean end of the input is `Eof`.
    let mut input = data;
    for _ in 0..64 {
        let before = input.len();
        match copyreg::load::<rich::Rich>(&mut input) {
            Ok(_) => assert!(input.len() < before),
            Err(copyreg::Error::Eof) => {
                assert!(before == 0);
                break;
            }
            Err(_) => break,
        }
    }
    // The same bytes as a serde message carrying a `Pickled<Rich>`, in bincode and in JSON.
    if let Ok(pickled) = bincode::deserialize::<Pickled<rich::Rich>>(data) {
        let _ = pickled.load();
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(pickled) = serde_json::from_str::<Pickled<rich::Rich>>(text) {
            let _ = pickled.load();
        }
    }
});
