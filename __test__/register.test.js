'use strict';

// node -r forkpipe/register: unmodified programs get forkpipe's cluster in
// the primary, Node's own in workers; and the seed's cluster example runs.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const os = require('os');
const { ROOT, get, isAlive, waitFor, runPrimary, portFree } = require('./helpers');

const fixture = (name) => path.join(__dirname, 'fixtures', name);

test('require(\'cluster\') and require(\'node:cluster\') are forkpipe\'s in the primary only', async () => {
  const r = await runPrimary(fixture('register-check.js'), { nodeArgs: ['-r', 'forkpipe/register'] });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.deepStrictEqual(r.lines[0], { primary: { forkpipe: true, nodePrefixed: true } });
  assert.deepStrictEqual(r.lines[1], { worker: { isWorker: true, same: true, id: 1 } });
});

test('import cluster from \'node:cluster\' is forkpipe\'s in the primary', async () => {
  const r = await runPrimary(fixture('register-check.mjs'), { nodeArgs: ['-r', 'forkpipe/register'] });
  assert.strictEqual(r.code, 0, r.stderr);
  assert.deepStrictEqual(r.lines[0], { primary: { forkpipe: true } });
  assert.deepStrictEqual(r.lines[1], { worker: { isWorker: true, id: 1 } });
});

// The threads of a process, by name: forkpipe's primary runs one of its own.
function threadNames(pid) {
  const dir = `/proc/${pid}/task`;
  return fs.readdirSync(dir).map((t) => {
    try { return fs.readFileSync(path.join(dir, t, 'comm'), 'utf8').trim(); } catch { return ''; }
  });
}

test('the seed\'s cluster example, unmodified: 200 requests over every worker', async () => {
  assert.ok(await portFree(8000), 'the seed listens on port 8000, which is taken here');
  const workers = os.cpus().length;
  const requests = 200;
  let result;
  const r = await runPrimary(path.join(ROOT, 'examples', 'seed-cluster.js'), {
    nodeArgs: ['-r', 'forkpipe/register'],
    timeoutMs: 60000,
    onLine(line, child) {
      if (typeof line === 'string' && line.startsWith('Master ') && !result) {
        result = (async () => {
          let probes = 0;
          const up = await waitFor(async () => {
            try { probes++; return (await get(8000)).status === 200; } catch { return false; }
          }, 15000, 50);
          const names = threadNames(child.pid);
          const bodies = [];
          if (up) {
            for (let i = 0; i < requests; i++) bodies.push((await get(8000)).body);
          }
          // Give the workers' logs a moment to arrive, then stop the primary.
          await new Promise((res) => setTimeout(res, 300));
          child.kill('SIGTERM');
          return { names, bodies, up, probes };
        })();
      }
    },
  });
  const { names, bodies, up, probes } = await result;
  assert.ok(up, `the seed never answered: ${r.stderr}`);
  assert.ok(names.includes('forkpipe-cluste'), `no forkpipe runtime thread in ${names}`);
  assert.strictEqual(bodies.length, requests);
  assert.ok(bodies.every((b) => b === 'Hello from worker!'));
  const started = r.lines.filter((l) => typeof l === 'string' && / started$/.test(l))
    .map((l) => Number(l.split(' ')[1]));
  const handled = r.lines.filter((l) => typeof l === 'string' && / handling request$/.test(l))
    .map((l) => Number(l.split(' ')[1]));
  assert.strictEqual(started.length, workers);
  assert.ok(handled.length >= requests && handled.length <= requests + probes,
    'every request logged by a worker');
  assert.deepStrictEqual([...new Set(handled)].sort(), [...started].sort(),
    'every worker handled requests');
  const gone = await waitFor(() => started.every((p) => !isAlive(p)), 5000);
  assert.ok(gone, 'workers outlived the seed\'s primary');
});
