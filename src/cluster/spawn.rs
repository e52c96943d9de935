//! Starting a worker: `execPath ...execArgv exec ...args`, with one end of a
//! Unix socketpair as its IPC channel on the fd Node reads from
//! `NODE_CHANNEL_FD`, and its other stdio as asked. Reaping happens on a
//! small thread per worker that tells the runtime when the process is gone.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio as StdStdio};
use std::sync::{Arc, Mutex};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::sys::socket::{socketpair, AddressFamily, SockFlag, SockType};
use nix::sys::wait::{waitid, waitpid, Id, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

use super::sys;

#[derive(Clone, Copy, Debug)]
pub enum Stdio {
    Ignore,
    Pipe,
    Inherit,
    Ipc,
    Fd(RawFd),
}

pub struct Request {
    pub file: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub cwd: Option<String>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub stdio: Vec<Stdio>,
}

pub struct Spawned {
    pub pid: u32,
    pub channel: OwnedFd,
    /// The primary's end of every `pipe` entry, by stdio index.
    pub pipes: Vec<Option<OwnedFd>>,
}

fn pair() -> io::Result<(OwnedFd, OwnedFd)> {
    socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .map_err(io::Error::from)
}

pub fn spawn(req: &Request) -> io::Result<Spawned> {
    let (channel, child_channel) = pair()?;
    let mut cmd = Command::new(&req.file);
    cmd.args(&req.args)
        .env_clear()
        .envs(req.env.iter().cloned());
    if let Some(cwd) = &req.cwd {
        cmd.current_dir(cwd);
    }
    if let Some(uid) = req.uid {
        cmd.uid(uid);
    }
    if let Some(gid) = req.gid {
        cmd.gid(gid);
    }

    let mut pipes = Vec::new();
    // Descriptors the child gets above 2: (our descriptor, its number there).
    let mut high: Vec<(RawFd, RawFd)> = Vec::new();
    // Keeps the child's ends open until the child has its copies.
    let mut keep: Vec<OwnedFd> = Vec::new();
    for (i, spec) in req.stdio.iter().enumerate() {
        let target = i as RawFd;
        let given: Option<OwnedFd> = match *spec {
            Stdio::Ignore => {
                if i < 3 {
                    set_std(&mut cmd, i, StdStdio::null());
                }
                None
            }
            Stdio::Inherit => {
                if i < 3 {
                    set_std(&mut cmd, i, StdStdio::inherit());
                    None
                } else {
                    sys::dup_cloexec(target).ok()
                }
            }
            Stdio::Fd(n) if n == target && i < 3 => {
                set_std(&mut cmd, i, StdStdio::inherit());
                None
            }
            Stdio::Fd(n) => Some(sys::dup_cloexec(n)?),
            Stdio::Pipe => {
                let (ours, theirs) = pair()?;
                pipes.resize_with(i + 1, || None);
                pipes[i] = Some(ours);
                Some(theirs)
            }
            Stdio::Ipc => Some(child_channel.try_clone()?),
        };
        if let Some(fd) = given {
            if i < 3 {
                set_std(&mut cmd, i, StdStdio::from(fd));
            } else {
                high.push((fd.as_raw_fd(), target));
                keep.push(fd);
            }
        }
    }
    pipes.resize_with(req.stdio.len(), || None);

    let top = high.iter().map(|&(_, t)| t).max().unwrap_or(2) + 1;
    // SAFETY: the closure runs in the forked child before exec and only
    // makes async-signal-safe calls (fcntl, dup2, signal) on descriptor
    // numbers and a Vec allocated before the fork; it never allocates.
    unsafe {
        cmd.pre_exec(move || {
            // First lift every source above all targets so that placing one
            // cannot overwrite another that is still to be placed.
            for entry in high.iter_mut() {
                let lifted = libc::fcntl(entry.0, libc::F_DUPFD_CLOEXEC, top);
                if lifted < 0 {
                    return Err(io::Error::last_os_error());
                }
                entry.0 = lifted;
            }
            // Node marks its own stdio close-on-exec; what the child is to
            // inherit must lose the flag (dup2'ed ones already have).
            for std_fd in 0..3 {
                libc::fcntl(std_fd, libc::F_SETFD, 0);
            }
            for &(src, target) in high.iter() {
                // dup2 leaves the new descriptor without close-on-exec.
                if libc::dup2(src, target) < 0 {
                    return Err(io::Error::last_os_error());
                }
            }
            // The primary's ignored signals would survive exec; Node expects
            // the defaults, as libuv's spawn gives them.
            for sig in 1..32 {
                if sig != libc::SIGKILL && sig != libc::SIGSTOP {
                    libc::signal(sig, libc::SIG_DFL);
                }
            }
            Ok(())
        });
    }
    let child = cmd.spawn()?;
    drop(keep);
    drop(child_channel);
    let pid = child.id();
    // The Child handle is not waited on: the reaper below owns reaping.
    drop(child);
    Ok(Spawned {
        pid,
        channel,
        pipes,
    })
}

fn set_std(cmd: &mut Command, i: usize, s: StdStdio) {
    match i {
        0 => cmd.stdin(s),
        1 => cmd.stdout(s),
        _ => cmd.stderr(s),
    };
}

/// A worker process as far as signals and reaping are concerned. The lock
/// makes `kill` and reaping exclusive, so a signal can never reach a
/// recycled pid.
pub struct Proc {
    pid: i32,
    reaped: Mutex<bool>,
}

static PROCS: Mutex<Option<HashMap<u32, Arc<Proc>>>> = Mutex::new(None);

/// How a process ended: an exit code, or the signal that killed it.
pub enum Status {
    Code(i32),
    Signal(i32),
}

/// Watches `pid` on its own thread and calls `done` once it has been reaped.
pub fn watch(id: u32, pid: u32, done: impl FnOnce(Status) + Send + 'static) -> io::Result<()> {
    let proc = Arc::new(Proc {
        pid: pid as i32,
        reaped: Mutex::new(false),
    });
    if let Ok(mut map) = PROCS.lock() {
        map.get_or_insert_with(HashMap::new)
            .insert(id, proc.clone());
    }
    std::thread::Builder::new()
        .name(format!("forkpipe-reap-{id}"))
        .stack_size(64 * 1024)
        .spawn(move || {
            let target = Pid::from_raw(proc.pid);
            // Wait without reaping, so that `kill` (which holds the lock)
            // cannot race with the pid being freed.
            while let Err(Errno::EINTR) =
                waitid(Id::Pid(target), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT)
            {}
            let status = {
                let mut reaped = match proc.reaped.lock() {
                    Ok(g) => g,
                    Err(p) => p.into_inner(),
                };
                let st = loop {
                    match waitpid(target, None) {
                        Err(Errno::EINTR) => continue,
                        other => break other,
                    }
                };
                *reaped = true;
                st
            };
            if let Ok(mut map) = PROCS.lock() {
                if let Some(m) = map.as_mut() {
                    m.remove(&id);
                }
            }
            done(match status {
                Ok(WaitStatus::Exited(_, code)) => Status::Code(code),
                Ok(WaitStatus::Signaled(_, sig, _)) => Status::Signal(sig as i32),
                _ => Status::Code(-1),
            });
        })?;
    Ok(())
}

/// Sends `signal` (0 probes) to worker `id`. Returns 0 or an errno value;
/// ESRCH once the worker has been reaped.
pub fn signal(id: u32, signal: i32) -> i32 {
    let proc = match PROCS.lock() {
        Ok(map) => map.as_ref().and_then(|m| m.get(&id).cloned()),
        Err(_) => None,
    };
    let Some(proc) = proc else {
        return libc::ESRCH;
    };
    let reaped = match proc.reaped.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    };
    if *reaped {
        return libc::ESRCH;
    }
    let sig = if signal == 0 {
        None
    } else {
        match Signal::try_from(signal) {
            Ok(s) => Some(s),
            Err(_) => return libc::EINVAL,
        }
    };
    match kill(Pid::from_raw(proc.pid), sig) {
        Ok(()) => 0,
        Err(e) => e as i32,
    }
}
