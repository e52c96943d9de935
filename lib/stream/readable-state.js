'use strict';

// The bookkeeping behind a Readable (`stream._readableState`). Every flag
// is a plain field so that the hot paths, and outside code that reads
// them (Node's own finished()/pipeline(), libraries, tests), pay one
// property load. Field names and meanings are Node's.

const { StringDecoder } = require('string_decoder');
const { highWaterMarkOf, getDefaultHighWaterMark } = require('./high-water-mark');
const { defaultEncodingOf } = require('./chunks');

function ReadableState(options, stream, isDuplex) {
  const objectMode = !!(options && (options.objectMode ||
    (isDuplex && options.readableObjectMode)));
  this.objectMode = objectMode;
  this.highWaterMark = options ?
    highWaterMarkOf(options, 'readableHighWaterMark', isDuplex, objectMode) :
    getDefaultHighWaterMark(false);

  // Chunks waiting to be read: buffer[bufferIndex..] (the front is
  // consumed by advancing the index rather than shifting the array).
  this.buffer = [];
  this.bufferIndex = 0;
  this.length = 0;
  this.pipes = [];
  this.flowing = null;

  this.ended = false;
  this.endEmitted = false;
  this.reading = false;
  this.constructed = true;
  // True while inside _read() (and before the first read), so that
  // anything it triggers is deferred to a later tick.
  this.sync = true;
  this.needReadable = false;
  this.emittedReadable = false;
  this.readableListening = false;
  this.resumeScheduled = false;
  this.errorEmitted = false;
  this.emitClose = !(options && options.emitClose === false);
  this.autoDestroy = !(options && options.autoDestroy === false);
  this.destroyed = false;
  this.errored = null;
  this.closed = false;
  this.closeEmitted = false;
  this.multiAwaitDrain = false;
  this.readingMore = false;
  this.dataEmitted = false;

  this.defaultEncoding = defaultEncodingOf(options);

  // The pipe destinations we wait for a 'drain' from: null, one stream,
  // or a Set of them when piping to several.
  this.awaitDrainWriters = null;

  this.decoder = null;
  this.encoding = null;
  if (options && options.encoding) {
    this.decoder = new StringDecoder(options.encoding);
    this.encoding = options.encoding;
  }

  // Two fields beyond Node's names, both internal: whether pause() or
  // resume() was called last (null: neither), and whether anyone listens
  // for 'data'. Like every field here they are named stores: V8 keeps such
  // objects in fast mode, whereas computed (symbol) keys added after many
  // fields can tip a whole class of objects into dictionary mode.
  this.userPaused = null;
  this.dataListening = false;
}

Object.defineProperties(ReadableState.prototype, {
  pipesCount: {
    configurable: true,
    get() { return this.pipes.length; },
  },
  paused: {
    configurable: true,
    get() { return this.userPaused === true; },
    set(value) { this.userPaused = !!value; },
  },
});

module.exports = { ReadableState };
