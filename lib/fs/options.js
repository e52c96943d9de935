'use strict';

// Option checks for createReadStream/createWriteStream, with the error
// codes, classes and messages Node's fs gives for the same input.

const { Buffer } = require('buffer');
const { fileURLToPath } = require('url');
const { constants } = require('fs');
const { nodeError } = require('../errors');

const INT32_MAX = 2 ** 31 - 1;

function checkInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== 'number') throw nodeError('ERR_INVALID_ARG_TYPE', name, 'number', value);
  if (!Number.isInteger(value)) throw nodeError('ERR_OUT_OF_RANGE', name, 'an integer', value);
  if (value < min || value > max) {
    throw nodeError('ERR_OUT_OF_RANGE', name, `>= ${min} && <= ${max}`, value);
  }
  return value;
}

// `options` may be a string (the encoding), an object, or nothing.
function streamOptions(options) {
  if (options == null || typeof options === 'function') return {};
  let opts = options;
  if (typeof options === 'string') {
    opts = { encoding: options };
  } else if (typeof options !== 'object') {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options', ['string', 'Object'], options);
  }
  const enc = opts.encoding;
  if (enc !== 'buffer' && enc && !Buffer.isEncoding(enc)) {
    throw nodeError('ERR_INVALID_ARG_VALUE', 'encoding', enc, 'is invalid encoding');
  }
  const signal = opts.signal;
  if (signal !== undefined &&
      (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options.signal', 'AbortSignal', signal);
  }
  // A copy with the inherited enumerable keys too, as Node takes them.
  const copy = {};
  for (const key in opts) copy[key] = opts[key];
  return copy;
}

function isURL(value) {
  return value != null && typeof value === 'object' &&
    typeof value.href === 'string' && typeof value.protocol === 'string' &&
    value.auth === undefined && value.path === undefined;
}

// A string, Buffer or file: URL, without NUL bytes.
function checkPath(path) {
  const p = isURL(path) ? fileURLToPath(path) : path;
  if (typeof p === 'string') {
    if (p.includes('\u0000')) {
      throw nodeError('ERR_INVALID_ARG_VALUE', 'path', p,
        'must be a string, Uint8Array, or URL without null bytes');
    }
  } else if (p instanceof Uint8Array) {
    if (p.includes(0)) {
      throw nodeError('ERR_INVALID_ARG_VALUE', 'path', p,
        'must be a string, Uint8Array, or URL without null bytes');
    }
  } else {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'path', ['string', 'Buffer', 'URL'], p);
  }
  return p;
}

// fs/promises' FileHandle, recognised without Node's internals.
function isFileHandle(value) {
  return value !== null && typeof value === 'object' && typeof value.fd === 'number' &&
    typeof value.close === 'function' && value.constructor !== undefined &&
    value.constructor.name === 'FileHandle';
}

function checkFd(fd) {
  if (typeof fd !== 'number') {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options.fd', ['number', 'FileHandle'], fd);
  }
  if (Object.is(fd, -0)) return 0;
  return checkInteger(fd, 'fd', 0, INT32_MAX);
}

const {
  O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND, O_EXCL, O_SYNC,
} = constants;

const FLAGS = {
  r: O_RDONLY,
  rs: O_RDONLY | O_SYNC,
  sr: O_RDONLY | O_SYNC,
  'r+': O_RDWR,
  'rs+': O_RDWR | O_SYNC,
  'sr+': O_RDWR | O_SYNC,
  w: O_TRUNC | O_CREAT | O_WRONLY,
  wx: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  xw: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  'w+': O_TRUNC | O_CREAT | O_RDWR,
  'wx+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  'xw+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  a: O_APPEND | O_CREAT | O_WRONLY,
  ax: O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  xa: O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  as: O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  sa: O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  'a+': O_APPEND | O_CREAT | O_RDWR,
  'ax+': O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  'xa+': O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  'as+': O_APPEND | O_CREAT | O_RDWR | O_SYNC,
  'sa+': O_APPEND | O_CREAT | O_RDWR | O_SYNC,
};

// Node's open flags: a name from the table, a number, or null (read).
function openFlags(flags) {
  if (flags == null) return O_RDONLY;
  if (typeof flags === 'number') return checkInteger(flags, 'flags', -(2 ** 31), INT32_MAX);
  if (typeof flags === 'string' && Object.prototype.hasOwnProperty.call(FLAGS, flags)) {
    return FLAGS[flags];
  }
  throw nodeError('ERR_INVALID_ARG_VALUE', 'flags', flags);
}

// A mode: a 32-bit unsigned integer or an octal string; null: the default.
function fileMode(mode, fallback) {
  let value = mode == null ? fallback : mode;
  if (typeof value === 'string') {
    if (!/^[0-7]+$/.test(value)) {
      throw nodeError('ERR_INVALID_ARG_VALUE', 'mode', value,
        'must be a 32-bit unsigned integer or an octal string');
    }
    value = parseInt(value, 8);
  }
  return checkInteger(value, 'mode', 0, 2 ** 32 - 1);
}

// ReadStream's start and end (inclusive): end Infinity when not given.
function readRange(start, end) {
  if (start !== undefined) checkInteger(start, 'start', 0);
  let last = end;
  if (last === undefined) {
    last = Infinity;
  } else if (last !== Infinity) {
    checkInteger(last, 'end', 0);
    if (start !== undefined && start > last) {
      throw nodeError('ERR_OUT_OF_RANGE', 'start', `<= "end" (here: ${last})`, start);
    }
  }
  return { start, end: last };
}

function checkFlush(flush) {
  if (flush == null) return false;
  if (typeof flush !== 'boolean') {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options.flush', 'boolean', flush);
  }
  return flush;
}

module.exports = {
  streamOptions, checkPath, checkFd, isFileHandle, openFlags, fileMode, readRange,
  checkFlush, checkInteger,
};
