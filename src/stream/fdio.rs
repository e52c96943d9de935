//! Small descriptor helpers for the copy engines: what kind of file an fd is,
//! whether it is non-blocking, waiting for readiness in short slices so a
//! cancellation flag is noticed promptly, and the internal pipe that `splice`
//! needs between two non-pipe descriptors. All through nix's safe wrappers.
//!
//! ```text
//! kind_of(fd) -> Result<FdKind, Errno>
//! is_nonblocking(fd) -> Result<bool, Errno>
//! wait_ready(fd, Interest, cancel: &AtomicBool) -> Result<bool, Errno>   // false: cancelled
//! internal_pipe() -> Result<(OwnedFd, OwnedFd), Errno>                   // (read end, write end)
//! ```

use std::os::fd::{BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::stat::{fstat, SFlag};

/// What the kernel can do with a descriptor depends on what it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FdKind {
    /// A regular file: positional I/O, copy_file_range, sendfile source.
    File,
    /// A pipe or FIFO: one side of every splice.
    Pipe,
    Socket,
    /// Character and block devices, ttys, anything else.
    Other,
}

pub fn kind_of(fd: BorrowedFd<'_>) -> Result<FdKind, Errno> {
    let st = fstat(fd)?;
    let fmt = SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT;
    Ok(if fmt == SFlag::S_IFREG {
        FdKind::File
    } else if fmt == SFlag::S_IFIFO {
        FdKind::Pipe
    } else if fmt == SFlag::S_IFSOCK {
        FdKind::Socket
    } else {
        FdKind::Other
    })
}

pub fn is_nonblocking(fd: BorrowedFd<'_>) -> Result<bool, Errno> {
    let flags = OFlag::from_bits_truncate(fcntl(fd, FcntlArg::F_GETFL)?);
    Ok(flags.contains(OFlag::O_NONBLOCK))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interest {
    Read,
    Write,
}

/// How long one poll may sleep before the cancellation flag is looked at again.
pub const POLL_SLICE_MS: u16 = 20;

/// Waits until `fd` is ready for `interest` (or has an error or hang-up,
/// which the next I/O call will report). Ok(false) once `cancel` is set.
pub fn wait_ready(
    fd: BorrowedFd<'_>,
    interest: Interest,
    cancel: &AtomicBool,
) -> Result<bool, Errno> {
    let events = match interest {
        Interest::Read => PollFlags::POLLIN,
        Interest::Write => PollFlags::POLLOUT,
    };
    loop {
        if cancel.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let mut fds = [PollFd::new(fd, events)];
        match poll(&mut fds, PollTimeout::from(POLL_SLICE_MS)) {
            Ok(0) | Err(Errno::EINTR) => continue,
            Ok(_) => return Ok(!cancel.load(Ordering::Relaxed)),
            Err(e) => return Err(e),
        }
    }
}

/// Bigger than the default 64 KiB so each splice moves more; the kernel may
/// refuse (pipe-max-size), and then the default stays.
const PIPE_SIZE: i32 = 1 << 20;

/// A close-on-exec pipe for splicing between two non-pipe descriptors.
pub fn internal_pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    let (r, w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)?;
    let _ = fcntl(&w, FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
    Ok((r, w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsFd;
    use std::os::unix::net::UnixStream;
    use std::time::{Duration, Instant};

    #[test]
    fn kinds_and_readiness() {
        let (r, w) = internal_pipe().unwrap();
        assert_eq!(kind_of(r.as_fd()).unwrap(), FdKind::Pipe);
        let f = std::fs::File::open("/proc/self/exe").unwrap();
        assert_eq!(kind_of(f.as_fd()).unwrap(), FdKind::File);
        let (a, _b) = UnixStream::pair().unwrap();
        assert_eq!(kind_of(a.as_fd()).unwrap(), FdKind::Socket);
        assert!(!is_nonblocking(a.as_fd()).unwrap());
        a.set_nonblocking(true).unwrap();
        assert!(is_nonblocking(a.as_fd()).unwrap());
        let null = std::fs::File::open("/dev/null").unwrap();
        assert_eq!(kind_of(null.as_fd()).unwrap(), FdKind::Other);

        let no = AtomicBool::new(false);
        assert!(wait_ready(w.as_fd(), Interest::Write, &no).unwrap());
        // Nothing to read: a set flag ends the wait within a slice or two.
        let yes = AtomicBool::new(true);
        let t = Instant::now();
        assert!(!wait_ready(r.as_fd(), Interest::Read, &yes).unwrap());
        assert!(t.elapsed() < Duration::from_millis(200));
        nix::unistd::write(&w, b"x").unwrap();
        assert!(wait_ready(r.as_fd(), Interest::Read, &no).unwrap());
    }
}
