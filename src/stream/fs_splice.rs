//! A native pipeline's transfer: everything from a source descriptor to a
//! sink descriptor through `copy` (copy_file_range, sendfile, splice), with
//! two ways to end it early:
//!
//! - `cancel` (a stream is being destroyed): stops within one system call
//!   or poll slice; bytes the engine had drawn but not delivered are lost,
//!   which no longer matters.
//! - `stop` (JS wants the bytes itself from now on: a 'data' listener came,
//!   the source was paused or unpiped, someone wrote to the sink): stops
//!   without losing or repeating a byte. A file read at known offsets
//!   stops like `cancel` (the next read starts at offset + moved, whatever
//!   the engine had drawn); any other source (pipe, socket, tty) is
//!   copied in segments of what it has ready (FIONREAD), waited for here,
//!   and stops between two of them, never holding bytes it has drawn.
//!
//! With `chunked`, the sink is an HTTP/1.1 response body in chunked
//! transfer coding (Node's framing when a response has no Content-Length):
//! each segment of a file source goes out as one chunk, its size line
//! written before it and its CRLF after, so JS can go on with Node's own
//! chunks (and Node's last chunk) after a stop. A stop then always waits
//! for the end of a segment; only `cancel` cuts one short.
//!
//! ```text
//! run(&Request, &Flags) -> Spliced { moved, eof, error }
//! Request { src, dst, src_pos, dst_pos, len, segment, chunked }
//! Flags::new(stop_cuts) / flags.stop() / flags.cancel()
//! flags.progress() -> u64      // bytes delivered so far, from any thread
//! ```

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::os::fd::{AsRawFd, BorrowedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use std::io::IoSlice;

use nix::errno::Errno;
use nix::sys::stat::fstat;

use super::copy::{Copied, CopyError, CopyOptions, Ends, Side};
use super::fdio::{self, Interest};
use super::fs_ops;

pub struct Request<'a> {
    pub src: BorrowedFd<'a>,
    pub dst: BorrowedFd<'a>,
    /// Offsets (None: the descriptor's own position).
    pub src_pos: Option<u64>,
    pub dst_pos: Option<u64>,
    /// At most this many bytes (None: to the source's end).
    pub len: Option<u64>,
    /// Segment size for sources that are not read at offsets, and chunk
    /// size for `chunked`.
    pub segment: u64,
    /// Frame the bytes as HTTP chunks (the source must be read at offsets).
    pub chunked: bool,
}

pub struct Flags {
    cancel: AtomicBool,
    /// Set by both stop() and cancel().
    any: AtomicBool,
    /// A stop may cut a call short (a file read at offsets, unframed).
    stop_cuts: bool,
    /// Bytes delivered by finished segments, and by the running one.
    done_before: AtomicU64,
    in_segment: AtomicU64,
}

impl Flags {
    pub fn new(stop_cuts: bool) -> Flags {
        Flags {
            cancel: AtomicBool::new(false),
            any: AtomicBool::new(false),
            stop_cuts,
            done_before: AtomicU64::new(0),
            in_segment: AtomicU64::new(0),
        }
    }

    /// Bytes delivered so far (a moment's view while the copy runs).
    pub fn progress(&self) -> u64 {
        self.done_before.load(Ordering::Relaxed) + self.in_segment.load(Ordering::Relaxed)
    }

    /// The segment's own counter, for the copy engine to update.
    fn segment_counter(&self, moved_before: u64) -> &AtomicU64 {
        self.in_segment.store(0, Ordering::Relaxed);
        self.done_before.store(moved_before, Ordering::Relaxed);
        &self.in_segment
    }

    pub fn cancel(&self) {
        fdio::raise(&self.cancel);
        fdio::raise(&self.any);
    }

    pub fn stop(&self) {
        fdio::raise(&self.any);
        if self.stop_cuts {
            fdio::raise(&self.cancel);
        }
    }

    /// The flag a single read or write waits on.
    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.cancel
    }

    fn stopping(&self) -> bool {
        self.any.load(Ordering::Relaxed)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub struct Spliced {
    /// Bytes delivered to the sink.
    pub moved: u64,
    /// The source ended (or `len` was reached); otherwise stopped early.
    pub eof: bool,
    pub error: Option<CopyError>,
}

pub fn run(req: &Request<'_>, flags: &Flags) -> Spliced {
    if req.chunked {
        return run_chunked(req, flags);
    }
    let mut moved = 0u64;
    let mut remaining = req.len;
    let mut ends = None;
    loop {
        if remaining == Some(0) {
            return done(moved, true);
        }
        if flags.stopping() {
            return done(moved, false);
        }
        let seg = if req.src_pos.is_some() {
            remaining
        } else {
            // Only what the source has ready, so the copy never waits on it.
            match fdio::wait_ready(req.src, Interest::Read, &flags.any) {
                Ok(true) => {}
                Ok(false) => return done(moved, false),
                Err(errno) => return failed(moved, errno, "read", Side::Source),
            }
            // Nothing ready on a readable descriptor: its end (or an
            // error), which one call finds out.
            let ready = match readable_bytes(req.src) {
                0 => req.segment,
                n => n.min(req.segment),
            };
            Some(remaining.map_or(ready, |r| r.min(ready)))
        };
        let opts = CopyOptions {
            src_offset: req.src_pos.map(|p| p + moved),
            dst_offset: req.dst_pos.map(|p| p + moved),
            len: seg,
            ..CopyOptions::default()
        };
        let counter = flags.segment_counter(moved);
        match copy_segment(&mut ends, req, &opts, flags, counter) {
            Err(error) => {
                return Spliced {
                    moved: moved + counter.load(Ordering::Relaxed),
                    eof: false,
                    error: Some(error),
                }
            }
            Ok(c) => {
                moved += c.bytes;
                if let Some(r) = &mut remaining {
                    *r -= c.bytes.min(*r);
                }
                if c.cancelled {
                    return done(moved, false);
                }
                // A segment that came up short met the source's end.
                if seg.is_none_or(|s| c.bytes < s) {
                    return done(moved, true);
                }
            }
        }
    }
}

/// The chunked form: one HTTP chunk per segment of a file read at offsets.
fn run_chunked(req: &Request<'_>, flags: &Flags) -> Spliced {
    let Some(start) = req.src_pos else {
        return failed(0, Errno::EINVAL, "read", Side::Source);
    };
    let mut moved = 0u64;
    let mut remaining = req.len;
    let mut ends = None;
    let mut open_chunk = false;
    let mut eof = false;
    loop {
        if remaining == Some(0) {
            eof = true;
            break;
        }
        if flags.stopping() {
            break;
        }
        // Only what the file holds now: a size line must never promise
        // more than follows.
        let size = match fstat(req.src) {
            Ok(st) => st.st_size.max(0) as u64,
            Err(errno) => return failed(moved, errno, "fstat", Side::Source),
        };
        let avail = size.saturating_sub(start + moved);
        let seg = remaining.map_or(avail, |r| r.min(avail)).min(req.segment);
        if seg == 0 {
            eof = true;
            break;
        }
        let line = format!("{}{seg:x}\r\n", if open_chunk { "\r\n" } else { "" });
        if let Err(f) = frame(req.dst, line.as_bytes(), flags) {
            return failed(moved, f.errno, f.syscall, Side::Destination);
        }
        open_chunk = true;
        let opts = CopyOptions {
            src_offset: Some(start + moved),
            dst_offset: None,
            len: Some(seg),
            ..CopyOptions::default()
        };
        let counter = flags.segment_counter(moved);
        match copy_segment(&mut ends, req, &opts, flags, counter) {
            Err(e) => {
                return failed(
                    moved + counter.load(Ordering::Relaxed),
                    e.errno,
                    e.syscall,
                    e.side,
                )
            }
            Ok(c) => {
                moved += c.bytes;
                if let Some(r) = &mut remaining {
                    *r -= c.bytes.min(*r);
                }
                if c.cancelled {
                    // Only a destroy cuts a chunk: the body is lost anyway.
                    return done(moved, false);
                }
                if c.bytes < seg {
                    // The file shrank under us: the chunk cannot be completed.
                    return failed(moved, Errno::EIO, "read", Side::Source);
                }
            }
        }
    }
    if open_chunk {
        if let Err(f) = frame(req.dst, b"\r\n", flags) {
            return failed(moved, f.errno, f.syscall, Side::Destination);
        }
    }
    done(moved, eof)
}

/// One segment through the copy engine. The descriptors' kinds are looked
/// up for the first segment only: they never change.
fn copy_segment<'a>(
    ends: &mut Option<Ends<'a>>,
    req: &Request<'a>,
    opts: &CopyOptions,
    flags: &Flags,
    counter: &AtomicU64,
) -> Result<Copied, CopyError> {
    let e = match *ends {
        Some(e) => e,
        None => *ends.insert(Ends::new(req.src, req.dst)?),
    };
    e.copy(opts, &flags.cancel, counter)
}

/// Writes framing bytes to the sink, waiting for it as the copy does.
fn frame(dst: BorrowedFd<'_>, bytes: &[u8], flags: &Flags) -> Result<(), fs_ops::Fail> {
    match fs_ops::write(dst, &mut [IoSlice::new(bytes)], None, true, &flags.cancel) {
        (_, Some(f)) => Err(f),
        (_, None) => Ok(()),
    }
}

fn failed(moved: u64, errno: Errno, syscall: &'static str, side: Side) -> Spliced {
    Spliced {
        moved,
        eof: false,
        error: Some(CopyError {
            errno,
            syscall,
            side,
        }),
    }
}

/// Bytes waiting to be read on a pipe, socket or tty (0 when unknown).
fn readable_bytes(fd: BorrowedFd<'_>) -> u64 {
    let mut n: libc::c_int = 0;
    // SAFETY: FIONREAD writes one c_int through the pointer, which points at
    // `n`, alive for the call; `fd` is a valid descriptor borrowed for it.
    let r = unsafe { libc::ioctl(fd.as_raw_fd(), libc::FIONREAD, &mut n as *mut libc::c_int) };
    if r < 0 || n < 0 {
        0
    } else {
        n as u64
    }
}

fn done(moved: u64, eof: bool) -> Spliced {
    Spliced {
        moved,
        eof,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn temp(name: &str, data: &[u8]) -> (std::path::PathBuf, std::fs::File) {
        let p = std::env::temp_dir().join(format!("forkpipe-splice-{name}-{}", std::process::id()));
        let mut f = std::fs::File::create(&p).unwrap();
        f.write_all(data).unwrap();
        (p.clone(), std::fs::File::open(&p).unwrap())
    }

    #[test]
    fn file_to_file_with_a_range() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 256) as u8).collect();
        let (sp, src) = temp("src", &data);
        let dp = sp.with_extension("out");
        let dst = std::fs::File::create(&dp).unwrap();
        let req = Request {
            src: src.as_fd(),
            dst: dst.as_fd(),
            src_pos: Some(5),
            dst_pos: None,
            len: Some(200_000),
            segment: 1 << 20,
            chunked: false,
        };
        let r = run(&req, &Flags::new(true));
        assert_eq!(r, done(200_000, true));
        assert_eq!(std::fs::read(&dp).unwrap(), &data[5..200_005]);
        std::fs::remove_file(sp).unwrap();
        std::fs::remove_file(dp).unwrap();
    }

    #[test]
    fn a_socket_source_stops_between_segments_and_loses_nothing() {
        let (mut a, b) = UnixStream::pair().unwrap();
        let (r, w) = super::super::fdio::internal_pipe().unwrap();
        let flags = Arc::new(Flags::new(false));
        let f2 = flags.clone();
        let writer = std::thread::spawn(move || {
            a.write_all(&[1u8; 3000]).unwrap();
            std::thread::sleep(Duration::from_millis(60));
            f2.stop();
            a.write_all(&[2u8; 10]).unwrap();
            a
        });
        let req = Request {
            src: b.as_fd(),
            dst: w.as_fd(),
            src_pos: None,
            dst_pos: None,
            len: None,
            segment: 1000,
            chunked: false,
        };
        let start = Instant::now();
        let res = run(&req, &flags);
        // Three whole segments went across; the rest stays in the socket.
        assert_eq!(res, done(3000, false));
        assert!(start.elapsed() < Duration::from_secs(2));
        let _a = writer.join().unwrap();
        let mut rest = [0u8; 10];
        (&b).read_exact(&mut rest).unwrap();
        assert_eq!(rest, [2u8; 10]);
        drop(w);
        let mut out = Vec::new();
        std::fs::File::from(r).read_to_end(&mut out).unwrap();
        assert_eq!(out, vec![1u8; 3000]);
    }

    #[test]
    fn chunked_framing_wraps_each_segment() {
        let data: Vec<u8> = (0..2500u32).map(|i| (i % 256) as u8).collect();
        let (sp, src) = temp("chunked", &data);
        let (mut a, b) = UnixStream::pair().unwrap();
        let req = Request {
            src: src.as_fd(),
            dst: b.as_fd(),
            src_pos: Some(100),
            dst_pos: None,
            len: None,
            segment: 1000,
            chunked: true,
        };
        let r = run(&req, &Flags::new(false));
        assert_eq!(r, done(2400, true));
        drop(b);
        let mut out = Vec::new();
        a.read_to_end(&mut out).unwrap();
        let mut want = Vec::new();
        want.extend_from_slice(b"3e8\r\n");
        want.extend_from_slice(&data[100..1100]);
        want.extend_from_slice(b"\r\n3e8\r\n");
        want.extend_from_slice(&data[1100..2100]);
        want.extend_from_slice(b"\r\n190\r\n");
        want.extend_from_slice(&data[2100..]);
        want.extend_from_slice(b"\r\n");
        assert_eq!(out, want);
        std::fs::remove_file(sp).unwrap();
    }
}
