//! Streams over I/O: [`dump`] to any `Write` and [`load`] from any `Read`, one stream after
//! another, as Python's `pickle.dump` and `pickle.load` on a file.

use std::any::Any;
use std::cell::Cell;
use std::io::{self, Read, Write};

use crate::api::pickler::Pickler;
use crate::api::unpickler::Unpickler;
use crate::wire::error::{Error, LimitKind};
use crate::wire::frame::{self, HEADER_LEN, MAX_VARINT_LEN, VERSION_1};

/// Writes `value` to `writer` as one copyreg stream: the bytes of [`dumps`](crate::dumps).
///
/// A stream says how long it is, so streams written one after another can be read back one
/// at a time with [`load`]. The stream is written with one `write_all`, so a writer that
/// makes a system call per write (a `File`, a `TcpStream`) needs no `BufWriter` for it.
///
/// ```
/// #[derive(copyreg::Reducible, Debug, PartialEq)]
/// struct Point {
///     x: i32,
///     y: i32,
/// }
///
/// let mut file = Vec::new(); // or a File, a TcpStream, a pipe: any `std::io::Write`
/// copyreg::dump(&Point { x: 1, y: 2 }, &mut file)?;
/// copyreg::dump(&Point { x: 3, y: 4 }, &mut file)?;
///
/// let mut input = file.as_slice(); // any `std::io::Read`
/// assert_eq!(copyreg::load::<Point>(&mut input)?, Point { x: 1, y: 2 });
/// assert_eq!(copyreg::load::<Point>(&mut input)?, Point { x: 3, y: 4 });
/// assert!(matches!(copyreg::load::<Point>(&mut input), Err(copyreg::Error::Eof)));
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn dump<T: Any>(value: &T, writer: impl Write) -> Result<(), Error> {
    crate::api::functions::PICKLER.dump(value, writer)
}

/// Reads one copyreg stream from `reader` and rebuilds the `T` it holds.
///
/// It reads exactly one stream and no byte past it, so calling it again reads the next
/// stream, from a file, a pipe or a socket. At the clean end of the input, before a stream
/// starts, it gives [`Error::Eof`]; a stream cut off in the middle is
/// [`Error::Malformed`]. Reading is as safe as [`loads`](crate::loads): the stream's length
/// is checked against the unpickler's `max_input` (1 GiB by default) before it is read, and
/// the buffer grows only as bytes arrive. [`Unpickler::load`] loads with other limits.
///
/// A stream of format version 1, which had no length, extends to the end of the input; one
/// over `max_input` is found so by reading one byte past the limit.
///
/// Where the reader is after an error: an error in the value (`Forbidden`, `TypeMismatch`,
/// a failing constructor, a malformed body) comes after the whole stream was read, so the
/// next call reads the next stream. An error in reading the stream itself (`Io`, a stream
/// cut off, `Limit` on its length) leaves the reader inside it: such a reader cannot be
/// read further as streams. A non-blocking reader's `WouldBlock` is such an error, so give
/// `load` a blocking reader.
///
/// `dump` and `load` write and read through a buffer each thread keeps between calls (up to
/// 64 KiB of it), so small values cost no allocation for it.
///
/// ```
/// use std::io::{BufReader, BufWriter, Write};
///
/// let path = std::env::temp_dir().join(format!("copyreg-doc-{}", std::process::id()));
/// let mut out = BufWriter::new(std::fs::File::create(&path)?);
/// for n in 0..3u32 {
///     copyreg::dump(&vec![n; 2], &mut out)?;
/// }
/// out.flush()?;
///
/// let mut input = BufReader::new(std::fs::File::open(&path)?);
/// let mut all = Vec::new();
/// loop {
///     match copyreg::load::<Vec<u32>>(&mut input) {
///         Ok(v) => all.push(v),
///         Err(copyreg::Error::Eof) => break,
///         Err(e) => return Err(e.into()),
///     }
/// }
/// assert_eq!(all, [[0, 0], [1, 1], [2, 2]]);
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn load<T: Any>(reader: impl Read) -> Result<T, Error> {
    crate::api::functions::UNPICKLER.load(reader)
}

/// Reads one stream from `reader` and rebuilds whatever value it holds, as a `Box<dyn Any>`
/// to downcast: [`loads_any`](crate::loads_any) over a reader, as [`load`] is
/// [`loads`](crate::loads) over one.
///
/// ```
/// let mut sent = Vec::new();
/// copyreg::dump(&String::from("hello"), &mut sent)?;
/// copyreg::dump(&7u8, &mut sent)?;
/// let mut input = sent.as_slice();
/// assert_eq!(copyreg::load_any(&mut input)?.downcast_ref::<String>().unwrap(), "hello");
/// assert_eq!(copyreg::load_any(&mut input)?.downcast_ref::<u8>(), Some(&7));
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn load_any(reader: impl Read) -> Result<Box<dyn Any>, Error> {
    crate::api::functions::UNPICKLER.load_any(reader)
}

/// Reads one stream from `reader` and rebuilds its value as a `Box<dyn D>`:
/// [`loads_dyn`](crate::loads_dyn) over a reader.
///
/// ```
/// trait Shape: std::any::Any {
///     fn area(&self) -> f64;
/// }
///
/// #[derive(copyreg::Reducible)]
/// #[reducer(dyn(Shape))]
/// struct Square(f64);
///
/// impl Shape for Square {
///     fn area(&self) -> f64 {
///         self.0 * self.0
///     }
/// }
///
/// let mut sent = Vec::new();
/// copyreg::dump(&Square(3.0), &mut sent)?;
/// assert_eq!(copyreg::load_dyn::<dyn Shape>(sent.as_slice())?.area(), 9.0);
/// # Ok::<(), copyreg::Error>(())
/// ```
pub fn load_dyn<D: ?Sized + 'static>(reader: impl Read) -> Result<Box<D>, Error> {
    crate::api::functions::UNPICKLER.load_dyn(reader)
}

impl Pickler {
    /// [`dump`](crate::dump) with this pickler's reducers and persistent ids.
    ///
    /// ```
    /// let mut out = Vec::new();
    /// copyreg::Pickler::new().dump(&String::from("s"), &mut out)?;
    /// assert_eq!(out, copyreg::dumps(&String::from("s"))?);
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn dump<T: Any>(&self, value: &T, writer: impl Write) -> Result<(), Error> {
        with_scratch(|buffer| {
            self.dumps_into(value, buffer)?;
            Checked(writer)
                .write_all(buffer)
                .map_err(|source| Error::Io { source })
        })
    }
}

impl Unpickler {
    /// [`load`](crate::load) with this unpickler's settings: its limits (`max_input` bounds
    /// the bytes one call reads), allow-list, constructors and persistent loads.
    ///
    /// ```
    /// use copyreg::{Error, LimitKind, Unpickler};
    ///
    /// let mut sent = Vec::new();
    /// copyreg::dump(&vec![0u8; 1000], &mut sent)?;
    /// copyreg::dump(&7u8, &mut sent)?;
    ///
    /// // A stream longer than the limit is refused from its header, before it is read.
    /// let small = Unpickler::new().max_input(100);
    /// let err = small.load::<Vec<u8>>(sent.as_slice()).unwrap_err();
    /// assert!(matches!(err, Error::Limit { which: LimitKind::InputSize, max: 100 }));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn load<T: Any>(&self, reader: impl Read) -> Result<T, Error> {
        self.read_then(reader, |bytes| self.loads(bytes))
    }

    /// [`load_any`](crate::load_any) with this unpickler's settings.
    ///
    /// ```
    /// let mut sent = Vec::new();
    /// copyreg::dump(&'x', &mut sent)?;
    /// let value = copyreg::Unpickler::new().load_any(sent.as_slice())?;
    /// assert_eq!(value.downcast_ref(), Some(&'x'));
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn load_any(&self, reader: impl Read) -> Result<Box<dyn Any>, Error> {
        self.read_then(reader, |bytes| self.loads_any(bytes))
    }

    /// [`load_dyn`](crate::load_dyn) with this unpickler's settings.
    ///
    /// ```
    /// trait Named: std::any::Any {}
    ///
    /// #[derive(copyreg::Reducible)]
    /// #[reducer(dyn(Named))]
    /// struct Tag(String);
    /// impl Named for Tag {}
    ///
    /// let mut sent = Vec::new();
    /// copyreg::dump(&Tag("t".into()), &mut sent)?;
    /// assert!(copyreg::Unpickler::new().load_dyn::<dyn Named>(sent.as_slice()).is_ok());
    /// # Ok::<(), copyreg::Error>(())
    /// ```
    pub fn load_dyn<D: ?Sized + 'static>(&self, reader: impl Read) -> Result<Box<D>, Error> {
        self.read_then(reader, |bytes| self.loads_dyn::<D>(bytes))
    }

    /// Reads one stream from `reader` into the thread's buffer and hands it to `load`.
    fn read_then<R>(
        &self,
        reader: impl Read,
        load: impl FnOnce(&[u8]) -> Result<R, Error>,
    ) -> Result<R, Error> {
        let mut reader = Checked(reader);
        with_scratch(|buffer| {
            read_stream(&mut reader, self.limits().max_input, buffer)?;
            load(buffer)
        })
    }
}

/// The most a thread keeps of the buffer it reads and writes streams in, between calls:
/// enough that small values, where an allocation costs most, reuse it.
const KEEP_SCRATCH: usize = 64 * 1024;

thread_local! {
    static SCRATCH: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Runs `f` with an empty buffer, reusing the thread's between calls. A call made from
/// inside `f` (a reducer that dumps, say), or while the thread's locals are being destroyed,
/// gets a new one.
fn with_scratch<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    let mut buffer = SCRATCH.try_with(Cell::take).unwrap_or_default();
    buffer.clear();
    let result = f(&mut buffer);
    if buffer.capacity() <= KEEP_SCRATCH {
        buffer.clear();
        let _ = SCRATCH.try_with(|kept| kept.set(buffer));
    }
    result
}

/// A reader or writer that says it moved more bytes than it was given room for breaks the
/// `Read`/`Write` contract, and std's helpers panic on it: this turns that into an error.
struct Checked<T>(T);

fn overrun() -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        "the reader or writer reported more bytes than the buffer it was given holds",
    )
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        if n > buf.len() {
            return Err(overrun());
        }
        Ok(n)
    }
}

impl<W: Write> Write for Checked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        if n > buf.len() {
            return Err(overrun());
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Reads one stream from `reader` into `buffer`, never past its end, and never more than
/// `max_input` bytes.
fn read_stream<R: Read + ?Sized>(
    reader: &mut R,
    max_input: usize,
    buffer: &mut Vec<u8>,
) -> Result<(), Error> {
    // Every stream is longer than its header and one byte more (a version 2 stream's length,
    // or a version 1 stream's body): they come in one read from a buffered reader.
    let mut head = [0; HEADER_LEN + 1];
    let first = if max_input > HEADER_LEN {
        head.len()
    } else {
        1
    };
    let got = fill(reader, &mut head[..first])?;
    if got == 0 {
        return Err(Error::Eof);
    }
    buffer.extend_from_slice(&head[..got]);
    within((HEADER_LEN + 1) as u64, max_input)?;
    if frame::check_header(buffer)? == VERSION_1 {
        // Version 1 streams say nothing of their length: such a stream is all the input.
        // One byte past the limit tells a stream that is too long.
        read_up_to(
            reader,
            buffer,
            max_input.saturating_add(1).saturating_sub(buffer.len()),
        )?;
        return within(buffer.len() as u64, max_input);
    }
    while buffer.len() < HEADER_LEN + MAX_VARINT_LEN
        && buffer.last().is_some_and(|&b| b & 0x80 != 0)
    {
        let mut byte = [0];
        if fill(reader, &mut byte)? == 0 {
            break;
        }
        buffer.push(byte[0]);
    }
    let (length, body_start) = frame::read_length(buffer)?;
    within((body_start as u64).saturating_add(length), max_input)?;
    let have = read_up_to(reader, buffer, length as usize)?;
    if have as u64 != length {
        return Err(frame::wrong_length(length, have, body_start).into());
    }
    Ok(())
}

/// Refuses a stream of `total` bytes when that is over `max_input`.
fn within(total: u64, max_input: usize) -> Result<(), Error> {
    if total > max_input as u64 {
        return Err(Error::Limit {
            which: LimitKind::InputSize,
            max: max_input,
        });
    }
    Ok(())
}

/// Reads into all of `out`, fewer bytes only at the end of the input, and says how many.
fn fill<R: Read + ?Sized>(reader: &mut R, out: &mut [u8]) -> Result<usize, Error> {
    let mut filled = 0;
    while filled < out.len() {
        match reader.read(&mut out[filled..]) {
            Ok(0) => break,
            Ok(got) => filled += got.min(out.len() - filled),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => return Err(Error::Io { source }),
        }
    }
    Ok(filled)
}

/// The least a buffer grows by while a stream arrives.
const GROW_MIN: usize = 8 * 1024;

/// Appends up to `n` bytes from `reader` to `buffer`, fewer only at the end of the input,
/// and says how many it read. The buffer grows as the bytes arrive, at most doubling what has
/// arrived at each step, not by `n` at once: a claimed length costs memory only when its bytes
/// come.
fn read_up_to<R: Read + ?Sized>(
    reader: &mut R,
    buffer: &mut Vec<u8>,
    n: usize,
) -> Result<usize, Error> {
    let start = buffer.len();
    let end = start.saturating_add(n);
    while buffer.len() < end {
        let filled = buffer.len();
        let room = (end - filled).min(filled.max(GROW_MIN));
        buffer.resize(filled + room, 0);
        let got = fill(reader, &mut buffer[filled..]);
        buffer.truncate(filled + *got.as_ref().unwrap_or(&0));
        if got? < room {
            break;
        }
    }
    Ok(buffer.len() - start)
}
