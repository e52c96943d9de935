'use strict';

// Argument checks with Node's error codes and texts.

const { makeError } = require('./errors');

function checkObject(value, name) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw makeError('ERR_INVALID_ARG_TYPE', name, 'Object', value);
  }
}

function checkFunction(value, name) {
  if (typeof value !== 'function') {
    throw makeError('ERR_INVALID_ARG_TYPE', name, 'Function', value);
  }
}

function checkBoolean(value, name) {
  if (typeof value !== 'boolean') {
    throw makeError('ERR_INVALID_ARG_TYPE', name, 'boolean', value);
  }
}

function checkSignal(signal, name) {
  if (signal !== undefined &&
      (signal === null || typeof signal !== 'object' || !('aborted' in signal))) {
    throw makeError('ERR_INVALID_ARG_TYPE', name, 'AbortSignal', signal);
  }
}

function checkInteger(value, name, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== 'number') {
    throw makeError('ERR_INVALID_ARG_TYPE', name, 'number', value);
  }
  if (!Number.isInteger(value)) {
    throw makeError('ERR_OUT_OF_RANGE', name, 'an integer', value);
  }
  if (value < min || value > max) {
    throw makeError('ERR_OUT_OF_RANGE', name, `>= ${min} && <= ${max}`, value);
  }
}

module.exports = { checkObject, checkFunction, checkBoolean, checkSignal, checkInteger };
