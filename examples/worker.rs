//! Pass a `Config` to worker processes, as Python's `multiprocessing` does with pickle.
//!
//! Python:
//! ```python
//! with multiprocessing.Pool(2) as pool:
//!     print(pool.map(connect, [cfg, cfg]))
//! ```
//!
//! Rust, on procspawn's process pool: `Config` has no serde impl of its own, so it travels
//! as a `Pickled<Config>`, its copyreg stream, and each worker process loads it back.

use copyreg::serde::Pickled;

#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "worker.Config")]
struct Config {
    host: String,
    port: u16,
}

/// What a worker does with its config. Runs in a pool process; the `String` it returns
/// travels back (procspawn carries serde types).
fn connect(config: Pickled<Config>) -> Result<String, String> {
    let config = config.load().map_err(|e| e.to_string())?;
    Ok(format!("Connected to {}:{}", config.host, config.port))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Pool processes run this same executable: this call turns them into workers, so it
    // comes first.
    procspawn::init();

    let config = Config {
        host: "localhost".into(),
        port: 8080,
    };
    let pool = procspawn::Pool::new(2)?;
    let pickled = Pickled::new(&config)?;
    let handles: Vec<_> = (0..2)
        .map(|_| pool.spawn(pickled.clone(), connect))
        .collect();
    let answers = handles
        .into_iter()
        .map(|handle| handle.join()?.map_err(Into::into))
        .collect::<Result<Vec<String>, Box<dyn std::error::Error>>>()?;
    pool.shutdown();

    println!("{answers:?}");
    assert_eq!(answers, ["Connected to localhost:8080"; 2]);
    Ok(())
}
