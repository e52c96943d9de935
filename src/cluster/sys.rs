//! The system calls the cluster primary makes on sockets and processes.
//!
//! Everything that hands a raw descriptor number to the kernel, or takes one
//! back from it, lives here, so the ownership rules are checked in one place.

use std::io::{self, IoSlice, IoSliceMut};
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::sys::socket::{self, ControlMessage, ControlMessageOwned, MsgFlags, SockFlag};

/// How many descriptors one `recvmsg` can carry back; a Node peer sends one
/// per message, so a few are plenty and anything beyond is closed by the kernel.
const MAX_FDS_PER_READ: usize = 8;

/// Sends `data` on a stream socket without blocking, with `pass` attached as
/// SCM_RIGHTS when given. Returns the number of bytes the kernel took.
pub fn send(fd: BorrowedFd<'_>, data: &[u8], pass: Option<RawFd>) -> io::Result<usize> {
    let iov = [IoSlice::new(data)];
    let fds;
    let cmsgs: &[ControlMessage<'_>] = match pass {
        Some(p) => {
            fds = [p];
            &[ControlMessage::ScmRights(&fds)]
        }
        None => &[],
    };
    let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_NOSIGNAL;
    socket::sendmsg::<()>(fd.as_raw_fd(), &iov, cmsgs, flags, None).map_err(io::Error::from)
}

/// What one `recvmsg` brought: bytes, descriptors, and whether the kernel
/// had to drop descriptors for lack of room (MSG_CTRUNC).
pub struct Received {
    pub len: usize,
    pub fds: Vec<OwnedFd>,
    pub truncated: bool,
}

/// Reads from a stream socket without blocking, collecting any descriptors
/// that came with the bytes. `len == 0` means the peer closed its end.
/// `space` is ancillary-data room from `cmsg_room()`, kept by the caller so
/// that a read allocates nothing (nix's recvmsg takes it as a Vec).
#[allow(clippy::ptr_arg)]
pub fn recv(fd: BorrowedFd<'_>, buf: &mut [u8], space: &mut Vec<u8>) -> io::Result<Received> {
    let mut iov = [IoSliceMut::new(buf)];
    let flags = MsgFlags::MSG_DONTWAIT | MsgFlags::MSG_CMSG_CLOEXEC;
    let msg = socket::recvmsg::<()>(fd.as_raw_fd(), &mut iov, Some(space), flags)
        .map_err(io::Error::from)?;
    let mut fds = Vec::new();
    if let Ok(cmsgs) = msg.cmsgs() {
        for cmsg in cmsgs {
            if let ControlMessageOwned::ScmRights(raw) = cmsg {
                for r in raw {
                    // SAFETY: SCM_RIGHTS just installed `r` in our table and
                    // nothing else refers to it, so we are its only owner.
                    fds.push(unsafe { OwnedFd::from_raw_fd(r) });
                }
            }
        }
    }
    Ok(Received {
        len: msg.bytes,
        fds,
        truncated: msg.flags.contains(MsgFlags::MSG_CTRUNC),
    })
}

/// Room for the descriptors one `recv` can bring.
pub fn cmsg_room() -> Vec<u8> {
    nix::cmsg_space!([RawFd; MAX_FDS_PER_READ])
}

/// Accepts one connection, non-blocking and close-on-exec.
pub fn accept(fd: BorrowedFd<'_>) -> Result<OwnedFd, Errno> {
    let raw = socket::accept4(
        fd.as_raw_fd(),
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
    )?;
    // SAFETY: accept4 returned a fresh descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// The IP address of a connected socket's peer (for `ip-hash`).
pub fn peer_ip(fd: BorrowedFd<'_>) -> Option<std::net::IpAddr> {
    let ss: socket::SockaddrStorage = socket::getpeername(fd.as_raw_fd()).ok()?;
    if let Some(a) = ss.as_sockaddr_in() {
        Some(std::net::IpAddr::V4(a.ip()))
    } else {
        ss.as_sockaddr_in6().map(|a| {
            let ip = a.ip();
            // An IPv4 client on a dual-stack socket is the same client.
            ip.to_ipv4_mapped()
                .map_or(std::net::IpAddr::V6(ip), std::net::IpAddr::V4)
        })
    }
}

/// Duplicates a descriptor that JS owns (a socket's handle) so Rust can keep
/// it alive until the peer acknowledges it, whatever JS does with its own.
pub fn dup_cloexec(raw: RawFd) -> io::Result<OwnedFd> {
    if raw < 0 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    // SAFETY: F_DUPFD_CLOEXEC only reads the descriptor number; an invalid
    // number makes it fail with EBADF instead of touching memory.
    let dup = unsafe { libc::fcntl(raw, libc::F_DUPFD_CLOEXEC, 3) };
    if dup < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: fcntl returned a new descriptor that only we hold.
    Ok(unsafe { OwnedFd::from_raw_fd(dup) })
}

/// The calling thread's errno as a negative libuv-style code, which is the
/// form Node's cluster protocol carries (`errno: -98` for EADDRINUSE).
pub fn uv_code(err: &io::Error) -> i32 {
    -(err.raw_os_error().unwrap_or(libc::EINVAL))
}

/// Registers a descriptor with the runtime's reactor.
pub fn watch(fd: OwnedFd) -> io::Result<tokio::io::unix::AsyncFd<OwnedFd>> {
    // SAFETY: the AsyncFd owns the OwnedFd, so the descriptor stays open for
    // as long as it is registered and is closed only after deregistration.
    unsafe { tokio::io::unix::AsyncFd::register(fd) }.map_err(io::Error::from)
}
