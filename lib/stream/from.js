'use strict';

// Readable.from(iterable): a Readable (object mode, highWaterMark 1 unless
// told otherwise) fed from a sync or async iterable. A string or Buffer is
// one chunk, not iterated. Destroying the stream returns (or throws into)
// the iterator so generators run their `finally`.

const { Buffer } = require('buffer');
const { makeError } = require('./errors');

function from(Readable, iterable, opts) {
  if (typeof iterable === 'string' || iterable instanceof Buffer) {
    return new Readable({
      objectMode: true,
      ...opts,
      read() {
        this.push(iterable);
        this.push(null);
      },
    });
  }

  let iterator;
  let isAsync;
  if (iterable && iterable[Symbol.asyncIterator]) {
    isAsync = true;
    iterator = iterable[Symbol.asyncIterator]();
  } else if (iterable && iterable[Symbol.iterator]) {
    isAsync = false;
    iterator = iterable[Symbol.iterator]();
  } else {
    throw makeError('ERR_INVALID_ARG_TYPE', 'iterable', ['Iterable'], iterable);
  }

  const readable = new Readable({
    objectMode: true,
    highWaterMark: 1,
    ...opts,
  });

  // Only one pull at a time: _read may be called again before an async
  // step has settled.
  let pulling = false;

  readable._read = function _read() {
    if (pulling) return;
    pulling = true;
    if (isAsync) pullAsync();
    else pullSync();
  };

  readable._destroy = function _destroy(error, cb) {
    closeIterator(error).then(
      () => process.nextTick(cb, error),
      (e) => process.nextTick(cb, e || error),
    );
  };

  async function closeIterator(error) {
    const failed = error !== undefined && error !== null;
    if (failed && typeof iterator.throw === 'function') {
      const { value, done } = await iterator.throw(error);
      await value;
      if (done) return;
    }
    if (typeof iterator.return === 'function') {
      const { value } = await iterator.return();
      await value;
    }
  }

  // Returns true to keep pulling.
  function deliver(value) {
    if (value === null) {
      pulling = false;
      throw makeError('ERR_STREAM_NULL_VALUES');
    }
    if (readable.push(value)) return true;
    pulling = false;
    return false;
  }

  function pullSync() {
    try {
      for (;;) {
        const { value, done } = iterator.next();
        if (done) {
          readable.push(null);
          return;
        }
        if (value && typeof value.then === 'function') {
          deliverWhenSettled(value);
          return;
        }
        if (!deliver(value)) return;
      }
    } catch (err) {
      readable.destroy(err);
    }
  }

  // A sync iterator yielded a promise: deliver what it settles to, then
  // go on pulling.
  async function deliverWhenSettled(pending) {
    try {
      if (deliver(await pending)) pullSync();
    } catch (err) {
      readable.destroy(err);
    }
  }

  async function pullAsync() {
    try {
      for (;;) {
        const { value, done } = await iterator.next();
        if (done) {
          readable.push(null);
          return;
        }
        if (!deliver(value)) return;
      }
    } catch (err) {
      readable.destroy(err);
    }
  }

  return readable;
}

module.exports = from;
