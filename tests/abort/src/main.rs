//! Loads hostile streams and deep-copies values whose constructors fail, all around
//! allocations that a `Weak` points back to (built with `new_cyclic`), in a program that
//! cannot unwind. Every one must return; the program prints what they returned.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Arc;

use copyreg::Reducible;

#[derive(Reducible, Debug)]
#[reducer(name = "abort.Node", fn = Node::parts, constructor = Node::checked)]
struct Node {
    name: String,
    parent: Weak<RefCell<Node>>,
    children: Vec<Rc<RefCell<Node>>>,
}

type Parts = (String, Weak<RefCell<Node>>, Vec<Rc<RefCell<Node>>>);

impl Node {
    fn parts(&self) -> Parts {
        (
            self.name.clone(),
            self.parent.clone(),
            self.children.clone(),
        )
    }

    /// Refuses the name "bad": a constructor failing inside a cyclic build.
    fn checked(
        name: String,
        parent: Weak<RefCell<Node>>,
        children: Vec<Rc<RefCell<Node>>>,
    ) -> Result<Node, String> {
        match name.as_str() {
            "bad" => Err("a node may not be called bad".into()),
            _ => Ok(Node {
                name,
                parent,
                children,
            }),
        }
    }
}

#[derive(Reducible, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[reducer(name = "abort.Leaf")]
struct Leaf {
    label: String,
    units: Vec<()>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "abort.Doc")]
struct Doc {
    tree: Rc<RefCell<Node>>,
    leaf: Arc<Leaf>,
    leaves: Vec<Rc<Leaf>>,
}

fn tree(names: &[&str]) -> Rc<RefCell<Node>> {
    let root = Rc::new(RefCell::new(Node {
        name: "root".into(),
        parent: Weak::new(),
        children: vec![],
    }));
    let mut parent = Rc::clone(&root);
    for name in names {
        let child = Rc::new(RefCell::new(Node {
            name: name.to_string(),
            parent: Rc::downgrade(&parent),
            children: vec![],
        }));
        parent.borrow_mut().children.push(Rc::clone(&child));
        parent = child;
    }
    root
}

fn doc(names: &[&str]) -> Doc {
    // One allocation three times: the later two are back references.
    let leaf = Rc::new(Leaf {
        label: "l".into(),
        units: vec![],
    });
    Doc {
        tree: tree(names),
        leaf: Arc::new(Leaf {
            label: "shared".into(),
            units: vec![(); 2],
        }),
        leaves: vec![Rc::clone(&leaf), Rc::clone(&leaf), leaf],
    }
}

/// Checks that a loaded tree has every parent link in place.
fn check_links(node: &Rc<RefCell<Node>>) {
    for child in &node.borrow().children {
        let parent = child.borrow().parent.upgrade().expect("a parent link");
        assert!(Rc::ptr_eq(&parent, node), "a parent link to the wrong node");
        check_links(child);
    }
}

fn main() {
    let (mut ok, mut err) = (0usize, 0usize);
    let mut tally = |result: Result<(), copyreg::Error>| match result {
        Ok(()) => ok += 1,
        Err(_) => err += 1,
    };

    // A good stream loads, links intact.
    let good = copyreg::dumps(&doc(&["a", "b", "c"])).unwrap();
    let loaded = copyreg::loads::<Doc>(&good).unwrap();
    check_links(&loaded.tree);
    assert_eq!(
        loaded.tree.borrow().children[0].borrow().children[0]
            .borrow()
            .name,
        "b"
    );

    // A constructor failing deep inside nested cyclic builds.
    let bad = copyreg::dumps(&doc(&["a", "bad", "c"])).unwrap();
    tally(copyreg::loads::<Doc>(&bad).map(drop));
    // And in a deep copy.
    tally(copyreg::deepcopy(&doc(&["a", "b", "bad"])).map(drop));
    tally(copyreg::deepcopy(&doc(&["x"])).map(|d| check_links(&d.tree)));

    // Every truncation and single-bit flip of the good stream, and of the one whose
    // constructor fails.
    for stream in [&good, &bad] {
        for n in 0..stream.len() {
            tally(copyreg::loads::<Doc>(&stream[..n]).map(drop));
        }
        for bit in 0..stream.len() * 8 {
            let mut flipped = stream.clone();
            flipped[bit / 8] ^= 1 << (bit % 8);
            tally(copyreg::loads::<Doc>(&flipped).map(drop));
        }
    }

    // The cyclic flag set on every new shared pointer (a `0` byte becomes `1`; other zero
    // bytes are changed too, which does no harm), then the stream cut short after it: a
    // pointer marked cyclic whose value fails.
    let shared_starts: Vec<usize> = good
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == 0)
        .map(|(i, _)| i)
        .collect();
    for &at in &shared_starts {
        let mut marked = good.clone();
        marked[at] = 1;
        tally(copyreg::loads::<Doc>(&marked).map(drop));
        for cut in [at + 1, at + 2, at + 5, good.len() - 5] {
            if cut < marked.len() {
                tally(copyreg::loads::<Doc>(&marked[..cut]).map(drop));
            }
        }
    }
    println!("returned: {ok} values, {err} errors");
}
