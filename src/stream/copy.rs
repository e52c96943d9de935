//! Kernel-side copies between descriptors: the engine of native pipelines
//! whose bytes never enter JS (file to file, file to socket or pipe, pipe or
//! socket to file, any fd to any fd).
//!
//! `Ends::copy` looks at both descriptors and tries, in order, the fastest
//! method the kernel may allow, moving on when it refuses (EXDEV, EINVAL,
//! ENOSYS, EOPNOTSUPP, EBADF for O_APPEND, ...):
//!
//! - file to file:            copy_file_range, sendfile, read/write
//! - file to socket/device:   sendfile, read/write
//! - pipe on either side:     splice, read/write
//! - otherwise (socket to file, socket to socket): splice through an
//!   internal pipe, read/write
//!
//! Any failure of a fast method hands over to read/write, which either
//! succeeds (the fast path was merely unsupported) or fails again with the
//! error Node's fs streams would report, attributed to a side: `read` on the
//! source or `write` on the destination. Bytes already drawn into the
//! internal pipe are written out first, so none is lost or repeated.
//!
//! These are blocking functions for a worker thread. Non-blocking
//! descriptors (Node's sockets and pipes) are waited on with poll in 20 ms
//! slices when they say EAGAIN; blocking pipes and sockets are polled before
//! each call. Either way a set `cancel` flag stops the copy within a slice.
//! (A blocking socket whose peer stops reading mid-call can still hold a
//! call; Node never hands out such descriptors.) Each call moves at most
//! `chunk` bytes, so cancellation is also prompt on large files. SIGPIPE must
//! be ignored (Node does), so a closed reader gives EPIPE.
//!
//! ```text
//! Ends::new(src: BorrowedFd, dst: BorrowedFd) -> Result<Ends, CopyError>   // fstat each, once
//! ends.copy(&CopyOptions, cancel: &AtomicBool, moved: &AtomicU64) -> Result<Copied, CopyError>
//! ends.plan(&CopyOptions) -> Vec<Method>
//! ends.copy_with(&[Method], &CopyOptions, cancel, moved) -> Result<Copied, CopyError>
//! CopyOptions { src_offset, dst_offset, len, chunk }   // None offset: the fd's own position
//! Copied { bytes, cancelled, method, waits }
//! CopyError { errno, syscall: "read" | "write" | "poll" | "fstat" | ..., side: Source | Destination }
//! ```
//! `moved` is updated after every transfer so JS can read `bytesWritten`
//! without a crossing per chunk.

use std::fmt;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use nix::errno::Errno;
use nix::fcntl::{copy_file_range, fallocate, splice, FallocateFlags, SpliceFFlags};
use nix::sys::sendfile::sendfile64;
use nix::sys::stat::{fstat, SFlag};
use nix::sys::uio::{pread, pwrite};
use nix::unistd::{ftruncate, lseek, Whence};

use super::fdio::{self, FdKind, Interest};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyOptions {
    /// Where to read from; None reads at (and advances) the fd's position.
    pub src_offset: Option<u64>,
    /// Where to write; None writes at (and advances) the fd's position.
    pub dst_offset: Option<u64>,
    /// At most this many bytes; None copies to the source's end.
    pub len: Option<u64>,
    /// At most this many bytes per system call.
    pub chunk: usize,
}

pub const DEFAULT_CHUNK: usize = 8 << 20;
/// File-to-file copies at least this large reserve their destination first.
const RESERVE_AT_LEAST: u64 = 8 << 20;
/// The read/write fallback's buffer never exceeds this.
const RW_BUFFER: usize = 256 * 1024;

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            src_offset: None,
            dst_offset: None,
            len: None,
            chunk: DEFAULT_CHUNK,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    CopyFileRange,
    Sendfile,
    Splice,
    ReadWrite,
}

/// How a copy ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Copied {
    /// Bytes written to the destination.
    pub bytes: u64,
    /// Stopped because the cancel flag was set.
    pub cancelled: bool,
    /// The method that finished the copy.
    pub method: Method,
    /// How many times it waited for a descriptor to become ready.
    pub waits: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Source,
    Destination,
}

/// A failed system call, for JS to turn into Node's fs error
/// (`code`, `errno`, `syscall`, and the path of `side`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CopyError {
    pub errno: Errno,
    pub syscall: &'static str,
    pub side: Side,
}

impl CopyError {
    /// Node's `code`, e.g. "EPIPE".
    pub fn code(&self) -> String {
        format!("{:?}", self.errno)
    }

    /// Node's `errno`: negative, as libuv reports it.
    #[cfg(test)]
    pub fn node_errno(&self) -> i32 {
        -(self.errno as i32)
    }
}

impl fmt::Display for CopyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}, {}",
            self.code(),
            self.errno.desc(),
            self.syscall
        )
    }
}

impl std::error::Error for CopyError {}

/// Two descriptors to copy between, with what they are (one fstat each).
/// A caller that copies between the same two in segments (fs_splice.rs)
/// looks them up once: a descriptor's kind never changes.
#[derive(Clone, Copy, Debug)]
pub struct Ends<'a> {
    src: BorrowedFd<'a>,
    dst: BorrowedFd<'a>,
    src_kind: FdKind,
    dst_kind: FdKind,
}

impl<'a> Ends<'a> {
    pub fn new(src: BorrowedFd<'a>, dst: BorrowedFd<'a>) -> Result<Ends<'a>, CopyError> {
        let kind = |fd, side| {
            fdio::kind_of(fd).map_err(|errno| CopyError {
                errno,
                syscall: "fstat",
                side,
            })
        };
        Ok(Ends {
            src,
            dst,
            src_kind: kind(src, Side::Source)?,
            dst_kind: kind(dst, Side::Destination)?,
        })
    }

    /// The methods worth trying for these two descriptors, fastest first.
    pub fn plan(&self, opts: &CopyOptions) -> Vec<Method> {
        // sendfile writes at the destination's own position only.
        let sendfile = opts.dst_offset.is_none();
        let mut methods = match (self.src_kind, self.dst_kind) {
            (FdKind::File, FdKind::File) if sendfile => {
                vec![Method::CopyFileRange, Method::Sendfile]
            }
            (FdKind::File, FdKind::File) => vec![Method::CopyFileRange],
            (FdKind::File, FdKind::Pipe) => vec![Method::Splice],
            (FdKind::File, _) if sendfile => vec![Method::Sendfile],
            (FdKind::File, _) => vec![],
            _ => vec![Method::Splice],
        };
        methods.push(Method::ReadWrite);
        methods
    }

    /// Copies with the best method the kernel allows.
    pub fn copy(
        &self,
        opts: &CopyOptions,
        cancel: &AtomicBool,
        moved: &AtomicU64,
    ) -> Result<Copied, CopyError> {
        self.copy_with(&self.plan(opts), opts, cancel, moved)
    }

    /// Copies trying `methods` in order; read/write is always the last resort.
    pub fn copy_with(
        &self,
        methods: &[Method],
        opts: &CopyOptions,
        cancel: &AtomicBool,
        moved: &AtomicU64,
    ) -> Result<Copied, CopyError> {
        let Ends {
            src,
            dst,
            src_kind,
            dst_kind,
        } = *self;
        // Blocking pipes and sockets are polled before each call, so that
        // cancellation never waits on a peer.
        let poll_first =
            |fd: BorrowedFd<'_>, kind: FdKind, side: Side| -> Result<bool, CopyError> {
                if matches!(kind, FdKind::File | FdKind::Pipe) {
                    return Ok(false);
                }
                fdio::is_nonblocking(fd)
                    .map(|nb| !nb)
                    .map_err(|errno| CopyError {
                        errno,
                        syscall: "fcntl",
                        side,
                    })
            };
        let mut job = Job {
            src,
            dst,
            src_kind,
            src_poll_first: poll_first(src, src_kind, Side::Source)?,
            dst_poll_first: poll_first(dst, dst_kind, Side::Destination)?,
            src_pos: opts.src_offset.map(|o| o as i64),
            dst_pos: opts.dst_offset.map(|o| o as i64),
            remaining: opts.len,
            chunk: opts.chunk.max(1),
            bytes: 0,
            waits: 0,
            cancel,
            moved,
            staged: None,
        };
        let mut order: Vec<Method> = methods
            .iter()
            .copied()
            .filter(|m| *m != Method::ReadWrite)
            .collect();
        order.push(Method::ReadWrite);
        for method in order {
            let outcome = match method {
                Method::CopyFileRange => job.copy_file_range()?,
                Method::Sendfile => job.sendfile()?,
                Method::Splice if src_kind == FdKind::Pipe || dst_kind == FdKind::Pipe => {
                    job.splice_direct()?
                }
                Method::Splice => job.splice_through_pipe()?,
                Method::ReadWrite => job.read_write()?,
            };
            let cancelled = match outcome {
                Outcome::Switch => continue,
                Outcome::Done => false,
                Outcome::Cancelled => true,
            };
            return Ok(Copied {
                bytes: job.bytes,
                cancelled,
                method,
                waits: job.waits,
            });
        }
        unreachable!("read/write never asks to switch")
    }
}

/// `Ends::copy` for a single copy.
#[cfg(test)]
pub fn copy(
    src: BorrowedFd<'_>,
    dst: BorrowedFd<'_>,
    opts: &CopyOptions,
    cancel: &AtomicBool,
    moved: &AtomicU64,
) -> Result<Copied, CopyError> {
    Ends::new(src, dst)?.copy(opts, cancel, moved)
}

/// `copy` trying `methods` in order (tests force each method).
#[cfg(test)]
pub fn copy_with(
    methods: &[Method],
    src: BorrowedFd<'_>,
    dst: BorrowedFd<'_>,
    opts: &CopyOptions,
    cancel: &AtomicBool,
    moved: &AtomicU64,
) -> Result<Copied, CopyError> {
    Ends::new(src, dst)?.copy_with(methods, opts, cancel, moved)
}

enum Outcome {
    Done,
    Cancelled,
    /// This method cannot go on: try the next (positions are up to date).
    Switch,
}

/// Bytes taken from the source by a splice into the internal pipe and not
/// yet written: (the pipe's read end, count).
type Staged = (OwnedFd, usize);

struct Job<'a> {
    src: BorrowedFd<'a>,
    dst: BorrowedFd<'a>,
    src_kind: FdKind,
    src_poll_first: bool,
    dst_poll_first: bool,
    src_pos: Option<i64>,
    dst_pos: Option<i64>,
    /// Source bytes still to take (None: to the end).
    remaining: Option<u64>,
    chunk: usize,
    bytes: u64,
    waits: u64,
    cancel: &'a AtomicBool,
    moved: &'a AtomicU64,
    staged: Option<Staged>,
}

/// What a call returned, once EINTR is retried.
enum Call {
    Moved(usize),
    Again,
    Failed(Errno),
}

fn call(f: impl FnMut() -> Result<usize, Errno>) -> Call {
    let mut f = f;
    loop {
        match f() {
            Ok(n) => return Call::Moved(n),
            Err(Errno::EINTR) => continue,
            Err(Errno::EAGAIN) => return Call::Again,
            Err(e) => return Call::Failed(e),
        }
    }
}

impl Job<'_> {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// How much the next call may take from the source.
    fn want(&self) -> usize {
        match self.remaining {
            Some(r) => r.min(self.chunk as u64) as usize,
            None => self.chunk,
        }
    }

    fn finished(&self) -> bool {
        self.remaining == Some(0)
    }

    fn took(&mut self, n: usize) {
        if let Some(r) = &mut self.remaining {
            *r -= n as u64;
        }
    }

    fn delivered(&mut self, n: usize) {
        self.bytes += n as u64;
        self.moved.store(self.bytes, Ordering::Relaxed);
    }

    /// Waits for one side; Ok(false) when cancelled meanwhile.
    fn wait(&mut self, side: Side) -> Result<bool, CopyError> {
        self.waits += 1;
        let (fd, interest) = match side {
            Side::Source => (self.src, Interest::Read),
            Side::Destination => (self.dst, Interest::Write),
        };
        fdio::wait_ready(fd, interest, self.cancel).map_err(|errno| CopyError {
            errno,
            syscall: "poll",
            side,
        })
    }

    /// Polls blocking pipes and sockets before a call that could block.
    fn pre_wait(&mut self, src: bool, dst: bool) -> Result<bool, CopyError> {
        if src && self.src_poll_first && !self.wait(Side::Source)? {
            return Ok(false);
        }
        if dst && self.dst_poll_first && !self.wait(Side::Destination)? {
            return Ok(false);
        }
        Ok(true)
    }

    /// A zero from a fast method before it moved anything may mean "cannot"
    /// (files in /proc claim to be empty): let read/write decide.
    fn end_or_switch(&self, moved_here: u64) -> Outcome {
        if moved_here == 0 && self.src_kind == FdKind::File {
            Outcome::Switch
        } else {
            Outcome::Done
        }
    }

    fn copy_file_range(&mut self) -> Result<Outcome, CopyError> {
        let reserved = self.reserve_destination();
        let before = self.bytes;
        let outcome = self.copy_file_range_calls();
        if let Some(len) = reserved {
            if !matches!(outcome, Ok(Outcome::Done)) {
                self.release_unwritten(len, self.bytes - before);
            }
        }
        outcome
    }

    /// Before a large file-to-file copy, asks the filesystem for the
    /// destination's blocks in one go (without changing its size): ext4
    /// then spends about a tenth less CPU and copies faster than when it
    /// allocates block by block. Returns how much it reserved, if any.
    fn reserve_destination(&self) -> Option<i64> {
        let src = fstat(self.src).ok()?;
        let dst = fstat(self.dst).ok()?;
        if SFlag::from_bits_truncate(dst.st_mode) & SFlag::S_IFMT != SFlag::S_IFREG {
            return None;
        }
        let src_at = match self.src_pos {
            Some(p) => p,
            None => lseek(self.src, 0, Whence::SeekCur).ok()?,
        };
        let dst_at = match self.dst_pos {
            Some(p) => p,
            None => lseek(self.dst, 0, Whence::SeekCur).ok()?,
        };
        let left = u64::try_from(src.st_size.checked_sub(src_at)?).ok()?;
        let len = self.remaining.map_or(left, |r| r.min(left));
        if len < RESERVE_AT_LEAST {
            return None;
        }
        let len = i64::try_from(len).ok()?;
        fallocate(self.dst, FallocateFlags::FALLOC_FL_KEEP_SIZE, dst_at, len).ok()?;
        Some(len)
    }

    /// A copy that stopped early gives back the blocks it reserved and did
    /// not write, so nothing stays allocated past the file's end: setting
    /// the size it already has makes the filesystem drop those blocks
    /// (punching a hole past the end does not, on ext4).
    fn release_unwritten(&self, len: i64, written: u64) {
        if i64::try_from(written).unwrap_or(i64::MAX) >= len {
            return;
        }
        if let Ok(st) = fstat(self.dst) {
            let _ = ftruncate(self.dst, st.st_size);
        }
    }

    fn copy_file_range_calls(&mut self) -> Result<Outcome, CopyError> {
        let mut here = 0u64;
        loop {
            if self.cancelled() {
                return Ok(Outcome::Cancelled);
            }
            if self.finished() {
                return Ok(Outcome::Done);
            }
            let n = self.want();
            let (src, dst) = (self.src, self.dst);
            let (sp, dp) = (&mut self.src_pos, &mut self.dst_pos);
            match call(|| copy_file_range(src, sp.as_mut(), dst, dp.as_mut(), n)) {
                Call::Moved(0) => return Ok(self.end_or_switch(here)),
                Call::Moved(k) => {
                    here += k as u64;
                    self.took(k);
                    self.delivered(k);
                }
                Call::Again | Call::Failed(_) => return Ok(Outcome::Switch),
            }
        }
    }

    fn sendfile(&mut self) -> Result<Outcome, CopyError> {
        if self.dst_pos.is_some() {
            return Ok(Outcome::Switch);
        }
        let mut here = 0u64;
        loop {
            if self.cancelled() {
                return Ok(Outcome::Cancelled);
            }
            if self.finished() {
                return Ok(Outcome::Done);
            }
            if !self.pre_wait(false, true)? {
                return Ok(Outcome::Cancelled);
            }
            let n = self.want();
            let (src, dst, sp) = (self.src, self.dst, &mut self.src_pos);
            match call(|| sendfile64(dst, src, sp.as_mut(), n)) {
                Call::Moved(0) => return Ok(self.end_or_switch(here)),
                Call::Moved(k) => {
                    here += k as u64;
                    self.took(k);
                    self.delivered(k);
                }
                Call::Again => {
                    if !self.wait(Side::Destination)? {
                        return Ok(Outcome::Cancelled);
                    }
                }
                Call::Failed(_) => return Ok(Outcome::Switch),
            }
        }
    }

    /// One side is a pipe: splice straight across.
    fn splice_direct(&mut self) -> Result<Outcome, CopyError> {
        let flags = SpliceFFlags::SPLICE_F_MOVE
            | SpliceFFlags::SPLICE_F_MORE
            | SpliceFFlags::SPLICE_F_NONBLOCK;
        let mut here = 0u64;
        loop {
            if self.cancelled() {
                return Ok(Outcome::Cancelled);
            }
            if self.finished() {
                return Ok(Outcome::Done);
            }
            if !self.pre_wait(true, true)? {
                return Ok(Outcome::Cancelled);
            }
            let n = self.want();
            let (src, dst) = (self.src, self.dst);
            let (sp, dp) = (&mut self.src_pos, &mut self.dst_pos);
            match call(|| splice(src, sp.as_mut(), dst, dp.as_mut(), n, flags)) {
                Call::Moved(0) => return Ok(self.end_or_switch(here)),
                Call::Moved(k) => {
                    here += k as u64;
                    self.took(k);
                    self.delivered(k);
                }
                // Either the source is empty or the destination full: wait
                // for both (each returns at once if already ready).
                Call::Again => {
                    if !self.wait(Side::Source)? || !self.wait(Side::Destination)? {
                        return Ok(Outcome::Cancelled);
                    }
                }
                Call::Failed(_) => return Ok(Outcome::Switch),
            }
        }
    }

    /// Neither side is a pipe: source -> internal pipe -> destination.
    fn splice_through_pipe(&mut self) -> Result<Outcome, CopyError> {
        let Ok((r, w)) = fdio::internal_pipe() else {
            return Ok(Outcome::Switch);
        };
        let fill = SpliceFFlags::SPLICE_F_MOVE | SpliceFFlags::SPLICE_F_NONBLOCK;
        let drain = fill | SpliceFFlags::SPLICE_F_MORE;
        let (mut buffered, mut eof, mut here) = (0usize, false, 0u64);
        loop {
            if self.cancelled() {
                return Ok(Outcome::Cancelled);
            }
            if buffered == 0 {
                if eof || self.finished() {
                    return Ok(if eof {
                        self.end_or_switch(here)
                    } else {
                        Outcome::Done
                    });
                }
                if !self.pre_wait(true, false)? {
                    return Ok(Outcome::Cancelled);
                }
                let n = self.want();
                let (src, sp) = (self.src, &mut self.src_pos);
                match call(|| splice(src, sp.as_mut(), &w, None, n, fill)) {
                    Call::Moved(0) => eof = true,
                    Call::Moved(k) => {
                        buffered = k;
                        self.took(k);
                    }
                    Call::Again => {
                        if !self.wait(Side::Source)? {
                            return Ok(Outcome::Cancelled);
                        }
                    }
                    Call::Failed(_) => return Ok(Outcome::Switch),
                }
                continue;
            }
            if !self.pre_wait(false, true)? {
                return Ok(Outcome::Cancelled);
            }
            let (dst, dp) = (self.dst, &mut self.dst_pos);
            match call(|| splice(&r, None, dst, dp.as_mut(), buffered, drain)) {
                Call::Moved(k) if k > 0 => {
                    buffered -= k;
                    here += k as u64;
                    self.delivered(k);
                }
                Call::Again => {
                    if !self.wait(Side::Destination)? {
                        return Ok(Outcome::Cancelled);
                    }
                }
                Call::Moved(_) | Call::Failed(_) => {
                    // Hand the bytes already taken to read/write.
                    self.staged = Some((r, buffered));
                    return Ok(Outcome::Switch);
                }
            }
        }
    }

    /// The universal path, and the one that names the failing side.
    fn read_write(&mut self) -> Result<Outcome, CopyError> {
        let mut buf = vec![0u8; self.chunk.min(RW_BUFFER)];
        loop {
            if self.cancelled() {
                return Ok(Outcome::Cancelled);
            }
            let got = if let Some((r, left)) = &mut self.staged {
                let n = buf.len().min(*left);
                let read_end = r.as_fd();
                match call(|| nix::unistd::read(read_end, &mut buf[..n])) {
                    Call::Moved(k) if k > 0 => {
                        *left -= k;
                        if *left == 0 {
                            self.staged = None;
                        }
                        k
                    }
                    // The pipe holds what it says it holds; anything else is a bug.
                    _ => {
                        return Err(CopyError {
                            errno: Errno::EIO,
                            syscall: "read",
                            side: Side::Source,
                        })
                    }
                }
            } else {
                if self.finished() {
                    return Ok(Outcome::Done);
                }
                if !self.pre_wait(true, false)? {
                    return Ok(Outcome::Cancelled);
                }
                let n = self.want().min(buf.len());
                let (src, pos) = (self.src, self.src_pos);
                match call(|| match pos {
                    Some(p) => pread(src, &mut buf[..n], p),
                    None => nix::unistd::read(src, &mut buf[..n]),
                }) {
                    Call::Moved(0) => return Ok(Outcome::Done),
                    Call::Moved(k) => {
                        if let Some(p) = &mut self.src_pos {
                            *p += k as i64;
                        }
                        self.took(k);
                        k
                    }
                    Call::Again => {
                        if !self.wait(Side::Source)? {
                            return Ok(Outcome::Cancelled);
                        }
                        continue;
                    }
                    Call::Failed(errno) => {
                        return Err(CopyError {
                            errno,
                            syscall: "read",
                            side: Side::Source,
                        })
                    }
                }
            };
            if !self.write_all(&buf[..got])? {
                return Ok(Outcome::Cancelled);
            }
        }
    }

    /// Ok(false) when cancelled part-way (what was written is counted).
    fn write_all(&mut self, mut data: &[u8]) -> Result<bool, CopyError> {
        while !data.is_empty() {
            if self.cancelled() || !self.pre_wait(false, true)? {
                return Ok(false);
            }
            let (dst, pos) = (self.dst, self.dst_pos);
            match call(|| match pos {
                Some(p) => pwrite(dst, data, p),
                None => nix::unistd::write(dst, data),
            }) {
                Call::Moved(0) => {
                    return Err(CopyError {
                        errno: Errno::EIO,
                        syscall: "write",
                        side: Side::Destination,
                    })
                }
                Call::Moved(k) => {
                    if let Some(p) = &mut self.dst_pos {
                        *p += k as i64;
                    }
                    data = &data[k..];
                    self.delivered(k);
                }
                Call::Again => {
                    if !self.wait(Side::Destination)? {
                        return Ok(false);
                    }
                }
                Call::Failed(errno) => {
                    return Err(CopyError {
                        errno,
                        syscall: "write",
                        side: Side::Destination,
                    })
                }
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests;
