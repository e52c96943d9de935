//! The functions JS calls. Each is a single crossing that queues a command
//! for the runtime or answers from state the JS thread may read directly.

use std::sync::atomic::Ordering;

use napi::bindgen_prelude::{Buffer, Either, FnArgs, Function};
use napi::{Error, Result, Status};
use napi_derive::napi;

use super::events::SINK;
use super::framing::Mode;
use super::primary::Policy;
use super::runtime::{command, Command};
use super::scheduler::Limits;
use super::spawn::{self, Stdio};
use super::stats;
use super::sys;

/// Node's threshold: past two reads' worth of queued bytes, `send()` says
/// stop.
const SEND_HIGH_WATER: usize = 65536 * 2;

/// Registers the function that receives every event batch.
#[napi(js_name = "clusterStart", catch_unwind)]
pub fn cluster_start(callback: Function<FnArgs<(String, Vec<Buffer>)>, ()>) -> Result<()> {
    let tsfn = callback
        .build_threadsafe_function::<super::events::Batch>()
        .weak::<true>()
        .build_callback(|ctx| {
            let buffers = ctx.value.buffers.into_iter().map(Buffer::from).collect();
            Ok(FnArgs::from((ctx.value.json, buffers)))
        })?;
    let mut sink = SINK
        .lock()
        .map_err(|_| Error::new(Status::GenericFailure, "event sink poisoned"))?;
    *sink = Some(tsfn);
    Ok(())
}

#[napi(object)]
pub struct SpawnOptions {
    pub id: u32,
    pub file: String,
    pub args: Vec<String>,
    /// `NAME=value` entries, the whole environment.
    pub env: Vec<String>,
    pub cwd: Option<String>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    /// Per stdio index: -1 ignore, -2 pipe, -3 ipc, -4 inherit, or an fd.
    pub stdio: Vec<i32>,
    pub serialization: String,
}

#[napi(object)]
pub struct Spawned {
    pub pid: u32,
    /// The primary's end of each `pipe` entry, -1 elsewhere.
    pub pipes: Vec<i32>,
}

#[napi(js_name = "clusterSpawn", catch_unwind)]
pub fn cluster_spawn(opts: SpawnOptions) -> Result<Spawned> {
    let mode = Mode::from_name(&opts.serialization).ok_or_else(|| {
        Error::new(
            Status::InvalidArg,
            format!("unknown serialization {:?}", opts.serialization),
        )
    })?;
    let stdio = opts
        .stdio
        .iter()
        .map(|&c| match c {
            -1 => Stdio::Ignore,
            -2 => Stdio::Pipe,
            -3 => Stdio::Ipc,
            -4 => Stdio::Inherit,
            fd => Stdio::Fd(fd),
        })
        .collect();
    let env = opts
        .env
        .iter()
        .map(|kv| match kv.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => (kv.clone(), String::new()),
        })
        .collect();
    let req = spawn::Request {
        file: opts.file,
        args: opts.args,
        env,
        cwd: opts.cwd,
        uid: opts.uid,
        gid: opts.gid,
        stdio,
    };
    let child = spawn::spawn(&req).map_err(|e| errno_error(&e, "spawn"))?;
    let id = opts.id;
    let counters = stats::register(id);
    command(Command::Add {
        id,
        channel: child.channel,
        mode,
        counters,
    });
    spawn::watch(id, child.pid, move |status| {
        command(Command::Exited { id, status });
    })
    .map_err(|e| errno_error(&e, "spawn"))?;
    use std::os::fd::IntoRawFd;
    let pipes = child
        .pipes
        .into_iter()
        .map(|p| p.map(|fd| fd.into_raw_fd()).unwrap_or(-1))
        .collect();
    Ok(Spawned {
        pid: child.pid,
        pipes,
    })
}

/// Queues a frame (already encoded by JS) for worker `id`, with a copy of
/// `handle_fd` attached if given. Returns Node's `send()` result.
#[napi(js_name = "clusterSend", catch_unwind)]
pub fn cluster_send(
    id: u32,
    data: Either<String, Buffer>,
    handle_fd: Option<i32>,
    callback_id: u32,
) -> Result<bool> {
    let bytes = match data {
        Either::A(s) => s.into_bytes(),
        Either::B(b) => b.to_vec(),
    };
    let fd = match handle_fd {
        Some(raw) => Some(sys::dup_cloexec(raw).map_err(|e| errno_error(&e, "write"))?),
        None => None,
    };
    command(Command::Send {
        id,
        bytes,
        fd,
        cb: callback_id,
    });
    let queued = stats::get(id).map_or(0, |c| c.queued.load(Ordering::Relaxed));
    Ok(queued < SEND_HIGH_WATER)
}

/// The primary's `worker.disconnect()`.
#[napi(js_name = "clusterDisconnect", catch_unwind)]
pub fn cluster_disconnect(id: u32) {
    command(Command::Disconnect { id });
}

/// `worker.process.disconnect()`: closes the channel from this side.
#[napi(js_name = "clusterCloseChannel", catch_unwind)]
pub fn cluster_close_channel(id: u32) {
    command(Command::CloseChannel { id });
}

/// Signals worker `id`; returns 0 or the errno (ESRCH once it is gone).
#[napi(js_name = "clusterKill", catch_unwind)]
pub fn cluster_kill(id: u32, signal: i32) -> i32 {
    spawn::signal(id, signal)
}

/// Sets the policy (fixed by the first fork), the message size limit and
/// the in-flight limits (`per_worker`, `total`; 0 means no limit).
#[napi(js_name = "clusterConfigure", catch_unwind)]
pub fn cluster_configure(policy: u32, max_message: f64, per_worker: f64, total: f64) -> Result<()> {
    let policy = Policy::from_number(policy)
        .ok_or_else(|| Error::new(Status::InvalidArg, "unknown scheduling policy"))?;
    let limit = |n: f64| {
        if n >= 1.0 {
            n.min(usize::MAX as f64) as usize
        } else {
            usize::MAX
        }
    };
    command(Command::Configure {
        policy,
        max_message: limit(max_message),
        limits: Limits {
            per_worker: limit(per_worker),
            total: limit(total),
        },
    });
    Ok(())
}

#[napi(object)]
pub struct WorkerStats {
    pub id: u32,
    pub dispatched: f64,
    pub accepted: f64,
    pub refused: f64,
    pub nacked: f64,
    /// Open connections, when the worker reports closes; -1 otherwise.
    pub open: f64,
}

#[napi(object)]
pub struct ClusterStats {
    pub workers: Vec<WorkerStats>,
    pub in_flight: f64,
    pub peak_in_flight: f64,
}

/// Counters for `cluster.stats()`, read without a round trip.
#[napi(js_name = "clusterStats", catch_unwind)]
pub fn cluster_stats() -> ClusterStats {
    let n = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed) as f64;
    let mut workers: Vec<WorkerStats> = stats::all()
        .into_iter()
        .map(|(id, c)| WorkerStats {
            id,
            dispatched: n(&c.dispatched),
            accepted: n(&c.accepted),
            refused: n(&c.refused),
            nacked: n(&c.nacked),
            open: if c.reporting.load(Ordering::Relaxed) {
                c.open() as f64
            } else {
                -1.0
            },
        })
        .collect();
    workers.sort_by_key(|w| w.id);
    ClusterStats {
        workers,
        in_flight: stats::IN_FLIGHT.load(Ordering::Relaxed) as f64,
        peak_in_flight: stats::PEAK_IN_FLIGHT.load(Ordering::Relaxed) as f64,
    }
}

/// An Error JS turns into Node's errno exception (`code`, `errno`, `syscall`).
fn errno_error(e: &std::io::Error, syscall: &str) -> Error {
    let errno = e.raw_os_error().unwrap_or(libc::EINVAL);
    Error::new(Status::GenericFailure, format!("{syscall}:{}", -errno))
}
