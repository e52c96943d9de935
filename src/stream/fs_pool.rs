//! Threads for blocking descriptor work: opening, reading and writing files,
//! pipes and sockets, closing, and whole kernel copies (native pipelines).
//!
//! Unlike `pool` (a fixed set of threads for CPU-bound compression), this
//! pool grows on demand: a job may block for as long as a peer stays quiet
//! (a FIFO with no writer, a socket whose client reads slowly), so no job
//! ever waits behind another. A thread that has had nothing to do for
//! `IDLE_EXIT` leaves. At most `MAX_THREADS` run; beyond that, jobs queue.
//!
//! ```text
//! fs_pool::run(job: impl FnOnce() + Send + 'static) -> bool   // false: no thread could start
//! ```

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// How long an idle thread waits for work before it exits.
const IDLE_EXIT: Duration = Duration::from_secs(20);
/// A cap on threads, however many streams block at once.
const MAX_THREADS: usize = 512;
/// The jobs need little stack: buffers live on the heap.
const STACK: usize = 256 * 1024;

struct State {
    jobs: VecDeque<Job>,
    /// Threads waiting for a job (woken or not).
    idle: usize,
    threads: usize,
}

struct Pool {
    state: Mutex<State>,
    ready: Condvar,
}

static POOL: Pool = Pool {
    state: Mutex::new(State {
        jobs: VecDeque::new(),
        idle: 0,
        threads: 0,
    }),
    ready: Condvar::new(),
};

/// Runs `job` on a pool thread. A panicking job is contained; the job
/// reports its own outcome. Returns false only when no thread exists and
/// none could be started (the job is then dropped unrun).
pub fn run(job: impl FnOnce() + Send + 'static) -> bool {
    let mut st = POOL.state.lock().unwrap_or_else(PoisonError::into_inner);
    st.jobs.push_back(Box::new(job));
    // Every queued job needs a waiting thread of its own; a woken thread
    // takes its job off the queue before it stops counting as idle.
    if st.jobs.len() > st.idle && st.threads < MAX_THREADS {
        let started = std::thread::Builder::new()
            .name("forkpipe-fs".into())
            .stack_size(STACK)
            .spawn(work)
            .is_ok();
        if started {
            st.threads += 1;
        } else if st.threads == 0 {
            st.jobs.pop_back();
            return false;
        }
    }
    drop(st);
    POOL.ready.notify_one();
    true
}

fn work() {
    let mut st = POOL.state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(job) = st.jobs.pop_front() {
            drop(st);
            let _ = catch_unwind(AssertUnwindSafe(job));
            st = POOL.state.lock().unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        st.idle += 1;
        let (next, timeout) = POOL
            .ready
            .wait_timeout(st, IDLE_EXIT)
            .unwrap_or_else(PoisonError::into_inner);
        st = next;
        st.idle -= 1;
        if timeout.timed_out() && st.jobs.is_empty() {
            st.threads -= 1;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{mpsc, Arc};

    #[test]
    fn blocked_jobs_never_hold_up_others() {
        // Ten jobs that block until released, then one that must run anyway.
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let release_rx = Arc::new(Mutex::new(release_rx));
        let blocked = Arc::new(AtomicUsize::new(0));
        for _ in 0..10 {
            let rx = release_rx.clone();
            let blocked = blocked.clone();
            assert!(run(move || {
                blocked.fetch_add(1, Ordering::SeqCst);
                let _ = rx.lock().unwrap().recv();
            }));
        }
        let (tx, rx) = mpsc::channel();
        assert!(run(move || tx.send(()).unwrap()));
        rx.recv_timeout(Duration::from_secs(5))
            .expect("a free job ran while ten others blocked");
        drop(release_tx);
        // A panic is contained and the pool still works.
        assert!(run(|| panic!("contained")));
        let (tx, rx) = mpsc::channel();
        assert!(run(move || tx.send(7).unwrap()));
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)).unwrap(), 7);
    }
}
