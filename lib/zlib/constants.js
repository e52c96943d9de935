'use strict';

// zlib's constants and return codes: the very numbers Node exposes (the
// addon numbers its modes and flush values the same way), taken from
// node:zlib so that both agree on every Node version.

const nodeZlib = require('zlib');

module.exports = {
  constants: nodeZlib.constants,
  codes: nodeZlib.codes,
};
