//! Reading a stream: [`Input`] opens its frame (see `frame.rs`) and reads the arguments in
//! the stream's layout, postcard's for versions 3 and 4 and bincode's fixed widths for versions 1
//! and 2, checking every length against the bytes left before anything is allocated.
//!
//! About 410 lines of reader and 150 of unit tests, which stay here because they test the
//! framing through functions private to the crate.

use serde::de::DeserializeOwned;

use crate::wire::error::Failure;
use crate::wire::frame::{
    check_header, read_length, read_names_length, utf8, wrong_length, FORMAT_VERSION, HEADER_LEN,
    V1_TRAILER_LEN, VERSION_1, VERSION_3,
};
use crate::wire::guard::{Budget, Guarded};
use crate::wire::varint;

/// A position in the bytes being loaded.
#[derive(Debug, Clone)]
pub(crate) struct Input<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// Whether the arguments are in the compact layout of versions 3 and 4 (postcard's),
    /// not in the fixed-width layout of versions 1 and 2 (bincode's).
    compact: bool,
    /// Whether each entry of the name table says how many fields its objects write
    /// (version 4).
    counted: bool,
}

impl<'a> Input<'a> {
    /// Checks the header and splits the stream into its body and its name table, each as an
    /// input whose offsets count from the start of the stream. `bytes` must hold exactly one
    /// stream.
    #[inline(always)]
    pub(crate) fn open(bytes: &'a [u8]) -> Result<(Self, Self), Failure> {
        let version = check_header(bytes)?;
        let (body_start, names_end, names_len) = if version == VERSION_1 {
            let names_end = bytes
                .len()
                .checked_sub(V1_TRAILER_LEN)
                .filter(|&e| e >= HEADER_LEN)
                .ok_or_else(|| {
                    Failure::malformed(bytes.len(), "the stream ends before its name table")
                })?;
            let mut length = [0; V1_TRAILER_LEN];
            length.copy_from_slice(&bytes[names_end..]);
            (HEADER_LEN, names_end, u32::from_le_bytes(length) as u64)
        } else {
            let (length, body_start) = read_length(bytes)?;
            let have = bytes.len() - body_start;
            if length != have as u64 {
                return Err(wrong_length(length, have, body_start));
            }
            let (names_len, names_end) = read_names_length(bytes, body_start)?;
            (body_start, names_end, names_len)
        };
        let Some(body_end) = usize::try_from(names_len)
            .ok()
            .and_then(|len| names_end.checked_sub(len))
            .filter(|&e| e >= body_start)
        else {
            return Err(Failure::malformed(
                names_end,
                format!("a name table of {names_len} bytes does not fit in the stream"),
            ));
        };
        let compact = version >= VERSION_3;
        let counted = version >= FORMAT_VERSION;
        let body = Input {
            bytes: &bytes[..body_end],
            pos: body_start,
            compact,
            counted,
        };
        let names = Input {
            bytes: &bytes[..names_end],
            pos: body_end,
            compact,
            counted,
        };
        Ok((body, names))
    }

    /// Whether the stream is in the compact layout of versions 3 and 4.
    #[inline]
    pub(crate) fn is_compact(&self) -> bool {
        self.compact
    }

    /// Whether the name table's entries say how many fields their objects write.
    pub(crate) fn counts_fields(&self) -> bool {
        self.counted
    }

    /// Whether everything has been read.
    pub(crate) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    /// Where this input ends, as an offset from the start of the stream.
    pub(crate) fn end(&self) -> usize {
        self.bytes.len()
    }

    /// Goes back to `offset`, which this input has read past.
    pub(crate) fn go_back(&mut self, offset: usize) {
        debug_assert!(offset <= self.pos);
        self.pos = offset;
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub(crate) fn error(&self, reason: impl Into<std::borrow::Cow<'static, str>>) -> Failure {
        Failure::malformed(self.pos, reason)
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], Failure> {
        match self.bytes.get(self.pos..).and_then(|rest| rest.get(..n)) {
            Some(slice) => {
                self.pos += n;
                Ok(slice)
            }
            None => Err(self.truncated(n)),
        }
    }

    // Errors are built out of line, so that the paths that succeed stay short.
    #[cold]
    fn truncated(&self, n: usize) -> Failure {
        self.error(format!(
            "needed {n} more bytes, only {} left",
            self.remaining()
        ))
    }

    #[cold]
    fn too_long(&self, at: usize, raw: u64) -> Failure {
        Failure::malformed(
            at,
            format!(
                "length {raw} is larger than the {} bytes left can hold",
                self.remaining()
            ),
        )
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], Failure> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    #[inline]
    pub(crate) fn varint(&mut self) -> Result<u64, Failure> {
        // Constructor references are almost always one byte.
        if let Some(&byte) = self.bytes.get(self.pos) {
            if byte < 0x80 {
                self.pos += 1;
                return Ok(u64::from(byte));
            }
        }
        self.varint_long()
    }

    #[inline(never)]
    fn varint_long(&mut self) -> Result<u64, Failure> {
        // Two bytes, the next most common (numbers up to 16,383), before the general case.
        if let Some(&[low, high]) = self.bytes.get(self.pos..self.pos + 2) {
            if high < 0x80 && high != 0 {
                self.pos += 2;
                return Ok(u64::from(low & 0x7f) | u64::from(high) << 7);
            }
        }
        match varint::decode(self.bytes[self.pos..].iter().copied()) {
            Ok((value, n)) => {
                self.pos += n;
                Ok(value)
            }
            Err(None) => Err(self.error("the stream ends inside a varint")),
            Err(Some(reason)) => Err(self.error(reason)),
        }
    }

    /// Reads a length for `len` elements that each take at least `min_size` bytes, and
    /// refuses it unless that many elements can fit in what is left. Elements that take no
    /// bytes are bounded by the loader's element limit instead.
    #[inline]
    pub(crate) fn len(&mut self, min_size: usize) -> Result<usize, Failure> {
        let start = self.pos;
        let raw = if self.compact {
            self.varint()?
        } else {
            u64::from_le_bytes(self.array()?)
        };
        // A multiplication, not a division: this runs for every string and collection.
        let fits = raw.saturating_mul(min_size as u64) <= self.remaining() as u64;
        match usize::try_from(raw) {
            Ok(len) if fits => Ok(len),
            _ => Err(self.too_long(start, raw)),
        }
    }

    /// Reads an unsigned integer, which the fixed-width layout writes in `W` bytes.
    #[inline]
    pub(crate) fn unsigned<const W: usize>(&mut self) -> Result<u64, Failure> {
        if self.compact {
            self.varint()
        } else {
            let mut word = [0; 8];
            word[..W].copy_from_slice(self.take(W)?);
            Ok(u64::from_le_bytes(word))
        }
    }

    /// Reads a signed integer, which the fixed-width layout writes in `W` bytes.
    #[inline]
    pub(crate) fn signed<const W: usize>(&mut self) -> Result<i64, Failure> {
        if self.compact {
            self.varint().map(varint::unzigzag)
        } else {
            // The `W` bytes as the top of a word, shifted down with their sign.
            let mut word = [0; 8];
            word[8 - W..].copy_from_slice(self.take(W)?);
            Ok(i64::from_le_bytes(word) >> (64 - 8 * W))
        }
    }

    /// Reads a `u128`.
    pub(crate) fn u128(&mut self) -> Result<u128, Failure> {
        if !self.compact {
            return self.array().map(u128::from_le_bytes);
        }
        match varint::decode_u128(&self.bytes[self.pos..]) {
            Ok((value, n)) => {
                self.pos += n;
                Ok(value)
            }
            Err(None) => Err(self.error("the stream ends inside a varint")),
            Err(Some(reason)) => Err(self.error(reason)),
        }
    }

    /// Reads an `i128`.
    pub(crate) fn i128(&mut self) -> Result<i128, Failure> {
        if self.compact {
            self.u128().map(varint::unzigzag_128)
        } else {
            self.array().map(i128::from_le_bytes)
        }
    }

    /// Reads an enum's variant index.
    #[inline]
    pub(crate) fn variant(&mut self) -> Result<u32, Failure> {
        if !self.compact {
            return self.array().map(u32::from_le_bytes);
        }
        let start = self.pos;
        let index = self.varint()?;
        u32::try_from(index).map_err(|_| does_not_fit(start, index, "a variant index (u32)"))
    }

    /// Reads a `char`: its UTF-8 bytes, after their count from version 3 on.
    pub(crate) fn char(&mut self) -> Result<char, Failure> {
        let start = self.pos;
        let width = if self.compact {
            match self.array::<1>()?[0] {
                width @ 1..=4 => usize::from(width),
                width => {
                    return Err(Failure::malformed(
                        start,
                        format!("a char of {width} bytes"),
                    ))
                }
            }
        } else {
            match self.bytes.get(self.pos) {
                Some(0x00..=0x7f) => 1,
                Some(0xc0..=0xdf) => 2,
                Some(0xe0..=0xef) => 3,
                Some(0xf0..=0xf7) => 4,
                Some(_) => return Err(self.error("invalid char encoding")),
                None => return Err(self.truncated(1)),
            }
        };
        let bytes = self.take(width)?;
        let mut chars = utf8(bytes, start)?.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => Ok(c),
            _ => Err(Failure::malformed(start, "invalid char encoding")),
        }
    }

    /// Reads `len` unsigned integers, each of which must fit in a `T`.
    pub(crate) fn unsigned_run<T: TryFrom<u64>, const W: usize>(
        &mut self,
        len: usize,
        type_name: &'static str,
    ) -> Result<Vec<T>, Failure> {
        self.integer_run(len, type_name, Self::unsigned::<W>)
    }

    /// Reads `len` signed integers, each of which must fit in a `T`.
    pub(crate) fn signed_run<T: TryFrom<i64>, const W: usize>(
        &mut self,
        len: usize,
        type_name: &'static str,
    ) -> Result<Vec<T>, Failure> {
        self.integer_run(len, type_name, Self::signed::<W>)
    }

    fn integer_run<T: TryFrom<V>, V: Copy + std::fmt::Display>(
        &mut self,
        len: usize,
        type_name: &'static str,
        read: impl Fn(&mut Self) -> Result<V, Failure>,
    ) -> Result<Vec<T>, Failure> {
        let mut out = Vec::with_capacity(len);
        for _ in 0..len {
            let at = self.pos;
            let value = read(self)?;
            out.push(T::try_from(value).map_err(|_| does_not_fit(at, value, type_name))?);
        }
        Ok(out)
    }

    /// Reads an array of `N` values of `W` bytes each, every byte pattern valid, in one run.
    pub(crate) fn run<T, const W: usize, const N: usize>(
        &mut self,
        decode: impl Fn([u8; W]) -> T,
    ) -> Result<[T; N], Failure> {
        let bytes = self.take(W * N)?;
        Ok(std::array::from_fn(|i| {
            let mut word = [0; W];
            word.copy_from_slice(&bytes[i * W..(i + 1) * W]);
            decode(word)
        }))
    }

    /// Reads `len` values of `N` bytes each (`len` is checked against the input already),
    /// every byte pattern valid, in one pass the compiler can turn into a copy.
    pub(crate) fn each<T, const N: usize>(
        &mut self,
        len: usize,
        decode: impl Fn([u8; N]) -> T,
    ) -> Result<Vec<T>, Failure> {
        let bytes = self.take_run(len, N)?;
        Ok(bytes
            .chunks_exact(N)
            .map(|chunk| {
                let mut word = [0; N];
                word.copy_from_slice(chunk);
                decode(word)
            })
            .collect())
    }

    fn take_run(&mut self, len: usize, width: usize) -> Result<&'a [u8], Failure> {
        let n = len
            .checked_mul(width)
            .ok_or_else(|| self.error(format!("{len} values do not fit in memory")))?;
        self.take(n)
    }

    pub(crate) fn str(&mut self, len: usize) -> Result<&'a str, Failure> {
        let start = self.pos;
        utf8(self.take(len)?, start)
    }

    /// Reads one value in the stream's layout, never reading past the end, through the
    /// guard that keeps serde's visitors from preallocating claimed lengths or nesting
    /// without bound, and that counts its collections' elements and their memory against
    /// `budget` (see `guard.rs`; `budget.exceeded()` says whether that is why it failed).
    pub(crate) fn serde<T: DeserializeOwned>(&mut self, budget: &Budget) -> Result<T, Failure> {
        let start = self.pos;
        let mut rest = &self.bytes[self.pos..];
        let read = if self.compact {
            let mut de = postcard::Deserializer::from_bytes(rest);
            match T::deserialize(Guarded::new(&mut de, budget)) {
                Ok(value) => de
                    .finalize()
                    .map(|remainder| {
                        rest = remainder;
                        value
                    })
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            }
        } else {
            crate::wire::legacy::read_serde(&mut rest, budget).map_err(|e| e.to_string())
        };
        let value = read.map_err(|e| {
            Failure::malformed(
                start,
                format!("reading `{}`: {e}", std::any::type_name::<T>()),
            )
        })?;
        self.pos = self.bytes.len() - rest.len();
        Ok(value)
    }
}

/// The error for an integer read at `at` that is out of `type_name`'s range.
#[cold]
pub(crate) fn does_not_fit(at: usize, value: impl std::fmt::Display, type_name: &str) -> Failure {
    Failure::malformed(at, format!("{value} does not fit in {type_name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::error::Error;
    use crate::wire::frame::{finish, write_header, write_serde, write_varint, LENGTH_WIDTH};

    #[test]
    fn varint_round_trips_at_every_width() {
        for v in [0, 1, 127, 128, 300, u32::MAX as u64, u64::MAX] {
            let mut out = Vec::new();
            let frame = write_header(&mut out);
            write_varint(&mut out, v);
            finish(&mut out, frame, []);
            let (mut input, _) = Input::open(&out).unwrap();
            assert_eq!(input.varint().unwrap(), v);
            assert_eq!(input.remaining(), 0);
        }
    }

    #[test]
    fn serde_values_stop_at_their_own_end() {
        let mut out = Vec::new();
        let frame = write_header(&mut out);
        write_serde(&mut out, &("ab".to_string(), 7u16)).unwrap();
        out.push(0xEE);
        finish(&mut out, frame, []);
        let (mut input, _) = Input::open(&out).unwrap();
        let v: (String, u16) = input.serde(&Budget::new(2, 1024)).unwrap();
        assert_eq!(v, ("ab".to_string(), 7));
        assert_eq!(input.take(1).unwrap(), &[0xEE]);
    }

    #[test]
    fn a_huge_claimed_length_is_refused_before_allocating() {
        let mut out = Vec::new();
        let frame = write_header(&mut out);
        write_varint(&mut out, 1 << 60);
        finish(&mut out, frame, []);
        let (mut input, _) = Input::open(&out).unwrap();
        let refused = input.len(1).unwrap_err();
        assert!(matches!(
            refused.error(),
            Error::Malformed { offset: 6, .. }
        ));
        let (mut input, _) = Input::open(&out).unwrap();
        assert!(input.serde::<String>(&Budget::new(1, 1024)).is_err());
    }

    /// Writes a stream whose body is `body` and whose name table holds `names`, with the
    /// length's width guessed as `guess`.
    fn stream(guess: usize, body: &[u8], names: &[&str]) -> Vec<u8> {
        LENGTH_WIDTH.with(|w| w.set(guess));
        let mut out = vec![0xAA; 3];
        let frame = write_header(&mut out);
        out.extend_from_slice(body);
        finish(&mut out, frame, names.iter().map(|n| (*n, None, None)));
        out.split_off(3)
    }

    #[test]
    fn the_length_is_minimal_whatever_the_guess_and_frames_the_stream() {
        for len in [
            0, 1, 100, 121, 122, 127, 128, 200, 16_000, 16_383, 16_384, 70_000,
        ] {
            let body = vec![0x5A; len];
            let want = stream(1, &body, &["a.B", "c"]);
            for guess in 1..=4 {
                assert_eq!(
                    stream(guess, &body, &["a.B", "c"]),
                    want,
                    "len {len}, guess {guess}"
                );
            }
            let (length, body_start) = read_length(&want).unwrap();
            assert_eq!(body_start, HEADER_LEN + varint::len(length));
            assert_eq!(length, (want.len() - body_start) as u64);
            let (body_in, mut names) = Input::open(&want).unwrap();
            assert_eq!(body_in.remaining(), len);
            let first = names.varint().unwrap() as usize;
            assert_eq!(names.take(first).unwrap(), b"a.B");
        }
    }

    #[test]
    fn varints_have_one_form() {
        let framed = |length: &[u8]| {
            let mut out = b"cprg\x02".to_vec();
            out.extend_from_slice(length);
            out
        };
        // Padded: 1 written in two bytes; overflowing: a tenth byte above 1.
        let padded = framed(&[0x81, 0x00]);
        let err = read_length(&padded).unwrap_err();
        assert!(err.error().to_string().contains("shortest form"), "{err:?}");
        let mut over = vec![0xFF; 9];
        over.push(0x02);
        let err = read_length(&framed(&over)).unwrap_err();
        assert!(err.error().to_string().contains("overflows"), "{err:?}");
        let mut max = vec![0xFF; 9];
        max.push(0x01);
        assert_eq!(read_length(&framed(&max)).unwrap().0, u64::MAX);

        let mut body = Input {
            bytes: &[
                0x80, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F,
            ],
            pos: 0,
            compact: true,
            counted: true,
        };
        assert!(body.varint().is_err());
        body.pos = 2;
        assert!(body.varint().is_err());

        let whole = stream(1, b"", &[]);
        let mut padded_names = whole[..whole.len() - 1].to_vec();
        padded_names.extend_from_slice(&[0x00, 0x80]); // the reversed form of `0x80, 0x00`
        padded_names[HEADER_LEN] += 1;
        let err = Input::open(&padded_names).unwrap_err();
        assert!(err.error().to_string().contains("shortest form"), "{err:?}");
    }

    #[test]
    fn a_version_1_stream_still_opens() {
        let mut v1 = b"cprg\x01".to_vec();
        v1.extend_from_slice(&[0x01, 0x2A]);
        v1.extend_from_slice(&[3, b'u', b'1', b'6']);
        v1.extend_from_slice(&4u32.to_le_bytes());
        let (mut body, mut names) = Input::open(&v1).unwrap();
        assert_eq!(body.take(2).unwrap(), &[0x01, 0x2A]);
        assert!(body.is_empty());
        assert_eq!(names.take(4).unwrap(), &[3, b'u', b'1', b'6']);
    }

    #[test]
    fn extra_or_missing_bytes_after_a_stream_are_refused() {
        let whole = stream(1, b"xy", &["n"]);
        let mut longer = whole.clone();
        longer.push(0);
        let err = Input::open(&longer).unwrap_err();
        assert!(
            err.error().to_string().contains("1 bytes follow"),
            "{err:?}"
        );
        let err = Input::open(&whole[..whole.len() - 1]).unwrap_err();
        assert!(err.error().to_string().contains("cut off"), "{err:?}");
        let err = Input::open(&whole[..HEADER_LEN]).unwrap_err();
        assert!(
            err.error().to_string().contains("inside the length"),
            "{err:?}"
        );
    }
}
