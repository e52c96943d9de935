'use strict';

// Duplex: a Readable that is also a Writable (two independent sides, each
// with its own state), with allowHalfOpen and the per-side options
// (readableObjectMode, writableHighWaterMark, readable: false, ...).

const Readable = require('./readable');
const Writable = require('./writable');
const { Stream, DuplexEvents } = require('./legacy');
const { ReadableState } = require('./readable-state');
const { WritableState } = require('./writable-state');
const { addAbortSignal } = require('./add-abort-signal');
const destroyImpl = require('./destroy');
const { kReadableConstructed, kWritableConstructed, kMakeOnwrite } = require('./symbols');

const ordinaryInstanceOf = Function.prototype[Symbol.hasInstance];

module.exports = Duplex;

Object.setPrototypeOf(Duplex.prototype, Readable.prototype);
Object.setPrototypeOf(Duplex, Readable);

// The writable methods join the readable ones (a Readable method of the
// same name wins, as in Node; destroy is the Writable one).
for (const key of Object.keys(Writable.prototype)) {
  if (!Duplex.prototype[key]) Duplex.prototype[key] = Writable.prototype[key];
}
Duplex.prototype.destroy = Writable.prototype.destroy;

function Duplex(options) {
  if (!ordinaryInstanceOf.call(Duplex, this)) return new Duplex(options);

  if (this._events === undefined) {
    this._events = DuplexEvents();
    this._eventsCount = 0;
  }

  this._readableState = new ReadableState(options, this, true);
  this._writableState = new WritableState(options, this, true, Writable[kMakeOnwrite](this));

  if (options) {
    this.allowHalfOpen = options.allowHalfOpen !== false;

    if (options.readable === false) {
      const r = this._readableState;
      r.readable = false;
      r.ended = true;
      r.endEmitted = true;
    }
    if (options.writable === false) {
      const w = this._writableState;
      w.writable = false;
      w.ending = true;
      w.ended = true;
      w.finished = true;
    }

    if (typeof options.read === 'function') this._read = options.read;
    if (typeof options.write === 'function') this._write = options.write;
    if (typeof options.writev === 'function') this._writev = options.writev;
    if (typeof options.destroy === 'function') this._destroy = options.destroy;
    if (typeof options.final === 'function') this._final = options.final;
    if (typeof options.construct === 'function') this._construct = options.construct;
    if (options.signal) addAbortSignal(options.signal, this);
  } else {
    this.allowHalfOpen = true;
  }

  Stream.call(this, options);

  if (this._construct != null) {
    destroyImpl.construct(this, () => {
      Readable[kReadableConstructed](this, this._readableState);
      Writable[kWritableConstructed](this, this._writableState);
    });
  }
}

function copyAccessor(name) {
  return Object.getOwnPropertyDescriptor(Writable.prototype, name);
}

Object.defineProperties(Duplex.prototype, {
  writable: copyAccessor('writable'),
  writableHighWaterMark: copyAccessor('writableHighWaterMark'),
  writableObjectMode: copyAccessor('writableObjectMode'),
  writableBuffer: copyAccessor('writableBuffer'),
  writableLength: copyAccessor('writableLength'),
  writableFinished: copyAccessor('writableFinished'),
  writableCorked: copyAccessor('writableCorked'),
  writableEnded: copyAccessor('writableEnded'),
  writableNeedDrain: copyAccessor('writableNeedDrain'),
  destroyed: {
    configurable: true,
    get() {
      if (this._readableState === undefined || this._writableState === undefined) return false;
      return this._readableState.destroyed && this._writableState.destroyed;
    },
    set(value) {
      if (this._readableState && this._writableState) {
        this._readableState.destroyed = value;
        this._writableState.destroyed = value;
      }
    },
  },
});

Duplex.fromWeb = function fromWeb(pair, options) {
  return require('./web').duplexFromWeb(pair, options);
};

Duplex.toWeb = function toWeb(duplex) {
  return require('./web').duplexToWeb(duplex);
};

Duplex.from = function from(body) {
  return require('./duplexify')(body, 'body');
};
