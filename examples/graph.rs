//! A document tree whose nodes point back to their parent and share styles: dumped, loaded
//! and deep-copied with its shape intact.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use copyreg::Reducible;

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "doc.Style")]
struct Style {
    font: String,
    size: u8,
}

#[derive(Reducible, Debug)]
#[reducer(name = "doc.Node")]
struct Node {
    text: String,
    style: Rc<Style>,
    parent: Weak<RefCell<Node>>,
    children: Vec<Rc<RefCell<Node>>>,
}

#[derive(Reducible, Debug)]
#[reducer(name = "doc.Document")]
struct Document {
    root: Rc<RefCell<Node>>,
    styles: Vec<Rc<Style>>,
}

fn add(parent: &Rc<RefCell<Node>>, text: &str, style: &Rc<Style>) -> Rc<RefCell<Node>> {
    let child = Rc::new(RefCell::new(Node {
        text: text.into(),
        style: style.clone(),
        parent: Rc::downgrade(parent),
        children: vec![],
    }));
    parent.borrow_mut().children.push(child.clone());
    child
}

fn document() -> Document {
    let body = Rc::new(Style {
        font: "serif".into(),
        size: 11,
    });
    let heading = Rc::new(Style {
        font: "sans".into(),
        size: 18,
    });
    let root = Rc::new(RefCell::new(Node {
        text: "Report".into(),
        style: heading.clone(),
        parent: Weak::new(),
        children: vec![],
    }));
    let intro = add(&root, "Introduction", &heading);
    add(&intro, "Why graphs matter.", &body);
    add(&intro, "What copyreg keeps.", &body);
    let results = add(&root, "Results", &heading);
    add(&results, "Everything survived.", &body);
    Document {
        root,
        styles: vec![body, heading],
    }
}

/// Counts nodes, checking every parent link leads back to the parent and every style is
/// one of the document's shared styles.
fn check(node: &Rc<RefCell<Node>>, styles: &[Rc<Style>]) -> usize {
    let n = node.borrow();
    assert!(
        styles.iter().any(|s| Rc::ptr_eq(s, &n.style)),
        "style of {:?} is shared",
        n.text
    );
    let mut count = 1;
    for child in &n.children {
        let parent = child.borrow().parent.upgrade().expect("parent link");
        assert!(
            Rc::ptr_eq(&parent, node),
            "parent of {:?}",
            child.borrow().text
        );
        count += check(child, styles);
    }
    count
}

fn main() -> Result<(), copyreg::Error> {
    let doc = document();
    let nodes = check(&doc.root, &doc.styles);

    let bytes = copyreg::dumps(&doc)?;
    let loaded: Document = copyreg::loads(&bytes)?;
    assert_eq!(check(&loaded.root, &loaded.styles), nodes);

    let copy = copyreg::deepcopy(&doc)?;
    assert_eq!(check(&copy.root, &copy.styles), nodes);
    assert!(!Rc::ptr_eq(&copy.styles[0], &doc.styles[0]));

    println!(
        "{nodes} nodes and {} shared styles in {} bytes; loaded and deep-copied with every \
         parent link and shared style intact",
        doc.styles.len(),
        bytes.len()
    );
    Ok(())
}
