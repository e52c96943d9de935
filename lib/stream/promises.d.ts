// Types for `require('forkpipe/stream/promises')`: node:stream/promises'.

/// <reference types="node" />

export * from 'node:stream/promises';
