'use strict';

// A Rust-owned child holds nothing on Node's event loop, so the primary
// would exit under a live worker. While anything asks to be held, one
// ref'ed timer keeps the loop alive, as a ChildProcess handle would.

let holders = 0;
let timer = null;

function hold() {
  if (holders++ === 0) {
    timer = setInterval(() => {}, 0x7fffffff);
  }
}

function release() {
  if (holders > 0 && --holders === 0) {
    clearInterval(timer);
    timer = null;
  }
}

module.exports = { hold, release };
