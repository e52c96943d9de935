'use strict';

// worker.send / process.send both ways: order under a burst, large
// messages, advanced serialization, internal messages kept internal,
// handles passed to workers, and sending to a dead worker.

const test = require('node:test');
const assert = require('node:assert');
const net = require('net');
const { once } = require('events');
const { cluster } = require('..');
const { WORKER, call, forkOnline, killAll } = require('./helpers');

test.beforeEach(() => cluster.setupPrimary({ exec: WORKER, serialization: 'json' }));
test.afterEach(() => killAll(cluster));

test('messages both ways, with cluster\'s message event', async () => {
  const w = await forkOnline(cluster);
  const seen = once(cluster, 'message');
  const r = await call(w, 'echo', { value: { nested: [1, 'two', null, true] } });
  assert.deepStrictEqual(r.value, { nested: [1, 'two', null, true] });
  const [worker, message, handle] = await seen;
  assert.strictEqual(worker, w);
  assert.strictEqual(message.re, r.re);
  assert.strictEqual(handle, undefined);
});

test('10,000 messages each way keep their order', async () => {
  const w = await forkOnline(cluster);
  const got = [];
  const done = new Promise((resolve) => {
    w.on('message', (m) => {
      if (m && m.burst !== undefined) got.push(m.burst);
      if (m && m.re === 'burst') resolve();
    });
  });
  w.send({ id: 'burst', op: 'burst', count: 10000 });
  await done;
  assert.strictEqual(got.length, 10000);
  assert.ok(got.every((v, i) => v === i), 'worker → primary out of order');

  // primary → worker: the worker echoes each; replies must come back in order.
  const replies = [];
  const all = new Promise((resolve) => {
    w.on('message', (m) => {
      if (m && typeof m.re === 'number' && m.re >= 1e6) {
        replies.push(m.value);
        if (replies.length === 10000) resolve();
      }
    });
  });
  for (let i = 0; i < 10000; i++) w.send({ id: 1e6 + i, op: 'echo', value: i });
  await all;
  assert.ok(replies.every((v, i) => v === i), 'primary → worker out of order');
});

test('a 1 MiB message arrives whole', async () => {
  const w = await forkOnline(cluster);
  const r = await call(w, 'big', { size: 1 << 20 });
  assert.strictEqual(r.value.length, 1 << 20);
  assert.ok(/^x+$/.test(r.value));
  const big = 'y'.repeat(1 << 20);
  const back = await call(w, 'echo', { value: big });
  assert.strictEqual(back.value, big);
});

test('advanced serialization keeps Map, Set, BigInt, Date and Buffer', async () => {
  cluster.setupPrimary({ serialization: 'advanced' });
  const w = await forkOnline(cluster);
  const value = {
    map: new Map([['a', 1], [2, { b: true }]]),
    set: new Set([1, 'x']),
    big: 2n ** 70n,
    date: new Date(1700000000000),
    buf: Buffer.from('héllo'),
    text: 'ünïcode ✓',
  };
  const r = await call(w, 'echo', { value });
  assert.deepStrictEqual(r.value, value);
  assert.ok(Buffer.isBuffer(r.value.buf));
  // The protocol still runs in advanced mode: the worker can listen.
  const l = await call(w, 'listen', { port: 0, host: '127.0.0.1' });
  assert.ok(l.address.port > 0);
});

test('internal NODE_ messages never reach message listeners', async () => {
  const w = await forkOnline(cluster);
  const seen = [];
  w.on('message', (m) => seen.push(m));
  await call(w, 'listen', { port: 0, host: '127.0.0.1' });
  // A user message whose cmd starts with NODE_ is internal too, as in Node.
  w.send({ id: 9, op: 'echo', value: { cmd: 'NODE_PRIVATE', x: 1 } });
  await call(w, 'echo', { value: 'after' });
  assert.ok(seen.every((m) => !(m && typeof m.cmd === 'string' && m.cmd.startsWith('NODE_'))),
    JSON.stringify(seen));
  assert.strictEqual(seen.length, 3, JSON.stringify(seen));
});

test('send() callback fires once the message is written', async () => {
  const w = await forkOnline(cluster);
  const err = await new Promise((resolve) => w.send({ id: 'cb', op: 'echo', value: 1 }, resolve));
  assert.strictEqual(err, null);
});

test('sending to a dead worker reports ERR_IPC_CHANNEL_CLOSED as Node does', async () => {
  const w = await forkOnline(cluster);
  const exited = once(w, 'exit');
  w.process.kill('SIGKILL');
  await exited;
  assert.strictEqual(w.isConnected(), false);
  const viaCallback = await new Promise((resolve) => {
    assert.strictEqual(w.send('late', resolve), false);
  });
  assert.strictEqual(viaCallback.code, 'ERR_IPC_CHANNEL_CLOSED');
  const viaEvent = once(w, 'error');
  assert.strictEqual(w.send('late'), false);
  const [err] = await viaEvent;
  assert.strictEqual(err.code, 'ERR_IPC_CHANNEL_CLOSED');
  assert.strictEqual(err.message, 'Channel closed');
});

test('a socket sent to a worker is served there', async () => {
  const w = await forkOnline(cluster);
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = net.connect(server.address().port, '127.0.0.1');
  const [socket] = await once(server, 'connection');
  const got = once(w, 'message');
  w.send({ kind: 'socket' }, socket);
  client.setEncoding('utf8');
  const [data] = await once(client, 'data');
  assert.strictEqual(data, `worker ${w.id} got-handle`);
  const [m] = await got;
  assert.deepStrictEqual(m, { gotHandle: { kind: 'socket' } });
  client.destroy();
  server.close();
});

test('a socket a worker sends arrives as a net.Socket', async () => {
  const w = await forkOnline(cluster);
  const server = net.createServer((s) => s.end('from test server'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const [, handle] = await new Promise((resolve) => {
    w.on('message', function onMsg(m, h) {
      if (m && m.socket) {
        w.off('message', onMsg);
        resolve([m, h]);
      }
    });
    w.send({ id: 'sock', op: 'sendSocket', port: server.address().port });
  });
  assert.ok(handle instanceof net.Socket);
  handle.setEncoding('utf8');
  let data = '';
  handle.on('data', (d) => { data += d; });
  await once(handle, 'end');
  assert.strictEqual(data, 'from test server');
  server.close();
});
