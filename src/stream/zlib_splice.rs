//! A native pipeline through a zlib transform: a source descriptor, the
//! codec, a sink descriptor, with no byte entering JS. This is what runs when
//! `pipeline(nativeSource, zlibTransform, nativeSink)` finds native
//! neighbours on both sides of the transform (lib/stream/native-seam.js).
//!
//! Compression without a dictionary goes through `parallel::compress_stream`
//! (blocks on the pool, this thread reads, orders and writes); everything
//! else through one `Codec` on this thread. Either way it is a blocking
//! function for a thread of its own, never a pool thread (it waits for pool
//! blocks) and never the JS thread.
//!
//! ```text
//! Endpoint { fd: OwnedFd, offset: Option<u64>, len: Option<u64> }
//!     // offset None: the descriptor's own position; len None: to the end
//! run(kind, &Options, src: Endpoint, dst: Endpoint, cancel: &AtomicBool) -> Outcome
//! Outcome { bytes_in, bytes_out, failure: Option<Failure> }
//! Failure::{Read(Errno), Write(Errno), Zlib(ZlibError), Cancelled}
//! ```
//!
//! Non-blocking descriptors (Node's pipes and sockets) are waited on in
//! short poll slices, so a set `cancel` stops the pipeline promptly either
//! way. Trailing data after a complete compressed stream is not read on
//! (Node ignores it).

use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::errno::Errno;
use nix::sys::uio::{pread, pwrite};

use super::codec::Codec;
use super::fdio::{self, Interest};
use super::parallel::{compress_stream, format_of, parallel_supports, ParallelOptions};
use super::zlib_error::ZlibError;
use super::zlib_options::{Flush, Kind, Options};

pub struct Endpoint {
    pub fd: OwnedFd,
    pub offset: Option<u64>,
    pub len: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    Read(Errno),
    Write(Errno),
    Zlib(ZlibError),
    Cancelled,
}

/// How JS tells failures apart (the `d` field of a splice record).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    None = 0,
    Read = 1,
    Write = 2,
    Zlib = 3,
    Cancelled = 4,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub failure: Option<Failure>,
}

impl Outcome {
    /// (errno, kind, message) as JS receives them.
    pub fn failure_parts(&self) -> (i32, FailureKind, Option<String>) {
        match self.failure {
            None => (0, FailureKind::None, None),
            Some(Failure::Read(e)) => (e as i32, FailureKind::Read, None),
            Some(Failure::Write(e)) => (e as i32, FailureKind::Write, None),
            Some(Failure::Zlib(z)) => (z.errno(), FailureKind::Zlib, Some(z.message.to_owned())),
            Some(Failure::Cancelled) => (0, FailureKind::Cancelled, None),
        }
    }
}

/// Reads a descriptor at an offset (or its position), up to a length.
struct FdReader<'a> {
    ep: Endpoint,
    cancel: &'a AtomicBool,
    total: u64,
    failure: Option<Failure>,
}

impl Read for FdReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = match self.ep.len {
            Some(left) => (left.min(buf.len() as u64)) as usize,
            None => buf.len(),
        };
        if want == 0 {
            return Ok(0);
        }
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                self.failure = Some(Failure::Cancelled);
                return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
            }
            let r = match self.ep.offset {
                Some(at) => pread(self.ep.fd.as_fd(), &mut buf[..want], at as i64),
                None => nix::unistd::read(self.ep.fd.as_fd(), &mut buf[..want]),
            };
            match r {
                Ok(n) => {
                    let n64 = n as u64;
                    self.total += n64;
                    if let Some(at) = &mut self.ep.offset {
                        *at += n64;
                    }
                    if let Some(left) = &mut self.ep.len {
                        *left -= n64;
                    }
                    return Ok(n);
                }
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => {
                    match fdio::wait_ready(self.ep.fd.as_fd(), Interest::Read, self.cancel) {
                        Ok(_) => continue,
                        Err(e) => return Err(self.fail(Failure::Read(e))),
                    }
                }
                Err(e) => return Err(self.fail(Failure::Read(e))),
            }
        }
    }
}

impl FdReader<'_> {
    fn fail(&mut self, f: Failure) -> io::Error {
        self.failure = Some(f);
        io::Error::other("read failed")
    }
}

/// Writes a descriptor at an offset (or its position).
struct FdWriter<'a> {
    ep: Endpoint,
    cancel: &'a AtomicBool,
    total: u64,
    failure: Option<Failure>,
}

impl Write for FdWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.cancel.load(Ordering::Relaxed) {
                self.failure = Some(Failure::Cancelled);
                return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
            }
            let r = match self.ep.offset {
                Some(at) => pwrite(self.ep.fd.as_fd(), buf, at as i64),
                None => nix::unistd::write(self.ep.fd.as_fd(), buf),
            };
            match r {
                Ok(n) => {
                    self.total += n as u64;
                    if let Some(at) = &mut self.ep.offset {
                        *at += n as u64;
                    }
                    return Ok(n);
                }
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) => {
                    match fdio::wait_ready(self.ep.fd.as_fd(), Interest::Write, self.cancel) {
                        Ok(_) => continue,
                        Err(e) => {
                            self.failure = Some(Failure::Write(e));
                            return Err(io::Error::other("write failed"));
                        }
                    }
                }
                Err(e) => {
                    self.failure = Some(Failure::Write(e));
                    return Err(io::Error::other("write failed"));
                }
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Moves everything from `src` through a codec of `kind` into `dst`.
pub fn run(
    kind: Kind,
    opts: &Options,
    src: Endpoint,
    dst: Endpoint,
    cancel: &AtomicBool,
) -> Outcome {
    let mut reader = FdReader {
        ep: src,
        cancel,
        total: 0,
        failure: None,
    };
    let mut writer = FdWriter {
        ep: dst,
        cancel,
        total: 0,
        failure: None,
    };
    let parallel = match format_of(kind) {
        Some(format) if parallel_supports(opts) => ParallelOptions::new(format, opts).ok(),
        _ => None,
    };
    let zlib_failure = match parallel {
        Some(p) => match compress_stream(p, &mut reader, &mut writer, cancel) {
            Ok(_) => None,
            Err(e) => e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<ZlibError>())
                .copied()
                .map(Failure::Zlib),
        },
        None => through_codec(kind, opts, &mut reader, &mut writer).err(),
    };
    let failure = reader
        .failure
        .or(writer.failure)
        .or(zlib_failure)
        .or_else(|| cancel.load(Ordering::Relaxed).then_some(Failure::Cancelled));
    Outcome {
        bytes_in: reader.total,
        bytes_out: writer.total,
        failure,
    }
}

const PIECE: usize = 256 << 10;

/// One codec on this thread: decompression, and compression with a dictionary.
fn through_codec(
    kind: Kind,
    opts: &Options,
    reader: &mut FdReader<'_>,
    writer: &mut FdWriter<'_>,
) -> Result<(), Failure> {
    let mut codec = Codec::new(kind, opts).map_err(|_| {
        Failure::Zlib(ZlibError::new(
            super::zlib_error::ZCode::StreamError,
            "Zlib error",
        ))
    })?;
    let mut input = vec![0u8; PIECE];
    let mut out = Vec::with_capacity(PIECE + 1024);
    // Any I/O error has been recorded by the reader or writer.
    let io_failed = |_: io::Error| Failure::Cancelled;
    loop {
        let n = reader.read(&mut input).map_err(io_failed)?;
        let last = n == 0;
        let flush = if last { Flush::Finish } else { Flush::None };
        let mut at = 0;
        loop {
            let limit = out.len() + PIECE;
            let st = codec
                .step(&input[at..n], flush, &mut out, limit)
                .map_err(Failure::Zlib)?;
            at += st.consumed;
            writer.write_all(&out).map_err(io_failed)?;
            out.clear();
            if st.ended {
                // The stream is complete; anything after it is ignored.
                return Ok(());
            }
            if !st.more_output {
                break;
            }
        }
        if last {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stream::codec::convert;
    use crate::stream::testutil::{realistic_text, TempPath};
    use crate::stream::zlib_error::ZCode;
    use std::fs::{File, OpenOptions};

    fn endpoint(f: File, offset: Option<u64>, len: Option<u64>) -> Endpoint {
        Endpoint {
            fd: OwnedFd::from(f),
            offset,
            len,
        }
    }

    fn through(
        kind: Kind,
        opts: &Options,
        input: &[u8],
        range: (Option<u64>, Option<u64>),
    ) -> (Vec<u8>, Outcome) {
        let src = TempPath::with("splice-src", input);
        let dst = TempPath::new("splice-dst");
        let out = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(dst.path())
            .unwrap();
        let no = AtomicBool::new(false);
        let o = run(
            kind,
            opts,
            endpoint(File::open(src.path()).unwrap(), range.0, range.1),
            endpoint(out, Some(0), None),
            &no,
        );
        (dst.read(), o)
    }

    #[test]
    fn files_through_every_kind() {
        let text = realistic_text(2 << 20, 11);
        let opts = Options::default();
        for (c, d) in [
            (Kind::Gzip, Kind::Gunzip),
            (Kind::Deflate, Kind::Inflate),
            (Kind::DeflateRaw, Kind::InflateRaw),
            (Kind::Gzip, Kind::Unzip),
        ] {
            let (packed, o) = through(c, &opts, &text, (None, None));
            assert_eq!(o.failure, None);
            assert_eq!(
                (o.bytes_in, o.bytes_out),
                (text.len() as u64, packed.len() as u64)
            );
            assert!(convert(d, &opts, &packed).unwrap() == text);
            let (back, o) = through(d, &opts, &packed, (None, None));
            assert_eq!(o.failure, None);
            assert!(back == text, "{c:?} {d:?}");
        }
        // A range of the source, and a dictionary (the serial path).
        let dict = Options {
            dictionary: Some(b"the quick brown fox".to_vec()),
            ..Options::default()
        };
        let (packed, o) = through(Kind::Deflate, &dict, &text, (Some(1000), Some(5000)));
        assert_eq!((o.failure, o.bytes_in), (None, 5000));
        assert!(convert(Kind::Inflate, &dict, &packed).unwrap() == text[1000..6000]);
    }

    #[test]
    fn corrupt_input_is_a_zlib_failure() {
        let (_, o) = through(
            Kind::Gunzip,
            &Options::default(),
            b"not gzip data",
            (None, None),
        );
        match o.failure {
            Some(Failure::Zlib(z)) => assert_eq!(z.code, ZCode::DataError),
            other => panic!("{other:?}"),
        }
        let gz = convert(Kind::Gzip, &Options::default(), b"hello").unwrap();
        let (_, o) = through(
            Kind::Gunzip,
            &Options::default(),
            &gz[..gz.len() - 3],
            (None, None),
        );
        assert_eq!(o.failure, Some(Failure::Zlib(ZlibError::unexpected_end())));
    }

    #[test]
    fn a_closed_pipe_is_a_write_failure_and_cancel_stops_a_wait() {
        let text = realistic_text(1 << 20, 12);
        let src = TempPath::with("splice-pipe", &text);
        let (r, w) = nix::unistd::pipe().unwrap();
        drop(r);
        let no = AtomicBool::new(false);
        let o = run(
            Kind::Gzip,
            &Options::default(),
            endpoint(File::open(src.path()).unwrap(), None, None),
            Endpoint {
                fd: w,
                offset: None,
                len: None,
            },
            &no,
        );
        assert_eq!(o.failure, Some(Failure::Write(Errno::EPIPE)));

        // A source pipe nobody writes to: cancel ends the wait.
        let (r, _w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_NONBLOCK).unwrap();
        let sink = TempPath::new("splice-cancel");
        let out = File::create(sink.path()).unwrap();
        let cancel = std::sync::Arc::new(AtomicBool::new(false));
        let c2 = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            c2.store(true, Ordering::Relaxed);
        });
        let started = std::time::Instant::now();
        let o = run(
            Kind::Gunzip,
            &Options::default(),
            Endpoint {
                fd: r,
                offset: None,
                len: None,
            },
            endpoint(out, None, None),
            &cancel,
        );
        t.join().unwrap();
        assert_eq!(o.failure, Some(Failure::Cancelled));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
