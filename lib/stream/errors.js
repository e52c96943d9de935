'use strict';

// The errors forkpipe's streams raise, with the codes, classes and message
// texts Node gives them, so that code checking `err.code`, `err.name` or
// `err.message` cannot tell the two apart. Codes shared with the rest of
// forkpipe (ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, ...) come from
// lib/errors.js; the stream-only ones live in the table below.

const shared = require('../errors');
const { format } = require('util');

// code -> [constructor, message builder]
const STREAM_MESSAGES = {
  ERR_STREAM_PUSH_AFTER_EOF: [Error, () => 'stream.push() after EOF'],
  ERR_STREAM_UNSHIFT_AFTER_END_EVENT: [Error, () => 'stream.unshift() after end event'],
  ERR_STREAM_WRITE_AFTER_END: [Error, () => 'write after end'],
  ERR_STREAM_PREMATURE_CLOSE: [Error, () => 'Premature close'],
  ERR_STREAM_DESTROYED: [Error, (what) => format('Cannot call %s after a stream was destroyed', what)],
  ERR_STREAM_ALREADY_FINISHED: [Error, (what) => format('Cannot call %s after a stream was finished', what)],
  ERR_STREAM_CANNOT_PIPE: [Error, () => 'Cannot pipe, not readable'],
  ERR_STREAM_NULL_VALUES: [TypeError, () => 'May not write null values to stream'],
  ERR_MULTIPLE_CALLBACK: [Error, () => 'Callback called multiple times'],
  ERR_METHOD_NOT_IMPLEMENTED: [Error, (what) => format('The %s method is not implemented', what)],
  ERR_UNKNOWN_ENCODING: [TypeError, (enc) => format('Unknown encoding: %s', enc)],
  ERR_ILLEGAL_CONSTRUCTOR: [TypeError, () => 'Illegal constructor'],
  ERR_INVALID_RETURN_VALUE: [TypeError, (expected, name, value) => {
    let kind;
    if (value && value.constructor && value.constructor.name) {
      kind = `instance of ${value.constructor.name}`;
    } else {
      kind = `type ${typeof value}`;
    }
    return `Expected ${expected} to be returned from the "${name}" function but got ${kind}.`;
  }],
  ERR_INVALID_THIS: [TypeError, (type) => `Value of "this" must be of type ${type}`],
};

function makeError(code, ...args) {
  const entry = STREAM_MESSAGES[code];
  if (entry === undefined) return shared.nodeError(code, ...args);
  const [Ctor, build] = entry;
  return shared.withCode(new Ctor(build(...args)), code, makeError);
}

class AbortError extends Error {
  constructor(message = 'The operation was aborted', options = undefined) {
    if (options !== undefined && (options === null || typeof options !== 'object')) {
      throw shared.nodeError('ERR_INVALID_ARG_TYPE', 'options', 'Object', options);
    }
    super(message, options);
    this.code = 'ABORT_ERR';
    this.name = 'AbortError';
  }
}

// When a stream fails twice (say, an error during destroy after an
// earlier error), both are kept: the later wraps the earlier in an
// AggregateError, as Node does.
function combineErrors(first, second) {
  if (first && second && first !== second) {
    if (Array.isArray(second.errors)) {
      second.errors.push(first);
      return second;
    }
    const both = new AggregateError([second, first], second.message);
    both.code = second.code;
    return both;
  }
  return first || second;
}

module.exports = {
  makeError,
  AbortError,
  combineErrors,
};
