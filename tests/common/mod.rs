//! Helpers for tests that build or take apart streams by hand: a stream is a 5-byte header,
//! the body, the table of constructor names, and the table's byte length as a `u32`.
#![allow(dead_code)] // each test file uses some of these

/// A stream with the given constructor names and body, as a writer would lay it out.
pub fn stream(names: &[&str], body: &[u8]) -> Vec<u8> {
    let mut out = b"cprg\x01".to_vec();
    out.extend_from_slice(body);
    let start = out.len();
    for name in names {
        assert!(name.len() < 128, "one-byte varint lengths only");
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
    }
    let table = (out.len() - start) as u32;
    out.extend_from_slice(&table.to_le_bytes());
    out
}

/// A stream whose name table is the raw bytes `table` (to write compact codes, or
/// malformed entries).
pub fn stream_with_table(table: &[u8], body: &[u8]) -> Vec<u8> {
    let mut out = b"cprg\x01".to_vec();
    out.extend_from_slice(body);
    out.extend_from_slice(table);
    out.extend_from_slice(&(table.len() as u32).to_le_bytes());
    out
}

/// The raw bytes of a well-formed stream's name table.
pub fn table(stream: &[u8]) -> &[u8] {
    let end = stream.len() - 4;
    let table = u32::from_le_bytes(stream[end..].try_into().unwrap()) as usize;
    &stream[end - table..end]
}

/// The body of a well-formed stream.
pub fn body(stream: &[u8]) -> &[u8] {
    let end = stream.len() - 4;
    let table = u32::from_le_bytes(stream[end..].try_into().unwrap()) as usize;
    &stream[5..end - table]
}

/// The constructor names of a well-formed stream.
pub fn names(stream: &[u8]) -> Vec<String> {
    let end = stream.len() - 4;
    let table = u32::from_le_bytes(stream[end..].try_into().unwrap()) as usize;
    let mut rest = &stream[end - table..end];
    let mut names = Vec::new();
    while let [len, tail @ ..] = rest {
        let (name, tail) = tail.split_at(*len as usize);
        names.push(String::from_utf8(name.to_vec()).unwrap());
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
