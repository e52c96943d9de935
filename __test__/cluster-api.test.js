'use strict';

// Node's primary API on forkpipe's cluster: flags, settings, setupPrimary,
// fork and the Worker's fields and events, in Node's order.

const test = require('node:test');
const assert = require('node:assert');
const { once } = require('events');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { ChildProcess } = require('child_process');
const { cluster } = require('..');
const { WORKER, call, forkOnline, killAll } = require('./helpers');

test.after(() => killAll(cluster));

test('the primary flags and constants read like Node\'s', () => {
  const node = require('node:cluster');
  assert.notStrictEqual(cluster, node);
  assert.strictEqual(cluster.isPrimary, true);
  assert.strictEqual(cluster.isMaster, true);
  assert.strictEqual(cluster.isWorker, false);
  assert.strictEqual(cluster.SCHED_NONE, node.SCHED_NONE);
  assert.strictEqual(cluster.SCHED_RR, node.SCHED_RR);
  assert.strictEqual(cluster.schedulingPolicy, cluster.SCHED_RR);
  assert.strictEqual(cluster.setupMaster, cluster.setupPrimary);
  assert.strictEqual(typeof cluster.Worker, 'function');
});

test('setupPrimary fills Node\'s defaults and emits setup on the next tick', async () => {
  let seen = null;
  cluster.once('setup', (s) => { seen = s; });
  cluster.setupPrimary({ exec: WORKER, args: ['--flag'] });
  assert.strictEqual(seen, null, 'setup must not fire synchronously');
  await new Promise((r) => process.nextTick(r));
  assert.strictEqual(seen, cluster.settings);
  assert.strictEqual(cluster.settings.exec, WORKER);
  assert.deepStrictEqual(cluster.settings.args, ['--flag']);
  assert.deepStrictEqual(cluster.settings.execArgv, process.execArgv);
  assert.strictEqual(cluster.settings.silent, false);
  cluster.setupPrimary({ args: [] });
  assert.strictEqual(cluster.settings.exec, WORKER, 'earlier settings are kept');
});

test('fork: fork, online and listening in order, worker fields as in Node', async () => {
  cluster.setupPrimary({ exec: WORKER, args: [] });
  const order = [];
  const onFork = (w) => order.push(['fork', w.id]);
  const onOnline = (w) => order.push(['online', w.id]);
  cluster.on('fork', onFork);
  cluster.on('online', onOnline);
  const worker = cluster.fork({ FORKPIPE_TEST_VALUE: 'abc' });
  assert.strictEqual(worker.state, 'none');
  assert.strictEqual(worker.exitedAfterDisconnect, undefined);
  assert.strictEqual(cluster.workers[worker.id], worker);
  assert.ok(worker.process instanceof ChildProcess);
  assert.ok(Number.isInteger(worker.process.pid) && worker.process.pid > 0);
  assert.strictEqual(worker.process.connected, true);
  assert.strictEqual(worker.isConnected(), true);
  assert.strictEqual(worker.isDead(), false);
  assert.strictEqual(worker.process.stdout, null, 'not silent: no pipes');
  await once(worker, 'online');
  assert.strictEqual(worker.state, 'online');
  assert.deepStrictEqual(order, [['fork', worker.id], ['online', worker.id]]);

  const listening = once(cluster, 'listening');
  const r = await call(worker, 'listen', { port: 0, host: '127.0.0.1' });
  const [w, address] = await listening;
  assert.strictEqual(w, worker);
  assert.deepStrictEqual(address, {
    addressType: 4, address: '127.0.0.1', port: r.address.port, fd: undefined,
  });
  assert.strictEqual(worker.state, 'listening');
  cluster.off('fork', onFork);
  cluster.off('online', onOnline);
  await killAll(cluster);
});

test('a worker gets its env, its id, and the channel on fd 3', async () => {
  cluster.setupPrimary({ exec: WORKER });
  const worker = await forkOnline(cluster, { FORKPIPE_TEST_VALUE: 'abc' });
  const r = await call(worker, 'fds');
  assert.strictEqual(r.value, 'abc');
  // Node's bootstrap took the channel from fd 3 and cleaned its variables up.
  assert.strictEqual(r.serialization, undefined);
  assert.ok(r.fds.some(([fd, target]) => fd === 3 && target.startsWith('socket:')));
  const helloWorker = cluster.fork({ FORKPIPE_TEST_HELLO: '1' });
  const [hello] = await once(helloWorker, 'message');
  assert.strictEqual(hello.hello, helloWorker.id);
  assert.strictEqual(hello.pid, helloWorker.process.pid);
  await killAll(cluster);
});

test('a worker inherits no descriptor but its stdio and the channel', async () => {
  cluster.setupPrimary({ exec: WORKER });
  const first = await forkOnline(cluster);
  await call(first, 'listen', { port: 0, host: '127.0.0.1' });
  const second = await forkOnline(cluster);
  const { fds } = await call(second, 'fds');
  const sockets = fds.filter(([fd, target]) => fd > 2 && target.startsWith('socket:'));
  assert.deepStrictEqual(sockets.map(([fd]) => fd), [3],
    `only the IPC channel may be a socket, got ${JSON.stringify(fds)}`);
  await killAll(cluster);
});

test('silent workers get pipes for stdin, stdout and stderr', async () => {
  cluster.setupPrimary({ exec: WORKER, silent: true });
  try {
    const worker = cluster.fork({ FORKPIPE_TEST_HELLO: '1' });
    assert.ok(worker.process.stdout && worker.process.stderr && worker.process.stdin);
    let out = '';
    worker.process.stdout.setEncoding('utf8');
    worker.process.stdout.on('data', (d) => { out += d; });
    await once(worker, 'online');
    worker.send({ id: 1, op: 'echo', value: 1 });
    await once(worker, 'message');
    // The worker's console goes to the pipe, not to our terminal.
    const closed = once(worker.process, 'close');
    worker.process.kill('SIGKILL');
    await closed;
    assert.strictEqual(out, '');
  } finally {
    cluster.setupPrimary({ silent: false });
  }
});

test('silent worker output arrives on worker.process.stdout', async () => {
  cluster.setupPrimary({ exec: require.resolve('./fixtures/print.js'), silent: true });
  try {
    const worker = cluster.fork();
    let out = '';
    worker.process.stdout.setEncoding('utf8');
    worker.process.stdout.on('data', (d) => { out += d; });
    let err = '';
    worker.process.stderr.setEncoding('utf8');
    worker.process.stderr.on('data', (d) => { err += d; });
    const [code] = await once(worker.process, 'close');
    assert.strictEqual(code, 0);
    assert.strictEqual(out, `out ${worker.id}\n`);
    assert.strictEqual(err, `err ${worker.id}\n`);
  } finally {
    cluster.setupPrimary({ silent: false, exec: WORKER });
  }
});

test('silent stdio are native streams: 8 MiB through a worker into a native file, byte for byte', async (t) => {
  const forkpipe = require('..');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forkpipe-stdio-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const target = path.join(dir, 'out.bin');
  const input = crypto.randomBytes(8 << 20);
  cluster.setupPrimary({ exec: require.resolve('./fixtures/stdio-echo.js'), silent: true });
  try {
    const worker = cluster.fork();
    const { stdin, stdout, stderr } = worker.process;
    assert.ok(stdin instanceof forkpipe.stream.Writable);
    assert.ok(stdout instanceof forkpipe.stream.Readable);
    assert.ok(stderr instanceof forkpipe.stream.Readable);
    stderr.resume();
    const file = forkpipe.fs.createWriteStream(target);
    const copied = forkpipe.stream.promises.pipeline(stdout, file);
    stdin.end(input);
    const [code] = await once(worker.process, 'close');
    await copied;
    assert.strictEqual(code, 0);
    assert.strictEqual(file.bytesWritten, input.length);
    const hash = (b) => crypto.createHash('sha256').update(b).digest('hex');
    assert.strictEqual(hash(fs.readFileSync(target)), hash(input));
  } finally {
    cluster.setupPrimary({ silent: false, exec: WORKER });
  }
});

test('cluster.Worker works with and without new', () => {
  const a = new cluster.Worker();
  assert.strictEqual(a.state, 'none');
  assert.strictEqual(a.id, 0);
  const b = cluster.Worker({ id: 3, state: 'online' });
  assert.ok(b instanceof cluster.Worker);
  assert.strictEqual(b.id, 3);
  assert.strictEqual(b.state, 'online');
});
