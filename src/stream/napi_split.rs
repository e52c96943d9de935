//! napi bindings of the native line splitter (lib/split/*).
//!
//! Splitting is memchr plus UTF-8 checks, gigabytes a second: cheaper than
//! any thread hand-off, so it runs inside the call, on the JS thread, one
//! call per written chunk. What crosses back is one batch of all the lines
//! the chunk completed, written into a scratch Buffer JS owns and reuses (no
//! Buffer is made per call):
//!
//! ```text
//! splitCreate(separator: Buffer | null, maxLength, skipOverflow) -> handle
//!     // null: split2's default /\r?\n/; maxLength < 0: no limit
//! splitPush(handle, chunk, out) -> n     // n >= 0: batch of n bytes in out
//! splitEnd(handle, out) -> n             // the last line, if any
//! splitTake(handle, out) -> n            // the batch a too-small `out` could not hold
//!     // n < 0: the batch needs -n bytes; it waits in Rust for splitTake
//!
//! batch: [lines u32][text bytes u32][flags u32][end of line i u32 ...][text]
//!   all little-endian; ends are byte offsets from the start of the text,
//!   with bit 31 set on a line that is not all ASCII; flags: 1 all ASCII,
//!   2 the line after these overflowed maxLength (split2's "maximum buffer
//!   reached")
//! ```
//!
//! JS decodes the text once as Latin-1 (a copy into a one-byte string) and
//! slices the ASCII lines out of it; only lines with other characters are
//! decoded as UTF-8 on their own. Decoding the whole batch as UTF-8 instead
//! would make every line of a batch with one non-Latin-1 character a
//! two-byte string: slower to make and to use.

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::sync::Mutex;

use napi::bindgen_prelude::{BufferSlice, External};
use napi::{Error, Result, Status};
use napi_derive::napi;

use super::lines::{LineBatch, LineOptions, LineSplitter, Overflow, Separator};

pub const ASCII: u32 = 1;
pub const OVERFLOWED: u32 = 2;
/// Set on a line end when the line is not all ASCII.
pub const NOT_ASCII: u32 = 1 << 31;
const HEADER: usize = 12;

pub struct Splitter {
    splitter: LineSplitter,
    batch: LineBatch,
    /// A batch that did not fit JS's buffer, encoded, waiting for splitTake.
    waiting: Vec<u8>,
    overflowed: bool,
}

/// Bytes the encoding of `batch` takes.
pub fn encoded_len(batch: &LineBatch) -> usize {
    HEADER + 4 * batch.len() + batch.data.len()
}

/// Encodes `batch` as described above into `out` (at least `encoded_len`).
pub fn encode(batch: &LineBatch, overflowed: bool, out: &mut [u8]) {
    let ascii = batch.data.is_ascii();
    let flags = if ascii { ASCII } else { 0 } | if overflowed { OVERFLOWED } else { 0 };
    out[0..4].copy_from_slice(&(batch.len() as u32).to_le_bytes());
    out[4..8].copy_from_slice(&(batch.data.len() as u32).to_le_bytes());
    out[8..12].copy_from_slice(&flags.to_le_bytes());
    let ends = &mut out[HEADER..HEADER + 4 * batch.len()];
    let mut at = 0;
    for (slot, &end) in ends.chunks_exact_mut(4).zip(&batch.ends) {
        let mut word = end as u32;
        if !ascii && !batch.data[at..end].is_ascii() {
            word |= NOT_ASCII;
        }
        at = end;
        slot.copy_from_slice(&word.to_le_bytes());
    }
    let text = HEADER + 4 * batch.len();
    out[text..text + batch.data.len()].copy_from_slice(&batch.data);
}

impl Splitter {
    /// Hands the current batch to JS through `out`, or keeps it encoded.
    fn deliver(&mut self, out: &mut [u8]) -> f64 {
        if self.batch.is_empty() && !self.overflowed {
            return 0.0;
        }
        let needed = encoded_len(&self.batch);
        let result = if needed <= out.len() {
            encode(&self.batch, self.overflowed, out);
            needed as f64
        } else {
            self.waiting.resize(needed, 0);
            encode(&self.batch, self.overflowed, &mut self.waiting);
            -(needed as f64)
        };
        self.batch.clear();
        self.overflowed = false;
        result
    }
}

type Handle = Mutex<Splitter>;

fn splitter(h: &External<Handle>) -> Result<std::sync::MutexGuard<'_, Splitter>> {
    h.lock()
        .map_err(|_| Error::new(Status::GenericFailure, "splitter poisoned"))
}

#[napi(js_name = "splitCreate", catch_unwind)]
pub fn split_create(
    separator: Option<BufferSlice>,
    max_length: f64,
    skip_overflow: bool,
) -> Result<External<Handle>> {
    let separator = match separator {
        None => Separator::Newline,
        Some(s) => Separator::Bytes(s.to_vec()),
    };
    let opts = LineOptions {
        separator,
        max_length: (max_length >= 0.0).then_some(max_length.min(usize::MAX as f64) as usize),
        overflow: if skip_overflow {
            Overflow::Skip
        } else {
            Overflow::Error
        },
    };
    let splitter =
        LineSplitter::new(opts).map_err(|_| Error::new(Status::InvalidArg, "empty separator"))?;
    Ok(External::new(Mutex::new(Splitter {
        splitter,
        batch: LineBatch::default(),
        waiting: Vec::new(),
        overflowed: false,
    })))
}

#[napi(js_name = "splitPush", catch_unwind)]
pub fn split_push(h: &External<Handle>, chunk: BufferSlice, mut out: BufferSlice) -> Result<f64> {
    let mut s = splitter(h)?;
    let s = &mut *s;
    if s.splitter.push(&chunk, &mut s.batch).is_err() {
        s.overflowed = true;
    }
    Ok(s.deliver(&mut out))
}

#[napi(js_name = "splitEnd", catch_unwind)]
pub fn split_end(h: &External<Handle>, mut out: BufferSlice) -> Result<f64> {
    let mut s = splitter(h)?;
    let s = &mut *s;
    s.splitter.finish(&mut s.batch);
    Ok(s.deliver(&mut out))
}

#[napi(js_name = "splitTake", catch_unwind)]
pub fn split_take(h: &External<Handle>, mut out: BufferSlice) -> Result<f64> {
    let mut s = splitter(h)?;
    let n = s.waiting.len();
    if n > out.len() {
        return Ok(-(n as f64));
    }
    out[..n].copy_from_slice(&s.waiting);
    s.waiting.clear();
    Ok(n as f64)
}
