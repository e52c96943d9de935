//! A small fixed pool of threads for CPU-bound stream work (compressing
//! blocks), sized from `std::thread::available_parallelism`, started on first
//! use and shared by every stream, so many gzip streams never mean many
//! threads. I/O never runs here: a thread waiting on a socket would starve
//! the compressors.
//!
//! ```text
//! pool::global() -> &'static Pool
//! Pool::new(threads: usize) -> Pool          // tests and measurements
//! Pool::spawn(&self, job: impl FnOnce() + Send + 'static)
//! Pool::threads(&self) -> usize
//! ```

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};
use std::thread::JoinHandle;

type Job = Box<dyn FnOnce() + Send + 'static>;

struct Queue {
    jobs: VecDeque<Job>,
    closing: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
}

pub struct Pool {
    shared: Arc<Shared>,
    handles: Vec<JoinHandle<()>>,
}

/// Never more compressing threads than this, however many cores.
const MAX_THREADS: usize = 16;

/// The process-wide pool: one thread per available core.
pub fn global() -> &'static Pool {
    static GLOBAL: OnceLock<Pool> = OnceLock::new();
    GLOBAL.get_or_init(|| {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        Pool::new(n.min(MAX_THREADS))
    })
}

impl Pool {
    pub fn new(threads: usize) -> Pool {
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                closing: false,
            }),
            ready: Condvar::new(),
        });
        // A thread the system refuses is one fewer; with none at all, jobs
        // run on the caller's thread (see `spawn`).
        let handles = (0..threads.max(1))
            .filter_map(|i| {
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name(format!("forkpipe-z{i}"))
                    .spawn(move || work(&shared))
                    .ok()
            })
            .collect();
        Pool { shared, handles }
    }

    /// Threads running (0 only if the system refused every one).
    pub fn threads(&self) -> usize {
        self.handles.len()
    }

    /// Queues `job`; a free thread runs it. A panicking job is contained
    /// (the thread lives on); the job must report its own failure.
    pub fn spawn(&self, job: impl FnOnce() + Send + 'static) {
        if self.handles.is_empty() {
            let _ = catch_unwind(AssertUnwindSafe(job));
            return;
        }
        let mut q = self
            .shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        q.jobs.push_back(Box::new(job));
        drop(q);
        self.shared.ready.notify_one();
    }
}

fn work(shared: &Shared) {
    loop {
        let job = {
            let mut q = shared.queue.lock().unwrap_or_else(PoisonError::into_inner);
            loop {
                if let Some(job) = q.jobs.pop_front() {
                    break job;
                }
                if q.closing {
                    return;
                }
                q = shared.ready.wait(q).unwrap_or_else(PoisonError::into_inner);
            }
        };
        let _ = catch_unwind(AssertUnwindSafe(job));
    }
}

impl Drop for Pool {
    /// Runs what is queued, then stops the threads.
    fn drop(&mut self) {
        self.shared
            .queue
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .closing = true;
        self.shared.ready.notify_all();
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn runs_every_job_and_survives_panics() {
        let done = Arc::new(AtomicUsize::new(0));
        {
            let pool = Pool::new(2);
            assert_eq!(pool.threads(), 2);
            for i in 0..100 {
                let done = done.clone();
                pool.spawn(move || {
                    if i % 50 == 0 {
                        panic!("contained");
                    }
                    done.fetch_add(1, Ordering::SeqCst);
                });
            }
        }
        assert_eq!(done.load(Ordering::SeqCst), 98);
        assert!(global().threads() >= 1);
    }
}
