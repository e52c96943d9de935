'use strict';

// forkpipe's fs.ReadStream: Node's options, properties, events and errors,
// as a native Readable (lib/stream/native-seam.js). JS reading it gets
// highWaterMark-sized chunks, up to a MiB of them per crossing from a
// regular file; piped into a native sink, its bytes never enter JS.

const nodeFs = require('fs');
const { deprecate } = require('util');
const { NativeReadable, kNativeHandle, registerSinkAdapter } = require('../stream/native-seam');
const eos = require('../stream/end-of-stream');
const binding = require('./binding');
const o = require('./options');
const { FdSource } = require('./source');
const { importFd } = require('./import-fd');
const { closeFd } = require('./close-fd');
const { uvError } = require('./uv-error');
const { responseSink } = require('./response-sink');

// A ReadStream piped into an http.ServerResponse may send from the kernel.
registerSinkAdapter(responseSink);

function ReadStream(path, options) {
  if (!(this instanceof ReadStream)) return new ReadStream(path, options);
  const opts = o.streamOptions(options);
  // Custom fs functions are JS by definition: Node's own stream runs them.
  if (opts.fs != null) return nodeFs.createReadStream(path, options);
  if (opts.highWaterMark === undefined) opts.highWaterMark = 64 * 1024;
  if (opts.autoDestroy === undefined) opts.autoDestroy = false;

  const source = new FdSource(this);
  if (opts.fd == null) {
    this.fd = null;
    this.path = o.checkPath(path);
    this.flags = opts.flags === undefined ? 'r' : opts.flags;
    this.mode = opts.mode === undefined ? 0o666 : opts.mode;
    source.ownsPosition = true;
  } else {
    this.fd = importFd(this, opts.fd);
  }
  opts.autoDestroy = opts.autoClose === undefined ? true : opts.autoClose;

  const { start, end } = o.readRange(opts.start, opts.end);
  this.start = start;
  this.end = end;
  this.pos = start;
  this.bytesRead = 0;

  NativeReadable.call(this, source, opts);
}
Object.setPrototypeOf(ReadStream.prototype, NativeReadable.prototype);
Object.setPrototypeOf(ReadStream, NativeReadable);

Object.defineProperty(ReadStream.prototype, 'autoClose', {
  get() { return this._readableState.autoDestroy; },
  set(value) { this._readableState.autoDestroy = value; },
  configurable: true,
});

Object.defineProperty(ReadStream.prototype, 'pending', {
  get() { return this.fd === null; },
  configurable: true,
});

ReadStream.prototype.open = deprecate(function open() {},
  'ReadStream.prototype.open() is deprecated', 'DEP0135');

ReadStream.prototype._construct = function _construct(cb) {
  if (typeof this.fd === 'number') {
    cb();
    return;
  }
  openPath(this, this.flags, this.mode, cb);
};

ReadStream.prototype._destroy = function _destroy(err, cb) {
  this[kNativeHandle].settle(() => closeFd(this, err, cb));
};

ReadStream.prototype.close = function close(cb) {
  if (typeof cb === 'function') eos(this, cb);
  this.destroy();
};

// Opens stream.path (both stream kinds): 'open' then 'ready' right after
// the construct callback, as Node emits them.
function openPath(stream, flags, mode, cb) {
  const oflags = o.openFlags(flags);
  const omode = o.fileMode(mode, 0o666);
  binding.open(stream.path, oflags, omode, (errno, fd, kind) => {
    if (errno !== 0) {
      cb(uvError(errno, 'open', String(stream.path)));
      return;
    }
    stream.fd = fd;
    stream[kNativeHandle].kind = kind;
    cb();
    stream.emit('open', fd);
    stream.emit('ready');
  });
}

module.exports = { ReadStream, openPath };
