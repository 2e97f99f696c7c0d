//! `copyreg::dis`: every byte of a stream accounted for, with offsets; bad bytes listed up
//! to where they go wrong, never a panic.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use copyreg::Reducible;

mod common;

#[derive(Reducible, Debug)]
#[reducer(name = "dis.Style")]
struct Style {
    bold: bool,
}

#[derive(Reducible)]
#[reducer(name = "dis.Node")]
struct Node {
    label: String,
    style: Arc<Style>,
    parent: Weak<RefCell<Node>>,
    children: Vec<Rc<RefCell<Node>>>,
}

copyreg::register!(Rc<RefCell<Node>>);

fn tree() -> Rc<RefCell<Node>> {
    let style = Arc::new(Style { bold: true });
    let root = Rc::new(RefCell::new(Node {
        label: "root".into(),
        style: style.clone(),
        parent: Weak::new(),
        children: vec![],
    }));
    for label in ["a", "b"] {
        let child = Rc::new(RefCell::new(Node {
            label: label.into(),
            style: style.clone(),
            parent: Rc::downgrade(&root),
            children: vec![],
        }));
        root.borrow_mut().children.push(child);
    }
    root
}

/// The offsets and byte counts of a listing's lines, and its error line if any.
fn lines(listing: &str) -> (Vec<(usize, usize)>, Option<&str>) {
    let mut spans = Vec::new();
    let mut error = None;
    for line in listing.lines() {
        if let Some(rest) = line.strip_prefix("error: ") {
            error = Some(rest);
            continue;
        }
        let (offset, rest) = line.split_once(": ").expect("offset: bytes  what");
        let offset: usize = offset.trim().parse().expect("a byte offset");
        let count = match rest.strip_prefix("… ") {
            Some(more) => more.split(' ').next().unwrap().parse().unwrap(),
            None => rest[..48.min(rest.len())].split_whitespace().count(),
        };
        spans.push((offset, count));
    }
    (spans, error)
}

#[test]
fn a_listing_accounts_for_every_byte_in_order() {
    let bytes = copyreg::dumps(&tree()).unwrap();
    let listing = copyreg::dis(&bytes);
    let (spans, error) = lines(&listing);
    assert_eq!(error, None, "{listing}");
    let mut next = 0;
    for (offset, count) in spans {
        assert_eq!(offset, next, "a gap or an overlap at {offset}:\n{listing}");
        next += count;
    }
    assert_eq!(next, bytes.len(), "{listing}");
    for expected in [
        "header: `cprg`, copyreg stream, format version 4",
        "object: `Rc<RefCell<dis.Node>>`",
        "new shared allocation that a `Weak` inside points back to, #1",
        "new shared allocation #2, whose value follows",
        "back reference to shared allocation #2",
        "`Weak` to shared allocation #1",
        "`Weak` that points nowhere",
        "name #2: `dis.Node`, a derived struct of 4 fields (built by `test_dis::Node`)",
        "the name table's length",
    ] {
        assert!(listing.contains(expected), "no {expected:?} in\n{listing}");
    }
}

#[test]
fn a_stream_that_goes_wrong_is_listed_up_to_where_it_does() {
    let bytes = copyreg::dumps(&vec![Style { bold: true }, Style { bold: false }]).unwrap();
    // The second style's flag is not a bool.
    let mut bad = bytes.clone();
    let body = common::body_offset(&bytes);
    bad[body + 4] = 7;
    let listing = copyreg::dis(&bad);
    let (spans, error) = lines(&listing);
    let error = error.expect("an error line");
    assert!(
        error.contains(&format!("at byte {}", body + 4)),
        "{listing}"
    );
    assert!(
        listing.contains("run: every object is `dis.Style`"),
        "{listing}"
    );
    // Listed up to the bad byte, and what was not read after it.
    assert!(
        spans.iter().any(|&(offset, _)| offset == body + 4),
        "{listing}"
    );
    assert!(listing.contains("not read"), "{listing}");

    // A name this program does not know.
    let unknown = common::stream(&["elsewhere.Thing"], &[1, 0]);
    let listing = copyreg::dis(&unknown);
    assert!(
        listing.contains("name #1: `elsewhere.Thing` (not registered in this program)"),
        "{listing}"
    );
    assert!(
        listing.contains("error: the stream names the constructor `elsewhere.Thing`"),
        "{listing}"
    );

    // A name table that cannot be read: the body is shown whole, unread.
    let mut bad_table = copyreg::dumps(&Style { bold: true }).unwrap();
    let table_start = bad_table.len() - 1 - common::table(&bad_table).len();
    bad_table[table_start] = 0x7f; // a name longer than the table
    let listing = copyreg::dis(&bad_table);
    let (spans, error) = lines(&listing);
    assert!(
        listing.contains("the body, not read: its name table is bad"),
        "{listing}"
    );
    assert!(error.is_some(), "{listing}");
    assert_eq!(spans[2].0, common::body_offset(&bad_table), "{listing}");

    assert!(copyreg::dis(b"\x80\x04K\x01.")
        .contains("error: not a copyreg stream: this looks like a Python pickle stream"));
    assert!(copyreg::dis(b"").contains("error: not a copyreg stream"));
}

#[test]
fn every_truncation_and_bit_flip_gives_a_listing_never_a_panic() {
    let mut streams = vec![copyreg::dumps(&tree()).unwrap()];
    for version in ["v1", "v2", "v3", "v4"] {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(version);
        for entry in std::fs::read_dir(dir).unwrap() {
            streams.push(std::fs::read(entry.unwrap().path()).unwrap());
        }
    }
    let mut listed = 0;
    for bytes in &streams {
        let mut damaged: Vec<Vec<u8>> = (0..bytes.len()).map(|n| bytes[..n].to_vec()).collect();
        for bit in (0..bytes.len() * 8).step_by(3) {
            let mut flipped = bytes.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            damaged.push(flipped);
        }
        damaged.push(bytes.clone());
        for stream in damaged {
            let listing = copyreg::dis(&stream);
            assert!(!listing.is_empty());
            listed += 1;
        }
    }
    assert!(listed > 1000, "{listed}");
}
