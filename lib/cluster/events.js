'use strict';

// Receives the Rust primary's event batches and routes each event to the
// worker it concerns. Every event is delivered on its own process.nextTick,
// in order, the way Node delivers each IPC message: a listener that throws
// surfaces as an uncaught exception without costing the events behind it.

const native = require('../native');

// The numbers src/cluster/events.rs sends.
const CODE = {
  ONLINE: 0,
  LISTENING: 1,
  MESSAGE: 2,
  MESSAGE_BINARY: 3,
  MESSAGE_HANDLE: 4,
  EXITED_AFTER_DISCONNECT: 5,
  DISCONNECT: 6,
  EXIT: 7,
  SEND_DONE: 8,
  ERROR: 9,
  WARNING: 10,
};

const targets = new Map();
let started = false;
let runtimeErrorHandler = null;

function dispatch(event, buffers) {
  const id = event[1];
  if (id === 0 && event[0] === CODE.ERROR) {
    if (runtimeErrorHandler) runtimeErrorHandler(event[2], event[3]);
    return;
  }
  const target = targets.get(id);
  if (target !== undefined) target.onNativeEvent(event, buffers);
}

function onBatch(json, buffers) {
  const events = JSON.parse(json);
  for (let i = 0; i < events.length; i++) {
    process.nextTick(dispatch, events[i], buffers);
  }
}

function ensureStarted() {
  if (started) return;
  started = true;
  native.clusterStart(onBatch);
}

// `target.onNativeEvent(event, buffers)` receives every event for `id`.
function register(id, target) {
  ensureStarted();
  targets.set(id, target);
}

function unregister(id) {
  targets.delete(id);
}

function onRuntimeError(fn) {
  runtimeErrorHandler = fn;
}

module.exports = { CODE, register, unregister, ensureStarted, onRuntimeError };
