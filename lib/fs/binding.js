'use strict';

// The addon's fs jobs as JS sees them (src/stream/napi_fs.rs). Each job
// gets a request id and a callback; the addon runs it on a thread of its
// own and reports completions in batches, one JS call per batch, however
// many jobs finished meanwhile.
//
//   callback(errno, value, info)   errno: 0 or the positive errno
//
// While any job is pending, the event loop is held (lib/loop-hold.js), as
// libuv's fs requests hold it.

const native = require('../native');
const loop = require('../loop-hold');

// Same order as SYSCALLS in napi_fs.rs.
const SYSCALLS = ['', 'open', 'read', 'write', 'close', 'fsync', 'fstat', 'poll', 'fcntl'];
const SIDE_SOURCE = 1 << 8;
const SIDE_SINK = 2 << 8;
const EOF = 1 << 16;
const KIND = { FILE: 0, PIPE: 1, SOCKET: 2, OTHER: 3 };
const ECANCELED = 125;

const pending = new Map();
let nextId = 1;
let holding = false;
let initialized = false;

function onCompletions(batch) {
  for (let i = 0; i < batch.length; i += 4) {
    const id = batch[i];
    const cb = pending.get(id);
    if (cb === undefined) continue;
    pending.delete(id);
    try {
      cb(batch[i + 2], batch[i + 1], batch[i + 3]);
    } catch (err) {
      // A user callback threw (an 'error' or 'data' listener): the rest of
      // the batch still runs, on the next tick, and the throw goes on.
      const rest = batch.slice(i + 4);
      if (rest.length > 0) process.nextTick(onCompletions, rest);
      settle();
      throw err;
    }
  }
  settle();
}

function settle() {
  if (holding && pending.size === 0) {
    holding = false;
    loop.release();
  }
}

// Starts job `op` (a native function taking the id first) with `args`.
// Returns the request id (for cancel()).
function submit(op, args, cb) {
  if (!initialized) {
    initialized = true;
    native.fsInit(onCompletions);
  }
  const id = nextId;
  nextId = nextId >= 0xfffffff0 ? 1 : nextId + 1;
  pending.set(id, cb);
  if (!holding) {
    holding = true;
    loop.hold();
  }
  try {
    op(id, ...args);
  } catch (err) {
    pending.delete(id);
    settle();
    throw err;
  }
  return id;
}

const open = (path, flags, mode, cb) => submit(native.fsOpen, [path, flags, mode], cb);
const read = (fd, buffers, position, wait, cb) =>
  submit(native.fsRead, [fd, buffers, position, wait], cb);
const write = (fd, buffers, position, wait, cb) =>
  submit(native.fsWrite, [fd, buffers, position, wait], cb);
const fsync = (fd, cb) => submit(native.fsFsync, [fd], cb);
const close = (fd, cb) => submit(native.fsClose, [fd], cb);
const splice = (src, dst, srcPos, dstPos, len, dupDst, chunked, cb) =>
  submit(native.fsSplice, [src, dst, srcPos, dstPos, len, dupDst, chunked], cb);

// Ends a wait, a pipe read or write, or a splice (stopOnly: at a point
// where no byte is lost). The job still completes.
function cancel(id, stopOnly = false) {
  native.fsCancel(id, stopOnly);
}

// Bytes a running splice has moved so far (-1 once it is over).
function progress(id) {
  return native.fsProgress(id);
}

// The kind of an fd (KIND.*); OTHER when it cannot be told.
function kindOf(fd) {
  const kind = native.fsKind(fd);
  return kind < 0 ? KIND.OTHER : kind;
}

function syscallOf(info) {
  return SYSCALLS[info & 0xff] || 'read';
}

module.exports = {
  open, read, write, fsync, close, splice, cancel, progress, kindOf, syscallOf,
  SIDE_SOURCE, SIDE_SINK, EOF, KIND, ECANCELED,
};
