'use strict';

// What every sink in lib/fs's splice protocol (lib/stream/native-seam.js)
// keeps: the source splicing into it, and what JS asked of the sink
// meanwhile. A write, an end or a destroy during a splice first asks the
// splice to stop, then runs once it has, so the bytes keep their order and
// nothing is closed under the job.

class SpliceSink {
  constructor() {
    this.splicer = null;
    this.afterSplice = [];
  }

  // Runs fn now, or once the splice into this sink has stopped (hard: at
  // once, bytes in flight or not).
  afterSplicing(fn, hard) {
    if (this.splicer === null) {
      fn();
      return;
    }
    this.afterSplice.push(fn);
    if (hard) this.splicer.cancelSplice();
    else this.splicer.stopSplice();
  }

  // The splice into this sink is over: what waited for it runs.
  spliceOver() {
    this.splicer = null;
    const waiting = this.afterSplice;
    this.afterSplice = [];
    for (const fn of waiting) fn();
  }
}

module.exports = { SpliceSink };
