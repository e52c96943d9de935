'use strict';

// forkpipe.fs against Node's fs streams and `cp`, alternating in one run.
//
//   node bench/native.js fs              # or: node bench/native/fs.js
//   ROUNDS=1 COPY_MIB=256 node bench/native/fs.js   # quicker, less steady
//
// Files: COPY_MIB (default 1024) and HTTP_MIB (default 100) MiB of random
// bytes in a directory under os.tmpdir(), removed at the end (and on
// Ctrl-C). Every measurement runs in a process of its own, so its CPU
// seconds (user+system, every thread) and RSS growth (peak over the RSS
// before the work, sampled every 10 ms) belong to it alone. Each scenario
// runs ROUNDS times (default 3) per implementation, alternating which
// goes first; medians are shown, with forkpipe's ratio to each.
//
// - copy: pipeline(createReadStream(a), createWriteStream(b)) with Node's
//   fs and stream/promises, the same with forkpipe's, and `cp a b`.
// - HTTP: a server process answers GET with createReadStream(file).pipe(res)
//   (Node's, then forkpipe's), or forkpipe.fs.sendFile; the client is curl
//   in another process on 127.0.0.1, HTTP_REQS (default 3) requests per
//   measurement. CPU is the server's only, per 100 MiB served.
// - read: a 'data' listener counting the bytes of the COPY_MIB file, from
//   Node's fs.createReadStream and from forkpipe's.

const { spawn, spawnSync } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const {
  median, fmt, mbps, alternate, memorySampler, cpuSeconds, secondsSince,
} = require('../lib/measure');

const ROOT = path.join(__dirname, '..', '..');
const ROUNDS = Number(process.env.ROUNDS) || 3;
const COPY_MIB = Number(process.env.COPY_MIB) || 1024;
const HTTP_MIB = Number(process.env.HTTP_MIB) || 100;
const HTTP_REQS = Number(process.env.HTTP_REQS) || 3;
const MiB = 1 << 20;

// ---------------------------------------------------------------------------
// Child side: one measurement, printed as JSON on stdout.

function measurement(bytes, t0, cpu0, memory) {
  return JSON.stringify({ bytes, seconds: secondsSince(t0), cpu: cpuSeconds(cpu0), rss: memory.stop() });
}

function report(bytes, t0, cpu0, memory) {
  process.stdout.write(measurement(bytes, t0, cpu0, memory));
}

function libs(impl) {
  return impl === 'forkpipe' ?
    { fs: require(ROOT).fs, pipeline: require(ROOT).stream.promises.pipeline } :
    { fs, pipeline: require('stream/promises').pipeline };
}

async function childCopy(impl, src, dst) {
  const { fs: f, pipeline } = libs(impl);
  const memory = memorySampler();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await pipeline(f.createReadStream(src), f.createWriteStream(dst));
  report(fs.statSync(src).size, t0, cpu0, memory);
}

function childRead(impl, src) {
  const { fs: f } = libs(impl);
  const memory = memorySampler();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let bytes = 0;
  const r = f.createReadStream(src);
  r.on('data', (chunk) => { bytes += chunk.length; });
  r.on('end', () => report(bytes, t0, cpu0, memory));
}

// A server; GET /start and GET /stats bracket the measured requests.
function childServe(impl, file) {
  const fp = require(ROOT).fs;
  let cpu0;
  let t0;
  let memory;
  let served = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/start') {
      memory = memorySampler();
      cpu0 = process.cpuUsage();
      t0 = process.hrtime.bigint();
      served = 0;
      res.end();
    } else if (req.url === '/stats') {
      res.end(measurement(served, t0, cpu0, memory));
    } else {
      const size = fs.statSync(file).size;
      res.on('finish', () => { served += size; });
      if (impl === 'node') fs.createReadStream(file).pipe(res);
      else if (impl === 'forkpipe') fp.createReadStream(file).pipe(res);
      else fp.sendFile(req, res, file).catch(() => {});
    }
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${server.address().port}\n`);
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---------------------------------------------------------------------------
// Parent side.

function runChild(args) {
  const r = spawnSync(process.execPath, [__filename, '--child', ...args], {
    encoding: 'utf8', maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// `cp`, timed by bash.
function runCp(src, dst) {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time cp '${src}' '${dst}'`], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`cp failed: ${r.stderr}`);
  const [real, user, sys] = r.stderr.trim().split(/\s+/).slice(-3).map(Number);
  return { bytes: fs.statSync(src).size, seconds: real, cpu: user + sys, rss: NaN };
}

function curl(url) {
  const r = spawnSync('curl', ['-s', '-f', '-o', '/dev/null', url]);
  if (r.status !== 0) throw new Error(`curl ${url} failed (${r.status})`);
}

function get(port, p) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function runServer(impl, file, reqs = HTTP_REQS) {
  const child = spawn(process.execPath, [__filename, '--child', 'serve', impl, file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => {
        out += c;
        if (out.includes('\n')) resolve(Number(out.trim()));
      });
      child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
    });
    curl(`http://127.0.0.1:${port}/warm`);
    await get(port, '/start');
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < reqs; i++) curl(`http://127.0.0.1:${port}/file`);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const stats = JSON.parse(await get(port, '/stats'));
    // Wall time as the client saw it; CPU and RSS the server's.
    return { ...stats, seconds };
  } finally {
    child.kill('SIGTERM');
  }
}

// Each runner ROUNDS times, alternating the order; medians per runner.
async function compare(runners) {
  return [...await alternate(runners, ROUNDS)].map(([name, rs]) => ({
    name,
    mbps: median(rs.map(mbps)),
    cpu: median(rs.map((r) => r.cpu)),
    cpuPer100: median(rs.map((r) => r.cpu / (r.bytes / (100 * MiB)))),
    rss: Math.max(...rs.map((r) => r.rss)),
  }));
}

// Prints a table; returns { name: { speed, cpu } } ratios of `mine` to each.
function table(title, rows, mine, cpuColumn = 'cpu') {
  const me = rows.find((r) => r.name === mine);
  const cpuHead = cpuColumn === 'cpu' ? 'CPU s' : 'server CPU s / 100 MiB';
  console.log(`\n${title}\n`);
  console.log(`| implementation | MB/s | ${cpuHead} | RSS growth MiB | ${mine} speed / this | ${mine} CPU / this |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  const ratios = {};
  for (const r of rows) {
    const speed = me.mbps / r.mbps;
    const cpu = me[cpuColumn] / r[cpuColumn];
    ratios[r.name] = { speed, cpu };
    const show = r === me ? '| | |' : `| ${fmt(speed, 2)}x | ${fmt(cpu, 2)}x |`;
    console.log(`| ${r.name} | ${fmt(r.mbps, 0)} | ${fmt(r[cpuColumn], 3)} | ${fmt(r.rss / MiB)} ${show}`);
  }
  return ratios;
}

function makeFile(file, mib) {
  const fd = fs.openSync(file, 'w');
  const block = Buffer.allocUnsafe(MiB);
  for (let i = 0; i < mib; i++) {
    crypto.randomFillSync(block);
    fs.writeSync(fd, block);
  }
  fs.closeSync(fd);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forkpipe-bench-fs-'));
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));
  const big = path.join(dir, 'big.bin');
  const small = path.join(dir, 'http.bin');
  const copy = path.join(dir, 'copy.bin');
  console.log(`forkpipe.fs vs Node ${process.version} fs streams, ${os.cpus().length} cores, ` +
    `${ROUNDS} round(s) per implementation, medians`);
  makeFile(big, COPY_MIB);
  makeFile(small, HTTP_MIB);
  const fresh = (fn) => () => {
    fs.rmSync(copy, { force: true });
    return fn();
  };
  const checks = [];

  const copyRatios = table(`copy of a ${COPY_MIB} MiB file`, await compare([
    ['node fs streams + pipeline', fresh(() => runChild(['copy', 'node', big, copy]))],
    ['forkpipe', fresh(() => runChild(['copy', 'forkpipe', big, copy]))],
    ['cp', fresh(() => runCp(big, copy))],
  ]), 'forkpipe');
  fs.rmSync(copy, { force: true });
  checks.push(['copy: >= 0.8x cp MB/s', copyRatios.cp.speed, copyRatios.cp.speed >= 0.8]);
  checks.push(['copy: <= 0.25x Node CPU s', copyRatios['node fs streams + pipeline'].cpu,
    copyRatios['node fs streams + pipeline'].cpu <= 0.25]);

  const httpRows = await compare([
    ['node createReadStream(f).pipe(res)', () => runServer('node', small)],
    ['forkpipe createReadStream(f).pipe(res)', () => runServer('forkpipe', small)],
    ['forkpipe sendFile', () => runServer('sendfile', small)],
  ]);
  const httpRatios = table(`a ${HTTP_MIB} MiB file over HTTP (curl on 127.0.0.1, ${HTTP_REQS} requests)`,
    httpRows, 'forkpipe createReadStream(f).pipe(res)', 'cpuPer100');
  const nodeHttp = httpRatios['node createReadStream(f).pipe(res)'];
  checks.push(['HTTP: >= 1.5x Node MB/s', nodeHttp.speed, nodeHttp.speed >= 1.5]);
  checks.push(['HTTP: <= 0.5x Node server CPU per byte', nodeHttp.cpu, nodeHttp.cpu <= 0.5]);

  const readRatios = table(`a ${COPY_MIB} MiB file read by a JS 'data' listener`, await compare([
    ['node fs.createReadStream', () => runChild(['read', 'node', big])],
    ['forkpipe', () => runChild(['read', 'forkpipe', big])],
  ]), 'forkpipe');
  const nodeRead = readRatios['node fs.createReadStream'];
  checks.push(['read by JS: >= 1.0x Node MB/s', nodeRead.speed, nodeRead.speed >= 1.0]);

  // RSS growth of forkpipe over the big file, every scenario.
  const rss = [
    ['copy', runChild(['copy', 'forkpipe', big, copy])],
    ['read by JS', runChild(['read', 'forkpipe', big])],
  ];
  fs.rmSync(copy, { force: true });
  rss.push(['HTTP, createReadStream(f).pipe(res)', await runServer('forkpipe', big, 1)]);
  console.log(`\nRSS growth, forkpipe, ${COPY_MIB} MiB input\n`);
  console.log('| scenario | RSS growth MiB |');
  console.log('|---|---:|');
  for (const [name, r] of rss) {
    console.log(`| ${name} | ${fmt(r.rss / MiB)} |`);
    checks.push([`RSS growth < 64 MiB: ${name}`, r.rss / MiB, r.rss < 64 * MiB]);
  }

  console.log('\n| target | measured | met |');
  console.log('|---|---:|---|');
  for (const [name, value, met] of checks) console.log(`| ${name} | ${fmt(value, 2)} | ${met ? 'yes' : 'NO'} |`);
}

if (process.argv[2] === '--child') {
  const [, , , what, ...args] = process.argv;
  if (what === 'copy') childCopy(...args);
  else if (what === 'read') childRead(...args);
  else if (what === 'serve') childServe(...args);
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
