'use strict';

// Tearing streams down: destroy() and its deferred 'error'/'close', the
// error path user callbacks take (fail), _construct sequencing, and
// `destroyStream`, which destroys anything stream-shaped (old-style
// streams, http requests) the way pipeline() needs.

const { makeError, AbortError, combineErrors } = require('./errors');
const { kIsDestroyed, kConstructDone, kDestroyAfterConstruct } = require('./symbols');
const { isDestroyed, isFinished, isServerRequest, isRequest } = require('./kinds');

// Remember the first error on each side. Reading err.stack now keeps V8
// from holding on to the frames it would otherwise format lazily.
function recordError(err, w, r) {
  if (!err) return;
  err.stack; // eslint-disable-line no-unused-expressions
  if (w && !w.errored) w.errored = err;
  if (r && !r.errored) r.errored = err;
}

function destroy(err, cb) {
  const r = this._readableState;
  const w = this._writableState;
  const s = w || r;

  if ((w && w.destroyed) || (r && r.destroyed)) {
    if (typeof cb === 'function') cb();
    return this;
  }

  // Marked before any callback runs, so destroy() re-entered from one of
  // them is a no-op.
  recordError(err, w, r);
  if (w) w.destroyed = true;
  if (r) r.destroyed = true;

  if (!s.constructed) {
    this.once(kDestroyAfterConstruct, function onConstructed(constructErr) {
      runDestroy(this, combineErrors(constructErr, err), cb);
    });
  } else {
    runDestroy(this, err, cb);
  }
  return this;
}

function runDestroy(stream, err, cb) {
  let done = false;
  const onDestroyed = (destroyErr) => {
    if (done) return;
    done = true;
    const r = stream._readableState;
    const w = stream._writableState;
    recordError(destroyErr, w, r);
    if (w) w.closed = true;
    if (r) r.closed = true;
    if (typeof cb === 'function') cb(destroyErr);
    if (destroyErr) process.nextTick(emitErrorThenClose, stream, destroyErr);
    else process.nextTick(emitClose, stream);
  };
  try {
    stream._destroy(err || null, onDestroyed);
  } catch (thrown) {
    onDestroyed(thrown);
  }
}

function emitErrorThenClose(stream, err) {
  emitError(stream, err);
  emitClose(stream);
}

function emitClose(stream) {
  const r = stream._readableState;
  const w = stream._writableState;
  if (w) w.closeEmitted = true;
  if (r) r.closeEmitted = true;
  if ((w && w.emitClose) || (r && r.emitClose)) stream.emit('close');
}

function emitError(stream, err) {
  const r = stream._readableState;
  const w = stream._writableState;
  if ((w && w.errorEmitted) || (r && r.errorEmitted)) return;
  if (w) w.errorEmitted = true;
  if (r) r.errorEmitted = true;
  stream.emit('error', err);
}

// Brings a destroyed stream back to its fresh state (used by the few
// streams that are reused, e.g. net.Socket's connect after destroy).
function undestroy() {
  const r = this._readableState;
  const w = this._writableState;
  if (r) {
    r.constructed = true;
    r.closed = false;
    r.closeEmitted = false;
    r.destroyed = false;
    r.errored = null;
    r.errorEmitted = false;
    r.reading = false;
    r.ended = r.readable === false;
    r.endEmitted = r.readable === false;
  }
  if (w) {
    w.constructed = true;
    w.destroyed = false;
    w.closed = false;
    w.closeEmitted = false;
    w.errored = null;
    w.errorEmitted = false;
    w.finalCalled = false;
    w.prefinished = false;
    w.ended = w.writable === false;
    w.ending = w.writable === false;
    w.finished = w.writable === false;
  }
}

// A failure inside the stream machinery: with autoDestroy the stream is
// destroyed with `err`; without it the error is recorded and emitted
// (now, or on the next tick when `sync`).
function fail(stream, err, sync) {
  const r = stream._readableState;
  const w = stream._writableState;
  if ((w && w.destroyed) || (r && r.destroyed)) return;
  if ((r && r.autoDestroy) || (w && w.autoDestroy)) {
    stream.destroy(err);
    return;
  }
  if (!err) return;
  err.stack; // eslint-disable-line no-unused-expressions
  if (w && !w.errored) w.errored = err;
  if (r && !r.errored) r.errored = err;
  if (sync) process.nextTick(emitError, stream, err);
  else emitError(stream, err);
}

// Runs the user's _construct on the next tick; until its callback, reads,
// writes and destroy wait. `onReady` runs once construction succeeded.
function construct(stream, onReady) {
  if (typeof stream._construct !== 'function') return;
  const r = stream._readableState;
  const w = stream._writableState;
  if (r) r.constructed = false;
  if (w) w.constructed = false;
  stream.once(kConstructDone, onReady);
  if (stream.listenerCount(kConstructDone) > 1) return;
  process.nextTick(startConstruct, stream);
}

function startConstruct(stream) {
  let called = false;
  const finish = (err) => {
    if (called) {
      fail(stream, err ?? makeError('ERR_MULTIPLE_CALLBACK'));
      return;
    }
    called = true;
    const r = stream._readableState;
    const w = stream._writableState;
    const s = w || r;
    if (r) r.constructed = true;
    if (w) w.constructed = true;
    if (s.destroyed) stream.emit(kDestroyAfterConstruct, err);
    else if (err) fail(stream, err, true);
    else stream.emit(kConstructDone);
  };
  try {
    stream._construct((err) => { process.nextTick(finish, err); });
  } catch (err) {
    process.nextTick(finish, err);
  }
}

function emitCloseOnly(stream) {
  stream.emit('close');
}

function emitErrorThenCloseLegacy(stream, err) {
  stream.emit('error', err);
  process.nextTick(emitCloseOnly, stream);
}

// Destroys any stream-like thing: ours, Node's, an http request, an old
// stream with only close(). Without an error, a stream that had not
// finished is destroyed with an AbortError.
function destroyStream(stream, err) {
  if (!stream || isDestroyed(stream)) return;
  if (!err && !isFinished(stream)) err = new AbortError();

  if (isServerRequest(stream)) {
    stream.socket = null;
    stream.destroy(err);
  } else if (isRequest(stream)) {
    stream.abort();
  } else if (isRequest(stream.req)) {
    stream.req.abort();
  } else if (typeof stream.destroy === 'function') {
    stream.destroy(err);
  } else if (typeof stream.close === 'function') {
    stream.close();
  } else if (err) {
    process.nextTick(emitErrorThenCloseLegacy, stream, err);
  } else {
    process.nextTick(emitCloseOnly, stream);
  }

  if (!stream.destroyed) stream[kIsDestroyed] = true;
}

module.exports = { destroy, undestroy, fail, construct, destroyStream };
