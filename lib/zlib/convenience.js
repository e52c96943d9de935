'use strict';

// The one-shot functions: gzip(buffer, [options], callback) and
// gzipSync(buffer, [options]) for each kind.
//
// The callback forms run a stream, as Node's do (so the work happens on
// the pool, and large compressions on several cores). The Sync forms
// convert in the addon on the calling thread, as Node's block it; a large
// compression without a dictionary spreads its blocks over the pool while
// the thread waits. maxOutputLength is enforced as the output grows.

const { isArrayBufferView, isAnyArrayBuffer } = require('util').types;
const { nodeError } = require('../errors');
const { native } = require('./binding');
const { parse } = require('./options');
const { zlibError, bufferTooLarge } = require('./errors');

function toInput(buffer) {
  if (typeof buffer === 'string') return Buffer.from(buffer);
  if (isArrayBufferView(buffer)) {
    return Buffer.isBuffer(buffer) ? buffer :
      Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  if (isAnyArrayBuffer(buffer)) return Buffer.from(buffer);
  throw nodeError('ERR_INVALID_ARG_TYPE', 'buffer',
    ['string', 'Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], buffer);
}

function syncFunction(Ctor, mode) {
  return function syncBufferWrapper(buffer, opts) {
    // The options are checked first, as Node builds the engine first.
    const o = parse(opts, mode);
    const input = toInput(buffer);
    const result = native.zlibConvert(mode, o.level, o.windowBits, o.memLevel, o.strategy,
      o.chunkSize, o.dictionary === undefined ? null : o.dictionary, input, o.finishFlush,
      o.maxOutputLength);
    if (typeof result === 'string') {
      if (result === 'too large') throw bufferTooLarge(o.maxOutputLength);
      const space = result.indexOf(' ');
      throw zlibError(Number(result.slice(0, space)), result.slice(space + 1));
    }
    if (o.info) {
      const engine = new Ctor(opts);
      engine.bytesWritten = input.length;
      engine.destroy();
      return { buffer: result, engine };
    }
    return result;
  };
}

function asyncFunction(Ctor) {
  return function asyncBufferWrapper(buffer, opts, callback) {
    if (typeof opts === 'function') {
      callback = opts;
      opts = {};
    }
    const engine = new Ctor(opts);
    if (typeof callback !== 'function') {
      engine.destroy();
      throw nodeError('ERR_INVALID_ARG_TYPE', 'callback', 'Function', callback);
    }
    if (isArrayBufferView(buffer) && !Buffer.isBuffer(buffer)) {
      buffer = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } else if (isAnyArrayBuffer(buffer)) {
      buffer = Buffer.from(buffer);
    }
    collect(engine, buffer, callback);
  };
}

function collect(engine, buffer, callback) {
  const buffers = [];
  let nread = 0;
  const onData = (chunk) => {
    buffers.push(chunk);
    nread += chunk.length;
    if (nread > engine._maxOutputLength) {
      engine.removeListener('end', onEnd);
      engine.close();
      callback(bufferTooLarge(engine._maxOutputLength));
    }
  };
  const onError = (err) => {
    engine.removeListener('end', onEnd);
    callback(err);
  };
  const onEnd = () => {
    const out = nread === 0 ? Buffer.alloc(0) :
      buffers.length === 1 ? buffers[0] : Buffer.concat(buffers, nread);
    engine.close();
    if (engine._info) callback(null, { buffer: out, engine });
    else callback(null, out);
  };
  engine.on('data', onData);
  engine.on('error', onError);
  engine.on('end', onEnd);
  engine.end(buffer);
}

module.exports = { syncFunction, asyncFunction };
