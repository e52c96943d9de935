#!/usr/bin/env node
'use strict';

// `npm install` runs this: compiles the Rust addon in release mode and
// puts it where lib/native.js loads it from.

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const result = spawnSync('cargo', ['build', '--release', '--locked'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.error) {
  console.error(`forkpipe: could not run cargo (${result.error.message}).`);
  console.error('forkpipe needs a Rust toolchain to build its addon: https://rustup.rs');
  process.exit(1);
}
if (result.status !== 0) process.exit(result.status === null ? 1 : result.status);

const targetDir = process.env.CARGO_TARGET_DIR ?
  path.resolve(root, process.env.CARGO_TARGET_DIR) : path.join(root, 'target');
const built = path.join(targetDir, 'release', 'libforkpipe.so');
const dest = path.join(root, 'forkpipe.node');
// Copy beside, then rename: a running process keeps its mapping of the old file.
fs.copyFileSync(built, `${dest}.tmp`);
fs.renameSync(`${dest}.tmp`, dest);
console.log(`forkpipe: built ${path.relative(root, dest)}`);
