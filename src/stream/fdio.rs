//! Small descriptor helpers for the copy engines: what kind of file an fd is,
//! whether it is non-blocking, waiting for readiness in a way that notices a
//! cancellation flag promptly, and the internal pipe that `splice`
//! needs between two non-pipe descriptors. All through nix's safe wrappers.
//!
//! ```text
//! kind_of(fd) -> Result<FdKind, Errno>
//! is_nonblocking(fd) -> Result<bool, Errno>
//! wait_ready(fd, Interest, cancel: &AtomicBool) -> Result<bool, Errno>   // false: cancelled
//! raise(cancel: &AtomicBool)                                             // set it, wake its waits
//! internal_pipe() -> Result<(OwnedFd, OwnedFd), Errno>                   // (read end, write end)
//! ```

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::eventfd::{EfdFlags, EventFd};
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
/// After this many quiet slices (~200 ms) a wait parks: it sleeps in poll
/// with a bell beside the fd, so a long-idle stream (a worker's stdout, a
/// FIFO with no writer) costs no wake-ups, and `raise` rings the bell.
const SLICES_BEFORE_PARKING: u32 = 10;
/// A parked wait still looks at its flag this often, in case a flag was set
/// by a plain store instead of `raise`.
const PARKED_SLICE_MS: u16 = 5_000;

/// Waits that are parked, by the address of the flag they watch. An entry
/// lives only while its wait does, so the flag it names is alive.
static PARKED: Mutex<Vec<(usize, Arc<EventFd>)>> = Mutex::new(Vec::new());

fn parked() -> std::sync::MutexGuard<'static, Vec<(usize, Arc<EventFd>)>> {
    PARKED.lock().unwrap_or_else(PoisonError::into_inner)
}

fn key(flag: &AtomicBool) -> usize {
    flag as *const AtomicBool as usize
}

/// Sets a cancellation flag and wakes any wait parked on it.
pub fn raise(flag: &AtomicBool) {
    flag.store(true, Ordering::SeqCst);
    let k = key(flag);
    // The lock orders this against a wait that parks: either the wait sees
    // the flag after registering, or its bell is in the list now.
    for (_, bell) in parked().iter().filter(|(f, _)| *f == k) {
        let _ = bell.write(1);
    }
}

/// Takes a parked wait's entry out of the list when the wait ends.
struct Parking {
    bell: Arc<EventFd>,
}

impl Drop for Parking {
    fn drop(&mut self) {
        parked().retain(|(_, b)| !Arc::ptr_eq(b, &self.bell));
    }
}

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
    for _ in 0..SLICES_BEFORE_PARKING {
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
    park(fd, events, cancel)
}

fn park(fd: BorrowedFd<'_>, events: PollFlags, cancel: &AtomicBool) -> Result<bool, Errno> {
    let bell = Arc::new(EventFd::from_value_and_flags(
        0,
        EfdFlags::EFD_CLOEXEC | EfdFlags::EFD_NONBLOCK,
    )?);
    parked().push((key(cancel), bell.clone()));
    let _parking = Parking { bell: bell.clone() };
    loop {
        if cancel.load(Ordering::SeqCst) {
            return Ok(false);
        }
        let mut fds = [
            PollFd::new(fd, events),
            PollFd::new(bell.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, PollTimeout::from(PARKED_SLICE_MS)) {
            Ok(0) | Err(Errno::EINTR) => continue,
            Ok(_) => {
                if fds[0].revents().is_some_and(|r| !r.is_empty()) {
                    return Ok(!cancel.load(Ordering::SeqCst));
                }
                // The bell: this flag was raised (or one that shared its
                // address before); quiet it and look at the flag again.
                let _ = bell.read();
            }
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

    #[test]
    fn a_parked_wait_wakes_for_raise_and_for_data() {
        let (r, w) = internal_pipe().unwrap();
        let flag = std::sync::Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        let waiter = std::thread::spawn(move || {
            let t = Instant::now();
            let ready = wait_ready(r.as_fd(), Interest::Read, &f).unwrap();
            (ready, t.elapsed())
        });
        // Long enough for the wait to have parked on its bell.
        std::thread::sleep(Duration::from_millis(600));
        let raised = Instant::now();
        raise(&flag);
        let (ready, waited) = waiter.join().unwrap();
        assert!(!ready);
        assert!(waited >= Duration::from_millis(600));
        assert!(raised.elapsed() < Duration::from_millis(200));
        assert!(!parked().iter().any(|(k, _)| *k == key(&flag)));

        let (r, w2) = internal_pipe().unwrap();
        let quiet = std::sync::Arc::new(AtomicBool::new(false));
        let q = quiet.clone();
        let waiter = std::thread::spawn(move || wait_ready(r.as_fd(), Interest::Read, &q).unwrap());
        std::thread::sleep(Duration::from_millis(400));
        nix::unistd::write(&w2, b"x").unwrap();
        assert!(waiter.join().unwrap());
        drop(w);
    }
}
