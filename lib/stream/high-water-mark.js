'use strict';

// High-water marks: the process-wide defaults (both adjustable) and reading
// a stream's own from its options.

const NodeStream = require('stream');
const { makeError } = require('./errors');
const { checkInteger } = require('./validate');

// The byte default is the running Node's (16 KiB on Node 20, 64 KiB from
// Node 22), read once: after that ours and Node's are set separately.
const defaults = {
  bytes: typeof NodeStream.getDefaultHighWaterMark === 'function' ?
    NodeStream.getDefaultHighWaterMark(false) : 16 * 1024,
  objects: 16,
};

function getDefaultHighWaterMark(objectMode) {
  return objectMode ? defaults.objects : defaults.bytes;
}

function setDefaultHighWaterMark(objectMode, value) {
  checkInteger(value, 'value', 0);
  if (objectMode) defaults.objects = value;
  else defaults.bytes = value;
}

// `key` is the side-specific option a Duplex may carry
// (readableHighWaterMark / writableHighWaterMark); `highWaterMark` wins.
function highWaterMarkOf(options, key, isDuplex, objectMode) {
  let hwm = options.highWaterMark;
  if (hwm == null && isDuplex) hwm = options[key];
  if (hwm == null) return objectMode ? defaults.objects : defaults.bytes;
  if (!Number.isInteger(hwm) || hwm < 0) {
    throw makeError('ERR_INVALID_ARG_VALUE',
      isDuplex ? `options.${key}` : 'options.highWaterMark', hwm);
  }
  return Math.floor(hwm);
}

module.exports = { getDefaultHighWaterMark, setDefaultHighWaterMark, highWaterMarkOf };
