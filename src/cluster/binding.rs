//! The functions JS calls. Each is a single crossing that queues a command
//! for the runtime or answers from state the JS thread may read directly.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Buffer, Either, FnArgs, Function};
use napi::{Error, Result, Status};
use napi_derive::napi;

use super::events::SINK;
use super::framing::Mode;
use super::primary::Policy;
use super::runtime::{command, Command};
use super::spawn::{self, Stdio};
use super::sys;

/// Bytes queued on each worker's channel, for `send()`'s return value.
static QUEUED: Mutex<Option<HashMap<u32, Arc<AtomicUsize>>>> = Mutex::new(None);

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
    let queued = Arc::new(AtomicUsize::new(0));
    if let Ok(mut q) = QUEUED.lock() {
        q.get_or_insert_with(HashMap::new)
            .insert(id, queued.clone());
    }
    command(Command::Add {
        id,
        channel: child.channel,
        mode,
        queued,
    });
    spawn::watch(id, child.pid, move |status| {
        if let Ok(mut q) = QUEUED.lock() {
            if let Some(m) = q.as_mut() {
                m.remove(&id);
            }
        }
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
    let queued = QUEUED
        .lock()
        .ok()
        .and_then(|q| q.as_ref().and_then(|m| m.get(&id).cloned()))
        .map(|q| q.load(Ordering::Relaxed))
        .unwrap_or(0);
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

#[napi(js_name = "clusterConfigure", catch_unwind)]
pub fn cluster_configure(policy: u32, max_message: f64, max_inflight: u32) -> Result<()> {
    let policy = match policy {
        1 => Policy::None,
        2 => Policy::RoundRobin,
        _ => return Err(Error::new(Status::InvalidArg, "unknown scheduling policy")),
    };
    command(Command::Configure {
        policy,
        max_message: max_message.clamp(1.0, usize::MAX as f64) as usize,
        max_inflight: max_inflight.max(1) as usize,
    });
    Ok(())
}

/// An Error JS turns into Node's errno exception (`code`, `errno`, `syscall`).
fn errno_error(e: &std::io::Error, syscall: &str) -> Error {
    let errno = e.raw_os_error().unwrap_or(libc::EINVAL);
    Error::new(Status::GenericFailure, format!("{syscall}:{}", -errno))
}
