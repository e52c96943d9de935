'use strict';

// forkpipe's fs.WriteStream: Node's options, properties, events and
// errors, as a native Writable (lib/stream/native-seam.js). Queued chunks
// go out in one writev per crossing; a native source piped in writes here
// from Rust.

const nodeFs = require('fs');
const { NativeWritable } = require('../stream/native-seam');
const o = require('./options');
const { FdSink } = require('./sink');
const { takeTarget, defineFdStream } = require('./fd-stream');

function WriteStream(path, options) {
  if (!(this instanceof WriteStream)) return new WriteStream(path, options);
  const opts = o.streamOptions(options);
  // Custom fs functions are JS by definition: Node's own stream runs them.
  if (opts.fs != null) return nodeFs.createWriteStream(path, options);
  // Only Buffers reach the fd.
  opts.decodeStrings = true;

  takeTarget(this, path, opts, 'w');
  this.flush = o.checkFlush(opts.flush);

  this.start = opts.start;
  this.pos = undefined;
  this.bytesWritten = 0;
  if (this.start !== undefined) {
    o.checkInteger(this.start, 'start', 0);
    this.pos = this.start;
  }

  NativeWritable.call(this, new FdSink(this), opts);
  if (opts.encoding) this.setDefaultEncoding(opts.encoding);
}
Object.setPrototypeOf(WriteStream.prototype, NativeWritable.prototype);
Object.setPrototypeOf(WriteStream, NativeWritable);
defineFdStream(WriteStream, '_writableState');

// Node's WriteStream has no _final: 'finish' comes on the same ticks.
WriteStream.prototype._final = undefined;

WriteStream.prototype.close = function close(cb) {
  if (cb) {
    if (this.closed) {
      process.nextTick(cb);
      return;
    }
    this.on('close', cb);
  }
  // Without autoClose, nothing would destroy the stream after 'finish'.
  if (!this.autoClose) this.on('finish', this.destroy);
  this.end();
};

// There is no shutdown() for files.
WriteStream.prototype.destroySoon = WriteStream.prototype.end;

module.exports = { WriteStream };
