'use strict';

// forkpipe's fs.ReadStream: Node's options, properties, events and errors,
// as a native Readable (lib/stream/native-seam.js). JS reading it gets
// highWaterMark-sized chunks, up to a MiB of them per crossing from a
// regular file; piped into a native sink, its bytes never enter JS.

const nodeFs = require('fs');
const { NativeReadable, registerSinkAdapter } = require('../stream/native-seam');
const eos = require('../stream/end-of-stream');
const o = require('./options');
const { FdSource } = require('./source');
const { takeTarget, defineFdStream } = require('./fd-stream');
const { responseSink } = require('./response-sink');

// A ReadStream piped into an http.ServerResponse may send from the kernel.
registerSinkAdapter(responseSink);

function ReadStream(path, options) {
  if (!(this instanceof ReadStream)) return new ReadStream(path, options);
  const opts = o.streamOptions(options);
  // Custom fs functions are JS by definition: Node's own stream runs them.
  if (opts.fs != null) return nodeFs.createReadStream(path, options);
  if (opts.highWaterMark === undefined) opts.highWaterMark = 64 * 1024;

  const source = new FdSource(this);
  source.ownsPosition = takeTarget(this, path, opts, 'r');

  const { start, end } = o.readRange(opts.start, opts.end);
  this.start = start;
  this.end = end;
  this.pos = start;
  this.bytesRead = 0;

  NativeReadable.call(this, source, opts);
}
Object.setPrototypeOf(ReadStream.prototype, NativeReadable.prototype);
Object.setPrototypeOf(ReadStream, NativeReadable);
defineFdStream(ReadStream, '_readableState');

ReadStream.prototype.close = function close(cb) {
  if (typeof cb === 'function') eos(this, cb);
  this.destroy();
};

module.exports = { ReadStream };
