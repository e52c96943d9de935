'use strict';

// Exit and disconnect, as Node reports them; the primary staying alive for
// its workers and leaving no orphan when it is killed.

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { once } = require('events');
const { cluster } = require('..');
const { WORKER, call, forkOnline, killAll, isAlive, waitFor, runPrimary } = require('./helpers');

const LIFECYCLE = path.join(__dirname, 'fixtures', 'lifecycle.js');

test.beforeEach(() => cluster.setupPrimary({ exec: WORKER }));
test.afterEach(() => killAll(cluster));

function record(worker) {
  const events = [];
  worker.on('disconnect', () => events.push(['disconnect']));
  worker.on('exit', (code, signal) => events.push(['exit', code, signal]));
  return events;
}

test('kill(signal) gives exit(null, signal) after disconnect', async () => {
  const w = await forkOnline(cluster);
  const events = record(w);
  const clusterExit = once(cluster, 'exit');
  assert.strictEqual(w.kill('SIGTERM'), undefined);
  const [worker, code, signal] = await clusterExit;
  assert.strictEqual(worker, w);
  assert.strictEqual(code, null);
  assert.strictEqual(signal, 'SIGTERM');
  assert.deepStrictEqual(events, [['disconnect'], ['exit', null, 'SIGTERM']]);
  assert.strictEqual(w.state, 'dead');
  assert.strictEqual(w.exitedAfterDisconnect, false);
  assert.strictEqual(w.isDead(), true);
  assert.strictEqual(w.process.signalCode, 'SIGTERM');
  assert.strictEqual(w.process.killed, true);
  assert.strictEqual(cluster.workers[w.id], undefined);
  assert.strictEqual(w.process.kill(), false, 'a dead worker cannot be signalled');
});

test('process.exit(n) in a worker gives exit(n, null)', async () => {
  const w = await forkOnline(cluster);
  const events = record(w);
  w.send({ id: 1, op: 'exit', code: 7 });
  await once(w, 'exit');
  assert.deepStrictEqual(events, [['disconnect'], ['exit', 7, null]]);
  assert.strictEqual(w.process.exitCode, 7);
});

test('worker.disconnect() closes its servers, the worker exits 0, exitedAfterDisconnect', async () => {
  const w = await forkOnline(cluster);
  await call(w, 'listen', { port: 0, host: '127.0.0.1' });
  const events = record(w);
  assert.strictEqual(w.disconnect(), w);
  assert.strictEqual(w.exitedAfterDisconnect, true);
  assert.strictEqual(cluster.workers[w.id], undefined, 'removed at once, as in Node');
  await once(w, 'exit');
  assert.deepStrictEqual(events, [['disconnect'], ['exit', 0, null]]);
  assert.strictEqual(w.exitedAfterDisconnect, true);
  assert.strictEqual(w.state, 'dead');
});

test('a worker that disconnects itself is marked exitedAfterDisconnect', async () => {
  const w = await forkOnline(cluster);
  const events = record(w);
  w.send({ id: 1, op: 'disconnect' });
  await once(w, 'exit');
  assert.deepStrictEqual(events, [['disconnect'], ['exit', 0, null]]);
  assert.strictEqual(w.exitedAfterDisconnect, true);
});

test('cluster.disconnect(cb) calls back once every worker is gone', async () => {
  const a = await forkOnline(cluster);
  const b = await forkOnline(cluster);
  await call(a, 'listen', { port: 0, host: '127.0.0.1' });
  const exits = [once(a, 'exit'), once(b, 'exit')];
  await new Promise((resolve) => cluster.disconnect(resolve));
  assert.deepStrictEqual(Object.keys(cluster.workers), []);
  await Promise.all(exits);
  await new Promise((resolve) => cluster.disconnect(resolve));
});

test('worker.process.disconnect() closes the channel from the primary side', async () => {
  const w = await forkOnline(cluster);
  const events = record(w);
  w.process.disconnect();
  assert.strictEqual(w.process.connected, false);
  await once(w, 'exit');
  // Node's worker side exits 0 when its primary goes away.
  assert.deepStrictEqual(events, [['disconnect'], ['exit', 0, null]]);
  const err = await new Promise((resolve) => {
    w.once('error', resolve);
    w.process.disconnect();
  });
  assert.strictEqual(err.code, 'ERR_IPC_DISCONNECTED');
});

test('the primary lives while its workers do and exits by itself after', async () => {
  const r = await runPrimary(LIFECYCLE, { args: ['2', 'leave'] });
  assert.strictEqual(r.code, 0, r.stderr);
  const exits = r.lines.filter((l) => l.exit !== undefined);
  assert.strictEqual(exits.length, 2, JSON.stringify(r.lines));
  for (const e of exits) assert.deepStrictEqual([e.code, e.signal, e.after], [0, null, true]);
  assert.deepStrictEqual(r.lines[r.lines.length - 1], { primaryExit: true });
});

for (const signal of ['SIGTERM', 'SIGKILL']) {
  test(`a primary killed with ${signal} leaves no orphan worker`, async () => {
    let pids = null;
    const r = await runPrimary(LIFECYCLE, {
      args: ['2', 'listen'],
      onLine(line, child) {
        if (line.pids) pids = line.pids;
        if (line.listening) child.kill(signal);
      },
    });
    assert.strictEqual(r.signal, signal);
    assert.ok(pids && pids.length === 2);
    const gone = await waitFor(() => pids.every((p) => !isAlive(p)), 5000);
    if (!gone) for (const p of pids) if (isAlive(p)) process.kill(p, 'SIGKILL');
    assert.ok(gone, `workers ${pids} outlived their primary`);
  });
}

test('workers that come and go leave no descriptor behind in the primary', async () => {
  const count = () => require('fs').readdirSync('/proc/self/fd').length;
  // One round first, so that lazily created runtime descriptors exist.
  const warm = await forkOnline(cluster);
  await call(warm, 'listen', { port: 0, host: '127.0.0.1' });
  await killAll(cluster);
  const before = count();
  for (let i = 0; i < 5; i++) {
    cluster.setupPrimary({ exec: WORKER, silent: i % 2 === 1 });
    const w = await forkOnline(cluster);
    await call(w, 'listen', { port: 0, host: '127.0.0.1' });
    if (w.process.stdout) w.process.stdout.resume();
    if (w.process.stderr) w.process.stderr.resume();
    const closed = once(w.process, 'close');
    if (i % 2) w.disconnect(); else w.process.kill('SIGKILL');
    await closed;
  }
  cluster.setupPrimary({ silent: false });
  const settled = await waitFor(() => count() === before, 3000);
  assert.ok(settled, `descriptors: ${before} before, ${count()} after`);
});
