'use strict';

// Duplex.from(body): turns whatever `body` is — a stream, a web stream, a
// { readable, writable } pair, an (async) iterable, an async generator
// function, a promise, a Blob — into a Duplex.

const eos = require('./end-of-stream');
const { destroyStream } = require('./destroy');
const { makeError, AbortError } = require('./errors');
const k = require('./kinds');

// What Duplex.from() makes: a plain Duplex (which already takes readable /
// writable: false), under the class name Node's carries.
let Duplexish;
function duplexClass() {
  if (Duplexish) return Duplexish;
  const Duplex = require('./duplex');
  Duplexish = class Duplexify extends Duplex {};
  return Duplexish;
}

function isBlob(value) {
  return typeof Blob !== 'undefined' && value instanceof Blob;
}

function deferred() {
  let resolve;
  let reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

function duplexify(body, name) {
  const Readable = require('./readable');
  const Writable = require('./writable');
  const from = require('./from');
  const Duplexify = duplexClass();

  if (k.isDuplexNodeStream(body)) return body;
  if (k.isReadableNodeStream(body)) return fromPair({ readable: body });
  if (k.isWritableNodeStream(body)) return fromPair({ writable: body });
  if (k.isNodeStream(body)) return fromPair({ writable: false, readable: false });
  if (k.isReadableStream(body)) return fromPair({ readable: Readable.fromWeb(body) });
  if (k.isWritableStream(body)) return fromPair({ writable: Writable.fromWeb(body) });

  if (typeof body === 'function') {
    const { value, write, final, destroy } = fromAsyncGenerator(body);

    // The function may have been a stream constructor.
    if (k.isDuplexNodeStream(value)) return value;

    if (k.isIterable(value)) {
      return from(Duplexify, value, { objectMode: true, write, final, destroy });
    }

    const then = value && value.then;
    if (typeof then === 'function') {
      let d;
      const promise = then.call(value, (val) => {
        if (val != null) throw makeError('ERR_INVALID_RETURN_VALUE', 'nully', 'body', val);
      }, (err) => {
        destroyStream(d, err);
      });
      d = new Duplexify({
        objectMode: true,
        readable: false,
        write,
        final(cb) {
          final(async () => {
            try {
              await promise;
              process.nextTick(cb, null);
            } catch (err) {
              process.nextTick(cb, err);
            }
          });
        },
        destroy,
      });
      return d;
    }

    throw makeError('ERR_INVALID_RETURN_VALUE', 'Iterable, AsyncIterable or AsyncFunction', name, value);
  }

  if (isBlob(body)) return duplexify(body.arrayBuffer());

  if (k.isIterable(body)) {
    return from(Duplexify, body, { objectMode: true, writable: false });
  }

  if (k.isReadableStream(body && body.readable) && k.isWritableStream(body && body.writable)) {
    return Duplexify.fromWeb(body);
  }

  if (body && (typeof body.writable === 'object' || typeof body.readable === 'object')) {
    const readable = body.readable ?
      (k.isReadableNodeStream(body.readable) ? body.readable : duplexify(body.readable)) :
      undefined;
    const writable = body.writable ?
      (k.isWritableNodeStream(body.writable) ? body.writable : duplexify(body.writable)) :
      undefined;
    return fromPair({ readable, writable });
  }

  const then = body && body.then;
  if (typeof then === 'function') {
    let d;
    then.call(body, (val) => {
      if (val != null) d.push(val);
      d.push(null);
    }, (err) => {
      destroyStream(d, err);
    });
    d = new Duplexify({ objectMode: true, writable: false, read() {} });
    return d;
  }

  throw makeError('ERR_INVALID_ARG_TYPE', name,
    ['Blob', 'ReadableStream', 'WritableStream', 'Stream', 'Iterable',
      'AsyncIterable', 'Function', '{ readable, writable } pair', 'Promise'],
    body);
}

// An async generator function used as a Duplex: what is written becomes
// the generator's input; what it yields is read out.
function fromAsyncGenerator(fn) {
  let { promise, resolve } = deferred();
  const ac = new AbortController();
  const signal = ac.signal;
  const value = fn(async function* input() {
    while (true) {
      const current = promise;
      promise = null;
      const { chunk, done, cb } = await current;
      process.nextTick(cb);
      if (done) return;
      if (signal.aborted) throw new AbortError(undefined, { cause: signal.reason });
      ({ promise, resolve } = deferred());
      yield chunk;
    }
  }(), { signal });

  return {
    value,
    write(chunk, encoding, cb) {
      const settle = resolve;
      resolve = null;
      settle({ chunk, done: false, cb });
    },
    final(cb) {
      const settle = resolve;
      resolve = null;
      settle({ done: true, cb });
    },
    destroy(err, cb) {
      ac.abort();
      cb(err);
    },
  };
}

// A Duplex in front of a separate readable and/or writable.
function fromPair(pair) {
  const Readable = require('./readable');
  const Duplexify = duplexClass();
  const r = pair.readable && typeof pair.readable.read !== 'function' ?
    Readable.wrap(pair.readable) : pair.readable;
  const w = pair.writable;

  let readable = !!k.isReadable(r);
  let writable = !!k.isWritable(w);

  let onDrain = null;
  let onFinish = null;
  let onReadable = null;
  // undefined: neither side done yet; null: a side is done; a function:
  // destroy() waiting for the sides to finish.
  let onClose;
  let d;

  function onSideDone(err) {
    const cb = onClose;
    onClose = null;
    if (cb) cb(err);
    else if (err) d.destroy(err);
  }

  d = new Duplexify({
    readableObjectMode: !!(r && r.readableObjectMode),
    writableObjectMode: !!(w && w.writableObjectMode),
    readable,
    writable,
  });

  if (writable) {
    eos(w, (err) => {
      writable = false;
      if (err) destroyStream(r, err);
      onSideDone(err);
    });

    d._write = function _write(chunk, encoding, callback) {
      if (w.write(chunk, encoding)) callback();
      else onDrain = callback;
    };

    d._final = function _final(callback) {
      w.end();
      onFinish = callback;
    };

    w.on('drain', () => {
      if (onDrain) {
        const cb = onDrain;
        onDrain = null;
        cb();
      }
    });

    w.on('finish', () => {
      if (onFinish) {
        const cb = onFinish;
        onFinish = null;
        cb();
      }
    });
  }

  if (readable) {
    eos(r, (err) => {
      readable = false;
      if (err) destroyStream(r, err);
      onSideDone(err);
    });

    r.on('readable', () => {
      if (onReadable) {
        const cb = onReadable;
        onReadable = null;
        cb();
      }
    });

    r.on('end', () => { d.push(null); });

    d._read = function _read() {
      while (true) {
        const buf = r.read();
        if (buf === null) {
          onReadable = d._read;
          return;
        }
        if (!d.push(buf)) return;
      }
    };
  }

  d._destroy = function _destroy(err, callback) {
    if (!err && onClose !== null) err = new AbortError();
    onReadable = null;
    onDrain = null;
    onFinish = null;
    if (onClose === null) {
      callback(err);
    } else {
      onClose = callback;
      destroyStream(w, err);
      destroyStream(r, err);
    }
  };

  return d;
}

module.exports = duplexify;
