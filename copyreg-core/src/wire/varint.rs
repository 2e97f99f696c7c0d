//! Varints: unsigned LEB128, seven bits a byte with the low bits first, and zigzag for signed
//! numbers. These are postcard 1's integers (and its lengths), which streams from version 3 on use
//! for every integer wider than a byte.
//!
//! A varint is read only in its one shortest form, so that a value has one encoding and equal
//! streams are equal bytes.

/// The most bytes a `u64` varint takes.
pub(crate) const MAX_LEN: usize = 10;
/// The most bytes a `u128` varint takes.
const MAX_LEN_128: usize = 19;

/// `v` as a varint: its bytes, and how many of them it takes.
pub(crate) fn bytes(mut v: u64) -> ([u8; MAX_LEN], usize) {
    let mut out = [0; MAX_LEN];
    let mut n = 0;
    while v >= 0x80 {
        out[n] = (v as u8) | 0x80;
        v >>= 7;
        n += 1;
    }
    out[n] = v as u8;
    (out, n + 1)
}

/// How many bytes `v` takes as a varint.
pub(crate) fn len(v: u64) -> usize {
    let bits = 64 - v.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// Appends `v` as a varint.
#[inline(always)]
pub(crate) fn write(out: &mut Vec<u8>, v: u64) {
    // Lengths, references and small numbers, the common case, take one byte.
    if v < 0x80 {
        out.push(v as u8);
    } else {
        write_long(out, v);
    }
}

/// Appends `v` as a varint, with numbers up to 16,383 written in place: [`write`](fn@write) for the
/// values of integer fields, where two bytes are as common as one.
#[inline(always)]
pub(crate) fn write_number(out: &mut Vec<u8>, v: u64) {
    if v < 0x80 {
        out.push(v as u8);
    } else if v < 1 << 14 {
        out.extend_from_slice(&[v as u8 | 0x80, (v >> 7) as u8]);
    } else {
        write_long(out, v);
    }
}

#[inline(never)]
fn write_long(out: &mut Vec<u8>, v: u64) {
    // Two to four bytes, up to 268,435,455, as copies of known length.
    if v < 1 << 14 {
        out.extend_from_slice(&[v as u8 | 0x80, (v >> 7) as u8]);
    } else if v < 1 << 21 {
        out.extend_from_slice(&[v as u8 | 0x80, (v >> 7) as u8 | 0x80, (v >> 14) as u8]);
    } else if v < 1 << 28 {
        let group = |shift: u32| (v >> shift) as u8 | 0x80;
        out.extend_from_slice(&[group(0), group(7), group(14), (v >> 21) as u8]);
    } else {
        write_longer(out, v);
    }
}

// Apart, so that `write_long` stays a leaf that saves no registers.
#[inline(never)]
fn write_longer(out: &mut Vec<u8>, mut v: u64) {
    out.reserve(MAX_LEN);
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `v` as a varint of up to 19 bytes.
pub(crate) fn write_u128(out: &mut Vec<u8>, mut v: u128) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The zigzag form of `v`: small magnitudes, of either sign, are small numbers.
#[inline]
pub(crate) fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// The signed number whose zigzag form is `v`.
#[inline]
pub(crate) fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// [`zigzag`] for 128 bits.
pub(crate) fn zigzag_128(v: i128) -> u128 {
    ((v << 1) ^ (v >> 127)) as u128
}

/// [`unzigzag`] for 128 bits.
pub(crate) fn unzigzag_128(v: u128) -> i128 {
    ((v >> 1) as i128) ^ -((v & 1) as i128)
}

/// Decodes a `u64` varint from `bytes`, given in the order they are read: its value and how
/// many bytes it took. `Err(None)`: the bytes end first; `Err(Some(reason))`: it is not a
/// varint copyreg reads.
pub(crate) fn decode(
    bytes: impl IntoIterator<Item = u8>,
) -> Result<(u64, usize), Option<&'static str>> {
    let (value, n) = decode_bits::<MAX_LEN>(bytes, 1)?;
    Ok((value as u64, n))
}

/// Decodes a `u128` varint, as [`decode`] does a `u64` one.
pub(crate) fn decode_u128(bytes: &[u8]) -> Result<(u128, usize), Option<&'static str>> {
    // 18 bytes hold 126 bits: the 19th may add two more.
    decode_bits::<MAX_LEN_128>(bytes.iter().copied(), 0b11)
}

/// Decodes a varint of at most `MAX` bytes, whose last byte, when it takes all `MAX`, is at
/// most `last_max` (the bits left of the type).
fn decode_bits<const MAX: usize>(
    bytes: impl IntoIterator<Item = u8>,
    last_max: u8,
) -> Result<(u128, usize), Option<&'static str>> {
    let mut value = 0u128;
    let mut read = 0;
    for (i, byte) in bytes.into_iter().take(MAX).enumerate() {
        value |= u128::from(byte & 0x7f) << (7 * i);
        read = i + 1;
        if byte & 0x80 == 0 {
            return check_last(i, byte, MAX, last_max).map(|()| (value, i + 1));
        }
    }
    too_long_or_cut(read, MAX)
}

/// Checks the last byte of a varint, byte `i` of at most `max`.
fn check_last(i: usize, byte: u8, max: usize, last_max: u8) -> Result<(), Option<&'static str>> {
    if i > 0 && byte == 0 {
        Err(Some("a varint is not in its shortest form"))
    } else if i == max - 1 && byte > last_max {
        Err(Some("a varint overflows its integer type"))
    } else {
        Ok(())
    }
}

/// Why a varint of which `read` bytes were read, all with the continuation bit, ended: it
/// was longer than `max`, or its bytes ran out.
fn too_long_or_cut<T>(read: usize, max: usize) -> Result<T, Option<&'static str>> {
    if read >= max {
        Err(Some("a varint is longer than its integer type allows"))
    } else {
        Err(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_width_round_trips_in_its_shortest_form() {
        for v in [
            0,
            1,
            127,
            128,
            300,
            16_383,
            16_384,
            u32::MAX as u64,
            u64::MAX,
        ] {
            let mut out = Vec::new();
            write(&mut out, v);
            assert_eq!(out.len(), len(v));
            assert_eq!(decode(out.iter().copied()), Ok((v, out.len())));
        }
        for v in [0, 1, u64::MAX as u128 + 1, u128::MAX] {
            let mut out = Vec::new();
            write_u128(&mut out, v);
            assert_eq!(decode_u128(&out), Ok((v, out.len())));
        }
        assert_eq!(
            decode([0x81, 0x00]),
            Err(Some("a varint is not in its shortest form"))
        );
        let mut over = [0xff; MAX_LEN];
        over[MAX_LEN - 1] = 0x02;
        assert!(decode(over).is_err());
        assert_eq!(decode([0x80]), Err(None));
    }

    #[test]
    fn zigzag_maps_small_magnitudes_to_small_numbers() {
        for (v, z) in [
            (0, 0),
            (-1, 1),
            (1, 2),
            (-2, 3),
            (i64::MAX, u64::MAX - 1),
            (i64::MIN, u64::MAX),
        ] {
            assert_eq!(zigzag(v), z);
            assert_eq!(unzigzag(z), v);
        }
        for v in [0, -1, i128::MIN, i128::MAX] {
            assert_eq!(unzigzag_128(zigzag_128(v)), v);
        }
    }
}
