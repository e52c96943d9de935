//! Servers shared by workers, and round-robin dispatch: the primary accepts
//! and hands each connection to the next worker with a free slot; a
//! connection a worker refuses, or never got, goes to another.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::OwnedFd;
use std::rc::Rc;

use serde_json::{json, Value};
use tokio::io::unix::AsyncFd;
use tokio::sync::Notify;

use super::channel::{Inflight, OutFrame};
use super::events::code;
use super::framing::{encode, Mode};
use super::listener::{Bound, SocketPath};
use super::primary::{Awaiting, Primary};
use super::sys;

/// A connection the primary accepted and has not yet seen a worker take.
pub struct Conn {
    pub fd: Rc<OwnedFd>,
    /// Times a worker could not receive it (NACK).
    pub nacks: u32,
}

/// Connections given up on after this many failed deliveries.
const MAX_NACKS: u32 = 8;

pub struct RoundRobin {
    pub listener: Rc<AsyncFd<OwnedFd>>,
    /// Ends the acceptor task when the server goes.
    pub stop: Rc<Notify>,
    pub sockname: Option<Value>,
    pub pending: VecDeque<Conn>,
    /// Connections handed to each worker and not yet answered.
    pub inflight: HashMap<u32, usize>,
    pub cursor: usize,
}

pub enum ServerKind {
    RoundRobin(RoundRobin),
    /// The socket itself goes to every worker (`none`, and UDP).
    Shared(Rc<OwnedFd>),
}

pub struct Server {
    pub gen: u64,
    pub workers: Vec<u32>,
    pub data: Value,
    pub kind: ServerKind,
    /// `newconn` frames for this key, split around the seq number, so the
    /// hot path only formats one integer.
    newconn: [Vec<u8>; 2],
    /// Removes a Unix socket's file when the server goes.
    _path: Option<SocketPath>,
}

impl Server {
    pub fn new(
        key: Rc<str>,
        gen: u64,
        bound: Bound,
        shared: bool,
        data: Value,
    ) -> io::Result<Server> {
        let Bound { fd, sockname, path } = bound;
        let kind = if shared {
            ServerKind::Shared(Rc::new(fd))
        } else {
            ServerKind::RoundRobin(RoundRobin {
                listener: Rc::new(sys::watch(fd)?),
                stop: Rc::new(Notify::new()),
                sockname,
                pending: VecDeque::new(),
                inflight: HashMap::new(),
                cursor: 0,
            })
        };
        Ok(Server {
            gen,
            workers: Vec::new(),
            data,
            kind,
            newconn: newconn_template(&key),
            _path: path,
        })
    }

    pub fn listener(&self) -> Option<(Rc<AsyncFd<OwnedFd>>, Rc<Notify>)> {
        match &self.kind {
            ServerKind::RoundRobin(rr) => Some((rr.listener.clone(), rr.stop.clone())),
            ServerKind::Shared(_) => None,
        }
    }
}

impl Drop for RoundRobin {
    fn drop(&mut self) {
        self.stop.notify_waiters();
    }
}

fn newconn_template(key: &str) -> [Vec<u8>; 2] {
    let msg = json!({"cmd": "NODE_CLUSTER", "act": "newconn", "key": key});
    let inner = msg.to_string();
    let inner = &inner[..inner.len() - 1];
    let head = format!(r#"{{"cmd":"NODE_HANDLE","type":"net.Native","msg":{inner},"seq":"#);
    [head.into_bytes(), b"}}\n".to_vec()]
}

fn newconn_value(key: &str, seq: u64) -> Value {
    json!({"cmd": "NODE_HANDLE", "type": "net.Native",
           "msg": {"cmd": "NODE_CLUSTER", "act": "newconn", "key": key, "seq": seq}})
}

impl Primary {
    /// Connections accepted by the listener task enter here.
    pub fn accepted(&mut self, key: &Rc<str>, conns: Vec<OwnedFd>) {
        if let Some(Server {
            kind: ServerKind::RoundRobin(rr),
            ..
        }) = self.servers.get_mut(key)
        {
            rr.pending.extend(conns.into_iter().map(|fd| Conn {
                fd: Rc::new(fd),
                nacks: 0,
            }));
        }
        self.dispatch(key);
    }

    /// Hands waiting connections to workers with a free slot, in turn.
    pub fn dispatch(&mut self, key: &Rc<str>) {
        let max = self.max_inflight.max(1);
        let mut broken = Vec::new();
        {
            let Primary {
                servers, workers, ..
            } = self;
            let Some(server) = servers.get_mut(key) else {
                return;
            };
            let Server {
                workers: members,
                kind: ServerKind::RoundRobin(rr),
                ..
            } = server
            else {
                return;
            };
            while !rr.pending.is_empty() && !members.is_empty() {
                let n = members.len();
                let mut chosen = None;
                for i in 0..n {
                    let idx = (rr.cursor + i) % n;
                    let w = members[idx];
                    let busy = rr.inflight.get(&w).copied().unwrap_or(0);
                    let usable = workers
                        .get(&w)
                        .is_some_and(|c| c.chan.open && !broken.contains(&w));
                    if busy < max && usable {
                        chosen = Some((idx, w));
                        break;
                    }
                }
                let Some((idx, w)) = chosen else {
                    break;
                };
                rr.cursor = (idx + 1) % n;
                let Some(conn) = rr.pending.pop_front() else {
                    break;
                };
                let Some(worker) = workers.get_mut(&w) else {
                    rr.pending.push_front(conn);
                    break;
                };
                worker.seq += 1;
                let seq = worker.seq;
                let bytes = match worker.chan.mode {
                    Mode::Json => server_frame(&server.newconn, seq),
                    Mode::Advanced => encode(Mode::Advanced, &newconn_value(key, seq)),
                };
                let fd = conn.fd.clone();
                worker.awaiting.insert(
                    seq,
                    Awaiting {
                        key: key.clone(),
                        conn,
                    },
                );
                worker.chan.inflight.push_back(Inflight::Newconn { seq });
                *rr.inflight.entry(w).or_insert(0) += 1;
                let frame = OutFrame {
                    bytes,
                    sent: 0,
                    fd: Some(fd),
                    cb: 0,
                };
                if worker.chan.write(frame).is_err() {
                    broken.push(w);
                }
            }
        }
        for w in broken {
            self.channel_closed(w);
        }
    }

    /// Forgets connection `seq` handed to worker `id`, freeing its slot.
    fn take_awaiting(&mut self, id: u32, seq: u64) -> Option<Awaiting> {
        let a = self.workers.get_mut(&id)?.awaiting.remove(&seq)?;
        self.slot_freed(&a.key, id);
        Some(a)
    }

    /// The worker's `{ack, accepted}` for a `newconn`.
    pub fn accept_reply(&mut self, id: u32, seq: u64, accepted: bool) {
        let Some(a) = self.take_awaiting(id, seq) else {
            return;
        };
        if !accepted {
            self.requeue(&a.key, a.conn);
        }
        self.dispatch(&a.key);
    }

    /// The worker could not receive connection `seq` (NACK): another try,
    /// up to a limit.
    pub fn nacked(&mut self, id: u32, seq: u64) {
        let Some(mut a) = self.take_awaiting(id, seq) else {
            return;
        };
        a.conn.nacks += 1;
        if a.conn.nacks >= MAX_NACKS {
            self.events.strings(
                code::WARNING,
                id,
                &[
                    "A connection could not be handed to any worker and was closed",
                    "SentHandleNotReceivedWarning",
                ],
            );
            return;
        }
        self.requeue(&a.key, a.conn);
        self.dispatch(&a.key);
    }

    fn slot_freed(&mut self, key: &Rc<str>, id: u32) {
        if let Some(Server {
            kind: ServerKind::RoundRobin(rr),
            ..
        }) = self.servers.get_mut(key)
        {
            if let Some(n) = rr.inflight.get_mut(&id) {
                *n = n.saturating_sub(1);
            }
        }
    }

    /// Puts a connection back at the head of its server's queue; with no
    /// server left, it closes (as Node closes pending handles then).
    pub fn requeue(&mut self, key: &Rc<str>, conn: Conn) {
        if let Some(Server {
            kind: ServerKind::RoundRobin(rr),
            ..
        }) = self.servers.get_mut(key)
        {
            rr.pending.push_front(conn);
        }
    }

    /// Worker `id` no longer serves `key`; the server closes with its last
    /// worker.
    pub fn release(&mut self, id: u32, key: &Rc<str>) {
        let Some(server) = self.servers.get_mut(key) else {
            return;
        };
        let Some(pos) = server.workers.iter().position(|&w| w == id) else {
            return;
        };
        server.workers.remove(pos);
        if let ServerKind::RoundRobin(rr) = &mut server.kind {
            rr.inflight.remove(&id);
            if rr.cursor > pos {
                rr.cursor -= 1;
            }
        }
        if server.workers.is_empty() {
            self.servers.remove(key);
        } else {
            self.dispatch(key);
        }
    }

    pub fn release_worker(&mut self, id: u32) {
        let keys: Vec<Rc<str>> = self
            .servers
            .iter()
            .filter(|(_, s)| s.workers.contains(&id))
            .map(|(k, _)| k.clone())
            .collect();
        for key in keys {
            self.release(id, &key);
        }
    }
}

fn server_frame(t: &[Vec<u8>; 2], seq: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(t[0].len() + t[1].len() + 20);
    out.extend_from_slice(&t[0]);
    out.extend_from_slice(seq.to_string().as_bytes());
    out.extend_from_slice(&t[1]);
    out
}
