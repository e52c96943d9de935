'use strict';

// The addon reports through a weak threadsafe function, which does not
// keep Node's event loop alive. While some native transform waits for the
// pool (input queued, a flush or end in progress, output asked for), one
// ref'ed timer does, as the threadpool request of Node's own zlib would.
// Ref'ing and unref'ing an existing timer is a plain JS call.

let holders = 0;
let timer = null;

function hold() {
  if (timer === null) {
    timer = setInterval(() => {}, 2 ** 31 - 1);
    timer.unref();
  }
  if (holders++ === 0) timer.ref();
}

function release() {
  if (holders > 0 && --holders === 0) timer.unref();
}

module.exports = { hold, release };
