'use strict';

// Node's zlib options, checked the way Node checks them (same order, same
// error codes and texts), turned into the numbers the addon takes.
//
//   parse(opts, mode) -> { level, windowBits, memLevel, strategy, chunkSize,
//                          chunkSizeGiven, dictionary, flush, finishFlush,
//                          maxOutputLength, info, streamOptions }
//
// windowBits is -1 when the decompressor should read it from the header.

const { kMaxLength } = require('buffer');
const { isArrayBufferView, isAnyArrayBuffer } = require('util').types;
const { nodeError } = require('../errors');
const C = require('./constants').constants;

const MODE = {
  DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7,
};

function compresses(mode) {
  return mode === MODE.DEFLATE || mode === MODE.GZIP || mode === MODE.DEFLATERAW;
}

// Whether `value` is a usable number: undefined and NaN mean "use the
// default", anything else that is not a finite number is an error.
function isGiven(value, name) {
  if (value === undefined) return false;
  if (Number.isFinite(value)) return true;
  if (Number.isNaN(value)) return false;
  if (typeof value !== 'number') throw nodeError('ERR_INVALID_ARG_TYPE', name, 'number', value);
  throw nodeError('ERR_OUT_OF_RANGE', name, 'a finite number', value);
}

function inRange(value, name, lower, upper, fallback) {
  if (!isGiven(value, name)) return fallback;
  if (value < lower || value > upper) {
    throw nodeError('ERR_OUT_OF_RANGE', name, `>= ${lower} and <= ${upper}`, value);
  }
  return value;
}

function parse(opts, mode) {
  let chunkSize = C.Z_DEFAULT_CHUNK;
  let chunkSizeGiven = false;
  let flush = C.Z_NO_FLUSH;
  let finishFlush = C.Z_FINISH;
  let maxOutputLength = kMaxLength;
  let windowBits = C.Z_DEFAULT_WINDOWBITS;
  let level = C.Z_DEFAULT_COMPRESSION;
  let memLevel = C.Z_DEFAULT_MEMLEVEL;
  let strategy = C.Z_DEFAULT_STRATEGY;
  let dictionary;
  let streamOptions = opts;

  const inflating = mode === MODE.INFLATE || mode === MODE.GUNZIP || mode === MODE.UNZIP;
  if (opts) {
    // Zlib's own options first, in Node's order.
    if ((opts.windowBits == null || opts.windowBits === 0) && inflating) {
      windowBits = 0;
    } else {
      const min = C.Z_MIN_WINDOWBITS + (mode === MODE.GZIP ? 1 : 0);
      windowBits = inRange(opts.windowBits, 'options.windowBits', min, C.Z_MAX_WINDOWBITS,
        C.Z_DEFAULT_WINDOWBITS);
    }
    level = inRange(opts.level, 'options.level', C.Z_MIN_LEVEL, C.Z_MAX_LEVEL,
      C.Z_DEFAULT_COMPRESSION);
    memLevel = inRange(opts.memLevel, 'options.memLevel', C.Z_MIN_MEMLEVEL, C.Z_MAX_MEMLEVEL,
      C.Z_DEFAULT_MEMLEVEL);
    strategy = inRange(opts.strategy, 'options.strategy', C.Z_DEFAULT_STRATEGY, C.Z_FIXED,
      C.Z_DEFAULT_STRATEGY);
    dictionary = opts.dictionary;
    if (dictionary !== undefined && !isArrayBufferView(dictionary)) {
      if (!isAnyArrayBuffer(dictionary)) {
        throw nodeError('ERR_INVALID_ARG_TYPE', 'options.dictionary',
          ['Buffer', 'TypedArray', 'DataView', 'ArrayBuffer'], dictionary);
      }
      dictionary = Buffer.from(dictionary);
    }

    // Then the stream's.
    if (isGiven(opts.chunkSize, 'options.chunkSize')) {
      if (opts.chunkSize < C.Z_MIN_CHUNK) {
        throw nodeError('ERR_OUT_OF_RANGE', 'options.chunkSize', `>= ${C.Z_MIN_CHUNK}`,
          opts.chunkSize);
      }
      chunkSize = opts.chunkSize;
      chunkSizeGiven = true;
    }
    flush = inRange(opts.flush, 'options.flush', C.Z_NO_FLUSH, C.Z_BLOCK, flush);
    finishFlush = inRange(opts.finishFlush, 'options.finishFlush', C.Z_NO_FLUSH, C.Z_BLOCK,
      finishFlush);
    maxOutputLength = inRange(opts.maxOutputLength, 'options.maxOutputLength', 1, kMaxLength,
      kMaxLength);
    if (opts.encoding || opts.objectMode || opts.writableObjectMode) {
      streamOptions = { ...opts, encoding: null, objectMode: false, writableObjectMode: false };
    }
  }
  // Node's raw deflate turns an 8-bit window into 9 (zlib refuses 8 there).
  if (mode === MODE.DEFLATERAW && windowBits === 8) windowBits = 9;

  if (dictionary !== undefined && !Buffer.isBuffer(dictionary)) {
    dictionary = Buffer.from(dictionary.buffer, dictionary.byteOffset, dictionary.byteLength);
  }
  return {
    level: Math.trunc(level),
    windowBits: windowBits === 0 ? -1 : Math.trunc(windowBits),
    memLevel: Math.trunc(memLevel),
    strategy: Math.trunc(strategy),
    chunkSize: Math.trunc(chunkSize),
    chunkSizeGiven,
    dictionary,
    flush: Math.trunc(flush),
    finishFlush: Math.trunc(finishFlush),
    maxOutputLength,
    info: Boolean(opts && opts.info),
    streamOptions,
  };
}

module.exports = { parse, compresses, MODE };
