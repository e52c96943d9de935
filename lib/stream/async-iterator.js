'use strict';

// `for await (const chunk of readable)`: reads in paused mode, waking on
// 'readable' or on the stream finishing. Leaving the loop early (break,
// return, throw) destroys the stream unless told otherwise.

const eos = require('./end-of-stream');
const { combineErrors } = require('./errors');
const { destroyStream } = require('./destroy');

const noop = () => {};

function streamToAsyncIterator(stream, options) {
  if (typeof stream.read !== 'function') {
    // An old-style stream: adopt it first.
    const Readable = require('./readable');
    stream = Readable.wrap(stream, { objectMode: true });
  }
  const iter = readChunks(stream, options);
  iter.stream = stream;
  return iter;
}

async function* readChunks(stream, options) {
  let wake = noop;

  // Used both as the 'readable' listener (this === stream) and as the
  // executor of the promise we wait on.
  function waitOrWake(resolve) {
    if (this === stream) {
      wake();
      wake = noop;
    } else {
      wake = resolve;
    }
  }
  stream.on('readable', waitOrWake);

  // undefined: still going; null: finished cleanly; else the error.
  let error;
  const stopWatching = eos(stream, { writable: false }, (err) => {
    error = err ? combineErrors(error, err) : null;
    wake();
    wake = noop;
  });

  try {
    while (true) {
      const chunk = stream.destroyed ? null : stream.read();
      if (chunk !== null) {
        yield chunk;
      } else if (error) {
        throw error;
      } else if (error === null) {
        return;
      } else {
        await new Promise(waitOrWake);
      }
    }
  } catch (err) {
    error = combineErrors(error, err);
    throw error;
  } finally {
    if ((error || !options || options.destroyOnReturn !== false) &&
        (error === undefined || stream._readableState.autoDestroy)) {
      destroyStream(stream, null);
    } else {
      stream.off('readable', waitOrWake);
      stopWatching();
    }
  }
}

module.exports = { streamToAsyncIterator };
