'use strict';

// The source handle behind a ReadStream (native-seam.js contract): reads
// into Buffers JS allocates, filled off the JS thread, several chunks per
// crossing; or, when the stream is piped into a native sink, hands the
// whole transfer to Rust (spliceTo).
//
// The stream object keeps Node's public state (fd, pos, end, bytesRead);
// the handle reads and updates it.

const { Buffer } = require('buffer');
const binding = require('./binding');
const { Jobs } = require('./jobs');
const { uvError } = require('./uv-error');

const { KIND, EOF, SIDE_SINK } = binding;

// A regular file is read up to this much per crossing, in at most
// MAX_CHUNKS highWaterMark-sized chunks; pipes, sockets and ttys one chunk
// at a time, as data comes.
const BATCH_BYTES = 1 << 20;
const MAX_CHUNKS = 64;

class FdSource {
  constructor(stream) {
    this.stream = stream;
    this.jobs = new Jobs();
    this.kind = -1;
    // Path streams own their fd: without `start` they read at offset
    // bytesRead, which is where the fd's own position would be.
    this.ownsPosition = false;
    this.splice = null;
  }

  kindOf() {
    if (this.kind === -1) this.kind = binding.kindOf(this.stream.fd);
    return this.kind;
  }

  // How many bytes the range still allows (Infinity: to the end).
  left() {
    const s = this.stream;
    return s.pos !== undefined ? s.end - s.pos + 1 : s.end - s.bytesRead + 1;
  }

  offset() {
    const s = this.stream;
    if (s.pos !== undefined) return s.pos;
    return this.ownsPosition && this.kindOf() === KIND.FILE ? s.bytesRead : -1;
  }

  readBatch(n, cb) {
    const s = this.stream;
    const left = this.left();
    const size = Math.min(left, n);
    if (size <= 0) {
      cb(null, null);
      return;
    }
    const file = this.kindOf() === KIND.FILE;
    let total = size;
    if (file) {
      const chunks = Math.min(MAX_CHUNKS, Math.max(1, Math.floor(BATCH_BYTES / size)));
      total = Math.min(left, size * chunks);
    }
    const buffers = [];
    for (let at = 0; at < total; at += size) {
      buffers.push(Buffer.allocUnsafeSlow(Math.min(size, total - at)));
    }
    const id = binding.read(s.fd, buffers, this.offset(), !file, (errno, got) => {
      this.jobs.finished();
      if (s.destroyed) return;
      if (errno !== 0) {
        cb(uvError(errno, 'read'));
        return;
      }
      if (got === 0) {
        cb(null, null);
        return;
      }
      if (s.pos !== undefined) s.pos += got;
      s.bytesRead += got;
      cb(null, fill(buffers, got));
    });
    this.jobs.started(id);
  }

  // Hands the rest of the range to Rust, into `sink` (see sink.js for
  // what a sink offers). false: this pair cannot splice now.
  spliceTo(sink, cb) {
    const s = this.stream;
    if (typeof sink.beginSplice !== 'function' || s.fd == null || this.jobs.busy ||
        this.splice !== null || this.left() <= 0) {
      return false;
    }
    const target = sink.beginSplice(this);
    if (target === null) return false;
    const splice = { id: 0, stopRequested: false, sink, cb };
    this.splice = splice;
    const finish = (errno, moved, info) => {
      this.splice = null;
      this.jobs.finished();
      s.bytesRead += moved;
      if (s.pos !== undefined) s.pos += moved;
      const error = errno !== 0 ? uvError(errno, binding.syscallOf(info)) : null;
      const sinkFailed = error !== null && (info & SIDE_SINK) !== 0;
      sink.endSplice(moved, sinkFailed);
      if (sinkFailed) cb(null, moved, true, error);
      else if (error !== null) cb(error, moved);
      else cb(null, moved, (info & EOF) === 0);
    };
    // A sink may need a moment first (to open, to drain what JS wrote, to
    // flush HTTP headers): it calls back with its fd, or null to decline.
    target((fd, pos, dup, chunked = false) => {
      // Meanwhile the stream may have been destroyed, or the splice asked
      // to stop.
      const left = this.left();
      if (this.splice !== splice) {
        // Dropped while it waited (stopSplice): nothing more to say.
        if (fd !== null) sink.endSplice(0, false);
        return;
      }
      if (fd === null || s.destroyed || splice.stopRequested || left <= 0) {
        this.splice = null;
        if (fd !== null) sink.endSplice(0, false);
        cb(null, 0, true);
        return;
      }
      const len = left === Infinity ? -1 : left;
      splice.id = binding.splice(s.fd, fd, this.offset(), pos, len, dup, chunked, finish);
      this.jobs.started(splice.id);
    });
    return true;
  }

  // Whether a splice from here can frame its bytes (HTTP chunks): a
  // regular file read at known offsets.
  framable() {
    return this.stream.fd != null && this.kindOf() === KIND.FILE && this.offset() >= 0;
  }

  // Bytes the running splice has moved so far (0 when none runs).
  progress() {
    const splice = this.splice;
    return splice !== null && splice.id !== 0 ? Math.max(0, binding.progress(splice.id)) : 0;
  }

  // Ends a splice where no byte is lost; its callback says "stopped".
  stopSplice() {
    this.endSpliceEarly(true);
  }

  // Ends a splice now, bytes in flight or not (its sink is being
  // destroyed).
  cancelSplice() {
    this.endSpliceEarly(false);
  }

  endSpliceEarly(stopOnly) {
    const splice = this.splice;
    if (splice === null || (stopOnly && splice.stopRequested)) return;
    splice.stopRequested = true;
    if (splice.id !== 0) {
      binding.cancel(splice.id, stopOnly);
    } else if (typeof splice.sink.dropWaiting === 'function' && splice.sink.dropWaiting(this)) {
      // Still waiting for the sink: it never started, so it is over now.
      this.splice = null;
      process.nextTick(splice.cb, null, 0, true);
    }
  }

  // For _destroy: stop whatever waits on a peer, then run fn once idle.
  settle(fn) {
    this.jobs.cancel();
    this.jobs.whenIdle(fn);
  }

  close(cb) {
    this.settle(cb);
  }
}

// The chunks a read of `got` bytes filled. A part-filled last chunk is
// copied to a Buffer of its own size, as Node does, so a small read does
// not keep a large allocation alive.
function fill(buffers, got) {
  const chunks = [];
  let left = got;
  for (let i = 0; i < buffers.length && left > 0; i++) {
    const b = buffers[i];
    if (left >= b.length) {
      chunks.push(b);
      left -= b.length;
    } else {
      const fit = Buffer.allocUnsafeSlow(left);
      b.copy(fit, 0, 0, left);
      chunks.push(fit);
      left = 0;
    }
  }
  return chunks;
}

module.exports = { FdSource };
