'use strict';

// Node's cluster against forkpipe's, same worker code, alternating in one
// run, load from wrk on 127.0.0.1. Prints each figure and forkpipe/Node.
//
//   node bench/cluster.js [--seconds 5] [--rounds 3] [--connections 64]
//
// Needs wrk (Debian/Ubuntu: apt-get install wrk).

const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i === -1 ? dflt : Number(args[i + 1]);
};
const SECONDS = opt('seconds', 5);
const ROUNDS = opt('rounds', 3);
const CONNECTIONS = opt('connections', 64);
const WORKERS = 2;
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
  return { child, port, pids: ready.pids, next };
}

function stop(server) {
  for (const pid of [server.child.pid, ...server.pids]) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
  }
}

function wrk(port, close) {
  const wargs = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency'];
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

async function measure(impl, scenario) {
  const server = await startServer(impl, scenario.kind, scenario.policy[impl]);
  try {
    const cpu0 = cpuSeconds(server.child.pid);
    const r = wrk(server.port, scenario.close);
    const cpu = cpuSeconds(server.child.pid) - cpu0;
    server.child.stdin.write('stats\n');
    const { counts } = await server.next();
    const conns = scenario.close ? r.total : counts.reduce((a, b) => a + b, 0);
    return { ...r, cpuPerConn: conns ? (cpu * 1e6) / conns : NaN,
      spread: Math.max(...counts) / Math.max(1, Math.min(...counts)), counts };
  } finally {
    stop(server);
  }
}

const median = (xs) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
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
    const res = { node: [], forkpipe: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const impl of round % 2 ? ['forkpipe', 'node'] : ['node', 'forkpipe']) {
        res[impl].push(await measure(impl, sc));
      }
    }
    const m = (impl, key) => median(res[impl].map((r) => r[key]));
    const row = {
      scenario: sc.name,
      node: m('node', 'rps'),
      forkpipe: m('forkpipe', 'rps'),
      ratio: m('forkpipe', 'rps') / m('node', 'rps'),
      p99: [m('node', 'p99'), m('forkpipe', 'p99')],
      cpu: [m('node', 'cpuPerConn'), m('forkpipe', 'cpuPerConn')],
      spread: [m('node', 'spread'), m('forkpipe', 'spread')],
      errors: [...res.node, ...res.forkpipe].map((r) => r.errors).filter(Boolean),
    };
    rows.push(row);
    console.log(`${row.scenario}: node ${row.node.toFixed(0)} req/s, forkpipe ` +
      `${row.forkpipe.toFixed(0)} req/s, ratio ${row.ratio.toFixed(2)}x | p99 ms ` +
      `${row.p99.map((x) => x.toFixed(2)).join(' / ')} | primary CPU us/conn ` +
      `${row.cpu.map((x) => x.toFixed(1)).join(' / ')} | busiest/idlest ` +
      `${row.spread.map((x) => x.toFixed(2)).join(' / ')}` +
      (row.errors.length ? ` | wrk socket errors: ${row.errors.join('; ')}` : ''));
  }
  console.log('\n| scenario | Node | forkpipe | forkpipe/Node | p99 ms (Node / fp) | primary CPU µs per conn (Node / fp) | busiest/idlest worker (Node / fp) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.scenario} | ${r.node.toFixed(0)} | ${r.forkpipe.toFixed(0)} | ` +
      `${r.ratio.toFixed(2)}x | ${r.p99.map((x) => x.toFixed(2)).join(' / ')} | ` +
      `${r.cpu.map((x) => x.toFixed(1)).join(' / ')} | ${r.spread.map((x) => x.toFixed(2)).join(' / ')} |`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
