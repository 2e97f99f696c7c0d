//! Streams over I/O: `dump` to a `Write`, `load` from a `Read`, one stream after another.

mod common;
#[path = "common/counting.rs"]
mod counting;

use std::io::{self, BufReader, BufWriter, Read, Write};

use copyreg::{Error, LimitKind, Pickler, Reducible, Unpickler};

#[derive(Reducible, Debug, PartialEq, Clone)]
#[reducer(name = "io.Job")]
struct Job {
    id: u32,
    name: String,
    weights: Vec<f64>,
}

#[derive(Reducible, Debug, PartialEq)]
#[reducer(name = "io.Secret")]
struct Secret(String);

fn job(id: u32) -> Job {
    Job {
        id,
        name: format!("job-{id}"),
        weights: (0..id).map(f64::from).collect(),
    }
}

/// Jobs of growing size, so that the streams' lengths take one, two and three bytes.
fn jobs() -> Vec<Job> {
    [0, 1, 5, 20, 300, 2100].into_iter().map(job).collect()
}

/// Reads streams until the clean end of the input.
fn load_all<R: Read>(mut reader: R) -> Result<Vec<Job>, Error> {
    let mut out = Vec::new();
    loop {
        match copyreg::load::<Job>(&mut reader) {
            Ok(job) => out.push(job),
            Err(Error::Eof) => return Ok(out),
            Err(e) => return Err(e),
        }
    }
}

#[test]
fn many_streams_in_one_buffer_load_one_after_another() {
    let mut buffer = Vec::new();
    for job in jobs() {
        copyreg::dump(&job, &mut buffer).unwrap();
    }
    // Each is exactly what `dumps` writes, and nothing separates them.
    let concatenated: Vec<u8> = jobs()
        .iter()
        .flat_map(|j| copyreg::dumps(j).unwrap())
        .collect();
    assert_eq!(buffer, concatenated);
    assert_eq!(load_all(buffer.as_slice()).unwrap(), jobs());
}

#[test]
fn load_reads_no_byte_past_its_stream() {
    let first = copyreg::dumps(&job(300)).unwrap();
    let mut buffer = first.clone();
    buffer.extend_from_slice(b"after");
    let mut rest = buffer.as_slice();
    assert_eq!(copyreg::load::<Job>(&mut rest).unwrap(), job(300));
    assert_eq!(rest, b"after");

    // Nor does it on a reader that hands out one byte per call.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(1);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut trickle = Trickle(&buffer);
    assert_eq!(copyreg::load::<Job>(&mut trickle).unwrap(), job(300));
    assert_eq!(trickle.0, b"after");
}

#[test]
fn a_file_holds_streams_one_after_another() {
    let path = std::env::temp_dir().join(format!("copyreg-test-io-{}", std::process::id()));
    {
        let mut out = BufWriter::new(std::fs::File::create(&path).unwrap());
        for job in jobs() {
            copyreg::dump(&job, &mut out).unwrap();
        }
        out.flush().unwrap();
    }
    let loaded = load_all(BufReader::new(std::fs::File::open(&path).unwrap()));
    // Unbuffered too: every read is a system call, and none reads past a stream.
    let unbuffered = load_all(std::fs::File::open(&path).unwrap());
    std::fs::remove_file(&path).unwrap();
    assert_eq!(loaded.unwrap(), jobs());
    assert_eq!(unbuffered.unwrap(), jobs());
}

#[cfg(unix)]
#[test]
fn a_pipe_through_another_process_carries_streams() {
    use std::process::{Command, Stdio};
    let mut cat = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("cat runs");
    let mut stdin = cat.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        for job in jobs() {
            copyreg::dump(&job, &mut stdin).unwrap();
        }
    });
    let loaded = load_all(cat.stdout.take().unwrap()).unwrap();
    writer.join().unwrap();
    assert!(cat.wait().unwrap().success());
    assert_eq!(loaded, jobs());
}

#[test]
fn a_socket_carries_streams_both_ways() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    // An echo server that loads each job and sends it back with its id doubled.
    let server = std::thread::spawn(move || {
        let (socket, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(socket.try_clone().unwrap());
        let mut writer = socket;
        loop {
            match copyreg::load::<Job>(&mut reader) {
                Ok(mut job) => {
                    job.id *= 2;
                    copyreg::dump(&job, &mut writer).unwrap();
                }
                Err(Error::Eof) => return,
                Err(e) => panic!("server: {e}"),
            }
        }
    });
    let socket = std::net::TcpStream::connect(addr).unwrap();
    let mut reader = BufReader::new(socket.try_clone().unwrap());
    let mut writer = socket;
    for job in jobs() {
        copyreg::dump(&job, &mut writer).unwrap();
        let back = copyreg::load::<Job>(&mut reader).unwrap();
        assert_eq!(back.id, job.id * 2);
        assert_eq!(back.weights, job.weights);
    }
    writer.shutdown(std::net::Shutdown::Write).unwrap();
    server.join().unwrap();
    assert!(matches!(copyreg::load::<Job>(&mut reader), Err(Error::Eof)));
}

#[test]
fn a_clean_end_is_eof_and_a_cut_is_malformed_at_every_length() {
    let mut two = copyreg::dumps(&job(1)).unwrap();
    let boundary = two.len();
    copyreg::dump(&job(20), &mut two).unwrap();
    for cut in 0..=two.len() {
        let mut input = &two[..cut];
        let first = copyreg::load::<Job>(&mut input);
        let second = copyreg::load::<Job>(&mut input);
        let third = copyreg::load::<Job>(&mut input);
        match cut {
            0 => assert!(matches!(first, Err(Error::Eof)), "{first:?}"),
            c if c == boundary => {
                assert_eq!(first.unwrap(), job(1));
                assert!(matches!(second, Err(Error::Eof)), "{second:?}");
            }
            c if c == two.len() => {
                assert_eq!(first.unwrap(), job(1));
                assert_eq!(second.unwrap(), job(20));
                assert!(matches!(third, Err(Error::Eof)), "{third:?}");
            }
            c => {
                let cut_off = if c < boundary { first } else { second };
                assert!(
                    matches!(
                        cut_off,
                        Err(Error::Malformed { .. } | Error::NotAStream { .. })
                    ),
                    "cut at {c}: {cut_off:?}"
                );
            }
        }
    }
}

#[test]
fn a_cut_stream_says_how_much_is_missing() {
    let bytes = copyreg::dumps(&job(5)).unwrap();
    let err = copyreg::load::<Job>(&bytes[..bytes.len() - 3]).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("cut off"), "{message}");
    assert!(
        message.contains(&format!("only {} follow", bytes.len() - 3 - 6)),
        "{message}"
    );
}

#[test]
fn a_claimed_length_over_max_input_is_refused_from_the_header() {
    // A header announcing 2^60 bytes, and nothing after it.
    let mut claim = b"cprg\x02".to_vec();
    claim.extend(common::varint(1 << 60));
    let measured = counting::measure(|| copyreg::load::<Job>(claim.as_slice()));
    assert!(matches!(
        measured.result,
        Err(Error::Limit {
            which: LimitKind::InputSize,
            max: 1_073_741_824
        })
    ));
    assert!(measured.largest < 4096, "{measured:?}");

    // Below the shortest stream, every stream is refused after its first byte.
    let bytes = copyreg::dumps(&job(0)).unwrap();
    for max in 0..6 {
        let mut input = bytes.as_slice();
        let err = Unpickler::new().max_input(max).load::<Job>(&mut input);
        assert!(
            matches!(
                err,
                Err(Error::Limit {
                    which: LimitKind::InputSize,
                    ..
                })
            ),
            "{max}: {err:?}"
        );
        assert_eq!(input.len(), bytes.len() - 1);
    }

    // max_input bounds one load, whatever the stream holds.
    let bytes = copyreg::dumps(&job(300)).unwrap();
    let exact = Unpickler::new().max_input(bytes.len());
    assert_eq!(exact.load::<Job>(bytes.as_slice()).unwrap(), job(300));
    let short = Unpickler::new().max_input(bytes.len() - 1);
    assert!(matches!(
        short.load::<Job>(bytes.as_slice()),
        Err(Error::Limit {
            which: LimitKind::InputSize,
            ..
        })
    ));
}

#[test]
fn a_claimed_length_within_the_limit_allocates_only_what_arrives() {
    // 512 MiB announced, 100 bytes sent: the buffer grows with what arrives.
    let mut claim = b"cprg\x02".to_vec();
    claim.extend(common::varint(512 << 20));
    claim.extend([0u8; 100]);
    let measured = counting::measure(|| copyreg::load::<Job>(claim.as_slice()));
    assert!(measured.largest < 64 * 1024, "{measured:?}");
    let err = measured.result.unwrap_err();
    assert!(err.to_string().contains("cut off"), "{err}");
}

#[test]
fn hostile_bytes_through_load_are_errors_never_panics() {
    let mut next = common::rng(0x2545_f491_4f6c_dd1d);
    let valid = copyreg::dumps(&job(20)).unwrap();
    for round in 0..3000 {
        let mut bytes = valid.clone();
        // Flip up to four bytes anywhere, header and length included.
        for _ in 0..(1 + next() % 4) {
            let at = (next() as usize) % bytes.len();
            bytes[at] ^= (next() as u8) | 1;
        }
        if round % 3 == 0 {
            bytes.truncate((next() as usize) % bytes.len());
        }
        let mut input = bytes.as_slice();
        let before = input.len();
        if let Ok(job) = copyreg::load::<Job>(&mut input) {
            // A flip that still makes a stream loads a value of the stream's own length.
            assert_eq!(before - input.len(), copyreg::dumps(&job).unwrap().len());
        }
    }
}

#[test]
fn reader_and_writer_errors_are_io_errors() {
    struct Broken;
    impl Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::ConnectionReset, "peer left"))
        }
    }
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, "reader left"))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let err = copyreg::load::<Job>(Broken).unwrap_err();
    assert!(
        matches!(&err, Error::Io { source } if source.kind() == io::ErrorKind::ConnectionReset)
    );
    assert!(std::error::Error::source(&err).is_some());
    let err = copyreg::dump(&job(1), Broken).unwrap_err();
    assert!(matches!(&err, Error::Io { source } if source.kind() == io::ErrorKind::BrokenPipe));
    assert!(err.to_string().contains("reader left"), "{err}");

    // A reader interrupted by signals is read again.
    struct Interrupted<'a>(&'a [u8], bool);
    impl Read for Interrupted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            self.0.read(buf)
        }
    }
    let bytes = copyreg::dumps(&job(3)).unwrap();
    assert_eq!(
        copyreg::load::<Job>(Interrupted(&bytes, false)).unwrap(),
        job(3)
    );
}

#[test]
fn an_unpickler_loads_with_its_allow_list_and_a_pickler_dumps_with_its_settings() {
    let mut buffer = Vec::new();
    copyreg::dump(&job(2), &mut buffer).unwrap();
    copyreg::dump(&Secret("s".into()), &mut buffer).unwrap();
    let only_jobs = Unpickler::new().allow::<Job>();
    let mut input = buffer.as_slice();
    assert_eq!(only_jobs.load::<Job>(&mut input).unwrap(), job(2));
    assert!(matches!(
        only_jobs.load::<Secret>(&mut input),
        Err(Error::Forbidden { .. })
    ));
    // The refused stream was read whole: the reader is at the end.
    assert!(input.is_empty());

    // A pickler's persistent ids travel, and an unpickler resolves them.
    let pickler = Pickler::new().persistent_id(|v: &dyn std::any::Any| {
        v.downcast_ref::<Job>()
            .filter(|j| j.id == 4)
            .map(|j| j.name.clone())
    });
    let mut out = Vec::new();
    pickler.dump(&vec![job(3), job(4)], &mut out).unwrap();
    let resolver = Unpickler::new().persistent_load(|id| {
        assert_eq!(id, "job-4");
        Ok(Box::new(job(9)))
    });
    let back: Vec<Job> = resolver.load(out.as_slice()).unwrap();
    assert_eq!(back, [job(3), job(9)]);
}

#[test]
fn a_version_1_stream_from_a_reader_extends_to_the_end_of_the_input() {
    let v1 = common::version_1_string("five");
    assert_eq!(copyreg::loads::<String>(&v1).unwrap(), "five");
    let mut input = v1.as_slice();
    assert_eq!(copyreg::load::<String>(&mut input).unwrap(), "five");
    assert!(input.is_empty());
    // What follows a version 1 stream is taken as part of it.
    let mut followed = v1.clone();
    followed.extend_from_slice(&v1);
    assert!(copyreg::load::<String>(followed.as_slice()).is_err());
    // And max_input bounds it as it does any stream.
    let limited = Unpickler::new().max_input(v1.len() - 1);
    assert!(matches!(
        limited.load::<String>(v1.as_slice()),
        Err(Error::Limit {
            which: LimitKind::InputSize,
            ..
        })
    ));
}

#[test]
fn readers_and_writers_that_break_their_contract_are_io_errors() {
    // Says it read more than it was given room for.
    struct Overread;
    impl Read for Overread {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            Ok(buf.len() + 3)
        }
    }
    let err = copyreg::load::<Job>(Overread).unwrap_err();
    assert!(
        matches!(&err, Error::Io { source } if source.kind() == io::ErrorKind::InvalidData),
        "{err:?}"
    );
    struct Overwrite;
    impl Write for Overwrite {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            Ok(buf.len() + 1)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let err = copyreg::dump(&job(1), Overwrite).unwrap_err();
    assert!(
        matches!(&err, Error::Io { source } if source.kind() == io::ErrorKind::InvalidData),
        "{err:?}"
    );
}

#[test]
fn dump_and_load_work_while_a_thread_is_being_torn_down() {
    struct Flush;
    impl Drop for Flush {
        fn drop(&mut self) {
            // Runs as the thread's locals are destroyed, copyreg's buffer among them.
            let mut out = Vec::new();
            copyreg::dump(&job(2), &mut out).unwrap();
            assert_eq!(copyreg::load::<Job>(out.as_slice()).unwrap(), job(2));
        }
    }
    thread_local! {
        static FLUSH: Flush = const { Flush };
    }
    std::thread::spawn(|| {
        FLUSH.with(|_| ());
        let mut out = Vec::new();
        copyreg::dump(&job(1), &mut out).unwrap();
        copyreg::load::<Job>(out.as_slice()).unwrap();
    })
    .join()
    .expect("the thread ends without a panic");
}

#[test]
fn any_and_trait_object_values_load_from_readers() {
    trait Labelled: std::any::Any {
        fn label(&self) -> String;
    }
    #[derive(Reducible)]
    #[reducer(name = "io.Tagged", dyn(Labelled))]
    struct Tagged(String);
    impl Labelled for Tagged {
        fn label(&self) -> String {
            self.0.clone()
        }
    }
    let mut sent = Vec::new();
    copyreg::dump(&job(1), &mut sent).unwrap();
    copyreg::dump(&Tagged("t".into()), &mut sent).unwrap();
    copyreg::dump(&Tagged("u".into()), &mut sent).unwrap();
    let mut input = sent.as_slice();
    let any = copyreg::load_any(&mut input).unwrap();
    assert_eq!(any.downcast_ref::<Job>(), Some(&job(1)));
    assert_eq!(
        copyreg::load_dyn::<dyn Labelled>(&mut input)
            .unwrap()
            .label(),
        "t"
    );
    let only_jobs = Unpickler::new().allow::<Job>();
    assert!(matches!(
        only_jobs.load_dyn::<dyn Labelled>(&mut input),
        Err(Error::Forbidden { .. })
    ));
    // A refused value was read whole: what follows is the clean end.
    assert!(matches!(copyreg::load_any(&mut input), Err(Error::Eof)));
}

#[test]
fn a_stream_has_one_encoding() {
    // The same stream with its length padded to two bytes is refused, so equal streams
    // are equal bytes.
    let bytes = copyreg::dumps(&job(1)).unwrap();
    assert!(bytes[5] < 0x80);
    let mut padded = bytes[..5].to_vec();
    padded.extend_from_slice(&[bytes[5] | 0x80, 0x00]);
    padded.extend_from_slice(&bytes[6..]);
    let err = copyreg::loads::<Job>(&padded).unwrap_err();
    assert!(err.to_string().contains("shortest form"), "{err}");
    let err = copyreg::load::<Job>(padded.as_slice()).unwrap_err();
    assert!(err.to_string().contains("shortest form"), "{err}");
}
