'use strict';

// What kind of stream is this? Duck-typed questions that work the same on
// forkpipe's streams, Node's core streams and streams from other libraries,
// answered the way Node's stream functions answer them.

const {
  kIsDestroyed, kIsErrored, kIsReadable, kIsWritable, kIsDisturbed,
} = require('./symbols');

function hasOn(obj) {
  return typeof obj.on === 'function';
}

// Something we can read from with .pipe(): a Readable, or a Duplex whose
// readable side is enabled. A Writable also has .pipe() but no _readableState.
function isReadableNodeStream(obj, strict = false) {
  if (!obj || typeof obj.pipe !== 'function' || !hasOn(obj)) return false;
  if (strict && (typeof obj.pause !== 'function' || typeof obj.resume !== 'function')) return false;
  if (obj._writableState) {
    const r = obj._readableState;
    if (!r || r.readable === false) return false;
  }
  return true;
}

function isWritableNodeStream(obj) {
  if (!obj || typeof obj.write !== 'function' || !hasOn(obj)) return false;
  if (obj._readableState) {
    const w = obj._writableState;
    if (w && w.writable === false) return false;
  }
  return true;
}

function isDuplexNodeStream(obj) {
  return !!(obj && typeof obj.pipe === 'function' && obj._readableState &&
    hasOn(obj) && typeof obj.write === 'function');
}

function isNodeStream(obj) {
  if (!obj) return obj;
  if (obj._readableState || obj._writableState) return true;
  if (typeof obj.on !== 'function') return false;
  return typeof obj.write === 'function' || typeof obj.pipe === 'function';
}

function isReadableStream(obj) {
  return !!(obj && !isNodeStream(obj) && typeof obj.pipeThrough === 'function' &&
    typeof obj.getReader === 'function' && typeof obj.cancel === 'function');
}

function isWritableStream(obj) {
  return !!(obj && !isNodeStream(obj) && typeof obj.getWriter === 'function' &&
    typeof obj.abort === 'function');
}

function isTransformStream(obj) {
  return !!(obj && !isNodeStream(obj) && typeof obj.readable === 'object' &&
    typeof obj.writable === 'object');
}

function isWebStream(obj) {
  return isReadableStream(obj) || isWritableStream(obj) || isTransformStream(obj);
}

function isIterable(obj, isAsync) {
  if (obj == null) return false;
  const asyncIt = typeof obj[Symbol.asyncIterator] === 'function';
  if (isAsync === true) return asyncIt;
  const syncIt = typeof obj[Symbol.iterator] === 'function';
  if (isAsync === false) return syncIt;
  return asyncIt || syncIt;
}

function isDestroyed(stream) {
  if (!isNodeStream(stream)) return null;
  const state = stream._writableState || stream._readableState;
  return !!(stream.destroyed || stream[kIsDestroyed] || (state && state.destroyed));
}

// end() has been called.
function isWritableEnded(stream) {
  if (!isWritableNodeStream(stream)) return null;
  if (stream.writableEnded === true) return true;
  const w = stream._writableState;
  if (w && w.errored) return false;
  if (!w || typeof w.ended !== 'boolean') return null;
  return w.ended;
}

// 'finish' has been emitted (or, loosely, everything written is out).
function isWritableFinished(stream, strict) {
  if (!isWritableNodeStream(stream)) return null;
  if (stream.writableFinished === true) return true;
  const w = stream._writableState;
  if (w && w.errored) return false;
  if (!w || typeof w.finished !== 'boolean') return null;
  return !!(w.finished || (strict === false && w.ended === true && w.length === 0));
}

// 'end' has been emitted (or, loosely, ended with nothing left to read).
function isReadableFinished(stream, strict) {
  if (!isReadableNodeStream(stream)) return null;
  const r = stream._readableState;
  if (r && r.errored) return false;
  if (!r || typeof r.endEmitted !== 'boolean') return null;
  return !!(r.endEmitted || (strict === false && r.ended === true && r.length === 0));
}

function isReadable(stream) {
  if (stream && stream[kIsReadable] != null) return stream[kIsReadable];
  if (!stream || typeof stream.readable !== 'boolean') return null;
  if (isDestroyed(stream)) return false;
  return isReadableNodeStream(stream) && stream.readable && !isReadableFinished(stream);
}

function isWritable(stream) {
  if (stream && stream[kIsWritable] != null) return stream[kIsWritable];
  if (!stream || typeof stream.writable !== 'boolean') return null;
  if (isDestroyed(stream)) return false;
  return isWritableNodeStream(stream) && stream.writable && !isWritableEnded(stream);
}

function isFinished(stream, opts) {
  if (!isNodeStream(stream)) return null;
  if (isDestroyed(stream)) return true;
  if ((!opts || opts.readable !== false) && isReadable(stream)) return false;
  if ((!opts || opts.writable !== false) && isWritable(stream)) return false;
  return true;
}

function isWritableErrored(stream) {
  if (!isNodeStream(stream)) return null;
  if (stream.writableErrored) return stream.writableErrored;
  const w = stream._writableState;
  return (w && w.errored) ?? null;
}

function isReadableErrored(stream) {
  if (!isNodeStream(stream)) return null;
  if (stream.readableErrored) return stream.readableErrored;
  const r = stream._readableState;
  return (r && r.errored) ?? null;
}

function isOutgoingMessage(stream) {
  return typeof stream._closed === 'boolean' &&
    typeof stream._defaultKeepAlive === 'boolean' &&
    typeof stream._removedConnection === 'boolean' &&
    typeof stream._removedContLen === 'boolean';
}

function isServerResponse(stream) {
  return typeof stream._sent100 === 'boolean' && isOutgoingMessage(stream);
}

function isServerRequest(stream) {
  return typeof stream._consuming === 'boolean' &&
    typeof stream._dumped === 'boolean' &&
    (!stream.req || stream.req.upgradeOrConnect === undefined);
}

function isClosed(stream) {
  if (!isNodeStream(stream)) return null;
  if (typeof stream.closed === 'boolean') return stream.closed;
  const w = stream._writableState;
  const r = stream._readableState;
  if ((w && typeof w.closed === 'boolean') || (r && typeof r.closed === 'boolean')) {
    return (w && w.closed) || (r && r.closed);
  }
  if (typeof stream._closed === 'boolean' && isOutgoingMessage(stream)) return stream._closed;
  return null;
}

// Will this stream emit 'close' by itself once it is done?
function willEmitClose(stream) {
  if (!isNodeStream(stream)) return null;
  const state = stream._writableState || stream._readableState;
  if (!state) return isServerResponse(stream);
  return !!(state.autoDestroy && state.emitClose && state.closed === false);
}

function isDisturbed(stream) {
  if (!stream) return false;
  const mark = stream[kIsDisturbed];
  if (mark != null) return !!mark;
  return !!(stream.readableDidRead || stream.readableAborted);
}

function isErrored(stream) {
  if (!stream) return false;
  const r = stream._readableState;
  const w = stream._writableState;
  return !!(stream[kIsErrored] ??
    stream.readableErrored ??
    stream.writableErrored ??
    (r ? r.errorEmitted : undefined) ??
    (w ? w.errorEmitted : undefined) ??
    (r ? r.errored : undefined) ??
    (w ? w.errored : undefined));
}

function isRequest(stream) {
  return !!(stream && stream.setHeader && typeof stream.abort === 'function');
}

module.exports = {
  isReadableNodeStream,
  isWritableNodeStream,
  isDuplexNodeStream,
  isNodeStream,
  isReadableStream,
  isWritableStream,
  isTransformStream,
  isWebStream,
  isIterable,
  isDestroyed,
  isWritableEnded,
  isWritableFinished,
  isReadableFinished,
  isReadable,
  isWritable,
  isFinished,
  isWritableErrored,
  isReadableErrored,
  isClosed,
  isServerResponse,
  isServerRequest,
  isRequest,
  willEmitClose,
  isDisturbed,
  isErrored,
};
