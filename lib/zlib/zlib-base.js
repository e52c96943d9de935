'use strict';

// ZlibBase: the native zlib transform. An instance of forkpipe's Transform
// (so of its Duplex, Readable, Writable) whose bytes are compressed or
// decompressed by the addon on its thread pool (src/stream/zlib_stream.rs),
// never on the JS thread. Shaped like Node's zlib objects: the same
// options, events, errors, flush()/close()/reset()/params(), bytesWritten,
// _closed, _level, _strategy, _chunkSize.
//
// Crossings (lib/zlib/binding.js has the wire format):
// - Writes: each write is copied into Rust in one call (zlibPush). Writes
//   under SMALL bytes are gathered in JS first (up to BATCH bytes, or until
//   the next tick, a flush or end) and cross together (zlibPushv). A write
//   callback runs at once while Rust's queue has room (1 MiB), else when
//   the queue is down to half. A write larger than SLICE crosses in slices,
//   each after the last was taken, so Rust never holds a huge copy.
// - Output: _read asks Rust once (zlibRead): whatever is ready comes back
//   at once, copied into one Buffer; otherwise an update says DATA when
//   there is output, and the stream reads it the same way. Rust stops
//   producing while about 256 KiB wait for a reader, so a slow consumer
//   bounds memory.
// - Updates also carry RELEASED (the held write/flush callback may run),
//   ENDED (end() is complete), EOF, errors, and IDLE; while a stream waits
//   for one, it holds the event loop open (lib/loop-hold.js).
// - Native neighbours: the stream's native handle (native-handle.js) lets
//   native sources splice into it and it splice into native sinks, so such
//   pipelines run in Rust; _read is NativeReadable's, which chooses.

const util = require('util');
const Transform = require('../stream/transform');
const eos = require('../stream/end-of-stream');
const { NativeReadable, kNativeHandle } = require('../stream/native-seam');
const { TransformHandle } = require('./native-handle');
const binding = require('./binding');
const loop = require('../loop-hold');
const { parse, compresses } = require('./options');
const { zlibError, bindingClosed } = require('./errors');
const { constants: C } = require('./constants');

const { native, RELEASED, DATA, EOF, ENDED, IDLE, ERROR } = binding;

// Writes smaller than this are gathered; a gathered batch crosses at this size.
const SMALL = 16 * 1024;
const BATCH = 64 * 1024;
// The largest piece of one write that crosses at a time (Rust's queue size).
const SLICE = 1024 * 1024;

const kHandle = Symbol('forkpipe.zlib.handle');
const kId = Symbol('forkpipe.zlib.id');
const kSent = Symbol('forkpipe.zlib.sent');
const kBusy = Symbol('forkpipe.zlib.busy');
const kHeld = Symbol('forkpipe.zlib.heldCallback');
const kHeldSeq = Symbol('forkpipe.zlib.heldSeq');
const kFinal = Symbol('forkpipe.zlib.finalCallback');
const kGathered = Symbol('forkpipe.zlib.gathered');
const kGatheredBytes = Symbol('forkpipe.zlib.gatheredBytes');
const kSendQueued = Symbol('forkpipe.zlib.sendQueued');
const kSliceOut = Symbol('forkpipe.zlib.sliceOutput');
const kParallel = Symbol('forkpipe.zlib.parallel');
// Rust threads JS waits for (a drain, a splice into the feed): while any
// runs, the stream stays listened to whatever IDLE says.
const kPinned = Symbol('forkpipe.zlib.pinned');
// EOF / ENDED that arrived while a drain still writes the last output.
const kDeferred = Symbol('forkpipe.zlib.deferred');

// flush() and params() travel through write() as tagged empty Buffers, so
// that they keep their place among the writes.
const kFlushKind = Symbol('forkpipe.zlib.flushKind');
const kParams = Symbol('forkpipe.zlib.params');
const flushMarkers = [];
for (let kind = C.Z_NO_FLUSH; kind <= C.Z_BLOCK; kind++) {
  const marker = Buffer.alloc(0);
  marker[kFlushKind] = kind;
  flushMarkers[kind] = marker;
}

module.exports = ZlibBase;

function ZlibBase(opts, mode) {
  const o = parse(opts, mode);
  Transform.call(this, { autoDestroy: true, ...o.streamOptions });
  this.bytesWritten = 0;
  this._chunkSize = o.chunkSize;
  this._defaultFlushFlag = o.flush;
  this._finishFlushFlag = o.finishFlush;
  this._defaultFullFlushFlag = C.Z_FULL_FLUSH;
  this._info = opts && opts.info;
  this._maxOutputLength = o.maxOutputLength;
  this._level = o.level;
  this._strategy = o.strategy;

  const id = binding.newId();
  this[kId] = id;
  this[kHandle] = native.zlibCreate(binding.theSink(), id, mode, o.level, o.windowBits,
    o.memLevel, o.strategy, o.chunkSize, o.dictionary === undefined ? null : o.dictionary,
    o.flush);
  // Compression runs on several cores unless a dictionary or a per-write
  // flush asks for one zlib stream (zlib_stream.rs decides the same way).
  this[kParallel] = compresses(mode) && o.dictionary === undefined && o.flush === C.Z_NO_FLUSH;
  this[kSent] = 0;
  this[kBusy] = false;
  this[kHeld] = null;
  this[kHeldSeq] = 0;
  this[kFinal] = null;
  this[kGathered] = [];
  this[kGatheredBytes] = 0;
  this[kSendQueued] = false;
  // Node slices output at chunkSize; forkpipe only when asked to.
  this[kSliceOut] = o.chunkSizeGiven;
  this[kPinned] = 0;
  this[kDeferred] = 0;
  this[kNativeHandle] = new TransformHandle(this, hooksFor(this));
}
Object.setPrototypeOf(ZlibBase.prototype, Transform.prototype);
Object.setPrototypeOf(ZlibBase, Transform);

Object.defineProperty(ZlibBase.prototype, '_closed', {
  configurable: true,
  enumerable: true,
  get() {
    return this[kHandle] === null;
  },
});

// Every call into Rust may start work that reports back: until Rust says
// it is idle after the latest call, the stream is listened to and holds
// the event loop open.
function called(stream) {
  stream[kSent]++;
  listenTo(stream);
}

function listenTo(stream) {
  if (!stream[kBusy]) {
    stream[kBusy] = true;
    binding.listen(stream[kId], stream);
    loop.hold();
  }
}

// `fn` runs when Rust releases the call just made (RELEASED names it).
function holdFor(stream, fn) {
  stream[kHeld] = fn;
  stream[kHeldSeq] = stream[kSent];
}

function settle(stream) {
  if (stream[kBusy] && stream[kPinned] === 0) {
    stream[kBusy] = false;
    binding.unlisten(stream[kId]);
    loop.release();
  }
}

function pin(stream) {
  stream[kPinned]++;
  listenTo(stream);
}

// The Rust thread is done: once Rust is quiet (an IDLE after this poke),
// the stream settles; a closed stream settles now.
function unpin(stream) {
  stream[kPinned]--;
  const handle = stream[kHandle];
  if (handle === null) {
    settle(stream);
  } else {
    called(stream);
    native.zlibPoke(handle);
  }
}

// What the native handle needs from its stream.
function hooksFor(stream) {
  return {
    native,
    handle: () => stream[kHandle],
    read(handle) {
      called(stream);
      return native.zlibRead(handle);
    },
    slices: (data) => sliceOut(stream, data),
    pin: () => pin(stream),
    unpin: () => unpin(stream),
    call(fn) {
      called(stream);
      return fn();
    },
    // Gathered small writes go first, before a splice's bytes.
    flushGathered() {
      if (stream[kGathered].length > 0) send(stream, [], -1);
      return true;
    },
  };
}

// `errno` is, without ERROR, the number of the call RELEASED releases.
ZlibBase.prototype.onUpdate = function onUpdate(flags, consumed, seq, errno, message) {
  if (this[kHandle] === null) return;
  this.bytesWritten = consumed;
  const nh = this[kNativeHandle];
  if (flags & ERROR) {
    if (flags & DATA) nh.onData();
    const err = zlibError(errno, message);
    this.destroy(err);
    return;
  }
  if ((flags & IDLE) && seq === this[kSent]) settle(this);
  if (flags & DATA) nh.onData();
  if ((flags & RELEASED) && errno === this[kHeldSeq]) {
    const cb = this[kHeld];
    this[kHeld] = null;
    if (cb !== null) cb();
  }
  const ends = flags & (EOF | ENDED);
  if (ends !== 0) {
    if (nh.isDraining()) this[kDeferred] |= ends;
    else endOutput(this, ends);
  }
};

// The output is complete: EOF (the compressed stream ended before end())
// pushes null; ENDED lets the Transform end (_flush's callback).
function endOutput(stream, ends) {
  if (ends & EOF) stream.push(null);
  if (ends & ENDED) {
    const cb = stream[kFinal];
    stream[kFinal] = null;
    if (cb !== null) cb();
  }
}

ZlibBase.prototype.onDrained = function onDrained(moved, errno, eof) {
  this[kNativeHandle].onDrained(moved, errno, eof);
  const ends = this[kDeferred];
  this[kDeferred] = 0;
  if (ends !== 0 && !this.destroyed) endOutput(this, ends);
};

// Output Buffers as pushed: whole, or at most chunkSize when it was given.
function sliceOut(stream, data) {
  const size = stream._chunkSize;
  if (!stream[kSliceOut] || data.length <= size) return [data];
  const pieces = [];
  for (let at = 0; at < data.length; at += size) {
    pieces.push(data.subarray(at, Math.min(at + size, data.length)));
  }
  return pieces;
}

// Reading and the choice of a Rust-side pipeline are NativeReadable's
// (lib/stream/native-seam.js), over this stream's native handle; so are
// the hooks that stop a splice when the output gets another reader.
for (const key of ['_read', 'on', 'addListener', 'prependListener', 'pause', 'unpipe',
  'setEncoding']) {
  ZlibBase.prototype[key] = NativeReadable.prototype[key];
}

// Sends what was gathered plus `bufs` (and then a flush of `kind`, or -1);
// true when the write callback may run now.
function send(stream, bufs, kind) {
  let list = bufs;
  if (stream[kGatheredBytes] > 0 || stream[kGathered].length > 0) {
    list = stream[kGathered].concat(bufs);
    stream[kGathered] = [];
    stream[kGatheredBytes] = 0;
  }
  called(stream);
  const handle = stream[kHandle];
  const flush = stream._defaultFlushFlag;
  if (list.length === 1 && kind < 0) return native.zlibPush(handle, list[0], flush, -1);
  return native.zlibPushv(handle, list, flush, kind);
}

function sendGathered(stream) {
  stream[kSendQueued] = false;
  if (stream[kHandle] === null || stream[kGathered].length === 0) return;
  // The callbacks already ran; a full queue only delays the next send.
  send(stream, [], -1);
}

function toBuffer(chunk, encoding) {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, encoding);
  return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

ZlibBase.prototype._write = function _write(chunk, encoding, cb) {
  if (this[kHandle] === null) {
    process.nextTick(cb);
    return;
  }
  const nh = this[kNativeHandle];
  if (nh.isFed()) {
    nh.afterSplicing(() => this._write(chunk, encoding, cb), false);
    return;
  }
  chunk = toBuffer(chunk, encoding);
  if (chunk.length > 0 && chunk.length < SMALL && chunk[kFlushKind] === undefined &&
      chunk[kParams] === undefined) {
    // Gather small writes: one crossing per batch.
    this[kGathered].push(chunk);
    this[kGatheredBytes] += chunk.length;
    if (this[kGatheredBytes] >= BATCH) {
      if (!send(this, [], -1)) {
        holdFor(this, cb);
        return;
      }
    } else if (!this[kSendQueued]) {
      this[kSendQueued] = true;
      process.nextTick(sendGathered, this);
    }
    cb();
    return;
  }
  writeList(this, [chunk], 0, cb);
};

ZlibBase.prototype._writev = function _writev(entries, cb) {
  if (this[kHandle] === null) {
    process.nextTick(cb);
    return;
  }
  const nh = this[kNativeHandle];
  if (nh.isFed()) {
    nh.afterSplicing(() => this._writev(entries, cb), false);
    return;
  }
  const list = new Array(entries.length);
  for (let i = 0; i < entries.length; i++) {
    list[i] = toBuffer(entries[i].chunk, entries[i].encoding);
  }
  writeList(this, list, 0, cb);
};

// Sends list[i..] in order: runs of data in one crossing, each flush or
// params marker after the data before it, each huge chunk in slices; waits
// for RELEASED whenever Rust holds a write back, then goes on.
function writeList(stream, list, i, cb) {
  let run = [];
  for (; i < list.length; i++) {
    if (stream[kHandle] === null) break;
    const chunk = list[i];
    const kind = chunk[kFlushKind];
    const params = chunk[kParams];
    if (kind !== undefined || params !== undefined || chunk.length > SLICE) {
      if (run.length > 0 && !send(stream, run, -1)) {
        holdFor(stream, () => writeList(stream, list, i, cb));
        return;
      }
      run = [];
      if (kind !== undefined) {
        send(stream, [], kind);
        holdFor(stream, () => writeList(stream, list, i + 1, cb));
        return;
      }
      if (params !== undefined) {
        if (stream[kGathered].length > 0) send(stream, [], -1);
        called(stream);
        native.zlibParams(stream[kHandle], params[0], params[1]);
        holdFor(stream, () => {
          stream._level = params[0];
          stream._strategy = params[1];
          writeList(stream, list, i + 1, cb);
        });
        return;
      }
      writeSlices(stream, chunk, 0, () => writeList(stream, list, i + 1, cb));
      return;
    }
    run.push(chunk);
  }
  if (run.length > 0 && stream[kHandle] !== null && !send(stream, run, -1)) {
    holdFor(stream, cb);
    return;
  }
  cb();
}

function writeSlices(stream, chunk, at, cb) {
  while (at < chunk.length && stream[kHandle] !== null) {
    const end = Math.min(at + SLICE, chunk.length);
    const taken = send(stream, [chunk.subarray(at, end)], -1);
    at = end;
    if (!taken) {
      holdFor(stream, at < chunk.length ? () => writeSlices(stream, chunk, at, cb) : cb);
      return;
    }
  }
  cb();
}

// Node's zlib ends in _flush (the Transform's end hook) and lets _final
// pass at once, so 'finish' comes before the last output as in Node.
ZlibBase.prototype._final = function _final(cb) {
  cb();
};

ZlibBase.prototype._flush = function _flush(cb) {
  const handle = this[kHandle];
  if (handle === null) {
    cb();
    return;
  }
  const nh = this[kNativeHandle];
  if (nh.isFed()) {
    nh.afterSplicing(() => this._flush(cb), false);
    return;
  }
  if (this[kGathered].length > 0) send(this, [], -1);
  this[kFinal] = cb;
  called(this);
  native.zlibEnd(handle, this._finishFlushFlag);
};

// Kept for code that calls it: the stream's own write path.
ZlibBase.prototype._transform = function _transform(chunk, encoding, cb) {
  this._write(chunk, encoding, cb);
};

ZlibBase.prototype.flush = function flush(kind, callback) {
  if (typeof kind === 'function' || (kind === undefined && !callback)) {
    callback = kind;
    kind = this._defaultFullFlushFlag;
  }
  if (this.writableFinished) {
    if (callback) process.nextTick(callback);
  } else if (this.writableEnded) {
    if (callback) this.once('end', callback);
  } else {
    this.write(flushMarkers[kind] || flushMarkers[this._defaultFullFlushFlag], '', callback);
  }
};

ZlibBase.prototype.close = function close(callback) {
  if (callback) eos(this, callback);
  this.destroy();
};

// The old name of bytesWritten, deprecated (DEP0108): present where the
// running Node's zlib still has it (gone in Node 24).
if ('bytesRead' in require('zlib').Gzip.prototype) {
  const warnOnce = (what) => util.deprecate(what,
    'zlib.bytesRead is deprecated: it counts the bytes written into the stream; ' +
    'read zlib.bytesWritten instead.', 'DEP0108');
  Object.defineProperty(ZlibBase.prototype, 'bytesRead', {
    configurable: true,
    enumerable: true,
    get: warnOnce(function bytesRead() { return this.bytesWritten; }),
    set: warnOnce(function setBytesRead(value) { this.bytesWritten = value; }),
  });
}

ZlibBase.prototype.reset = function reset() {
  const handle = this[kHandle];
  if (handle === null) throw bindingClosed();
  const nh = this[kNativeHandle];
  if (nh.isFed()) {
    nh.afterSplicing(() => {
      if (this[kHandle] !== null) this.reset();
    }, false);
    return;
  }
  if (this[kGathered].length > 0) send(this, [], -1);
  called(this);
  native.zlibReset(handle);
};

ZlibBase.prototype._destroy = function _destroy(err, cb) {
  const handle = this[kHandle];
  const nh = this[kNativeHandle];
  // A source splicing into the feed is cancelled (its job holds its own
  // copy of the pipe's fd); a drain stops when the handle closes. Both
  // still report, and the stream listens until they have.
  if (nh.splicer !== null) nh.splicer.cancelSplice();
  if (handle !== null) {
    native.zlibClose(handle);
    this[kHandle] = null;
  }
  this[kGathered] = [];
  this[kGatheredBytes] = 0;
  settle(this);
  // A write Rust held back is answered, as Node answers its pending write.
  const held = this[kHeld];
  this[kHeld] = null;
  this[kFinal] = null;
  if (held !== null && !err) process.nextTick(held);
  cb(err);
};

ZlibBase.kParams = kParams;
ZlibBase.kParallel = kParallel;
