'use strict';

// `forkpipe <script>` (bin/forkpipe.js): an unmodified server run in
// workers, replaced when they die, reloaded on SIGHUP without a failed
// request, stopped on SIGINT/SIGTERM; and its command-line errors.

const test = require('node:test');
const assert = require('node:assert');
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { ROOT, get, isAlive, waitFor, freePort } = require('./helpers');

const BIN = path.join(ROOT, 'bin', 'forkpipe.js');
const SERVER = path.join(__dirname, 'fixtures', 'cli-server.js');
const HOLD = path.join(__dirname, 'fixtures', 'cli-hold.js');
const CRASH = path.join(__dirname, 'fixtures', 'crash.js');
const FLAKY = path.join(__dirname, 'fixtures', 'cli-flaky.js');
const DONE = path.join(__dirname, 'fixtures', 'cli-done.js');

// Pids whose parent is `pid`, from /proc.
function childrenOf(pid) {
  const kids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch { /* gone meanwhile */ }
  }
  return kids;
}

// Starts the runner; whatever it and its workers are at the end of the
// test is killed by pid.
function run(t, args, env = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, FORKPIPE_SCHED_POLICY: '', NODE_CLUSTER_SCHED_POLICY: '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  const seen = new Set();
  t.after(() => {
    for (const pid of [...childrenOf(child.pid), ...seen, child.pid]) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
  return {
    child,
    exited,
    seen,
    stderr: () => stderr,
    workers: () => childrenOf(child.pid),
  };
}

async function ask(runner, port) {
  const { status, body } = await get(port);
  assert.strictEqual(status, 200);
  const answer = JSON.parse(body);
  runner.seen.add(answer.pid);
  return answer;
}

// Asks until answers have come from `n` different workers.
async function answeringPids(runner, port, n) {
  const pids = new Set();
  const ok = await waitFor(async () => {
    try {
      pids.add((await ask(runner, port)).pid);
    } catch { /* not listening yet */ }
    return pids.size >= n;
  }, 10000, 10);
  assert.ok(ok, `answers came from ${pids.size} workers, not ${n}: ${runner.stderr()}`);
  return pids;
}

function within(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

test('an unmodified server runs in N workers with its arguments, and stops on SIGTERM', async (t) => {
  const port = await freePort();
  const runner = run(t, ['--workers', '3', SERVER, 'one', '--two'], { PORT: String(port) });
  const pids = await answeringPids(runner, port, 3);
  const answer = await ask(runner, port);
  assert.deepStrictEqual(answer.args, ['one', '--two']);
  assert.deepStrictEqual([...pids].sort(), runner.workers().sort());

  runner.child.kill('SIGTERM');
  const { code, signal } = await within(runner.exited, 10000, 'stopping');
  assert.deepStrictEqual({ code, signal }, { code: 0, signal: null });
  for (const pid of pids) assert.ok(!isAlive(pid), `worker ${pid} outlived the runner`);
  assert.match(runner.stderr(), /SIGTERM: stopping 3 workers/);
});

test('a worker that dies is replaced', async (t) => {
  const port = await freePort();
  const runner = run(t, ['-w', '2', SERVER], { PORT: String(port) });
  const pids = [...await answeringPids(runner, port, 2)];
  process.kill(pids[0], 'SIGKILL');
  const replaced = await waitFor(() => {
    const now = runner.workers();
    return now.length === 2 && !now.includes(pids[0]);
  }, 10000);
  assert.ok(replaced, `workers now: ${runner.workers()}; ${runner.stderr()}`);
  const fresh = runner.workers().find((pid) => pid !== pids[1]);
  const answered = await waitFor(async () => (await ask(runner, port)).pid === fresh, 10000, 10);
  assert.ok(answered, 'the new worker never answered');
  assert.match(runner.stderr(), /was killed by SIGKILL; starting another/);

  runner.child.kill('SIGINT');
  const { code } = await within(runner.exited, 10000, 'stopping');
  assert.strictEqual(code, 0);
});

test('SIGHUP replaces every worker while requests keep coming, and none fails', async (t) => {
  const port = await freePort();
  const runner = run(t, ['-w', '2', SERVER], { PORT: String(port) });
  const old = await answeringPids(runner, port, 2);
  let stop = false;
  let answered = 0;
  const failures = [];
  const answeredBy = new Set();
  // Four clients, each asking again as soon as it has its answer, every
  // request on a connection of its own.
  const clients = Array.from({ length: 4 }, async () => {
    while (!stop) {
      try {
        answeredBy.add((await ask(runner, port)).pid);
        answered++;
      } catch (err) {
        failures.push(err.message);
      }
    }
  });
  await new Promise((r) => setTimeout(r, 200));
  runner.child.kill('SIGHUP');
  const reloaded = await waitFor(() => [...old].every((pid) => !isAlive(pid)) &&
    runner.workers().length === 2, 15000);
  const fresh = runner.workers();
  // The new workers serve after the old ones are gone.
  const before = answered;
  await waitFor(() => answered >= before + 50, 10000);
  stop = true;
  await Promise.all(clients);
  assert.ok(reloaded, `old workers still there: ${runner.stderr()}`);
  assert.deepStrictEqual(failures, []);
  assert.ok(answered >= before + 50, `only ${answered - before} answers after the reload`);
  for (const pid of fresh) {
    assert.ok(!old.has(pid));
    assert.ok(answeredBy.has(pid), `new worker ${pid} never answered`);
  }
  assert.match(runner.stderr(), /reload done/);

  runner.child.kill('SIGTERM');
  assert.strictEqual((await within(runner.exited, 10000, 'stopping')).code, 0);
});

test('a reload whose new workers cannot start keeps the old ones serving', async (t) => {
  const port = await freePort();
  const broken = path.join(os.tmpdir(), `forkpipe-cli-broken-${process.pid}`);
  t.after(() => fs.rmSync(broken, { force: true }));
  const runner = run(t, ['-w', '2', FLAKY], { PORT: String(port), BROKEN: broken });
  const old = await answeringPids(runner, port, 2);
  fs.writeFileSync(broken, '');
  runner.child.kill('SIGHUP');
  assert.ok(await waitFor(() => /reload stopped/.test(runner.stderr()), 10000), runner.stderr());
  assert.deepStrictEqual(runner.workers().sort(), [...old].sort());
  await answeringPids(runner, port, 2);
  assert.match(runner.stderr(), /exited with code 2\n/);

  // Fixed: the next reload goes through.
  fs.rmSync(broken);
  runner.child.kill('SIGHUP');
  assert.ok(await waitFor(() => /reload done/.test(runner.stderr()), 10000), runner.stderr());
  // The last old worker may still be finishing.
  assert.ok(await waitFor(() => runner.workers().every((pid) => !old.has(pid)), 10000));
  assert.strictEqual(runner.workers().length, 2);
  runner.child.kill('SIGTERM');
  assert.strictEqual((await within(runner.exited, 10000, 'stopping')).code, 0);
});

test('workers that finish with code 0 are not replaced, and the runner ends with 0', async (t) => {
  const runner = run(t, ['-w', '2', DONE]);
  const { code } = await within(runner.exited, 10000, 'finishing');
  assert.strictEqual(code, 0);
  assert.doesNotMatch(runner.stderr(), /starting another/);
});

test('a worker that does not leave in --kill-timeout is killed, and the stop completes', async (t) => {
  const port = await freePort();
  const runner = run(t, ['-w', '1', '--kill-timeout', '300', HOLD], { PORT: String(port) });
  // A client stays connected, so the worker's server cannot close.
  let client;
  const ok = await waitFor(async () => {
    client = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    const first = await new Promise((resolve) => {
      client.once('data', (d) => resolve(String(d)));
      client.once('close', () => resolve(null));
    });
    if (first) runner.seen.add(Number(first));
    else client.destroy();
    return first !== null;
  }, 10000, 50);
  assert.ok(ok, runner.stderr());
  const closed = new Promise((resolve) => client.once('close', resolve));
  const t0 = Date.now();
  runner.child.kill('SIGTERM');
  const { code } = await within(runner.exited, 10000, 'stopping');
  assert.strictEqual(code, 0);
  assert.ok(Date.now() - t0 >= 250, 'the worker was killed before its time was up');
  assert.match(runner.stderr(), /did not leave within 300 ms; killing it/);
  await within(closed, 5000, 'the held connection closing');
});

test('a script that cannot start is given up on', async (t) => {
  const runner = run(t, ['-w', '2', CRASH]);
  const { code } = await within(runner.exited, 20000, 'giving up');
  assert.strictEqual(code, 1);
  assert.match(runner.stderr(), /exited with code 3; starting another in 100 ms/);
  assert.match(runner.stderr(), /failed to start 5 times in a row, giving up/);
  assert.deepStrictEqual(runner.workers(), []);
});

test('command-line mistakes exit with a message and Node\'s code 9', () => {
  const cli = (...args) => spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 10000,
  });
  for (const [args, message] of [
    [[], /no script to run/],
    [['-w'], /-w needs a value/],
    [['--workers', '0', SERVER], /--workers must be a whole number from 1 to 1024, not '0'/],
    [['--workers=2.5', SERVER], /--workers must be a whole number/],
    [['--policy', 'fastest', SERVER], /--policy must be one of none, rr, reuseport, least-connections, ip-hash, not 'fastest'/],
    [['--kill-timeout', '-1', SERVER], /--kill-timeout must be a whole number/],
    [['--inspect', SERVER], /unknown option '--inspect'/],
  ]) {
    const r = cli(...args);
    assert.strictEqual(r.status, 9, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: forkpipe \[options\] <script>/);
  }
  const missing = cli(path.join(ROOT, 'no-such-script.js'));
  assert.strictEqual(missing.status, 1);
  assert.match(missing.stderr, /cannot find the script/);
  const help = cli('--help');
  assert.strictEqual(help.status, 0);
  assert.match(help.stdout, /SIGHUP +reload/);
  const version = cli('-v');
  assert.strictEqual(version.stdout.trim(), require('../package.json').version);
});
