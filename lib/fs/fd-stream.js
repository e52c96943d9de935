'use strict';

// What ReadStream and WriteStream share, as Node's fs streams share it: a
// path to open in _construct or an fd (or FileHandle) to take, autoClose
// as the stream's autoDestroy, `pending`, the deprecated open(), and a
// _destroy that closes the fd once the native handle is idle.

const { deprecate } = require('util');
const { kNativeHandle } = require('../stream/native-seam');
const binding = require('./binding');
const o = require('./options');
const { uvError } = require('./uv-error');

const kFileHandle = Symbol('forkpipe.fs.fileHandle');

// Takes options.fd, or the path (flags, mode) _construct opens; sets
// autoDestroy from autoClose. true: the stream opens a path of its own.
function takeTarget(stream, path, opts, defaultFlags) {
  let ownPath = false;
  if (opts.fd == null) {
    stream.fd = null;
    stream.path = o.checkPath(path);
    stream.flags = opts.flags === undefined ? defaultFlags : opts.flags;
    stream.mode = opts.mode === undefined ? 0o666 : opts.mode;
    ownPath = true;
  } else {
    stream.fd = importFd(stream, opts.fd);
  }
  opts.autoDestroy = opts.autoClose === undefined ? true : opts.autoClose;
  return ownPath;
}

// `options.fd`: a number, or an fs/promises FileHandle (closed with the
// stream, and closing the stream when it is closed elsewhere), validated
// as Node does.
function importFd(stream, fd) {
  if (o.isFileHandle(fd)) {
    stream[kFileHandle] = fd;
    fd.on('close', () => stream.close());
    return o.checkFd(fd.fd);
  }
  return o.checkFd(fd);
}

// Closes the stream's fd as Node's fs streams do: fsync first when `flush`
// is set, `fd` is null from the moment the close is issued, and an fd of
// 0 is left open (Node tests `!stream.fd`). A FileHandle passed as `fd`
// is closed through its own close().
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

// Installs the shared members on Ctor.prototype; `state` names the
// stream state autoClose lives in.
function defineFdStream(Ctor, state) {
  const proto = Ctor.prototype;

  Object.defineProperty(proto, 'autoClose', {
    get() { return this[state].autoDestroy; },
    set(value) { this[state].autoDestroy = value; },
    configurable: true,
  });

  Object.defineProperty(proto, 'pending', {
    get() { return this.fd === null; },
    configurable: true,
  });

  proto.open = deprecate(function open() {},
    `${Ctor.name}.prototype.open() is deprecated`, 'DEP0135');

  // 'open' then 'ready' right after the construct callback, as Node emits
  // them.
  proto._construct = function _construct(cb) {
    if (typeof this.fd === 'number') {
      cb();
      return;
    }
    const flags = o.openFlags(this.flags);
    const mode = o.fileMode(this.mode, 0o666);
    binding.open(this.path, flags, mode, (errno, fd, kind) => {
      if (errno !== 0) {
        cb(uvError(errno, 'open', String(this.path)));
        return;
      }
      this.fd = fd;
      this[kNativeHandle].kind = kind;
      cb();
      this.emit('open', fd);
      this.emit('ready');
    });
  };

  proto._destroy = function _destroy(err, cb) {
    this[kNativeHandle].settle(() => closeFd(this, err, cb));
  };
}

module.exports = { takeTarget, defineFdStream };
