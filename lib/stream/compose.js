'use strict';

// compose(...stages): one Duplex standing for a whole pipeline — writes go
// into the first stage, reads come from the last.

const { pipeline } = require('./pipeline');
const { destroyStream } = require('./destroy');
const eos = require('./end-of-stream');
const { makeError, AbortError } = require('./errors');
const k = require('./kinds');

// How the result reads its last stage changed in Node 24; the running
// Node's way is the one its users expect.
const TAIL_FLOWS = Number(process.versions.node.split('.')[0]) >= 24;

function compose(...streams) {
  const Duplex = require('./duplex');
  if (streams.length === 0) throw makeError('ERR_MISSING_ARGS', 'streams');
  if (streams.length === 1) return Duplex.from(streams[0]);

  const given = streams.slice();
  if (typeof streams[0] === 'function') streams[0] = Duplex.from(streams[0]);
  const last = streams.length - 1;
  if (typeof streams[last] === 'function') streams[last] = Duplex.from(streams[last]);

  for (let n = 0; n < streams.length; ++n) {
    const s = streams[n];
    if (!k.isNodeStream(s) && !k.isWebStream(s)) continue;
    if (n < last && !(k.isReadable(s) || k.isReadableStream(s) || k.isTransformStream(s))) {
      throw makeError('ERR_INVALID_ARG_VALUE', `streams[${n}]`, given[n], 'must be readable');
    }
    if (n > 0 && !(k.isWritable(s) || k.isWritableStream(s) || k.isTransformStream(s))) {
      throw makeError('ERR_INVALID_ARG_VALUE', `streams[${n}]`, given[n], 'must be writable');
    }
  }

  let onDrain = null;
  let onFinish = null;
  let onReadable = null;
  // undefined: still running; null: pipeline done; a function: destroy()
  // waiting for the pipeline to finish.
  let onClose;
  let d;

  function onPipelineDone(err) {
    const cb = onClose;
    onClose = null;
    if (cb) cb(err);
    else if (err) d.destroy(err);
    else if (!readable && !writable) d.destroy();
  }

  const head = streams[0];
  const tail = pipeline(streams, onPipelineDone);

  const writable = !!(k.isWritable(head) || k.isWritableStream(head) || k.isTransformStream(head));
  const readable = !!(k.isReadable(tail) || k.isReadableStream(tail) || k.isTransformStream(tail));

  d = new Duplex({
    writableObjectMode: !!(head && head.writableObjectMode),
    readableObjectMode: !!(tail && tail.readableObjectMode),
    writable,
    readable,
  });

  if (writable) {
    if (k.isNodeStream(head)) {
      d._write = function _write(chunk, encoding, callback) {
        if (head.write(chunk, encoding)) callback();
        else onDrain = callback;
      };
      d._final = function _final(callback) {
        head.end();
        onFinish = callback;
      };
      head.on('drain', () => {
        if (onDrain) {
          const cb = onDrain;
          onDrain = null;
          cb();
        }
      });
    } else if (k.isWebStream(head)) {
      const target = k.isTransformStream(head) ? head.writable : head;
      const writer = target.getWriter();
      d._write = async function _write(chunk, encoding, callback) {
        try {
          await writer.ready;
          writer.write(chunk).catch(() => {});
          callback();
        } catch (err) {
          callback(err);
        }
      };
      d._final = async function _final(callback) {
        try {
          await writer.ready;
          writer.close().catch(() => {});
          onFinish = callback;
        } catch (err) {
          callback(err);
        }
      };
    }

    const toRead = k.isTransformStream(tail) ? tail.readable : tail;
    eos(toRead, () => {
      if (onFinish) {
        const cb = onFinish;
        onFinish = null;
        cb();
      }
    });
  }

  if (readable) {
    if (k.isNodeStream(tail) && TAIL_FLOWS) {
      // Node 24 lets the tail flow and pauses it when the result is full:
      // each chunk comes out on its own instead of merged by read().
      d._read = function _read() {
        tail.resume();
      };
      tail.on('data', (chunk) => {
        if (!d.push(chunk)) tail.pause();
      });
      tail.on('end', () => { d.push(null); });
    } else if (k.isNodeStream(tail)) {
      tail.on('readable', () => {
        if (onReadable) {
          const cb = onReadable;
          onReadable = null;
          cb();
        }
      });
      tail.on('end', () => { d.push(null); });
      d._read = function _read() {
        while (true) {
          const buf = tail.read();
          if (buf === null) {
            onReadable = d._read;
            return;
          }
          if (!d.push(buf)) return;
        }
      };
    } else if (k.isWebStream(tail)) {
      const source = k.isTransformStream(tail) ? tail.readable : tail;
      const reader = source.getReader();
      d._read = async function _read() {
        while (true) {
          try {
            const { value, done } = await reader.read();
            // Node 24 ends at `done` without pushing its (undefined) value.
            if (TAIL_FLOWS && done) {
              d.push(null);
              return;
            }
            if (!d.push(value)) return;
            if (done) {
              d.push(null);
              return;
            }
          } catch {
            return;
          }
        }
      };
    }
  }

  d._destroy = function _destroy(err, callback) {
    if (!err && onClose !== null) err = new AbortError();
    onReadable = null;
    onDrain = null;
    onFinish = null;
    if (k.isNodeStream(tail)) destroyStream(tail, err);
    if (onClose === null) callback(err);
    else onClose = callback;
  };

  return d;
}

module.exports = compose;
