//! A line splitter like the `split2` package: bytes in, UTF-8 lines out,
//! many lines per batch so JS pushes a whole batch with one crossing.
//!
//! Behaviour follows split2 (which decodes with a StringDecoder and splits
//! the string):
//! - the default separator is `\r?\n`; any other is an exact byte sequence
//!   (a JS string separator, UTF-8 encoded). Regular expressions stay in JS.
//! - empty lines are emitted; an empty last fragment is not.
//! - invalid UTF-8 becomes U+FFFD as Node's decoder does; a character split
//!   across chunks is joined first (lines are decoded whole).
//! - `max_length` bounds the unfinished line held between chunks, measured
//!   in JS string length (UTF-16 units of the complete characters), and
//!   checked after each chunk as split2 does — a long line that ends inside
//!   one chunk is never refused. Over the limit:
//!   - `Overflow::Error` (split2's default): `push` returns "maximum buffer
//!     reached" after the lines before it, and the splitter stays failed. It
//!     is the default because it never silently loses data.
//!   - `Overflow::Skip` (split2's `skipOverflow`): input is dropped up to the
//!     next separator and splitting goes on. Like split2, if the input ends
//!     while still skipping, the part of the line held when it overflowed is
//!     emitted at `finish`.
//!
//! ```text
//! LineSplitter::new(LineOptions { separator, max_length, overflow }) -> Result<_, EmptySeparator>
//! LineSplitter::push(&mut self, chunk: &[u8], out: &mut LineBatch) -> Result<(), LineError>
//! LineSplitter::finish(&mut self, out: &mut LineBatch)
//! LineBatch { data: Vec<u8>, ends: Vec<usize> }   // line i = data[ends[i-1]..ends[i]]
//! ```

use std::fmt;

use memchr::memmem;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Separator {
    /// `\n`, with one `\r` before it removed (split2's default `/\r?\n/`).
    Newline,
    /// An exact byte sequence.
    Bytes(Vec<u8>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overflow {
    Error,
    Skip,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineOptions {
    pub separator: Separator,
    pub max_length: Option<usize>,
    pub overflow: Overflow,
}

impl Default for LineOptions {
    fn default() -> Self {
        LineOptions {
            separator: Separator::Newline,
            max_length: None,
            overflow: Overflow::Error,
        }
    }
}

/// Lines in one buffer, for one crossing into JS.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LineBatch {
    /// The lines' UTF-8, back to back.
    pub data: Vec<u8>,
    /// Where each line ends in `data`.
    pub ends: Vec<usize>,
}

impl LineBatch {
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    #[cfg(test)]
    pub fn line(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        // Only valid UTF-8 is ever stored.
        std::str::from_utf8(&self.data[start..self.ends[i]]).unwrap_or_default()
    }

    #[cfg(test)]
    pub fn lines(&self) -> impl Iterator<Item = &str> {
        (0..self.len()).map(|i| self.line(i))
    }

    fn push(&mut self, bytes: &[u8]) {
        match std::str::from_utf8(bytes) {
            Ok(_) => self.data.extend_from_slice(bytes),
            Err(_) => self
                .data
                .extend_from_slice(String::from_utf8_lossy(bytes).as_bytes()),
        }
        self.ends.push(self.data.len());
    }
}

/// split2's error for a line longer than `max_length`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineError;

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("maximum buffer reached")
    }
}

impl std::error::Error for LineError {}

/// An empty separator would split between every character: JS does that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmptySeparator;

pub struct LineSplitter {
    opts: LineOptions,
    finder: Option<memmem::Finder<'static>>,
    pending: Vec<u8>,
    /// JS length of `pending`, counting every lead byte (see `held_units`).
    units: usize,
    skipping: bool,
    /// While skipping: the start of a character split by the last chunk
    /// (split2's decoder joins it to the next chunk before searching).
    carry: Vec<u8>,
    failed: bool,
}

/// UTF-16 units these bytes add: one per character start, two for a 4-byte one.
fn js_units(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0xBF => 0,
            0xF0..=0xFF => 2,
            _ => 1,
        })
        .sum()
}

/// The bytes of a trailing character that has not fully arrived (a
/// StringDecoder holds those back), and the UTF-16 units it will count.
fn incomplete_tail(bytes: &[u8]) -> (usize, usize) {
    let from = bytes.len().saturating_sub(4);
    let Some(i) = (from..bytes.len()).rev().find(|&i| bytes[i] & 0xC0 != 0x80) else {
        return (0, 0);
    };
    let (need, units) = match bytes[i] {
        0xC0..=0xDF => (2, 1),
        0xE0..=0xEF => (3, 1),
        0xF0..=0xF7 => (4, 2),
        _ => return (0, 0),
    };
    let have = bytes.len() - i;
    if have < need {
        (have, units)
    } else {
        (0, 0)
    }
}

impl LineSplitter {
    pub fn new(opts: LineOptions) -> Result<LineSplitter, EmptySeparator> {
        let finder = match &opts.separator {
            Separator::Newline => None,
            Separator::Bytes(b) if b.is_empty() => return Err(EmptySeparator),
            Separator::Bytes(b) => Some(memmem::Finder::new(b).into_owned()),
        };
        Ok(LineSplitter {
            opts,
            finder,
            pending: Vec::new(),
            units: 0,
            skipping: false,
            carry: Vec::new(),
            failed: false,
        })
    }

    fn sep_len(&self) -> usize {
        match &self.opts.separator {
            Separator::Newline => 1,
            Separator::Bytes(b) => b.len(),
        }
    }

    /// The first separator in `hay` at or after `from`.
    fn find(&self, hay: &[u8], from: usize) -> Option<usize> {
        let rest = &hay[from..];
        match &self.finder {
            None => memchr::memchr(b'\n', rest),
            Some(f) => f.find(rest),
        }
        .map(|i| from + i)
    }

    fn emit(&self, line: &[u8], out: &mut LineBatch) {
        let line = match (&self.opts.separator, line) {
            (Separator::Newline, [head @ .., b'\r']) => head,
            _ => line,
        };
        out.push(line);
    }

    /// Emits `pending` + `tail` as one line and empties `pending`.
    fn emit_joined(&mut self, tail: &[u8], out: &mut LineBatch) {
        if self.pending.is_empty() {
            self.emit(tail, out);
        } else {
            self.pending.extend_from_slice(tail);
            let line = std::mem::take(&mut self.pending);
            self.emit(&line, out);
            self.pending = line;
            self.pending.clear();
        }
        self.units = 0;
    }

    /// JS length of the unfinished line as split2 would measure it.
    fn held_units(&self) -> usize {
        self.units.saturating_sub(incomplete_tail(&self.pending).1)
    }

    /// Splits `chunk`, appending complete lines to `out`. On Err, `out`
    /// still holds the lines that came before the overlong one; deliver them
    /// first, then the error, as split2 does.
    pub fn push(&mut self, chunk: &[u8], out: &mut LineBatch) -> Result<(), LineError> {
        if self.failed {
            return Err(LineError);
        }
        let k = self.sep_len();
        let mut start = 0;
        if self.skipping {
            // Drop everything up to the next separator. Like split2, look
            // only in this chunk (plus a character split off the last one).
            let mut hay = std::mem::take(&mut self.carry);
            hay.extend_from_slice(chunk);
            let Some(at) = self.find(&hay, 0) else {
                let (tail, _) = incomplete_tail(&hay);
                hay.drain(..hay.len() - tail);
                self.carry = hay;
                return Ok(());
            };
            self.skipping = false;
            self.pending.clear();
            self.units = 0;
            start = (at + k).saturating_sub(hay.len() - chunk.len());
        } else if k > 1 && !self.pending.is_empty() {
            // A separator that began at the end of the held bytes.
            let t = (k - 1).min(self.pending.len());
            let mut window = self.pending[self.pending.len() - t..].to_vec();
            window.extend_from_slice(&chunk[..(k - 1).min(chunk.len())]);
            if let Some(j) = self.find(&window, 0).filter(|&j| j < t) {
                let cut = self.pending.len() - t + j;
                self.pending.truncate(cut);
                self.emit_joined(&[], out);
                start = j + k - t;
            }
        }
        while let Some(at) = self.find(chunk, start) {
            self.emit_joined(&chunk[start..at], out);
            start = at + k;
        }
        let rest = &chunk[start.min(chunk.len())..];
        self.pending.extend_from_slice(rest);
        if let Some(max) = self.opts.max_length {
            self.units += js_units(rest);
            if self.held_units() > max {
                match self.opts.overflow {
                    Overflow::Skip => {
                        // split2 keeps the fragment without the bytes its decoder holds.
                        let (tail, _) = incomplete_tail(&self.pending);
                        self.carry = self.pending.split_off(self.pending.len() - tail);
                        self.skipping = true;
                    }
                    Overflow::Error => {
                        self.failed = true;
                        return Err(LineError);
                    }
                }
            }
        }
        Ok(())
    }

    /// End of input: the unfinished line, if any, is the last line.
    pub fn finish(&mut self, out: &mut LineBatch) {
        let mut last = std::mem::take(&mut self.pending);
        if self.skipping && !self.carry.is_empty() {
            // What split2's decoder makes of the character it still holds.
            last.extend_from_slice("\u{fffd}".as_bytes());
        }
        if !self.failed && !last.is_empty() {
            out.push(&last);
        }
        self.units = 0;
        self.skipping = false;
        self.carry.clear();
    }
}

#[cfg(test)]
mod tests;
