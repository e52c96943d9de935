// Types for `require('forkpipe/stream')` and `require('forkpipe').stream`:
// the API is node:stream's, so are its types.

/// <reference types="node" />

import Stream = require('node:stream');

export = Stream;
