'use strict';

// THE NATIVE SEAM: where Rust-backed streams plug into forkpipe's stream.
//
// DESIGN.md: native streams (files, fds, pipes, sockets, worker stdio,
// native transforms) keep their bytes in Rust as `bytes` chunks under the
// same highWaterMark backpressure, are instances of the same classes as
// JS-defined streams, and when two neighbours in pipe()/pipeline() are both
// native the data moves inside Rust; JS sees only the end events.
//
// This file is the only place that knows about native handles. A handle
// is whatever the addon returns for an open source or sink; JS talks to it
// through the small contract below, one crossing per batch, never per
// chunk (FACTS.md: a crossing costs 35-400 ns, a Buffer made by Rust ~1 µs).
//
//   source handle                        sink handle
//   -------------                        -----------
//   readBatch(maxBytes, cb)              writeBatch(buffers, cb)
//     cb(err, buffers | null)              cb(err)        // all written
//     null: end of data                  end(cb)          // flush + EOF
//   close(cb)                            close(cb)
//   spliceTo(sink, cb) -> false | other  (optional)
//   stopSplice()       (optional)
//
// - NativeReadable is a Readable: its _read asks the handle for up to
//   highWaterMark bytes and pushes the batch it gets back. A JS-defined
//   stream never reaches this code: it has no handle.
// - NativeWritable is a Writable: _writev hands all queued chunks to the
//   handle in one call; _write is the one-chunk case; _final ends it.
// - A native Transform (gzip, line splitting) is a Duplex built the same
//   way from a handle that is both a sink and a source.
//
// Native pipelines. The choice is made each time a NativeReadable's _read
// runs, so pipe() and pipeline() (both of which wire src.pipe(dst)) get it
// alike: when the source is flowing into exactly one destination through
// pipe() and nothing else listens ('data' only from that pipe, no
// 'readable', no encoding), nothing is left in the source's buffer (it
// waits a tick for the last chunk to go), and the destination has a sink
// (its own handle, or one an adapter registered with registerSinkAdapter()
// makes for it, e.g. an http.ServerResponse),
// _read calls handle.spliceTo(sink, cb) instead of readBatch. If that
// returns false the pair cannot splice and _read reads as usual.
// Otherwise the bytes move inside Rust until
//
//   cb(err, moved, stopped, sinkErr)
//     err       the source failed: the source is errored (destroyed)
//     sinkErr   the destination failed: it is destroyed with sinkErr (or
//               sink.fail(sinkErr) decides), and the source goes on
//     stopped   the splice ended early without losing a byte
//     otherwise the source is exhausted: push(null), so 'end' and then
//               the pipe's dest.end() follow as on the slow path
//
// lib/fs's handles speak a small protocol between source and sink, which
// other native streams may join (a native transform's readable side as a
// source, its writable side as a sink):
//
//   sink.beginSplice(source) -> null (not now) | target
//     target(go): once everything written to the sink before has reached
//     it, go(fd, position, dup, chunked) hands over the fd to write to
//     (position -1: the fd's own; dup: the job must work on a duplicate;
//     chunked: frame as HTTP chunks), or go(null) declines (the sink has
//     nothing to undo then)
//   sink.endSplice(bytesWritten, sinkFailed)   after go(fd), when it is over
//   source.stopSplice() / source.cancelSplice() / source.framable()
//     what a sink may ask of the source splicing into it
//
// The native zlib transforms join it that way (lib/zlib/native-handle.js):
// their handle is a sink whose fd is a pipe Rust pumps into the codec, and
// a source that writes the codec's output to the sink's fd from a Rust
// thread; their _read and the listener/flow hooks below are
// NativeReadable's own methods. So file -> gzip -> file runs in Rust, one
// splice per neighbour, and each side falls back to JS on its own.
//
// After a stop (or a sink error) the pending _read is served by readBatch,
// so the next bytes go through JS from exactly where Rust stopped. A
// splice is asked to stop (handle.stopSplice()) the moment it would no
// longer be chosen: a 'data' or 'readable' listener is added, the source
// is paused, unpiped, piped elsewhere too, or given an encoding. The
// handles stop it themselves when JS writes to, ends or destroys the sink,
// or destroys the source. Once the destination has drained and the source
// reads again, the next _read may splice again.

const Readable = require('./readable');
const Writable = require('./writable');
const { fail } = require('./destroy');

const kNativeHandle = Symbol.for('forkpipe.stream.nativeHandle');
const kSplicing = Symbol('forkpipe.stream.splicing');

const sinkAdapters = [];

// fn(dest) -> sink handle | undefined, for destinations that are not
// native streams themselves (an http.ServerResponse, a net.Socket).
function registerSinkAdapter(fn) {
  if (!sinkAdapters.includes(fn)) sinkAdapters.push(fn);
}

function sinkOf(dest) {
  const own = dest[kNativeHandle];
  if (own !== undefined) return own;
  for (let i = 0; i < sinkAdapters.length; i++) {
    const sink = sinkAdapters[i](dest);
    if (sink !== undefined) return sink;
  }
  return undefined;
}

function NativeReadable(handle, options) {
  if (!(this instanceof NativeReadable)) return new NativeReadable(handle, options);
  Readable.call(this, options);
  this[kNativeHandle] = handle;
  this[kSplicing] = null;
}
Object.setPrototypeOf(NativeReadable.prototype, Readable.prototype);
Object.setPrototypeOf(NativeReadable, Readable);

NativeReadable.prototype._read = function _read(n) {
  const dest = spliceDestination(this);
  if (dest !== undefined) {
    // Readable asks for more while it still holds the chunk it is about to
    // hand out: the splice waits until that chunk has gone to dest.
    if (this._readableState.length === 0) {
      if (startSplice(this, dest, n)) return;
    } else {
      process.nextTick(spliceWhenEmpty, this, n);
      return;
    }
  }
  readBatch(this, n);
};

function spliceWhenEmpty(src, n) {
  if (src.destroyed) return;
  if (src._readableState.length === 0) {
    const dest = spliceDestination(src);
    if (dest !== undefined && startSplice(src, dest, n)) return;
  }
  readBatch(src, n);
}

function readBatch(stream, n) {
  stream[kNativeHandle].readBatch(n, (err, buffers) => {
    if (stream.destroyed) return;
    if (err) {
      fail(stream, err);
    } else if (buffers === null) {
      stream.push(null);
    } else {
      for (let i = 0; i < buffers.length; i++) stream.push(buffers[i]);
      // An empty batch is not the end: ask again later.
      if (buffers.length === 0) stream.push(Buffer.alloc(0));
    }
  });
}

// Whether the source's data has nowhere to go but its one piped
// destination.
function onlyPiped(src, dest) {
  const state = src._readableState;
  if (state.pipes.length !== 1) return false;
  const only = state.pipes[0];
  if (dest !== undefined && only !== dest) return false;
  // Paused only until that destination drains counts as flowing: the
  // sink waits for the drain anyway.
  const flowing = state.flowing === true ||
    (state.flowing === false && state.awaitDrainWriters === only);
  return flowing && state.decoder === null && !state.objectMode &&
    src.listenerCount('data') === 1 && src.listenerCount('readable') === 0;
}

function spliceDestination(src) {
  if (typeof src[kNativeHandle].spliceTo !== 'function' || !onlyPiped(src)) return undefined;
  const dest = src._readableState.pipes[0];
  // Whatever JS already wrote to dest must reach it first: the sink waits
  // for that before it hands over its fd (see the protocol above).
  return dest.writableEnded || dest.destroyed ? undefined : dest;
}

function startSplice(src, dest, n) {
  const sink = sinkOf(dest);
  if (sink === undefined) return false;
  const splicing = { dest, sink };
  const started = src[kNativeHandle].spliceTo(sink, (err, moved, stopped, sinkErr) => {
    src[kSplicing] = null;
    if (src.destroyed) return;
    if (err) {
      fail(src, err);
      return;
    }
    if (sinkErr) {
      if (typeof sink.fail === 'function') sink.fail(sinkErr);
      else dest.destroy(sinkErr);
    }
    if (stopped || sinkErr) readBatch(src, n);
    else src.push(null);
  });
  if (started === false) return false;
  src[kSplicing] = splicing;
  // The handle may have finished synchronously.
  if (src[kSplicing] === splicing) maybeStopSplice(src);
  return true;
}

function maybeStopSplice(src) {
  const splicing = src[kSplicing];
  if (splicing === null || splicing === undefined || splicing.stopping) return;
  if (onlyPiped(src, splicing.dest)) return;
  splicing.stopping = true;
  const handle = src[kNativeHandle];
  if (typeof handle.stopSplice === 'function') handle.stopSplice();
}

// What can make a running splice the wrong choice, seen from the source.
for (const method of ['on', 'addListener', 'prependListener']) {
  const base = Readable.prototype[method];
  NativeReadable.prototype[method] = function listen(ev, fn) {
    const result = base.call(this, ev, fn);
    if (this[kSplicing] && (ev === 'data' || ev === 'readable')) maybeStopSplice(this);
    return result;
  };
}
for (const method of ['pause', 'unpipe', 'setEncoding']) {
  const base = Readable.prototype[method];
  NativeReadable.prototype[method] = function changeFlow(...args) {
    const result = Reflect.apply(base, this, args);
    if (this[kSplicing]) maybeStopSplice(this);
    return result;
  };
}

NativeReadable.prototype._destroy = function _destroy(err, cb) {
  this[kNativeHandle].close(() => cb(err));
};

function NativeWritable(handle, options) {
  if (!(this instanceof NativeWritable)) return new NativeWritable(handle, options);
  Writable.call(this, options);
  this[kNativeHandle] = handle;
}
Object.setPrototypeOf(NativeWritable.prototype, Writable.prototype);
Object.setPrototypeOf(NativeWritable, Writable);

NativeWritable.prototype._write = function _write(chunk, encoding, cb) {
  this[kNativeHandle].writeBatch([chunk], cb);
};

NativeWritable.prototype._writev = function _writev(chunks, cb) {
  const buffers = new Array(chunks.length);
  for (let i = 0; i < chunks.length; i++) buffers[i] = chunks[i].chunk;
  this[kNativeHandle].writeBatch(buffers, cb);
};

NativeWritable.prototype._final = function _final(cb) {
  this[kNativeHandle].end(cb);
};

NativeWritable.prototype._destroy = function _destroy(err, cb) {
  this[kNativeHandle].close(() => cb(err));
};

function nativeHandleOf(stream) {
  return stream != null ? stream[kNativeHandle] : undefined;
}

module.exports = {
  kNativeHandle,
  NativeReadable,
  NativeWritable,
  nativeHandleOf,
  registerSinkAdapter,
};
