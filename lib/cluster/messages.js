'use strict';

// What travels on a worker's channel besides the protocol the Rust side
// speaks: user messages in Node's two serializations, and the handles that
// ride along with them.

const net = require('net');
const dgram = require('dgram');
const v8 = require('v8');
const { nodeError } = require('../errors');

// Node's `advanced` mode marks each host object: 0 for an ArrayBufferView
// (a Buffer survives as a Buffer), 1 for any other, sent as a plain copy.
const VIEW = 0;
const NOT_VIEW = 1;

class ChannelSerializer extends v8.DefaultSerializer {
  _writeHostObject(value) {
    if (ArrayBuffer.isView(value)) {
      this.writeUint32(VIEW);
      return super._writeHostObject(value);
    }
    this.writeUint32(NOT_VIEW);
    this.writeValue({ ...value });
  }
}

class ChannelDeserializer extends v8.DefaultDeserializer {
  _readHostObject() {
    return this.readUint32() === VIEW ? super._readHostObject() : this.readValue();
  }
}

// One frame as the worker's Node expects it: a JSON line, or a 4-byte
// big-endian length followed by the V8 serialization.
function encode(serialization, message) {
  if (serialization === 'json') return `${JSON.stringify(message)}\n`;
  const ser = new ChannelSerializer();
  ser.writeRawBytes(Buffer.alloc(4));
  ser.writeHeader();
  ser.writeValue(message);
  const frame = ser.releaseBuffer();
  frame.writeUInt32BE(frame.length - 4, 0);
  return frame;
}

function decodeAdvanced(payload) {
  const des = new ChannelDeserializer(payload);
  des.readHeader();
  return des.readValue();
}

function stateOf(socket) {
  const sym = Object.getOwnPropertySymbols(socket)
    .find((s) => s.description === 'state symbol');
  return sym === undefined ? undefined : socket[sym];
}

// The descriptor behind a sendable handle and Node's name for its kind.
// `detach` (for a net.Socket not kept open) lets go of the primary's copy
// once Rust holds its own.
function describeHandle(handle, message, options) {
  if (handle instanceof net.Socket) {
    if (!handle._handle) return null;
    const detach = options.keepOpen ? null : () => {
      const raw = handle._handle;
      if (!raw) return;
      if (handle.server) handle.server._connections--;
      raw.onread = () => {};
      handle._handle = null;
      handle.setTimeout(0);
      raw.close();
    };
    return { type: 'net.Socket', fd: handle._handle.fd, detach };
  }
  if (handle instanceof net.Server) {
    if (!handle._handle) return null;
    return { type: 'net.Server', fd: handle._handle.fd, detach: null };
  }
  if (handle instanceof dgram.Socket) {
    const state = stateOf(handle);
    if (!state || !state.handle) return null;
    message.dgramType = handle.type;
    return { type: 'dgram.Socket', fd: state.handle.fd, detach: null };
  }
  const kind = handle && handle.constructor && handle.constructor.name;
  if ((kind === 'TCP' || kind === 'Pipe') && typeof handle.fd === 'number') {
    return { type: 'net.Native', fd: handle.fd, detach: null };
  }
  if (kind === 'UDP' && typeof handle.fd === 'number') {
    return { type: 'dgram.Native', fd: handle.fd, detach: null };
  }
  throw nodeError('ERR_INVALID_HANDLE_TYPE');
}

// Turns a descriptor a worker sent with a NODE_HANDLE `wrapper` (its
// `type`, and `dgramType` for a dgram socket) into the object Node's
// receiving side would give, then calls `done(handle)`.
function adoptHandle(wrapper, fd, done) {
  switch (wrapper.type) {
    case 'net.Server': {
      const server = net.createServer();
      server.listen({ fd }, () => done(server));
      return;
    }
    case 'dgram.Socket':
    case 'dgram.Native': {
      const socket = dgram.createSocket(wrapper.dgramType || 'udp4');
      socket.bind({ fd }, () => done(socket));
      return;
    }
    default:
      done(new net.Socket({ fd, readable: true, writable: true }));
  }
}

module.exports = { encode, decodeAdvanced, describeHandle, adoptHandle };
