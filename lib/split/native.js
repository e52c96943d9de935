'use strict';

// The Rust line splitter as a forkpipe Transform (src/stream/napi_split.rs).
// Each written chunk is one call; the lines it completes come back as one
// batch (text + line ends) in a scratch Buffer this stream reuses. The text
// is decoded once as Latin-1 and ASCII lines are sliced out of it (one-byte
// strings); a line with other characters is decoded as UTF-8 on its own.
// Lines are then mapped and pushed.

const Transform = require('../stream/transform');
const native = require('../native');

const OVERFLOWED = 2;
const NOT_ASCII = 0x80000000;
const END = 0x7fffffff;
const HEADER = 12;
const FIRST_SCRATCH = 64 * 1024;

const kHandle = Symbol('forkpipe.split.handle');
const kScratch = Symbol('forkpipe.split.scratch');
const kWords = Symbol('forkpipe.split.words');

function NativeSplit(separator, mapper, options) {
  Transform.call(this, options);
  // split2 tests `held.length > maxLength`: with no limit (or NaN) that
  // never holds; for an integer length it means `> floor(maxLength)`.
  const max = Number(options.maxLength);
  const limit = Number.isNaN(max) || max === Infinity ? -1 : Math.max(Math.floor(max), 0);
  this[kHandle] = native.splitCreate(separator, limit, Boolean(options.skipOverflow));
  this._mapper = mapper;
  setScratch(this, FIRST_SCRATCH);
}
Object.setPrototypeOf(NativeSplit.prototype, Transform.prototype);
Object.setPrototypeOf(NativeSplit, Transform);

// The scratch Buffer's latin1Slice/utf8Slice are Buffer.prototype's own
// decoders (what toString(encoding, start, end) calls after checking its
// arguments; present on every Node this package supports).
function setScratch(stream, size) {
  const buf = Buffer.allocUnsafeSlow(size);
  stream[kScratch] = buf;
  stream[kWords] = new Uint32Array(buf.buffer, buf.byteOffset, size >>> 2);
}

// Reads the batch in the scratch Buffer; returns whether the next line
// overflowed maxLength.
function emit(stream, n) {
  if (n < 0) {
    setScratch(stream, Math.max(-n, 2 * stream[kScratch].length));
    n = native.splitTake(stream[kHandle], stream[kScratch]);
  }
  if (n === 0) return false;
  const buf = stream[kScratch];
  const words = stream[kWords];
  const lines = words[0];
  const bytes = words[1];
  const flags = words[2];
  const at = HEADER + 4 * lines;
  const text = buf.latin1Slice(at, at + bytes);
  const mapper = stream._mapper;
  let start = 0;
  for (let i = 0; i < lines; i++) {
    const word = words[3 + i];
    const end = word & END;
    const line = word & NOT_ASCII ? buf.utf8Slice(at + start, at + end) :
      text.slice(start, end);
    start = end;
    const value = mapper(line);
    if (value !== undefined) stream.push(value);
  }
  return (flags & OVERFLOWED) !== 0;
}

NativeSplit.prototype._transform = function _transform(chunk, encoding, cb) {
  let overflowed;
  try {
    overflowed = emit(this, native.splitPush(this[kHandle], chunk, this[kScratch]));
  } catch (err) {
    cb(err);
    return;
  }
  cb(overflowed ? new Error('maximum buffer reached') : undefined);
};

NativeSplit.prototype._flush = function _flush(cb) {
  try {
    emit(this, native.splitEnd(this[kHandle], this[kScratch]));
  } catch (err) {
    cb(err);
    return;
  }
  cb();
};

module.exports = NativeSplit;
