'use strict';

// Preloaded into workers (through NODE_OPTIONS) when the primary needs to
// know how many connections each worker holds open: for the
// least-connections policy, and for cluster.stats() when asked. It counts
// the connections the worker's servers close and reports them to the
// primary in small batches as an internal message, which never reaches
// 'message' listeners on either side.

const cluster = require('cluster');

// The NODE_OPTIONS entry the primary gives a worker to preload this file.
const PRELOAD = `--require ${quoteOption(__filename)}`;

// This worker's own children must not inherit the preload.
if (typeof process.env.NODE_OPTIONS === 'string') {
  const rest = process.env.NODE_OPTIONS.replace(PRELOAD, '').trim();
  if (rest) process.env.NODE_OPTIONS = rest;
  else delete process.env.NODE_OPTIONS;
}

function quoteOption(value) {
  return `"${value.replace(/(["\\])/g, '\\$1')}"`;
}

// A batch goes out at most this often.
const REPORT_MS = 10;

if (cluster.isWorker) {
  const dc = require('diagnostics_channel');
  let handedClosed = 0;
  let ownOpened = 0;
  let ownClosed = 0;
  let timer = null;

  const flush = () => {
    timer = null;
    if (!process.connected) return;
    process.send({ cmd: 'NODE_FORKPIPE', act: 'load', d: handedClosed, o: ownOpened, c: ownClosed });
    handedClosed = 0;
    ownOpened = 0;
    ownClosed = 0;
  };
  const schedule = () => {
    if (timer === null) {
      timer = setTimeout(flush, REPORT_MS);
      timer.unref();
    }
  };

  // A first, empty report tells the primary this worker reports at all.
  schedule();

  dc.subscribe('net.server.socket', ({ socket }) => {
    // A server listening on a socket of its own has a real handle with a
    // descriptor; one fed by the primary (round-robin) has a stand-in.
    const handle = socket.server && socket.server._handle;
    const own = !!handle && typeof handle.fd === 'number';
    if (own) {
      ownOpened++;
      schedule();
    }
    socket.once('close', () => {
      if (own) ownClosed++;
      else handedClosed++;
      schedule();
    });
  });
}

module.exports = { PRELOAD };
