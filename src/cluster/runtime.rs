//! The small runtime the addon owns: one thread, one current-thread tokio
//! runtime, and the primary's state on it. JS reaches it only through
//! commands; it answers through batched events.

use std::os::fd::OwnedFd;
use std::sync::{Arc, OnceLock};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::events::{code, Events};
use super::framing::Mode;
use super::primary::{Policy, Primary};
use super::scheduler::Limits;
use super::spawn::Status;
use super::stats::WorkerCounters;

pub enum Command {
    Add {
        id: u32,
        channel: OwnedFd,
        mode: Mode,
        counters: Arc<WorkerCounters>,
    },
    Send {
        id: u32,
        bytes: Vec<u8>,
        fd: Option<OwnedFd>,
        cb: u32,
    },
    Disconnect {
        id: u32,
    },
    CloseChannel {
        id: u32,
    },
    Exited {
        id: u32,
        status: Status,
    },
    Configure {
        policy: Policy,
        max_message: usize,
        limits: Limits,
    },
}

static TX: OnceLock<Option<UnboundedSender<Command>>> = OnceLock::new();

/// Queues a command for the runtime, starting it on first use.
pub fn command(cmd: Command) -> bool {
    match TX.get_or_init(start) {
        Some(tx) => tx.send(cmd).is_ok(),
        None => false,
    }
}

fn start() -> Option<UnboundedSender<Command>> {
    let (tx, rx) = unbounded_channel();
    std::thread::Builder::new()
        .name("forkpipe-cluster".into())
        .spawn(move || run(rx))
        .ok()?;
    Some(tx)
}

fn run(rx: UnboundedReceiver<Command>) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| serve(rx)));
    if result.is_err() {
        // Nothing on this thread can be trusted any more; JS must hear of
        // it rather than wait for events that will never come.
        let mut events = Events::default();
        events.strings(
            code::ERROR,
            0,
            &[
                "ERR_FORKPIPE_RUNTIME",
                "the forkpipe cluster runtime stopped after a panic",
            ],
        );
        events.flush();
    }
}

/// Under load, every accepted connection and every reply from a worker
/// wakes the thread on its own, and the wake-ups cost more than the work.
/// When the thread is about to sleep again soon after it last did, it
/// first waits a moment so that what arrives meanwhile is taken in one
/// wake-up. Idle or lightly loaded, it sleeps at once: no delay is added.
/// FORKPIPE_GATHER_US sets the wait (0 turns this off).
fn coalesce() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};
    static START: OnceLock<Instant> = OnceLock::new();
    static GATHER_US: OnceLock<u64> = OnceLock::new();
    static LAST_PARK_US: AtomicU64 = AtomicU64::new(0);
    let gather = *GATHER_US.get_or_init(|| {
        std::env::var("FORKPIPE_GATHER_US")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_GATHER_US)
            .min(10_000)
    });
    if gather == 0 {
        return;
    }
    let now = START.get_or_init(Instant::now).elapsed().as_micros() as u64;
    let last = LAST_PARK_US.swap(now, Ordering::Relaxed);
    if now.saturating_sub(last) < BUSY_WITHIN_US {
        std::thread::sleep(Duration::from_micros(gather));
    }
}

/// Measured on 2 cores with raw TCP round-robin: 100 us gave about 15 us
/// of primary CPU per connection, 300 us about 10, longer no better.
const DEFAULT_GATHER_US: u64 = 300;
/// Sleeping again this soon means more than ~5,000 wake-ups a second:
/// only then does gathering pay; below it no delay is added.
const BUSY_WITHIN_US: u64 = 200;

fn serve(mut rx: UnboundedReceiver<Command>) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .on_thread_park(coalesce)
        .build()
    else {
        return;
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let primary = Primary::new();
        while let Some(cmd) = rx.recv().await {
            let mut p = primary.borrow_mut();
            p.command(cmd);
            p.events.flush();
        }
    });
}

impl Primary {
    fn command(&mut self, cmd: Command) {
        match cmd {
            Command::Add {
                id,
                channel,
                mode,
                counters,
            } => self.add_worker(id, channel, mode, counters),
            Command::Send { id, bytes, fd, cb } => self.send_user(id, bytes, fd, cb),
            Command::Disconnect { id } => self.disconnect(id),
            Command::CloseChannel { id } => self.channel_closed(id),
            Command::Exited { id, status } => self.exited(id, status),
            Command::Configure {
                policy,
                max_message,
                limits,
            } => {
                self.policy = policy;
                self.max_message = max_message;
                self.limits = limits;
                // Acceptors paused at the old limit look again.
                for server in self.servers.values_mut() {
                    if let Some(d) = server.kind.dispatch_mut() {
                        d.wake_acceptor();
                    }
                }
            }
        }
    }
}
