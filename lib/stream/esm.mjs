// node:stream as an ES module, for `import { Readable } from 'node:stream'`
// under forkpipe/register: the same names Node's module exports.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const stream = require('./index.js');

export default stream;
export const {
  Duplex, PassThrough, Readable, Stream, Transform, Writable,
  _isArrayBufferView, _isUint8Array, _uint8ArrayToBuffer,
  addAbortSignal, compose, destroy, duplexPair, finished,
  getDefaultHighWaterMark, isDestroyed, isDisturbed, isErrored, isReadable,
  isWritable, pipeline, promises, setDefaultHighWaterMark,
} = stream;
