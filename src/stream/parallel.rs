//! gzip / zlib / raw deflate compression on several cores (pigz's method).
//!
//! Input is cut into blocks (256 KiB by default). Each block is compressed
//! on the shared pool (`pool.rs`) as raw deflate, primed with the 32 KiB of
//! input before it as a dictionary and ended with a sync flush, so the
//! blocks, concatenated in order, are one valid deflate stream; the last
//! block ends with Z_FINISH. The pool threads also compute each block's
//! CRC-32 / Adler-32, which are combined in order (`container.rs`) for the
//! trailer without reading the data again. At most `max_in_flight` blocks
//! exist at once, so memory stays bounded whatever the input size. An input
//! that ends before its first block is full is compressed on the caller's
//! thread: small streams never pay for a thread hand-off.
//!
//! Nothing here blocks except `wait`. The napi layer
//! drives it from a worker thread: `write` what fits, `take_output` what is
//! ready, and on a full engine `wait` (or return, and resume when `notify`,
//! called from a pool thread after each block, says a block is done).
//!
//! ```text
//! format_of(kind: Kind) -> Option<Format>                // Gzip, Deflate, DeflateRaw
//! ParallelOptions::new(format, &Options) -> Result<ParallelOptions, OptionError>
//! parallel_supports(&Options) -> bool                    // false with a dictionary
//! ParallelDeflate::new(opts, notify: Option<Notify>) -> ParallelDeflate
//! ParallelDeflate::write(&mut self, data: &[u8]) -> usize    // bytes taken; 0 when full
//! ParallelDeflate::flush(&mut self, Flush) -> bool           // false when full: retry later
//! ParallelDeflate::finish(&mut self) -> bool                 // false when full: retry later
//! ParallelDeflate::take_output(&mut self, out: &mut Vec<u8>) -> Result<bool, ZlibError>
//!     // appends finished output in order; Ok(true) once the trailer is out
//! ParallelDeflate::wait(&self, timeout: Option<Duration>) -> bool  // a block is ready
//! ParallelDeflate::set_params(&mut self, level, strategy) -> bool   // Node's params(), for later blocks
//! ```

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use zlib_rs::{Deflate, DeflateConfig, DeflateFlush, Method, Status};

use super::codec::{engine_level, strategy_of};
use super::container::{self, Checksum, Format};
use super::pool::{self, Pool};
use super::zlib_error::{ZCode, ZlibError};
use super::zlib_options::{Flush, Kind, OptionError, Options};

/// Big enough that priming each block with a 32 KiB dictionary costs little
/// (measured: 128 KiB blocks lost about 10% at level 6, 256 KiB about 3%).
pub const DEFAULT_BLOCK: usize = 256 * 1024;
/// Deflate never refers further back than this.
const WINDOW: usize = 32 * 1024;

/// Called from a pool thread each time a block is compressed.
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// The wrapper a compressing `Kind` writes.
pub fn format_of(kind: Kind) -> Option<Format> {
    match kind {
        Kind::Gzip => Some(Format::Gzip),
        Kind::Deflate => Some(Format::Zlib),
        Kind::DeflateRaw => Some(Format::Raw),
        _ => None,
    }
}

/// Whether these options can be compressed in parallel: a preset dictionary
/// cannot (it must prime the first block and be named in the header); the
/// serial `Codec` handles those.
pub fn parallel_supports(opts: &Options) -> bool {
    opts.dictionary.is_none()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParallelOptions {
    pub format: Format,
    pub level: i32,
    /// As zlib uses it: 9..=15.
    pub window_bits: i32,
    pub mem_level: i32,
    pub strategy: i32,
    pub block_size: usize,
    pub max_in_flight: usize,
}

impl ParallelOptions {
    /// Node's options for a stream of `format`, validated as Node does.
    pub fn new(format: Format, opts: &Options) -> Result<ParallelOptions, OptionError> {
        let kind = match format {
            Format::Gzip => Kind::Gzip,
            Format::Zlib => Kind::Deflate,
            Format::Raw => Kind::DeflateRaw,
        };
        opts.validate(kind)?;
        let threads = pool::global().threads();
        Ok(ParallelOptions {
            format,
            level: opts.level,
            window_bits: opts.effective_window_bits(kind),
            mem_level: opts.mem_level,
            strategy: opts.strategy,
            block_size: DEFAULT_BLOCK,
            max_in_flight: 2 * threads + 2,
        })
    }

    fn block_config(&self) -> BlockConfig {
        BlockConfig {
            level: self.level,
            window_bits: self.window_bits,
            mem_level: self.mem_level,
            strategy: self.strategy,
        }
    }
}

/// What a pool thread needs to compress one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct BlockConfig {
    level: i32,
    window_bits: i32,
    mem_level: i32,
    strategy: i32,
}

impl BlockConfig {
    /// zlib-rs panics on settings zlib would refuse: check them first (the
    /// fields of `ParallelOptions` are public).
    fn is_valid(&self) -> bool {
        (-1..=9).contains(&self.level)
            && (9..=15).contains(&self.window_bits)
            && (1..=9).contains(&self.mem_level)
            && (0..=4).contains(&self.strategy)
    }

    fn deflate_config(&self) -> DeflateConfig {
        DeflateConfig {
            level: engine_level(self.level),
            method: Method::Deflated,
            window_bits: -self.window_bits,
            mem_level: self.mem_level,
            strategy: strategy_of(self.strategy),
        }
    }
}

thread_local! {
    /// Each pool thread keeps its compressor: a reset is far cheaper than a new one.
    static DEFLATER: RefCell<Option<(BlockConfig, Deflate)>> = const { RefCell::new(None) };
}

/// One block as raw deflate on a pool thread, with that thread's cached
/// compressor (`deflate_block` does the work).
fn compress_block(
    cfg: &BlockConfig,
    dict: &[u8],
    data: &[u8],
    last: bool,
) -> Result<Vec<u8>, ZlibError> {
    if !cfg.is_valid() {
        return Err(ZlibError::new(ZCode::StreamError, "Zlib error"));
    }
    DEFLATER.with(|cell| {
        let mut cached = cell.borrow_mut();
        let fresh = !matches!(&*cached, Some((c, _)) if c == cfg);
        if fresh {
            *cached = Some((*cfg, Deflate::new_with_config(cfg.deflate_config())));
        }
        let Some((_, d)) = cached.as_mut() else {
            unreachable!("the compressor was just stored")
        };
        if !fresh {
            d.reset();
        }
        deflate_block(d, dict, data, last)
    })
}

/// A whole small stream on the caller's thread, with a compressor of its
/// own: callers are arbitrary threads, which should not each keep one.
fn compress_alone(cfg: &BlockConfig, data: &[u8]) -> Result<Vec<u8>, ZlibError> {
    if !cfg.is_valid() {
        return Err(ZlibError::new(ZCode::StreamError, "Zlib error"));
    }
    deflate_block(
        &mut Deflate::new_with_config(cfg.deflate_config()),
        &[],
        data,
        true,
    )
}

/// One block as raw deflate: primed with `dict`, ended by a sync flush, or
/// by Z_FINISH when it is the last.
fn deflate_block(
    d: &mut Deflate,
    dict: &[u8],
    data: &[u8],
    last: bool,
) -> Result<Vec<u8>, ZlibError> {
    let fail = |d: &Deflate| ZlibError::from_zlib(ZCode::StreamError, d.error_message());
    if !dict.is_empty() {
        d.set_dictionary(dict).map_err(|_| fail(d))?;
    }
    let flush = if last {
        DeflateFlush::Finish
    } else {
        DeflateFlush::SyncFlush
    };
    let mut out = vec![0u8; zlib_rs::compress_bound(data.len()) + 64];
    let (mut input, mut written) = (data, 0);
    loop {
        let (i0, o0) = (d.total_in(), d.total_out());
        let status = d
            .compress(input, &mut out[written..], flush)
            .map_err(|_| fail(d))?;
        input = &input[(d.total_in() - i0) as usize..];
        written += (d.total_out() - o0) as usize;
        let complete = if last {
            status == Status::StreamEnd
        } else {
            written < out.len()
        };
        if complete {
            out.truncate(written);
            return Ok(out);
        }
        out.resize(out.len() + 64 * 1024, 0);
    }
}

struct Compressed {
    bytes: Vec<u8>,
    check: u32,
}

/// A block in flight; a pool thread fills `result`.
struct Slot {
    len: usize,
    result: Mutex<Option<Result<Compressed, ZlibError>>>,
}

impl Slot {
    fn is_ready(&self) -> bool {
        self.result
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

/// Wakes a waiting driver when a block completes.
struct Completions {
    count: Mutex<u64>,
    changed: Condvar,
    notify: Option<Notify>,
}

impl Completions {
    fn completed(&self) {
        *self.count.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.changed.notify_all();
        if let Some(n) = &self.notify {
            n();
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Open,
    /// The last block is queued (or compressed inline); the trailer follows it.
    Finishing,
    Done,
}

/// How a dispatched block ends, and what the next one may refer back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    Sync,
    /// As Sync, but the next block starts without a dictionary (Z_FULL_FLUSH).
    Full,
    Finish,
}

pub struct ParallelDeflate {
    opts: ParallelOptions,
    cfg: BlockConfig,
    pool: &'static Pool,
    completions: Arc<Completions>,
    filling: Vec<u8>,
    /// The last WINDOW bytes of input before `filling` (empty after a full flush).
    history: Vec<u8>,
    in_flight: VecDeque<Arc<Slot>>,
    /// Output made on the caller's thread (a stream smaller than one block).
    ready: Vec<u8>,
    check: Checksum,
    header_done: bool,
    dispatched: bool,
    state: State,
    failed: Option<ZlibError>,
    total_in: u64,
}

impl ParallelDeflate {
    pub fn new(opts: ParallelOptions, notify: Option<Notify>) -> ParallelDeflate {
        ParallelDeflate::with_pool(opts, notify, pool::global())
    }

    pub fn with_pool(
        opts: ParallelOptions,
        notify: Option<Notify>,
        pool: &'static Pool,
    ) -> ParallelDeflate {
        let opts = ParallelOptions {
            block_size: opts.block_size.max(1),
            max_in_flight: opts.max_in_flight.max(1),
            ..opts
        };
        ParallelDeflate {
            opts,
            cfg: opts.block_config(),
            pool,
            completions: Arc::new(Completions {
                count: Mutex::new(0),
                changed: Condvar::new(),
                notify,
            }),
            filling: Vec::new(),
            history: Vec::new(),
            in_flight: VecDeque::new(),
            ready: Vec::new(),
            check: Checksum::new(opts.format),
            header_done: false,
            dispatched: false,
            state: State::Open,
            failed: None,
            total_in: 0,
        }
    }

    /// Node's `params(level, strategy)`: blocks dispatched from now on are
    /// compressed with these settings (each block is an independent deflate
    /// stream, so a change needs no cooperation from zlib). Flush first, as
    /// Node does, for the change to start exactly at that point; the header
    /// keeps the level the stream started with, as zlib's does. False (and
    /// nothing changed) for values zlib would refuse.
    pub fn set_params(&mut self, level: i32, strategy: i32) -> bool {
        let cfg = BlockConfig {
            level,
            strategy,
            ..self.cfg
        };
        if !cfg.is_valid() {
            return false;
        }
        self.cfg = cfg;
        true
    }

    /// Input bytes taken so far.
    #[cfg(test)]
    pub fn total_in(&self) -> u64 {
        self.total_in + self.filling.len() as u64
    }

    /// Blocks queued or being compressed.
    pub fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Takes as much of `data` as fits; 0 when `max_in_flight` blocks are
    /// queued (drain with `take_output`, `wait`, retry) or after `finish`.
    pub fn write(&mut self, data: &[u8]) -> usize {
        if self.state != State::Open {
            return 0;
        }
        let bs = self.opts.block_size;
        let mut taken = 0;
        while taken < data.len() {
            if self.filling.len() == bs && !self.dispatch(End::Sync) {
                break;
            }
            if self.filling.capacity() == 0 {
                self.filling.reserve_exact(bs);
            }
            let n = (bs - self.filling.len()).min(data.len() - taken);
            self.filling.extend_from_slice(&data[taken..taken + n]);
            taken += n;
        }
        // Start on a full block now rather than at the next write.
        if self.filling.len() == bs {
            self.dispatch(End::Sync);
        }
        taken
    }

    /// Node's `flush(kind)`: everything written so far becomes decodable
    /// from the output. Z_FULL_FLUSH also makes the next block independent.
    pub fn flush(&mut self, kind: Flush) -> bool {
        if self.state != State::Open {
            return true;
        }
        match kind {
            Flush::None => true,
            Flush::Finish => self.finish(),
            Flush::Full if self.filling.is_empty() => {
                self.history.clear();
                true
            }
            _ if self.filling.is_empty() => true,
            Flush::Full => self.dispatch(End::Full),
            _ => self.dispatch(End::Sync),
        }
    }

    /// No more input: the last block is queued (or, for a small stream,
    /// compressed right here). False when full: drain and call again.
    pub fn finish(&mut self) -> bool {
        if self.state != State::Open {
            return true;
        }
        if !self.dispatched {
            let data = std::mem::take(&mut self.filling);
            match compress_alone(&self.cfg, &data) {
                Ok(bytes) => {
                    self.ready.extend_from_slice(&bytes);
                    let check = container::block_check(self.opts.format, &data);
                    self.check.append(check, data.len() as u64);
                }
                Err(e) => self.failed = Some(e),
            }
            self.total_in += data.len() as u64;
            self.state = State::Finishing;
            return true;
        }
        if !self.dispatch(End::Finish) {
            return false;
        }
        self.state = State::Finishing;
        true
    }

    /// Queues `filling` as a block; false when `max_in_flight` are queued.
    fn dispatch(&mut self, end: End) -> bool {
        if self.in_flight.len() >= self.opts.max_in_flight {
            return false;
        }
        let data = Arc::new(std::mem::take(&mut self.filling));
        let dict = std::mem::take(&mut self.history);
        if end != End::Full {
            // The next block's dictionary: the last WINDOW bytes up to the end of this one.
            let keep = WINDOW.saturating_sub(data.len()).min(dict.len());
            let mut next = Vec::with_capacity(WINDOW);
            next.extend_from_slice(&dict[dict.len() - keep..]);
            next.extend_from_slice(&data[data.len() - data.len().min(WINDOW)..]);
            self.history = next;
        }
        let slot = Arc::new(Slot {
            len: data.len(),
            result: Mutex::new(None),
        });
        self.in_flight.push_back(slot.clone());
        self.total_in += data.len() as u64;
        self.dispatched = true;
        let (cfg, format, done) = (self.cfg, self.opts.format, self.completions.clone());
        let last = end == End::Finish;
        self.pool.spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| {
                compress_block(&cfg, &dict, &data, last).map(|bytes| Compressed {
                    bytes,
                    check: container::block_check(format, &data),
                })
            }))
            .unwrap_or(Err(ZlibError::new(ZCode::StreamError, "Zlib error")));
            *slot.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
            done.completed();
        });
        true
    }

    /// Appends the output that is ready, in order (the header first, the
    /// trailer last). Ok(true) once the whole stream has been handed out.
    pub fn take_output(&mut self, out: &mut Vec<u8>) -> Result<bool, ZlibError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        if !self.header_done {
            let o = &self.opts;
            out.extend_from_slice(&container::header(
                o.format,
                o.level,
                o.strategy,
                o.window_bits,
            ));
            self.header_done = true;
        }
        out.append(&mut self.ready);
        while let Some(front) = self.in_flight.front() {
            let taken = front
                .result
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take();
            match taken {
                None => break,
                Some(Ok(block)) => {
                    out.extend_from_slice(&block.bytes);
                    self.check.append(block.check, front.len as u64);
                    self.in_flight.pop_front();
                }
                Some(Err(e)) => {
                    self.failed = Some(e);
                    return Err(e);
                }
            }
        }
        if self.state == State::Finishing && self.in_flight.is_empty() {
            out.extend_from_slice(&self.check.trailer());
            self.state = State::Done;
        }
        Ok(self.state == State::Done)
    }

    /// Blocks until `take_output` has something new (or nothing is in
    /// flight), at most `timeout`. True when it has.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        let front_ready = || self.in_flight.front().is_none_or(|s| s.is_ready());
        let mut count = self
            .completions
            .count
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        loop {
            if front_ready() {
                return true;
            }
            match timeout {
                None => {
                    count = self
                        .completions
                        .changed
                        .wait(count)
                        .unwrap_or_else(PoisonError::into_inner);
                }
                Some(t) => {
                    let (c, res) = self
                        .completions
                        .changed
                        .wait_timeout(count, t)
                        .unwrap_or_else(PoisonError::into_inner);
                    count = c;
                    if res.timed_out() {
                        return front_ready();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
#[cfg(test)]
mod tests;
