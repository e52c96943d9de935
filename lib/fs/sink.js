'use strict';

// The sink handle behind a WriteStream (native-seam.js contract): writes
// every queued chunk in one crossing (pwritev/writev off the JS thread),
// and lends its fd to a source's splice.
//
// While a splice writes into this fd, anything JS asks of the sink (a
// write, the end, a destroy) first asks the splice to stop, then runs
// once it has: the bytes keep their order and the fd is never closed
// under it.

const binding = require('./binding');
const { Jobs } = require('./jobs');
const { SpliceSink } = require('./splice-sink');
const { uvError } = require('./uv-error');
const { makeError } = require('../stream/errors');

const { KIND, ECANCELED } = binding;

class FdSink extends SpliceSink {
  constructor(stream) {
    super();
    this.stream = stream;
    this.jobs = new Jobs();
    this.kind = -1;
    // A splice waiting for this sink to open or drain.
    this.waiting = null;
    this.openWatch = false;
  }

  kindOf() {
    if (this.kind === -1) this.kind = binding.kindOf(this.stream.fd);
    return this.kind;
  }

  writeBatch(buffers, cb) {
    if (this.splicer !== null) {
      this.afterSplicing(() => this.writeBatch(buffers, cb), false);
      return;
    }
    const s = this.stream;
    let size = 0;
    for (let i = 0; i < buffers.length; i++) size += buffers[i].length;
    const pos = s.pos !== undefined ? s.pos : -1;
    const what = buffers.length === 1 ? 'write' : 'writev';
    const id = binding.write(s.fd, buffers, pos, this.kindOf() !== KIND.FILE, (errno, written) => {
      // The job read `buffers` in place: they stay referenced (here) until now.
      buffers.length = 0;
      this.jobs.finished();
      // A write cut short by destroy() reports what Node's does.
      if (errno !== 0 && errno !== ECANCELED) {
        cb(uvError(errno, 'write'));
      } else if (s.destroyed) {
        cb(makeError('ERR_STREAM_DESTROYED', what));
      } else {
        s.bytesWritten += written;
        cb();
      }
      if (this.waiting !== null) this.startWaiting();
    });
    this.jobs.started(id);
    if (s.pos !== undefined) s.pos += size;
  }

  end(cb) {
    this.afterSplicing(cb, false);
  }

  // A source asks to splice into this fd: null when it cannot, else a
  // function that hands over (fd, position, dup) once the fd is open and
  // every chunk JS wrote before has reached it (go(null): never mind).
  beginSplice(source) {
    const s = this.stream;
    if (s.destroyed || s.writableEnded || this.splicer !== null || this.waiting !== null) {
      return null;
    }
    return (go) => {
      this.waiting = { source, go };
      this.startWaiting();
    };
  }

  // Starts the waiting splice when the sink is ready for it.
  startWaiting() {
    const w = this.waiting;
    if (w === null) return;
    const s = this.stream;
    if (s.destroyed || s.writableEnded || s.writableCorked) {
      this.waiting = null;
      w.go(null);
    } else if (s.fd == null) {
      if (!this.openWatch) {
        this.openWatch = true;
        const again = () => {
          s.removeListener('open', again);
          s.removeListener('close', again);
          this.openWatch = false;
          this.startWaiting();
        };
        s.once('open', again);
        s.once('close', again);
      }
    } else if (!this.jobs.busy && s.writableLength === 0) {
      this.waiting = null;
      this.splicer = w.source;
      w.go(s.fd, s.pos !== undefined ? s.pos : -1, false);
    }
    // Otherwise a write is still on its way: its completion looks again.
  }

  // A waiting source gives up (it will not be handed the fd).
  dropWaiting(source) {
    if (this.waiting === null || this.waiting.source !== source) return false;
    this.waiting = null;
    return true;
  }

  // The splice ended having written `moved` bytes here.
  endSplice(moved) {
    const s = this.stream;
    s.bytesWritten += moved;
    if (s.pos !== undefined) s.pos += moved;
    this.spliceOver();
  }

  // For _destroy: stop a splice or a wait on a peer, then run fn once idle.
  settle(fn) {
    if (this.waiting !== null) {
      const w = this.waiting;
      this.waiting = null;
      w.go(null);
    }
    this.afterSplicing(() => {
      this.jobs.cancel();
      this.jobs.whenIdle(fn);
    }, true);
  }

  close(cb) {
    this.settle(cb);
  }
}

module.exports = { FdSink };
