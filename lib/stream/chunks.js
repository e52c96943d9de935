'use strict';

// Byte chunks: any ArrayBufferView is accepted where a Buffer is, and is
// seen as a Buffer over the same memory (no copy); and the encoding strings
// are turned into.

const { Buffer } = require('buffer');
const { makeError } = require('./errors');
const isUint8ArrayLike = ArrayBuffer.isView;

function toBuffer(view) {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function isUint8Array(value) {
  return value instanceof Uint8Array;
}

// A stream's defaultEncoding option, checked (utf8 when not given).
function defaultEncodingOf(options) {
  const enc = options ? options.defaultEncoding : undefined;
  if (enc == null || enc === 'utf8' || enc === 'utf-8') return 'utf8';
  if (Buffer.isEncoding(enc)) return enc;
  throw makeError('ERR_UNKNOWN_ENCODING', enc);
}

module.exports = { isUint8ArrayLike, toBuffer, isUint8Array, defaultEncodingOf };
