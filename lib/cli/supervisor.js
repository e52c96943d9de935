'use strict';

// Keeps a number of workers of one script running on forkpipe's cluster:
// a worker that dies is replaced, a reload replaces every worker one at a
// time (the new one listening before the old one is asked to leave), and a
// stop lets every worker finish. Leaving is Node's worker.disconnect(): the
// worker closes its servers, serves what it already has, and exits.

const { EventEmitter } = require('events');

// A worker that dies sooner than this after it was started failed to start.
const FAILED_START_MS = 1000;
// This many failed starts in a row: the script cannot start; give up.
const MAX_FAILED_STARTS = 5;

class Supervisor extends EventEmitter {
  // `log(text)` reports what the supervisor does; 'done' is emitted with
  // an exit code once no worker is left and none will be started.
  constructor(cluster, { workers, killTimeout, log }) {
    super();
    this.cluster = cluster;
    this.size = workers;
    this.killTimeout = killTimeout;
    this.log = log;
    // Every worker started and not yet exited, with its start time. Node's
    // cluster.workers forgets a worker as soon as it is asked to leave.
    this.startedAt = new Map();
    // Workers asked to leave: their exit is expected, not a crash.
    this.leaving = new Set();
    this.stopping = false;
    this.reloading = false;
    this.reloadAgain = false;
    this.failedStarts = 0;
    // Replacements waiting out a back-off.
    this.respawns = new Set();
    this.exitCode = 0;
    this.finished = false;
    this.onExit = (worker, code, signal) => this.exited(worker, code, signal);
    cluster.on('exit', this.onExit);
  }

  start() {
    for (let i = 0; i < this.size; i++) this.fork();
  }

  fork() {
    const worker = this.cluster.fork();
    this.startedAt.set(worker, Date.now());
    // A worker that listens has started: earlier failures no longer count
    // towards giving up.
    worker.once('listening', () => { this.failedStarts = 0; });
    return worker;
  }

  running() {
    return [...this.startedAt.keys()];
  }

  live() {
    return this.running().filter((w) => !this.leaving.has(w));
  }

  exited(worker, code, signal) {
    if (!this.startedAt.has(worker)) return;
    const started = this.startedAt.get(worker);
    this.startedAt.delete(worker);
    const expected = this.leaving.delete(worker) || worker.exitedAfterDisconnect;
    if (!this.stopping && !expected && (code !== 0 || signal)) {
      this.replace(worker, code, signal, Date.now() - started < FAILED_START_MS);
    }
    this.finishIfEmpty();
  }

  // A worker died on its own: another takes its place, at once unless
  // starts keep failing, which back off and at last give up.
  replace(worker, code, signal, failedStart) {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.failedStarts = failedStart ? this.failedStarts + 1 : 0;
    if (this.failedStarts >= MAX_FAILED_STARTS) {
      this.log(`worker ${worker.id} (pid ${worker.process.pid}) ${how}; the script failed to ` +
        `start ${this.failedStarts} times in a row, giving up`);
      this.exitCode = 1;
      this.stop();
      return;
    }
    if (this.live().length >= this.size) {
      // A reload's new worker: the old one it was to replace still serves.
      this.log(`worker ${worker.id} (pid ${worker.process.pid}) ${how}`);
      return;
    }
    const delay = this.failedStarts ? 100 * 2 ** (this.failedStarts - 1) : 0;
    this.log(`worker ${worker.id} (pid ${worker.process.pid}) ${how}; starting another` +
      (delay ? ` in ${delay} ms` : ''));
    if (!delay) {
      this.fork();
      return;
    }
    const timer = setTimeout(() => {
      this.respawns.delete(timer);
      if (!this.stopping && this.live().length < this.size) this.fork();
    }, delay);
    this.respawns.add(timer);
  }

  // Asks a worker to finish and leave; kills it if it takes too long.
  retire(worker) {
    if (this.leaving.has(worker) || worker.isDead()) return;
    this.leaving.add(worker);
    const timer = setTimeout(() => {
      this.log(`worker ${worker.id} (pid ${worker.process.pid}) did not leave within ` +
        `${this.killTimeout} ms; killing it`);
      worker.process.kill('SIGKILL');
    }, this.killTimeout);
    worker.once('exit', () => clearTimeout(timer));
    if (worker.isConnected()) worker.disconnect();
    else worker.process.kill('SIGTERM');
  }

  // Resolves true once `worker` listens (or, for a script that never
  // listens, has been up for the kill timeout), false if it dies first.
  ready(worker) {
    return new Promise((resolve) => {
      let grace = null;
      const done = (ok) => {
        clearTimeout(grace);
        worker.off('listening', onListening);
        worker.off('online', onOnline);
        worker.off('exit', onExit);
        resolve(ok);
      };
      const onListening = () => done(true);
      const onExit = () => done(false);
      const onOnline = () => { grace = setTimeout(() => done(true), this.killTimeout); };
      worker.on('listening', onListening);
      worker.on('online', onOnline);
      worker.on('exit', onExit);
    });
  }

  async reload() {
    if (this.stopping) return;
    if (this.reloading) {
      this.reloadAgain = true;
      return;
    }
    this.reloading = true;
    try {
      do {
        this.reloadAgain = false;
        const old = this.live();
        this.log(`reloading ${old.length} workers one at a time`);
        for (const worker of old) {
          if (this.stopping) return;
          if (worker.isDead() || this.leaving.has(worker)) continue;
          const fresh = this.fork();
          if (!(await this.ready(fresh))) {
            if (this.stopping) return;
            this.log('a new worker died before it listened; reload stopped, ' +
              'the remaining old workers keep running');
            return;
          }
          this.retire(worker);
        }
        this.log('reload done');
      } while (this.reloadAgain && !this.stopping);
    } finally {
      this.reloading = false;
    }
  }

  stop(signal) {
    if (this.stopping) {
      if (signal) {
        this.log(`${signal} again: killing the workers`);
        for (const worker of this.running()) worker.process.kill('SIGKILL');
      }
      return;
    }
    this.stopping = true;
    for (const timer of this.respawns) clearTimeout(timer);
    this.respawns.clear();
    const workers = this.running();
    if (signal) this.log(`${signal}: stopping ${workers.length} workers`);
    for (const worker of workers) this.retire(worker);
    this.finishIfEmpty();
  }

  // The run ends when no worker is left and none is about to start: after
  // a stop, or when every worker left on its own with code 0.
  finishIfEmpty() {
    if (this.finished || this.respawns.size > 0 || this.running().length > 0) return;
    this.stopping = true;
    this.finished = true;
    this.cluster.off('exit', this.onExit);
    this.emit('done', this.exitCode);
  }
}

module.exports = { Supervisor, FAILED_START_MS, MAX_FAILED_STARTS };
