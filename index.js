'use strict';

// forkpipe: Node's cluster with a Rust primary, and Node's stream API.
// Each is loaded on first use.

module.exports = {
  get cluster() {
    return require('./lib/cluster');
  },
  get stream() {
    return require('./lib/stream');
  },
};
