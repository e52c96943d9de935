'use strict';

// The seven zlib stream classes, callable with or without `new`, each a
// ZlibBase (so a forkpipe Transform) in the addon's mode of the same name.
// Zlib sits between them and ZlibBase as in Node, carrying params().

const ZlibBase = require('./zlib-base');
const { MODE, compresses } = require('./options');
const { nodeError } = require('../errors');
const { constants: C } = require('./constants');

const kCompresses = Symbol('forkpipe.zlib.compresses');

function Zlib(opts, mode) {
  ZlibBase.call(this, opts, mode);
  this[kCompresses] = compresses(mode);
}
Object.setPrototypeOf(Zlib.prototype, ZlibBase.prototype);
Object.setPrototypeOf(Zlib, ZlibBase);

function checkParam(value, name, lower, upper) {
  if (value === undefined || Number.isNaN(value)) return;
  if (typeof value !== 'number') throw nodeError('ERR_INVALID_ARG_TYPE', name, 'number', value);
  if (!Number.isFinite(value)) throw nodeError('ERR_OUT_OF_RANGE', name, 'a finite number', value);
  if (value < lower || value > upper) {
    throw nodeError('ERR_OUT_OF_RANGE', name, `>= ${lower} and <= ${upper}`, value);
  }
}

// Node's params(): a sync flush, then the new level and strategy for what
// follows. On the parallel engine any level and strategy work (each block
// is compressed with the settings current when it was cut); on one zlib
// stream (a dictionary or a flush option) only the level can change.
Zlib.prototype.params = function params(level, strategy, callback) {
  checkParam(level, 'level', C.Z_MIN_LEVEL, C.Z_MAX_LEVEL);
  checkParam(strategy, 'strategy', C.Z_DEFAULT_STRATEGY, C.Z_FIXED);
  if (this._level === level && this._strategy === strategy) {
    process.nextTick(callback);
    return;
  }
  // Decompressors take and ignore params(), as zlib's do.
  if (this[kCompresses] && !this[ZlibBase.kParallel] && strategy !== C.Z_DEFAULT_STRATEGY) {
    const err = new Error('forkpipe: params() can change the strategy only on a stream ' +
      'compressed on several cores (no dictionary, no flush option)');
    err.code = 'ERR_FORKPIPE_UNSUPPORTED';
    throw err;
  }
  if (this.writableFinished) {
    if (callback) process.nextTick(callback);
  } else if (this.writableEnded) {
    if (callback) this.once('end', callback);
  } else {
    const marker = Buffer.alloc(0);
    marker[ZlibBase.kParams] = [level, strategy];
    // Node calls back with no arguments, and not at all once destroyed.
    this.write(marker, '', () => {
      if (!this.destroyed && callback) callback();
    });
  }
};

function define(name, mode) {
  const ctor = {
    [name]: function (opts) {
      if (!(this instanceof ctor)) return new ctor(opts);
      Zlib.call(this, opts, mode);
    },
  }[name];
  Object.setPrototypeOf(ctor.prototype, Zlib.prototype);
  Object.setPrototypeOf(ctor, Zlib);
  return ctor;
}

module.exports = {
  Zlib,
  Deflate: define('Deflate', MODE.DEFLATE),
  Inflate: define('Inflate', MODE.INFLATE),
  Gzip: define('Gzip', MODE.GZIP),
  Gunzip: define('Gunzip', MODE.GUNZIP),
  DeflateRaw: define('DeflateRaw', MODE.DEFLATERAW),
  InflateRaw: define('InflateRaw', MODE.INFLATERAW),
  Unzip: define('Unzip', MODE.UNZIP),
};
