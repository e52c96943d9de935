'use strict';

// Transform: a Duplex whose output is computed from its input by
// _transform(chunk, encoding, callback), with _flush at the end. Each
// written chunk's callback is held back while the readable side is full,
// which is what carries backpressure from the reader to the writer.

const Duplex = require('./duplex');
const { makeError } = require('./errors');
const { highWaterMarkOf } = require('./high-water-mark');

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

module.exports = Transform;

Object.setPrototypeOf(Transform.prototype, Duplex.prototype);
Object.setPrototypeOf(Transform, Duplex);

// The write callback held back until the reader wants more.
const kHeldCallback = Symbol('forkpipe.stream.heldCallback');
// Per-write context, kept on the stream instead of a closure per chunk.
const kWriteCb = Symbol('forkpipe.stream.transformWriteCb');
const kLengthBefore = Symbol('forkpipe.stream.transformLengthBefore');
const kAfterTransform = Symbol('forkpipe.stream.afterTransform');

function Transform(options) {
  if (!ordinaryInstanceOf.call(Transform, this)) return new Transform(options);

  // With a zero readable mark, buffer nothing on the writable side either
  // (a Transform should hold one mark's worth, not two).
  const readableHwm = options ?
    highWaterMarkOf(options, 'readableHighWaterMark', true, false) : null;
  if (readableHwm === 0) {
    options = {
      ...options,
      highWaterMark: null,
      readableHighWaterMark: readableHwm,
      writableHighWaterMark: options.writableHighWaterMark || 0,
    };
  }

  Duplex.call(this, options);

  // _read is ours and ready: nothing to defer on the first read.
  this._readableState.sync = false;

  this[kHeldCallback] = null;
  this[kWriteCb] = null;
  this[kLengthBefore] = 0;
  this[kAfterTransform] = (err, val) => afterTransform(this, err, val);

  if (options) {
    if (typeof options.transform === 'function') this._transform = options.transform;
    if (typeof options.flush === 'function') this._flush = options.flush;
  }

  // Flushing hangs off 'prefinish' rather than _final, so that subclasses
  // that (wrongly) override _final still get their _flush called.
  this.on('prefinish', onPrefinish);
}

function flushThenEnd(cb) {
  if (typeof this._flush === 'function' && !this.destroyed) {
    this._flush((err, data) => {
      if (err) {
        if (cb) cb(err);
        else this.destroy(err);
        return;
      }
      if (data != null) this.push(data);
      this.push(null);
      if (cb) cb();
    });
  } else {
    this.push(null);
    if (cb) cb();
  }
}

function onPrefinish() {
  if (this._final !== flushThenEnd) flushThenEnd.call(this);
}

Transform.prototype._final = flushThenEnd;

Transform.prototype._transform = function _transform(chunk, encoding, callback) {
  throw makeError('ERR_METHOD_NOT_IMPLEMENTED', '_transform()');
};

Transform.prototype._write = function _write(chunk, encoding, callback) {
  this[kWriteCb] = callback;
  this[kLengthBefore] = this._readableState.length;
  this._transform(chunk, encoding, this[kAfterTransform]);
};

function afterTransform(stream, err, val) {
  const callback = stream[kWriteCb];
  if (err) {
    callback(err);
    return;
  }
  const rState = stream._readableState;
  if (val != null) stream.push(val);

  if (rState.ended) {
    // push(null) from inside _transform: let that settle first.
    process.nextTick(callback);
  } else if (stream._writableState.ended ||
             stream[kLengthBefore] === rState.length ||
             rState.length < rState.highWaterMark) {
    callback();
  } else {
    stream[kHeldCallback] = callback;
  }
}

Transform.prototype._read = function _read() {
  const callback = this[kHeldCallback];
  if (callback) {
    this[kHeldCallback] = null;
    callback();
  }
};
