'use strict';

// Internals that Node's own stream tests reach into (through the compat
// harness's IMPL_INTERNALS): nothing here is public API.

module.exports = {
  addAbortSignalNoValidate: require('./add-abort-signal').addAbortSignalNoValidate,
};
