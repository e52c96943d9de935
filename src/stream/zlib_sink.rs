//! How native transforms report to JS: one outbox per JS thread and one
//! threadsafe function that hands JS everything in it with a single call.
//! A stream that posts while an earlier batch still waits for the JS thread
//! rides along with it, so a busy process costs one JS call per batch of
//! events, whatever the number of streams.
//!
//! A batch is `(numbers, texts)`: records of `RECORD` numbers each, with
//! error texts in `texts`, pointed to by index. Output bytes never travel
//! here: an update says DATA and JS reads them (js_output.rs says why).
//!
//! ```text
//! record: [kind, id, a, b, c, d, e, f]
//!   KIND_UPDATE: a flags, b consumed, c seq, d unused,
//!                e errno (with ERROR) or the seq RELEASED names, f text index or -1
//!   KIND_DRAIN:  a bytes written, c errno of the sink's write (0: none),
//!                d 1 when the output is complete, 0 when stopped
//! ```
//!
//! The function is weak: JS keeps the event loop alive itself while it
//! waits for a stream (lib/loop-hold.js).

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::sync::{Arc, Mutex, PoisonError};

use napi::bindgen_prelude::FnArgs;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

use super::zlib_pipes::Drained;
use super::zlib_stream::{Post, Update};

pub const RECORD: usize = 8;
pub const KIND_UPDATE: f64 = 1.0;
pub const KIND_DRAIN: f64 = 2.0;

pub type SinkFn = ThreadsafeFunction<(), (), FnArgs<(Vec<f64>, Vec<String>)>, Status, false, true>;

#[derive(Default)]
pub struct Outbox {
    nums: Vec<f64>,
    texts: Vec<String>,
    scheduled: bool,
}

impl Outbox {
    /// Everything queued so far, for one JS call.
    pub fn take(&mut self) -> (Vec<f64>, Vec<String>) {
        self.scheduled = false;
        (
            std::mem::take(&mut self.nums),
            std::mem::take(&mut self.texts),
        )
    }

    fn record(&mut self, record: [f64; RECORD]) {
        self.nums.extend_from_slice(&record);
    }

    fn text(&mut self, text: String) -> f64 {
        self.texts.push(text);
        (self.texts.len() - 1) as f64
    }
}

pub struct Sink {
    outbox: Arc<Mutex<Outbox>>,
    tsfn: SinkFn,
}

impl Sink {
    pub fn new(outbox: Arc<Mutex<Outbox>>, tsfn: SinkFn) -> Sink {
        Sink { outbox, tsfn }
    }

    fn push(&self, fill: impl FnOnce(&mut Outbox)) {
        let mut o = self.outbox.lock().unwrap_or_else(PoisonError::into_inner);
        fill(&mut o);
        if !o.scheduled {
            o.scheduled = true;
            drop(o);
            // Closing (the JS thread is going away): nobody is left to tell.
            let _ = self.tsfn.call((), ThreadsafeFunctionCallMode::NonBlocking);
        }
    }

    /// Stream `id`'s output stopped going to a sink's fd (zlib_pipes.rs).
    pub fn drained(&self, id: u32, d: Drained) {
        self.push(|o| {
            o.record([
                KIND_DRAIN,
                id as f64,
                d.moved as f64,
                0.0,
                d.errno as f64,
                if d.eof { 1.0 } else { 0.0 },
                0.0,
                -1.0,
            ]);
        });
    }
}

impl Post for Sink {
    fn post(&self, u: Update) {
        self.push(|o| {
            let (errno, msg) = match u.error {
                Some(e) => (e.errno() as f64, o.text(e.message.to_owned())),
                None => (u.released_seq as f64, -1.0),
            };
            o.record([
                KIND_UPDATE,
                u.id as f64,
                u.flags as f64,
                u.consumed as f64,
                u.seq as f64,
                -1.0,
                errno,
                msg,
            ]);
        });
    }
}
