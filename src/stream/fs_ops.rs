//! The blocking system calls behind forkpipe's fs streams, for `fs_pool`
//! threads: open, read into caller-owned memory, write from it, fsync,
//! close. Node's fs streams do the same calls on libuv's thread pool; here a
//! read or write on a pipe, socket or tty first waits for readiness in short
//! slices, so destroying the stream stops it promptly instead of holding a
//! thread until the peer speaks.
//!
//! ```text
//! open(path: &[u8], flags: i32, mode: u32) -> Result<(OwnedFd, FdKind), Fail>
//! read(fd, &mut [IoSliceMut], pos: Option<u64>, wait: bool, cancel) -> Result<usize, Fail>
//!     // a file at `pos`: fills every buffer unless end of file comes first
//!     // otherwise: one read, as much as is there (waiting for some first)
//! write(fd, &[IoSlice], pos: Option<u64>, wait: bool, cancel) -> (usize, Option<Fail>)
//!     // writes everything; on failure, how much was written before it
//! fsync(fd) / close(fd) -> Result<(), Fail>
//! ```

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::ffi::OsStr;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::sync::atomic::AtomicBool;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use nix::sys::uio::{preadv, pwritev, readv, writev};

use super::fdio::{self, FdKind, Interest};

/// A failed call: the errno and the syscall name Node would report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fail {
    pub errno: Errno,
    pub syscall: &'static str,
}

fn fail(syscall: &'static str) -> impl Fn(Errno) -> Fail {
    move |errno| Fail { errno, syscall }
}

/// Cancelled while waiting: reported as ECANCELED, which JS never shows
/// (only a stream being destroyed cancels).
const CANCELLED: Errno = Errno::ECANCELED;

/// The most iovecs one call takes (Linux's IOV_MAX).
const IOV_MAX: usize = 1024;

pub fn open(path: &[u8], flags: i32, mode: u32) -> Result<(OwnedFd, FdKind), Fail> {
    let oflag = OFlag::from_bits_retain(flags) | OFlag::O_CLOEXEC;
    let mode = Mode::from_bits_truncate(mode);
    let fd = loop {
        match nix::fcntl::open(OsStr::from_bytes(path), oflag, mode) {
            Err(Errno::EINTR) => continue,
            other => break other.map_err(fail("open"))?,
        }
    };
    let kind = fdio::kind_of(std::os::fd::AsFd::as_fd(&fd)).map_err(fail("open"))?;
    Ok((fd, kind))
}

/// What kind of descriptor `fd` is (files are read positionally and never
/// waited on).
pub fn kind(fd: BorrowedFd<'_>) -> Result<FdKind, Fail> {
    fdio::kind_of(fd).map_err(fail("fstat"))
}

/// Waits for `fd`; Err(ECANCELED) once `cancel` is set.
fn ready(fd: BorrowedFd<'_>, interest: Interest, cancel: &AtomicBool) -> Result<(), Fail> {
    let syscall = match interest {
        Interest::Read => "read",
        Interest::Write => "write",
    };
    match fdio::wait_ready(fd, interest, cancel) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Fail {
            errno: CANCELLED,
            syscall,
        }),
        Err(errno) => Err(Fail { errno, syscall }),
    }
}

fn total(bufs: &[IoSliceMut<'_>]) -> usize {
    bufs.iter().map(|b| b.len()).sum()
}

pub fn read(
    fd: BorrowedFd<'_>,
    bufs: &mut [IoSliceMut<'_>],
    pos: Option<u64>,
    wait: bool,
    cancel: &AtomicBool,
) -> Result<usize, Fail> {
    let want = total(bufs);
    if want == 0 {
        return Ok(0);
    }
    let n = bufs.len().min(IOV_MAX);
    let bufs = &mut bufs[..n];
    if let Some(mut at) = pos {
        // Positional: keep reading until every buffer is full or the file
        // ends (a short read from a file only ever means its end).
        let mut got = 0usize;
        let mut rest: &mut [IoSliceMut<'_>] = bufs;
        while !rest.is_empty() {
            match preadv(fd, rest, at as i64) {
                Ok(0) => break,
                Ok(k) => {
                    got += k;
                    at += k as u64;
                    IoSliceMut::advance_slices(&mut rest, k);
                }
                Err(Errno::EINTR) => continue,
                Err(Errno::EAGAIN) if got == 0 => ready(fd, Interest::Read, cancel)?,
                Err(_) if got > 0 => break,
                Err(errno) => {
                    return Err(Fail {
                        errno,
                        syscall: "read",
                    })
                }
            }
        }
        return Ok(got);
    }
    loop {
        if wait {
            ready(fd, Interest::Read, cancel)?;
        }
        match readv(fd, bufs) {
            Ok(k) => return Ok(k),
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => ready(fd, Interest::Read, cancel)?,
            Err(errno) => {
                return Err(Fail {
                    errno,
                    syscall: "read",
                })
            }
        }
    }
}

pub fn write(
    fd: BorrowedFd<'_>,
    bufs: &mut [IoSlice<'_>],
    pos: Option<u64>,
    wait: bool,
    cancel: &AtomicBool,
) -> (usize, Option<Fail>) {
    let mut done = 0usize;
    let mut rest: &mut [IoSlice<'_>] = bufs;
    let mut zero_writes = 0;
    while !rest.is_empty() {
        if rest[0].is_empty() {
            rest = &mut rest[1..];
            continue;
        }
        if wait {
            if let Err(f) = ready(fd, Interest::Write, cancel) {
                return (done, Some(f));
            }
        }
        let n = rest.len().min(IOV_MAX);
        let r = match pos {
            Some(p) => pwritev(fd, &rest[..n], (p + done as u64) as i64),
            None => writev(fd, &rest[..n]),
        };
        match r {
            Ok(0) => {
                // Node gives up after a few writes that move nothing.
                zero_writes += 1;
                if zero_writes > 5 {
                    return (
                        done,
                        Some(Fail {
                            errno: Errno::EIO,
                            syscall: "write",
                        }),
                    );
                }
            }
            Ok(k) => {
                zero_writes = 0;
                done += k;
                IoSlice::advance_slices(&mut rest, k);
            }
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) => {
                if let Err(f) = ready(fd, Interest::Write, cancel) {
                    return (done, Some(f));
                }
            }
            Err(errno) => {
                return (
                    done,
                    Some(Fail {
                        errno,
                        syscall: "write",
                    }),
                )
            }
        }
    }
    (done, None)
}

pub fn fsync(fd: BorrowedFd<'_>) -> Result<(), Fail> {
    nix::unistd::fsync(fd).map_err(fail("fsync"))
}

/// Closes a descriptor JS owned. EINTR still closes it on Linux.
pub fn close(fd: RawFd) -> Result<(), Fail> {
    match nix::unistd::close(fd) {
        Ok(()) | Err(Errno::EINTR) => Ok(()),
        Err(errno) => Err(Fail {
            errno,
            syscall: "close",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::fd::AsFd;
    use std::sync::atomic::Ordering;
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    fn no() -> AtomicBool {
        AtomicBool::new(false)
    }

    #[test]
    fn positional_reads_fill_every_buffer_until_the_end() {
        let path = std::env::temp_dir().join(format!("forkpipe-fsops-{}", std::process::id()));
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::File::create(&path)
            .unwrap()
            .write_all(&data)
            .unwrap();
        let (fd, kind) = open(path.as_os_str().as_bytes(), libc::O_RDONLY, 0).unwrap();
        assert_eq!(kind, FdKind::File);
        let (mut a, mut b) = (vec![0u8; 65536], vec![0u8; 65536]);
        let mut bufs = [IoSliceMut::new(&mut a), IoSliceMut::new(&mut b)];
        let got = read(fd.as_fd(), &mut bufs, Some(10), false, &no()).unwrap();
        assert_eq!(got, 100_000 - 10);
        assert_eq!(&a[..], &data[10..65546]);
        assert_eq!(&b[..got - 65536], &data[65546..]);
        std::fs::remove_file(&path).unwrap();
        let missing = open(b"/nonexistent/forkpipe", libc::O_RDONLY, 0).unwrap_err();
        assert_eq!((missing.errno, missing.syscall), (Errno::ENOENT, "open"));
    }

    #[test]
    fn pipe_reads_wait_and_cancel_promptly() {
        let (r, w) = fdio::internal_pipe().unwrap();
        let cancel = Arc::new(no());
        let c2 = cancel.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            c2.store(true, Ordering::SeqCst);
        });
        let start = Instant::now();
        let mut buf = vec![0u8; 16];
        let err = read(
            r.as_fd(),
            &mut [IoSliceMut::new(&mut buf)],
            None,
            true,
            &cancel,
        )
        .unwrap_err();
        assert_eq!(err.errno, CANCELLED);
        assert!(start.elapsed() < Duration::from_millis(500));
        t.join().unwrap();
        let (n, e) = write(w.as_fd(), &mut [IoSlice::new(b"hello")], None, true, &no());
        assert_eq!((n, e), (5, None));
        let got = read(
            r.as_fd(),
            &mut [IoSliceMut::new(&mut buf)],
            None,
            true,
            &no(),
        )
        .unwrap();
        assert_eq!(&buf[..got], b"hello");
        drop(r);
        let (n, e) = write(w.as_fd(), &mut [IoSlice::new(b"x")], None, true, &no());
        assert_eq!(n, 0);
        assert_eq!(e.map(|f| f.errno), Some(Errno::EPIPE));
    }

    #[test]
    fn full_devices_report_enospc_on_write() {
        let (fd, _) = open(b"/dev/full", libc::O_WRONLY, 0).unwrap();
        let (n, e) = write(fd.as_fd(), &mut [IoSlice::new(b"abc")], None, true, &no());
        assert_eq!(n, 0);
        assert_eq!(
            e,
            Some(Fail {
                errno: Errno::ENOSPC,
                syscall: "write"
            })
        );
    }
}
