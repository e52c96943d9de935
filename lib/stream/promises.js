'use strict';

// require('forkpipe/stream/promises'): pipeline() and finished() returning
// promises. pipeline takes an options object ({ signal, end }) last.

const { pipelineImpl } = require('./pipeline');
const { finished } = require('./end-of-stream');
const { isIterable, isNodeStream, isWebStream } = require('./kinds');

function pipeline(...streams) {
  return new Promise((resolve, reject) => {
    let signal;
    let end;
    const last = streams[streams.length - 1];
    if (last && typeof last === 'object' && !isNodeStream(last) &&
        !isIterable(last) && !isWebStream(last)) {
      const options = streams.pop();
      signal = options.signal;
      end = options.end;
    }
    pipelineImpl(streams, (err, value) => {
      if (err) reject(err);
      else resolve(value);
    }, { signal, end });
  });
}

module.exports = { finished, pipeline };
