'use strict';

// listen() in workers: round-robin through the Rust primary for net, http
// and https over IPv4 and IPv6; port 0 sharing; Node's bind errors;
// releasing a server; refused connections; the `none` policy.

const test = require('node:test');
const assert = require('node:assert');
const https = require('https');
const net = require('net');
const os = require('os');
const path = require('path');
const fs = require('fs');
const { once } = require('events');
const { cluster } = require('..');
const {
  WORKER, call, forkOnline, killAll, get, tcpRead, runPrimary, freePort,
} = require('./helpers');

const PRIMARY = path.join(__dirname, 'fixtures', 'primary.js');

test.beforeEach(() => cluster.setupPrimary({ exec: WORKER }));
test.afterEach(() => killAll(cluster));

function workerOf(body) {
  return Number(/^worker (\d+)/.exec(body)[1]);
}

test('http on a fixed port: every request answered, spread over both workers', async () => {
  const port = await freePort();
  const a = await forkOnline(cluster);
  const b = await forkOnline(cluster);
  const ra = await call(a, 'listen', { port, host: '127.0.0.1' });
  const rb = await call(b, 'listen', { port, host: '127.0.0.1' });
  assert.deepStrictEqual(ra.address, { address: '127.0.0.1', family: 'IPv4', port });
  assert.deepStrictEqual(rb.address, ra.address);
  const count = { [a.id]: 0, [b.id]: 0 };
  for (let i = 0; i < 40; i++) {
    const r = await get(port);
    assert.strictEqual(r.status, 200);
    count[workerOf(r.body)]++;
  }
  assert.strictEqual(count[a.id] + count[b.id], 40);
  assert.ok(count[a.id] >= 10 && count[b.id] >= 10, `spread ${JSON.stringify(count)}`);
});

test('port 0 under one key is one real port shared by the workers', async () => {
  const a = await forkOnline(cluster);
  const b = await forkOnline(cluster);
  const ra = await call(a, 'listen', { port: 0, host: '127.0.0.1' });
  const rb = await call(b, 'listen', { port: 0, host: '127.0.0.1' });
  assert.ok(ra.address.port > 0);
  assert.strictEqual(rb.address.port, ra.address.port);
  const seen = new Set();
  for (let i = 0; i < 10; i++) seen.add(workerOf((await get(ra.address.port)).body));
  assert.deepStrictEqual([...seen].sort(), [a.id, b.id].sort());
  // A second port-0 server in the same worker is a server of its own.
  const ra2 = await call(a, 'listen', { port: 0, host: '127.0.0.1' });
  assert.notStrictEqual(ra2.address.port, ra.address.port);
});

test('raw TCP and IPv6 (::1)', async (t) => {
  const hasV6 = Object.values(os.networkInterfaces()).flat()
    .some((i) => i && i.family === 'IPv6' && i.internal);
  const w = await forkOnline(cluster);
  const tcp = await call(w, 'listen', { kind: 'net', port: 0, host: '127.0.0.1' });
  assert.strictEqual(await tcpRead(tcp.address.port), `worker ${w.id} net`);
  if (!hasV6) {
    t.skip('this machine has no IPv6 loopback');
    return;
  }
  const v6 = await call(w, 'listen', { port: 0, host: '::1' });
  assert.deepStrictEqual(v6.address, { address: '::1', family: 'IPv6', port: v6.address.port });
  const r = await get(v6.address.port, { host: '::1' });
  assert.strictEqual(r.body, `worker ${w.id} http`);
});

test('listen() with no host binds the wildcard like Node (:: when IPv6 is there)', async () => {
  const w = await forkOnline(cluster);
  const r = await call(w, 'listen', { port: 0 });
  assert.ok(r.address.address === '::' || r.address.address === '0.0.0.0');
  assert.strictEqual((await get(r.address.port)).body, `worker ${w.id} http`);
});

test('https servers work through the primary', async () => {
  const w = await forkOnline(cluster);
  const r = await call(w, 'listen', { kind: 'https', port: 0, host: '127.0.0.1' });
  const ca = fs.readFileSync(path.join(__dirname, 'fixtures', 'tls', 'cert.pem'));
  const body = await new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port: r.address.port, ca, agent: false }, (res) => {
      let b = '';
      res.on('data', (d) => { b += d; });
      res.on('end', () => resolve(b));
    }).on('error', reject);
  });
  assert.strictEqual(body, `worker ${w.id} https`);
});

test('a port in use reaches the worker\'s server as Node\'s EADDRINUSE', async () => {
  const blocker = net.createServer().listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const { port } = blocker.address();
  try {
    const w = await forkOnline(cluster);
    const r = await call(w, 'listen', { port, host: '127.0.0.1' });
    assert.strictEqual(r.error.code, 'EADDRINUSE');
    assert.strictEqual(r.error.message, `bind EADDRINUSE 127.0.0.1:${port}`);
    // The worker is still usable: the failed key was not kept.
    blocker.close();
    await once(blocker, 'close');
    const again = await call(w, 'listen', { port, host: '127.0.0.1' });
    assert.strictEqual(again.address.port, port);
  } finally {
    blocker.close();
  }
});

test('an address this host does not have gives EADDRNOTAVAIL', async () => {
  const w = await forkOnline(cluster);
  const r = await call(w, 'listen', { port: 0, host: '192.0.2.1' });
  assert.strictEqual(r.error.code, 'EADDRNOTAVAIL');
});

test('close() in a worker releases its share; the last one closes the socket', async () => {
  const a = await forkOnline(cluster);
  const b = await forkOnline(cluster);
  const ra = await call(a, 'listen', { port: 0, host: '127.0.0.1' });
  const rb = await call(b, 'listen', { port: 0, host: '127.0.0.1' });
  const { port } = ra.address;
  await call(a, 'close', { server: ra.server });
  for (let i = 0; i < 6; i++) assert.strictEqual(workerOf((await get(port)).body), b.id);
  await call(b, 'close', { server: rb.server });
  await assert.rejects(get(port), { code: 'ECONNREFUSED' });
});

test('a connection the worker refuses goes to another worker', async () => {
  const a = await forkOnline(cluster);
  const ra = await call(a, 'listen', { kind: 'hold', port: 0, host: '127.0.0.1', maxConnections: 1 });
  const { port } = ra.address;
  const held = net.connect(port, '127.0.0.1');
  held.setEncoding('utf8');
  const [first] = await once(held, 'data');
  assert.strictEqual(first, `worker ${a.id} hold`);
  const b = await forkOnline(cluster);
  await call(b, 'listen', { kind: 'hold', port: 0, host: '127.0.0.1' });
  for (let i = 0; i < 6; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.setEncoding('utf8');
    const [data] = await once(s, 'data');
    assert.strictEqual(data, `worker ${b.id} hold`);
    s.end();
  }
  held.end();
});

test('unix socket paths', async () => {
  const sock = path.join(os.tmpdir(), `forkpipe-${process.pid}.sock`);
  const a = await forkOnline(cluster);
  const b = await forkOnline(cluster);
  await call(a, 'listen', { kind: 'net', path: sock });
  await call(b, 'listen', { kind: 'net', path: sock });
  const seen = new Set();
  for (let i = 0; i < 8; i++) seen.add(workerOf(await tcpRead(sock)));
  assert.strictEqual(seen.size, 2);
  await killAll(cluster);
  assert.strictEqual(fs.existsSync(sock), false, 'the socket file goes with the server');
});

test('exclusive listen() bypasses the primary', async () => {
  const w = await forkOnline(cluster);
  const r = await call(w, 'listen', { port: 0, host: '127.0.0.1', exclusive: true });
  assert.strictEqual((await get(r.address.port)).body, `worker ${w.id} http`);
});

test('the none policy hands the listening socket itself to the workers', async () => {
  const plan = { policy: 'none', workers: 2, listen: { kind: 'net', port: 0, host: '127.0.0.1' },
    requests: 20 };
  const r = await runPrimary(PRIMARY, { args: [JSON.stringify(plan)] });
  assert.strictEqual(r.code, 0, r.stderr);
  const answers = r.lines.find((l) => l.answers).answers;
  assert.strictEqual(Object.values(answers).reduce((x, y) => x + y, 0), 20);
  const viaEnv = await runPrimary(PRIMARY, { args: [JSON.stringify({ ...plan, policy: undefined })],
    env: { NODE_CLUSTER_SCHED_POLICY: 'none' } });
  assert.strictEqual(viaEnv.code, 0, viaEnv.stderr);
  assert.ok(viaEnv.lines.some((l) => l.answers));
});

test('a primary that may not bind a low port reports EACCES to the worker',
  { skip: process.getuid() !== 0 && 'needs root to start a primary as another user' },
  async () => {
    // As root every port is allowed, so run the primary as "nobody".
    const plan = { workers: 1, listen: { port: 81, host: '127.0.0.1' } };
    const r = await runPrimary(PRIMARY, { args: [JSON.stringify(plan)], uid: 65534, gid: 65534 });
    const err = r.lines.find((l) => l.error);
    assert.ok(err, `no error reported: ${JSON.stringify(r.lines)} ${r.stderr}`);
    assert.strictEqual(err.error.code, 'EACCES');
    assert.strictEqual(r.code, 0, r.stderr);
  });
