//! Binding the sockets that workers listen on, the way Node's own primary
//! (through libuv) binds them, so `server.address()` and bind errors read
//! the same in a worker.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::PathBuf;

use nix::sys::socket::{
    bind, getsockname, listen, setsockopt, socket, sockopt, AddressFamily, Backlog, SockFlag,
    SockType, SockaddrIn, SockaddrIn6, SockaddrStorage, UnixAddr,
};
use serde_json::{json, Value};

use super::sys;

/// libuv's flag for IPv6-only TCP and UDP sockets.
const UV_IPV6ONLY: u64 = 1;
/// libuv's UDP flags for address and port reuse.
const UV_UDP_REUSEADDR: u64 = 4;
const UV_UDP_REUSEPORT: u64 = 64;
/// Node's default backlog.
const DEFAULT_BACKLOG: i32 = 511;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Tcp4,
    Tcp6,
    Unix,
    Udp4,
    Udp6,
}

impl Kind {
    pub fn is_udp(self) -> bool {
        matches!(self, Kind::Udp4 | Kind::Udp6)
    }
}

/// What a worker's `queryServer` asks for.
#[derive(Clone)]
pub struct Query {
    pub address: Option<String>,
    pub port: i64,
    pub kind: Kind,
    pub fd: Option<i32>,
    pub flags: u64,
    pub backlog: i32,
}

impl Query {
    pub fn from_message(m: &Value) -> Query {
        let kind = match &m["addressType"] {
            Value::String(s) if s == "udp4" => Kind::Udp4,
            Value::String(s) if s == "udp6" => Kind::Udp6,
            Value::Number(n) if n.as_i64() == Some(6) => Kind::Tcp6,
            Value::Number(n) if n.as_i64() == Some(4) => Kind::Tcp4,
            _ => Kind::Unix,
        };
        Query {
            address: m["address"].as_str().map(str::to_owned),
            port: m["port"].as_i64().unwrap_or(0),
            kind,
            fd: m["fd"].as_i64().filter(|&f| f >= 0).map(|f| f as i32),
            flags: m["flags"].as_u64().unwrap_or(0),
            backlog: m["backlog"]
                .as_i64()
                .filter(|&b| b > 0)
                .map(|b| b.min(i32::MAX as i64) as i32)
                .unwrap_or(DEFAULT_BACKLOG),
        }
    }
}

/// A bound socket and what the protocol reports about it.
pub struct Bound {
    pub fd: OwnedFd,
    /// `{address, family, port}` for TCP, as a round-robin reply carries it.
    pub sockname: Option<Value>,
    pub path: Option<SocketPath>,
}

/// A Unix socket's file, removed again when the socket is closed, as
/// libuv removes it when a pipe server closes.
pub struct SocketPath(PathBuf);

impl Drop for SocketPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Binds what `q` asks for; `listening` also puts a stream socket into
/// the listening state (where the primary accepts); `reuse_port` lets
/// several sockets share the address (the `reuseport` policy).
pub fn bind_query(q: &Query, listening: bool, reuse_port: bool) -> io::Result<Bound> {
    if let Some(fd) = q.fd {
        let fd = sys::dup_cloexec(fd)?;
        if listening && !q.kind.is_udp() {
            listen(&fd, backlog(q.backlog)).map_err(io::Error::from)?;
        }
        let sockname = inet_name(&fd);
        return Ok(Bound {
            fd,
            sockname,
            path: None,
        });
    }
    match q.kind {
        Kind::Unix => bind_unix(q, listening),
        Kind::Udp4 | Kind::Udp6 => bind_udp(q),
        Kind::Tcp4 | Kind::Tcp6 => bind_tcp(q, listening, reuse_port),
    }
}

fn backlog(n: i32) -> Backlog {
    Backlog::new(n).unwrap_or(Backlog::MAXCONN)
}

fn port(q: &Query) -> io::Result<u16> {
    u16::try_from(q.port).map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn parse_ip(address: &str) -> io::Result<IpAddr> {
    address
        .parse::<IpAddr>()
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))
}

fn bind_tcp(q: &Query, listening: bool, reuse_port: bool) -> io::Result<Bound> {
    let port = port(q)?;
    let addr = match &q.address {
        Some(a) => SocketAddr::new(parse_ip(a)?, port),
        // No host: the IPv6 wildcard (which takes IPv4 too), else IPv4's.
        None => match tcp_socket(
            SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
            q,
            listening,
            reuse_port,
        ) {
            Ok(b) => return Ok(b),
            Err(_) => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
        },
    };
    tcp_socket(addr, q, listening, reuse_port)
}

fn tcp_socket(addr: SocketAddr, q: &Query, listening: bool, reuse_port: bool) -> io::Result<Bound> {
    let family = match addr {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    let fd = socket(
        family,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )?;
    setsockopt(&fd, sockopt::ReuseAddr, &true)?;
    if reuse_port {
        setsockopt(&fd, sockopt::ReusePort, &true)?;
    }
    bind_inet(&fd, addr, q.flags & UV_IPV6ONLY != 0)?;
    if listening {
        listen(&fd, backlog(q.backlog))?;
    }
    let sockname = inet_name(&fd);
    Ok(Bound {
        fd,
        sockname,
        path: None,
    })
}

fn bind_inet(fd: &OwnedFd, addr: SocketAddr, v6only: bool) -> io::Result<()> {
    match addr {
        SocketAddr::V4(a) => bind(fd.as_raw_fd(), &SockaddrIn::from(a))?,
        SocketAddr::V6(a) => {
            if v6only {
                setsockopt(fd, sockopt::Ipv6V6Only, &true)?;
            }
            bind(fd.as_raw_fd(), &SockaddrIn6::from(a))?
        }
    }
    Ok(())
}

fn bind_udp(q: &Query) -> io::Result<Bound> {
    let port = port(q)?;
    let ip = match (&q.address, q.kind) {
        (Some(a), _) => parse_ip(a)?,
        (None, Kind::Udp6) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        (None, _) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    };
    let addr = SocketAddr::new(ip, port);
    let family = if addr.is_ipv6() {
        AddressFamily::Inet6
    } else {
        AddressFamily::Inet
    };
    let fd = socket(
        family,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )?;
    if q.flags & UV_UDP_REUSEADDR != 0 {
        setsockopt(&fd, sockopt::ReuseAddr, &true)?;
    }
    if q.flags & UV_UDP_REUSEPORT != 0 {
        setsockopt(&fd, sockopt::ReusePort, &true)?;
    }
    bind_inet(&fd, addr, q.flags & UV_IPV6ONLY != 0)?;
    Ok(Bound {
        fd,
        sockname: None,
        path: None,
    })
}

fn bind_unix(q: &Query, listening: bool) -> io::Result<Bound> {
    let Some(path) = q.address.as_deref() else {
        return Err(io::Error::from_raw_os_error(libc::EINVAL));
    };
    // The worker resolved the path; a relative one is shorter when it fits
    // better within sun_path's ~107 bytes, as Node's primary also picks.
    let mut chosen = PathBuf::from(path);
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = chosen.strip_prefix(&cwd) {
            if rel.as_os_str().len() < path.len() && !rel.as_os_str().is_empty() {
                chosen = rel.to_path_buf();
            }
        }
    }
    let fd = socket(
        AddressFamily::Unix,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )?;
    let addr = UnixAddr::new(&chosen)?;
    bind(fd.as_raw_fd(), &addr)?;
    // From here on the file is ours: SocketPath's drop removes it on any error.
    let bound = Bound {
        fd,
        sockname: None,
        path: Some(SocketPath(std::path::absolute(&chosen).unwrap_or(chosen))),
    };
    if listening {
        listen(&bound.fd, backlog(q.backlog))?;
    }
    Ok(bound)
}

/// `{address, family, port}` of an IP socket, as `server.address()` shows it.
fn inet_name(fd: &OwnedFd) -> Option<Value> {
    let ss: SockaddrStorage = getsockname(fd.as_raw_fd()).ok()?;
    let addr: SocketAddr = if let Some(a) = ss.as_sockaddr_in() {
        SocketAddr::V4(SocketAddrV4::from(*a))
    } else if let Some(a) = ss.as_sockaddr_in6() {
        SocketAddr::V6(SocketAddrV6::from(*a))
    } else {
        return None;
    };
    let family = if addr.is_ipv4() { "IPv4" } else { "IPv6" };
    Some(json!({"address": addr.ip().to_string(), "family": family, "port": addr.port()}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(address: Option<&str>, port: i64, kind: Kind) -> Query {
        Query {
            address: address.map(str::to_owned),
            port,
            kind,
            fd: None,
            flags: 0,
            backlog: 511,
        }
    }

    #[test]
    fn binds_ephemeral_loopback() {
        let b = bind_query(&q(Some("127.0.0.1"), 0, Kind::Tcp4), true, false).unwrap();
        let name = b.sockname.clone().unwrap();
        assert_eq!(name["address"], "127.0.0.1");
        assert_eq!(name["family"], "IPv4");
        assert_ne!(name["port"], 0);
        let port = name["port"].as_i64().unwrap();
        let again = bind_query(&q(Some("127.0.0.1"), port, Kind::Tcp4), true, false);
        assert_eq!(
            again.err().and_then(|e| e.raw_os_error()),
            Some(libc::EADDRINUSE)
        );
    }

    #[test]
    fn unix_path_is_removed_on_drop() {
        let path = std::env::temp_dir().join(format!("forkpipe-test-{}.sock", std::process::id()));
        let b = bind_query(&q(path.to_str(), -1, Kind::Unix), true, false).unwrap();
        assert!(path.exists());
        drop(b);
        assert!(!path.exists());
    }
}
