//! Helpers for tests that build or take apart streams by hand. A stream (format version 4,
//! framed as version 2 was) is a 5-byte header, the varint length of the rest, then the body,
//! the table of constructor names (each followed, from version 4, by a field count), and the
//! table's byte length as a varint with its bytes reversed.
#![allow(dead_code)] // each test file uses some of these

/// `v` as a varint.
pub fn varint(mut v: u64) -> Vec<u8> {
    let mut out = Vec::new();
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
    out
}

/// `v` as a zigzag varint, as streams write signed integers.
pub fn zigzag(v: i64) -> Vec<u8> {
    varint(((v << 1) ^ (v >> 63)) as u64)
}

/// A version 4 stream with the given constructor names and body, as a writer would lay it
/// out; no entry counts fields (each is followed by a 0).
pub fn stream(names: &[&str], body: &[u8]) -> Vec<u8> {
    let mut table = Vec::new();
    for name in names {
        table.extend(varint(name.len() as u64));
        table.extend_from_slice(name.as_bytes());
        table.push(0);
    }
    framed(4, &table, body)
}

/// A version 4 stream as a writer lays it out: each name with the field count a writer
/// gives it (`Some(n)`: a derived struct of `n` fields; `None`: anything else).
pub fn stream_counted(names: &[(&str, Option<u32>)], body: &[u8]) -> Vec<u8> {
    let mut table = Vec::new();
    for (name, fields) in names {
        table.extend(varint(name.len() as u64));
        table.extend_from_slice(name.as_bytes());
        table.extend(varint(fields.map_or(0, |n| u64::from(n) + 1)));
    }
    framed(4, &table, body)
}

/// A version 3 stream whose name table is the raw bytes `table` (to write compact codes, or
/// malformed entries): version 3's entries are a name or a code, with no field count.
pub fn stream_with_table(table: &[u8], body: &[u8]) -> Vec<u8> {
    framed(3, table, body)
}

/// A stream of format `version` (2 on) with the name table `table` and `body`.
pub fn framed(version: u8, table: &[u8], body: &[u8]) -> Vec<u8> {
    let mut rest = body.to_vec();
    rest.extend_from_slice(table);
    rest.extend(varint(table.len() as u64).iter().rev());
    let mut out = b"cprg".to_vec();
    out.push(version);
    out.extend(varint(rest.len() as u64));
    out.extend(rest);
    out
}

/// Where a well-formed stream's body starts, and where its name table starts and ends.
fn layout(stream: &[u8]) -> (usize, usize, usize) {
    assert!(
        matches!(&stream[..5], b"cprg\x02" | b"cprg\x03" | b"cprg\x04"),
        "a version 2, 3 or 4 stream"
    );
    let mut at = 5;
    while stream[at] & 0x80 != 0 {
        at += 1;
    }
    let body_start = at + 1;
    let (mut table, mut end, mut shift) = (0usize, stream.len(), 0);
    loop {
        end -= 1;
        table |= ((stream[end] & 0x7f) as usize) << shift;
        shift += 7;
        if stream[end] & 0x80 == 0 {
            break;
        }
    }
    (body_start, end - table, end)
}

/// How many bytes come before a well-formed stream's body: its offsets count from its start.
pub fn body_offset(stream: &[u8]) -> usize {
    layout(stream).0
}

/// The raw bytes of a well-formed stream's name table.
pub fn table(stream: &[u8]) -> &[u8] {
    let (_, start, end) = layout(stream);
    &stream[start..end]
}

/// The body of a well-formed stream.
pub fn body(stream: &[u8]) -> &[u8] {
    let (body, table, _) = layout(stream);
    &stream[body..table]
}

/// The constructor names of a well-formed stream whose table holds short names only.
pub fn names(stream: &[u8]) -> Vec<String> {
    let counted = stream[4] >= 4;
    let mut rest = table(stream);
    let mut names = Vec::new();
    while let [len, tail @ ..] = rest {
        let (name, mut tail) = tail.split_at(*len as usize);
        names.push(String::from_utf8(name.to_vec()).unwrap());
        if counted {
            // The field count, a varint.
            while let [byte, after @ ..] = tail {
                tail = after;
                if byte & 0x80 == 0 {
                    break;
                }
            }
        }
        rest = tail;
    }
    names
}

/// `stream` with its body replaced.
pub fn with_body(stream: &[u8], body: &[u8]) -> Vec<u8> {
    let names = names(stream);
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    self::stream(&names, body)
}

/// The stream format version 1 wrote for the `String` `text`: no length after the header,
/// the string's length as a `u64`, and the name table's length as a `u32` at the end.
pub fn version_1_string(text: &str) -> Vec<u8> {
    let mut out = b"cprg\x01\x01".to_vec();
    out.extend_from_slice(&(text.len() as u64).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(b"\x06String");
    out.extend_from_slice(&7u32.to_le_bytes());
    out
}

/// A small xorshift generator: the same numbers on every run, and no dependency.
pub fn rng(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}
