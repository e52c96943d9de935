//! napi bindings of the native zlib streams (lib/zlib/*): one crossing per
//! call, the stream held by JS as an External, news coming back through the
//! JS thread's sink (`zlib_sink.rs`) in batches.
//!
//! ```text
//! zlibSink(callback(numbers, texts)) -> sink          once per JS thread
//! zlibCreate(sink, id, mode, level, windowBits, memLevel, strategy, chunkSize,
//!            dictionary | null) -> handle             options validated by JS first
//! zlibPush(handle, buffer, flush, thenFlush) -> bool   true: call the write callback now
//! zlibPushv(handle, buffers, flush, thenFlush) -> bool
//! zlibEnd(handle, finishFlush); zlibRead(handle) -> Buffer (a copy) | null
//! zlibParams(handle, level, strategy); zlibReset(handle); zlibClose(handle)
//! zlibFeed(handle) -> fd            a pipe sources splice into (native-seam.js)
//! zlibFeedSync(handle, totalSpliced) -> 0 | errno
//! zlibDrain(handle, fd, position); zlibDrainStop(handle, now)   output to a sink's fd
//! zlibPoke(handle)                  an IDLE update once nothing runs
//! zlibConvert(mode, level, windowBits, memLevel, strategy, chunkSize, dictionary, input,
//!             finishFlush, maxOutputLength) -> Buffer | "errno message" | "too large"
//! zlibCrc32(data, value) -> number
//! ```

// Test builds have no napi registration: the bindings look unused there.
#![cfg_attr(test, allow(dead_code))]

use std::os::fd::{BorrowedFd, OwnedFd};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{Buffer, BufferSlice, Either, Env, External, FnArgs, Function};
use napi::{Error, Result, Status};
use napi_derive::napi;

use super::codec::{convert_with, ConvertError};
use super::fdio;
use super::js_output::{copy_to_js, Made};
use super::parallel::{
    format_of, parallel_supports, ParallelDeflate, ParallelOptions, DEFAULT_BLOCK,
};
use super::pool;
use super::zlib_options::{Flush, Kind, Options};
use super::zlib_pipes::{self, Feed};
use super::zlib_sink::{Outbox, Sink};
use super::zlib_stream::{ZStream, DEFAULT_LIMITS};

/// What JS holds for one stream.
pub struct Handle {
    stream: Arc<ZStream>,
    sink: Arc<Sink>,
    id: u32,
    flush: Flush,
    /// Set by close(): stops a Rust-side pipeline through this stream.
    cancel: Arc<AtomicBool>,
    /// The pipe sources splice into, made on first use (zlib_pipes.rs).
    feed: Mutex<Option<Arc<Feed>>>,
    /// Set to stop the current drain at once (its sink is going away).
    drain_cancel: Mutex<Arc<AtomicBool>>,
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(Status::InvalidArg, message.into())
}

fn kind_of(mode: u32) -> Result<Kind> {
    Kind::from_node_mode(mode).ok_or_else(|| invalid(format!("unknown zlib mode {mode}")))
}

fn flush_of(flag: i32) -> Result<Flush> {
    Flush::from_node(flag).ok_or_else(|| invalid(format!("unknown flush flag {flag}")))
}

fn options(
    level: i32,
    window_bits: i32,
    mem_level: i32,
    strategy: i32,
    chunk_size: f64,
    dictionary: Option<BufferSlice>,
) -> Options {
    Options {
        level,
        // JS passes -1 for "not given".
        window_bits: (window_bits >= 0).then_some(window_bits),
        mem_level,
        strategy,
        chunk_size: if chunk_size.is_finite() && chunk_size >= 0.0 {
            chunk_size.min(usize::MAX as f64) as usize
        } else {
            0
        },
        dictionary: dictionary.map(|d| d.to_vec()),
    }
}

/// What JS passes to `zlibSink`: called with (numbers, buffers).
type SinkCallback<'a> = Function<'a, FnArgs<(Vec<f64>, Vec<String>)>, ()>;

/// Registers this JS thread's callback; returns the sink streams report to.
#[napi(js_name = "zlibSink", catch_unwind)]
pub fn zlib_sink(callback: SinkCallback<'_>) -> Result<External<Arc<Sink>>> {
    let outbox = Arc::new(Mutex::new(Outbox::default()));
    let drained = outbox.clone();
    let tsfn = callback
        .build_threadsafe_function::<()>()
        .weak::<true>()
        .build_callback(move |_ctx| {
            let mut o = drained.lock().unwrap_or_else(|p| p.into_inner());
            Ok(FnArgs::from(o.take()))
        })?;
    Ok(External::new(Arc::new(Sink::new(outbox, tsfn))))
}

#[napi(js_name = "zlibCreate", catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn zlib_create(
    sink: &External<Arc<Sink>>,
    id: u32,
    mode: u32,
    level: i32,
    window_bits: i32,
    mem_level: i32,
    strategy: i32,
    chunk_size: f64,
    dictionary: Option<BufferSlice>,
    default_flush: i32,
) -> Result<External<Handle>> {
    let kind = kind_of(mode)?;
    let opts = options(
        level,
        window_bits,
        mem_level,
        strategy,
        chunk_size,
        dictionary,
    );
    let flush = flush_of(default_flush)?;
    let sink: Arc<Sink> = Arc::clone(sink);
    let stream = ZStream::new(
        id,
        kind,
        &opts,
        flush,
        sink.clone(),
        pool::global(),
        DEFAULT_LIMITS,
    )
    .map_err(|e| Error::new(Status::InvalidArg, e.to_string()))?;
    Ok(External::new(Handle {
        stream,
        sink,
        id,
        flush,
        cancel: Arc::new(AtomicBool::new(false)),
        feed: Mutex::new(None),
        drain_cancel: Mutex::new(Arc::new(AtomicBool::new(false))),
    }))
}

fn then_flush(flag: i32) -> Result<Option<Flush>> {
    if flag < 0 {
        Ok(None)
    } else {
        flush_of(flag).map(Some)
    }
}

#[napi(js_name = "zlibPush", catch_unwind)]
pub fn zlib_push(
    handle: &External<Handle>,
    chunk: BufferSlice,
    flush: i32,
    then: i32,
) -> Result<bool> {
    let flush = flush_of(flush)?;
    Ok(handle
        .stream
        .push([chunk.as_ref()], flush, then_flush(then)?))
}

#[napi(js_name = "zlibPushv", catch_unwind)]
pub fn zlib_pushv(
    handle: &External<Handle>,
    chunks: Vec<BufferSlice>,
    flush: i32,
    then: i32,
) -> Result<bool> {
    let flush = flush_of(flush)?;
    Ok(handle
        .stream
        .push(chunks.iter().map(|c| c.as_ref()), flush, then_flush(then)?))
}

#[napi(js_name = "zlibEnd", catch_unwind)]
pub fn zlib_end(handle: &External<Handle>, finish_flush: i32) -> Result<()> {
    handle.stream.end(flush_of(finish_flush)?);
    Ok(())
}

/// The output that is ready, copied into a new Buffer, or null (then an
/// update says DATA when there is some).
#[napi(js_name = "zlibRead", catch_unwind)]
pub fn zlib_read(env: Env, handle: &External<Handle>) -> Result<Option<Made>> {
    handle
        .stream
        .read(|bytes| copy_to_js(&env, bytes))
        .transpose()
}

#[napi(js_name = "zlibParams", catch_unwind)]
pub fn zlib_params(handle: &External<Handle>, level: i32, strategy: i32) {
    handle.stream.params(level, strategy);
}

#[napi(js_name = "zlibReset", catch_unwind)]
pub fn zlib_reset(handle: &External<Handle>) {
    handle.stream.reset();
}

#[napi(js_name = "zlibClose", catch_unwind)]
pub fn zlib_close(handle: &External<Handle>) {
    fdio::raise(&handle.cancel);
    fdio::raise(&lock(&handle.drain_cancel));
    if let Some(feed) = lock(&handle.feed).take() {
        feed.close();
    }
    handle.stream.close();
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The fd a source may splice into this stream's input (a pipe Rust
/// reads into the queue), made on first use; -1 if none can be made.
#[napi(js_name = "zlibFeed", catch_unwind)]
pub fn zlib_feed(handle: &External<Handle>) -> i32 {
    let mut feed = lock(&handle.feed);
    if feed.is_none() {
        *feed = Feed::start(handle.stream.clone(), handle.flush).ok();
    }
    feed.as_ref().map_or(-1, |f| f.fd())
}

/// A splice into the feed ended having written `total` bytes since the
/// stream began: queue all of them now, before any later JS write.
/// Returns 0 or an errno.
#[napi(js_name = "zlibFeedSync", catch_unwind)]
pub fn zlib_feed_sync(handle: &External<Handle>, total: f64) -> i32 {
    let feed = lock(&handle.feed).clone();
    match feed {
        Some(f) => f
            .sync(total.max(0.0) as u64)
            .map_or_else(|e| e as i32, |_| 0),
        None => 0,
    }
}

/// Writes this stream's output to `fd` (at `position`, or the fd's own
/// when negative) from a thread of its own, instead of handing it to JS;
/// a drain record says when it stops. The fd is duplicated: the sink may
/// close its own at any time.
#[napi(js_name = "zlibDrain", catch_unwind)]
pub fn zlib_drain(handle: &External<Handle>, fd: i32, position: f64) -> Result<()> {
    let owned = dup_fd(fd)?;
    let cancel = Arc::new(AtomicBool::new(false));
    *lock(&handle.drain_cancel) = cancel.clone();
    let (sink, id) = (handle.sink.clone(), handle.id);
    zlib_pipes::drain(
        handle.stream.clone(),
        owned,
        position_of(position),
        cancel,
        move |d| sink.drained(id, d),
    )
    .map_err(|e| Error::new(Status::GenericFailure, format!("thread: {e}")))
}

/// A call with no effect but an IDLE update once nothing runs.
#[napi(js_name = "zlibPoke", catch_unwind)]
pub fn zlib_poke(handle: &External<Handle>) {
    handle.stream.poke();
}

/// Stops the drain after its current write, or (`now`) at once.
#[napi(js_name = "zlibDrainStop", catch_unwind)]
pub fn zlib_drain_stop(handle: &External<Handle>, now: bool) {
    if now {
        fdio::raise(&lock(&handle.drain_cancel));
    }
    handle.stream.stop_drain();
}

fn dup_fd(fd: i32) -> Result<OwnedFd> {
    if fd < 0 {
        return Err(invalid("bad file descriptor"));
    }
    // SAFETY: JS passes a descriptor its stream holds open for the duration
    // of this call; it is only borrowed here, to be duplicated.
    let borrowed = unsafe { BorrowedFd::borrow_raw(fd) };
    borrowed
        .try_clone_to_owned()
        .map_err(|e| Error::new(Status::GenericFailure, format!("dup: {e}")))
}

fn position_of(n: f64) -> Option<u64> {
    (n >= 0.0 && n.is_finite()).then_some(n as u64)
}

/// A whole buffer through a new codec, on the JS thread (Node's *Sync
/// functions block it too). Large compressions without a dictionary spread
/// over the pool while this thread waits. A failure comes back as a string
/// for JS to turn into Node's error: "errno message", or "too large" when
/// the output would pass `max_output` (checked as it grows, so a small
/// input that inflates to gigabytes stops early).
#[napi(js_name = "zlibConvert", catch_unwind)]
#[allow(clippy::too_many_arguments)]
pub fn zlib_convert(
    mode: u32,
    level: i32,
    window_bits: i32,
    mem_level: i32,
    strategy: i32,
    chunk_size: f64,
    dictionary: Option<BufferSlice>,
    input: BufferSlice,
    finish_flush: i32,
    max_output: f64,
) -> Result<Either<Buffer, String>> {
    let kind = kind_of(mode)?;
    let finish = flush_of(finish_flush)?;
    let opts = options(
        level,
        window_bits,
        mem_level,
        strategy,
        chunk_size,
        dictionary,
    );
    opts.validate(kind).map_err(|e| invalid(e.to_string()))?;
    let max = if max_output.is_finite() && max_output >= 1.0 {
        max_output.min(usize::MAX as f64) as usize
    } else {
        usize::MAX
    };
    let result = match format_of(kind) {
        Some(format)
            if finish == Flush::Finish
                && parallel_supports(&opts)
                && input.len() > 2 * DEFAULT_BLOCK =>
        {
            let p = ParallelOptions::new(format, &opts).map_err(|e| invalid(e.to_string()))?;
            compress_blocking(p, &input).and_then(|out| {
                if out.len() > max {
                    Err(ConvertError::TooLarge)
                } else {
                    Ok(out)
                }
            })
        }
        _ => convert_with(kind, &opts, &input, finish, max),
    };
    match result {
        Ok(out) => Ok(Either::A(Buffer::from(out))),
        Err(ConvertError::Zlib(z)) => Ok(Either::B(format!("{} {}", z.errno(), z.message))),
        Err(ConvertError::TooLarge) => Ok(Either::B("too large".to_owned())),
        Err(ConvertError::Option(e)) => Err(invalid(e.to_string())),
    }
}

fn compress_blocking(
    p: ParallelOptions,
    input: &[u8],
) -> std::result::Result<Vec<u8>, ConvertError> {
    let mut z = ParallelDeflate::new(p, None);
    let mut out = Vec::with_capacity(input.len() / 3);
    let mut at = 0;
    while at < input.len() {
        let took = z.write(&input[at..]);
        at += took;
        if took == 0 {
            z.wait(None);
        }
        z.take_output(&mut out).map_err(ConvertError::Zlib)?;
    }
    while !z.finish() {
        z.wait(None);
        z.take_output(&mut out).map_err(ConvertError::Zlib)?;
    }
    while !z.take_output(&mut out).map_err(ConvertError::Zlib)? {
        z.wait(None);
    }
    Ok(out)
}

/// Node's `zlib.crc32(data, value)`: continues `value` over `data`.
#[napi(js_name = "zlibCrc32", catch_unwind)]
pub fn zlib_crc32(data: Either<String, BufferSlice>, value: u32) -> u32 {
    let bytes: &[u8] = match &data {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b.as_ref(),
    };
    zlib_rs::crc32::crc32(value, bytes)
}
