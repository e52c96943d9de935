//! The functions lib/fs calls: each starts one job on an `fs_pool` thread
//! and returns at once; the job's completion reaches JS in a batch through
//! `fs_done` as `[id, value, errno, info]`.
//!
//! ```text
//! fsInit(callback(completions: number[]))        once per JS thread
//! fsOpen(id, path, flags, mode)                  value: fd, info: kind
//! fsRead(id, fd, buffers, position, wait)        value: bytes read into buffers, in order
//! fsWrite(id, fd, buffers, position, wait)       value: bytes written (also on error)
//! fsFsync(id, fd) / fsClose(id, fd)
//! fsSplice(id, src, dst, srcPos, dstPos, len, dupDst, chunked)
//!                                                value: bytes moved; info bit EOF: source done
//! fsCancel(id, stopOnly)                         ends a wait, a read or write on a pipe, a splice
//! fsProgress(id) -> bytes a splice moved so far  synchronous
//! fsKind(fd) -> kind or -errno                   synchronous fstat
//! ```
//!
//! Positions and lengths are JS numbers; a negative one means "none" (the
//! descriptor's own position, no limit). `kind`: 0 file, 1 pipe, 2 socket,
//! 3 other. On failure `errno` is positive and `info` holds the syscall's
//! code (SYSCALLS, same order in lib/fs/binding.js) plus, for a splice,
//! the side that failed (SIDE_SOURCE / SIDE_SINK).
//!
//! Memory: `fsRead` and `fsWrite` work on the caller's Buffers in place,
//! off the JS thread, as libuv does for fs.read/fs.write. lib/fs keeps each
//! Buffer referenced and untouched until its completion arrives.

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{IoSlice, IoSliceMut};
use std::os::fd::{AsFd, BorrowedFd, FromRawFd, IntoRawFd, OwnedFd, RawFd};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{BufferSlice, Either, FnArgs, Function};
use napi::{Error, Result, Status};
use napi_derive::napi;
use nix::errno::Errno;

use super::copy::Side;
use super::fdio::FdKind;
use super::fs_done::{self, Completion, Ring};
use super::fs_ops::{self, Fail};
use super::fs_splice::{self, Flags};

/// Syscall names by code; lib/fs/binding.js has the same list.
const SYSCALLS: [&str; 9] = [
    "", "open", "read", "write", "close", "fsync", "fstat", "poll", "fcntl",
];
const SIDE_SOURCE: u32 = 1 << 8;
const SIDE_SINK: u32 = 2 << 8;
const EOF: u32 = 1 << 16;
/// A non-file source is spliced in segments of at most this much.
const SEGMENT: u64 = 4 << 20;
/// The size of one HTTP chunk when a splice frames its bytes.
const HTTP_CHUNK: u64 = 1 << 20;

fn syscall_code(name: &str) -> u32 {
    SYSCALLS.iter().position(|s| *s == name).unwrap_or(0) as u32
}

fn kind_code(kind: FdKind) -> u32 {
    match kind {
        FdKind::File => 0,
        FdKind::Pipe => 1,
        FdKind::Socket => 2,
        FdKind::Other => 3,
    }
}

thread_local! {
    /// Jobs that can be cancelled, by request id, on this JS thread. An
    /// entry leaves when its completion is handed to JS.
    static ACTIVE: RefCell<HashMap<u32, Arc<Flags>>> = RefCell::new(HashMap::new());
}

fn register(id: u32, flags: &Arc<Flags>) {
    ACTIVE.with(|a| a.borrow_mut().insert(id, flags.clone()));
}

fn forget_completed(batch: &[f64]) {
    ACTIVE.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_empty() {
            return;
        }
        for c in batch.chunks_exact(4) {
            a.remove(&(c[0] as u32));
        }
    });
}

/// Registers the JS function that receives completions on this thread.
#[napi(js_name = "fsInit", catch_unwind)]
pub fn fs_init(callback: Function<FnArgs<(Vec<f64>,)>, ()>) -> Result<()> {
    let queue: fs_done::Queue = Arc::new(Mutex::new(Vec::new()));
    let q = queue.clone();
    let tsfn = callback
        .build_threadsafe_function::<()>()
        .weak::<true>()
        .build_callback(move |_ctx| {
            let batch = fs_done::drain(&q);
            forget_completed(&batch);
            Ok(FnArgs::from((batch,)))
        })?;
    fs_done::init(queue, tsfn);
    Ok(())
}

fn ring() -> Result<Arc<Ring>> {
    Ring::current().ok_or_else(|| Error::new(Status::GenericFailure, "fsInit was not called"))
}

fn failed(id: u32, value: f64, f: Fail) -> Completion {
    Completion {
        id,
        value,
        errno: f.errno as i32,
        info: syscall_code(f.syscall),
    }
}

fn ok(id: u32, value: f64, info: u32) -> Completion {
    Completion {
        id,
        value,
        errno: 0,
        info,
    }
}

/// Runs `job` on the pool and reports what it returns.
fn start(ring: Arc<Ring>, id: u32, job: impl FnOnce() -> Completion + Send + 'static) {
    let r = ring.clone();
    let started = super::fs_pool::run(move || {
        let c = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job)).unwrap_or(Completion {
            id,
            value: 0.0,
            errno: Errno::EIO as i32,
            info: 0,
        });
        r.complete(c);
    });
    if !started {
        ring.complete(Completion {
            id,
            value: 0.0,
            errno: Errno::EAGAIN as i32,
            info: 0,
        });
    }
}

fn offset(p: f64) -> Option<u64> {
    if p >= 0.0 && p.is_finite() {
        Some(p as u64)
    } else {
        None
    }
}

/// A descriptor JS keeps open until the job's completion.
fn borrowed<'a>(fd: RawFd) -> BorrowedFd<'a> {
    // SAFETY: lib/fs never closes a descriptor while a job on it is in
    // flight (streams wait for the completion before closing), so `fd`
    // stays open for the job's whole life, which ends before the
    // completion is queued.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

/// JS memory for a job: (address, length) of each Buffer.
struct Regions(Vec<(usize, usize)>);

impl Regions {
    fn of(bufs: &mut [BufferSlice<'_>]) -> Regions {
        Regions(
            bufs.iter_mut()
                .map(|b| (b.as_mut_ptr() as usize, b.len()))
                .collect(),
        )
    }

    fn for_read(&self) -> Vec<IoSliceMut<'_>> {
        self.0
            .iter()
            .map(|&(p, n)| {
                // SAFETY: each region is a live Buffer's memory (V8 never
                // moves a backing store; lib/fs holds the Buffers until the
                // completion), which nothing else touches until then.
                IoSliceMut::new(unsafe { std::slice::from_raw_parts_mut(p as *mut u8, n) })
            })
            .collect()
    }

    fn for_write(&self) -> Vec<IoSlice<'_>> {
        self.0
            .iter()
            .map(|&(p, n)| {
                // SAFETY: as in for_read; the job only reads the memory.
                IoSlice::new(unsafe { std::slice::from_raw_parts(p as *const u8, n) })
            })
            .collect()
    }
}

#[napi(js_name = "fsOpen", catch_unwind)]
pub fn fs_open(id: u32, path: Either<String, BufferSlice>, flags: i32, mode: u32) -> Result<()> {
    let ring = ring()?;
    let path: Vec<u8> = match path {
        Either::A(s) => s.into_bytes(),
        Either::B(b) => b.to_vec(),
    };
    start(ring, id, move || match fs_ops::open(&path, flags, mode) {
        Ok((fd, kind)) => ok(id, fd.into_raw_fd() as f64, kind_code(kind)),
        Err(f) => failed(id, 0.0, f),
    });
    Ok(())
}

/// What a read or a write job takes along: the Buffers' memory, its cancel
/// flags (registered, so JS can cancel it, when it may wait on a quiet fd)
/// and its file position.
fn io_job(
    id: u32,
    buffers: &mut [BufferSlice<'_>],
    position: f64,
    wait: bool,
) -> (Regions, Arc<Flags>, Option<u64>) {
    let regions = Regions::of(buffers);
    let flags = Arc::new(Flags::new(false));
    if wait {
        register(id, &flags);
    }
    (regions, flags, offset(position))
}

#[napi(js_name = "fsRead", catch_unwind)]
pub fn fs_read(
    id: u32,
    fd: i32,
    mut buffers: Vec<BufferSlice>,
    position: f64,
    wait: bool,
) -> Result<()> {
    let ring = ring()?;
    let (regions, flags, pos) = io_job(id, &mut buffers, position, wait);
    start(ring, id, move || {
        let mut bufs = regions.for_read();
        match fs_ops::read(borrowed(fd), &mut bufs, pos, wait, flags.cancel_flag()) {
            Ok(n) => ok(id, n as f64, 0),
            Err(f) => failed(id, 0.0, f),
        }
    });
    Ok(())
}

#[napi(js_name = "fsWrite", catch_unwind)]
pub fn fs_write(
    id: u32,
    fd: i32,
    mut buffers: Vec<BufferSlice>,
    position: f64,
    wait: bool,
) -> Result<()> {
    let ring = ring()?;
    let (regions, flags, pos) = io_job(id, &mut buffers, position, wait);
    start(ring, id, move || {
        let mut bufs = regions.for_write();
        match fs_ops::write(borrowed(fd), &mut bufs, pos, wait, flags.cancel_flag()) {
            (n, None) => ok(id, n as f64, 0),
            (n, Some(f)) => failed(id, n as f64, f),
        }
    });
    Ok(())
}

#[napi(js_name = "fsFsync", catch_unwind)]
pub fn fs_fsync(id: u32, fd: i32) -> Result<()> {
    let ring = ring()?;
    start(ring, id, move || match fs_ops::fsync(borrowed(fd)) {
        Ok(()) => ok(id, 0.0, 0),
        Err(f) => failed(id, 0.0, f),
    });
    Ok(())
}

#[napi(js_name = "fsClose", catch_unwind)]
pub fn fs_close(id: u32, fd: i32) -> Result<()> {
    let ring = ring()?;
    start(ring, id, move || match fs_ops::close(fd) {
        Ok(()) => ok(id, 0.0, 0),
        Err(f) => failed(id, 0.0, f),
    });
    Ok(())
}

/// A sink descriptor for a splice: JS's own, or a duplicate the job owns
/// (a socket that Node's stack may close at any moment: the duplicate
/// keeps the number from being reused under the job).
enum Sink {
    Borrowed(RawFd),
    Owned(OwnedFd),
}

impl Sink {
    fn fd(&self) -> BorrowedFd<'_> {
        match self {
            Sink::Borrowed(fd) => borrowed(*fd),
            Sink::Owned(fd) => fd.as_fd(),
        }
    }
}

fn dup_cloexec(fd: RawFd) -> std::result::Result<OwnedFd, Errno> {
    let raw = nix::fcntl::fcntl(borrowed(fd), nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(0))?;
    // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor that nothing else
    // owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

#[allow(clippy::too_many_arguments)]
#[napi(js_name = "fsSplice", catch_unwind)]
pub fn fs_splice(
    id: u32,
    src: i32,
    dst: i32,
    src_pos: f64,
    dst_pos: f64,
    len: f64,
    dup_dst: bool,
    chunked: bool,
) -> Result<()> {
    let ring = ring()?;
    let sink = if dup_dst {
        match dup_cloexec(dst) {
            Ok(fd) => Sink::Owned(fd),
            Err(errno) => {
                ring.complete(Completion {
                    id,
                    value: 0.0,
                    errno: errno as i32,
                    info: syscall_code("fcntl") | SIDE_SINK,
                });
                return Ok(());
            }
        }
    } else {
        Sink::Borrowed(dst)
    };
    let src_pos = offset(src_pos);
    // A stop may cut a call short only where that loses nothing: a file
    // read at offsets, unframed.
    let flags = Arc::new(Flags::new(src_pos.is_some() && !chunked));
    register(id, &flags);
    let dst_pos = offset(dst_pos);
    let len = offset(len);
    start(ring, id, move || {
        let req = fs_splice::Request {
            src: borrowed(src),
            dst: sink.fd(),
            src_pos,
            dst_pos,
            len,
            segment: if chunked { HTTP_CHUNK } else { SEGMENT },
            chunked,
        };
        let r = fs_splice::run(&req, &flags);
        match r.error {
            None => ok(id, r.moved as f64, if r.eof { EOF } else { 0 }),
            Some(e) => Completion {
                id,
                value: r.moved as f64,
                errno: e.errno as i32,
                info: syscall_code(e.syscall)
                    | match e.side {
                        Side::Source => SIDE_SOURCE,
                        Side::Destination => SIDE_SINK,
                    },
            },
        }
    });
    Ok(())
}

/// Cancels job `id` (a no-op once it finished). `stop_only`: a splice
/// stops at a point where no byte is lost (see fs_splice.rs).
#[napi(js_name = "fsCancel", catch_unwind)]
pub fn fs_cancel(id: u32, stop_only: bool) {
    ACTIVE.with(|a| {
        if let Some(f) = a.borrow().get(&id) {
            if stop_only {
                f.stop();
            } else {
                f.cancel();
            }
        }
    });
}

/// Bytes a running splice has delivered so far (-1: no such job).
#[napi(js_name = "fsProgress", catch_unwind)]
pub fn fs_progress(id: u32) -> f64 {
    ACTIVE.with(|a| a.borrow().get(&id).map_or(-1.0, |f| f.progress() as f64))
}

/// The kind of `fd` (0 file, 1 pipe, 2 socket, 3 other) or -errno.
#[napi(js_name = "fsKind", catch_unwind)]
pub fn fs_kind(fd: i32) -> i32 {
    if fd < 0 {
        return -(Errno::EBADF as i32);
    }
    match fs_ops::kind(borrowed(fd)) {
        Ok(k) => kind_code(k) as i32,
        Err(f) => -(f.errno as i32),
    }
}
