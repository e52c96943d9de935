'use strict';

// duplexPair(): two Duplex streams joined back to back — what is written
// to one is read from the other, with backpressure: a write completes
// when the other side's reader asks for more.

const Duplex = require('./duplex');

const kPeer = Symbol('forkpipe.stream.peer');
const kPendingWrite = Symbol('forkpipe.stream.pendingWrite');

class DuplexSide extends Duplex {
  constructor(options) {
    super(options);
    this[kPeer] = null;
    this[kPendingWrite] = null;
  }

  _read() {
    const callback = this[kPendingWrite];
    if (callback) {
      this[kPendingWrite] = null;
      callback();
    }
  }

  _write(chunk, encoding, callback) {
    const peer = this[kPeer];
    if (chunk.length === 0) {
      process.nextTick(callback);
    } else {
      peer.push(chunk);
      peer[kPendingWrite] = callback;
    }
  }

  _final(callback) {
    const peer = this[kPeer];
    peer.on('end', callback);
    peer.push(null);
  }
}

function duplexPair(options) {
  const a = new DuplexSide(options);
  const b = new DuplexSide(options);
  a[kPeer] = b;
  b[kPeer] = a;
  return [a, b];
}

module.exports = duplexPair;
