'use strict';

// Listening to an AbortSignal in a way user code cannot cancel
// (stopImmediatePropagation), with a handle to stop listening.

const events = require('events');

function onAbort(signal, fn) {
  if (typeof events.addAbortListener === 'function') {
    const disposable = events.addAbortListener(signal, fn);
    return () => disposable[Symbol.dispose]();
  }
  if (signal.aborted) {
    queueMicrotask(fn);
    return () => {};
  }
  signal.addEventListener('abort', fn, { once: true });
  return () => signal.removeEventListener('abort', fn);
}

module.exports = { onAbort };
