'use strict';

// forkpipe: Node's cluster with a Rust primary, Node's stream API, and
// native (Rust-backed) file streams, zlib transforms and a line splitter.
// Each is loaded on first use.

module.exports = {
  get cluster() {
    return require('./lib/cluster');
  },
  get stream() {
    return require('./lib/stream');
  },
  get fs() {
    return require('./lib/fs');
  },
  get zlib() {
    return require('./lib/zlib');
  },
  get split() {
    return require('./lib/split');
  },
};
