//! Servers shared by workers and the policies that hand out their
//! connections. For `rr`, `least-connections` and `ip-hash` the primary
//! accepts and hands each connection to a worker with a free slot; a
//! connection a worker refuses, or never got, goes to another. `none` and
//! UDP give every worker the listening socket itself; `reuseport` gives
//! each worker a socket of its own (see reuseport.rs).

use std::cell::Cell;
use std::collections::hash_map::DefaultHasher;
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::io;
use std::net::IpAddr;
use std::os::fd::OwnedFd;
use std::rc::Rc;

use serde_json::{json, Value};
use tokio::io::unix::AsyncFd;
use tokio::sync::Notify;

use super::channel::{Inflight, OutFrame};
use super::events::code;
use super::framing::{encode, Mode};
use super::intmap::IntMap;
use super::listener::{Bound, SocketPath};
use super::primary::{Awaiting, Policy, Primary, WorkerConn};
use super::reuseport::ReusePort;
use super::stats::{self, WorkerCounters};
use super::sys;

/// Counts a connection in the cluster-wide in-flight figure for as long as
/// the primary holds it, whichever way it leaves.
pub struct InFlightToken(());

impl InFlightToken {
    fn new() -> InFlightToken {
        stats::in_flight_add(1);
        InFlightToken(())
    }
}

impl Drop for InFlightToken {
    fn drop(&mut self) {
        stats::in_flight_sub(1);
    }
}

/// A connection the primary accepted and has not yet seen a worker take.
pub struct Conn {
    pub fd: Rc<OwnedFd>,
    /// The client's address, for `ip-hash`.
    pub peer: Option<IpAddr>,
    /// Times a worker could not receive it (NACK).
    pub nacks: u32,
    /// Workers that refused it; `ip-hash` picks among the others.
    pub refused_by: Vec<u32>,
    _token: InFlightToken,
}

impl Conn {
    pub fn new(fd: OwnedFd, peer: Option<IpAddr>) -> Conn {
        Conn {
            fd: Rc::new(fd),
            peer,
            nacks: 0,
            refused_by: Vec::new(),
            _token: InFlightToken::new(),
        }
    }
}

/// Connections given up on after this many failed deliveries.
const MAX_NACKS: u32 = 8;
/// How far `ip-hash` looks past a connection whose worker is busy.
const IP_HASH_LOOKAHEAD: usize = 64;

/// Per-worker and total bounds on connections the primary holds.
#[derive(Clone, Copy)]
pub struct Limits {
    /// Connections handed to one worker and not yet answered.
    pub per_worker: usize,
    /// Connections queued plus handed out and unanswered, per server; at
    /// this many the primary stops accepting and the backlog holds the rest.
    pub total: usize,
}

/// The primary's side of a server whose connections it hands out.
pub struct Dispatch {
    /// The socket the primary accepts on, and what ends its acceptor.
    pub listener: Option<(Rc<AsyncFd<OwnedFd>>, Rc<Notify>)>,
    /// Wakes an acceptor paused at the total limit, which says so in
    /// `paused` so that the common case (not paused) costs no wake-up.
    pub resume: Rc<Notify>,
    pub paused: Rc<Cell<bool>>,
    pub sockname: Option<Value>,
    pub pending: VecDeque<Conn>,
    /// Connections handed to each worker and not yet answered.
    pub inflight: IntMap<u32, usize>,
    pub cursor: usize,
}

impl Dispatch {
    pub fn new(listener: Option<Rc<AsyncFd<OwnedFd>>>, sockname: Option<Value>) -> Dispatch {
        Dispatch {
            listener: listener.map(|l| (l, Rc::new(Notify::new()))),
            resume: Rc::new(Notify::new()),
            paused: Rc::new(Cell::new(false)),
            sockname,
            pending: VecDeque::new(),
            inflight: IntMap::default(),
            cursor: 0,
        }
    }

    /// Connections the primary holds for this server.
    pub fn held(&self) -> usize {
        self.pending.len() + self.inflight.values().sum::<usize>()
    }

    fn slot_freed(&mut self, id: u32) {
        if let Some(n) = self.inflight.get_mut(&id) {
            *n = n.saturating_sub(1);
        }
        self.wake_acceptor();
    }

    pub fn wake_acceptor(&self) {
        if self.paused.replace(false) {
            self.resume.notify_one();
        }
    }
}

impl Drop for Dispatch {
    fn drop(&mut self) {
        if let Some((_, stop)) = &self.listener {
            stop.notify_waiters();
        }
    }
}

/// What an acceptor task holds on to.
pub struct Acceptor {
    pub listener: Rc<AsyncFd<OwnedFd>>,
    pub stop: Rc<Notify>,
    pub resume: Rc<Notify>,
    pub paused: Rc<Cell<bool>>,
}

pub enum ServerKind {
    Dispatch(Dispatch),
    /// The socket itself goes to every worker (`none`, and UDP).
    Shared(Rc<OwnedFd>),
    ReusePort(ReusePort),
}

impl ServerKind {
    /// The connections the primary hands out for this server, if it does:
    /// all of them, or (reuseport) those taken back from a departed worker.
    pub fn dispatch_ref(&self) -> Option<&Dispatch> {
        match self {
            ServerKind::Dispatch(d) => Some(d),
            ServerKind::ReusePort(r) => Some(&r.handover),
            ServerKind::Shared(_) => None,
        }
    }

    pub fn dispatch_mut(&mut self) -> Option<&mut Dispatch> {
        match self {
            ServerKind::Dispatch(d) => Some(d),
            ServerKind::ReusePort(r) => Some(&mut r.handover),
            ServerKind::Shared(_) => None,
        }
    }
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
    pub fn new(key: &str, gen: u64, bound: Bound, kind: Policy, data: Value) -> io::Result<Server> {
        let Bound { fd, sockname, path } = bound;
        let kind = match kind {
            Policy::None => ServerKind::Shared(Rc::new(fd)),
            Policy::ReusePort => ServerKind::ReusePort(ReusePort::new(fd, sockname)),
            _ => ServerKind::Dispatch(Dispatch::new(Some(Rc::new(sys::watch(fd)?)), sockname)),
        };
        Ok(Server {
            gen,
            workers: Vec::new(),
            data,
            kind,
            newconn: newconn_template(key),
            _path: path,
        })
    }

    /// What an acceptor task needs, for servers where the primary accepts:
    /// the listener, what stops the task, what resumes it after a pause.
    pub fn acceptor(&self) -> Option<Acceptor> {
        match &self.kind {
            ServerKind::Dispatch(d) => d.listener.as_ref().map(|(l, stop)| Acceptor {
                listener: l.clone(),
                stop: stop.clone(),
                resume: d.resume.clone(),
                paused: d.paused.clone(),
            }),
            _ => None,
        }
    }
}

fn newconn_template(key: &str) -> [Vec<u8>; 2] {
    let msg = json!({"cmd": "NODE_CLUSTER", "act": "newconn", "key": key});
    let inner = msg.to_string();
    let inner = &inner[..inner.len() - 1];
    let head = format!(r#"{{"cmd":"NODE_HANDLE","type":"net.Native","msg":{inner},"seq":"#);
    [head.into_bytes(), b"}}\n".to_vec()]
}

fn newconn_frame(template: &[Vec<u8>; 2], mode: Mode, key: &str, seq: u64) -> Vec<u8> {
    match mode {
        Mode::Json => {
            let mut out = Vec::with_capacity(template[0].len() + template[1].len() + 20);
            out.extend_from_slice(&template[0]);
            push_decimal(&mut out, seq);
            out.extend_from_slice(&template[1]);
            out
        }
        Mode::Advanced => encode(
            Mode::Advanced,
            &json!({"cmd": "NODE_HANDLE", "type": "net.Native",
                    "msg": {"cmd": "NODE_CLUSTER", "act": "newconn", "key": key, "seq": seq}}),
        ),
    }
}

/// Appends `n` in decimal without an intermediate String (once per
/// connection).
fn push_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

/// Rendezvous hashing: the client's worker is the one that scores highest
/// with its address, so losing a worker moves only that worker's clients.
fn ip_hash_target(peer: &IpAddr, members: &[u32], refused_by: &[u32]) -> Option<u32> {
    let candidates = members.iter().filter(|w| !refused_by.contains(w));
    let pick = |ws: &mut dyn Iterator<Item = &u32>| {
        ws.max_by_key(|&&w| {
            let mut h = DefaultHasher::new();
            peer.hash(&mut h);
            w.hash(&mut h);
            h.finish()
        })
        .copied()
    };
    pick(&mut candidates.clone()).or_else(|| pick(&mut members.iter()))
}

/// Which member takes `conn` now, if any: its index in `members`.
fn choose(
    policy: Policy,
    members: &[u32],
    d: &Dispatch,
    workers: &IntMap<u32, WorkerConn>,
    limits: Limits,
    conn: &Conn,
) -> Option<usize> {
    let n = members.len();
    let usable = |w: u32| {
        d.inflight.get(&w).copied().unwrap_or(0) < limits.per_worker
            && workers.get(&w).is_some_and(|c| c.chan.open)
    };
    match (policy, conn.peer) {
        (Policy::IpHash, Some(peer)) => {
            let target = ip_hash_target(&peer, members, &conn.refused_by)?;
            if usable(target) {
                members.iter().position(|&w| w == target)
            } else {
                None
            }
        }
        (Policy::LeastConnections, _) => {
            let load = |w: u32| {
                let open = workers.get(&w).map_or(0, |c| c.chan.counters.open());
                open + d.inflight.get(&w).copied().unwrap_or(0) as u64
            };
            (0..n)
                .map(|i| (d.cursor + i) % n)
                .filter(|&i| usable(members[i]))
                .min_by_key(|&i| load(members[i]))
        }
        _ => (0..n)
            .map(|i| (d.cursor + i) % n)
            .find(|&i| usable(members[i])),
    }
}

impl Primary {
    /// The dispatch state of the server under `key`, if it hands out
    /// connections.
    fn dispatch_state(&mut self, key: &str) -> Option<&mut Dispatch> {
        self.servers.get_mut(key)?.kind.dispatch_mut()
    }

    /// Connections accepted by the listener task enter here.
    pub fn accepted(&mut self, key: &Rc<str>, conns: Vec<Conn>) {
        if let Some(d) = self.dispatch_state(key) {
            d.pending.extend(conns);
        }
        self.dispatch(key);
    }

    /// Hands waiting connections to workers that can take them.
    pub fn dispatch(&mut self, key: &Rc<str>) {
        let limits = self.limits;
        let policy = self.policy;
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
                kind,
                newconn,
                ..
            } = server;
            let Some(d) = kind.dispatch_mut() else {
                return;
            };
            let mut i = 0;
            while i < d.pending.len() && !members.is_empty() {
                // A worker whose channel just failed is left out; that is rare,
                // so the list is only rebuilt then.
                let filtered: Vec<u32>;
                let members_now: &[u32] = if broken.is_empty() {
                    members
                } else {
                    filtered = members
                        .iter()
                        .copied()
                        .filter(|w| !broken.contains(w))
                        .collect();
                    &filtered
                };
                if members_now.is_empty() {
                    break;
                }
                let Some(idx) = choose(policy, members_now, d, workers, limits, &d.pending[i])
                else {
                    // Only ip-hash skips a connection whose worker is busy.
                    if policy == Policy::IpHash && i + 1 < IP_HASH_LOOKAHEAD {
                        i += 1;
                        continue;
                    }
                    break;
                };
                let w = members_now[idx];
                d.cursor = (idx + 1) % members_now.len();
                let Some(conn) = d.pending.remove(i) else {
                    break;
                };
                let Some(worker) = workers.get_mut(&w) else {
                    d.pending.push_front(conn);
                    break;
                };
                worker.seq += 1;
                let seq = worker.seq;
                let bytes = newconn_frame(newconn, worker.chan.mode, key, seq);
                let fd = conn.fd.clone();
                worker.awaiting.insert(
                    seq,
                    Awaiting {
                        key: key.clone(),
                        conn,
                    },
                );
                worker.chan.inflight.push_back(Inflight::Newconn { seq });
                *d.inflight.entry(w).or_insert(0) += 1;
                WorkerCounters::bump(&worker.chan.counters.dispatched);
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
        if let Some(d) = self.dispatch_state(&a.key) {
            d.slot_freed(id);
        }
        Some(a)
    }

    /// The worker's `{ack, accepted}` for a `newconn`.
    pub fn accept_reply(&mut self, id: u32, seq: u64, accepted: bool) {
        let Some(mut a) = self.take_awaiting(id, seq) else {
            return;
        };
        if let Some(w) = self.workers.get(&id) {
            let c = &w.chan.counters;
            WorkerCounters::bump(if accepted { &c.accepted } else { &c.refused });
        }
        if !accepted {
            a.conn.refused_by.push(id);
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
        if let Some(w) = self.workers.get(&id) {
            WorkerCounters::bump(&w.chan.counters.nacked);
        }
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

    /// Puts a connection back at the head of its server's queue; with no
    /// server left, it closes (as Node closes pending handles then).
    pub fn requeue(&mut self, key: &Rc<str>, conn: Conn) {
        if let Some(d) = self.dispatch_state(key) {
            d.pending.push_front(conn);
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
        if let ServerKind::ReusePort(r) = &mut server.kind {
            // What waits in the worker's own queue goes to the others.
            r.drain(id);
        }
        if let Some(d) = server.kind.dispatch_mut() {
            d.inflight.remove(&id);
            if d.cursor > pos {
                d.cursor -= 1;
            }
            d.wake_acceptor();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal() {
        for n in [0u64, 7, 10, 99, 12345, u64::MAX] {
            let mut out = Vec::new();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }

    #[test]
    fn ip_hash_moves_only_the_lost_workers_clients() {
        let members = [1u32, 2, 3, 4];
        let peers: Vec<IpAddr> = (1..=200u8).map(|i| IpAddr::from([10, 0, 0, i])).collect();
        let before: Vec<u32> = peers
            .iter()
            .map(|p| ip_hash_target(p, &members, &[]).unwrap())
            .collect();
        let after: Vec<u32> = peers
            .iter()
            .map(|p| ip_hash_target(p, &[1, 2, 4], &[]).unwrap())
            .collect();
        for (b, a) in before.iter().zip(&after) {
            if *b != 3 {
                assert_eq!(a, b);
            }
        }
        assert!(before.iter().filter(|&&w| w == 3).count() > 20);
    }
}
