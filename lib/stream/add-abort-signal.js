'use strict';

// addAbortSignal(signal, stream): aborting the signal destroys the stream
// with an AbortError (or errors a web stream's controller).

const { makeError, AbortError } = require('./errors');
const { isNodeStream, isWebStream } = require('./kinds');
const { kControllerErrorFunction } = require('./symbols');
const { onAbort } = require('./abort-listener');

function looksLikeSignal(signal) {
  return typeof signal === 'object' && signal !== null && 'aborted' in signal;
}

function addAbortSignal(signal, stream) {
  if (!looksLikeSignal(signal)) {
    throw makeError('ERR_INVALID_ARG_TYPE', 'signal', 'AbortSignal', signal);
  }
  if (!isNodeStream(stream) && !isWebStream(stream)) {
    throw makeError('ERR_INVALID_ARG_TYPE', 'stream',
      ['ReadableStream', 'WritableStream', 'Stream'], stream);
  }
  return addAbortSignalNoValidate(signal, stream);
}

function addAbortSignalNoValidate(signal, stream) {
  if (!looksLikeSignal(signal)) return stream;
  const abort = isNodeStream(stream) ?
    () => { stream.destroy(new AbortError(undefined, { cause: signal.reason })); } :
    () => { stream[kControllerErrorFunction](new AbortError(undefined, { cause: signal.reason })); };
  if (signal.aborted) {
    abort();
  } else {
    const stop = onAbort(signal, abort);
    require('./end-of-stream')(stream, stop);
  }
  return stream;
}

module.exports = { addAbortSignal, addAbortSignalNoValidate };
