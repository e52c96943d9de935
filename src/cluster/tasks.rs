//! The runtime's tasks: per worker a reader and a writer for its channel,
//! per round-robin server an acceptor. Each borrows the primary's state
//! only between awaits and flushes the events it produced before yielding.

use std::cell::RefCell;
use std::os::fd::{AsFd, OwnedFd};
use std::rc::{Rc, Weak};
use std::time::Duration;

use nix::errno::Errno;
use tokio::io::unix::AsyncFd;
use tokio::sync::Notify;

use super::primary::{Policy, Primary, ReadOutcome};
use super::scheduler::{Acceptor, Conn};
use super::sys;

/// Connections accepted per wake-up before other work gets a turn.
const ACCEPTS_PER_WAKE: usize = 64;

fn channel_open(p: &Rc<RefCell<Primary>>, id: u32) -> bool {
    p.borrow().workers.get(&id).is_some_and(|w| w.chan.open)
}

pub fn spawn_channel(
    me: Weak<RefCell<Primary>>,
    id: u32,
    fd: Rc<AsyncFd<OwnedFd>>,
    stop: Rc<Notify>,
    wake: Rc<Notify>,
) {
    let (me2, fd2, stop2) = (me.clone(), fd.clone(), stop.clone());
    tokio::task::spawn_local(async move {
        let Some(p) = me.upgrade() else { return };
        loop {
            if !channel_open(&p, id) {
                break;
            }
            let ready = tokio::select! {
                r = fd.readable() => r,
                _ = stop.notified() => break,
            };
            let Ok(mut guard) = ready else {
                let mut pm = p.borrow_mut();
                pm.channel_closed(id);
                pm.events.flush();
                break;
            };
            let outcome = {
                let mut pm = p.borrow_mut();
                let outcome = pm.read_channel(id);
                pm.events.flush();
                outcome
            };
            if let ReadOutcome::WouldBlock = outcome {
                guard.clear_ready();
            }
            if let ReadOutcome::More = outcome {
                tokio::task::yield_now().await;
            }
        }
    });
    tokio::task::spawn_local(async move {
        let Some(p) = me2.upgrade() else { return };
        let (fd, stop) = (fd2, stop2);
        loop {
            if !channel_open(&p, id) {
                break;
            }
            tokio::select! {
                _ = wake.notified() => {}
                _ = stop.notified() => break,
            }
            loop {
                if !channel_open(&p, id) {
                    return;
                }
                let ready = tokio::select! {
                    r = fd.writable() => r,
                    _ = stop.notified() => return,
                };
                let Ok(mut guard) = ready else { return };
                let done = {
                    let mut pm = p.borrow_mut();
                    let done = pm.flush_channel(id);
                    pm.events.flush();
                    done
                };
                match done {
                    Some(true) => break,
                    Some(false) => guard.clear_ready(),
                    None => return,
                }
            }
        }
    });
}

/// How many more connections the server may take now, and whether they
/// need the client's address; `None` once the server is gone.
fn room(p: &Rc<RefCell<Primary>>, key: &Rc<str>, gen: u64) -> Option<(usize, bool)> {
    let pm = p.borrow();
    let server = pm.servers.get(key).filter(|s| s.gen == gen)?;
    let held = server.kind.dispatch_ref().map_or(0, |d| d.held());
    Some((
        pm.limits.total.saturating_sub(held),
        pm.policy == Policy::IpHash,
    ))
}

pub fn spawn_accept(me: Weak<RefCell<Primary>>, key: Rc<str>, gen: u64, parts: Acceptor) {
    let Acceptor {
        listener: fd,
        stop,
        resume,
        paused,
    } = parts;
    tokio::task::spawn_local(async move {
        let Some(p) = me.upgrade() else { return };
        while let Some((room, want_peer)) = room(&p, &key, gen) {
            if room == 0 {
                paused.set(true);
                // At the limit: leave the rest in the kernel's backlog until
                // workers take some of what the primary holds.
                tokio::select! {
                    _ = resume.notified() => continue,
                    _ = stop.notified() => break,
                }
            }
            let ready = tokio::select! {
                r = fd.readable() => r,
                _ = stop.notified() => break,
            };
            let Ok(mut guard) = ready else { break };
            let mut conns = Vec::with_capacity(ACCEPTS_PER_WAKE.min(room).min(8));
            let mut backoff = false;
            let mut drained = false;
            while conns.len() < ACCEPTS_PER_WAKE.min(room) {
                match sys::accept(fd.get_ref().as_fd()) {
                    Ok(c) => {
                        let peer = if want_peer {
                            sys::peer_ip(c.as_fd())
                        } else {
                            None
                        };
                        conns.push(Conn::new(c, peer));
                    }
                    Err(Errno::EAGAIN) => {
                        guard.clear_ready();
                        drained = true;
                        break;
                    }
                    Err(Errno::EINTR) | Err(Errno::ECONNABORTED) => {}
                    // Out of descriptors or memory: wait for some to free up
                    // rather than spin; the kernel backlog holds the rest.
                    Err(_) => {
                        backoff = true;
                        break;
                    }
                }
            }
            {
                let mut pm = p.borrow_mut();
                if !conns.is_empty() {
                    pm.accepted(&key, conns);
                }
                pm.events.flush();
            }
            if backoff {
                tokio::time::sleep(Duration::from_millis(20)).await;
            } else if !drained {
                // More may be waiting: let the other tasks have a turn first.
                tokio::task::yield_now().await;
            }
        }
    });
}
