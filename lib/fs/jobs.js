'use strict';

// The one addon job a stream may have in flight (a read, a write, a
// splice), and the callbacks waiting for it to finish: a stream never
// closes its fd under a running job, as Node's fs streams wait for their
// pending read or write before closing.

const binding = require('./binding');

class Jobs {
  constructor() {
    this.id = 0;
    this.waiters = [];
  }

  get busy() {
    return this.id !== 0;
  }

  started(id) {
    this.id = id;
  }

  finished() {
    this.id = 0;
    if (this.waiters.length === 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const fn of waiters) fn();
  }

  // Runs fn once nothing is in flight (now, if nothing is).
  whenIdle(fn) {
    if (this.id === 0) fn();
    else this.waiters.push(fn);
  }

  // Ends a wait on a pipe or socket, or a splice, promptly; the job still
  // completes (and whenIdle callbacks run then).
  cancel() {
    if (this.id !== 0) binding.cancel(this.id, false);
  }
}

module.exports = { Jobs };
