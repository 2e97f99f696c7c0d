//! A program built with `panic = "abort"` loads hostile streams and deep-copies values whose
//! constructors fail, around allocations that a `Weak` points back to: every call returns,
//! where unwinding out of `new_cyclic` would kill the process. The program is
//! `tests/abort/`; it is built here, in a target directory of its own, and run as a child.

use std::path::Path;
use std::process::Command;

#[test]
fn a_panic_abort_program_gets_errors_not_an_abort() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--locked", "--manifest-path"])
        .arg(root.join("tests/abort/Cargo.toml"))
        .env("CARGO_TARGET_DIR", root.join("target/abort"))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the program ended with {}:\n{stdout}\n{stderr}",
        output.status
    );
    // "returned: N values, M errors"
    let counts: Vec<usize> = stdout
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    match counts[..] {
        [values, errors] => {
            assert!(values > 0, "{stdout}");
            assert!(errors > 1000, "{stdout}");
        }
        _ => panic!("unexpected output: {stdout}"),
    }
}
