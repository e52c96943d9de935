'use strict';

// Readable: a source of chunks with Node's exact semantics — paused and
// flowing modes, 'readable'/'data'/'end' in Node's order and ticks,
// push()/unshift(), read(n) with the high-water mark, setEncoding(),
// pipe()/unpipe(), wrap(), async iteration and destroy().

const { Buffer } = require('buffer');
const EE = require('events');
const { StringDecoder } = require('string_decoder');
const { Stream, prependListener, ReadableEvents } = require('./legacy');
const { ReadableState } = require('./readable-state');
const { makeError, AbortError } = require('./errors');
const destroyImpl = require('./destroy');
const eos = require('./end-of-stream');
const { addAbortSignal } = require('./add-abort-signal');
const { kReadableConstructed } = require('./symbols');
const { isUint8ArrayLike, toBuffer } = require('./chunks');

const { fail } = destroyImpl;
const EE_emit = EE.prototype.emit;
// EventEmitter's own flag for captureRejections (a symbol it keeps private).
const kCapture = Object.getOwnPropertySymbols(EE.prototype)
  .find((sym) => sym.description === 'kCapture');
const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

module.exports = Readable;
Readable.ReadableState = ReadableState;

Object.setPrototypeOf(Readable.prototype, Stream.prototype);
Object.setPrototypeOf(Readable, Stream);

function Readable(options) {
  if (!ordinaryInstanceOf.call(Readable, this)) return new Readable(options);

  if (this._events === undefined) {
    this._events = ReadableEvents();
    this._eventsCount = 0;
  }

  this._readableState = new ReadableState(options, this, false);

  if (options) {
    if (typeof options.read === 'function') this._read = options.read;
    if (typeof options.destroy === 'function') this._destroy = options.destroy;
    if (typeof options.construct === 'function') this._construct = options.construct;
    if (options.signal) addAbortSignal(options.signal, this);
  }

  Stream.call(this, options);

  if (this._construct != null) {
    destroyImpl.construct(this, () => {
      readableConstructed(this, this._readableState);
    });
  }
}

function readableConstructed(stream, state) {
  if (state.needReadable) maybeReadMore(stream, state);
}
Object.defineProperty(Readable, kReadableConstructed, { value: readableConstructed });

Readable.prototype.destroy = destroyImpl.destroy;
Readable.prototype._undestroy = destroyImpl.undestroy;
Readable.prototype._destroy = function _destroy(err, cb) {
  cb(err);
};

Readable.prototype[EE.captureRejectionSymbol] = function captureRejection(err) {
  this.destroy(err);
};

if (Symbol.asyncDispose) {
  Readable.prototype[Symbol.asyncDispose] = function asyncDispose() {
    let error;
    if (!this.destroyed) {
      error = this.readableEnded ? null : new AbortError();
      this.destroy(error);
    }
    return new Promise((resolve, reject) => {
      eos(this, (err) => (err && err !== error ? reject(err) : resolve(null)));
    });
  };
}

// emit('data', chunk), without EventEmitter's generic path when it would
// do exactly this: emit() not replaced (by a subclass, a domain, a test
// spy), one plain listener, no captureRejections.
function emitData(stream, chunk) {
  if (stream.emit === EE_emit && kCapture !== undefined && stream[kCapture] === false) {
    const events = stream._events;
    const handler = events !== undefined ? events.data : undefined;
    if (typeof handler === 'function') {
      handler.call(stream, chunk);
      return;
    }
  }
  stream.emit('data', chunk);
}

// ---------------------------------------------------------------------------
// Putting data in: push() and unshift()

const CHUNK_TYPES = ['string', 'Buffer', 'TypedArray', 'DataView'];

Readable.prototype.push = function push(chunk, encoding) {
  const state = this._readableState;
  if (state.objectMode) return pushObject(this, state, chunk, encoding);
  return pushBytes(this, state, chunk, encoding);
};

Readable.prototype.unshift = function unshift(chunk, encoding) {
  const state = this._readableState;
  if (chunk === null) {
    state.reading = false;
    onEndOfData(this, state);
    return false;
  }
  if (!state.objectMode) {
    if (typeof chunk === 'string') {
      encoding = encoding || state.defaultEncoding;
      if (state.encoding !== encoding) {
        // Stored in the buffer's own form: decoded strings when an
        // encoding is set, Buffers otherwise.
        chunk = state.encoding ?
          Buffer.from(chunk, encoding).toString(state.encoding) :
          Buffer.from(chunk, encoding);
      }
    } else if (isUint8ArrayLike(chunk)) {
      chunk = toBuffer(chunk);
    } else if (chunk !== undefined && !(chunk instanceof Buffer)) {
      fail(this, makeError('ERR_INVALID_ARG_TYPE', 'chunk', CHUNK_TYPES, chunk));
      return false;
    }
    if (!chunk || chunk.length <= 0) return canPushMore(state);
  }
  if (state.endEmitted) {
    fail(this, makeError('ERR_STREAM_UNSHIFT_AFTER_END_EVENT'));
  } else if (state.destroyed || state.errored) {
    return false;
  } else {
    addChunk(this, state, chunk, true);
  }
  return canPushMore(state);
};

function pushBytes(stream, state, chunk, encoding) {
  if (chunk === null) {
    state.reading = false;
    onEndOfData(stream, state);
    return false;
  }

  if (typeof chunk === 'string') {
    encoding = encoding || state.defaultEncoding;
    if (state.encoding !== encoding) {
      chunk = Buffer.from(chunk, encoding);
      encoding = '';
    }
  } else if (chunk instanceof Buffer) {
    encoding = '';
  } else if (isUint8ArrayLike(chunk)) {
    chunk = toBuffer(chunk);
    encoding = '';
  } else if (chunk !== undefined) {
    fail(stream, makeError('ERR_INVALID_ARG_TYPE', 'chunk', CHUNK_TYPES, chunk));
    return false;
  }

  if (!chunk || chunk.length <= 0) {
    // An empty push ends the pending _read without adding anything.
    state.reading = false;
    maybeReadMore(stream, state);
    return canPushMore(state);
  }
  if (state.ended) {
    fail(stream, makeError('ERR_STREAM_PUSH_AFTER_EOF'));
    return false;
  }
  if (state.destroyed || state.errored) return false;

  state.reading = false;
  if (state.decoder !== null && !encoding) {
    chunk = state.decoder.write(chunk);
    if (chunk.length === 0) {
      maybeReadMore(stream, state);
      return canPushMore(state);
    }
  }
  addChunk(stream, state, chunk, false);
  return canPushMore(state);
}

function pushObject(stream, state, chunk, encoding) {
  if (chunk === null) {
    state.reading = false;
    onEndOfData(stream, state);
    return false;
  }
  if (state.ended) {
    fail(stream, makeError('ERR_STREAM_PUSH_AFTER_EOF'));
    return false;
  }
  if (state.destroyed || state.errored) return false;

  state.reading = false;
  if (state.decoder !== null && !encoding) chunk = state.decoder.write(chunk);
  addChunk(stream, state, chunk, false);
  return canPushMore(state);
}

// Below the high-water mark (or empty: a zero mark still takes one chunk).
function canPushMore(state) {
  return !state.ended && (state.length < state.highWaterMark || state.length === 0);
}

function addChunk(stream, state, chunk, toFront) {
  if (state.flowing === true && state.length === 0 && !state.sync && state.dataListening) {
    // Flowing with nothing queued: hand it straight to the consumer.
    if (state.multiAwaitDrain) state.awaitDrainWriters.clear();
    else state.awaitDrainWriters = null;
    state.dataEmitted = true;
    emitData(stream, chunk);
  } else {
    state.length += state.objectMode ? 1 : chunk.length;
    if (!toFront) {
      state.buffer.push(chunk);
    } else if (state.bufferIndex > 0) {
      state.buffer[--state.bufferIndex] = chunk;
    } else {
      state.buffer.unshift(chunk);
    }
    if (state.needReadable) scheduleReadable(stream);
  }
  maybeReadMore(stream, state);
}

// push(null): no more data. Flush a pending partial character, then
// announce it with 'readable' (now if outside _read, else next tick).
function onEndOfData(stream, state) {
  if (state.ended) return;
  const decoder = state.decoder;
  if (decoder !== null) {
    const rest = decoder.end();
    if (rest && rest.length) {
      state.buffer.push(rest);
      state.length += state.objectMode ? 1 : rest.length;
    }
  }
  state.ended = true;
  if (state.sync) {
    scheduleReadable(stream);
  } else {
    // Some ecosystem modules rely on this 'readable' being synchronous.
    state.needReadable = false;
    state.emittedReadable = true;
    emitReadableNow(stream);
  }
}

Readable.prototype.isPaused = function isPaused() {
  const state = this._readableState;
  return state.userPaused === true || state.flowing === false;
};

Readable.prototype.setEncoding = function setEncoding(enc) {
  const state = this._readableState;
  const decoder = new StringDecoder(enc);
  state.decoder = decoder;
  // setEncoding(null) gives utf8.
  state.encoding = decoder.encoding;

  // Whatever is already queued is converted now.
  const buffer = state.buffer;
  let text = '';
  for (let i = state.bufferIndex; i < buffer.length; i++) text += decoder.write(buffer[i]);
  buffer.length = 0;
  state.bufferIndex = 0;
  if (text !== '') buffer.push(text);
  state.length = text.length;
  return this;
};

// ---------------------------------------------------------------------------
// Taking data out: read(n)

const MAX_HWM = 0x40000000;

// Next power of two, so read(n) raising the mark does so in big steps.
function raisedHighWaterMark(n) {
  if (n > MAX_HWM) throw makeError('ERR_OUT_OF_RANGE', 'size', '<= 1GiB', n);
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

// How much read(n) can hand out right now (0: nothing yet).
function amountToRead(n, state) {
  if (n <= 0 || (state.length === 0 && state.ended)) return 0;
  if (state.objectMode) return 1;
  if (n !== n) { // NaN: "whatever you have"
    if (state.flowing === true && state.length) return state.buffer[state.bufferIndex].length;
    return state.length;
  }
  if (n <= state.length) return n;
  return state.ended ? state.length : 0;
}

Readable.prototype.read = function read(n) {
  if (n === undefined) n = NaN;
  else if (!Number.isInteger(n)) n = Number.parseInt(n, 10);
  const state = this._readableState;
  const requested = n;

  if (n > state.highWaterMark) state.highWaterMark = raisedHighWaterMark(n);
  if (n !== 0) state.emittedReadable = false;

  // read(0) with enough buffered (or at the end) only re-announces.
  if (n === 0 && state.needReadable &&
      ((state.highWaterMark !== 0 ? state.length >= state.highWaterMark : state.length > 0) ||
       state.ended)) {
    if (state.length === 0 && state.ended) endReadable(this);
    else scheduleReadable(this);
    return null;
  }

  n = amountToRead(n, state);

  if (n === 0 && state.ended) {
    if (state.length === 0) endReadable(this);
    return null;
  }

  // Ask the implementation for more when a 'readable' is owed or the
  // buffer would drop below the mark — unless a read is in progress, the
  // data has ended, or the stream is constructing, destroyed or errored.
  // _read may push synchronously, so what we return is decided after.
  let pull = state.needReadable || state.length === 0 ||
    state.length - n < state.highWaterMark;
  if (state.reading || state.ended || state.destroyed || state.errored || !state.constructed) {
    pull = false;
  } else if (pull) {
    state.reading = true;
    state.sync = true;
    if (state.length === 0) state.needReadable = true;
    try {
      this._read(state.highWaterMark);
    } catch (err) {
      fail(this, err);
    }
    state.sync = false;
    if (!state.reading) n = amountToRead(requested, state);
  }

  let ret = n > 0 ? takeFromBuffer(n, state) : null;

  if (ret === null) {
    if (state.length <= state.highWaterMark) state.needReadable = true;
    n = 0;
  } else {
    state.length -= n;
    if (state.multiAwaitDrain) state.awaitDrainWriters.clear();
    else state.awaitDrainWriters = null;
  }

  if (state.length === 0) {
    // Empty: the next chunk in must announce itself.
    if (!state.ended) state.needReadable = true;
    // Asked past the end: 'end' follows.
    if (requested !== n && state.ended) endReadable(this);
  }

  if (ret !== null && !state.errorEmitted && !state.closeEmitted) {
    state.dataEmitted = true;
    emitData(this, ret);
  }
  return ret;
};

// Removes n units from the front of the buffer: one object, or n bytes /
// characters possibly spanning and splitting chunks.
function takeFromBuffer(n, state) {
  if (state.length === 0) return null;
  const buf = state.buffer;
  const end = buf.length;
  let i = state.bufferIndex;
  let ret;

  if (state.objectMode) {
    ret = buf[i];
    buf[i++] = null;
  } else if (!n || n >= state.length) {
    // Everything.
    if (state.decoder !== null) {
      ret = '';
      while (i < end) { ret += buf[i]; buf[i++] = null; }
    } else if (end - i === 0) {
      ret = Buffer.alloc(0);
    } else if (end - i === 1) {
      ret = buf[i];
      buf[i++] = null;
    } else {
      ret = Buffer.allocUnsafe(state.length);
      let at = 0;
      while (i < end) {
        const b = buf[i];
        ret.set(b, at);
        at += b.length;
        buf[i++] = null;
      }
    }
  } else {
    const first = buf[i];
    if (n < first.length) {
      // Part of the first chunk (strings and Buffers both slice).
      ret = first.slice(0, n);
      buf[i] = first.slice(n);
    } else if (n === first.length) {
      ret = first;
      buf[i++] = null;
    } else if (state.decoder !== null) {
      ret = '';
      while (i < end) {
        const s = buf[i];
        if (n > s.length) {
          ret += s;
          n -= s.length;
          buf[i++] = null;
        } else {
          if (n === s.length) {
            ret += s;
            buf[i++] = null;
          } else {
            ret += s.slice(0, n);
            buf[i] = s.slice(n);
          }
          break;
        }
      }
    } else {
      ret = Buffer.allocUnsafe(n);
      let at = 0;
      while (i < end) {
        const b = buf[i];
        const left = n - at;
        if (left > b.length) {
          ret.set(b, at);
          at += b.length;
          buf[i++] = null;
        } else {
          if (left === b.length) {
            ret.set(b, at);
            buf[i++] = null;
          } else {
            ret.set(new Uint8Array(b.buffer, b.byteOffset, left), at);
            buf[i] = Buffer.from(b.buffer, b.byteOffset + left, b.length - left);
          }
          break;
        }
      }
    }
  }

  if (i === end) {
    buf.length = 0;
    state.bufferIndex = 0;
  } else if (i > 1024) {
    buf.splice(0, i);
    state.bufferIndex = 0;
  } else {
    state.bufferIndex = i;
  }
  return ret;
}
Readable._fromList = takeFromBuffer;

// 'readable' on a later tick, at most one pending at a time.
function scheduleReadable(stream) {
  const state = stream._readableState;
  state.needReadable = false;
  if (!state.emittedReadable) {
    state.emittedReadable = true;
    process.nextTick(emitReadableNow, stream);
  }
}

function emitReadableNow(stream) {
  const state = stream._readableState;
  if (!state.destroyed && !state.errored && (state.length || state.ended)) {
    stream.emit('readable');
    state.emittedReadable = false;
  }
  // Another 'readable' will be owed unless flowing takes over, the data
  // ended, or the buffer is over the mark.
  if (state.flowing !== true && !state.ended && state.length <= state.highWaterMark) {
    state.needReadable = true;
  }
  flow(stream);
}

// After data was consumed (or added), fill up to the mark on a later tick.
function maybeReadMore(stream, state) {
  if (!state.readingMore && state.constructed) {
    state.readingMore = true;
    process.nextTick(readMore, stream, state);
  }
}

function readMore(stream, state) {
  // Keep calling read(0) while nothing is in progress and we are below
  // the mark — or flowing with an empty buffer, where nobody else would
  // restart the flow. A read(0) that brings nothing stops the loop.
  while (!state.reading && !state.ended &&
         (state.length < state.highWaterMark || (state.flowing === true && state.length === 0))) {
    const before = state.length;
    stream.read(0);
    if (before === state.length) break;
  }
  state.readingMore = false;
}

Readable.prototype._read = function _read(n) {
  throw makeError('ERR_METHOD_NOT_IMPLEMENTED', '_read()');
};

// ---------------------------------------------------------------------------
// pipe() / unpipe()

Readable.prototype.pipe = function pipe(dest, pipeOpts) {
  const src = this;
  const state = this._readableState;

  if (state.pipes.length === 1 && !state.multiAwaitDrain) {
    state.multiAwaitDrain = true;
    state.awaitDrainWriters = new Set(state.awaitDrainWriters ? [state.awaitDrainWriters] : []);
  }
  state.pipes.push(dest);

  const doEnd = (!pipeOpts || pipeOpts.end !== false) &&
    dest !== process.stdout && dest !== process.stderr;
  const endFn = doEnd ? onEnd : unpipe;
  if (state.endEmitted) process.nextTick(endFn);
  else src.once('end', endFn);

  let onDrain = null;
  let cleanedUp = false;

  dest.on('unpipe', onUnpipe);
  function onUnpipe(readable, info) {
    if (readable === src && info && info.hasUnpiped === false) {
      info.hasUnpiped = true;
      cleanup();
    }
  }

  function onEnd() {
    dest.end();
  }

  function cleanup() {
    dest.removeListener('close', onClose);
    dest.removeListener('finish', onFinish);
    if (onDrain) dest.removeListener('drain', onDrain);
    dest.removeListener('error', onError);
    dest.removeListener('unpipe', onUnpipe);
    src.removeListener('end', onEnd);
    src.removeListener('end', unpipe);
    src.removeListener('data', onData);
    cleanedUp = true;
    // If we were waiting on this dest's drain, that wait is over; when we
    // cannot tell, assume we were.
    if (onDrain && state.awaitDrainWriters &&
        (!dest._writableState || dest._writableState.needDrain)) {
      onDrain();
    }
  }

  function pauseForDrain() {
    // Unpiping inside dest.write() must not leave the source paused forever.
    if (!cleanedUp) {
      if (state.pipes.length === 1 && state.pipes[0] === dest) {
        state.awaitDrainWriters = dest;
        state.multiAwaitDrain = false;
      } else if (state.pipes.length > 1 && state.pipes.includes(dest)) {
        state.awaitDrainWriters.add(dest);
      }
      src.pause();
    }
    if (!onDrain) {
      onDrain = drainHandler(src, dest);
      dest.on('drain', onDrain);
    }
  }

  function onData(chunk) {
    if (dest.write(chunk) === false) pauseForDrain();
  }
  src.on('data', onData);

  // A dest error stops the piping; the error still reaches the user.
  function onError(err) {
    unpipe();
    dest.removeListener('error', onError);
    if (dest.listenerCount('error') === 0) {
      const s = dest._writableState || dest._readableState;
      if (s && !s.errorEmitted) fail(dest, err);
      else dest.emit('error', err);
    }
  }
  prependListener(dest, 'error', onError);

  function onClose() {
    dest.removeListener('finish', onFinish);
    unpipe();
  }
  dest.once('close', onClose);
  function onFinish() {
    dest.removeListener('close', onClose);
    unpipe();
  }
  dest.once('finish', onFinish);

  function unpipe() {
    src.unpipe(dest);
  }

  dest.emit('pipe', src);

  if (dest.writableNeedDrain === true) pauseForDrain();
  else if (state.flowing !== true) src.resume();

  return dest;
};

function drainHandler(src, dest) {
  return function pipeOnDrain() {
    const state = src._readableState;
    if (state.awaitDrainWriters === dest) {
      state.awaitDrainWriters = null;
    } else if (state.multiAwaitDrain) {
      state.awaitDrainWriters.delete(dest);
    }
    if ((!state.awaitDrainWriters || state.awaitDrainWriters.size === 0) &&
        state.dataListening) {
      src.resume();
    }
  };
}

Readable.prototype.unpipe = function unpipe(dest) {
  const state = this._readableState;
  if (state.pipes.length === 0) return this;

  if (!dest) {
    const dests = state.pipes;
    state.pipes = [];
    this.pause();
    for (let i = 0; i < dests.length; i++) {
      dests[i].emit('unpipe', this, { hasUnpiped: false });
    }
    return this;
  }

  const index = state.pipes.indexOf(dest);
  if (index === -1) return this;
  state.pipes.splice(index, 1);
  if (state.pipes.length === 0) this.pause();
  dest.emit('unpipe', this, { hasUnpiped: false });
  return this;
};

// ---------------------------------------------------------------------------
// Listening switches modes: 'data' starts the flow, 'readable' stops it.

Readable.prototype.on = function on(ev, fn) {
  const res = Stream.prototype.on.call(this, ev, fn);
  const state = this._readableState;

  if (ev === 'data') {
    state.dataListening = true;
    // Lets a once('readable') in the same tick keep resume() a no-op.
    if (this.listenerCount('readable') > 0) state.readableListening = true;
    // Flow unless explicitly paused.
    if (state.flowing !== false) this.resume();
  } else if (ev === 'readable') {
    if (!state.endEmitted && !state.readableListening) {
      state.readableListening = true;
      state.needReadable = true;
      state.flowing = false;
      state.emittedReadable = false;
      if (state.length) scheduleReadable(this);
      else if (!state.reading) process.nextTick(readZero, this);
    }
  }
  return res;
};
Readable.prototype.addListener = Readable.prototype.on;

Readable.prototype.removeListener = function removeListener(ev, fn) {
  const state = this._readableState;
  const res = Stream.prototype.removeListener.call(this, ev, fn);
  if (ev === 'readable') {
    // Re-evaluated after this tick's 'readable' handlers, so a
    // once('readable') loop keeps working.
    process.nextTick(recheckReadableListening, this);
  } else if (ev === 'data' && this.listenerCount('data') === 0) {
    state.dataListening = false;
  }
  return res;
};
Readable.prototype.off = Readable.prototype.removeListener;

Readable.prototype.removeAllListeners = function removeAllListeners(ev) {
  const res = Stream.prototype.removeAllListeners.apply(this, arguments);
  if (ev === 'readable' || ev === undefined) {
    process.nextTick(recheckReadableListening, this);
  }
  return res;
};

function recheckReadableListening(self) {
  const state = self._readableState;
  state.readableListening = self.listenerCount('readable') > 0;

  if (state.resumeScheduled && state.userPaused === false) {
    // A resume() is on its way; it must find the stream flowing.
    state.flowing = true;
  } else if (state.dataListening) {
    self.resume();
  } else if (!state.readableListening) {
    state.flowing = null;
  }
}

function readZero(self) {
  self.read(0);
}

Readable.prototype.resume = function resume() {
  const state = this._readableState;
  if (state.flowing !== true) {
    // With 'readable' listeners, resume() still schedules the resume work
    // but does not flow.
    state.flowing = !state.readableListening;
    if (!state.resumeScheduled) {
      state.resumeScheduled = true;
      process.nextTick(resumeNow, this, state);
    }
  }
  state.userPaused = false;
  return this;
};

function resumeNow(stream, state) {
  if (!state.reading) stream.read(0);
  state.resumeScheduled = false;
  stream.emit('resume');
  flow(stream);
  if (state.flowing === true && !state.reading) stream.read(0);
}

Readable.prototype.pause = function pause() {
  const state = this._readableState;
  if (state.flowing !== false) {
    state.flowing = false;
    this.emit('pause');
  }
  state.userPaused = true;
  return this;
};

function flow(stream) {
  const state = stream._readableState;
  while (state.flowing === true && stream.read() !== null);
}

// ---------------------------------------------------------------------------
// wrap(): adopt an old-style stream (data/end events, pause/resume) as the
// source of this Readable.

Readable.prototype.wrap = function wrap(stream) {
  let paused = false;

  stream.on('data', (chunk) => {
    if (!this.push(chunk) && stream.pause) {
      paused = true;
      stream.pause();
    }
  });
  stream.on('end', () => { this.push(null); });
  stream.on('error', (err) => { fail(this, err); });
  stream.on('close', () => { this.destroy(); });
  stream.on('destroy', () => { this.destroy(); });

  this._read = () => {
    if (paused && stream.resume) {
      paused = false;
      stream.resume();
    }
  };

  // Expose the wrapped stream's own methods (except the first key, as
  // Node does), for wrapped filters and duplexes.
  const keys = Object.keys(stream);
  for (let j = 1; j < keys.length; j++) {
    const key = keys[j];
    if (this[key] === undefined && typeof stream[key] === 'function') {
      this[key] = stream[key].bind(stream);
    }
  }
  return this;
};

Readable.wrap = function wrapStatic(src, options) {
  return new Readable({
    objectMode: src.readableObjectMode ?? src.objectMode ?? true,
    ...options,
    destroy(err, callback) {
      destroyImpl.destroyStream(src, err);
      callback(err);
    },
  }).wrap(src);
};

// ---------------------------------------------------------------------------
// Properties

Object.defineProperties(Readable.prototype, {
  readable: {
    configurable: true,
    get() {
      const r = this._readableState;
      // readable === false: the readable side of a Duplex was disabled.
      return !!r && r.readable !== false && !r.destroyed && !r.errorEmitted && !r.endEmitted;
    },
    set(val) {
      if (this._readableState) this._readableState.readable = !!val;
    },
  },
  readableDidRead: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState.dataEmitted; },
  },
  readableAborted: {
    configurable: true,
    enumerable: false,
    get() {
      const r = this._readableState;
      return !!(r.readable !== false && (r.destroyed || r.errored) && !r.endEmitted);
    },
  },
  readableHighWaterMark: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState.highWaterMark; },
  },
  readableBuffer: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState && this._readableState.buffer; },
  },
  readableFlowing: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState.flowing; },
    set(value) {
      if (this._readableState) this._readableState.flowing = value;
    },
  },
  readableLength: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState.length; },
  },
  readableObjectMode: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState ? this._readableState.objectMode : false; },
  },
  readableEncoding: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState ? this._readableState.encoding : null; },
  },
  errored: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState ? this._readableState.errored : null; },
  },
  closed: {
    configurable: true,
    get() { return this._readableState ? this._readableState.closed : false; },
  },
  destroyed: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState ? this._readableState.destroyed : false; },
    set(value) {
      if (this._readableState) this._readableState.destroyed = value;
    },
  },
  readableEnded: {
    configurable: true,
    enumerable: false,
    get() { return this._readableState ? this._readableState.endEmitted : false; },
  },
});

// ---------------------------------------------------------------------------
// The end: 'end' on a later tick, then half-open handling / autoDestroy.

function endReadable(stream) {
  const state = stream._readableState;
  if (!state.endEmitted) {
    state.ended = true;
    process.nextTick(emitEnd, state, stream);
  }
}

function emitEnd(state, stream) {
  // An unshift() after the last read, an error or a close cancels 'end'.
  if (state.errored || state.closeEmitted || state.endEmitted || state.length !== 0) return;
  state.endEmitted = true;
  stream.emit('end');

  if (stream.writable && stream.allowHalfOpen === false) {
    process.nextTick(endWritableSide, stream);
  } else if (state.autoDestroy) {
    // A Duplex is destroyed only once its writable side is done too.
    const w = stream._writableState;
    const done = !w || (w.autoDestroy && (w.finished || w.writable === false));
    if (done) stream.destroy();
  }
}

function endWritableSide(stream) {
  if (stream.writable && !stream.writableEnded && !stream.destroyed) stream.end();
}

// ---------------------------------------------------------------------------
// Factories that need the class (defined in their own files).

Readable.from = function from(iterable, opts) {
  return require('./from')(Readable, iterable, opts);
};

Readable.fromWeb = function fromWeb(readableStream, options) {
  return require('./web').readableFromWeb(readableStream, options);
};

Readable.toWeb = function toWeb(streamReadable, options) {
  return require('./web').readableToWeb(streamReadable, options);
};

const { streamToAsyncIterator } = require('./async-iterator');

Readable.prototype[Symbol.asyncIterator] = function asyncIterator() {
  return streamToAsyncIterator(this);
};

Readable.prototype.iterator = function iterator(options) {
  if (options !== undefined) require('./validate').checkObject(options, 'options');
  return streamToAsyncIterator(this, options);
};
