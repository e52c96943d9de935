//! `reuseport`: every worker listens on a socket of its own, all bound by
//! the primary to one address with SO_REUSEPORT, and the kernel spreads
//! connections over them. The primary keeps a copy of each worker's
//! socket, so when a worker leaves, the connections the kernel had already
//! queued on its socket are accepted by the primary and handed to the
//! other workers instead of being reset with the socket.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::rc::Rc;

use nix::errno::Errno;
use serde_json::Value;

use super::listener::{bind_query, Query};
use super::scheduler::{Conn, Dispatch};
use super::sys;

pub struct ReusePort {
    /// A socket bound for the next worker to join (the first one, bound
    /// when the server was opened).
    spare: Option<Rc<OwnedFd>>,
    /// The port every socket shares (the first bind picks it for port 0).
    port: u16,
    pub sockets: HashMap<u32, Rc<OwnedFd>>,
    /// Connections drained from a departed worker's socket.
    pub handover: Dispatch,
}

impl ReusePort {
    pub fn new(first: OwnedFd, sockname: Option<Value>) -> ReusePort {
        let port = sockname
            .as_ref()
            .and_then(|s| s["port"].as_u64())
            .and_then(|p| u16::try_from(p).ok())
            .unwrap_or(0);
        ReusePort {
            spare: Some(Rc::new(first)),
            port,
            sockets: HashMap::new(),
            handover: Dispatch::new(None, sockname),
        }
    }

    /// The socket worker `id` listens on: the spare one, or a new one bound
    /// to the same address and port.
    pub fn socket_for(&mut self, id: u32, q: &Query) -> io::Result<Rc<OwnedFd>> {
        let fd = match self.spare.take() {
            Some(fd) => fd,
            None => {
                let same = Query {
                    port: i64::from(self.port),
                    ..q.clone()
                };
                Rc::new(bind_query(&same, false, true)?.fd)
            }
        };
        self.sockets.insert(id, fd.clone());
        Ok(fd)
    }

    /// Takes worker `id`'s socket back: whatever its queue holds is
    /// accepted here for the other workers, then the socket is closed.
    pub fn drain(&mut self, id: u32) {
        let Some(fd) = self.sockets.remove(&id) else {
            return;
        };
        loop {
            match sys::accept(fd.as_fd()) {
                Ok(c) => self.handover.pending.push_back(Conn::new(c, None)),
                Err(Errno::EINTR) | Err(Errno::ECONNABORTED) => {}
                // EAGAIN: empty; EINVAL: the worker never listened.
                Err(_) => break,
            }
        }
    }
}
