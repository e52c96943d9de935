'use strict';

// The native zlib streams' link to the addon: one sink per JS thread
// (src/stream/zlib_sink.rs) delivering every stream's news in batches, and
// the table that routes each record to its stream.
//
// A record is 8 numbers: [kind, id, a, b, c, d, e, f]
//   UPDATE: a flags, b bytes consumed, c seq, e errno (ERROR) or the call
//           RELEASED releases, f message index
//   DRAIN:  a bytes written to the sink, c errno of its write, d 1: output complete
// Message indexes point into the batch's texts (-1: none). Output bytes
// are not in batches: DATA says they are ready, and the stream reads them.

const native = require('../native');

const RECORD = 8;
const KIND_UPDATE = 1;
const KIND_DRAIN = 2;

// Update flags (src/stream/zlib_stream.rs).
const RELEASED = 1;
const DATA = 32;
const EOF = 2;
const ENDED = 4;
const IDLE = 8;
const ERROR = 16;

// id -> object with onUpdate(flags, consumed, seq, errno, message) and
// onDrained(bytesWritten, errno, eof). Only
// streams waiting for news are listed, so a stream nobody references can
// be collected (its handle's finalizer then frees the Rust side).
const listeners = new Map();
let sink = null;
let nextId = 1;

function onBatch(nums, texts) {
  for (let i = 0; i < nums.length; i += RECORD) {
    const target = listeners.get(nums[i + 1]);
    if (target === undefined) continue;
    try {
      const m = nums[i + 7];
      const message = m < 0 ? null : texts[m];
      if (nums[i] === KIND_UPDATE) {
        target.onUpdate(nums[i + 2], nums[i + 3], nums[i + 4], nums[i + 6], message);
      } else if (nums[i] === KIND_DRAIN) {
        target.onDrained(nums[i + 2], nums[i + 4], nums[i + 5] === 1);
      }
    } catch (err) {
      // A user callback threw ('data', 'error' listeners): the rest of the
      // batch still runs, on the next tick, and the throw goes on.
      const rest = nums.slice(i + RECORD);
      if (rest.length > 0) process.nextTick(onBatch, rest, texts);
      throw err;
    }
  }
}

function theSink() {
  if (sink === null) sink = native.zlibSink(onBatch);
  return sink;
}

function newId() {
  const id = nextId;
  nextId = nextId >= 0x7ffffff0 ? 1 : nextId + 1;
  return id;
}

function listen(id, target) {
  listeners.set(id, target);
}

function unlisten(id) {
  listeners.delete(id);
}

module.exports = {
  native, theSink, newId, listen, unlisten,
  RELEASED, DATA, EOF, ENDED, IDLE, ERROR,
};
