'use strict';

// index.d.ts is checked against code written for the API (usage.ts) and
// against misuse it must reject (misuse.ts), with the TypeScript compiler.

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT } = require('./helpers');

test('index.d.ts types the API and rejects misuse (tsc --noEmit)', () => {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', path.join(__dirname, 'types')], {
    encoding: 'utf8',
    timeout: 120000,
  });
  assert.strictEqual(r.status, 0, `${r.stdout}${r.stderr}`);
});
