//! Writes the seed corpus: real streams of the fuzzed types, so the fuzzer starts from valid
//! input. `cargo run --bin make_corpus` (from `fuzz/`).

#[path = "empty.rs"]
mod empty;
#[path = "rich.rs"]
mod rich;

use std::fs;
use std::path::Path;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("rich", copyreg::dumps(&rich::rich())?),
        ("kinds", copyreg::dumps(&vec![rich::Kind::Number(1), rich::Kind::Empty])?),
        ("circle", copyreg::dumps(&rich::Circle { r: 2.0 })?),
        ("square", copyreg::dumps(&rich::Square(1.5))?),
        ("duration", copyreg::dumps(&Duration::new(1, 2))?),
        ("pair", copyreg::dumps(&rich::Pair { a: 1u8, b: String::from("s") })?),
        ("strings", copyreg::dumps(&vec![String::from("a"), String::from("bc")])?),
        ("option", copyreg::dumps(&Some(7u64))?),
    ];
    let empty_seeds: Vec<(&str, Vec<u8>)> = vec![
        ("empty", copyreg::dumps(&empty::empty())?),
        ("units", copyreg::dumps(&vec![(); 3])?),
    ];
    // Streams one after another, and a Pickled<Rich> as bincode and JSON carry it.
    let pickled = copyreg::serde::Pickled::new(&rich::rich())?;
    let stream_seeds: Vec<(&str, Vec<u8>)> = vec![
        ("two", [seeds[0].1.clone(), seeds[0].1.clone()].concat()),
        ("one", seeds[0].1.clone()),
        ("bincode", bincode::serialize(&pickled)?),
        ("json", serde_json::to_vec(&pickled)?),
    ];
    let targets = [
        ("load_stream", &stream_seeds),
        ("loads_rich", &seeds),
        ("loads_any", &seeds),
        ("loads_empty", &empty_seeds),
    ];
    for (target, seeds) in targets {
        let dir = Path::new("corpus").join(target);
        fs::create_dir_all(&dir)?;
        for (name, bytes) in seeds.iter() {
            fs::write(dir.join(name), bytes)?;
        }
        println!("wrote {} seeds to corpus/{target}", seeds.len());
    }
    Ok(())
}
