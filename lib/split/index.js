'use strict';

// forkpipe's line splitter, called like the split2 package:
//
//   const { split } = require('forkpipe');
//   source.pipe(split()).on('data', (line) => ...);             // lines as strings
//   split(JSON.parse)                                             // mapped in JS
//   split('\0', { maxLength: 1 << 20, skipOverflow: true })
//
//   split([matcher], [mapper], [options]) -> Transform (strings out)
//
// matcher: split2's default /\r?\n/, a string, or bytes (a Buffer or
// Uint8Array: that exact byte sequence). These split in Rust
// (native.js). A RegExp (other than /\r?\n/ and /\n/), empty bytes or an
// object with its own Symbol.split split in JS (fallback.js), with the
// same results as split2. An empty string means the default, as in split2.
// mapper(line): its result is pushed; undefined skips the line; a throw
// fails the stream.
// options: maxLength, skipOverflow, and any Transform option.

// Loading the stream module installs the instanceof bridge to Node's
// classes (lib/stream/interop.js), which these streams rely on too.
require('../stream');
const NativeSplit = require('./native');
const FallbackSplit = require('./fallback');

const DEFAULT = /\r?\n/;

function identity(line) {
  return line;
}

function isOptions(x) {
  return typeof x === 'object' && x !== null && !(x instanceof RegExp) &&
    !(x instanceof Uint8Array) && !x[Symbol.split];
}

// The separator the Rust splitter takes (a Buffer; null for /\r?\n/), or
// undefined when the matcher needs the JS splitter.
function nativeSeparator(matcher) {
  if (matcher instanceof RegExp) {
    if (matcher.flags.replace(/[gsuyd]/g, '') !== '') return undefined;
    if (matcher.source === '\\r?\\n') return null;
    if (matcher.source === '\\n') return Buffer.from('\n');
    return undefined;
  }
  if (typeof matcher === 'string') return matcher === '' ? undefined : Buffer.from(matcher);
  if (matcher instanceof Uint8Array) {
    if (matcher.length === 0) return undefined;
    return Buffer.from(matcher.buffer, matcher.byteOffset, matcher.byteLength);
  }
  return undefined;
}

function split(matcher, mapper, options) {
  // split2's argument shapes: (mapper), (options), (mapper, options),
  // (matcher, options), (matcher, mapper[, options]).
  if (arguments.length === 1) {
    if (typeof matcher === 'function') {
      mapper = matcher;
      matcher = undefined;
    } else if (isOptions(matcher)) {
      options = matcher;
      matcher = undefined;
    }
  } else if (arguments.length === 2) {
    if (typeof matcher === 'function') {
      options = mapper;
      mapper = matcher;
      matcher = undefined;
    } else if (typeof mapper === 'object') {
      options = mapper;
      mapper = undefined;
    }
  }
  matcher = matcher || DEFAULT;
  mapper = mapper || identity;
  options = { ...options, autoDestroy: true, readableObjectMode: true };

  const separator = nativeSeparator(matcher);
  const stream = separator === undefined ?
    new FallbackSplit(matcher, mapper, options) :
    new NativeSplit(separator, mapper, options);
  // split2's public fields.
  stream.matcher = matcher;
  stream.mapper = mapper;
  stream.maxLength = options.maxLength;
  stream.skipOverflow = options.skipOverflow || false;
  return stream;
}

module.exports = split;
module.exports.identity = identity;
