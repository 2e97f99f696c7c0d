//! Writes the seed corpus: real streams of the fuzzed types, so the fuzzer starts from valid
//! input. `cargo run --bin make_corpus` (from `fuzz/`).

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
    for target in ["loads_rich", "loads_any"] {
        let dir = Path::new("corpus").join(target);
        fs::create_dir_all(&dir)?;
        for (name, bytes) in &seeds {
            fs::write(dir.join(name), bytes)?;
        }
    }
    println!("wrote {} seeds to corpus/loads_rich and corpus/loads_any", seeds.len());
    Ok(())
}
