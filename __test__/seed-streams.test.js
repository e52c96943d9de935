'use strict';

// The seed's streams example, unmodified, under -r forkpipe/register: its
// uppercase Transform is forkpipe's, its file copy and HTTP file server work.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn } = require('child_process');
const { ROOT, get, isAlive, waitFor, portFree } = require('./helpers');

test('the seed\'s streams example runs on forkpipe\'s stream', async (t) => {
  assert.ok(await portFree(3000), 'the seed listens on port 3000, which is taken here');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forkpipe-seed-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const input = 'héllo wörld, ünïcode across chunks\n'.repeat(5000);
  fs.writeFileSync(path.join(dir, 'input.txt'), input);
  const large = 'line of a large file\n'.repeat(20000);
  fs.writeFileSync(path.join(dir, 'large_file.txt'), large);
  // Reports which Transform class the example got, then runs it as is.
  const probe = path.join(dir, 'probe.js');
  const ours = JSON.stringify(path.join(ROOT, 'lib', 'stream'));
  fs.writeFileSync(probe, `const same = require('stream').Transform === require(${ours}).Transform;
    process.stdout.write(JSON.stringify({ forkpipe: same }) + '\\n');`);
  // The temporary folder has no node_modules: name register.js by path.
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'register.js'), '-r', probe,
    path.join(ROOT, 'examples', 'seed-streams.js')], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => { if (isAlive(child.pid)) child.kill('SIGKILL'); });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  assert.ok(await waitFor(() => out.includes('Server listening on port 3000'), 10000), out);
  assert.match(out, /"forkpipe":true/);
  const upper = path.join(dir, 'output_uppercase.txt');
  assert.ok(await waitFor(() => fs.existsSync(upper) &&
    fs.statSync(upper).size === Buffer.byteLength(input.toUpperCase()), 10000));
  assert.strictEqual(fs.readFileSync(upper, 'utf8'), input.toUpperCase());
  assert.strictEqual(fs.readFileSync(path.join(dir, 'output.txt'), 'utf8'),
    'First line\nSecond line\n');
  const res = await get(3000);
  assert.strictEqual(res.status, 200);
  assert.strictEqual(res.body, large);
});
