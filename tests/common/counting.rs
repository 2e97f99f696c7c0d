//! A global allocator that counts what this thread allocates while `measure` runs: the bytes
//! in all, the largest allocation, how many, the most live at once, and how many bytes are
//! still live after.
//! Test files that include it (`#[path = "common/counting.rs"] mod counting;`) get it as
//! their binary's allocator.

// A counting global allocator needs an unsafe impl; it only forwards to `System`.
#![allow(unsafe_code, dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

#[global_allocator]
static GLOBAL: Counting = Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNTING.try_with(|counting| {
            if counting.get() {
                ALLOCATED.with(|a| a.set(a.get() + layout.size()));
                ALLOCATIONS.with(|n| n.set(n.get() + 1));
                LARGEST.with(|l| l.set(l.get().max(layout.size())));
                let live = LIVE.with(|l| {
                    l.set(l.get() + layout.size() as isize);
                    l.get()
                });
                PEAK.with(|p| p.set(p.get().max(live)));
            }
        });
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = COUNTING.try_with(|counting| {
            if counting.get() {
                LIVE.with(|l| l.set(l.get() - layout.size() as isize));
            }
        });
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// What [`measure`] saw.
#[derive(Debug)]
pub struct Measured<R> {
    /// What the measured code returned.
    pub result: R,
    /// Bytes allocated in all.
    pub allocated: usize,
    /// The largest single allocation.
    pub largest: usize,
    /// How many allocations.
    pub allocations: usize,
    /// The most bytes allocated and not yet freed at any one time.
    pub peak: isize,
    /// Bytes allocated and not freed.
    pub live: isize,
}

/// Runs `f`, counting what it allocates on this thread.
pub fn measure<R>(f: impl FnOnce() -> R) -> Measured<R> {
    for cell in [&ALLOCATED, &LARGEST, &ALLOCATIONS] {
        cell.with(|c| c.set(0));
    }
    LIVE.with(|l| l.set(0));
    PEAK.with(|p| p.set(0));
    COUNTING.with(|c| c.set(true));
    let result = f();
    COUNTING.with(|c| c.set(false));
    Measured {
        result,
        allocated: ALLOCATED.with(Cell::get),
        largest: LARGEST.with(Cell::get),
        allocations: ALLOCATIONS.with(Cell::get),
        peak: PEAK.with(Cell::get),
        live: LIVE.with(Cell::get),
    }
}
