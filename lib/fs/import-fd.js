'use strict';

// `options.fd` for both stream kinds: a number, or an fs/promises
// FileHandle (closed with the stream, and closing the stream when it is
// closed elsewhere), validated as Node does.

const o = require('./options');
const { kFileHandle } = require('./close-fd');

function importFd(stream, fd) {
  if (o.isFileHandle(fd)) {
    stream[kFileHandle] = fd;
    fd.on('close', () => stream.close());
    return o.checkFd(fd.fd);
  }
  return o.checkFd(fd);
}

module.exports = { importFd };
