'use strict';

// An http.ServerResponse as a splice sink: a native file stream piped into
// a response sends its bytes from the kernel straight to the socket
// (sendfile), off the JS thread, when that is safe:
//
// - a plain TCP (or Unix) socket with an fd: not TLS, not HTTP/2;
// - a response with a body (not HEAD, 204, 304), not strictContentLength
//   (Node would count the bytes itself); a chunked body (no Content-Length)
//   is framed by the splice, one HTTP chunk per MiB, when the source is a
//   file read at offsets;
// - nothing of Node's still queued for the socket: the headers are
//   flushed first (as the first write would have) and the splice starts
//   once the socket has handed every byte to the kernel.
//
// While Rust writes, the socket is corked, so a stray res.write() waits in
// Node's buffer instead of landing in the middle of the body. Node's own
// writes would keep a socket timeout (server.timeout, socket.setTimeout)
// from firing while the body moves; here a timer re-arms it whenever the
// splice has made progress since the last look, so an idle client still
// times out and a busy one does not. The job
// works on its own duplicate of the socket's fd: if Node closes the socket
// meanwhile (client gone, timeout), the number cannot be reused under it,
// and the 'close' that follows stops the job. Anything else (TLS, a pipe
// as the source of a chunked body, ...) is declined and goes through JS
// as usual.

const http = require('http');

const responses = new WeakMap();
// How many event-loop turns to wait for the socket to drain before
// declining (the headers normally leave at once).
const DRAIN_TURNS = 8;

function socketFd(res) {
  const socket = res.socket;
  if (socket == null || socket.encrypted || socket.destroyed) return -1;
  const handle = socket._handle;
  if (handle == null || typeof handle.fd !== 'number') return -1;
  return handle.fd;
}

class ResponseSink {
  constructor(res) {
    this.res = res;
    this.splicer = null;
    this.corked = false;
    // Set once this response turned out unable to splice for good.
    this.declined = false;
    this.refresher = null;
  }

  beginSplice(source) {
    const res = this.res;
    if (this.declined || this.splicer !== null || res._hasBody === false ||
        res.strictContentLength || socketFd(res) < 0) {
      return null;
    }
    return (go) => this.whenDrained(source, go, 0);
  }

  whenDrained(source, go, turns) {
    const res = this.res;
    if (!res.headersSent && !res.writableEnded && !res.destroyed) res.flushHeaders();
    const socket = res.socket;
    // Chunked bodies are framed by the splice itself, from a file only.
    const chunked = res.chunkedEncoding === true;
    const fd = res.destroyed || res.writableEnded || (chunked && !source.framable()) ?
      -1 : socketFd(res);
    if (fd < 0) {
      this.declined = true;
      go(null);
      return;
    }
    if (socket.writableLength !== 0 || socket.writableCorked || res.writableLength !== 0) {
      if (turns >= DRAIN_TURNS) go(null);
      else setImmediate(() => this.whenDrained(source, go, turns + 1));
      return;
    }
    this.splicer = source;
    socket.cork();
    this.corked = true;
    this.keepTimeoutAlive(socket, source);
    go(fd, -1, true, chunked);
  }

  keepTimeoutAlive(socket, source) {
    const ms = socket.timeout;
    if (!(ms > 0)) return;
    let seen = 0;
    this.refresher = setInterval(() => {
      const now = source.progress();
      if (now !== seen && !socket.destroyed && socket.timeout === ms) socket.setTimeout(ms);
      seen = now;
    }, Math.max(10, Math.floor(ms / 4)));
    this.refresher.unref();
  }

  endSplice() {
    this.splicer = null;
    if (this.refresher !== null) {
      clearInterval(this.refresher);
      this.refresher = null;
    }
    if (this.corked) {
      this.corked = false;
      const socket = this.res.socket;
      if (socket != null && !socket.destroyed) socket.uncork();
    }
  }

  // The socket failed under the splice: what Node does when its own write
  // to the socket fails (the server's 'clientError', then close).
  fail(err) {
    const socket = this.res.socket;
    if (socket != null && !socket.destroyed) socket.destroy(err);
    else this.res.destroy();
  }
}

function responseSink(dest) {
  if (!(dest instanceof http.ServerResponse)) return undefined;
  let sink = responses.get(dest);
  if (sink === undefined) {
    sink = new ResponseSink(dest);
    responses.set(dest, sink);
  }
  return sink;
}

module.exports = { responseSink };
