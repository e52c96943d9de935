'use strict';

// Byte chunks: any ArrayBufferView is accepted where a Buffer is, and is
// seen as a Buffer over the same memory (no copy).

const { Buffer } = require('buffer');
const isUint8ArrayLike = ArrayBuffer.isView;

function toBuffer(view) {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}

function isUint8Array(value) {
  return value instanceof Uint8Array;
}

module.exports = { isUint8ArrayLike, toBuffer, isUint8Array };
