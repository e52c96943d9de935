'use strict';

// `worker.process` in the primary: shaped like Node's ChildProcess (pid,
// kill, send, disconnect, exitCode, signalCode, stdio, the same events),
// backed by a process and channel that Rust owns.

const EventEmitter = require('events');
const net = require('net');
const { ChildProcess } = require('child_process');
const { constants: { errno: ERRNO } } = require('os');
const native = require('../native');
const events = require('./events');
const loop = require('../loop-hold');
const { nodeError, errnoError } = require('../errors');
const { toSignalNumber, signalName } = require('./signals');
const { encode, decodeAdvanced, describeHandle, adoptHandle } = require('./messages');
const ReceivedSockets = require('./received-sockets');

const { CODE } = events;

// Loaded when a worker first has piped stdio, not with the cluster.
let fsModule = null;
function nativeFs() {
  if (fsModule === null) fsModule = require('../fs');
  return fsModule;
}

// Send callbacks waiting for Rust to report their frame written.
const pending = new Map();
let nextCallbackId = 1;

function validateOptions(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw nodeError('ERR_INVALID_ARG_TYPE', 'options', 'Object', options);
  }
}

class Channel {
  constructor(owner) {
    this._owner = owner;
  }

  ref() {
    this._owner._holdChannel(true);
  }

  unref() {
    this._owner._holdChannel(false);
  }
}

class WorkerProcess extends EventEmitter {
  constructor({ id, pid, serialization, spawnfile, spawnargs, pipes }) {
    super();
    this._id = id;
    this._serialization = serialization;
    this.pid = pid;
    this.spawnfile = spawnfile;
    this.spawnargs = spawnargs;
    this.connected = true;
    this.exitCode = null;
    this.signalCode = null;
    this.killed = false;
    this.channel = new Channel(this);
    this._exited = false;
    this._processHeld = false;
    this._channelHeld = false;
    // 'close' waits for the exit, the channel and every readable pipe.
    this._closesNeeded = 2;
    this._closesGot = 0;
    this.stdio = pipes.map((fd, i) => this._pipe(fd, i));
    this.stdin = this.stdio[0] || null;
    this.stdout = this.stdio[1] || null;
    this.stderr = this.stdio[2] || null;
    this._receivedSockets = new ReceivedSockets(this);
    this._holdProcess(true);
    this._holdChannel(true);
    events.register(id, this);
  }

  _pipe(fd, index) {
    if (fd < 0) return null;
    // stdin, stdout and stderr go one way each, so they are native fd
    // streams: piped into forkpipe.fs streams their bytes stay in Rust.
    // Extra pipes go both ways, which only a socket does.
    let stream;
    if (index === 0) stream = nativeFs().createFdWriteStream(fd);
    else if (index <= 2) stream = nativeFs().createFdReadStream(fd);
    else stream = new net.Socket({ fd, readable: true, writable: true });
    if (index !== 0) {
      this._closesNeeded++;
      stream.once('close', () => this._maybeClose());
    }
    return stream;
  }

  _holdProcess(on) {
    on = on && !this._exited;
    if (on === this._processHeld) return;
    this._processHeld = on;
    if (on) loop.hold(); else loop.release();
  }

  _holdChannel(on) {
    on = on && this.channel !== null;
    if (on === this._channelHeld) return;
    this._channelHeld = on;
    if (on) loop.hold(); else loop.release();
  }

  ref() {
    this._holdProcess(true);
  }

  unref() {
    this._holdProcess(false);
  }

  kill(sig) {
    const signal = sig === 0 ? 0 : toSignalNumber(sig === undefined ? 'SIGTERM' : sig);
    if (this._exited) return false;
    const err = native.clusterKill(this._id, signal);
    if (err === 0) {
      this.killed = true;
      return true;
    }
    if (err === ERRNO.ESRCH) return false;
    const ex = errnoError(-err, 'kill');
    if (err === ERRNO.EINVAL || err === ERRNO.ENOSYS) throw ex;
    this.emit('error', ex);
    return false;
  }

  send(message, handle, options, callback) {
    if (typeof handle === 'function') {
      callback = handle;
      handle = undefined;
      options = undefined;
    } else if (typeof options === 'function') {
      callback = options;
      options = undefined;
    } else if (options !== undefined) {
      validateOptions(options);
    }
    options = { swallowErrors: false, ...options };
    if (!this.connected) {
      this._fail(nodeError('ERR_IPC_CHANNEL_CLOSED'), callback);
      return false;
    }
    if (message === undefined) throw nodeError('ERR_MISSING_ARGS', 'message');
    const type = typeof message;
    if (type !== 'string' && type !== 'object' && type !== 'number' && type !== 'boolean') {
      throw nodeError('ERR_INVALID_ARG_TYPE', 'message',
        ['string', 'object', 'number', 'boolean'], message);
    }
    let fd = null;
    let detach = null;
    if (handle) {
      const wrapper = { cmd: 'NODE_HANDLE', type: null, msg: message };
      const described = describeHandle(handle, wrapper, options);
      if (described !== null) {
        wrapper.type = described.type;
        message = wrapper;
        fd = described.fd;
        detach = described.detach;
      }
    }
    const frame = encode(this._serialization, message);
    let callbackId = 0;
    if (typeof callback === 'function') {
      callbackId = nextCallbackId++;
      pending.set(callbackId, callback);
    }
    let ok;
    try {
      ok = native.clusterSend(this._id, frame, fd, callbackId);
    } catch (err) {
      pending.delete(callbackId);
      if (!options.swallowErrors) this._fail(nativeErrno(err, 'write'), callback);
      return false;
    }
    if (detach) detach();
    return ok;
  }

  // Writes an internal message; the user-facing checks do not apply.
  _sendInternal(message) {
    if (this.channel === null) return;
    native.clusterSend(this._id, encode(this._serialization, message), null, 0);
  }

  _fail(err, callback) {
    if (typeof callback === 'function') process.nextTick(callback, err);
    else process.nextTick(() => this.emit('error', err));
  }

  disconnect() {
    if (!this.connected) {
      this.emit('error', nodeError('ERR_IPC_DISCONNECTED'));
      return;
    }
    this.connected = false;
    native.clusterCloseChannel(this._id);
  }

  _maybeClose() {
    if (++this._closesGot === this._closesNeeded) {
      this.emit('close', this.exitCode, this.signalCode);
    }
  }

  _onDisconnect() {
    if (this.channel === null) return;
    this.connected = false;
    this._holdChannel(false);
    this.channel = null;
    this.emit('disconnect');
    this._maybeClose();
  }

  _onExit(code, signal) {
    this._exited = true;
    if (signal) this.signalCode = signalName(signal);
    else this.exitCode = code;
    if (this.stdin) this.stdin.destroy();
    this._holdProcess(false);
    events.unregister(this._id);
    this.emit('exit', this.exitCode, this.signalCode);
    // Output nobody reads would keep its pipe (and 'close') open forever.
    process.nextTick(() => {
      for (const s of this.stdio) {
        if (s && s.readable && s.readableFlowing === null) s.resume();
      }
    });
    this._maybeClose();
  }

  _onMessage(message, handle) {
    if (message !== null && typeof message === 'object' && typeof message.cmd === 'string' &&
        message.cmd.length > 5 && message.cmd.startsWith('NODE_')) {
      this.emit('internalMessage', message, handle);
      return;
    }
    this.emit('message', message, handle);
  }

  _protocolError(code, text) {
    const err = new Error(`worker ${this._id}: ${text}`);
    err.code = code;
    // An 'error' nobody listens for would throw and take the primary down
    // with one misbehaving worker; it becomes a warning instead.
    if (this.errorHandled()) this.emit('error', err);
    else process.emitWarning(err.message, { code, type: 'ForkpipeWarning' });
  }

  // Whether an 'error' would reach a listener; the cluster Worker that
  // forwards this process's errors replaces it with its own check.
  errorHandled() {
    return this.listenerCount('error') > 0;
  }

  onNativeEvent(event, buffers) {
    switch (event[0]) {
      case CODE.MESSAGE:
        this._onMessage(event[2]);
        break;
      case CODE.MESSAGE_BINARY: {
        let message;
        try {
          message = decodeAdvanced(buffers[event[2]]);
        } catch (err) {
          this._protocolError('ERR_FORKPIPE_IPC_PROTOCOL',
            `undecodable message on the IPC channel (${err.message})`);
          native.clusterCloseChannel(this._id);
          return;
        }
        this._onMessage(message);
        break;
      }
      case CODE.MESSAGE_HANDLE: {
        const wrapper = event[2];
        adoptHandle(wrapper, event[3], (handle) => {
          if (wrapper.key !== undefined && handle instanceof net.Socket) {
            this._receivedSockets.add(wrapper.key, handle);
          }
          this._onMessage(wrapper.msg, handle);
        });
        break;
      }
      case CODE.ONLINE:
        this.emit('internalMessage', { cmd: 'NODE_CLUSTER', act: 'online' });
        break;
      case CODE.LISTENING:
        this.emit('internalMessage', event[2]);
        break;
      case CODE.EXITED_AFTER_DISCONNECT:
        this.emit('internalMessage', { cmd: 'NODE_CLUSTER', act: 'exitedAfterDisconnect' });
        break;
      case CODE.DISCONNECT:
        this._onDisconnect();
        break;
      case CODE.EXIT:
        this._onExit(event[2], event[3]);
        break;
      case CODE.SEND_DONE: {
        const cb = pending.get(event[2]);
        pending.delete(event[2]);
        if (cb) cb(event[3] === 0 ? null : errnoError(event[3], 'write'));
        break;
      }
      case CODE.ERROR:
        this._protocolError(event[2], event[3]);
        break;
      case CODE.WARNING:
        process.emitWarning(event[2], event[3]);
        break;
      default:
        break;
    }
  }
}

// `instanceof ChildProcess` holds, as it does for Node's worker.process.
Object.setPrototypeOf(WorkerProcess.prototype, ChildProcess.prototype);
if (Symbol.dispose && ChildProcess.prototype[Symbol.dispose]) {
  WorkerProcess.prototype[Symbol.dispose] = function dispose() {
    if (!this.killed) this.kill();
  };
}

// Rust reports failed system calls as "syscall:-errno".
function nativeErrno(err, syscall) {
  const m = /^([a-z]+):(-\d+)$/.exec(err && err.message);
  return m ? errnoError(Number(m[2]), m[1]) : errnoError(-ERRNO.EINVAL, syscall);
}

module.exports = { WorkerProcess, nativeErrno };
