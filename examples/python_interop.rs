//! Python pickles a batch of orders; Rust loads them into its own types, totals them per
//! customer, and pickles invoices that Python loads and checks.
//!
//! Python (`examples/python/shop.py`) reduces an `Order` with a copyreg reducer to the
//! stable function `shop.make_order(order_id, customer, lines)`, and pickles each `Line`,
//! a dataclass, by default. Rust registers a constructor under each of those names, and
//! `copyreg::python::loads` calls nothing else: a pickle naming any other global is
//! refused before anything runs.
//!
//! `cargo run --example python_interop` (needs `python3`; without it, says so and stops).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `shop.Line`, a Python dataclass: loaded field by field, by name, from its state.
#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "shop.Line")]
struct Line {
    sku: String,
    qty: u32,
    unit_price: f64,
}

/// What `shop.make_order` builds: the order's arguments, in order.
#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "shop.make_order")]
struct Order {
    order_id: u64,
    customer: String,
    lines: Vec<Line>,
}

/// `shop.Invoice`: written as a call of the class with its fields.
#[derive(copyreg::Reducible, Debug)]
#[reducer(name = "shop.Invoice")]
struct Invoice {
    customer: String,
    total: f64,
    order_ids: Vec<u64>,
}

copyreg::register!(Vec<Order>);
copyreg::register!(Vec<Invoice>);

fn python(dir: &Path, args: &[&str]) -> Result<(), Box<dyn std::error::Error>> {
    let status = Command::new("python3")
        .current_dir(dir)
        .args(args)
        .status()?;
    if !status.success() {
        return Err(format!("python3 {} failed: {status}", args.join(" ")).into());
    }
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python");
    if Command::new("python3").arg("--version").output().is_err() {
        println!("python3 is not on PATH: this example needs it, and stops here");
        return Ok(());
    }
    let scratch = std::env::temp_dir().join(format!("copyreg-interop-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let (orders_path, invoices_path) = (
        scratch.join("orders.pickle"),
        scratch.join("invoices.pickle"),
    );

    python(
        &dir,
        &["orders.py", "make", orders_path.to_str().ok_or("path")?],
    )?;
    let bytes = std::fs::read(&orders_path)?;
    // Only the constructors these types register may run, and nothing past the limits.
    let unpickler = copyreg::Unpickler::new()
        .allow_tree::<Vec<Order>>()
        .max_input(64 << 20);
    let orders: Vec<Order> = unpickler.python_loads(&bytes)?;
    println!(
        "rust: loaded {} orders ({} lines) from a {}-byte pickle",
        orders.len(),
        orders.iter().map(|o| o.lines.len()).sum::<usize>(),
        bytes.len()
    );

    let mut by_customer: BTreeMap<&str, Invoice> = BTreeMap::new();
    for order in &orders {
        let invoice = by_customer
            .entry(&order.customer)
            .or_insert_with(|| Invoice {
                customer: order.customer.clone(),
                total: 0.0,
                order_ids: Vec::new(),
            });
        let lines = order.lines.iter().map(|l| f64::from(l.qty) * l.unit_price);
        invoice.total += lines.sum::<f64>();
        invoice.order_ids.push(order.order_id);
    }
    let invoices: Vec<Invoice> = by_customer.into_values().collect();
    std::fs::write(&invoices_path, copyreg::python::dumps(&invoices)?)?;
    println!("rust: pickled {} invoices", invoices.len());

    python(
        &dir,
        &["orders.py", "check", invoices_path.to_str().ok_or("path")?],
    )?;
    std::fs::remove_dir_all(&scratch)?;
    Ok(())
}
