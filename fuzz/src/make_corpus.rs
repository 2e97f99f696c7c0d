//! Writes the seed corpus: real streams of the fuzzed types, so the fuzzer starts from valid
//! input. `cargo run --bin make_corpus` (from `fuzz/`).

#[path = "empty.rs"]
mod empty;
#[path = "rich.rs"]
mod rich;

use std::fs;
use std::path::Path;
use std::time::Duration;

/// CPython's pickles of every case of `tests/python/values.py`, protocols 0 to 5; none
/// (after a notice) without `python3`.
fn cpython_pickles() -> Vec<(String, Vec<u8>)> {
    let out = std::process::Command::new("python3")
        .args(["../tests/python/values.py", "emit"])
        .output();
    let out = match out {
        Ok(out) if out.status.success() => out.stdout,
        _ => {
            eprintln!("python3 did not run tests/python/values.py: no CPython seeds");
            return Vec::new();
        }
    };
    let text = String::from_utf8_lossy(&out);
    text.lines()
        .filter_map(|line| {
            let case: serde_json::Value = serde_json::from_str(line).ok()?;
            let hex = case["pickle"].as_str()?;
            let bytes = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
                .collect::<Option<Vec<u8>>>()?;
            Some((format!("{} {}", case["case"].as_str()?, case["protocol"]), bytes))
        })
        .collect()
}

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
    let cpython = cpython_pickles();
    let mut python_seeds: Vec<(&str, Vec<u8>)> =
        cpython.iter().map(|(name, bytes)| (name.as_str(), bytes.clone())).collect();
    for protocol in 2..=5 {
        python_seeds.push((
            ["py-kinds-2", "py-kinds-3", "py-kinds-4", "py-kinds-5"][usize::from(protocol - 2)],
            copyreg::python::dumps_with(&vec![rich::Kind::Number(1), rich::Kind::Empty], protocol)?,
        ));
    }
    python_seeds.push(("py-duration", copyreg::python::dumps(&Duration::new(1, 2))?));
    python_seeds.push((
        "py-pair",
        copyreg::python::dumps(&rich::Pair { a: 1u8, b: String::from("s") })?,
    ));
    let targets = [
        ("python_loads", &python_seeds),
        ("load_stream", &stream_seeds),
        ("loads_rich", &seeds),
        ("loads_any", &seeds),
        ("loads_empty", &empty_seeds),
    ];
    for (target, seeds) in targets {
        let dir = Path::new("corpus").join(target);
        fs::create_dir_all(&dir)?;
        for (name, bytes) in seeds.iter() {
            fs::write(dir.join(name.replace([' ', ','], "_")), bytes)?;
        }
        println!("wrote {} seeds to corpus/{target}", seeds.len());
    }
    Ok(())
}
