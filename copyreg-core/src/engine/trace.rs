//! What a traced load notes, for [`dis`](crate::dis): where each constructor reference, run,
//! object and shared pointer of a stream's body sits. An untraced load notes nothing.

/// What a traced load met, at which byte offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Event {
    /// An object's constructor reference `k` (0: a persistent id follows).
    Reference { at: usize, end: usize, k: u64 },
    /// The header of a run of objects: every object is of constructor `k`, or (0) each
    /// names its own.
    Run { at: usize, end: usize, k: u64 },
    /// Where an object's arguments start.
    Object { at: usize },
    /// A shared pointer's tag.
    Pointer {
        at: usize,
        end: usize,
        k: u64,
        weak: bool,
    },
}

impl Event {
    pub(crate) fn at(&self) -> usize {
        match *self {
            Event::Reference { at, .. }
            | Event::Run { at, .. }
            | Event::Object { at }
            | Event::Pointer { at, .. } => at,
        }
    }

    pub(crate) fn end(&self) -> usize {
        match *self {
            Event::Reference { end, .. } | Event::Run { end, .. } | Event::Pointer { end, .. } => {
                end
            }
            Event::Object { at } => at,
        }
    }
}
