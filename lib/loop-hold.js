'use strict';

// The addon reports through weak threadsafe functions and owns the cluster's
// children, none of which keep Node's event loop alive. While anything
// waits for the addon (a live worker or its channel, an fs job, a native
// transform waiting for the pool), one ref'ed timer does, as a ChildProcess
// handle or libuv's fs and threadpool requests would. Ref'ing and
// unref'ing an existing timer is a plain JS call.

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
