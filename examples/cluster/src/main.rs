//! copyreg objects on a timely dataflow cluster, as Python programs send pickles to Dask or Ray.
//!
//! Each worker surveys its share of parcels. A parcel holds a registered foreign type
//! (`Ipv4Addr`), `Box<dyn Shape>` trait objects and `Arc`s shared within it: nothing with
//! a serde impl of its own, so it travels between processes as a `Pickled<Parcel>`. The
//! parcels are exchanged by site, so that one worker sees every parcel of a site, and each
//! worker prints the totals of its sites. Together, the processes print the lines one
//! process prints alone.
//!
//! One process: `cargo run -p copyreg-cluster`. Two, on this machine (ports 2101 and 2102):
//!
//! ```text
//! cargo run -p copyreg-cluster -- -n 2 -p 0
//! cargo run -p copyreg-cluster -- -n 2 -p 1
//! ```
//!
//! Any of timely's arguments work (`-w` threads per process, `-h` a hostfile of
//! `host:port` lines). A line per site starts with `site `, on standard output (where timely
//! also says when it awaits connections); how many parcels came from other workers goes to
//! standard error.

use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::sync::Arc;

use copyreg::serde::Pickled;
use copyreg::Reducible;
use timely::dataflow::operators::{Exchange, Input, Inspect, Probe};
use timely::dataflow::{InputHandle, ProbeHandle};

copyreg::register_foreign!(
    Ipv4Addr,
    reduce = |a: &Ipv4Addr| (a.octets(),),
    construct = Ipv4Addr::from,
    name = "cluster.Ipv4Addr",
);

trait Shape: Any {
    fn area(&self) -> u64;
    fn kind(&self) -> &'static str;
}

#[derive(Reducible)]
#[reducer(name = "cluster.Circle", dyn(Shape))]
struct Circle {
    r: u64,
}

#[derive(Reducible)]
#[reducer(name = "cluster.Rect", dyn(Shape))]
struct Rect {
    w: u64,
    h: u64,
}

impl Shape for Circle {
    fn area(&self) -> u64 {
        3 * self.r * self.r
    }
    fn kind(&self) -> &'static str {
        "circle"
    }
}

impl Shape for Rect {
    fn area(&self) -> u64 {
        self.w * self.h
    }
    fn kind(&self) -> &'static str {
        "rect"
    }
}

#[derive(Reducible)]
#[reducer(name = "cluster.Site")]
struct Site {
    name: String,
    gateway: Ipv4Addr,
}

/// One survey record. `site` and every `checked_at` are one shared allocation.
#[derive(Reducible)]
#[reducer(name = "cluster.Parcel")]
struct Parcel {
    site: Arc<Site>,
    shapes: Vec<Box<dyn Shape>>,
    checked_at: Vec<Arc<Site>>,
    sent_by: usize,
}

const SITES: [&str; 5] = ["harbor", "mill", "orchard", "quarry", "ridge"];
const PARCELS: usize = 60;

/// Parcel `i`, as worker `sender` builds it.
fn parcel(i: usize, sender: usize) -> Parcel {
    let s = i % SITES.len();
    let site = Arc::new(Site {
        name: SITES[s].to_string(),
        gateway: Ipv4Addr::new(10, 0, s as u8, 1),
    });
    let n = i as u64;
    let shapes: Vec<Box<dyn Shape>> = (0..1 + i % 3)
        .map(|k| -> Box<dyn Shape> {
            if (i + k).is_multiple_of(2) {
                Box::new(Circle { r: 1 + n % 4 })
            } else {
                Box::new(Rect {
                    w: 1 + n % 5,
                    h: 2 + k as u64,
                })
            }
        })
        .collect();
    Parcel {
        checked_at: vec![site.clone(); 1 + i % 2],
        site,
        shapes,
        sent_by: sender,
    }
}

/// FNV-1a: a route that is the same in every process.
fn route(site: &str) -> u64 {
    site.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a worker gathers about one site.
#[derive(Default)]
struct Totals {
    parcels: usize,
    area: u64,
    kinds: BTreeMap<&'static str, usize>,
    gateway: Option<Ipv4Addr>,
    all_shared: bool,
}

fn main() {
    let guards = timely::execute_from_args(std::env::args(), |worker| {
        let index = worker.index();
        let peers = worker.peers();
        let mut input = InputHandle::new();
        let probe = ProbeHandle::new();
        let totals = Rc::new(RefCell::new(BTreeMap::<String, Totals>::new()));
        let from_others = Rc::new(RefCell::new(0usize));

        worker.dataflow::<u32, _, _>(|scope| {
            let (totals, from_others) = (totals.clone(), from_others.clone());
            scope
                .input_from(&mut input)
                .container::<Vec<(String, Pickled<Parcel>)>>()
                .exchange(|(site, _)| route(site))
                .inspect(move |(site, pickled)| {
                    let parcel = pickled.load().expect("a parcel sent by a worker loads");
                    let mut totals = totals.borrow_mut();
                    let entry = totals.entry(site.clone()).or_insert_with(|| Totals {
                        all_shared: true,
                        ..Totals::default()
                    });
                    entry.parcels += 1;
                    for shape in &parcel.shapes {
                        entry.area += shape.area();
                        *entry.kinds.entry(shape.kind()).or_default() += 1;
                    }
                    entry.gateway = Some(parcel.site.gateway);
                    entry.all_shared &= parcel
                        .checked_at
                        .iter()
                        .all(|s| Arc::ptr_eq(s, &parcel.site));
                    if parcel.sent_by != index {
                        *from_others.borrow_mut() += 1;
                    }
                })
                .probe_with(&probe);
        });

        for i in (index..PARCELS).step_by(peers) {
            let parcel = parcel(i, index);
            let pickled = Pickled::new(&parcel).expect("a parcel dumps");
            input.send((parcel.site.name.clone(), pickled));
        }
        input.advance_to(1);
        while probe.less_than(input.time()) {
            worker.step();
        }

        let lines: Vec<String> = totals
            .borrow()
            .iter()
            .map(|(site, t)| {
                format!(
                    "site {site}: parcels={} area={} kinds={:?} gateway={} shared={}",
                    t.parcels,
                    t.area,
                    t.kinds,
                    t.gateway.map_or("-".to_string(), |g| g.to_string()),
                    t.all_shared
                )
            })
            .collect();
        let received = *from_others.borrow();
        (index, lines, received)
    })
    .unwrap_or_else(|e| {
        eprintln!("cluster: {e}");
        std::process::exit(2)
    });

    for result in guards.join() {
        let (index, lines, received) = result.unwrap_or_else(|e| {
            eprintln!("cluster: a worker failed: {e}");
            std::process::exit(1)
        });
        for line in lines {
            println!("{line}");
        }
        eprintln!("worker {index}: {received} parcels from other workers");
    }
}
