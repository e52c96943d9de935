//! The primary's state: its workers' channels and the servers they share.
//! Everything here runs on the runtime's one thread, so it lives in a
//! `RefCell` and every task borrows it only between awaits.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io;
use std::os::fd::{AsFd, IntoRawFd, OwnedFd};
use std::rc::{Rc, Weak};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::{json, Value};

use super::channel::{Channel, Flushed, Inflight, OutFrame};
use super::events::{code, Events};
use super::framing::{encode, Mode};
use super::intmap::IntMap;
use super::message::{accept_reply, classify, is_internal, Incoming, HANDLE_ACK};
use super::scheduler::{Limits, Server};
use super::spawn::Status;
use super::stats::{self, WorkerCounters};
use super::sys;
use super::tasks;

/// Scheduling policies, by their public numbers: Node's two, then
/// forkpipe's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    None = 1,
    RoundRobin = 2,
    ReusePort = 3,
    LeastConnections = 4,
    IpHash = 5,
}

impl Policy {
    pub fn from_number(n: u32) -> Option<Policy> {
        Some(match n {
            1 => Policy::None,
            2 => Policy::RoundRobin,
            3 => Policy::ReusePort,
            4 => Policy::LeastConnections,
            5 => Policy::IpHash,
            _ => return None,
        })
    }
}

/// Reads per wake-up of one channel before other work gets a turn.
const READS_PER_WAKE: usize = 16;
const READ_BUF: usize = 64 * 1024;
/// Read rounds spent on a dead worker's channel before it is closed.
const EXIT_DRAIN_ROUNDS: usize = 64;
/// Descriptors a worker may have sent ahead of their NODE_HANDLE messages.
const MAX_UNCLAIMED_FDS: usize = 64;

/// A connection handed to a worker, kept until the worker says whether it
/// took it.
pub struct Awaiting {
    pub key: Rc<str>,
    pub conn: super::scheduler::Conn,
}

pub struct WorkerConn {
    pub chan: Channel,
    /// The primary's own message counter for this worker (`seq`/`ack`).
    pub seq: u64,
    pub awaiting: IntMap<u64, Awaiting>,
    /// Descriptors received and not yet claimed by a NODE_HANDLE message.
    pub fds: VecDeque<OwnedFd>,
    /// Set once the worker is leaving on purpose: it gets no new servers.
    pub disconnecting: bool,
    pub exited: Option<Status>,
}

pub struct Primary {
    pub workers: IntMap<u32, WorkerConn>,
    pub servers: HashMap<Rc<str>, Server>,
    pub events: Events,
    pub policy: Policy,
    pub max_message: usize,
    pub limits: Limits,
    /// Distinguishes a server from a later one under the same key.
    pub next_server: u64,
    read_buf: Vec<u8>,
    /// Ancillary-data room for reads, allocated once.
    cmsg: Vec<u8>,
    /// Frame ranges of the read being handled, kept to reuse the allocation.
    ranges: Vec<std::ops::Range<usize>>,
    pub me: Weak<RefCell<Primary>>,
}

/// How one read of a channel ended.
pub enum ReadOutcome {
    More,
    WouldBlock,
    Closed,
}

impl Primary {
    pub fn new() -> Rc<RefCell<Primary>> {
        Rc::new_cyclic(|me| {
            RefCell::new(Primary {
                workers: IntMap::default(),
                servers: HashMap::new(),
                events: Events::default(),
                policy: Policy::RoundRobin,
                max_message: 64 * 1024 * 1024,
                limits: Limits {
                    per_worker: 16,
                    total: 4096,
                },
                next_server: 1,
                read_buf: vec![0; READ_BUF],
                cmsg: sys::cmsg_room(),
                ranges: Vec::new(),
                me: me.clone(),
            })
        })
    }

    pub fn add_worker(&mut self, id: u32, fd: OwnedFd, mode: Mode, counters: Arc<WorkerCounters>) {
        let chan = match Channel::new(fd, mode, self.max_message, counters) {
            Ok(c) => c,
            Err(e) => {
                self.events.strings(
                    code::ERROR,
                    id,
                    &[
                        "ERR_FORKPIPE_CHANNEL",
                        &format!("cannot watch the IPC channel: {e}"),
                    ],
                );
                self.events.nums(code::DISCONNECT, id, &[]);
                return;
            }
        };
        let (fd, stop, wake) = (chan.fd.clone(), chan.stop.clone(), chan.wake_writer.clone());
        self.workers.insert(
            id,
            WorkerConn {
                chan,
                seq: 0,
                awaiting: IntMap::default(),
                fds: VecDeque::new(),
                disconnecting: false,
                exited: None,
            },
        );
        tasks::spawn_channel(self.me.clone(), id, fd, stop, wake);
    }

    /// Reads what is waiting on worker `id`'s channel and acts on it.
    pub fn read_channel(&mut self, id: u32) -> ReadOutcome {
        let mut buf = std::mem::take(&mut self.read_buf);
        let mut outcome = ReadOutcome::More;
        for _ in 0..READS_PER_WAKE {
            let Some(w) = self.workers.get_mut(&id) else {
                outcome = ReadOutcome::Closed;
                break;
            };
            if !w.chan.open {
                outcome = ReadOutcome::Closed;
                break;
            }
            match sys::recv(w.chan.fd.get_ref().as_fd(), &mut buf, &mut self.cmsg) {
                Ok(r) if r.len == 0 => {
                    self.channel_closed(id);
                    outcome = ReadOutcome::Closed;
                    break;
                }
                Ok(r) => {
                    // A unix stream read comes back short only when the queue
                    // is empty, or after a message that carried descriptors;
                    // in the first case a further read would only say EAGAIN.
                    let drained = r.len < buf.len() && r.fds.is_empty();
                    w.fds.extend(r.fds);
                    if w.fds.len() > MAX_UNCLAIMED_FDS {
                        self.protocol_error(id, "the worker sent descriptors without messages");
                        outcome = ReadOutcome::Closed;
                        break;
                    }
                    let mut ranges = std::mem::take(&mut self.ranges);
                    ranges.clear();
                    let pushed = w.chan.decoder.push(&buf[..r.len], &mut ranges);
                    let frames = w.chan.decoder.lend();
                    for range in &ranges {
                        self.on_frame(id, &frames[range.clone()]);
                    }
                    if let Some(w) = self.workers.get_mut(&id) {
                        w.chan.decoder.give_back(frames);
                    }
                    self.ranges = ranges;
                    if let Err(e) = pushed {
                        let super::framing::FrameError::TooLarge(n) = e;
                        self.protocol_error(
                            id,
                            &format!(
                                "a message of {n} bytes or more exceeds the limit of {} bytes",
                                self.max_message
                            ),
                        );
                        outcome = ReadOutcome::Closed;
                        break;
                    }
                    if r.truncated {
                        self.protocol_error(
                            id,
                            "a descriptor from the worker was lost (MSG_CTRUNC)",
                        );
                        outcome = ReadOutcome::Closed;
                        break;
                    }
                    if drained {
                        outcome = ReadOutcome::WouldBlock;
                        break;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    outcome = ReadOutcome::WouldBlock;
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => {
                    self.channel_closed(id);
                    outcome = ReadOutcome::Closed;
                    break;
                }
            }
        }
        self.read_buf = buf;
        outcome
    }

    fn on_frame(&mut self, id: u32, frame: &[u8]) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        if !w.chan.open {
            return;
        }
        let mode = w.chan.mode;
        // The two messages every handed-out connection brings back.
        if mode == Mode::Json {
            if frame == HANDLE_ACK {
                w.chan.inflight.pop_front();
                return;
            }
            if let Some((ack, accepted)) = accept_reply(frame) {
                self.accept_reply(id, ack, accepted);
                return;
            }
        }
        match classify(mode, frame) {
            Err(msg) => self.protocol_error(id, &msg),
            Ok(Incoming::User(bytes)) => match mode {
                Mode::Json => self.events.raw_json(code::MESSAGE, id, bytes),
                Mode::Advanced => self.events.binary(code::MESSAGE_BINARY, id, bytes.to_vec()),
            },
            Ok(Incoming::Internal(v)) => self.on_internal(id, v),
        }
    }

    fn on_internal(&mut self, id: u32, v: Value) {
        match v["cmd"].as_str().unwrap_or("") {
            "NODE_HANDLE_ACK" => {
                if let Some(w) = self.workers.get_mut(&id) {
                    w.chan.inflight.pop_front();
                }
            }
            "NODE_HANDLE_NACK" => self.on_nack(id),
            "NODE_HANDLE" => self.on_handle(id, v),
            "NODE_CLUSTER" => self.on_cluster(id, v),
            "NODE_FORKPIPE" => self.on_load_report(id, &v),
            // The rest (the socket-list queries of a worker that sent us
            // sockets, ...) is for JS, which emits it as 'internalMessage'.
            _ => self
                .events
                .raw_json(code::MESSAGE, id, v.to_string().as_bytes()),
        }
    }

    /// The worker's load reporter (lib/cluster/worker-report.js): counts
    /// of connections closed since its last report.
    fn on_load_report(&mut self, id: u32, v: &Value) {
        let Some(w) = self.workers.get(&id) else {
            return;
        };
        let c = &w.chan.counters;
        let n = |k: &str| v[k].as_u64().unwrap_or(0);
        c.closed.fetch_add(n("d"), Ordering::Relaxed);
        c.opened_direct.fetch_add(n("o"), Ordering::Relaxed);
        c.closed_direct.fetch_add(n("c"), Ordering::Relaxed);
        c.reporting.store(true, Ordering::Relaxed);
    }

    fn on_nack(&mut self, id: u32) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        match w.chan.inflight.pop_front() {
            Some(Inflight::Newconn { seq }) => self.nacked(id, seq),
            Some(Inflight::Resend { bytes, fd, tries }) => {
                if tries >= 3 {
                    self.events.strings(
                        code::WARNING,
                        id,
                        &[
                            "Handle did not reach the receiving process correctly",
                            "SentHandleNotReceivedWarning",
                        ],
                    );
                    return;
                }
                self.write_handle(id, bytes, fd, tries + 1, 0);
            }
            None => {}
        }
    }

    /// A worker sent the primary a handle (`process.send(msg, handle)`).
    fn on_handle(&mut self, id: u32, v: Value) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        let Some(fd) = w.fds.pop_front() else {
            self.protocol_error(id, "a NODE_HANDLE message arrived without a descriptor");
            return;
        };
        let ack = encode(w.chan.mode, &json!({"cmd": "NODE_HANDLE_ACK"}));
        self.write(id, ack, None, 0);
        if is_internal(&v["msg"]) {
            return;
        }
        self.events.handle(id, &v, fd.into_raw_fd());
    }

    /// Writes a frame to worker `id`; a channel that fails is closed.
    pub fn write(&mut self, id: u32, bytes: Vec<u8>, fd: Option<Rc<OwnedFd>>, cb: u32) {
        let Some(w) = self.workers.get_mut(&id) else {
            if cb != 0 {
                self.events
                    .nums(code::SEND_DONE, id, &[cb as i64, -(libc::EPIPE as i64)]);
            }
            return;
        };
        if !w.chan.open {
            if cb != 0 {
                self.events
                    .nums(code::SEND_DONE, id, &[cb as i64, -(libc::EPIPE as i64)]);
            }
            return;
        }
        let frame = OutFrame {
            bytes,
            sent: 0,
            fd,
            cb,
        };
        match w.chan.write(frame) {
            Ok(done) => self.tell_sent(id, &done, 0),
            Err(e) => {
                if cb != 0 {
                    self.events
                        .nums(code::SEND_DONE, id, &[cb as i64, sys::uv_code(&e) as i64]);
                }
                self.channel_closed(id);
            }
        }
    }

    /// Writes a frame that carries a handle and expects an ACK for it; a
    /// NACK sends it again (`tries` so far), with no callback then.
    pub fn write_handle(&mut self, id: u32, bytes: Vec<u8>, fd: Rc<OwnedFd>, tries: u8, cb: u32) {
        if let Some(w) = self.workers.get_mut(&id) {
            w.chan.inflight.push_back(Inflight::Resend {
                bytes: bytes.clone(),
                fd: fd.clone(),
                tries,
            });
        }
        self.write(id, bytes, Some(fd), cb);
    }

    fn tell_sent(&mut self, id: u32, cbs: &[u32], err: i64) {
        for &cb in cbs {
            self.events.nums(code::SEND_DONE, id, &[cb as i64, err]);
        }
    }

    /// Writes what the socket takes now (the writer task's turn).
    pub fn flush_channel(&mut self, id: u32) -> Option<bool> {
        let w = self.workers.get_mut(&id)?;
        if !w.chan.open {
            return None;
        }
        match w.chan.flush() {
            Ok(Flushed::Done(cbs)) => {
                self.tell_sent(id, &cbs, 0);
                Some(true)
            }
            Ok(Flushed::Blocked(cbs)) => {
                self.tell_sent(id, &cbs, 0);
                Some(false)
            }
            Err(_) => {
                self.channel_closed(id);
                None
            }
        }
    }

    /// A worker broke the protocol: it hears of it by losing its channel,
    /// JS hears of it as an `'error'` on the worker.
    pub fn protocol_error(&mut self, id: u32, message: &str) {
        self.events
            .strings(code::ERROR, id, &["ERR_FORKPIPE_IPC_PROTOCOL", message]);
        self.channel_closed(id);
    }

    /// The channel is gone, from either side: release what the worker held.
    pub fn channel_closed(&mut self, id: u32) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        if !w.chan.open {
            return;
        }
        let lost = w.chan.close();
        w.fds.clear();
        let awaiting: Vec<Awaiting> = w.awaiting.drain().map(|(_, a)| a).collect();
        let exited = w.exited.is_some();
        self.tell_sent(id, &lost, -(libc::EPIPE as i64));
        self.release_worker(id);
        let mut keys: Vec<Rc<str>> = Vec::new();
        for a in awaiting {
            if !keys.contains(&a.key) {
                keys.push(a.key.clone());
            }
            self.requeue(&a.key, a.conn);
        }
        for key in keys {
            self.dispatch(&key);
        }
        self.events.nums(code::DISCONNECT, id, &[]);
        if exited {
            self.finish(id);
        }
    }

    /// The process is gone. Whatever it wrote before dying is still read,
    /// so `'disconnect'` and `'exit'` come after its last message.
    pub fn exited(&mut self, id: u32, status: Status) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        w.exited = Some(status);
        if w.chan.open {
            // Bounded: a descendant that inherited the channel could keep
            // writing into it after the worker itself is gone.
            for _ in 0..EXIT_DRAIN_ROUNDS {
                if !matches!(self.read_channel(id), ReadOutcome::More) {
                    break;
                }
            }
            self.channel_closed(id);
        } else {
            self.finish(id);
        }
    }

    fn finish(&mut self, id: u32) {
        stats::unregister(id);
        if let Some(w) = self.workers.remove(&id) {
            let (c, s) = match w.exited {
                Some(Status::Code(c)) => (c as i64, 0),
                Some(Status::Signal(s)) => (-1, s as i64),
                None => (-1, 0),
            };
            self.events.nums(code::EXIT, id, &[c, s]);
        }
    }

    /// `worker.disconnect()` in the primary: tell the worker, and stop
    /// giving it connections now.
    pub fn disconnect(&mut self, id: u32) {
        let Some(w) = self.workers.get_mut(&id) else {
            return;
        };
        w.disconnecting = true;
        w.seq += 1;
        let msg = json!({"cmd": "NODE_CLUSTER", "act": "disconnect", "seq": w.seq});
        let bytes = encode(w.chan.mode, &msg);
        self.write(id, bytes, None, 0);
        self.release_worker(id);
    }

    pub fn send_user(&mut self, id: u32, bytes: Vec<u8>, fd: Option<OwnedFd>, cb: u32) {
        match fd {
            Some(fd) => self.write_handle(id, bytes, Rc::new(fd), 0, cb),
            None => self.write(id, bytes, None, cb),
        }
    }
}
