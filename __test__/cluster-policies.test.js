'use strict';

// Every scheduling policy delivers each connection exactly once; ip-hash
// is sticky; a worker that dies loses no connection the primary still
// held; the in-flight limit holds; UDP; bad policy names.

const test = require('node:test');
const assert = require('node:assert');
const dgram = require('dgram');
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');
const { once } = require('events');
const { cluster } = require('..');
const { ROOT, WORKER, isAlive, waitFor, onLines } = require('./helpers');

const PRIMARY = path.join(__dirname, 'fixtures', 'policy-primary.js');

// Starts a policy primary; resolves once its workers listen.
async function startPrimary(t, plan, env = {}) {
  const child = spawn(process.execPath, [PRIMARY, JSON.stringify(plan)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting = new Map();
  let ready;
  const readyP = new Promise((resolve) => { ready = resolve; });
  onLines(child.stdout, (msg) => {
    if (msg.ready || msg.error) ready(msg);
    else if (waiting.has(msg.re)) {
      waiting.get(msg.re)(msg);
      waiting.delete(msg.re);
    }
  });
  let nextId = 1;
  const command = (cmd) => new Promise((resolve) => {
    const id = nextId++;
    waiting.set(id, resolve);
    child.stdin.write(`${JSON.stringify({ id, ...cmd })}\n`);
  });
  const info = await readyP;
  t.after(async () => {
    for (const pid of [child.pid, ...(info.pids || [])]) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
  assert.ok(info.ready, JSON.stringify(info));
  return { child, command, ...info };
}

// Connects (optionally from a given local address), returns what the
// worker wrote before closing.
function ask(port, localAddress) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    let data = '';
    s.setEncoding('utf8');
    s.setTimeout(10000, () => s.destroy(new Error('no answer within 10 s')));
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

const workerOf = (answer) => Number(/^worker (\d+)/.exec(answer)[1]);

async function askMany(port, n, concurrency = 20) {
  const answers = [];
  let next = 0;
  async function lane() {
    while (next < n) {
      next++;
      answers.push(await ask(port));
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane));
  return answers;
}

for (const policy of ['rr', 'none', 'reuseport', 'least-connections', 'ip-hash']) {
  test(`${policy}: 200 connections, each answered once`, async (t) => {
    const p = await startPrimary(t, { policy, workers: 2,
      listen: { kind: 'net', port: 0, host: '127.0.0.1' } });
    const answers = await askMany(p.port, 200);
    assert.strictEqual(answers.length, 200);
    for (const a of answers) assert.ok(p.ids.includes(workerOf(a)), a);
    // The primary may read a worker's `accepted` a moment after the client
    // has its answer: the counts are read once they stop moving.
    let stats;
    await waitFor(async () => {
      ({ stats } = await p.command({ cmd: 'stats' }));
      return stats.inFlight === 0;
    }, 3000, 50);
    assert.strictEqual(stats.policy, policy);
    if (policy === 'rr' || policy === 'least-connections') {
      const dispatched = Object.values(stats.workers).reduce((s, w) => s + w.dispatched, 0);
      const accepted = Object.values(stats.workers).reduce((s, w) => s + w.accepted, 0);
      assert.strictEqual(dispatched, 200);
      assert.strictEqual(accepted, 200);
      const counts = p.ids.map((id) => answers.filter((a) => workerOf(a) === id).length);
      assert.ok(Math.min(...counts) > 0, `one worker got nothing: ${counts}`);
    }
  });
}

test('ip-hash sends each client address to one worker, always', async (t) => {
  const p = await startPrimary(t, { policy: 'ip-hash', workers: 3,
    listen: { kind: 'net', port: 0, host: '0.0.0.0' } });
  const byAddress = new Map();
  for (let host = 2; host <= 13; host++) {
    const addr = `127.0.0.${host}`;
    const seen = new Set();
    for (let i = 0; i < 5; i++) seen.add(workerOf(await ask(p.port, addr)));
    assert.strictEqual(seen.size, 1, `${addr} reached workers ${[...seen]}`);
    byAddress.set(addr, [...seen][0]);
  }
  assert.ok(new Set(byAddress.values()).size > 1, 'every client landed on one worker');

  // Killing one worker moves only its clients.
  const victimIndex = p.ids.indexOf(byAddress.get('127.0.0.2'));
  await p.command({ cmd: 'kill', worker: victimIndex });
  for (const [addr, before] of byAddress) {
    const now = workerOf(await ask(p.port, addr));
    if (before !== p.ids[victimIndex]) assert.strictEqual(now, before, `${addr} moved`);
    else assert.notStrictEqual(now, before);
  }
});

test('least-connections sends new connections to the worker with fewer open', async (t) => {
  const p = await startPrimary(t, { policy: 'least-connections', workers: 2,
    listen: { kind: 'hold', port: 0, host: '127.0.0.1' } });
  const held = [];
  const first = async () => {
    const s = net.connect(p.port, '127.0.0.1');
    s.setEncoding('utf8');
    const [data] = await once(s, 'data');
    held.push({ s, worker: workerOf(data) });
  };
  for (let i = 0; i < 6; i++) await first();
  const count = (id) => held.filter((h) => h.worker === id).length;
  assert.deepStrictEqual(p.ids.map(count), [3, 3]);
  // Close everything held by the first worker: it is now the least loaded.
  for (const h of held.filter((x) => x.worker === p.ids[0])) h.s.end();
  const closed = await waitFor(async () => {
    const { stats } = await p.command({ cmd: 'stats' });
    return stats.workers[p.ids[0]].open === 0 && stats.workers[p.ids[1]].open === 3;
  }, 5000, 20);
  assert.ok(closed, 'open counts did not settle');
  const next = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect(p.port, '127.0.0.1');
    s.setEncoding('utf8');
    const [data] = await once(s, 'data');
    next.push(workerOf(data));
    held.push({ s, worker: workerOf(data) });
  }
  assert.deepStrictEqual(next, [p.ids[0], p.ids[0], p.ids[0]]);
  for (const h of held) h.s.destroy();
});

for (const policy of ['rr', 'reuseport']) {
  test(`${policy}: a worker that dies loses no connection the primary still held`, async (t) => {
    const p = await startPrimary(t, { policy, workers: 2,
      listen: { kind: 'net', port: 0, host: '127.0.0.1' } });
    // The first worker stops looking at anything: what reaches it waits.
    p.command({ cmd: 'op', worker: 0, op: { op: 'block', ms: 60000 } });
    await new Promise((r) => setTimeout(r, 100));
    const pending = Array.from({ length: 40 }, () => ask(p.port));
    await new Promise((r) => setTimeout(r, 500));
    await p.command({ cmd: 'kill', worker: 0 });
    const answers = await Promise.all(pending);
    assert.strictEqual(answers.length, 40);
    for (const a of answers) assert.strictEqual(workerOf(a), p.ids[1]);
  });
}

test('the in-flight limit holds: the rest waits in the backlog, then is served', async (t) => {
  const p = await startPrimary(t, { policy: 'rr', workers: 2,
    listen: { kind: 'net', port: 0, host: '127.0.0.1' },
    settings: { maxInFlight: 10, maxInFlightPerWorker: 2 } });
  // Both workers busy for a while: connections pile up in the primary.
  const busy = [0, 1].map((worker) => p.command({ cmd: 'op', worker, op: { op: 'block', ms: 1500 } }));
  await new Promise((r) => setTimeout(r, 100));
  const answers = Promise.all(Array.from({ length: 60 }, () => ask(p.port)));
  await new Promise((r) => setTimeout(r, 800));
  const during = (await p.command({ cmd: 'stats' })).stats;
  assert.ok(during.inFlight <= 10 && during.inFlight > 0, `in flight ${during.inFlight}`);
  await Promise.all(busy);
  assert.strictEqual((await answers).length, 60);
  // A worker acknowledges a handle before it answers on it, but the primary
  // may read that acknowledgement a moment after the client has its answer.
  let after;
  const settled = await waitFor(async () => {
    after = (await p.command({ cmd: 'stats' })).stats;
    return after.inFlight === 0;
  }, 3000, 50);
  assert.ok(after.peakInFlight <= 10, `peak ${after.peakInFlight} over the limit of 10`);
  assert.ok(settled, `${after.inFlight} still in flight after every answer`);
});

test('UDP sockets bound in workers share one port', async (t) => {
  const p = await startPrimary(t, { policy: 'rr', workers: 2,
    listen: { kind: 'udp', port: 0, host: '127.0.0.1' } });
  const client = dgram.createSocket('udp4');
  t.after(() => client.close());
  const replies = [];
  client.on('message', (m) => replies.push(String(m)));
  for (let i = 0; i < 20; i++) client.send(`n${i}`, p.port, '127.0.0.1');
  assert.ok(await waitFor(() => replies.length === 20, 5000), `${replies.length} of 20 replies`);
  for (const r of replies) assert.match(r, /^worker \d+ udp n\d+$/);
});

test('bad policy names throw an error that names the valid ones', async (t) => {
  const r = spawn(process.execPath, ['-e', `
    const { cluster } = require(${JSON.stringify(ROOT)});
    try { cluster.setupPrimary({ exec: ${JSON.stringify(WORKER)} }); cluster.fork(); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }`], {
    env: { ...process.env, FORKPIPE_SCHED_POLICY: 'fastest' }, stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  r.stdout.on('data', (d) => { out += d; });
  await once(r, 'close');
  const err = JSON.parse(out);
  assert.strictEqual(err.code, 'ERR_INVALID_ARG_VALUE');
  assert.match(err.message, /FORKPIPE_SCHED_POLICY/);
  for (const name of ['rr', 'none', 'reuseport', 'least-connections', 'ip-hash']) {
    assert.ok(err.message.includes(`'${name}'`), err.message);
  }
  // The same rule for settings.schedulingPolicy, checked in this process
  // before its policy is fixed by a fork.
  assert.throws(() => cluster.setupPrimary({ exec: WORKER, schedulingPolicy: 'random' }),
    { code: 'ERR_INVALID_ARG_VALUE', message: /'least-connections'/ });
});
