//! Running the CPython side of the interop tests (`tests/python/*.py`), shared by
//! `test_python_values.rs` and `test_python_typed.rs`.

use std::io::Write;
use std::process::{Command, Stdio};

/// `python3 tests/python/<script> <mode>` with `input` on stdin: its stdout and whether it
/// succeeded, or `None`, after a notice, when there is no `python3` to run.
pub fn run(script: &str, mode: &str, input: &str) -> Option<(String, bool)> {
    let path = format!("{}/tests/python/{script}", env!("CARGO_MANIFEST_DIR"));
    let child = Command::new("python3")
        .args([path.as_str(), mode])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        Err(e) => {
            eprintln!("python3 is not available ({e}): skipping the CPython interop tests");
            return None;
        }
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    stdin
        .write_all(input.as_bytes())
        .expect("python3 reads its input");
    drop(stdin);
    let out = child.wait_with_output().expect("python3 runs");
    let stdout = String::from_utf8(out.stdout).expect("python3 writes UTF-8");
    Some((stdout, out.status.success()))
}

/// Bytes from hex.
pub fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Hex from bytes.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
