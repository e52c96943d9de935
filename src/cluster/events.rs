//! What the primary tells JS, batched: one JS call per wake-up of the runtime,
//! however many things happened in it.
//!
//! A batch travels as one JSON array of events plus the binary payloads that
//! some events point into by index. Worker messages that arrived as JSON are
//! spliced into the array as they came, so JS parses each byte once.

use std::sync::Mutex;

use napi::bindgen_prelude::{Buffer, FnArgs};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::Status;

/// Event codes; lib/cluster/events.js reads the same numbers.
pub mod code {
    pub const ONLINE: u32 = 0;
    pub const LISTENING: u32 = 1;
    pub const MESSAGE: u32 = 2;
    pub const MESSAGE_BINARY: u32 = 3;
    pub const MESSAGE_HANDLE: u32 = 4;
    pub const EXITED_AFTER_DISCONNECT: u32 = 5;
    pub const DISCONNECT: u32 = 6;
    pub const EXIT: u32 = 7;
    pub const SEND_DONE: u32 = 8;
    pub const ERROR: u32 = 9;
    pub const WARNING: u32 = 10;
}

/// The payload of one batch as JS receives it.
pub struct Batch {
    pub json: String,
    pub buffers: Vec<Vec<u8>>,
}

pub type EventFn =
    ThreadsafeFunction<Batch, (), FnArgs<(String, Vec<Buffer>)>, Status, false, true>;

/// The JS callback, set once by `start()`; events raised before it exists
/// have nowhere to go and are dropped (no worker can exist before it).
pub static SINK: Mutex<Option<EventFn>> = Mutex::new(None);

/// Events collected during one wake-up, flushed to JS in one call.
#[derive(Default)]
pub struct Events {
    json: String,
    buffers: Vec<Vec<u8>>,
}

impl Events {
    fn open(&mut self, code: u32, id: u32) {
        self.json.push(if self.json.is_empty() { '[' } else { ',' });
        self.json.push('[');
        push_num(&mut self.json, code as i64);
        self.json.push(',');
        push_num(&mut self.json, id as i64);
    }

    fn close(&mut self) {
        self.json.push(']');
    }

    /// An event whose extra fields are integers.
    pub fn nums(&mut self, code: u32, id: u32, extra: &[i64]) {
        self.open(code, id);
        for n in extra {
            self.json.push(',');
            push_num(&mut self.json, *n);
        }
        self.close();
    }

    /// An event carrying one JSON document taken as-is (already validated).
    pub fn raw_json(&mut self, code: u32, id: u32, doc: &[u8]) {
        self.open(code, id);
        self.json.push(',');
        self.json.push_str(&String::from_utf8_lossy(doc));
        self.close();
    }

    /// A user message in V8 serialization: its bytes go as a Buffer.
    pub fn binary(&mut self, code: u32, id: u32, payload: Vec<u8>) {
        self.open(code, id);
        self.json.push(',');
        push_num(&mut self.json, self.buffers.len() as i64);
        self.buffers.push(payload);
        self.close();
    }

    /// A NODE_HANDLE wrapper (type, msg, key) whose descriptor JS now owns.
    pub fn handle(&mut self, id: u32, wrapper: &serde_json::Value, fd: i32) {
        self.open(code::MESSAGE_HANDLE, id);
        self.json.push(',');
        self.json.push_str(&wrapper.to_string());
        self.json.push(',');
        push_num(&mut self.json, fd as i64);
        self.close();
    }

    /// An event with string fields (errors and warnings).
    pub fn strings(&mut self, code: u32, id: u32, fields: &[&str]) {
        self.open(code, id);
        for f in fields {
            self.json.push(',');
            push_str(&mut self.json, f);
        }
        self.close();
    }

    /// Hands everything collected so far to JS in one call.
    pub fn flush(&mut self) {
        if self.json.is_empty() {
            return;
        }
        let mut json = std::mem::take(&mut self.json);
        json.push(']');
        let batch = Batch {
            json,
            buffers: std::mem::take(&mut self.buffers),
        };
        if let Ok(sink) = SINK.lock() {
            if let Some(f) = sink.as_ref() {
                f.call(batch, ThreadsafeFunctionCallMode::NonBlocking);
            }
        }
    }
}

fn push_num(out: &mut String, n: i64) {
    use std::fmt::Write;
    let _ = write!(out, "{n}");
}

fn push_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::Value::from(s).to_string());
}
