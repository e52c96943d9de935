'use strict';

// The errors a zlib stream reports, shaped as Node's are: a plain Error
// whose own properties are `errno` (zlib's number) and `code`
// ('Z_DATA_ERROR', ...), with zlib's message ("incorrect header check").

const { codes } = require('./constants');
const { withCode } = require('../errors');

function zlibError(errno, message) {
  const err = new Error(message);
  err.errno = errno;
  err.code = codes[errno] || 'Z_UNKNOWN_ERROR';
  return err;
}

// Node's ERR_BUFFER_TOO_LARGE (maxOutputLength exceeded).
function bufferTooLarge(max) {
  return withCode(new RangeError(`Cannot create a Buffer larger than ${max} bytes`),
    'ERR_BUFFER_TOO_LARGE', bufferTooLarge);
}

// What Node's assert() throws when reset() is called on a closed stream.
function bindingClosed() {
  const err = new Error('zlib binding closed\nThis is caused by either a bug in Node.js ' +
    'or incorrect usage of Node.js internals.\nPlease open an issue with this stack trace at ' +
    'https://github.com/nodejs/node/issues\n');
  err.code = 'ERR_INTERNAL_ASSERTION';
  return err;
}

module.exports = { zlibError, bufferTooLarge, bindingClosed };
