'use strict';

// Node's cluster against forkpipe's, same worker code, alternating in one
// run, load from wrk on 127.0.0.1. Prints each figure and forkpipe/Node.
//
//   node bench/cluster.js [--seconds 3] [--rounds 7] [--connections 64]
//
// Needs wrk (Debian/Ubuntu: apt-get install wrk).

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { alternate, median: lowerMedian } = require('./lib/measure');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const SECONDS = opt('seconds', 3);
const ROUNDS = opt('rounds', 7);
const CONNECTIONS = opt('connections', 64);
const WORKERS = 2;
// BENCH_VERBOSE=1 prints every run, not only the medians.
const VERBOSE = !!process.env.BENCH_VERBOSE;
const SERVER = path.join(__dirname, 'cluster-server.js');
const TICK = 100; // clock ticks per second in /proc/<pid>/stat

if (spawnSync('wrk', ['--version']).error) {
  console.error('bench/cluster.js needs wrk: apt-get install wrk');
  process.exit(1);
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

function lines(stream, onLine) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try { onLine(JSON.parse(line)); } catch { /* not ours */ }
    }
  });
}

async function startServer(impl, kind, policy) {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER, impl, kind, String(WORKERS), policy], {
    env: { ...process.env, BENCH_PORT: String(port), NODE_CLUSTER_SCHED_POLICY: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiters = [];
  lines(child.stdout, (msg) => { const w = waiters.shift(); if (w) w(msg); });
  const next = () => new Promise((resolve) => waiters.push(resolve));
  const ready = await next();
  return { impl, child, port, pids: ready.pids, next };
}

function stop(server) {
  for (const pid of [server.child.pid, ...server.pids]) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

function wrk(port, close, seconds) {
  const wargs = ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency'];
  if (close) wargs.push('-H', 'Connection: close');
  wargs.push(`http://127.0.0.1:${port}/`);
  const r = spawnSync('wrk', wargs, { encoding: 'utf8' });
  const rps = Number((/Requests\/sec:\s+([\d.]+)/.exec(r.stdout) || [])[1]);
  const total = Number((/(\d+) requests in/.exec(r.stdout) || [])[1]);
  const p99m = /99%\s+([\d.]+)(us|ms|s)/.exec(r.stdout);
  const unit = p99m ? { us: 1e-3, ms: 1, s: 1e3 }[p99m[2]] : NaN;
  const errors = /Socket errors: (.*)/.exec(r.stdout);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout);
  return { rps, total, p99: p99m ? Number(p99m[1]) * unit : NaN,
    errors: errors ? errors[1] : null, non2xx: non2xx ? Number(non2xx[1]) : 0 };
}

// One run of wrk against a server that is already up: its figures, the
// primary's CPU per connection and how the connections fell on the workers.
async function measure(server, scenario) {
  server.child.stdin.write('stats\n');
  const before = (await server.next()).counts;
  const cpu0 = cpuSeconds(server.child.pid);
  const wcpu0 = server.pids.reduce((a, pid) => a + cpuSeconds(pid), 0);
  const r = wrk(server.port, scenario.close, SECONDS);
  const cpu = cpuSeconds(server.child.pid) - cpu0;
  const wcpu = server.pids.reduce((a, pid) => a + cpuSeconds(pid), 0) - wcpu0;
  server.child.stdin.write('stats\n');
  const counts = (await server.next()).counts.map((n, i) => n - before[i]);
  const conns = scenario.close ? r.total : counts.reduce((a, b) => a + b, 0);
  if (VERBOSE) {
    console.log(`  ${server.impl}: ${r.rps.toFixed(0)} req/s, connections per worker ` +
      `${counts.join('/')}, primary ${cpu.toFixed(2)} s, workers ${wcpu.toFixed(2)} s CPU`);
  }
  return { ...r, cpuPerConn: conns ? (cpu * 1e6) / conns : NaN,
    workerCpuPerRequest: r.total ? (wcpu * 1e6) / r.total : NaN,
    spread: Math.max(...counts) / Math.max(1, Math.min(...counts)), counts };
}

const finite = (xs) => xs.filter(Number.isFinite);
const median = (xs) => (finite(xs).length ? lowerMedian(finite(xs)) : NaN);
// The lower and upper quartiles: the middle half of the values lies between.
const middleHalf = (xs) => {
  const s = finite(xs).sort((a, b) => a - b);
  return [s[Math.floor((s.length - 1) / 4)], s[Math.ceil((3 * (s.length - 1)) / 4)]];
};

const SCENARIOS = [
  { name: 'HTTP keep-alive, rr', kind: 'http', close: false, policy: { node: 'rr', forkpipe: 'rr' } },
  { name: 'HTTP Connection: close, rr', kind: 'http', close: true, policy: { node: 'rr', forkpipe: 'rr' } },
  { name: 'raw TCP connect/write/close, rr', kind: 'raw', close: true, policy: { node: 'rr', forkpipe: 'rr' } },
  { name: 'raw TCP, Node none vs forkpipe reuseport', kind: 'raw', close: true,
    policy: { node: 'none', forkpipe: 'reuseport' } },
  { name: 'raw TCP, Node rr vs forkpipe least-connections', kind: 'raw', close: true,
    policy: { node: 'rr', forkpipe: 'least-connections' } },
];

async function main() {
  const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : null;
  console.log(`node ${process.version}, ${WORKERS} workers, wrk -t1 -c${CONNECTIONS} ` +
    `-d${SECONDS}s, ${ROUNDS} rounds alternating, medians`);
  const rows = [];
  for (const sc of SCENARIOS) {
    if (only && !only.test(sc.name)) continue;
    // Both servers stay up for the whole scenario (the one not under load
    // is idle), so a round is two runs seconds apart and their ratio is
    // little touched by this VM's drift; a second of load first warms
    // each one up.
    const servers = {};
    try {
      for (const impl of ['node', 'forkpipe']) {
        servers[impl] = await startServer(impl, sc.kind, sc.policy[impl]);
        wrk(servers[impl].port, sc.close, 1);
      }
      const res = await alternate(['node', 'forkpipe'].map((impl) =>
        [impl, () => measure(servers[impl], sc)]), ROUNDS);
      rows.push(report(sc, res.get('node'), res.get('forkpipe')));
    } finally {
      for (const server of Object.values(servers)) stop(server);
    }
  }
  console.log('\n| scenario | Node | forkpipe | forkpipe/Node (middle half of rounds) | ' +
    'p99 ms (Node / fp) | primary CPU µs per conn (Node / fp) | ' +
    'workers\' CPU µs per request (Node / fp) | busiest/idlest worker (Node / fp) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const pair = (xs, d) => xs.map((x) => x.toFixed(d)).join(' / ');
    console.log(`| ${r.scenario} | ${r.node.toFixed(0)} | ${r.forkpipe.toFixed(0)} | ` +
      `${r.ratio.toFixed(2)}x (${r.ratioRange.map((x) => x.toFixed(2)).join('-')}) | ` +
      `${pair(r.p99, 2)} | ${pair(r.cpu, 1)} | ${pair(r.workerCpu, 1)} | ${pair(r.spread, 2)} |`);
  }
}

// A scenario's medians; the ratio is the median of each round's own
// forkpipe/Node ratio, with the quartiles of those ratios beside it.
function report(sc, node, forkpipe) {
  const m = (runs, key) => median(runs.map((r) => r[key]));
  const ratios = forkpipe.map((r, i) => r.rps / node[i].rps);
  const row = {
    scenario: sc.name,
    node: m(node, 'rps'),
    forkpipe: m(forkpipe, 'rps'),
    ratio: median(ratios),
    ratioRange: middleHalf(ratios),
    p99: [m(node, 'p99'), m(forkpipe, 'p99')],
    cpu: [m(node, 'cpuPerConn'), m(forkpipe, 'cpuPerConn')],
    workerCpu: [m(node, 'workerCpuPerRequest'), m(forkpipe, 'workerCpuPerRequest')],
    spread: [m(node, 'spread'), m(forkpipe, 'spread')],
    errors: [...node, ...forkpipe].map((r) => r.errors).filter(Boolean),
  };
  console.log(`${row.scenario}: node ${row.node.toFixed(0)} req/s, forkpipe ` +
    `${row.forkpipe.toFixed(0)} req/s, ratio ${row.ratio.toFixed(2)}x ` +
    `(rounds: ${ratios.map((x) => x.toFixed(2)).join(' ')}) | p99 ms ` +
    `${row.p99.map((x) => x.toFixed(2)).join(' / ')} | primary CPU us/conn ` +
    `${row.cpu.map((x) => x.toFixed(1)).join(' / ')} | workers CPU us/request ` +
    `${row.workerCpu.map((x) => x.toFixed(1)).join(' / ')} | busiest/idlest ` +
    `${row.spread.map((x) => x.toFixed(2)).join(' / ')}` +
    (row.errors.length ? ` | wrk socket errors: ${row.errors.join('; ')}` : ''));
  return row;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
