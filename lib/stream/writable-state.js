'use strict';

// The bookkeeping behind a Writable (`stream._writableState`), as plain
// fields with Node's names and meanings.
//
// Its prototype chain includes Node's own WritableState.prototype. Node's
// `Writable[Symbol.hasInstance]` accepts any object whose _writableState is
// a WritableState, so with this, forkpipe's Writable and Duplex streams
// pass `x instanceof require('node:stream').Writable` just as Node's
// Duplex does. Node's prototype defines accessors over its private bit
// field; each is shadowed here by a plain data slot, so none of Node's
// code ever runs on our state.

const { highWaterMarkOf, getDefaultHighWaterMark } = require('./high-water-mark');
const { defaultEncodingOf } = require('./chunks');

function WritableState(options, stream, isDuplex, onwrite) {
  const objectMode = !!(options && (options.objectMode ||
    (isDuplex && options.writableObjectMode)));
  this.objectMode = objectMode;
  this.highWaterMark = options ?
    highWaterMarkOf(options, 'writableHighWaterMark', isDuplex, objectMode) :
    getDefaultHighWaterMark(false);

  this.finalCalled = false;
  this.needDrain = false;
  // ending: end() was entered; ended: end() returned; finished: 'finish'.
  this.ending = false;
  this.ended = false;
  this.finished = false;
  this.destroyed = false;
  this.decodeStrings = !(options && options.decodeStrings === false);

  this.defaultEncoding = defaultEncodingOf(options);

  // Bytes (or objects) written but not yet handed off by _write.
  this.length = 0;
  this.writing = false;
  this.corked = 0;
  // True while inside _write, so its callback can tell it was synchronous.
  this.sync = true;
  this.bufferProcessing = false;
  this.onwrite = onwrite;
  this.writecb = null;
  this.writelen = 0;
  this.afterWriteTickInfo = null;

  // Writes waiting their turn: buffered[bufferedIndex..].
  this.buffered = [];
  this.bufferedIndex = 0;
  this.allBuffers = true;
  this.allNoop = true;

  // Callbacks still owed to the user; 'finish' waits for zero.
  this.pendingcb = 0;
  this.constructed = true;
  this.prefinished = false;
  this.errorEmitted = false;
  this.emitClose = !(options && options.emitClose === false);
  this.autoDestroy = !(options && options.autoDestroy === false);
  this.errored = null;
  this.closed = false;
  this.closeEmitted = false;

  // Three fields beyond Node's names, all internal (plain named fields, see
  // readable-state.js): end(cb) callbacks waiting for 'finish', a _write
  // callback is outstanding (a second call is an error), an after-write
  // tick is scheduled.
  this.finishCallbacks = null;
  this.expectWriteCb = false;
  this.afterWritePending = false;
}

WritableState.prototype.getBuffer = function getBuffer() {
  return this.buffered.slice(this.bufferedIndex);
};

Object.defineProperty(WritableState.prototype, 'bufferedRequestCount', {
  configurable: true,
  get() { return this.buffered.length - this.bufferedIndex; },
});

// Chain to Node's WritableState (see above).
const NodeWritableState = require('stream').Writable.WritableState;
if (typeof NodeWritableState === 'function') {
  const ours = WritableState.prototype;
  const theirs = NodeWritableState.prototype;
  for (const key of Reflect.ownKeys(theirs)) {
    if (key === 'constructor' || Object.prototype.hasOwnProperty.call(ours, key)) continue;
    Object.defineProperty(ours, key, {
      value: undefined, writable: true, enumerable: false, configurable: true,
    });
  }
  Object.setPrototypeOf(ours, theirs);
}

module.exports = { WritableState };
