//! Prints an annotated listing of a copyreg stream, as Python's `pickletools.dis` does for
//! a pickle:
//!
//! ```text
//! cargo run --example dis -- FILE
//! ```
//!
//! Each line gives a byte offset, the bytes there and what they are: the header, the
//! objects of the body with their constructors and arguments, shared pointers and back
//! references, the name table. A damaged stream is listed as far as it can be read, then the
//! error says where and why it went wrong.
//!
//! The listing needs the registry to know where one object's arguments end, and this
//! program registers only its own example types: a stream of other types is listed up to the
//! first constructor it does not know. To see those, call `copyreg::dis` in a program that
//! links the crates that register them. With no FILE, it writes a stream of its own, lists
//! it, and lists it again with a byte damaged.

use std::rc::Rc;

#[derive(copyreg::Reducible)]
#[reducer(name = "shop.Line")]
struct Line {
    sku: String,
    qty: u32,
}

#[derive(copyreg::Reducible)]
#[reducer(name = "shop.Order")]
struct Order {
    id: u64,
    lines: Vec<Line>,
    customer: Rc<String>,
    billed_to: Rc<String>,
    #[reducer(default)]
    note: Option<String>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Some(path) = std::env::args_os().nth(1) {
        let bytes = std::fs::read(&path)?;
        print!("{}", copyreg::dis(&bytes));
        return Ok(());
    }
    let customer = Rc::new(String::from("Ada"));
    let order = Order {
        id: 7,
        lines: vec![
            Line {
                sku: "A-1".into(),
                qty: 2,
            },
            Line {
                sku: "B-2".into(),
                qty: 1,
            },
        ],
        billed_to: Rc::clone(&customer),
        customer,
        note: None,
    };
    let bytes = copyreg::dumps(&order)?;
    println!("An order, {} bytes:", bytes.len());
    let listing = copyreg::dis(&bytes);
    print!("{listing}");
    assert!(listing.contains("run: every object is `shop.Line`"));
    assert!(listing.contains("back reference to shared allocation #1"));

    // Damage the run's constructor reference: the listing stops there and says why.
    let run = listing
        .lines()
        .find(|line| line.contains("run: every object"))
        .and_then(|line| line.split(':').next()?.trim().parse::<usize>().ok())
        .expect("the listing shows the run");
    let mut damaged = bytes.clone();
    damaged[run] = 9;
    println!("\nThe same stream with byte {run} set to 9:");
    let listing = copyreg::dis(&damaged);
    print!("{listing}");
    assert!(listing.contains("reference to constructor #9, but the stream names 2"));
    println!("\n(cargo run --example dis -- FILE lists a stream file.)");
    Ok(())
}
