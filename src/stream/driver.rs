//! Runs one stream's work on the shared pool, never twice at once.
//!
//! A native transform is driven by short jobs on the compression pool
//! (`pool.rs`): JS queues input and asks for output, pool threads report
//! finished blocks, and each of these only `kick`s the stream's driver. The
//! driver makes sure exactly one job runs the stream's `run` at a time, and
//! that a kick arriving while it runs makes it run once more, so no wake-up
//! is lost and no lock is held across the hand-off.
//!
//! ```text
//! Driver::new() -> Driver
//! Driver::kick(&self, pool, job: impl FnOnce() + Send + 'static)
//!     // queues `job` unless a run is queued or running (then asks it to go again)
//! Driver::run(&self, body: impl FnMut())      // what `job` calls: body() until no kick came in
//! ```

use std::sync::atomic::{AtomicU8, Ordering};

use super::pool::Pool;

const IDLE: u8 = 0;
/// A job is queued on the pool and has not started.
const QUEUED: u8 = 1;
const RUNNING: u8 = 2;
/// Kicked while running: run the body once more before going idle.
const AGAIN: u8 = 3;

pub struct Driver {
    state: AtomicU8,
}

impl Default for Driver {
    fn default() -> Self {
        Driver::new()
    }
}

impl Driver {
    pub fn new() -> Driver {
        Driver {
            state: AtomicU8::new(IDLE),
        }
    }

    /// Makes sure the body runs (again) after this call. `job` must call
    /// `run`; it is only spawned when no run is queued or in progress.
    pub fn kick(&self, pool: &Pool, job: impl FnOnce() + Send + 'static) {
        let mut seen = self.state.load(Ordering::Acquire);
        loop {
            let next = match seen {
                IDLE => QUEUED,
                RUNNING => AGAIN,
                // A queued job has not looked at anything yet; a run asked
                // to go again will look once more.
                _ => return,
            };
            match self
                .state
                .compare_exchange_weak(seen, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) if next == QUEUED => {
                    pool.spawn(job);
                    return;
                }
                Ok(_) => return,
                Err(now) => seen = now,
            }
        }
    }

    /// Calls `body` until no kick arrived during the last call.
    pub fn run(&self, mut body: impl FnMut()) {
        self.state.store(RUNNING, Ordering::Release);
        loop {
            body();
            match self
                .state
                .compare_exchange(RUNNING, IDLE, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return,
                Err(_) => self.state.store(RUNNING, Ordering::Release),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::sync::Arc;

    struct Counter {
        driver: Driver,
        runs: AtomicUsize,
        active: AtomicUsize,
        overlap: AtomicUsize,
        kicks_seen: AtomicUsize,
        kicks: AtomicUsize,
    }

    fn kick(c: &Arc<Counter>, pool: &'static Pool) {
        c.kicks.fetch_add(1, Ordering::SeqCst);
        let job = c.clone();
        c.driver.kick(pool, move || {
            job.driver.run(|| {
                if job.active.fetch_add(1, Ordering::SeqCst) > 0 {
                    job.overlap.fetch_add(1, Ordering::SeqCst);
                }
                job.runs.fetch_add(1, Ordering::SeqCst);
                job.kicks_seen
                    .store(job.kicks.load(Ordering::SeqCst), Ordering::SeqCst);
                job.active.fetch_sub(1, Ordering::SeqCst);
            })
        });
    }

    #[test]
    fn never_overlaps_and_never_loses_a_kick() {
        let pool: &'static Pool = Box::leak(Box::new(Pool::new(4)));
        let c = Arc::new(Counter {
            driver: Driver::new(),
            runs: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
            overlap: AtomicUsize::new(0),
            kicks_seen: AtomicUsize::new(0),
            kicks: AtomicUsize::new(0),
        });
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let c = c.clone();
                std::thread::spawn(move || {
                    for _ in 0..2000 {
                        kick(&c, pool);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        // The last kick is seen by some run.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while c.kicks_seen.load(Ordering::SeqCst) != 8000 && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(c.kicks_seen.load(Ordering::SeqCst), 8000);
        assert_eq!(c.overlap.load(Ordering::SeqCst), 0);
        assert!(c.runs.load(Ordering::SeqCst) >= 1);
    }
}
