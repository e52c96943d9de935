'use strict';

// forkpipe: Node's cluster with a Rust primary.

module.exports = {
  get cluster() {
    return require('./lib/cluster');
  },
};
