'use strict';

// forkpipe's fs: Node's file streams, native (Rust moves the bytes).
//
//   const { fs } = require('forkpipe');
//   fs.createReadStream(path, options)        // Node's options, events, errors
//   fs.createWriteStream(path, options)
//   fs.createReadStream(null, { fd })         // any fd, as Node allows ...
//   fs.createFdReadStream(fd, options)        // ... or by name: pipes, FIFOs,
//   fs.createFdWriteStream(fd, options)       //     sockets, ttys, files
//   fs.sendFile(req, res, path, options)      // a file over HTTP, Range included
//
// The streams are instances of forkpipe's stream classes (and of Node's, to
// instanceof). Piped into each other, or into an http.ServerResponse, their
// bytes move inside Rust.

// Loading the stream module installs the instanceof bridge to Node's
// classes (lib/stream/interop.js), which these streams rely on too.
require('../stream');
const { ReadStream } = require('./read-stream');
const { WriteStream } = require('./write-stream');
const { sendFile } = require('./send-file');
const { streamOptions } = require('./options');

function createReadStream(path, options) {
  return new ReadStream(path, options);
}

function createWriteStream(path, options) {
  return new WriteStream(path, options);
}

function createFdReadStream(fd, options) {
  return new ReadStream(null, { ...streamOptions(options), fd });
}

function createFdWriteStream(fd, options) {
  return new WriteStream(null, { ...streamOptions(options), fd });
}

module.exports = {
  ReadStream,
  WriteStream,
  createReadStream,
  createWriteStream,
  createFdReadStream,
  createFdWriteStream,
  sendFile,
};
