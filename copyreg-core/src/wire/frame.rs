//! The byte layout of a copyreg stream: its frame, and the arguments in postcard's layout.
//!
//! A stream of today's version 4 is:
//!
//! ```text
//! stream   = header length rest
//! header   = "cprg" version:u8                 (5 bytes)
//! length   = varint                            the byte length of `rest`
//! rest     = body names names-length
//! body     = object                            the value
//! object   = constructor-ref arguments
//! constructor-ref = varint k                   k > 0: the k-th name of the table
//!                                              k = 0: a persistent id follows (varint length + UTF-8)
//! run      = varint k > 0, arguments*          a Vec's or an array's objects, all of constructor k
//!          | varint 0, object*                 each naming its own (a pickler's persistent ids or
//!                                              run-time reducers may stand in for any of them)
//! names    = entry*                            every constructor the body names, once each
//! entry    = key fields
//! key      = varint length > 0, UTF-8          a name
//!          | varint 0, varint code             a compact code, 1 ..= 2^31 - 1, in its place
//! fields   = varint n                          n > 0: a derived struct, written with n - 1 fields
//!                                              n = 0: anything else (not counted)
//! names-length = varint, its bytes reversed    the byte length of `names`, read from the end
//! ```
//!
//! The field counts cost nothing per object, and let a struct that gained fields with
//! `#[reducer(default)]` load streams written before it had them; a stream whose count a type
//! cannot take is refused before anything is built.
//!
//! The length after the header makes a stream self-delimiting: a reader knows where it ends
//! before reading it, so streams can follow one another in a file or a socket. The names come
//! last, so the writer need not know them in advance, and the reader checks every one
//! (registered? allowed?) before it builds anything.
//!
//! Arguments are written one after another in the layout of postcard 1 (its wire format
//! specification, <https://postcard.jamesmunns.com/wire-format>): varints (see `varint.rs`)
//! for integers wider than a byte, lengths and variant indexes, zigzag for signed integers,
//! little-endian floats, `u8` option tags. copyreg writes primitives, strings and the std
//! containers itself in that layout; values that are only `serde` types go through postcard,
//! guarded against claimed lengths and deep nesting. Shared pointers are laid out in
//! `engine/shared/mod.rs`.
//!
//! Older versions, which this build still reads:
//! - version 3 was version 4 with no `fields` in the name table;
//! - version 2 had the same frame, with arguments in bincode 1.3.3's fixed-width layout
//!   (`u64` lengths, full-width integers, `u32` variant indexes; see `legacy.rs`), a pointer
//!   to a new shared allocation followed by a flags byte, and a constructor reference before
//!   every object of a run;
//! - version 1 was version 2 with no `length`, ending with the names' length as a
//!   little-endian `u32`, so a version 1 stream ends where its bytes end.

use std::cell::Cell;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::wire::error::{Error, Failure};
use crate::wire::varint;
pub(crate) use crate::wire::varint::MAX_LEN as MAX_VARINT_LEN;

/// First four bytes of every stream.
pub(crate) const MAGIC: [u8; 4] = *b"cprg";
/// The version byte after the magic, of the streams this build writes.
pub(crate) const FORMAT_VERSION: u8 = 4;
/// The first version in postcard's layout.
pub(crate) const VERSION_3: u8 = 3;
/// The first format version, which this build still reads.
pub(crate) const VERSION_1: u8 = 1;
/// The last version whose arguments are in bincode's fixed-width layout.
const VERSION_2: u8 = 2;
/// Bytes taken by the header.
pub(crate) const HEADER_LEN: usize = MAGIC.len() + 1;
/// Bytes taken by a version 1 stream's name-table length at its end.
pub(crate) const V1_TRAILER_LEN: usize = 4;
/// Longest constructor name a stream may introduce.
pub(crate) const MAX_NAME_LEN: usize = 1 << 12;

/// The largest compact code; as in Python's extension registry, codes are 1 to 2^31 − 1.
pub(crate) const MAX_CODE: u32 = 0x7FFF_FFFF;

/// Refuses a constructor name a registration cannot take: an empty one (a zero length marks
/// a compact code), one over [`MAX_NAME_LEN`] bytes, or one copyreg keeps for its own types.
pub(crate) fn check_name(name: &str) -> Result<(), Failure> {
    let reason = if name.is_empty() {
        "a constructor name cannot be empty"
    } else if name.len() > MAX_NAME_LEN {
        "a constructor name is at most 4096 bytes long"
    } else if let Some(reason) = crate::wire::reserved::reserved(name) {
        reason
    } else {
        return Ok(());
    };
    Err(Error::InvalidName {
        name: name.to_string(),
        reason,
    }
    .into())
}

thread_local! {
    /// How many bytes the length of the last stream this thread wrote took: the guess for
    /// the next one, so that a program writing values of one size never moves a stream.
    pub(crate) static LENGTH_WIDTH: Cell<usize> = const { Cell::new(1) };
}

/// Where a stream being written keeps its length, which is known only at its end.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// The offset in the output of the length.
    at: usize,
    /// The bytes left for it.
    width: usize,
}

/// Starts a stream at the end of `out`: the header, then room for its length.
pub(crate) fn write_header(out: &mut Vec<u8>) -> Frame {
    // The header and the most room a length can take, to copy from in one go.
    const START: [u8; HEADER_LEN + MAX_VARINT_LEN] = {
        let mut start = [0; HEADER_LEN + MAX_VARINT_LEN];
        let mut i = 0;
        while i < MAGIC.len() {
            start[i] = MAGIC[i];
            i += 1;
        }
        start[MAGIC.len()] = FORMAT_VERSION;
        start
    };
    let width = LENGTH_WIDTH.with(Cell::get);
    if width == 1 {
        // A copy of known length, which the compiler makes a few stores.
        out.extend_from_slice(&START[..HEADER_LEN + 1]);
    } else {
        out.extend_from_slice(&START[..HEADER_LEN + width]);
    }
    Frame {
        at: out.len() - width,
        width,
    }
}

/// Ends the stream `frame` started: the constructor names (or their compact codes), their
/// byte length, and then the length of everything after the header, in its place.
pub(crate) fn finish<'n>(
    out: &mut Vec<u8>,
    frame: Frame,
    names: impl IntoIterator<Item = (&'n str, Option<u32>, Option<u32>)>,
) {
    let start = out.len();
    for (name, code, fields) in names {
        match code {
            Some(code) => {
                write_varint(out, 0);
                write_varint(out, code.into());
            }
            None => {
                write_varint(out, name.len() as u64);
                out.extend_from_slice(name.as_bytes());
            }
        }
        write_varint(out, fields.map_or(0, |n| u64::from(n) + 1));
    }
    // Small streams, the common case, take the first branch of each step.
    let names_len = out.len() - start;
    if names_len < 0x80 {
        out.push(names_len as u8);
    } else {
        let (names_len, n) = varint::bytes(names_len as u64);
        out.extend(names_len[..n].iter().rev());
    }

    let rest_start = frame.at + frame.width;
    let rest = out.len() - rest_start;
    if frame.width == 1 && rest < 0x80 {
        out[frame.at] = rest as u8;
        return;
    }
    let width = varint::len(rest as u64);
    if width != frame.width {
        // The guess was wrong: move the rest to make the room the length needs.
        let end = out.len();
        if width > frame.width {
            out.resize(end + width - frame.width, 0);
        }
        out.copy_within(rest_start..end, frame.at + width);
        out.truncate(frame.at + width + rest);
        LENGTH_WIDTH.with(|w| w.set(width));
    }
    let (length, n) = varint::bytes(rest as u64);
    out[frame.at..frame.at + width].copy_from_slice(&length[..n]);
}

pub(crate) use crate::wire::varint::write as write_varint;

/// Writes a length: a varint.
#[inline]
pub(crate) fn write_len(out: &mut Vec<u8>, len: usize) {
    varint::write(out, len as u64);
}

/// Appends `value` in postcard's layout.
pub(crate) fn write_serde<T: Serialize + ?Sized>(
    out: &mut Vec<u8>,
    value: &T,
) -> Result<(), Failure> {
    let start = out.len();
    postcard::serialize_with_flavor(value, Append(out))
        .map_err(|e| {
            Failure::from(Error::Serialize {
                type_name: std::any::type_name::<T>(),
                message: e.to_string(),
            })
        })
        .inspect_err(|_| out.truncate(start))
}

/// A postcard output that appends to a buffer it borrows, so that what the buffer held
/// before is never at stake.
struct Append<'a>(&'a mut Vec<u8>);

impl postcard::ser_flavors::Flavor for Append<'_> {
    type Output = ();

    #[inline]
    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        self.0.extend_from_slice(data);
        Ok(())
    }

    #[inline]
    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.0.push(data);
        Ok(())
    }

    fn finalize(self) -> postcard::Result<()> {
        Ok(())
    }
}

/// Copies a `serde` value by writing it in postcard's layout and reading it back.
pub(crate) fn copy_serde<T: Serialize + DeserializeOwned>(value: &T) -> Result<T, Failure> {
    let mut scratch = Vec::new();
    write_serde(&mut scratch, value)?;
    postcard::from_bytes(&scratch).map_err(|e| {
        Failure::from(Error::Serialize {
            type_name: std::any::type_name::<T>(),
            message: format!("reading the copy back failed: {e}"),
        })
    })
}

/// `bytes`, read at offset `at`, as a string.
pub(crate) fn utf8(bytes: &[u8], at: usize) -> Result<&str, Failure> {
    std::str::from_utf8(bytes).map_err(|_| Failure::malformed(at, "string is not valid UTF-8"))
}

/// Checks the start of a stream, `bytes` being all of it or its first bytes, and gives its
/// format version.
pub(crate) fn check_header(bytes: &[u8]) -> Result<u8, Failure> {
    if bytes.len() < HEADER_LEN || bytes[..MAGIC.len()] != MAGIC {
        let reason = if bytes.is_empty() {
            "the input is empty"
        } else if bytes.first() == Some(&0x80) {
            "this looks like a Python pickle stream"
        } else if bytes.len() < HEADER_LEN && MAGIC.starts_with(bytes) {
            "the stream ends inside its 5-byte header"
        } else {
            "the first bytes are not the copyreg magic `cprg`"
        };
        return Err(Error::NotAStream { reason }.into());
    }
    match bytes[MAGIC.len()] {
        version @ (VERSION_1 | VERSION_2 | VERSION_3 | FORMAT_VERSION) => Ok(version),
        found => Err(Error::UnsupportedVersion { found }.into()),
    }
}

/// Reads the length that follows a version 2 or 3 header in `bytes`: the length, and the offset
/// where what it measures starts.
#[inline]
pub(crate) fn read_length(bytes: &[u8]) -> Result<(u64, usize), Failure> {
    match bytes.get(HEADER_LEN) {
        Some(&byte) if byte < 0x80 => Ok((u64::from(byte), HEADER_LEN + 1)),
        _ => read_long_length(bytes),
    }
}

fn read_long_length(bytes: &[u8]) -> Result<(u64, usize), Failure> {
    let after = bytes.get(HEADER_LEN..).unwrap_or_default();
    match varint::decode(after.iter().copied()) {
        Ok((length, n)) => Ok((length, HEADER_LEN + n)),
        Err(None) => Err(Failure::malformed(
            bytes.len(),
            "the stream ends inside the length after its header",
        )),
        Err(Some(reason)) => Err(Failure::malformed(HEADER_LEN, reason)),
    }
}

/// The error for a stream whose length says `length` bytes follow its header, where `have`
/// do, from offset `from`.
#[cold]
pub(crate) fn wrong_length(length: u64, have: usize, from: usize) -> Failure {
    if length > have as u64 {
        Failure::malformed(
            from + have,
            format!("the stream is cut off: its header announces {length} more bytes, only {have} follow"),
        )
    } else {
        Failure::malformed(
            from + length as usize,
            format!(
                "{} bytes follow the end of the stream; `loads` takes exactly one stream \
                 (`copyreg::load` reads streams one after another from a reader)",
                have as u64 - length
            ),
        )
    }
}

/// Reads the name table's length at the end of a version 2 or 3 stream, whose body starts at
/// `body_start`: its bytes are a varint's, reversed. Gives the length and where it starts.
#[inline]
pub(crate) fn read_names_length(bytes: &[u8], body_start: usize) -> Result<(u64, usize), Failure> {
    match bytes.split_last() {
        Some((&byte, rest)) if byte < 0x80 && rest.len() >= body_start => {
            Ok((u64::from(byte), rest.len()))
        }
        _ => read_long_names_length(bytes, body_start),
    }
}

fn read_long_names_length(bytes: &[u8], body_start: usize) -> Result<(u64, usize), Failure> {
    match varint::decode(bytes[body_start..].iter().rev().copied()) {
        Ok((names_len, n)) => Ok((names_len, bytes.len() - n)),
        Err(None) => Err(Failure::malformed(
            body_start,
            "the stream ends before its name table's length",
        )),
        Err(Some(reason)) => Err(Failure::malformed(bytes.len() - 1, reason)),
    }
}
