//! How finished fs jobs reach JS: a queue of completions per JS thread and
//! one threadsafe function that hands JS everything queued so far in a
//! single call. A job that finishes while an earlier batch is still waiting
//! for the JS thread rides along with it, so a busy stream costs one wake-up
//! per batch, not per job.
//!
//! A completion travels as four numbers: `[id, value, errno, info]`, where
//! `id` is the caller's request number, `value` the job's result (an fd, a
//! byte count), `errno` 0 or the positive errno of a failure, and `info`
//! job-specific bits (see napi_fs.rs).
//!
//! Each JS thread (the main thread, each worker_thread) registers its own
//! callback once with `init`; jobs started from that thread report to it.
//!
//! ```text
//! init(tsfn: DoneFn)                    // on the JS thread, once
//! Ring::current() -> Option<Arc<Ring>>  // the calling JS thread's ring
//! ring.complete(Completion { id, value, errno, info })   // any thread
//! ```

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError};

use napi::bindgen_prelude::FnArgs;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

/// The JS callback: receives one flat array of completions per call. Weak:
/// it never keeps the event loop alive by itself (JS holds a ref while
/// requests are pending).
pub type DoneFn = ThreadsafeFunction<(), (), FnArgs<(Vec<f64>,)>, Status, false, true>;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Completion {
    pub id: u32,
    pub value: f64,
    pub errno: i32,
    pub info: u32,
}

pub type Queue = Arc<Mutex<Vec<f64>>>;

pub struct Ring {
    queue: Queue,
    tsfn: DoneFn,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Ring>>> = const { RefCell::new(None) };
}

/// Takes everything queued (the threadsafe function's callback does this on
/// the JS thread).
pub fn drain(queue: &Queue) -> Vec<f64> {
    std::mem::take(&mut *queue.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Makes `tsfn` (which drains `queue`) the calling JS thread's ring.
pub fn init(queue: Queue, tsfn: DoneFn) {
    let ring = Arc::new(Ring { queue, tsfn });
    CURRENT.with(|c| *c.borrow_mut() = Some(ring));
}

impl Ring {
    pub fn current() -> Option<Arc<Ring>> {
        CURRENT.with(|c| c.borrow().clone())
    }

    pub fn complete(&self, c: Completion) {
        let was_empty = {
            let mut q = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            let was_empty = q.is_empty();
            q.extend_from_slice(&[c.id as f64, c.value, c.errno as f64, c.info as f64]);
            was_empty
        };
        // A non-empty queue already has a call on its way that will take
        // this completion too.
        if was_empty {
            self.tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }
}
