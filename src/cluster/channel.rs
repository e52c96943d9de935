//! One worker's IPC channel as the primary sees it: the socket, the frames
//! waiting to be written, and the handles waiting for the worker's ACK.

use std::collections::VecDeque;
use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::rc::Rc;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use tokio::io::unix::AsyncFd;
use tokio::sync::Notify;

use super::framing::{Decoder, Mode};
use super::stats::WorkerCounters;
use super::sys;

/// A frame to write, with the descriptor that travels with its first byte.
pub struct OutFrame {
    pub bytes: Vec<u8>,
    pub sent: usize,
    pub fd: Option<Rc<OwnedFd>>,
    /// JS callback to tell once the frame is written (0: none).
    pub cb: u32,
}

/// A handle the worker has not acknowledged yet. ACK and NACK carry no id:
/// they answer these in order.
pub enum Inflight {
    /// A connection handed over round-robin: the scheduler keeps it until
    /// the worker's `accepted` reply.
    Newconn { seq: u64 },
    /// Anything else: resent on NACK, Node's way, a few times.
    Resend {
        bytes: Vec<u8>,
        fd: Rc<OwnedFd>,
        tries: u8,
    },
}

/// What a flush achieved.
pub enum Flushed {
    /// Everything queued is written; these callbacks can be told.
    Done(Vec<u32>),
    /// The socket is full; these callbacks can be told so far.
    Blocked(Vec<u32>),
}

pub struct Channel {
    pub fd: Rc<AsyncFd<OwnedFd>>,
    pub mode: Mode,
    pub decoder: Decoder,
    pub out: VecDeque<OutFrame>,
    pub inflight: VecDeque<Inflight>,
    /// Shared with JS: queued bytes (for `send()`'s return value) and the
    /// worker's connection counters.
    pub counters: Arc<WorkerCounters>,
    pub wake_writer: Rc<Notify>,
    /// Wakes the reader and writer tasks so they see `open == false`.
    pub stop: Rc<Notify>,
    pub open: bool,
}

impl Channel {
    pub fn new(
        fd: OwnedFd,
        mode: Mode,
        max: usize,
        counters: Arc<WorkerCounters>,
    ) -> io::Result<Self> {
        Ok(Channel {
            fd: Rc::new(sys::watch(fd)?),
            mode,
            decoder: Decoder::new(mode, max),
            out: VecDeque::new(),
            inflight: VecDeque::new(),
            counters,
            wake_writer: Rc::new(Notify::new()),
            stop: Rc::new(Notify::new()),
            open: true,
        })
    }

    /// Queues a frame and writes as much as the socket takes right away.
    /// Returns callbacks already satisfied.
    pub fn write(&mut self, frame: OutFrame) -> io::Result<Vec<u32>> {
        self.counters
            .queued
            .fetch_add(frame.bytes.len(), Ordering::Relaxed);
        let was_idle = self.out.is_empty();
        self.out.push_back(frame);
        if !was_idle {
            return Ok(Vec::new());
        }
        match self.flush()? {
            Flushed::Done(cbs) => Ok(cbs),
            Flushed::Blocked(cbs) => {
                self.wake_writer.notify_one();
                Ok(cbs)
            }
        }
    }

    pub fn flush(&mut self) -> io::Result<Flushed> {
        let mut done = Vec::new();
        while let Some(front) = self.out.front_mut() {
            let attach = if front.sent == 0 {
                front.fd.as_ref().map(|f| f.as_raw_fd())
            } else {
                None
            };
            match sys::send(
                self.fd.get_ref().as_fd(),
                &front.bytes[front.sent..],
                attach,
            ) {
                Ok(n) => {
                    front.sent += n;
                    self.counters.queued.fetch_sub(n, Ordering::Relaxed);
                    if front.sent == front.bytes.len() {
                        if front.cb != 0 {
                            done.push(front.cb);
                        }
                        self.out.pop_front();
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Ok(Flushed::Blocked(done))
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(Flushed::Done(done))
    }

    /// Stops both tasks and tells the worker the channel is gone. A plain
    /// close would not be enough if the descriptor had been duplicated.
    /// Returns the callbacks of frames that will never be written.
    pub fn close(&mut self) -> Vec<u32> {
        if !self.open {
            return Vec::new();
        }
        self.open = false;
        // What the socket takes now is delivered; a worker that stopped
        // reading cannot hold the close up.
        let _ = self.flush();
        let _ = nix::sys::socket::shutdown(
            self.fd.get_ref().as_raw_fd(),
            nix::sys::socket::Shutdown::Both,
        );
        self.stop.notify_waiters();
        self.counters.queued.store(0, Ordering::Relaxed);
        self.out
            .drain(..)
            .map(|f| f.cb)
            .filter(|&c| c != 0)
            .collect()
    }
}
