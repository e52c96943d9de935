'use strict';

// Writable: a sink with Node's exact semantics — write() returning false
// at the high-water mark and 'drain' after, buffering while a _write is
// in flight (or corked, or constructing), _writev batching, end() with
// _final, 'prefinish'/'finish'/'close' in Node's order and ticks.

const { Buffer } = require('buffer');
const EE = require('events');
const { Stream, WritableEvents } = require('./legacy');
const { WritableState } = require('./writable-state');
const { makeError, AbortError } = require('./errors');
const destroyImpl = require('./destroy');
const eos = require('./end-of-stream');
const { addAbortSignal } = require('./add-abort-signal');
const { kWritableConstructed, kMakeOnwrite } = require('./symbols');
const { isUint8ArrayLike, toBuffer } = require('./chunks');

const { fail } = destroyImpl;
const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

module.exports = Writable;
Writable.WritableState = WritableState;

Object.setPrototypeOf(Writable.prototype, Stream.prototype);
Object.setPrototypeOf(Writable, Stream);

function nop() {}

function Writable(options) {
  if (!ordinaryInstanceOf.call(Writable, this)) return new Writable(options);

  if (this._events === undefined) {
    this._events = WritableEvents();
    this._eventsCount = 0;
  }

  this._writableState = new WritableState(options, this, false, makeOnwrite(this));

  if (options) {
    if (typeof options.write === 'function') this._write = options.write;
    if (typeof options.writev === 'function') this._writev = options.writev;
    if (typeof options.destroy === 'function') this._destroy = options.destroy;
    if (typeof options.final === 'function') this._final = options.final;
    if (typeof options.construct === 'function') this._construct = options.construct;
    if (options.signal) addAbortSignal(options.signal, this);
  }

  Stream.call(this, options);

  if (this._construct != null) {
    destroyImpl.construct(this, () => {
      writableConstructed(this, this._writableState);
    });
  }
}

function makeOnwrite(stream) {
  return (err) => onwrite(stream, err);
}
Object.defineProperty(Writable, kMakeOnwrite, { value: makeOnwrite });

function writableConstructed(stream, state) {
  if (!state.writing) clearBuffer(stream, state);
  if (state.ending) finishMaybe(stream, state);
}
Object.defineProperty(Writable, kWritableConstructed, { value: writableConstructed });

// A Writable cannot be a pipe source.
Writable.prototype.pipe = function pipe() {
  fail(this, makeError('ERR_STREAM_CANNOT_PIPE'));
};

const CHUNK_TYPES = ['string', 'Buffer', 'TypedArray', 'DataView'];

// Returns true/false as write() does, or the error it reported.
function writeChunk(stream, chunk, encoding, cb) {
  const state = stream._writableState;
  if (typeof cb !== 'function') cb = nop;
  if (chunk === null) throw makeError('ERR_STREAM_NULL_VALUES');

  if (!state.objectMode) {
    if (!encoding) {
      encoding = state.defaultEncoding;
    } else if (encoding !== 'buffer' && !Buffer.isEncoding(encoding)) {
      throw makeError('ERR_UNKNOWN_ENCODING', encoding);
    }
    if (typeof chunk === 'string') {
      if (state.decodeStrings) {
        chunk = Buffer.from(chunk, encoding);
        encoding = 'buffer';
      }
    } else if (chunk instanceof Buffer) {
      encoding = 'buffer';
    } else if (isUint8ArrayLike(chunk)) {
      chunk = toBuffer(chunk);
      encoding = 'buffer';
    } else {
      throw makeError('ERR_INVALID_ARG_TYPE', 'chunk', CHUNK_TYPES, chunk);
    }
  }

  let err;
  if (state.ending) err = makeError('ERR_STREAM_WRITE_AFTER_END');
  else if (state.destroyed) err = makeError('ERR_STREAM_DESTROYED', 'write');
  if (err) {
    process.nextTick(cb, err);
    fail(stream, err, true);
    return err;
  }

  state.pendingcb++;
  return writeOrBuffer(stream, state, chunk, encoding, cb);
}

Writable.prototype.write = function write(chunk, encoding, cb) {
  if (typeof encoding === 'function') {
    cb = encoding;
    encoding = null;
  }
  return writeChunk(this, chunk, encoding, cb) === true;
};

Writable.prototype.cork = function cork() {
  this._writableState.corked++;
};

Writable.prototype.uncork = function uncork() {
  const state = this._writableState;
  if (state.corked) {
    state.corked--;
    if (!state.writing) clearBuffer(this, state);
  }
};

Writable.prototype.setDefaultEncoding = function setDefaultEncoding(encoding) {
  if (typeof encoding === 'string') encoding = encoding.toLowerCase();
  if (!Buffer.isEncoding(encoding)) throw makeError('ERR_UNKNOWN_ENCODING', encoding);
  this._writableState.defaultEncoding = encoding;
  return this;
};

// Hand the chunk to _write now, or queue it while another write is in
// flight, the stream is corked or errored, or _construct is pending.
function writeOrBuffer(stream, state, chunk, encoding, callback) {
  const len = state.objectMode ? 1 : chunk.length;
  state.length += len;

  if (state.writing || state.corked || state.errored || !state.constructed) {
    state.buffered.push({ chunk, encoding, callback });
    if (state.allBuffers && encoding !== 'buffer') state.allBuffers = false;
    if (state.allNoop && callback !== nop) state.allNoop = false;
  } else {
    state.writelen = len;
    if (callback !== nop) state.writecb = callback;
    state.writing = true;
    state.sync = true;
    state.expectWriteCb = true;
    stream._write(chunk, encoding, state.onwrite);
    state.sync = false;
  }

  const ret = state.length < state.highWaterMark || state.length === 0;
  if (!ret) state.needDrain = true;
  // false once errored or destroyed, to stop while(write()) loops.
  return ret && !state.destroyed && !state.errored;
}

function doWrite(stream, state, writev, len, chunk, encoding, cb) {
  state.writelen = len;
  if (cb !== nop) state.writecb = cb;
  state.writing = true;
  state.sync = true;
  state.expectWriteCb = true;
  if (state.destroyed) state.onwrite(makeError('ERR_STREAM_DESTROYED', 'write'));
  else if (writev) stream._writev(chunk, state.onwrite);
  else stream._write(chunk, encoding, state.onwrite);
  state.sync = false;
}

function onwriteError(stream, state, err, cb) {
  --state.pendingcb;
  cb(err);
  // Queued writes fail too (also without autoDestroy); the error event
  // comes after the callback.
  errorBuffer(state);
  fail(stream, err);
}

// The callback every _write / _writev gets.
function onwrite(stream, err) {
  const state = stream._writableState;
  if (!state.expectWriteCb) {
    fail(stream, makeError('ERR_MULTIPLE_CALLBACK'));
    return;
  }

  const sync = state.sync;
  const cb = state.writecb === null ? nop : state.writecb;
  state.writecb = null;
  state.writing = false;
  state.expectWriteCb = false;
  state.length -= state.writelen;
  state.writelen = 0;

  if (err) {
    err.stack; // eslint-disable-line no-unused-expressions
    if (!state.errored) state.errored = err;
    // A Duplex's readable side learns of it too.
    const r = stream._readableState;
    if (r && !r.errored) r.errored = err;
    if (sync) process.nextTick(onwriteError, stream, state, err, cb);
    else onwriteError(stream, state, err, cb);
    return;
  }

  if (state.buffered.length > state.bufferedIndex) clearBuffer(stream, state);

  if (!sync) {
    afterWrite(stream, state, 1, cb);
    return;
  }

  // Completed synchronously: the user callback and 'drain' wait for the
  // next tick. Object-mode streams always take that tick (as Node's do).
  const needTick = (state.needDrain && state.length === 0) || state.objectMode || cb !== nop;
  if (cb === nop) {
    if (!state.afterWritePending && needTick) {
      process.nextTick(afterWrite, stream, state, 1, cb);
      state.afterWritePending = true;
    } else {
      state.pendingcb--;
      if (state.ending) finishMaybe(stream, state, true);
    }
  } else if (state.afterWriteTickInfo !== null && state.afterWriteTickInfo.cb === cb) {
    // The same callback again (common): count instead of another tick.
    state.afterWriteTickInfo.count++;
  } else if (needTick) {
    const info = { count: 1, cb, stream, state };
    state.afterWriteTickInfo = info;
    process.nextTick(afterWriteTick, info);
    state.afterWritePending = true;
  } else {
    state.pendingcb--;
    if (state.ending) finishMaybe(stream, state, true);
  }
}

function afterWriteTick(info) {
  info.state.afterWriteTickInfo = null;
  afterWrite(info.stream, info.state, info.count, info.cb);
}

function afterWrite(stream, state, count, cb) {
  state.afterWritePending = false;
  if (state.needDrain && !state.ending && !state.destroyed && state.length === 0) {
    state.needDrain = false;
    stream.emit('drain');
  }
  while (count-- > 0) {
    state.pendingcb--;
    cb(null);
  }
  if (state.destroyed) errorBuffer(state);
  if (state.ending) finishMaybe(stream, state, true);
}

// Fails every queued write (and end() callbacks) after a destroy or error.
function errorBuffer(state) {
  if (state.writing) return;
  const buffered = state.buffered;
  for (let i = state.bufferedIndex; i < buffered.length; ++i) {
    const { chunk, callback } = buffered[i];
    state.length -= state.objectMode ? 1 : chunk.length;
    callback(state.errored ?? makeError('ERR_STREAM_DESTROYED', 'write'));
  }
  callFinishedCallbacks(state, state.errored ?? makeError('ERR_STREAM_DESTROYED', 'end'));
  resetBuffer(state);
}

function resetBuffer(state) {
  state.buffered = [];
  state.bufferedIndex = 0;
  state.allBuffers = true;
  state.allNoop = true;
}

// Writes out what was queued: all at once through _writev when there is
// one and more than one chunk, else one by one while each completes
// synchronously.
function clearBuffer(stream, state) {
  if (state.corked || state.destroyed || state.bufferProcessing || !state.constructed) return;
  const buffered = state.buffered;
  const start = state.bufferedIndex;
  const count = buffered.length - start;
  if (!count) return;

  let i = start;
  state.bufferProcessing = true;
  if (count > 1 && stream._writev) {
    state.pendingcb -= count - 1;
    const callback = state.allNoop ? nop : (err) => {
      for (let n = i; n < buffered.length; ++n) buffered[n].callback(err);
    };
    // The callback above still needs `buffered`; hand _writev a copy then.
    const chunks = state.allNoop && i === 0 ? buffered : buffered.slice(i);
    chunks.allBuffers = state.allBuffers;
    doWrite(stream, state, true, state.length, chunks, '', callback);
    resetBuffer(state);
  } else {
    do {
      const { chunk, encoding, callback } = buffered[i];
      buffered[i++] = null;
      doWrite(stream, state, false, state.objectMode ? 1 : chunk.length, chunk, encoding, callback);
    } while (i < buffered.length && !state.writing);

    if (i === buffered.length) {
      resetBuffer(state);
    } else if (i > 256) {
      buffered.splice(0, i);
      state.bufferedIndex = 0;
    } else {
      state.bufferedIndex = i;
    }
  }
  state.bufferProcessing = false;
}

Writable.prototype._write = function _write(chunk, encoding, cb) {
  if (this._writev) {
    this._writev([{ chunk, encoding }], cb);
  } else {
    throw makeError('ERR_METHOD_NOT_IMPLEMENTED', '_write()');
  }
};

Writable.prototype._writev = null;

Writable.prototype.end = function end(chunk, encoding, cb) {
  const state = this._writableState;

  if (typeof chunk === 'function') {
    cb = chunk;
    chunk = null;
    encoding = null;
  } else if (typeof encoding === 'function') {
    cb = encoding;
    encoding = null;
  }

  let err;
  if (chunk != null) {
    const ret = writeChunk(this, chunk, encoding);
    if (ret instanceof Error) err = ret;
  }

  // end() uncorks completely.
  if (state.corked) {
    state.corked = 1;
    this.uncork();
  }

  if (err) {
    // Reported through the write already.
  } else if (!state.ending && !state.errored) {
    // Calling end() more than once is forgiven.
    state.ending = true;
    finishMaybe(this, state, true);
    state.ended = true;
  } else if (state.finished) {
    err = makeError('ERR_STREAM_ALREADY_FINISHED', 'end');
  } else if (state.destroyed) {
    err = makeError('ERR_STREAM_DESTROYED', 'end');
  }

  if (typeof cb === 'function') {
    if (err) {
      process.nextTick(cb, err);
    } else if (state.errored) {
      process.nextTick(cb, state.errored);
    } else if (state.finished) {
      process.nextTick(cb, null);
    } else {
      (state.finishCallbacks ??= []).push(cb);
    }
  }
  return this;
};

// Ready for 'finish': ending, constructed, nothing buffered or in flight,
// and not destroyed, finished or failed.
function needFinish(state) {
  return state.ending && state.constructed && state.length === 0 &&
    !state.destroyed && !state.finished && !state.writing &&
    !state.errorEmitted && !state.closeEmitted && !state.errored &&
    state.buffered.length === state.bufferedIndex;
}

function onFinal(stream, state, err) {
  if (state.prefinished) {
    fail(stream, err ?? makeError('ERR_MULTIPLE_CALLBACK'));
    return;
  }
  state.pendingcb--;
  if (err) {
    callFinishedCallbacks(state, err);
    fail(stream, err, state.sync);
  } else if (needFinish(state)) {
    state.prefinished = true;
    stream.emit('prefinish');
    // 'finish' always comes on a later tick than the _final callback.
    state.pendingcb++;
    process.nextTick(finish, stream, state);
  }
}

function prefinish(stream, state) {
  if (state.prefinished || state.finalCalled) return;
  if (typeof stream._final === 'function' && !state.destroyed) {
    state.finalCalled = true;
    state.sync = true;
    state.pendingcb++;
    try {
      stream._final((err) => onFinal(stream, state, err));
    } catch (err) {
      onFinal(stream, state, err);
    }
    state.sync = false;
  } else {
    state.finalCalled = true;
    state.prefinished = true;
    stream.emit('prefinish');
  }
}

function finishMaybe(stream, state, sync) {
  if (!needFinish(state)) return;
  prefinish(stream, state);
  if (state.pendingcb !== 0) return;
  if (sync) {
    state.pendingcb++;
    process.nextTick(finishIfStillReady, stream, state);
  } else if (needFinish(state)) {
    state.pendingcb++;
    finish(stream, state);
  }
}

function finishIfStillReady(stream, state) {
  if (needFinish(state)) finish(stream, state);
  else state.pendingcb--;
}

function finish(stream, state) {
  state.pendingcb--;
  state.finished = true;
  callFinishedCallbacks(state, null);
  stream.emit('finish');

  if (state.autoDestroy) {
    // A Duplex is destroyed only once its readable side has ended too.
    const r = stream._readableState;
    const done = !r || (r.autoDestroy && (r.endEmitted || r.readable === false));
    if (done) stream.destroy();
  }
}

function callFinishedCallbacks(state, err) {
  const callbacks = state.finishCallbacks;
  if (callbacks === null) return;
  state.finishCallbacks = null;
  for (let i = 0; i < callbacks.length; i++) callbacks[i](err);
}

Object.defineProperties(Writable.prototype, {
  closed: {
    configurable: true,
    get() { return this._writableState ? this._writableState.closed : false; },
  },
  destroyed: {
    configurable: true,
    get() { return this._writableState ? this._writableState.destroyed : false; },
    set(value) {
      if (this._writableState) this._writableState.destroyed = value;
    },
  },
  writable: {
    configurable: true,
    get() {
      const w = this._writableState;
      // writable === false: the writable side of a Duplex was disabled.
      return !!w && w.writable !== false && !w.ending && !w.ended &&
        !w.destroyed && !w.errored;
    },
    set(val) {
      if (this._writableState) this._writableState.writable = !!val;
    },
  },
  writableFinished: {
    configurable: true,
    get() { return this._writableState ? this._writableState.finished : false; },
  },
  writableObjectMode: {
    configurable: true,
    get() { return this._writableState ? this._writableState.objectMode : false; },
  },
  writableBuffer: {
    configurable: true,
    get() { return this._writableState && this._writableState.getBuffer(); },
  },
  writableEnded: {
    configurable: true,
    get() { return this._writableState ? this._writableState.ending : false; },
  },
  writableNeedDrain: {
    configurable: true,
    get() {
      const w = this._writableState;
      if (!w) return false;
      return !w.destroyed && !w.ending && w.needDrain;
    },
  },
  writableHighWaterMark: {
    configurable: true,
    get() { return this._writableState && this._writableState.highWaterMark; },
  },
  writableCorked: {
    configurable: true,
    get() { return this._writableState ? this._writableState.corked : 0; },
  },
  writableLength: {
    configurable: true,
    get() { return this._writableState && this._writableState.length; },
  },
  errored: {
    configurable: true,
    enumerable: false,
    get() { return this._writableState ? this._writableState.errored : null; },
  },
  writableAborted: {
    configurable: true,
    get() {
      const w = this._writableState;
      return w.writable !== false && !!(w.destroyed || w.errored) && !w.finished;
    },
  },
});

const baseDestroy = destroyImpl.destroy;
Writable.prototype.destroy = function destroy(err, cb) {
  const state = this._writableState;
  // Pending write and end() callbacks fail on the next tick.
  if (!state.destroyed &&
      (state.buffered.length > state.bufferedIndex || state.finishCallbacks !== null)) {
    process.nextTick(errorBuffer, state);
  }
  baseDestroy.call(this, err, cb);
  return this;
};

Writable.prototype._undestroy = destroyImpl.undestroy;
Writable.prototype._destroy = function _destroy(err, cb) {
  cb(err);
};

Writable.prototype[EE.captureRejectionSymbol] = function captureRejection(err) {
  this.destroy(err);
};

if (Symbol.asyncDispose) {
  Writable.prototype[Symbol.asyncDispose] = function asyncDispose() {
    let error;
    if (!this.destroyed) {
      error = this.writableFinished ? null : new AbortError();
      this.destroy(error);
    }
    return new Promise((resolve, reject) => {
      eos(this, (err) => (err && err.name !== 'AbortError' ? reject(err) : resolve(null)));
    });
  };
}

Writable.fromWeb = function fromWeb(writableStream, options) {
  return require('./web').writableFromWeb(writableStream, options);
};

Writable.toWeb = function toWeb(streamWritable) {
  return require('./web').writableToWeb(streamWritable);
};
