'use strict';

// forkpipe's zlib: Node's zlib API whose deflate-family streams are native
// transforms (src/stream/zlib_stream.rs): compression and decompression
// run on the addon's thread pool, compression on several cores.
//
//   const { zlib } = require('forkpipe');
//   pipeline(source, zlib.createGzip({ level: 6 }), sink, cb);
//
// Brotli, Zstd and anything else this Node has that forkpipe does not
// implement are Node's own, re-exported unchanged.

// Loading the stream module installs the instanceof bridge to Node's
// classes (lib/stream/interop.js), which these streams rely on too.
require('../stream');
const nodeZlib = require('zlib');
const classes = require('./classes');
const { syncFunction, asyncFunction } = require('./convenience');
const { MODE } = require('./options');
const { constants, codes } = require('./constants');
const { native } = require('./binding');
const { nodeError } = require('../errors');
const { isArrayBufferView } = require('util').types;

const KINDS = [
  ['Deflate', 'deflate', MODE.DEFLATE],
  ['Inflate', 'inflate', MODE.INFLATE],
  ['Gzip', 'gzip', MODE.GZIP],
  ['Gunzip', 'gunzip', MODE.GUNZIP],
  ['DeflateRaw', 'deflateRaw', MODE.DEFLATERAW],
  ['InflateRaw', 'inflateRaw', MODE.INFLATERAW],
  ['Unzip', 'unzip', MODE.UNZIP],
];

// Node's zlib.crc32(data[, value]).
function crc32(data, value = 0) {
  if (typeof data !== 'string' && !isArrayBufferView(data)) {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'data', ['Buffer', 'TypedArray', 'DataView', 'string'],
      data);
  }
  if (typeof value !== 'number') throw nodeError('ERR_INVALID_ARG_TYPE', 'value', 'number', value);
  if (!Number.isInteger(value)) {
    throw nodeError('ERR_OUT_OF_RANGE', 'value', 'an integer', value);
  }
  if (value < 0 || value > 0xffffffff) {
    throw nodeError('ERR_OUT_OF_RANGE', 'value', `>= 0 && <= ${0xffffffff}`, value);
  }
  if (isArrayBufferView(data) && !Buffer.isBuffer(data)) {
    data = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  return native.zlibCrc32(data, value);
}

const zlib = {};

// Node's own first (Brotli, Zstd, ...), then forkpipe's over it.
for (const key of Object.keys(nodeZlib)) {
  const d = Object.getOwnPropertyDescriptor(nodeZlib, key);
  if (d) Object.defineProperty(zlib, key, d);
}
zlib.crc32 = crc32;
for (const [Name, fn, mode] of KINDS) {
  const Ctor = classes[Name];
  zlib[Name] = Ctor;
  zlib[fn] = asyncFunction(Ctor);
  zlib[`${fn}Sync`] = syncFunction(Ctor, mode);
  Object.defineProperty(zlib, `create${Name}`, {
    configurable: true,
    enumerable: true,
    value: function (options) { return new Ctor(options); },
  });
}
Object.defineProperty(zlib, 'constants', {
  configurable: false, enumerable: true, value: constants,
});
Object.defineProperty(zlib, 'codes', {
  enumerable: true, writable: false, value: codes,
});
// The legacy constants on the module itself, hidden as Node hides them.
for (const key of Object.keys(constants)) {
  if (key.startsWith('BROTLI') || key.startsWith('ZSTD')) continue;
  Object.defineProperty(zlib, key, { enumerable: false, value: constants[key], writable: false });
}

module.exports = zlib;
