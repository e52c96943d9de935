'use strict';

// The native handle of a zlib transform (lib/stream/native-seam.js): both
// a source handle (its readable side) and a sink handle (its writable
// side), so that Rust-side pipelines run through it one neighbour at a
// time, in lib/fs's splice protocol:
//
// - As a source: the transform's _read is NativeReadable's, so when its
//   output is piped into a single native sink (a forkpipe.fs write stream,
//   another transform) it calls spliceTo(sink): the sink hands over an fd
//   and a Rust thread writes the output there as it is made (zlibDrain);
//   otherwise readBatch() hands the output to JS.
// - As a sink: beginSplice() hands a native source the write end of a pipe
//   a Rust thread pumps into the transform's input (zlibFeed); when the
//   splice ends, endSplice() queues what is left in the pipe (zlibFeedSync)
//   so that JS writes after it keep their order. A JS write, end or reset
//   during a splice first stops it, as lib/fs's sinks do.
//
// So pipeline(fs.createReadStream(a), zlib.createGzip(), fs.createWriteStream(b))
// (forkpipe's fs) moves no byte through JS. HTTP responses that need
// chunked framing are declined (the output length is unknown): that
// output goes through JS.

const { uvError } = require('../fs/uv-error');
const { SpliceSink } = require('../fs/splice-sink');

class TransformHandle extends SpliceSink {
  constructor(stream, hooks) {
    super();
    this.stream = stream;
    // What the stream lends: its addon handle, call accounting, pinning.
    this.hooks = hooks;
    this.pendingRead = null;
    // Source side: the running drain { cb, sink, started, stopRequested }.
    this.drain = null;
    // Sink side (the source splicing into the feed is SpliceSink's): the
    // splice waiting to start, and the bytes all splices into the feed
    // have written.
    this.waiting = null;
    this.spliced = 0;
  }

  // ---- source side ----------------------------------------------------

  readBatch(n, cb) {
    const handle = this.hooks.handle();
    if (handle === null) return;
    const data = this.hooks.read(handle);
    if (data != null) cb(null, this.hooks.slices(data));
    else this.pendingRead = cb;
  }

  // Output is ready (DATA): serve the waiting read.
  onData() {
    const cb = this.pendingRead;
    if (cb === null) return;
    this.pendingRead = null;
    this.readBatch(0, cb);
  }

  spliceTo(sink, cb) {
    if (typeof sink.beginSplice !== 'function' || this.drain !== null ||
        this.hooks.handle() === null) {
      return false;
    }
    const target = sink.beginSplice(this);
    if (target === null) return false;
    const drain = { cb, sink, started: false, stopRequested: false };
    this.drain = drain;
    target((fd, position, dup, chunked = false) => {
      const handle = this.hooks.handle();
      if (fd === null || chunked || handle === null || drain.stopRequested) {
        this.drain = null;
        if (fd !== null) sink.endSplice(0, false);
        cb(null, 0, true);
        return;
      }
      drain.started = true;
      this.hooks.pin();
      this.hooks.native.zlibDrain(handle, fd, position);
    });
    return true;
  }

  stopSplice() {
    this.stopDrain(false);
  }

  cancelSplice() {
    this.stopDrain(true);
  }

  stopDrain(now) {
    const drain = this.drain;
    if (drain === null || (drain.stopRequested && !now)) return;
    drain.stopRequested = true;
    const handle = this.hooks.handle();
    if (drain.started && handle !== null) this.hooks.native.zlibDrainStop(handle, now);
  }

  // The output can only be framed if its length were known.
  framable() {
    return false;
  }

  // The drain stopped: `eof` when the output is complete and written.
  onDrained(moved, errno, eof) {
    const drain = this.drain;
    this.drain = null;
    if (drain === null) return;
    const sinkErr = errno !== 0 ? uvError(errno, 'write') : null;
    drain.sink.endSplice(moved, sinkErr !== null);
    this.hooks.unpin();
    if (sinkErr !== null) drain.cb(null, moved, true, sinkErr);
    else drain.cb(null, moved, !eof);
  }

  isDraining() {
    return this.drain !== null && this.drain.started;
  }

  // ---- sink side ------------------------------------------------------

  beginSplice(source) {
    const s = this.stream;
    if (this.hooks.handle() === null || s.writableEnded || this.splicer !== null ||
        this.waiting !== null) {
      return null;
    }
    return (go) => {
      this.waiting = { source, go, turns: 0 };
      this.startWaiting();
    };
  }

  // Hands over the feed once every byte JS wrote before has reached Rust.
  startWaiting() {
    const w = this.waiting;
    if (w === null) return;
    const s = this.stream;
    const handle = this.hooks.handle();
    if (handle === null || s.writableEnded || s.destroyed) {
      this.waiting = null;
      w.go(null);
      return;
    }
    if (s.writableLength === 0 && this.hooks.flushGathered()) {
      const fd = this.hooks.native.zlibFeed(handle);
      this.waiting = null;
      if (fd < 0) {
        w.go(null);
        return;
      }
      this.splicer = w.source;
      this.hooks.pin();
      w.go(fd, -1, true);
    } else if (w.turns++ < 8) {
      setImmediate(() => this.startWaiting());
    } else {
      this.waiting = null;
      w.go(null);
    }
  }

  endSplice(moved) {
    this.spliced += moved;
    const handle = this.hooks.handle();
    if (handle !== null) this.hooks.call(() => this.hooks.native.zlibFeedSync(handle, this.spliced));
    this.hooks.unpin();
    this.spliceOver();
  }

  isFed() {
    return this.splicer !== null;
  }
}

module.exports = { TransformHandle };
