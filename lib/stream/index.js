'use strict';

// forkpipe's `stream`: a drop-in for Node's `node:stream`.
//
//   const { stream } = require('forkpipe');      // or require('forkpipe/stream')
//   const { pipeline } = require('forkpipe/stream/promises');
//
// The export is shaped like Node's: the legacy `Stream` constructor
// carrying the classes and functions as properties. Every stream class is
// implemented here in JavaScript; a JS-defined stream never calls into the
// Rust addon. Native (Rust-backed) streams plug in through the seam
// described in native-seam.js, as instances of these same classes.

const { Stream } = require('./legacy');
const Readable = require('./readable');
const Writable = require('./writable');
const Duplex = require('./duplex');
const Transform = require('./transform');
const PassThrough = require('./passthrough');
const duplexPair = require('./duplex-pair');
const { pipeline } = require('./pipeline');
const eos = require('./end-of-stream');
const compose = require('./compose');
const { addAbortSignal } = require('./add-abort-signal');
const { destroyStream } = require('./destroy');
const { getDefaultHighWaterMark, setDefaultHighWaterMark } = require('./high-water-mark');
const { streamReturning, promiseReturning } = require('./operators');
const { makeError } = require('./errors');
const { isUint8ArrayLike, toBuffer, isUint8Array } = require('./chunks');
const kinds = require('./kinds');
const promises = require('./promises');
const interop = require('./interop');

// The helper methods on Readable.prototype (map, filter, toArray, ...),
// non-enumerable like the rest of the prototype, and not constructors.
function defineHelper(key, op, wrapResult) {
  function helper(...args) {
    if (new.target) throw makeError('ERR_ILLEGAL_CONSTRUCTOR');
    const result = Reflect.apply(op, this, args);
    return wrapResult ? Readable.from(result) : result;
  }
  Object.defineProperty(helper, 'name', { value: op.name });
  Object.defineProperty(helper, 'length', { value: op.length });
  Object.defineProperty(Readable.prototype, key, {
    value: helper, enumerable: false, configurable: true, writable: true,
  });
}
// Node 22 removed the deprecated asIndexedPairs; follow the running Node.
const nodeMajor = Number(process.versions.node.split('.')[0]);
for (const key of Object.keys(streamReturning)) {
  if (key === 'asIndexedPairs' && nodeMajor >= 22) continue;
  defineHelper(key, streamReturning[key], true);
}
for (const key of Object.keys(promiseReturning)) defineHelper(key, promiseReturning[key], false);

Stream.isDestroyed = kinds.isDestroyed;
Stream.isDisturbed = kinds.isDisturbed;
Stream.isErrored = kinds.isErrored;
Stream.isReadable = kinds.isReadable;
Stream.isWritable = kinds.isWritable;
Stream.Readable = Readable;
Stream.Writable = Writable;
Stream.Duplex = Duplex;
Stream.Transform = Transform;
Stream.PassThrough = PassThrough;
Stream.duplexPair = duplexPair;
Stream.pipeline = pipeline;
Stream.addAbortSignal = addAbortSignal;
Stream.finished = eos;
Stream.destroy = destroyStream;
Stream.compose = compose;
Stream.setDefaultHighWaterMark = setDefaultHighWaterMark;
Stream.getDefaultHighWaterMark = getDefaultHighWaterMark;

Object.defineProperty(Stream, 'promises', {
  configurable: true,
  enumerable: true,
  get() { return promises; },
});

const { custom: customPromisify } = require('util').promisify;
Object.defineProperty(pipeline, customPromisify, {
  enumerable: true,
  get() { return promises.pipeline; },
});
Object.defineProperty(eos, customPromisify, {
  enumerable: true,
  get() { return promises.finished; },
});

// Old aliases and helpers Node keeps on the module.
Stream.Stream = Stream;
Stream._isArrayBufferView = isUint8ArrayLike;
Stream._isUint8Array = isUint8Array;
Stream._uint8ArrayToBuffer = toBuffer;

interop.install(Stream);

module.exports = Stream;
