'use strict';

// Bad input gets Node's errors; a worker that breaks the IPC protocol gets
// an 'error' and loses its channel while the primary and the other workers
// go on serving.

const test = require('node:test');
const assert = require('node:assert');
const childProcess = require('child_process');
const { once } = require('events');
const { cluster } = require('..');
const { WORKER, call, forkOnline, killAll, get } = require('./helpers');

test.beforeEach(() => cluster.setupPrimary({ exec: WORKER, serialization: 'json' }));
test.afterEach(() => killAll(cluster));

// Node's own error for the same mistake, from its child_process.fork().
function nodeErrorFor(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('Node accepted it');
}

function sameError(actual, expected) {
  assert.strictEqual(actual.code, expected.code);
  assert.strictEqual(actual.name, expected.name);
  assert.strictEqual(actual.message, expected.message);
}

test('send() rejects what Node\'s send() rejects, with the same errors', async () => {
  const w = await forkOnline(cluster);
  const ref = childProcess.fork(WORKER, { stdio: ['ignore', 'ignore', 'ignore', 'ipc'] });
  try {
    for (const args of [[undefined], [() => {}], [Symbol('s')], ['x', null, 5]]) {
      sameError(nodeErrorFor(() => w.send(...args)), nodeErrorFor(() => ref.send(...args)));
    }
    sameError(nodeErrorFor(() => w.send('x', {})), nodeErrorFor(() => ref.send('x', {})));
    assert.throws(() => w.send({ big: 1n }), TypeError);
  } finally {
    ref.kill('SIGKILL');
  }
});

test('kill() with an unknown signal throws ERR_UNKNOWN_SIGNAL', async () => {
  const w = await forkOnline(cluster);
  sameError(nodeErrorFor(() => w.process.kill('SIGNOPE')),
    nodeErrorFor(() => process.kill(process.pid, 'SIGNOPE')));
  assert.throws(() => w.kill(-5), { code: 'ERR_UNKNOWN_SIGNAL' });
  assert.strictEqual(w.isDead(), false);
});

test('fork() with bad settings throws as child_process.fork() does', () => {
  const cases = [
    { stdio: 'bogus' },
    { stdio: ['pipe', 'pipe', 'pipe'] },
    { serialization: 'xml' },
    { args: 'x' },
    { uid: 'root' },
  ];
  try {
    for (const bad of cases) {
      cluster.setupPrimary({ exec: WORKER, ...bad });
      const { args, ...forkOptions } = bad;
      const expected = nodeErrorFor(() => childProcess.fork(WORKER, args, forkOptions));
      sameError(nodeErrorFor(() => cluster.fork()), expected);
      cluster.setupPrimary({ exec: WORKER, stdio: undefined, serialization: 'json',
        args: [], uid: undefined });
    }
    // Node spreads a string execArgv into characters; forkpipe refuses it.
    cluster.setupPrimary({ execArgv: 'nope' });
    assert.throws(() => cluster.fork(), { code: 'ERR_INVALID_ARG_TYPE' });
  } finally {
    cluster.setupPrimary({ exec: WORKER, stdio: undefined, serialization: 'json',
      execArgv: process.execArgv, args: [], uid: undefined });
  }
  assert.deepStrictEqual(Object.keys(cluster.workers), []);
});

async function misbehave(raw) {
  const good = await forkOnline(cluster);
  const bad = await forkOnline(cluster);
  const port = (await call(good, 'listen', { port: 0, host: '127.0.0.1' })).address.port;
  await call(bad, 'listen', { port, host: '127.0.0.1' });
  const error = once(bad, 'error');
  // Not events.once: it would reject on the 'error' this test expects.
  const exit = new Promise((resolve) => bad.once('exit', resolve));
  bad.send({ id: 1, ...raw });
  const [err] = await error;
  await exit;
  assert.strictEqual(bad.isConnected(), false);
  // The primary and the well-behaved worker still serve every request.
  for (let i = 0; i < 6; i++) {
    assert.strictEqual((await get(port)).body, `worker ${good.id} http`);
  }
  return err;
}

test('a non-JSON line from a worker: error, disconnect, the rest keeps serving', async () => {
  const err = await misbehave({ op: 'raw', data: Buffer.from('garbage{\n').toString('base64') });
  assert.strictEqual(err.code, 'ERR_FORKPIPE_IPC_PROTOCOL');
  assert.match(err.message, /invalid JSON/);
});

test('a NODE_HANDLE line without a descriptor is a protocol error', async () => {
  const line = `${JSON.stringify({ cmd: 'NODE_HANDLE', type: 'net.Socket', msg: { a: 1 } })}\n`;
  const err = await misbehave({ op: 'raw', data: Buffer.from(line).toString('base64') });
  assert.match(err.message, /without a descriptor/);
});

test('a 100 MiB line exceeds the message limit', async () => {
  const err = await misbehave({ op: 'rawRepeat', mib: 100 });
  assert.match(err.message, /exceeds the limit/);
});

test('undecodable advanced-mode data is a protocol error', async () => {
  cluster.setupPrimary({ serialization: 'advanced' });
  const frame = Buffer.from([0, 0, 0, 3, 0xff, 0x0f, 0x01]);
  const err = await misbehave({ op: 'raw', data: frame.toString('base64') });
  assert.strictEqual(err.code, 'ERR_FORKPIPE_IPC_PROTOCOL');
});

test('with no error listener the primary warns instead of crashing', async () => {
  const w = await forkOnline(cluster);
  const warning = once(process, 'warning');
  const exit = new Promise((resolve) => w.once('exit', resolve));
  w.send({ id: 1, op: 'raw', data: Buffer.from('nope\n').toString('base64') });
  const [warn] = await warning;
  assert.strictEqual(warn.code, 'ERR_FORKPIPE_IPC_PROTOCOL');
  await exit;
});

test('a worker that dies before it is online is reported, not waited for', async () => {
  cluster.setupPrimary({ exec: require.resolve('./fixtures/crash.js') });
  const w = cluster.fork();
  const [code, signal] = await once(w, 'exit');
  assert.strictEqual(code, 3);
  assert.strictEqual(signal, null);
  assert.strictEqual(w.state, 'dead');
});
