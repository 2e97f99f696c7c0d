//! [`dis`]: a stream, annotated, as Python's `pickletools.dis` shows a pickle.
//!
//! The frame and the name table say what they are by themselves. The body does not: its
//! arguments are laid out by the types that wrote them. So `dis` loads the body with the
//! registry, as [`loads_any`](crate::loads_any) would (calling only registered
//! constructors), and notes where each constructor reference, run and shared pointer sits;
//! the bytes between them are each object's arguments. Where the load fails, the listing
//! stops at the failure and says what went wrong there.

use std::cell::RefCell;
use std::fmt::Write;

use crate::engine::load::Loader;
use crate::engine::registry::{Slot, View};
use crate::engine::rules::Rules;
use crate::engine::trace::Event;
use crate::wire::entry::Key;
use crate::wire::error::{Error, Failure};
use crate::wire::frame::{self, HEADER_LEN, MAGIC};
use crate::wire::input::Input;

/// An annotated listing of a stream: its header, its length, the objects of its body with
/// their constructors and argument bytes, shared pointers and back references, and its name
/// table, each line with its byte offset. On bad bytes the listing goes as far as the stream
/// can be read and then says where and why it went wrong. Python's `pickletools.dis`.
///
/// To know where one object's arguments end, `dis` loads the body with the registry (only
/// registered constructors run, as with [`loads_any`](crate::loads_any)); a stream that
/// names types this program lacks is listed up to the first of them.
///
/// ```
/// #[derive(copyreg::Reducible)]
/// #[reducer(name = "geo.Point")]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// let listing = copyreg::dis(&copyreg::dumps(&vec![Point { x: 1, y: -1 }])?);
/// assert!(listing.contains("copyreg stream, format version 4"));
/// assert!(listing.contains("run: every object is `geo.Point`"));
/// assert!(listing.contains("name #2: `geo.Point`, a derived struct of 2 fields"));
///
/// let bad = copyreg::dis(b"cprg\x04\x05\x01");
/// assert!(bad.contains("error: malformed copyreg stream"), "{bad}");
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dis(bytes: &[u8]) -> String {
    let mut out = Listing::default();
    let version = match frame::check_header(bytes) {
        Ok(version) => version,
        Err(failure) => {
            out.bytes(
                0,
                &bytes[..bytes.len().min(HEADER_LEN)],
                "not a copyreg stream",
            );
            out.error(&failure.into());
            return out.text;
        }
    };
    out.bytes(
        0,
        &bytes[..HEADER_LEN],
        &format!(
            "header: `{}`, copyreg stream, format version {version}",
            String::from_utf8_lossy(&MAGIC)
        ),
    );
    let (body, names) = match Input::open(bytes) {
        Ok(split) => split,
        Err(failure) => {
            out.bytes(HEADER_LEN, &bytes[HEADER_LEN..], "the rest of the stream");
            out.error(&failure.into());
            return out.text;
        }
    };
    if body.offset() > HEADER_LEN {
        let rest = bytes.len() - body.offset();
        out.bytes(
            HEADER_LEN,
            &bytes[HEADER_LEN..body.offset()],
            &format!("length: {rest} bytes follow"),
        );
    }
    let view = View::current();
    let (body_start, body_end) = (body.offset(), body.end());
    let table_error = list_names(&mut Listing::default(), bytes, names.clone(), &view);
    // The body, traced; a table the loader cannot read fails it before the body.
    let trace = RefCell::new(Vec::new());
    let loaded = Loader::run_traced(bytes, &view, &Rules::DEFAULT, Some(&trace), &mut |cx| {
        cx.load_any().map(drop)
    });
    let events = trace.into_inner();
    let failed_at = match &loaded {
        Err(failure) if table_error.is_none() => Some(error_offset(failure, &events, body_start)),
        _ => None,
    };
    match (loaded, table_error.is_some()) {
        // Nothing of the body is read until the table is.
        (_, true) => out.bytes(
            body_start,
            &bytes[body_start..body_end],
            "the body, not read: its name table is bad",
        ),
        (loaded, false) => {
            list_body(
                &mut out, bytes, body_start, body_end, &events, &view, failed_at,
            );
            if let Err(failure) = loaded {
                out.error(&failure.into());
            }
        }
    }
    let names_end = names.end();
    let error = list_names(&mut out, bytes, names, &view);
    if let Some(error) = error {
        out.error(&error);
        return out.text;
    }
    if names_end < bytes.len() {
        let len = names_end - body_end;
        out.bytes(
            names_end,
            &bytes[names_end..],
            &format!("the name table's length, {len} bytes (read from the end)"),
        );
    }
    out.text
}

/// Where a failed load went wrong: the offset a malformed stream gives, or the end of the
/// last thing the trace saw.
fn error_offset(failure: &Failure, events: &[Event], body_start: usize) -> usize {
    match failure.error() {
        Error::Malformed { offset, .. } => *offset,
        _ => events.iter().map(Event::end).max().unwrap_or(body_start),
    }
}

/// Lists the body from what the traced load met: each event, and the argument bytes
/// between them; up to `failed_at` when the load failed.
fn list_body(
    out: &mut Listing,
    bytes: &[u8],
    start: usize,
    end: usize,
    events: &[Event],
    view: &View,
    failed_at: Option<usize>,
) {
    let stop = failed_at.unwrap_or(end).clamp(start, end);
    let compact = bytes[MAGIC.len()] >= 3;
    // A load that meets a cycle of shared values reads part of the body twice (a trial,
    // then for real): one listing of each place.
    let mut events: Vec<Event> = events.to_vec();
    events.sort_by_key(Event::at);
    events.dedup_by(|b, a| {
        a.at() == b.at() && std::mem::discriminant(a) == std::mem::discriminant(b)
    });
    let names = table_names(bytes, view);
    let name = |k: u64| match usize::try_from(k).ok().and_then(|k| names.get(k - 1)) {
        Some(name) => format!("`{name}`"),
        None => format!("#{k}, past the name table"),
    };
    let mut pos = start;
    let mut shared = 0;
    // What starts where the load failed was read, and is what failed: listed too.
    let listed = |e: &&Event| e.at() < stop || (e.at() == stop && e.end() > stop);
    for event in events.iter().filter(listed) {
        if event.at() > pos {
            out.bytes(pos, &bytes[pos..event.at()], "arguments");
            pos = event.at();
        }
        match *event {
            Event::Object { .. } => {}
            Event::Reference { at, end, k } => {
                let what = match k {
                    0 => "object from a persistent id, which follows".to_string(),
                    k => format!("object: {}", name(k)),
                };
                out.bytes(at, &bytes[at..end], &what);
                pos = end;
            }
            Event::Run { at, end, k } => {
                let what = match k {
                    0 => "run: each object names its own constructor".to_string(),
                    k => format!("run: every object is {}", name(k)),
                };
                out.bytes(at, &bytes[at..end], &what);
                pos = end;
            }
            Event::Pointer { at, end, k, weak } => {
                let what = pointer(k, weak, compact, &mut shared);
                out.bytes(at, &bytes[at..end], &what);
                pos = end;
            }
        }
    }
    if stop > pos {
        out.bytes(pos, &bytes[pos..stop], "arguments");
    }
    let stop = stop.max(pos);
    if failed_at.is_some() && stop < end {
        out.bytes(stop, &bytes[stop..end], "not read");
    }
}

/// What a shared pointer's tag `k` says; before format 3, a new allocation's flags byte
/// follows its tag, and a back reference is `k` itself.
fn pointer(k: u64, weak: bool, compact: bool, shared: &mut u64) -> String {
    let mut new = |what: &str| {
        *shared += 1;
        format!("{what} #{shared}, whose value follows")
    };
    match (weak, compact, k) {
        (false, false, 0) => new("new shared allocation (then a flags byte)"),
        (false, false, k) => format!("back reference to shared allocation #{k}"),
        (false, true, 0) => new("new shared allocation"),
        (false, true, 1) => new("new shared allocation that a `Weak` inside points back to,"),
        (false, true, k) => format!("back reference to shared allocation #{}", k - 1),
        (true, _, 0) => "`Weak` that points nowhere".to_string(),
        (true, _, 1) => "`Weak` whose target follows".to_string(),
        (true, _, k) => format!("`Weak` to shared allocation #{}", k - 1),
    }
}

/// The names in the stream's table, in order, as far as it can be read.
fn table_names(bytes: &[u8], view: &View) -> Vec<String> {
    let Ok((_, mut table)) = Input::open(bytes) else {
        return Vec::new();
    };
    let mut names = Vec::new();
    while let Ok(Some(entry)) = read_entry(&mut table, view) {
        names.push(entry.label);
    }
    names
}

/// One entry of a name table, for the listing.
struct Listed {
    at: usize,
    end: usize,
    label: String,
    description: String,
}

/// Reads the next entry of `table`, if there is one.
fn read_entry(table: &mut Input<'_>, view: &View) -> Result<Option<Listed>, Failure> {
    if table.is_empty() {
        return Ok(None);
    }
    let entry = table.entry()?;
    let (label, found) = match entry.key {
        Key::Code(code) => (
            format!("compact code {code}"),
            view.constructor_by_code(code).map(|(_, slot)| slot),
        ),
        Key::Name(bytes, start) => (
            frame::utf8(bytes, start)?.to_string(),
            view.constructor_slot(bytes).map(|(_, slot)| slot),
        ),
    };
    let fields = match entry.fields {
        None => String::new(),
        Some(0) => ", a derived struct of no fields".to_string(),
        Some(1) => ", a derived struct of 1 field".to_string(),
        Some(n) => format!(", a derived struct of {n} fields"),
    };
    let registered = match found {
        Some(Slot::One(ctor)) => format!(" (built by `{}`)", ctor.ops.target_name()),
        Some(Slot::Ambiguous(types)) => format!(" (claimed by {}: ambiguous)", types.join(", ")),
        None => " (not registered in this program)".to_string(),
    };
    Ok(Some(Listed {
        at: entry.at,
        end: table.offset(),
        description: format!("`{label}`{fields}{registered}"),
        label,
    }))
}

/// Lists the name table's entries; the error that stopped it, if one did.
fn list_names(out: &mut Listing, bytes: &[u8], mut table: Input<'_>, view: &View) -> Option<Error> {
    for index in 1.. {
        match read_entry(&mut table, view) {
            Ok(Some(entry)) => out.bytes(
                entry.at,
                &bytes[entry.at..entry.end],
                &format!("name #{index}: {}", entry.description),
            ),
            Ok(None) => return None,
            Err(failure) => return Some(failure.into()),
        }
    }
    None
}

/// The listing being written: one line per item, offset first.
#[derive(Default)]
struct Listing {
    text: String,
}

impl Listing {
    /// Lines for `bytes` at `at`: 16 bytes a line in hex, what they are on the first; past
    /// four lines, how many more bytes there are.
    fn bytes(&mut self, at: usize, bytes: &[u8], what: &str) {
        let mut what = what;
        for (i, chunk) in bytes.chunks(16).enumerate() {
            let offset = at + 16 * i;
            if i == 4 {
                let _ = writeln!(self.text, "{offset:>8}: … {} more bytes", bytes.len() - 64);
                return;
            }
            let hex: Vec<String> = chunk.iter().map(|b| format!("{b:02x}")).collect();
            self.line(offset, &hex.join(" "), what);
            what = "";
        }
        if bytes.is_empty() {
            self.line(at, "", what);
        }
    }

    fn line(&mut self, at: usize, hex: &str, what: &str) {
        let line = format!("{at:>8}: {hex:<48}  {what}");
        let _ = writeln!(self.text, "{}", line.trim_end());
    }

    fn error(&mut self, error: &Error) {
        let _ = writeln!(self.text, "error: {error}");
    }
}
