//! Counters the primary keeps per worker and per cluster, written by the
//! runtime thread and read by JS (`cluster.stats()`, `send()`'s return
//! value) without a round trip: plain atomics.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct WorkerCounters {
    /// Bytes queued on the channel and not yet written.
    pub queued: AtomicUsize,
    /// Connections handed over with `newconn`.
    pub dispatched: AtomicU64,
    /// ... of which the worker took.
    pub accepted: AtomicU64,
    /// ... of which the worker refused (`accepted: false`).
    pub refused: AtomicU64,
    /// ... that did not reach it (NODE_HANDLE_NACK).
    pub nacked: AtomicU64,
    /// Taken connections the worker reports closed.
    pub closed: AtomicU64,
    /// Connections the worker accepted from a socket of its own (`none`,
    /// `reuseport`), and how many of those it closed.
    pub opened_direct: AtomicU64,
    pub closed_direct: AtomicU64,
    /// Whether the worker reports closes at all (its load reporter runs).
    pub reporting: AtomicBool,
}

impl WorkerCounters {
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Connections open in the worker as far as the primary knows.
    pub fn open(&self) -> u64 {
        let taken = self.accepted.load(Ordering::Relaxed);
        let closed = self.closed.load(Ordering::Relaxed);
        let direct = self
            .opened_direct
            .load(Ordering::Relaxed)
            .saturating_sub(self.closed_direct.load(Ordering::Relaxed));
        taken.saturating_sub(closed) + direct
    }
}

static WORKERS: Mutex<Option<HashMap<u32, Arc<WorkerCounters>>>> = Mutex::new(None);

/// Connections the primary accepted and no worker has taken yet, and the
/// most there ever were at once.
pub static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);
pub static PEAK_IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

pub fn in_flight_add(n: usize) {
    let now = IN_FLIGHT.fetch_add(n, Ordering::Relaxed) + n;
    PEAK_IN_FLIGHT.fetch_max(now, Ordering::Relaxed);
}

pub fn in_flight_sub(n: usize) {
    // Never below zero, whatever order the updates come in.
    let _ = IN_FLIGHT.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
        Some(v.saturating_sub(n))
    });
}

pub fn register(id: u32) -> Arc<WorkerCounters> {
    let counters = Arc::new(WorkerCounters::default());
    if let Ok(mut map) = WORKERS.lock() {
        map.get_or_insert_with(HashMap::new)
            .insert(id, counters.clone());
    }
    counters
}

pub fn unregister(id: u32) {
    if let Ok(mut map) = WORKERS.lock() {
        if let Some(m) = map.as_mut() {
            m.remove(&id);
        }
    }
}

pub fn get(id: u32) -> Option<Arc<WorkerCounters>> {
    WORKERS
        .lock()
        .ok()
        .and_then(|m| m.as_ref().and_then(|m| m.get(&id).cloned()))
}

pub fn all() -> Vec<(u32, Arc<WorkerCounters>)> {
    match WORKERS.lock() {
        Ok(m) => m
            .as_ref()
            .map(|m| m.iter().map(|(k, v)| (*k, v.clone())).collect())
            .unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}
