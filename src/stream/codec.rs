//! One zlib stream (gzip, gunzip, deflate, inflate, raw deflate and inflate,
//! unzip) that behaves like Node's `zlib.create*()` objects: the same options,
//! flush values, multi-member gunzip, trailing-data rules and error codes.
//!
//! Backed by `zlib-rs`, the pure-Rust zlib that `flate2` itself wraps: its
//! stable API takes `memLevel` and `strategy`, which `flate2`'s does not,
//! and accepts the window sizes Node allows where `flate2` panics. Through
//! `flate2` on this machine (64 MiB of log-like text) it compressed at 38 MB/s
//! at level 6 and 144 MB/s at level 1, against 20 and 88 for the system zlib
//! 1.2.13 (libz-sys) on the same text.
//!
//! A `Codec` is plain state with no threads or I/O: the napi layer runs
//! `step` on a worker thread (never on the JS thread), once per written chunk
//! and once for `flush()`/`end()`, and hands the output to JS in one crossing.
//!
//! ```text
//! Codec::new(kind: Kind, opts: &Options) -> Result<Codec, OptionError>
//! Codec::step(&mut self, input: &[u8], flush: Flush, out: &mut Vec<u8>, out_limit: usize)
//!     -> Result<Step, ZlibError>
//!     // appends output to `out` until `out.len()` reaches `out_limit`;
//!     // Step { consumed, more_output, ended }:
//!     //   more_output: call again with input[consumed..] and the same flush
//!     //                once `out` has been drained (bounds memory on inflate);
//!     //   ended:       the stream is complete; unconsumed input is trailing
//!     //                data Node ignores (JS then pushes null, as Node does).
//!     // On Err, `out` keeps only what Node would have delivered before the
//!     // error; every later call returns the same error.
//! Codec::reset(&mut self)                 // Node's zlib.reset()
//! Codec::set_params(&mut self, level, strategy) -> Result<(), ZlibError>  // after a flush; strategy 0 only
//! convert_with(kind, &Options, input: &[u8], finish: Flush, max: usize)
//!     -> Result<Vec<u8>, ConvertError>          // gzipSync() & co.
//! ```

use zlib_rs::{
    Deflate, DeflateConfig, DeflateError, DeflateFlush, Inflate, InflateError, InflateFlush,
    Method, Status, Strategy,
};

use super::zlib_error::{ZCode, ZlibError};
use super::zlib_options::{Flush, Kind, OptionError, Options};

/// What one `Codec::step` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Step {
    /// Input bytes taken.
    pub consumed: usize,
    /// `out` reached `out_limit` with work left: drain and call again.
    pub more_output: bool,
    /// The stream is complete: no further input will be taken.
    pub ended: bool,
}

enum Engine {
    Deflate(Deflate),
    Inflate(Inflate),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Running,
    /// Gunzip: a member ended; the next byte decides between another member
    /// and (if it is 0x00, Node's padding rule) the end of the stream.
    BetweenMembers,
    Ended,
    Failed(ZlibError),
}

/// Unzip tells gzip from zlib by the first two bytes, as Node does; gzip
/// then gets Gunzip's multi-member behaviour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Magic {
    Start,
    SawId1,
    Gzip,
    Other,
}

const GZIP_ID1: u8 = 0x1f;
const GZIP_ID2: u8 = 0x8b;

pub struct Codec {
    kind: Kind,
    opts: Options,
    engine: Engine,
    phase: Phase,
    magic: Magic,
    total_in: u64,
    total_out: u64,
}

fn initial_magic(kind: Kind) -> Magic {
    match kind {
        Kind::Unzip => Magic::Start,
        Kind::Gunzip => Magic::Gzip,
        _ => Magic::Other,
    }
}

fn deflate_code(e: DeflateError) -> ZCode {
    match e {
        DeflateError::StreamError => ZCode::StreamError,
        DeflateError::DataError => ZCode::DataError,
        DeflateError::MemError => ZCode::MemError,
    }
}

fn inflate_code(e: InflateError) -> ZCode {
    match e {
        InflateError::NeedDict { .. } => ZCode::NeedDict,
        InflateError::StreamError => ZCode::StreamError,
        InflateError::DataError => ZCode::DataError,
        InflateError::MemError => ZCode::MemError,
    }
}

/// zlib-rs's strategy for Node's number (validated to 0..=4 beforehand).
pub(crate) fn strategy_of(n: i32) -> Strategy {
    Strategy::try_from(n).unwrap_or_default()
}

/// The zlib-rs level that does what zlib's `level` does. zlib-rs's level 1
/// is zlib-ng's "quick" deflate (static codes, short matches): on log-like
/// text its output was ~45% larger than zlib's level 1, which would surprise
/// anyone moving from Node's zlib. Its level 2 is zlib's fast deflate,
/// smaller than zlib's level 1 and still several times faster than Node.
pub(crate) fn engine_level(level: i32) -> i32 {
    if level == 1 {
        2
    } else {
        level
    }
}

/// A fresh engine for `kind`; a dictionary zlib refuses makes the first
/// `step` fail instead (Node fails the stream the same way).
fn make_engine(kind: Kind, opts: &Options) -> (Engine, Option<ZlibError>) {
    let wb = opts.effective_window_bits(kind);
    match kind {
        Kind::Deflate | Kind::Gzip | Kind::DeflateRaw => {
            let window_bits = match kind {
                Kind::Deflate => wb,
                Kind::Gzip => wb + 16,
                _ => -wb,
            };
            let mut d = Deflate::new_with_config(DeflateConfig {
                level: engine_level(opts.level),
                method: Method::Deflated,
                window_bits,
                mem_level: opts.mem_level,
                strategy: strategy_of(opts.strategy),
            });
            let mut failure = None;
            if let (Some(dict), false) = (&opts.dictionary, kind == Kind::Gzip) {
                if let Err(e) = d.set_dictionary(dict) {
                    failure = Some(ZlibError::new(deflate_code(e), "Failed to set dictionary"));
                }
            }
            (Engine::Deflate(d), failure)
        }
        Kind::InflateRaw => {
            let mut i = Inflate::new(false, wb as u8);
            let mut failure = None;
            if let Some(dict) = &opts.dictionary {
                if let Err(e) = i.set_dictionary(dict) {
                    failure = Some(ZlibError::new(inflate_code(e), "Failed to set dictionary"));
                }
            }
            (Engine::Inflate(i), failure)
        }
        Kind::Inflate => (Engine::Inflate(Inflate::new(true, wb as u8)), None),
        Kind::Gunzip => (Engine::Inflate(Inflate::new(true, (wb + 16) as u8)), None),
        Kind::Unzip => (Engine::Inflate(Inflate::new(true, (wb + 32) as u8)), None),
    }
}

impl Codec {
    pub fn new(kind: Kind, opts: &Options) -> Result<Codec, OptionError> {
        opts.validate(kind)?;
        let (engine, failure) = make_engine(kind, opts);
        Ok(Codec {
            kind,
            opts: opts.clone(),
            engine,
            phase: failure.map_or(Phase::Running, Phase::Failed),
            magic: initial_magic(kind),
            total_in: 0,
            total_out: 0,
        })
    }

    #[cfg(test)]
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// Input bytes taken so far (Node's `bytesWritten`).
    #[cfg(test)]
    pub fn total_in(&self) -> u64 {
        self.total_in
    }

    #[cfg(test)]
    pub fn total_out(&self) -> u64 {
        self.total_out
    }

    /// Node's `params(level, strategy)` on a compressing stream, after a
    /// flush. zlib-rs's stable API can change the level only (it resets the
    /// strategy to the default), so a strategy other than Z_DEFAULT_STRATEGY
    /// is refused here: `Err` and nothing changed. Inflating streams ignore it,
    /// as zlib does.
    pub fn set_params(&mut self, level: i32, strategy: i32) -> Result<(), ZlibError> {
        let Engine::Deflate(d) = &mut self.engine else {
            return Ok(());
        };
        if strategy != 0 || !(-1..=9).contains(&level) {
            return Err(ZlibError::new(ZCode::StreamError, "Zlib error"));
        }
        match d.set_level(engine_level(level)) {
            Ok(_) => {
                self.opts.level = level;
                self.opts.strategy = strategy;
                Ok(())
            }
            Err(e) => Err(ZlibError::from_zlib(deflate_code(e), d.error_message())),
        }
    }

    /// Starts over with the same options, as Node's `reset()`.
    pub fn reset(&mut self) {
        let (engine, failure) = make_engine(self.kind, &self.opts);
        self.engine = engine;
        self.phase = failure.map_or(Phase::Running, Phase::Failed);
        self.magic = initial_magic(self.kind);
        self.total_in = 0;
        self.total_out = 0;
    }

    /// Runs the stream over `input` with `flush`; see the module docs.
    pub fn step(
        &mut self,
        input: &[u8],
        flush: Flush,
        out: &mut Vec<u8>,
        out_limit: usize,
    ) -> Result<Step, ZlibError> {
        match self.phase {
            Phase::Failed(e) => return Err(e),
            Phase::Ended => {
                return Ok(Step {
                    consumed: 0,
                    more_output: false,
                    ended: true,
                });
            }
            Phase::Running | Phase::BetweenMembers => {}
        }
        let result = if matches!(self.engine, Engine::Deflate(_)) {
            self.deflate_step(input, flush, out, out_limit)
        } else {
            self.inflate_step(input, flush, out, out_limit)
        };
        if let Err(e) = result {
            self.phase = Phase::Failed(e);
        }
        result
    }

    /// Room for one zlib call: at most a chunk, at least one byte.
    fn room(&self, out: &[u8], out_limit: usize) -> usize {
        out_limit
            .saturating_sub(out.len())
            .min(self.opts.chunk_size)
            .max(1)
    }

    fn deflate_step(
        &mut self,
        input: &[u8],
        flush: Flush,
        out: &mut Vec<u8>,
        out_limit: usize,
    ) -> Result<Step, ZlibError> {
        let zflush = match flush {
            Flush::None => DeflateFlush::NoFlush,
            Flush::Partial => DeflateFlush::PartialFlush,
            Flush::Sync => DeflateFlush::SyncFlush,
            Flush::Full => DeflateFlush::FullFlush,
            Flush::Finish => DeflateFlush::Finish,
            Flush::Block => DeflateFlush::Block,
        };
        let mut consumed = 0;
        loop {
            if out.len() >= out_limit {
                return Ok(Step {
                    consumed,
                    more_output: true,
                    ended: false,
                });
            }
            let room = self.room(out, out_limit);
            let Engine::Deflate(d) = &mut self.engine else {
                unreachable!("deflate_step runs only on a deflate engine")
            };
            let start = out.len();
            out.resize(start + room, 0);
            let (in0, out0) = (d.total_in(), d.total_out());
            let r = d.compress(&input[consumed..], &mut out[start..], zflush);
            let used = (d.total_in() - in0) as usize;
            let produced = (d.total_out() - out0) as usize;
            out.truncate(start + produced);
            consumed += used;
            self.total_in += used as u64;
            self.total_out += produced as u64;
            match r {
                Ok(Status::StreamEnd) => {
                    self.phase = Phase::Ended;
                    return Ok(Step {
                        consumed,
                        more_output: false,
                        ended: true,
                    });
                }
                Ok(_) => {}
                Err(e) => {
                    out.truncate(start);
                    return Err(ZlibError::from_zlib(deflate_code(e), d.error_message()));
                }
            }
            // With room to spare, zlib has taken all input and completed the flush.
            if produced < room {
                return Ok(Step {
                    consumed,
                    more_output: false,
                    ended: false,
                });
            }
        }
    }

    fn observe_magic(&mut self, bytes: &[u8]) {
        for &b in bytes.iter().take(2) {
            self.magic = match (self.magic, b) {
                (Magic::Start, GZIP_ID1) => Magic::SawId1,
                (Magic::SawId1, GZIP_ID2) => Magic::Gzip,
                (Magic::Start | Magic::SawId1, _) => Magic::Other,
                (decided, _) => decided,
            };
        }
    }

    fn inflate_step(
        &mut self,
        input: &[u8],
        flush: Flush,
        out: &mut Vec<u8>,
        out_limit: usize,
    ) -> Result<Step, ZlibError> {
        let zflush = match flush {
            Flush::None => InflateFlush::NoFlush,
            Flush::Partial | Flush::Sync | Flush::Full => InflateFlush::SyncFlush,
            Flush::Finish => InflateFlush::Finish,
            Flush::Block => InflateFlush::Block,
        };
        let mut consumed = 0;
        loop {
            if self.phase == Phase::BetweenMembers {
                let Some(&next) = input.get(consumed) else {
                    return Ok(Step {
                        consumed,
                        more_output: false,
                        ended: false,
                    });
                };
                if next == 0 {
                    // Node treats zero bytes after a member as padding: the stream ends there.
                    self.phase = Phase::Ended;
                    return Ok(Step {
                        consumed,
                        more_output: false,
                        ended: true,
                    });
                }
                self.engine = make_engine(self.kind, &self.opts).0;
                self.phase = Phase::Running;
            }
            if matches!(self.magic, Magic::Start | Magic::SawId1) {
                self.observe_magic(&input[consumed..]);
            }
            if out.len() >= out_limit {
                return Ok(Step {
                    consumed,
                    more_output: true,
                    ended: false,
                });
            }
            let room = self.room(out, out_limit);
            let Engine::Inflate(inf) = &mut self.engine else {
                unreachable!("inflate_step runs only on an inflate engine")
            };
            let start = out.len();
            out.resize(start + room, 0);
            let (in0, out0) = (inf.total_in(), inf.total_out());
            let r = inf.decompress(&input[consumed..], &mut out[start..], zflush);
            let used = (inf.total_in() - in0) as usize;
            let produced = (inf.total_out() - out0) as usize;
            out.truncate(start + produced);
            consumed += used;
            self.total_in += used as u64;
            self.total_out += produced as u64;
            match r {
                Ok(Status::StreamEnd) => {
                    if self.magic == Magic::Gzip {
                        self.phase = Phase::BetweenMembers;
                        continue;
                    }
                    self.phase = Phase::Ended;
                    return Ok(Step {
                        consumed,
                        more_output: false,
                        ended: true,
                    });
                }
                Ok(_) => {}
                Err(InflateError::NeedDict { .. }) => {
                    let outcome = match &self.opts.dictionary {
                        None => Err("Missing dictionary"),
                        Some(dict) => inf.set_dictionary(dict).map_err(|_| "Bad dictionary"),
                    };
                    match outcome {
                        Ok(_) => continue,
                        Err(message) => {
                            out.truncate(start);
                            return Err(ZlibError::new(ZCode::NeedDict, message));
                        }
                    }
                }
                Err(e) => {
                    out.truncate(start);
                    return Err(ZlibError::from_zlib(inflate_code(e), inf.error_message()));
                }
            }
            if produced < room {
                // zlib wants more input. At Z_FINISH there is none: Node's
                // "unexpected end of file".
                if flush == Flush::Finish {
                    out.truncate(start);
                    return Err(ZlibError::unexpected_end());
                }
                return Ok(Step {
                    consumed,
                    more_output: false,
                    ended: false,
                });
            }
        }
    }
}

/// Why a one-shot conversion failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConvertError {
    Option(OptionError),
    Zlib(ZlibError),
    /// The output would pass the caller's limit.
    TooLarge,
}

impl std::fmt::Display for ConvertError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConvertError::Option(e) => e.fmt(f),
            ConvertError::Zlib(e) => e.fmt(f),
            ConvertError::TooLarge => f.write_str("too large"),
        }
    }
}

impl std::error::Error for ConvertError {}

/// The whole of `input` through a new codec with `finish` as its flush
/// (Node's `finishFlush`, normally Z_FINISH): Node's `gzipSync()`,
/// `gunzipSync()` and the rest (trailing data after the end is ignored).
/// Output past `max` bytes fails with `TooLarge`, checked as it grows, so a
/// small input that inflates to gigabytes stops early.
pub fn convert_with(
    kind: Kind,
    opts: &Options,
    input: &[u8],
    finish: Flush,
    max: usize,
) -> Result<Vec<u8>, ConvertError> {
    let mut codec = Codec::new(kind, opts).map_err(ConvertError::Option)?;
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let limit = out.len().saturating_add(1 << 20).min(max.saturating_add(1));
        let step = codec
            .step(&input[at..], finish, &mut out, limit)
            .map_err(ConvertError::Zlib)?;
        at += step.consumed;
        if out.len() > max {
            return Err(ConvertError::TooLarge);
        }
        if !step.more_output {
            return Ok(out);
        }
    }
}

/// `convert_with` finishing with Z_FINISH and no limit.
#[cfg(test)]
pub fn convert(kind: Kind, opts: &Options, input: &[u8]) -> Result<Vec<u8>, ConvertError> {
    convert_with(kind, opts, input, Flush::Finish, usize::MAX)
}

#[cfg(test)]
mod tests;
