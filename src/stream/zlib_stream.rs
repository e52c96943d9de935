//! One native zlib transform stream: the state JS writes into and reads
//! from, driven on the compression pool, never on the JS thread.
//!
//! JS talks to a `ZStream` through a handful of calls, each one crossing:
//!
//! ```text
//! ZStream::new(id, kind, &Options, default_flush, post, pool) -> Result<Arc<ZStream>, OptionError>
//! push(&self, chunks, then_flush: Option<Flush>) -> bool   // true: the write callback may run now
//! end(&self, finish_flush: Flush)                          // ENDED arrives when every byte is out
//! read(&self, take: impl FnOnce(&[u8]) -> R) -> Option<R>   // output ready now, else `want` is noted
//! reset(&self); params(&self, level, strategy); close(&self)
//! ```
//!
//! and hears back through `Post::post(Update)`, batched by the napi layer:
//! flags — `DATA` (output is ready and JS asked for it: read it), `RELEASED` (the one
//! write/flush callback JS holds may run), `EOF` (the compressed stream ended
//! before `end()`: Node pushes null then), `ENDED` (end() is complete and all
//! output delivered), `ERROR`, and `IDLE` with the number of calls seen, so JS
//! knows when nothing runs for this stream any more and stops holding the
//! event loop open.
//!
//! Input is copied once, into the queue. The queue accepts a write at once
//! while it holds at most `in_high` bytes, else the write's callback waits
//! until the driver has taken the queue below half of that. Output waits in
//! `ready` (at most about `out_batch` bytes: the driver stops when it is
//! full and JS has not asked) and leaves as one copy per delivery, made by
//! `read`'s caller. So memory per stream is bounded whatever the input size
//! and however slow the reader: `in_high` + `out_batch` + the parallel
//! engine's blocks in flight.
//!
//! Memory is also kept from churning between threads: the buffers of `ready`
//! and of spent input stay with the stream and are used again (a few spare
//! input buffers are kept), so bytes allocated on one thread are not freed
//! on another — with glibc that left freed memory stranded in per-thread
//! arenas and grew RSS by tens of MiB over a 1 GiB stream.
//!
//! Compression without a dictionary and without a per-write flush runs on
//! `ParallelDeflate` (several cores); everything else on `Codec`.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::time::Duration;

use super::codec::Codec;
use super::driver::Driver;
use super::parallel::{format_of, parallel_supports, ParallelDeflate, ParallelOptions};
use super::pool::Pool;
use super::zlib_error::ZlibError;
use super::zlib_options::{Flush, Kind, OptionError, Options};

/// The write or flush callback JS holds may now run.
pub const RELEASED: u32 = 1;
/// Output is ready and JS asked for it: `read` takes it.
pub const DATA: u32 = 32;
/// The compressed stream ended before `end()`; push null (Node does).
pub const EOF: u32 = 2;
/// `end()` is complete: every output byte has been delivered.
pub const ENDED: u32 = 4;
/// Nothing runs for this stream until JS calls again (`seq` says after which call).
pub const IDLE: u32 = 8;
/// `error` is set; the stream is dead.
pub const ERROR: u32 = 16;

/// What JS hears about one stream.
#[derive(Debug, Default)]
pub struct Update {
    pub id: u32,
    pub flags: u32,
    /// Input bytes the engine has taken in total (Node's `bytesWritten`).
    pub consumed: u64,
    /// With IDLE: how many calls the stream had seen.
    pub seq: u64,
    /// With RELEASED: which call (its number in `seq`'s count) was held.
    pub released_seq: u64,
    pub error: Option<ZlibError>,
}

/// Where updates go (the napi layer batches them into JS calls).
pub trait Post: Send + Sync {
    fn post(&self, update: Update);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// A write is accepted at once while the queue stays within this.
    pub in_high: usize,
    /// The driver stops producing while this much output waits for JS.
    pub out_batch: usize,
}

pub const DEFAULT_LIMITS: Limits = Limits {
    in_high: 1 << 20,
    out_batch: 256 << 10,
};

/// Output produced per serial step, between looks at the shared state.
const STEP_OUT: usize = 64 << 10;
/// Emptied input buffers kept for reuse, and the largest kept.
const SPARE_INPUTS: usize = 4;
const SPARE_MAX: usize = 2 << 20;

enum Cmd {
    Data(Vec<u8>, Flush),
    Flush(Flush),
    Params(i32, i32),
    Finish(Flush),
    Reset,
}

/// Which callback JS holds, and what releases it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hold {
    None,
    /// A write: released when the queue is down to half of `in_high`.
    Room,
    /// A flush or params: released when it is done and its output delivered.
    Command,
}

struct Shared {
    queue: VecDeque<Cmd>,
    queued: usize,
    hold: Hold,
    /// The call that set `hold`, and the one RELEASED will name.
    hold_seq: u64,
    released_seq: u64,
    want: bool,
    ready: Vec<u8>,
    /// Emptied input buffers, for the next writes (at most `SPARE_INPUTS`).
    spare: Vec<Vec<u8>>,
    /// Flags to post once `ready` has been delivered.
    due: u32,
    /// Flags to post at the next delivery whatever `ready` holds.
    now: u32,
    consumed: u64,
    seq: u64,
    idle_seq: u64,
    closed: bool,
    failed: bool,
    /// ENDED has been posted: nothing more will be.
    finished: bool,
    /// No more output will be made (ENDED or EOF is due or posted).
    output_done: bool,
    /// A Rust thread takes the output (`take_output`) instead of JS.
    drained: bool,
    /// That thread is asked to stop after its current write.
    drain_stop: bool,
}

enum Engine {
    Serial(Box<Codec>),
    Parallel(Box<ParallelDeflate>),
    Closed,
}

/// The driver's own state: only a pool job running the driver touches it.
struct Work {
    engine: Engine,
    current: Option<Cmd>,
    /// Bytes of the current data command taken.
    at: usize,
    /// Parallel: the current flush, params or finish has been dispatched.
    dispatched: bool,
    /// Output of the last step, not yet moved to `Shared::ready`.
    out: Vec<u8>,
    /// Input buffers the last steps finished with, to go back to `spare`.
    spent: Vec<Vec<u8>>,
    consumed: u64,
    due: u32,
    error: Option<ZlibError>,
    /// The compressed stream is complete: later input is trailing data.
    ended: bool,
    /// The last step could not go on until a pool block completes.
    waiting: bool,
}

pub struct ZStream {
    id: u32,
    pshared: Mutex<Shared>,
    /// Signalled when the queue shrinks or the stream closes (for `wait_room`).
    room: Condvar,
    /// Signalled when output is added or will never come (for `take_output`).
    produced: Condvar,
    work: Mutex<Work>,
    driver: Driver,
    post: Arc<dyn Post>,
    pool: &'static Pool,
    limits: Limits,
    popts: Option<ParallelOptions>,
    me: Weak<ZStream>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ZStream {
    /// A stream of `kind`; `default_flush` is Node's `flush` option (applied
    /// to every write). Options are validated as Node does.
    pub fn new(
        id: u32,
        kind: Kind,
        opts: &Options,
        default_flush: Flush,
        post: Arc<dyn Post>,
        pool: &'static Pool,
        limits: Limits,
    ) -> Result<Arc<ZStream>, OptionError> {
        opts.validate(kind)?;
        let popts = match format_of(kind) {
            Some(format) if parallel_supports(opts) && default_flush == Flush::None => {
                Some(ParallelOptions::new(format, opts)?)
            }
            _ => None,
        };
        let codec = match popts {
            Some(_) => None,
            None => Some(Codec::new(kind, opts)?),
        };
        Ok(Arc::new_cyclic(|me: &Weak<ZStream>| {
            let engine = match codec {
                Some(c) => Engine::Serial(Box::new(c)),
                None => Engine::Parallel(Box::new(new_parallel(popts, me, pool))),
            };
            ZStream {
                id,
                pshared: Mutex::new(Shared {
                    queue: VecDeque::new(),
                    queued: 0,
                    hold: Hold::None,
                    hold_seq: 0,
                    released_seq: 0,
                    want: false,
                    ready: Vec::new(),
                    spare: Vec::new(),
                    due: 0,
                    now: 0,
                    consumed: 0,
                    seq: 0,
                    idle_seq: 0,
                    closed: false,
                    failed: false,
                    finished: false,
                    output_done: false,
                    drained: false,
                    drain_stop: false,
                }),
                work: Mutex::new(Work {
                    engine,
                    current: None,
                    at: 0,
                    dispatched: false,
                    out: Vec::new(),
                    spent: Vec::new(),
                    consumed: 0,
                    due: 0,
                    error: None,
                    ended: false,
                    waiting: false,
                }),
                room: Condvar::new(),
                produced: Condvar::new(),
                driver: Driver::new(),
                post,
                pool,
                limits: Limits {
                    in_high: limits.in_high.max(1),
                    out_batch: limits.out_batch.max(1),
                },
                popts,
                me: me.clone(),
            }
        }))
    }

    /// Whether compression runs on several cores.
    #[cfg(test)]
    pub fn is_parallel(&self) -> bool {
        self.popts.is_some()
    }

    fn shared(&self) -> MutexGuard<'_, Shared> {
        lock(&self.pshared)
    }

    /// Queues `chunks` (copied) with the stream's flush, then an explicit
    /// flush if asked. True when JS may call the write callback now; false
    /// when it waits for RELEASED.
    pub fn push<'a>(
        &self,
        chunks: impl IntoIterator<Item = &'a [u8]>,
        default_flush: Flush,
        then_flush: Option<Flush>,
    ) -> bool {
        let released = {
            let mut s = self.shared();
            s.seq += 1;
            if s.closed || s.failed || s.finished {
                return true;
            }
            if default_flush == Flush::None {
                let mut all = s.spare.pop().unwrap_or_default();
                for c in chunks {
                    all.extend_from_slice(c);
                }
                s.queued += all.len();
                s.queue.push_back(Cmd::Data(all, Flush::None));
            } else {
                for c in chunks {
                    let mut one = s.spare.pop().unwrap_or_default();
                    one.extend_from_slice(c);
                    s.queued += c.len();
                    s.queue.push_back(Cmd::Data(one, default_flush));
                }
            }
            if let Some(f) = then_flush {
                s.queue.push_back(Cmd::Flush(f));
                s.hold = Hold::Command;
                s.hold_seq = s.seq;
                false
            } else if s.queued > self.limits.in_high {
                s.hold = Hold::Room;
                s.hold_seq = s.seq;
                false
            } else {
                true
            }
        };
        self.kick();
        released
    }

    /// No more input; `finish` is Node's `finishFlush` (normally Z_FINISH).
    pub fn end(&self, finish: Flush) {
        {
            let mut s = self.shared();
            s.seq += 1;
            if s.closed || s.failed || s.finished {
                return;
            }
            s.queue.push_back(Cmd::Finish(finish));
        }
        self.kick();
    }

    /// Node's `params()`: a sync flush, then new settings; RELEASED after.
    pub fn params(&self, level: i32, strategy: i32) {
        {
            let mut s = self.shared();
            s.seq += 1;
            if s.closed || s.failed || s.finished {
                return;
            }
            s.queue.push_back(Cmd::Params(level, strategy));
            s.hold = Hold::Command;
            s.hold_seq = s.seq;
        }
        self.kick();
    }

    /// Node's `reset()`, in order with the writes before it.
    pub fn reset(&self) {
        {
            let mut s = self.shared();
            s.seq += 1;
            if s.closed || s.failed {
                return;
            }
            s.finished = false;
            s.output_done = false;
            s.queue.push_back(Cmd::Reset);
        }
        self.kick();
    }

    /// Hands the output that is ready to `take` (which copies it), if any;
    /// otherwise JS will be told (DATA) when there is some.
    pub fn read<R>(&self, take: impl FnOnce(&[u8]) -> R) -> Option<R> {
        let got = {
            let mut s = self.shared();
            s.seq += 1;
            if s.closed {
                return None;
            }
            if s.ready.is_empty() {
                if !s.failed {
                    s.want = true;
                }
                None
            } else {
                s.want = false;
                let got = take(&s.ready);
                s.ready.clear();
                Some(got)
            }
        };
        // Room was made, or output is wanted: the driver may go on, and
        // will post what became due.
        self.kick();
        got
    }

    /// Stops everything: queued input and pending output are dropped, the
    /// engine is released by the driver, and nothing more is posted.
    pub fn close(&self) {
        {
            let mut s = self.shared();
            s.closed = true;
            s.queue.clear();
            s.queued = 0;
            s.ready = Vec::new();
        }
        self.room.notify_all();
        self.produced.notify_all();
        self.kick();
    }

    /// Input from a Rust source (a pipe a splice fills): queued like a
    /// write, but not a JS call (no `seq`) and never held; the caller
    /// waits for room first (`wait_room`).
    pub fn push_internal(&self, bytes: &[u8], default_flush: Flush) {
        {
            let mut s = self.shared();
            if s.closed || s.failed || s.finished {
                return;
            }
            let mut data = s.spare.pop().unwrap_or_default();
            data.extend_from_slice(bytes);
            s.queued += data.len();
            s.queue.push_back(Cmd::Data(data, default_flush));
        }
        self.kick();
    }

    /// Waits (at most `limit`) until the queue has room for more input:
    /// `Some(true)` room, `Some(false)` not yet, `None` closed, failed or
    /// finished.
    pub fn wait_room(&self, limit: Duration) -> Option<bool> {
        let s = self.shared();
        let (s, _) = self
            .room
            .wait_timeout_while(s, limit, |s| {
                s.queued > self.limits.in_high && !(s.closed || s.failed || s.finished)
            })
            .unwrap_or_else(PoisonError::into_inner);
        if s.closed || s.failed || s.finished {
            None
        } else {
            Some(s.queued <= self.limits.in_high)
        }
    }

    /// From now on a Rust thread takes the output with `take_output`.
    pub fn start_drain(&self) {
        let mut s = self.shared();
        s.drained = true;
        s.drain_stop = false;
        s.want = false;
    }

    /// Asks the draining thread to stop after its current write.
    pub fn stop_drain(&self) {
        self.shared().drain_stop = true;
        self.produced.notify_all();
    }

    /// The draining thread gave up (its sink failed): JS reads again.
    pub fn end_drain(&self) {
        self.shared().drained = false;
        self.kick();
    }

    /// For the draining thread: waits for output and swaps it into `buf`
    /// (emptied first). `Ok(true)`: bytes to write; `Ok(false)`: no more
    /// output will come; `Err(())`: stop (asked to, closed or failed). On
    /// `Err` or `Ok(false)` the stream goes back to JS reads.
    pub fn take_output(&self, buf: &mut Vec<u8>) -> Result<bool, ()> {
        buf.clear();
        let mut s = self.shared();
        loop {
            if s.closed || s.failed || s.drain_stop {
                s.drained = false;
                return Err(());
            }
            if !s.ready.is_empty() {
                std::mem::swap(&mut s.ready, buf);
                drop(s);
                self.kick();
                return Ok(true);
            }
            if s.output_done {
                s.drained = false;
                return Ok(false);
            }
            s = self
                .produced
                .wait(s)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// A call that only asks for an IDLE once nothing runs (JS stopped
    /// waiting for a Rust thread and wants to know when all is quiet).
    pub fn poke(&self) {
        self.shared().seq += 1;
        self.kick();
    }

    fn kick(&self) {
        let Some(me) = self.me.upgrade() else {
            return;
        };
        self.driver.kick(self.pool, move || {
            me.driver.run(|| me.run_once());
        });
    }

    /// One pass of the driver: move output and news to JS, take the next
    /// command, do a bounded piece of work; until nothing can go on.
    ///
    /// IDLE is posted only when nothing more will be posted until JS calls
    /// again: no work left, or output waiting that JS has not asked for.
    fn run_once(&self) {
        let mut w = lock(&self.work);
        loop {
            {
                let mut s = self.shared();
                self.absorb(&mut s, &mut w);
                if s.closed {
                    w.engine = Engine::Closed;
                    w.current = None;
                    w.out = Vec::new();
                    return;
                }
                if s.failed {
                    return;
                }
                // Output JS asked for is announced; it stays in `ready`
                // (and is not produced beyond) until JS reads it.
                let data = s.want && !s.drained && !s.ready.is_empty();
                if data {
                    s.want = false;
                }
                let room = s.ready.len() < self.limits.out_batch;
                if room && w.current.is_none() {
                    self.next_command(&mut s, &mut w);
                }
                // A pool block's notify runs us again.
                let waiting = std::mem::take(&mut w.waiting);
                let nothing = w.current.is_none() && !self.blocks_in_flight(&w);
                let stop = !room || nothing || waiting;
                self.deliver(&mut s, data, stop && (!room || nothing));
                if stop {
                    return;
                }
            }
            self.step(&mut w);
        }
    }

    fn blocks_in_flight(&self, w: &Work) -> bool {
        matches!(&w.engine, Engine::Parallel(p) if p.in_flight() > 0)
    }

    /// Takes the next command off the queue; a held write is released once
    /// the queue is down to half.
    fn next_command(&self, s: &mut Shared, w: &mut Work) {
        let Some(cmd) = s.queue.pop_front() else {
            return;
        };
        if let Cmd::Data(d, _) = &cmd {
            s.queued -= d.len();
        }
        if s.hold == Hold::Room && s.queued <= self.limits.in_high / 2 {
            s.hold = Hold::None;
            s.now |= RELEASED;
            s.released_seq = s.hold_seq;
        }
        self.room.notify_all();
        w.current = Some(cmd);
        w.at = 0;
        w.dispatched = false;
    }

    /// Moves what the last step made into the shared state.
    fn absorb(&self, s: &mut Shared, w: &mut Work) {
        s.consumed += std::mem::take(&mut w.consumed);
        if !w.out.is_empty() {
            if s.ready.is_empty() && !s.closed {
                // Trade buffers: both keep their memory for next time.
                std::mem::swap(&mut s.ready, &mut w.out);
            } else if !s.closed {
                s.ready.extend_from_slice(&w.out);
                w.out.clear();
            } else {
                w.out.clear();
            }
            if s.drained {
                self.produced.notify_all();
            }
        }
        for mut spent in w.spent.drain(..) {
            if s.spare.len() < SPARE_INPUTS && spent.capacity() <= SPARE_MAX {
                spent.clear();
                s.spare.push(spent);
            }
        }
        let due = std::mem::take(&mut w.due);
        if due & RELEASED != 0 {
            s.released_seq = s.hold_seq;
        }
        if due & (ENDED | EOF) != 0 {
            s.output_done = true;
            self.produced.notify_all();
        }
        s.due |= due;
        if let Some(e) = w.error.take() {
            if !s.closed && !s.failed {
                s.failed = true;
                s.queue.clear();
                s.queued = 0;
                self.room.notify_all();
                self.produced.notify_all();
                // Output made before the error goes first, if JS wants it.
                let data = if s.want && !s.ready.is_empty() {
                    DATA
                } else {
                    0
                };
                self.post.post(Update {
                    id: self.id,
                    flags: ERROR | data,
                    consumed: s.consumed,
                    seq: s.seq,
                    released_seq: 0,
                    error: Some(e),
                });
            }
            w.current = None;
        }
    }

    /// Posts DATA (when `data`) and any news; IDLE too when asked and JS
    /// made calls since the last IDLE. Flags due after the output go only
    /// once `ready` is empty; with DATA, JS reads it right away and its read
    /// brings them.
    fn deliver(&self, s: &mut Shared, data: bool, idle: bool) {
        if s.closed || s.failed {
            return;
        }
        let mut flags = std::mem::take(&mut s.now);
        if data {
            flags |= DATA;
        }
        if s.ready.is_empty() && s.due != 0 {
            flags |= std::mem::take(&mut s.due);
            if flags & RELEASED != 0 && s.hold == Hold::Command {
                s.hold = Hold::None;
            }
        }
        if flags & ENDED != 0 {
            s.finished = true;
        }
        if idle && s.idle_seq != s.seq {
            s.idle_seq = s.seq;
            flags |= IDLE;
        }
        if flags != 0 {
            self.post.post(Update {
                id: self.id,
                flags,
                consumed: s.consumed,
                seq: s.seq,
                released_seq: s.released_seq,
                error: None,
            });
        }
    }

    /// A bounded piece of work on the current command.
    fn step(&self, w: &mut Work) {
        let mut engine = std::mem::replace(&mut w.engine, Engine::Closed);
        match &mut engine {
            Engine::Serial(c) => self.step_serial(c, w),
            Engine::Parallel(p) => self.step_parallel(p, w),
            Engine::Closed => w.current = None,
        }
        w.engine = engine;
    }

    fn step_serial(&self, c: &mut Codec, w: &mut Work) {
        let Some(cmd) = w.current.take() else {
            return;
        };
        let limit = w.out.len() + STEP_OUT;
        let (input, flush): (&[u8], Flush) = match &cmd {
            Cmd::Data(d, f) => (&d[w.at..], *f),
            Cmd::Flush(f) | Cmd::Finish(f) => (&[], *f),
            Cmd::Params(..) => (&[], Flush::Sync),
            Cmd::Reset => {
                c.reset();
                w.ended = false;
                return;
            }
        };
        if w.ended {
            // The stream is complete: input now is trailing data.
            match cmd {
                Cmd::Data(d, _) => {
                    if d.len() > w.at {
                        w.due |= EOF;
                    }
                    w.spent.push(d);
                }
                Cmd::Flush(_) | Cmd::Params(..) => w.due |= RELEASED,
                Cmd::Finish(_) => w.due |= ENDED,
                Cmd::Reset => {}
            }
            return;
        }
        match c.step(input, flush, &mut w.out, limit) {
            Err(e) => {
                w.error = Some(e);
                if let Cmd::Data(d, _) = cmd {
                    w.spent.push(d);
                }
            }
            Ok(st) => {
                w.at += st.consumed;
                w.consumed += st.consumed as u64;
                let left = input.len() - st.consumed;
                if st.ended {
                    w.ended = true;
                    if left > 0 {
                        w.due |= EOF;
                    }
                } else if st.more_output || (left > 0 && st.consumed > 0) {
                    w.current = Some(cmd);
                    return;
                }
                match cmd {
                    Cmd::Flush(_) => w.due |= RELEASED,
                    Cmd::Finish(_) => w.due |= ENDED,
                    Cmd::Params(level, strategy) => match c.set_params(level, strategy) {
                        Ok(()) => w.due |= RELEASED,
                        Err(e) => w.error = Some(e),
                    },
                    Cmd::Data(d, _) => w.spent.push(d),
                    Cmd::Reset => {}
                }
            }
        }
    }

    fn step_parallel(&self, p: &mut Box<ParallelDeflate>, w: &mut Work) {
        let mut progressed = false;
        let mut done = false;
        match &w.current {
            None => {}
            Some(Cmd::Reset) => {
                **p = new_parallel(self.popts, &self.me, self.pool);
                w.ended = false;
                done = true;
            }
            Some(Cmd::Data(d, f)) => {
                if w.ended {
                    if !d.is_empty() {
                        w.due |= EOF;
                    }
                    done = true;
                } else {
                    let n = p.write(&d[w.at..]);
                    w.at += n;
                    w.consumed += n as u64;
                    progressed |= n > 0;
                    if w.at == d.len() && (*f == Flush::None || p.flush(*f)) {
                        done = true;
                    }
                }
            }
            Some(Cmd::Flush(f) | Cmd::Finish(f)) if !w.dispatched && !w.ended => {
                w.dispatched = p.flush(*f);
                progressed |= w.dispatched;
            }
            Some(Cmd::Params(..)) if !w.dispatched && !w.ended => {
                w.dispatched = p.flush(Flush::Sync);
                progressed |= w.dispatched;
            }
            Some(_) => {}
        }
        let before = w.out.len();
        let complete = match p.take_output(&mut w.out) {
            Ok(all) => all,
            Err(e) => {
                w.error = Some(e);
                return;
            }
        };
        progressed |= w.out.len() > before;
        if complete {
            w.ended = true;
        }
        if !done {
            let drained = p.in_flight() == 0;
            match &w.current {
                Some(Cmd::Flush(_)) if w.ended || (w.dispatched && drained) => {
                    w.due |= RELEASED;
                    done = true;
                }
                Some(Cmd::Params(level, strategy)) if w.ended || (w.dispatched && drained) => {
                    if p.set_params(*level, *strategy) {
                        w.due |= RELEASED;
                    } else {
                        w.error = Some(ZlibError::new(
                            super::zlib_error::ZCode::StreamError,
                            "Zlib error",
                        ));
                    }
                    done = true;
                }
                Some(Cmd::Finish(f)) => {
                    let finished = if *f == Flush::Finish {
                        w.ended
                    } else {
                        w.ended || (w.dispatched && drained)
                    };
                    if finished {
                        w.due |= ENDED;
                        done = true;
                    }
                }
                _ => {}
            }
        }
        if done {
            if let Some(Cmd::Data(d, _)) = w.current.take() {
                w.spent.push(d);
            }
        } else if !progressed {
            // Blocks are in flight: a pool thread's notify runs us again.
            w.waiting = p.in_flight() > 0;
            if !w.waiting {
                // Nothing in flight and nothing done: cannot happen with a
                // sound engine; fail rather than spin.
                w.error = Some(ZlibError::new(
                    super::zlib_error::ZCode::StreamError,
                    "Zlib error",
                ));
            }
        }
    }
}

fn new_parallel(
    popts: Option<ParallelOptions>,
    me: &Weak<ZStream>,
    pool: &'static Pool,
) -> ParallelDeflate {
    let weak = me.clone();
    let notify: super::parallel::Notify = Arc::new(move || {
        if let Some(z) = weak.upgrade() {
            z.kick();
        }
    });
    let opts = popts.unwrap_or(ParallelOptions {
        format: super::container::Format::Gzip,
        level: -1,
        window_bits: 15,
        mem_level: 8,
        strategy: 0,
        block_size: super::parallel::DEFAULT_BLOCK,
        max_in_flight: 2,
    });
    ParallelDeflate::with_pool(opts, Some(notify), pool)
}

#[cfg(test)]
mod tests;
