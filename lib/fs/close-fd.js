'use strict';

// Closing a stream's fd as Node's fs streams do: fsync first when `flush`
// is set, `fd` is null from the moment the close is issued, and an fd of
// 0 is left open (Node tests `!stream.fd`). A FileHandle passed as `fd`
// is closed through its own close().

const binding = require('./binding');
const { uvError } = require('./uv-error');

const kFileHandle = Symbol('forkpipe.fs.fileHandle');

function closeFd(stream, err, cb) {
  if (!stream.fd) {
    cb(err);
  } else if (stream.flush) {
    binding.fsync(stream.fd, (errno) => {
      closeNow(stream, err || (errno !== 0 ? uvError(errno, 'fsync') : null), cb);
    });
  } else {
    closeNow(stream, err, cb);
  }
}

function closeNow(stream, err, cb) {
  const handle = stream[kFileHandle];
  if (handle !== undefined) {
    handle.close().then(() => cb(err), (er) => cb(er || err));
  } else {
    binding.close(stream.fd, (errno) => cb((errno !== 0 ? uvError(errno, 'close') : null) || err));
  }
  stream.fd = null;
}

module.exports = { closeFd, kFileHandle };
