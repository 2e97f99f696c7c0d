//! The cluster on two processes over loopback prints, together, what one process prints
//! alone, and each process received parcels the other sent.

use std::io::Read;
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const CLUSTER: &str = env!("CARGO_BIN_EXE_copyreg-cluster");

/// Waits for `child` at most `limit`, killing it after that.
fn wait(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("wait on the process").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_end(&mut stderr)
        .unwrap();
    Output {
        status: child.wait().unwrap(),
        stdout,
        stderr,
    }
}

fn run(args: &[&str]) -> Child {
    Command::new(CLUSTER)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the cluster binary starts")
}

/// The lines about sites (timely prints its own about connections).
fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|line| line.starts_with("site "))
        .map(str::to_string)
        .collect()
}

/// Two loopback ports free a moment ago.
fn free_ports() -> [u16; 2] {
    let a = TcpListener::bind("127.0.0.1:0").unwrap();
    let b = TcpListener::bind("127.0.0.1:0").unwrap();
    [
        a.local_addr().unwrap().port(),
        b.local_addr().unwrap().port(),
    ]
}

#[test]
fn two_processes_print_together_what_one_prints_alone() {
    let alone = wait(run(&[]), Duration::from_secs(60));
    assert!(
        alone.status.success(),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    let mut expected = lines(&alone.stdout);
    expected.sort();
    assert_eq!(expected.len(), 5, "one line per site: {expected:?}");
    assert!(
        expected.iter().all(|l| l.ends_with("shared=true")),
        "{expected:?}"
    );

    // A port taken between the check and the start fails the start: try again, a few times.
    let mut last_failure = String::new();
    for _attempt in 0..3 {
        let [p0, p1] = free_ports();
        let hostfile = std::env::temp_dir().join(format!("copyreg-cluster-{p0}-{p1}"));
        std::fs::write(&hostfile, format!("127.0.0.1:{p0}\n127.0.0.1:{p1}\n")).unwrap();
        let hosts = hostfile.to_str().unwrap();
        let first = run(&["-n", "2", "-p", "0", "-h", hosts]);
        let second = run(&["-n", "2", "-p", "1", "-h", hosts]);
        let (first, second) = (
            wait(first, Duration::from_secs(60)),
            wait(second, Duration::from_secs(60)),
        );
        let _ = std::fs::remove_file(&hostfile);
        if !(first.status.success() && second.status.success()) {
            last_failure = format!(
                "process 0: {}\nprocess 1: {}",
                String::from_utf8_lossy(&first.stderr),
                String::from_utf8_lossy(&second.stderr)
            );
            continue;
        }
        let (out0, out1) = (lines(&first.stdout), lines(&second.stdout));
        // The sites are split between the processes, none printed twice.
        assert!(!out0.is_empty() && !out1.is_empty(), "{out0:?} {out1:?}");
        let mut together: Vec<String> = out0.into_iter().chain(out1).collect();
        together.sort();
        assert_eq!(together, expected);
        // And each process loaded parcels that the other dumped.
        for (index, output) in [(0, &first), (1, &second)] {
            let report = String::from_utf8_lossy(&output.stderr);
            let received: usize = report
                .lines()
                .find_map(|line| line.strip_prefix(&format!("worker {index}: ")))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("process {index} reports: {report}"));
            assert!(received > 0, "process {index}: {report}");
        }
        return;
    }
    panic!("the two-process cluster failed three times:\n{last_failure}");
}
