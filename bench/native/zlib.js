'use strict';

// forkpipe.zlib and forkpipe.split against Node's zlib, the gzip command,
// split2 and a plain JS splitter, alternating in one run.
//
//   node bench/native.js zlib            # or: node bench/native/zlib.js
//   MIB=64 ROUNDS=1 node bench/native/zlib.js   # quicker, less steady
//
// Input: realistic log-like text (MIB MiB, default 256) generated into
// os.tmpdir() and removed afterwards. Every measurement runs in a fresh
// process (so CPU seconds and RSS belong to it alone): the file is read
// with Node's fs.createReadStream (64 KiB chunks) through the transform
// into a Writable that counts and drops the output; the "in Rust" rows use
// forkpipe.fs.createReadStream and forkpipe.fs.createWriteStream('/dev/null')
// instead, so the whole pipeline runs in Rust. MB/s is input bytes
// per wall second; CPU is user+system seconds of the whole process (pool
// threads included); RSS is the peak growth over the process's RSS before
// the run. Each scenario runs ROUNDS times (default 2) per implementation,
// alternating which goes first; the median is shown, with the ratio
// forkpipe / Node's builtin. A last section streams a 1 GiB input through
// forkpipe's gzip -1, gunzip and split to show RSS growth stays bounded.
//
// split2 is not a dependency of the package: its row runs when SPLIT2 names
// it (a path to an installed split2) or when require('split2') finds one
// (`npm install --no-save split2`), and is skipped otherwise.

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {
  median, fmt, mbps, alternate, memorySampler, cpuSeconds, secondsSince,
} = require('../lib/measure');

const ROOT = path.join(__dirname, '..', '..');
const MIB = Number(process.env.MIB) || 256;
const ROUNDS = Number(process.env.ROUNDS) || 2;
const SPLIT2 = process.env.SPLIT2 || 'split2';

// ---------------------------------------------------------------------------
// Child side: one measurement, printed as JSON.

function plainSplitter(Transform) {
  // What one would write by hand: look for \n in the bytes, decode each line.
  let rest = null;
  return new Transform({
    readableObjectMode: true,
    transform(chunk, enc, cb) {
      const buf = rest === null ? chunk : Buffer.concat([rest, chunk]);
      let start = 0;
      let nl;
      while ((nl = buf.indexOf(10, start)) !== -1) {
        this.push(buf.toString('utf8', start, nl));
        start = nl + 1;
      }
      rest = start < buf.length ? buf.subarray(start) : null;
      cb();
    },
    flush(cb) {
      if (rest !== null) this.push(rest.toString());
      cb();
    },
  });
}

function makeTransform(what, impl) {
  const [op, arg] = what.split(':');
  if (op === 'gzip' || op === 'gunzip') {
    const own = impl === 'forkpipe' || impl === 'native';
    const z = own ? require(ROOT).zlib : require('zlib');
    return op === 'gzip' ? z.createGzip({ level: Number(arg) }) : z.createGunzip();
  }
  if (impl === 'forkpipe') return require(ROOT).split();
  if (impl === 'split2') return require(SPLIT2)();
  return plainSplitter(require('stream').Transform);
}

// Bytes: file -> transform -> a Writable that counts. Lines: file ->
// splitter, read by a 'data' listener (split2's usual consumer).
function child(what, impl, file) {
  const { Writable, pipeline } = require('stream');
  const transform = makeTransform(what, impl);
  let out = 0;
  let items = 0;
  // While Rust does the work, JS is idle: the timer samples then; while JS
  // is busy with output, every 1024th item does.
  const memory = memorySampler(20);
  const count = (chunk) => {
    out += chunk.length;
    if ((++items & 1023) === 0) memory.sample();
  };
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  // 'native': forkpipe's fs streams on both sides, so no byte enters JS.
  const nativeFs = impl === 'native' ? require(ROOT).fs : null;
  const src = nativeFs ? nativeFs.createReadStream(file) :
    fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  const stages = [src, transform];
  if (nativeFs) {
    const out = nativeFs.createWriteStream('/dev/null');
    out.on('finish', () => { out.bytesWritten > 0 && count({ length: out.bytesWritten }); });
    stages.push(out);
  } else if (what === 'split') {
    transform.on('data', count);
  } else {
    stages.push(new Writable({
      highWaterMark: 64 * 1024,
      write(chunk, enc, cb) {
        count(chunk);
        cb();
      },
    }));
  }
  pipeline(...stages, (err) => {
    if (err) throw err;
    const rss = memory.stop();
    process.stdout.write(JSON.stringify({
      bytes: fs.statSync(file).size,
      out,
      items,
      seconds: secondsSince(t0),
      cpu: cpuSeconds(cpu0),
      rss,
    }));
  });
}

// ---------------------------------------------------------------------------
// Parent side.

function runChild(what, impl, file) {
  const r = spawnSync(process.execPath, [__filename, '--child', what, impl, file], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (r.status !== 0) throw new Error(`${what} ${impl} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// The gzip command on the same file; CPU from bash's `time`.
function runGzip(args, file) {
  const script = `TIMEFORMAT='%R %U %S'; time (gzip ${args} < '${file}' > /dev/null)`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gzip ${args} failed: ${r.stderr}`);
  const [real, user, sys] = r.stderr.trim().split(/\s+/).slice(-3).map(Number);
  return { bytes: fs.statSync(file).size, seconds: real, cpu: user + sys, rss: NaN };
}

function haveGzip() {
  return spawnSync('gzip', ['--version']).status === 0;
}

function haveSplit2() {
  try {
    require.resolve(SPLIT2);
    return true;
  } catch {
    return false;
  }
}

// Log-like text: timestamps, methods, paths, ids, key=value pairs.
function generate(file, mib) {
  const words = ['GET', 'POST', 'PUT', '/api/v1/users', '/api/v1/orders', '/static/app.js',
    '/health', '200', '201', '304', '404', '500', 'Mozilla/5.0', 'curl/8.1', 'info', 'debug',
    'warn', 'error', 'request', 'completed', 'cache', 'hit', 'miss', 'user_id', 'session',
    'latency_ms', 'bytes', 'région', 'naïve', '→'];
  let seed = 42;
  const rnd = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const fd = fs.openSync(file, 'w');
  const piece = Buffer.alloc(1 << 20);
  for (let left = mib << 20; left > 0;) {
    let at = 0;
    while (at < piece.length - 300) {
      let line = `2024-0${1 + rnd(9)}-${10 + rnd(18)}T${10 + rnd(14)}:${10 + rnd(50)}:` +
        `${10 + rnd(50)}.${100 + rnd(900)}Z ${words[rnd(6)]} ${words[3 + rnd(4)]}` +
        ` ip=10.${rnd(256)}.${rnd(256)}.${rnd(256)} status=${words[7 + rnd(6)]}`;
      for (let k = 3 + rnd(6); k > 0; k--) {
        line += ` ${words[rnd(words.length)]}${rnd(3) === 0 ? `=${rnd(100000)}` : ''}`;
      }
      at += piece.write(`${line}\n`, at);
    }
    const n = Math.min(at, left);
    fs.writeSync(fd, piece, 0, n);
    left -= n;
  }
  fs.closeSync(fd);
}

// Runs each implementation ROUNDS times, alternating; returns medians.
async function compare(runners) {
  return [...await alternate(runners, ROUNDS)].map(([name, rs]) => ({
    name,
    mbps: median(rs.map(mbps)),
    cpu: median(rs.map((r) => r.cpu)),
    rss: Math.max(...rs.map((r) => r.rss)),
    lines: rs[0].items,
  }));
}

function table(title, rows, baseline) {
  const base = rows.find((r) => r.name === baseline);
  console.log(`\n${title}\n`);
  console.log('| implementation | MB/s | CPU s | RSS growth MiB | forkpipe / this |');
  console.log('|---|---:|---:|---:|---:|');
  const fp = rows.find((r) => r.name === 'forkpipe');
  for (const r of rows) {
    const ratio = r === fp ? '' : `${fmt(fp.mbps / r.mbps, 2)}x`;
    console.log(`| ${r.name} | ${fmt(r.mbps)} | ${fmt(r.cpu, 2)} | ${fmt(r.rss / 1048576)} | ${ratio} |`);
  }
  return base ? fp.mbps / base.mbps : NaN;
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forkpipe-bench-zlib-'));
  const text = path.join(dir, 'text.log');
  const packed = path.join(dir, 'text.log.gz');
  const big = path.join(dir, 'big.log');
  const cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
  process.on('exit', cleanup);
  process.on('SIGINT', () => process.exit(130));
  process.on('SIGTERM', () => process.exit(143));
  try {
    console.log(`${MIB} MiB of log-like text, ${ROUNDS} round(s) per implementation, ` +
      `Node ${process.version}, ${os.cpus().length} cores`);
    generate(text, MIB);
    const gzip = haveGzip();
    const summary = [];
    for (const level of [1, 6]) {
      const runners = [
        ['node zlib.createGzip', () => runChild(`gzip:${level}`, 'node', text)],
        ['forkpipe', () => runChild(`gzip:${level}`, 'forkpipe', text)],
        ['forkpipe, fs -> gzip -> fs in Rust', () => runChild(`gzip:${level}`, 'native', text)],
      ];
      if (gzip) runners.push([`gzip -${level}`, () => runGzip(`-c -${level}`, text)]);
      const ratio = table(`gzip, level ${level}`, await compare(runners), 'node zlib.createGzip');
      summary.push([`gzip -${level}`, ratio]);
    }
    fs.writeFileSync(packed, require('zlib').gzipSync(fs.readFileSync(text), { level: 6 }));
    const unz = [
      ['node zlib.createGunzip', () => runChild('gunzip', 'node', packed)],
      ['forkpipe', () => runChild('gunzip', 'forkpipe', packed)],
      ['forkpipe, fs -> gunzip -> fs in Rust', () => runChild('gunzip', 'native', packed)],
    ];
    if (gzip) unz.push(['gzip -d', () => runGzip('-dc', packed)]);
    const gunzipTitle = `gunzip of the level-6 file (${fmt(fs.statSync(packed).size / 1048576)} MiB;` +
      ' MB/s of compressed input)';
    summary.push(['gunzip', table(gunzipTitle, await compare(unz), 'node zlib.createGunzip')]);

    const splits = [
      ['plain JS splitter', () => runChild('split', 'plain', text)],
      ['forkpipe', () => runChild('split', 'forkpipe', text)],
    ];
    if (haveSplit2()) splits.unshift(['split2', () => runChild('split', 'split2', text)]);
    else console.log(`\n(split2 not found (${SPLIT2}): its row is skipped; npm install --no-save split2 or SPLIT2=<path>)`);
    const splitRows = await compare(splits);
    console.log(`\n(${splitRows[0].lines} lines)`);
    summary.push(['split', table('line splitting into strings', splitRows,
      haveSplit2() ? 'split2' : 'plain JS splitter')]);

    // 1 GiB through forkpipe: the memory bound.
    fs.rmSync(packed);
    const parts = Math.max(1, Math.round(1024 / MIB));
    for (let i = 0; i < parts; i++) fs.appendFileSync(big, fs.readFileSync(text));
    const bigPacked = path.join(dir, 'big.log.gz');
    const pack = runChild('gzip:1', 'forkpipe', big);
    const gz = spawnSync('bash', ['-c', `gzip -1 -c < '${big}' > '${bigPacked}'`]);
    console.log(`\nRSS growth over ${fmt(fs.statSync(big).size / 1073741824, 2)} GiB (forkpipe)\n`);
    console.log('| scenario | MB/s | CPU s | RSS growth MiB |');
    console.log('|---|---:|---:|---:|');
    const rows = [['gzip -1', pack], ['split', runChild('split', 'forkpipe', big)]];
    if (gz.status === 0) rows.splice(1, 0, ['gunzip', runChild('gunzip', 'forkpipe', bigPacked)]);
    for (const [name, r] of rows) {
      console.log(`| ${name} | ${fmt(mbps(r))} | ${fmt(r.cpu, 2)} | ${fmt(r.rss / 1048576)} |`);
    }
    console.log('\nforkpipe / Node: ' + summary.map(([n, r]) => `${n} ${fmt(r, 2)}x`).join(', '));
  } finally {
    cleanup();
  }
}

if (require.main === module) {
  if (process.argv[2] === '--child') child(process.argv[3], process.argv[4], process.argv[5]);
  else if (process.argv[2] === '--generate') generate(process.argv[3], Number(process.argv[4]));
  else main();
}
