'use strict';

// forkpipe's fs.WriteStream: Node's options, properties, events and
// errors, as a native Writable (lib/stream/native-seam.js). Queued chunks
// go out in one writev per crossing; a native source piped in writes here
// from Rust.

const nodeFs = require('fs');
const { deprecate } = require('util');
const { NativeWritable, kNativeHandle } = require('../stream/native-seam');
const o = require('./options');
const { FdSink } = require('./sink');
const { importFd } = require('./import-fd');
const { closeFd } = require('./close-fd');
const { openPath } = require('./read-stream');

function WriteStream(path, options) {
  if (!(this instanceof WriteStream)) return new WriteStream(path, options);
  const opts = o.streamOptions(options);
  // Custom fs functions are JS by definition: Node's own stream runs them.
  if (opts.fs != null) return nodeFs.createWriteStream(path, options);
  // Only Buffers reach the fd.
  opts.decodeStrings = true;

  if (opts.fd == null) {
    this.fd = null;
    this.path = o.checkPath(path);
    this.flags = opts.flags === undefined ? 'w' : opts.flags;
    this.mode = opts.mode === undefined ? 0o666 : opts.mode;
  } else {
    this.fd = importFd(this, opts.fd);
  }
  opts.autoDestroy = opts.autoClose === undefined ? true : opts.autoClose;
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

Object.defineProperty(WriteStream.prototype, 'autoClose', {
  get() { return this._writableState.autoDestroy; },
  set(value) { this._writableState.autoDestroy = value; },
  configurable: true,
});

Object.defineProperty(WriteStream.prototype, 'pending', {
  get() { return this.fd === null; },
  configurable: true,
});

WriteStream.prototype.open = deprecate(function open() {},
  'WriteStream.prototype.open() is deprecated', 'DEP0135');

WriteStream.prototype._construct = function _construct(cb) {
  if (typeof this.fd === 'number') {
    cb();
    return;
  }
  openPath(this, this.flags, this.mode, cb);
};

// Node's WriteStream has no _final: 'finish' comes on the same ticks.
WriteStream.prototype._final = undefined;

WriteStream.prototype._destroy = function _destroy(err, cb) {
  this[kNativeHandle].settle(() => closeFd(this, err, cb));
};

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
