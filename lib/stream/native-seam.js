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
//   spliceTo(sinkHandle, cb)  (optional: move everything to a sink inside
//     cb(err, bytesMoved)      Rust, e.g. copy_file_range/splice/sendfile)
//
// - NativeReadable is a Readable: its _read asks the handle for up to
//   highWaterMark bytes and pushes the batch it gets back. A JS-defined
//   stream never reaches this code: it has no handle.
// - NativeWritable is a Writable: _writev hands all queued chunks to the
//   handle in one call; _write is the one-chunk case; _final ends it.
// - A native Transform (gzip, line splitting) is a Duplex built the same
//   way from a handle that is both a sink and a source (later work).
// - spliceIfNative(src, dst) is what pipeline() asks before wiring two
//   Node-style streams with pipe(): when both carry a handle and the
//   source can splice, the bytes never enter JS and only 'end'/'finish'/
//   'close'/'error' are emitted. Every other pair takes the JS path, so
//   mixing native and JS-defined streams behaves exactly like Node.

const Readable = require('./readable');
const Writable = require('./writable');

const kNativeHandle = Symbol.for('forkpipe.stream.nativeHandle');

function NativeReadable(handle, options) {
  if (!(this instanceof NativeReadable)) return new NativeReadable(handle, options);
  Readable.call(this, options);
  this[kNativeHandle] = handle;
}
Object.setPrototypeOf(NativeReadable.prototype, Readable.prototype);
Object.setPrototypeOf(NativeReadable, Readable);

NativeReadable.prototype._read = function _read(n) {
  const handle = this[kNativeHandle];
  handle.readBatch(n, (err, buffers) => {
    if (err) {
      this.destroy(err);
    } else if (buffers === null) {
      this.push(null);
    } else {
      for (let i = 0; i < buffers.length; i++) this.push(buffers[i]);
      // An empty batch is not the end: ask again later.
      if (buffers.length === 0) this.push(Buffer.alloc(0));
    }
  });
};

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

// Called by pipeline() for each Node-style src -> dst pair before it
// falls back to src.pipe(dst). Returns false (nothing done) unless both
// ends are native, the source can splice, nothing is buffered in JS yet
// and dst is to be ended. Otherwise the move happens in Rust; afterwards
// src ends ('end') and dst is ended ('finish'), or both are destroyed with
// the error, and pipeline()'s usual end-of-stream watchers take it from
// there.
function spliceIfNative(src, dst, end) {
  const from = nativeHandleOf(src);
  const to = nativeHandleOf(dst);
  if (from === undefined || to === undefined || typeof from.spliceTo !== 'function' || !end) {
    return false;
  }
  if (src.readableLength !== 0 || dst.writableLength !== 0 || src.readableFlowing !== null) {
    return false;
  }
  // Keep JS from pulling while Rust moves the data.
  src.pause();
  from.spliceTo(to, (err) => {
    if (err) {
      src.destroy(err);
      dst.destroy(err);
      return;
    }
    src.push(null);
    src.resume();
    dst.end();
  });
  return true;
}

module.exports = {
  kNativeHandle,
  NativeReadable,
  NativeWritable,
  nativeHandleOf,
  spliceIfNative,
};
