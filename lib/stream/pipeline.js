'use strict';

// pipeline(...stages, callback): connects streams, iterables, generator
// functions and web streams; on the first error (or an abort) every stage
// is destroyed; the callback runs once, after the last stage is done.

const eos = require('./end-of-stream');
const { destroyStream } = require('./destroy');
const { makeError, AbortError, combineErrors } = require('./errors');
const { checkFunction, checkSignal } = require('./validate');
const { onAbort } = require('./abort-listener');
const k = require('./kinds');

function callOnce(fn) {
  let called = false;
  return function onceWrapper(...args) {
    if (called) return;
    called = true;
    Reflect.apply(fn, this, args);
  };
}

// Watches one stage; destroy(err) tears it down unless it already ended
// cleanly.
function stageGuard(stream, reading, writing) {
  let done = false;
  stream.on('close', () => { done = true; });
  const cleanup = eos(stream, { readable: reading, writable: writing }, (err) => {
    done = !err;
  });
  return {
    destroy(err) {
      if (done) return;
      done = true;
      destroyStream(stream, err || makeError('ERR_STREAM_DESTROYED', 'pipe'));
    },
    cleanup,
  };
}

function popCallback(streams) {
  checkFunction(streams[streams.length - 1], 'streams[stream.length - 1]');
  return streams.pop();
}

function asAsyncIterable(val) {
  if (k.isIterable(val)) return val;
  if (k.isReadableNodeStream(val)) return iterateReadable(val);
  throw makeError('ERR_INVALID_ARG_TYPE', 'val', ['Readable', 'Iterable', 'AsyncIterable'], val);
}

async function* iterateReadable(val) {
  const Readable = require('./readable');
  yield* Readable.prototype[Symbol.asyncIterator].call(val);
}

// Writes an (async) iterable into a Node-style writable, honouring
// backpressure, then ends it.
async function pumpToNode(iterable, writable, finish, { end }) {
  let error;
  let onSettle = null;

  const wakeUp = (err) => {
    if (err) error = err;
    if (onSettle) {
      const fn = onSettle;
      onSettle = null;
      fn();
    }
  };

  const waitForDrain = () => new Promise((resolve, reject) => {
    if (error) {
      reject(error);
    } else {
      onSettle = () => {
        if (error) reject(error);
        else resolve();
      };
    }
  });

  writable.on('drain', wakeUp);
  const stopWatching = eos(writable, { readable: false }, wakeUp);

  try {
    if (writable.writableNeedDrain) await waitForDrain();
    for await (const chunk of iterable) {
      if (!writable.write(chunk)) await waitForDrain();
    }
    if (end) {
      writable.end();
      await waitForDrain();
    }
    finish();
  } catch (err) {
    finish(error !== err ? combineErrors(error, err) : err);
  } finally {
    stopWatching();
    writable.off('drain', wakeUp);
  }
}

async function pumpToWeb(readable, writable, finish, { end }) {
  if (k.isTransformStream(writable)) writable = writable.writable;
  const writer = writable.getWriter();
  try {
    for await (const chunk of readable) {
      await writer.ready;
      writer.write(chunk).catch(() => {});
    }
    await writer.ready;
    if (end) await writer.close();
    finish();
  } catch (err) {
    try {
      await writer.abort(err);
      finish(err);
    } catch (abortErr) {
      finish(abortErr);
    }
  }
}

function pipeline(...streams) {
  return pipelineImpl(streams, callOnce(popCallback(streams)));
}

function pipelineImpl(streams, callback, opts) {
  if (streams.length === 1 && Array.isArray(streams[0])) streams = streams[0];
  if (streams.length < 2) throw makeError('ERR_MISSING_ARGS', 'streams');

  const controller = new AbortController();
  const signal = controller.signal;
  const outerSignal = opts && opts.signal;

  // Listeners to drop once done when the last stage stays readable.
  const lastStageCleanup = [];

  checkSignal(outerSignal, 'options.signal');

  function abort() {
    finishWith(new AbortError(undefined, { cause: outerSignal && outerSignal.reason }));
  }

  let stopOuter = null;
  if (outerSignal) stopOuter = onAbort(outerSignal, abort);

  let error;
  let value;
  const destroys = [];
  let pending = 0;

  function finish(err) {
    finishWith(err, --pending === 0);
  }

  function finishWith(err, final) {
    // A real error beats a premature close reported before it.
    if (err && (!error || error.code === 'ERR_STREAM_PREMATURE_CLOSE')) error = err;
    if (!error && !final) return;
    while (destroys.length) destroys.shift()(error);
    if (stopOuter) {
      stopOuter();
      stopOuter = null;
    }
    controller.abort();
    if (final) {
      if (!error) lastStageCleanup.forEach((fn) => fn());
      process.nextTick(callback, error, value);
    }
  }

  let ret;
  for (let i = 0; i < streams.length; i++) {
    const stream = streams[i];
    const reading = i < streams.length - 1;
    const writing = i > 0;
    const end = reading || !opts || opts.end !== false;
    const isLast = i === streams.length - 1;

    if (k.isNodeStream(stream)) {
      if (end) {
        const guard = stageGuard(stream, reading, writing);
        destroys.push(guard.destroy);
        if (k.isReadable(stream) && isLast) lastStageCleanup.push(guard.cleanup);
      }
      // Errors after the data is through still fail the pipeline.
      const onError = (err) => {
        if (err && err.name !== 'AbortError' && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
          finish(err);
        }
      };
      stream.on('error', onError);
      if (k.isReadable(stream) && isLast) {
        lastStageCleanup.push(() => { stream.removeListener('error', onError); });
      }
    }

    if (i === 0) {
      if (typeof stream === 'function') {
        ret = stream({ signal });
        if (!k.isIterable(ret)) {
          throw makeError('ERR_INVALID_RETURN_VALUE', 'Iterable, AsyncIterable or Stream', 'source', ret);
        }
      } else if (k.isIterable(stream) || k.isReadableNodeStream(stream) || k.isTransformStream(stream)) {
        ret = stream;
      } else {
        ret = require('./duplex').from(stream);
      }
    } else if (typeof stream === 'function') {
      ret = k.isTransformStream(ret) ? asAsyncIterable(ret && ret.readable) : asAsyncIterable(ret);
      ret = stream(ret, { signal });

      if (reading) {
        if (!k.isIterable(ret, true)) {
          throw makeError('ERR_INVALID_RETURN_VALUE', 'AsyncIterable', `transform[${i - 1}]`, ret);
        }
      } else {
        // The last stage is a function: wrap its result in a PassThrough
        // so pipeline() still returns a stream.
        const PassThrough = require('./passthrough');
        const pt = new PassThrough({ objectMode: true });
        const then = ret && ret.then;
        if (typeof then === 'function') {
          pending++;
          then.call(ret, (val) => {
            value = val;
            if (val != null) pt.write(val);
            if (end) pt.end();
            process.nextTick(finish);
          }, (err) => {
            pt.destroy(err);
            process.nextTick(finish, err);
          });
        } else if (k.isIterable(ret, true)) {
          pending++;
          pumpToNode(ret, pt, finish, { end });
        } else if (k.isReadableStream(ret) || k.isTransformStream(ret)) {
          pending++;
          pumpToNode(ret.readable || ret, pt, finish, { end });
        } else {
          throw makeError('ERR_INVALID_RETURN_VALUE', 'AsyncIterable or Promise', 'destination', ret);
        }
        ret = pt;
        const guard = stageGuard(ret, false, true);
        destroys.push(guard.destroy);
        if (isLast) lastStageCleanup.push(guard.cleanup);
      }
    } else if (k.isNodeStream(stream)) {
      if (k.isReadableNodeStream(ret)) {
        pending += 2;
        const cleanup = pipeInto(ret, stream, finish, { end });
        if (k.isReadable(stream) && isLast) lastStageCleanup.push(cleanup);
      } else if (k.isTransformStream(ret) || k.isReadableStream(ret)) {
        pending++;
        pumpToNode(ret.readable || ret, stream, finish, { end });
      } else if (k.isIterable(ret)) {
        pending++;
        pumpToNode(ret, stream, finish, { end });
      } else {
        throw makeError('ERR_INVALID_ARG_TYPE', 'val',
          ['Readable', 'Iterable', 'AsyncIterable', 'ReadableStream', 'TransformStream'], ret);
      }
      ret = stream;
    } else if (k.isWebStream(stream)) {
      if (k.isReadableNodeStream(ret)) {
        pending++;
        pumpToWeb(asAsyncIterable(ret), stream, finish, { end });
      } else if (k.isReadableStream(ret) || k.isIterable(ret)) {
        pending++;
        pumpToWeb(ret, stream, finish, { end });
      } else if (k.isTransformStream(ret)) {
        pending++;
        pumpToWeb(ret.readable, stream, finish, { end });
      } else {
        throw makeError('ERR_INVALID_ARG_TYPE', 'val',
          ['Readable', 'Iterable', 'AsyncIterable', 'ReadableStream', 'TransformStream'], ret);
      }
      ret = stream;
    } else {
      ret = require('./duplex').from(stream);
    }
  }

  if ((signal && signal.aborted) || (outerSignal && outerSignal.aborted)) {
    process.nextTick(abort);
  }
  return ret;
}

// Node-stream to Node-stream: src.pipe(dst) plus the bookkeeping that
// pipe() lacks (premature close of dst, ending dst ourselves).
function pipeInto(src, dst, finish, { end }) {
  let ended = false;
  dst.on('close', () => {
    if (!ended) finish(makeError('ERR_STREAM_PREMATURE_CLOSE'));
  });

  // Two native neighbours splice inside Rust from within this pipe (the
  // source's _read decides: native-seam.js); the end events are the same.
  src.pipe(dst, { end: false });

  if (end) {
    const endDst = () => {
      ended = true;
      dst.end();
    };
    if (k.isReadableFinished(src)) process.nextTick(endDst);
    else src.once('end', endDst);
  } else {
    finish();
  }

  eos(src, { readable: true, writable: false }, (err) => {
    const r = src._readableState;
    if (err && err.code === 'ERR_STREAM_PREMATURE_CLOSE' &&
        r && r.ended && !r.errored && !r.errorEmitted) {
      // 'close' before 'end' on a source that did end: wait for the 'end'.
      src.once('end', finish).once('error', finish);
    } else {
      finish(err);
    }
  });
  return eos(dst, { readable: false, writable: true }, finish);
}

module.exports = { pipeline, pipelineImpl };
