'use strict';

// Loads the addon that `npm install` compiled (see scripts/build.js).

const path = require('path');

const file = path.join(__dirname, '..', 'forkpipe.node');

let binding;
try {
  binding = require(file);
} catch (err) {
  const hint = new Error(
    `forkpipe: the native addon could not be loaded from ${file} (${err.message}). ` +
    'Run `npm install` (or `npm run build`) in the forkpipe package; it needs a Rust ' +
    'toolchain (https://rustup.rs).');
  hint.code = 'ERR_FORKPIPE_ADDON';
  hint.cause = err;
  throw hint;
}

module.exports = binding;
