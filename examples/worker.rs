//! Pass a `Config` to worker processes, as Python's `multiprocessing` does with pickle.
//!
//! Python:
//! ```python
//! with multiprocessing.Pool(2) as pool:
//!     print(pool.map(connect, [cfg, cfg]))
//! ```
//!
//! `cargo run --example worker` starts this same executable twice more in worker mode,
//! sends each the bytes of `copyreg::dumps(&config)` on its standard input, and prints what
//! they answer.

use std::error::Error;
use std::io::{Read, Write};
use std::process::{Command, Stdio};

#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "worker.Config")]
struct Config {
    host: String,
    port: u16,
}

const WORKER_FLAG: &str = "--copyreg-worker";

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().nth(1).as_deref() == Some(WORKER_FLAG) {
        return worker();
    }
    let config = Config {
        host: "localhost".into(),
        port: 8080,
    };
    let payload = copyreg::dumps(&config)?;

    let exe = std::env::current_exe()?;
    let workers = (0..2)
        .map(|_| {
            Command::new(&exe)
                .arg(WORKER_FLAG)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut answers = Vec::new();
    for mut child in workers {
        let mut stdin = child.stdin.take().ok_or("worker has no stdin")?;
        stdin.write_all(&payload)?;
        drop(stdin); // end of input: the worker can load
        let output = child.wait_with_output()?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!("worker failed ({}): {}", output.status, stderr.trim()).into());
        }
        answers.push(String::from_utf8(output.stdout)?.trim().to_string());
    }
    println!("{answers:?}");
    assert_eq!(answers, ["Connected to localhost:8080"; 2]);
    Ok(())
}

/// Worker mode: rebuild the config from standard input and answer on standard output.
fn worker() -> Result<(), Box<dyn Error>> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes)?;
    let config: Config = copyreg::loads(&bytes)?;
    println!("Connected to {}:{}", config.host, config.port);
    Ok(())
}
