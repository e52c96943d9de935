'use strict';

// Bridges to WHATWG streams: Readable/Writable/Duplex .fromWeb() build
// forkpipe streams over a web stream's reader/writer; .toWeb() hands a
// forkpipe stream to Node's own adapters, which only need a Node-shaped
// stream (they read it through events and _readableState/_writableState).

const { Buffer } = require('buffer');
const { makeError } = require('./errors');
const { checkObject, checkBoolean } = require('./validate');
const { destroyStream } = require('./destroy');
const k = require('./kinds');

const NodeStream = require('stream');
const encoder = new TextEncoder();

function rethrowLater(err) {
  process.nextTick(() => { throw err; });
}

function checkReadableOptions(options) {
  checkObject(options, 'options');
  const { encoding, objectMode = false } = options;
  if (encoding !== undefined && !Buffer.isEncoding(encoding)) {
    throw makeError('ERR_INVALID_ARG_VALUE', encoding, 'options.encoding');
  }
  checkBoolean(objectMode, 'options.objectMode');
}

// The readable half: each _read asks the reader for one chunk.
function readableSide(reader, stream) {
  let closed = false;
  reader.closed.then(() => { closed = true; }, (err) => {
    closed = true;
    destroyStream(stream(), err);
  });
  return {
    read() {
      reader.read().then((result) => {
        if (result.done) stream().push(null);
        else stream().push(result.value);
      }, (err) => destroyStream(stream(), err));
    },
    cancel(error, done) {
      if (!closed) reader.cancel(error).then(done, done);
      else done();
    },
  };
}

function readableFromWeb(readableStream, options = {}) {
  if (!k.isReadableStream(readableStream)) {
    throw makeError('ERR_INVALID_ARG_TYPE', 'readableStream', 'ReadableStream', readableStream);
  }
  checkReadableOptions(options);
  const { highWaterMark, encoding, objectMode = false, signal } = options;
  const Readable = require('./readable');
  const side = readableSide(readableStream.getReader(), () => readable);
  const readable = new Readable({
    objectMode,
    highWaterMark,
    encoding,
    signal,
    read() { side.read(); },
    destroy(error, callback) {
      side.cancel(error, () => {
        try { callback(error); } catch (err) { rethrowLater(err); }
      });
    },
  });
  return readable;
}

function toWebChunk(chunk, encoding, decodeStrings, objectMode) {
  if (typeof chunk === 'string' && decodeStrings && !objectMode) {
    const enc = (encoding || 'utf8').toLowerCase();
    if (enc === 'utf8' || enc === 'utf-8') return encoder.encode(chunk);
    const b = Buffer.from(chunk, encoding);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  return chunk;
}

// The writable half: writes go through writer.write after writer.ready.
function writableSide(writer, stream, decodeStrings, objectMode) {
  let closed = false;
  writer.closed.then(() => { closed = true; }, (err) => {
    closed = true;
    destroyStream(stream(), err);
  });
  return {
    write(chunk, encoding, callback) {
      chunk = toWebChunk(chunk, encoding, decodeStrings, objectMode);
      const done = (error) => {
        try { callback(error); } catch (err) { destroyStream(stream(), err); }
      };
      writer.ready.then(() => writer.write(chunk).then(done, done), done);
    },
    writev(chunks, callback) {
      const done = (errors) => {
        const failed = Array.isArray(errors) ? errors.filter((e) => e) : [errors];
        try {
          callback(failed.length === 0 ? undefined : failed);
        } catch (err) {
          process.nextTick(() => destroyStream(stream(), err));
        }
      };
      writer.ready.then(() => Promise.all(chunks.map((c) => writer.write(c.chunk))).then(done, done), done);
    },
    final(callback) {
      const done = (error) => {
        try { callback(error); } catch (err) { process.nextTick(() => destroyStream(stream(), err)); }
      };
      if (!closed) writer.close().then(done, done);
    },
    shut(error, done) {
      if (closed) {
        done();
      } else if (error != null) {
        writer.abort(error).then(done, done);
      } else {
        writer.close().then(done, done);
      }
    },
  };
}

function writableFromWeb(writableStream, options = {}) {
  if (!k.isWritableStream(writableStream)) {
    throw makeError('ERR_INVALID_ARG_TYPE', 'writableStream', 'WritableStream', writableStream);
  }
  checkObject(options, 'options');
  const { highWaterMark, decodeStrings = true, objectMode = false, signal } = options;
  checkBoolean(objectMode, 'options.objectMode');
  checkBoolean(decodeStrings, 'options.decodeStrings');
  const Writable = require('./writable');
  const side = writableSide(writableStream.getWriter(), () => writable, decodeStrings, objectMode);
  const writable = new Writable({
    highWaterMark,
    objectMode,
    decodeStrings,
    signal,
    write: side.write,
    writev: side.writev,
    final: side.final,
    destroy(error, callback) {
      side.shut(error, () => {
        try { callback(error); } catch (err) { rethrowLater(err); }
      });
    },
  });
  return writable;
}

function duplexFromWeb(pair, options = {}) {
  checkObject(pair, 'pair');
  const { readable: readableStream, writable: writableStream } = pair;
  if (!k.isReadableStream(readableStream)) {
    throw makeError('ERR_INVALID_ARG_TYPE', 'pair.readable', 'ReadableStream', readableStream);
  }
  if (!k.isWritableStream(writableStream)) {
    throw makeError('ERR_INVALID_ARG_TYPE', 'pair.writable', 'WritableStream', writableStream);
  }
  checkObject(options, 'options');
  const { allowHalfOpen = false, objectMode = false, encoding, decodeStrings = true, highWaterMark, signal } = options;
  checkBoolean(objectMode, 'options.objectMode');
  if (encoding !== undefined && !Buffer.isEncoding(encoding)) {
    throw makeError('ERR_INVALID_ARG_VALUE', encoding, 'options.encoding');
  }
  const Duplex = require('./duplex');
  const w = writableSide(writableStream.getWriter(), () => duplex, decodeStrings, objectMode);
  const r = readableSide(readableStream.getReader(), () => duplex);
  const duplex = new Duplex({
    allowHalfOpen,
    highWaterMark,
    objectMode,
    encoding,
    decodeStrings,
    signal,
    write: w.write,
    writev: w.writev,
    final: w.final,
    read() { r.read(); },
    destroy(error, callback) {
      let left = 2;
      const done = () => {
        if (--left === 0) {
          try { callback(error); } catch (err) { rethrowLater(err); }
        }
      };
      w.shut(error, done);
      r.cancel(error, done);
    },
  });
  return duplex;
}

function readableToWeb(streamReadable, options) {
  return NodeStream.Readable.toWeb(streamReadable, options);
}

function writableToWeb(streamWritable) {
  return NodeStream.Writable.toWeb(streamWritable);
}

function duplexToWeb(duplex) {
  return NodeStream.Duplex.toWeb(duplex);
}

module.exports = {
  readableFromWeb,
  writableFromWeb,
  duplexFromWeb,
  readableToWeb,
  writableToWeb,
  duplexToWeb,
};
