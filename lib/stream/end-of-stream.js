'use strict';

// finished(stream[, options], callback): calls back once, when the stream
// is done (ended, finished, closed) or failed, with Node's rules for what
// counts as premature. Works on forkpipe streams, Node's core streams,
// http requests/responses, old-style streams and web streams.

const { makeError, AbortError } = require('./errors');
const { checkObject, checkFunction, checkSignal, checkBoolean } = require('./validate');
const { onAbort } = require('./abort-listener');
const { kIsClosedPromise } = require('./symbols');
const k = require('./kinds');

const noop = () => {};
const NO_OPTIONS = Object.freeze({});

function callOnce(fn) {
  let called = false;
  return function onceWrapper(...args) {
    if (called) return undefined;
    called = true;
    return Reflect.apply(fn, this, args);
  };
}

function eos(stream, options, callback) {
  if (arguments.length === 2) {
    callback = options;
    options = NO_OPTIONS;
  } else if (options == null) {
    options = NO_OPTIONS;
  } else {
    checkObject(options, 'options');
  }
  checkFunction(callback, 'callback');
  checkSignal(options.signal, 'options.signal');

  callback = callOnce(callback);

  if (k.isReadableStream(stream) || k.isWritableStream(stream)) {
    return eosWeb(stream, options, callback);
  }
  if (!k.isNodeStream(stream)) {
    throw makeError('ERR_INVALID_ARG_TYPE', 'stream',
      ['ReadableStream', 'WritableStream', 'Stream'], stream);
  }

  const readable = options.readable ?? k.isReadableNodeStream(stream);
  const writable = options.writable ?? k.isWritableNodeStream(stream);
  const wState = stream._writableState;
  const rState = stream._readableState;

  // Whether 'close' is sure to come and can be waited for instead of
  // 'end'/'finish' (only when the sides we watch are the stream's sides).
  let trustClose = k.willEmitClose(stream) &&
    k.isReadableNodeStream(stream) === readable &&
    k.isWritableNodeStream(stream) === writable;

  let writableDone = k.isWritableFinished(stream, false);
  let readableDone = k.isReadableFinished(stream, false);
  let closed = k.isClosed(stream);

  const onLegacyFinish = () => {
    if (!stream.writable) onFinish();
  };

  const onFinish = () => {
    writableDone = true;
    // Destroyed before 'finish': user code manages this stream its own
    // way, so 'close' can no longer be relied on.
    if (stream.destroyed) trustClose = false;
    if (trustClose && (!stream.readable || readable)) return;
    if (!readable || readableDone) callback.call(stream);
  };

  const onEnd = () => {
    readableDone = true;
    if (stream.destroyed) trustClose = false;
    if (trustClose && (!stream.writable || writable)) return;
    if (!writable || writableDone) callback.call(stream);
  };

  const onError = (err) => {
    callback.call(stream, err);
  };

  const onClose = () => {
    closed = true;
    const errored = k.isWritableErrored(stream) || k.isReadableErrored(stream);
    if (errored && typeof errored !== 'boolean') {
      callback.call(stream, errored);
      return;
    }
    if (readable && !readableDone && k.isReadableNodeStream(stream, true) &&
        !k.isReadableFinished(stream, false)) {
      callback.call(stream, makeError('ERR_STREAM_PREMATURE_CLOSE'));
      return;
    }
    if (writable && !writableDone && !k.isWritableFinished(stream, false)) {
      callback.call(stream, makeError('ERR_STREAM_PREMATURE_CLOSE'));
      return;
    }
    callback.call(stream);
  };

  // Used when the stream was already done before we looked.
  const onAlreadyClosed = () => {
    closed = true;
    const errored = k.isWritableErrored(stream) || k.isReadableErrored(stream);
    if (errored && typeof errored !== 'boolean') {
      callback.call(stream, errored);
      return;
    }
    callback.call(stream);
  };

  const onRequest = () => {
    stream.req.on('finish', onFinish);
  };

  if (k.isRequest(stream)) {
    stream.on('complete', onFinish);
    if (!trustClose) stream.on('abort', onClose);
    if (stream.req) onRequest();
    else stream.on('request', onRequest);
  } else if (writable && !wState) {
    stream.on('end', onLegacyFinish);
    stream.on('close', onLegacyFinish);
  }

  // Not every stream emits 'close' after 'aborted'.
  if (!trustClose && typeof stream.aborted === 'boolean') {
    stream.on('aborted', onClose);
  }

  stream.on('end', onEnd);
  stream.on('finish', onFinish);
  if (options.error !== false) stream.on('error', onError);
  stream.on('close', onClose);

  if (closed) {
    process.nextTick(onClose);
  } else if ((wState && wState.errorEmitted) || (rState && rState.errorEmitted)) {
    if (!trustClose) process.nextTick(onAlreadyClosed);
  } else if (!readable &&
             (!trustClose || k.isReadable(stream)) &&
             (writableDone || k.isWritable(stream) === false) &&
             (wState == null || wState.pendingcb === undefined || wState.pendingcb === 0)) {
    process.nextTick(onAlreadyClosed);
  } else if (!writable &&
             (!trustClose || k.isWritable(stream)) &&
             (readableDone || k.isReadable(stream) === false)) {
    process.nextTick(onAlreadyClosed);
  } else if (rState && stream.req && stream.aborted) {
    process.nextTick(onAlreadyClosed);
  }

  const cleanup = () => {
    callback = noop;
    stream.removeListener('aborted', onClose);
    stream.removeListener('complete', onFinish);
    stream.removeListener('abort', onClose);
    stream.removeListener('request', onRequest);
    if (stream.req) stream.req.removeListener('finish', onFinish);
    stream.removeListener('end', onLegacyFinish);
    stream.removeListener('close', onLegacyFinish);
    stream.removeListener('finish', onFinish);
    stream.removeListener('end', onEnd);
    stream.removeListener('error', onError);
    stream.removeListener('close', onClose);
  };

  const signal = options.signal;
  if (signal && !closed) {
    callback = watchSignal(stream, signal, callback, () => {
      const pending = callback;
      cleanup();
      pending.call(stream, new AbortError(undefined, { cause: signal.reason }));
    });
  }

  return cleanup;
}

// Runs `abort` when `signal` fires (next tick if it already has) and
// returns `callback` made to stop listening once it is called.
function watchSignal(stream, signal, callback, abort) {
  if (signal.aborted) {
    process.nextTick(abort);
    return callback;
  }
  const stopListening = onAbort(signal, abort);
  return callOnce(function finishedAndUnhooked(...args) {
    stopListening();
    Reflect.apply(callback, stream, args);
  });
}

function eosWeb(stream, options, callback) {
  let aborted = false;
  const signal = options.signal;
  if (signal) {
    callback = watchSignal(stream, signal, callback, () => {
      aborted = true;
      callback.call(stream, new AbortError(undefined, { cause: signal.reason }));
    });
  }
  const settle = (...args) => {
    if (!aborted) process.nextTick(() => Reflect.apply(callback, stream, args));
  };
  const closedPromise = stream[kIsClosedPromise];
  if (closedPromise && closedPromise.promise) {
    closedPromise.promise.then(settle, settle);
  } else {
    // A web stream we cannot see inside: ask Node's finished().
    require('stream').finished(stream, (err) => settle(err));
  }
  return noop;
}

function finished(stream, opts) {
  let autoCleanup = false;
  if (opts === null) opts = NO_OPTIONS;
  if (opts && opts.cleanup) {
    checkBoolean(opts.cleanup, 'cleanup');
    autoCleanup = opts.cleanup;
  }
  return new Promise((resolve, reject) => {
    const cleanup = eos(stream, opts, (err) => {
      if (autoCleanup) cleanup();
      if (err) reject(err);
      else resolve();
    });
  });
}

module.exports = eos;
module.exports.finished = finished;
