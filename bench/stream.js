'use strict';

// forkpipe's stream against node:stream, side by side in one process.
//
//   node bench/stream.js            # all scenarios, ~1-2 minutes
//   node bench/stream.js a c        # only some of them
//   ROUNDS=11 node bench/stream.js  # more rounds (default 7)
//
// Each scenario runs once per implementation to warm up, then ROUNDS times
// (more for short scenarios, about 4 s each) alternating which
// implementation goes first; the median round is reported with the ratio
// of rates forkpipe / node (above 1.00: forkpipe is faster).
//
//   a  1,000,000 objects   Readable -> Transform (identity) -> Writable
//   b  1 GiB, 64 KiB Buffers  Readable -> PassThrough -> Writable
//   c  1,000,000 16-byte Buffers  Readable -> PassThrough -> Writable
//   d  the seed's uppercase Transform: fs.createReadStream (utf8) ->
//      Transform -> fs.createWriteStream, on a 256 MiB file in os.tmpdir()
//   m  RSS growth streaming 1 GiB through a 3-stage pipeline (forkpipe)

const fs = require('fs');
const os = require('os');
const path = require('path');

const impls = {
  node: require('node:stream'),
  forkpipe: require('../lib/stream'),
};

const ROUNDS = Number(process.env.ROUNDS) || 7;

function finish(stream) {
  return new Promise((resolve, reject) => {
    stream.on('error', reject);
    stream.on('finish', resolve);
  });
}

// ---------------------------------------------------------------------------
// The scenarios. Each returns { units, bytes } for the work it did.

async function objects(S) {
  const N = 1e6;
  let i = 0;
  const src = new S.Readable({
    objectMode: true,
    read() {
      while (i < N) {
        if (!this.push({ n: i++ })) return;
      }
      this.push(null);
    },
  });
  const identity = new S.Transform({
    objectMode: true,
    transform(chunk, encoding, cb) { cb(null, chunk); },
  });
  let seen = 0;
  const sink = new S.Writable({
    objectMode: true,
    write(chunk, encoding, cb) { seen++; cb(); },
  });
  await new Promise((resolve, reject) => {
    S.pipeline(src, identity, sink, (err) => (err ? reject(err) : resolve()));
  });
  if (seen !== N) throw new Error(`objects: saw ${seen}`);
  return { units: N, bytes: 0 };
}

function buffers(chunkSize, count) {
  return async function run(S) {
    const chunk = Buffer.alloc(chunkSize, 97);
    let i = 0;
    const src = new S.Readable({
      read() {
        while (i < count) {
          i++;
          if (!this.push(chunk)) return;
        }
        this.push(null);
      },
    });
    const pass = new S.PassThrough();
    let bytes = 0;
    const sink = new S.Writable({
      write(data, encoding, cb) { bytes += data.length; cb(); },
    });
    await new Promise((resolve, reject) => {
      S.pipeline(src, pass, sink, (err) => (err ? reject(err) : resolve()));
    });
    if (bytes !== chunkSize * count) throw new Error(`buffers: got ${bytes} bytes`);
    return { units: count, bytes };
  };
}

const SEED_SIZE = 256 * 1024 * 1024;
let seedInput = null;
let seedOutput = null;

function makeSeedFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forkpipe-bench-'));
  seedInput = path.join(dir, 'input.txt');
  seedOutput = path.join(dir, 'output_uppercase.txt');
  const line = 'the quick brown fox jumps over the lazy dog, naïve café déjà vu 0123456789\n';
  const block = Buffer.from(line.repeat(Math.ceil((1 << 20) / Buffer.byteLength(line))));
  const fd = fs.openSync(seedInput, 'w');
  let written = 0;
  while (written < SEED_SIZE) {
    const n = Math.min(block.length, SEED_SIZE - written);
    fs.writeSync(fd, block, 0, n);
    written += n;
  }
  fs.closeSync(fd);
}

function removeSeedFile() {
  if (seedInput) fs.rmSync(path.dirname(seedInput), { recursive: true, force: true });
  seedInput = null;
}

// Part 3 of the seed's streams example, unchanged but for the file names.
async function seedUppercase(S) {
  const { Transform } = S;
  const uppercaseStream = new Transform({
    transform(chunk, encoding, callback) {
      const uppercaseChunk = chunk.toString().toUpperCase();
      callback(null, uppercaseChunk);
    },
  });
  const readStream2 = fs.createReadStream(seedInput, { encoding: 'utf8' });
  const writeStream2 = fs.createWriteStream(seedOutput, { encoding: 'utf8' });
  const done = finish(writeStream2);
  readStream2.pipe(uppercaseStream).pipe(writeStream2);
  await done;
  const size = fs.statSync(seedOutput).size;
  if (size !== SEED_SIZE) throw new Error(`seed: wrote ${size} bytes`);
  return { units: 0, bytes: SEED_SIZE };
}

// ---------------------------------------------------------------------------

function median(xs) {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeOnce(fn, S) {
  const t0 = process.hrtime.bigint();
  const r = await fn(S);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, ...r };
}

async function compare(name, label, fn, unit) {
  const times = { node: [], forkpipe: [] };
  let work;
  let warm = 0;
  for (const k of ['node', 'forkpipe']) warm += (await timeOnce(fn, impls[k])).ms;
  // Short scenarios get more rounds (about 4 s per implementation).
  const rounds = Math.min(40, Math.max(ROUNDS, Math.ceil(8000 / warm)));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? ['node', 'forkpipe'] : ['forkpipe', 'node'];
    for (const k of order) {
      const res = await timeOnce(fn, impls[k]);
      times[k].push(res.ms);
      work = res;
    }
  }
  const rate = (ms) => (unit === 'MB/s' ?
    (work.bytes / (1 << 20)) / (ms / 1000) :
    work.units / (ms / 1000));
  const nodeMs = median(times.node);
  const fpMs = median(times.forkpipe);
  const chunksPerSec = (ms) => work.units / (ms / 1000);
  const fmt = (v, ms) => {
    if (unit !== 'MB/s') return `${(v / 1e6).toFixed(2)} M/s`;
    const mb = `${v.toFixed(0)} MB/s`;
    return work.units ? `${mb} (${(chunksPerSec(ms) / 1e6).toFixed(2)} M chunks/s)` : mb;
  };
  const row = {
    name, label,
    node: fmt(rate(nodeMs), nodeMs),
    forkpipe: fmt(rate(fpMs), fpMs),
    ratio: (nodeMs / fpMs).toFixed(2),
  };
  console.log(`| ${name} | ${label} | ${row.node} | ${row.forkpipe} | ${row.ratio}x |`);
  return row;
}

async function rssScenario() {
  // 1 GiB of 64 KiB chunks, Readable -> Transform -> Writable, sampled.
  const S = impls.forkpipe;
  if (global.gc) global.gc();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => {
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }, 5);
  const chunkSize = 64 * 1024;
  const count = (1 << 30) / chunkSize;
  let i = 0;
  const src = new S.Readable({
    read() {
      // A fresh buffer per chunk, as a file or socket source would give.
      if (i++ < count) this.push(Buffer.allocUnsafe(chunkSize));
      else this.push(null);
    },
  });
  const upper = new S.Transform({
    transform(chunk, encoding, cb) { cb(null, chunk); },
  });
  const sink = new S.Writable({
    write(chunk, encoding, cb) { setImmediate(cb); },
  });
  await new Promise((resolve, reject) => {
    S.pipeline(src, upper, sink, (err) => (err ? reject(err) : resolve()));
  });
  clearInterval(timer);
  const peakGrowth = (peak - before) / (1 << 20);
  const line = `| m | RSS growth, 1 GiB through Readable -> Transform -> Writable (forkpipe) | peak +${peakGrowth.toFixed(1)} MiB | limit 64 MiB | ${peakGrowth < 64 ? 'ok' : 'OVER'} |`;
  console.log(line);
}

const SCENARIOS = {
  a: () => compare('a', '1,000,000 objects, Readable -> Transform -> Writable', objects, 'ops/s'),
  b: () => compare('b', '1 GiB as 64 KiB Buffers, Readable -> PassThrough -> Writable',
    buffers(64 * 1024, (1 << 30) / (64 * 1024)), 'MB/s'),
  c: () => compare('c', '1,000,000 16-byte Buffers, Readable -> PassThrough -> Writable',
    buffers(16, 1e6), 'ops/s'),
  d: async () => {
    makeSeedFile();
    try {
      return await compare('d', "seed's uppercase Transform, 256 MiB file", seedUppercase, 'MB/s');
    } finally {
      removeSeedFile();
    }
  },
  m: rssScenario,
};

async function main() {
  const wanted = process.argv.slice(2);
  const names = wanted.length ? wanted : Object.keys(SCENARIOS);
  console.log(`Node ${process.version}, ${os.cpus().length} CPUs, at least ${ROUNDS} rounds each, median`);
  console.log('| | scenario | node:stream | forkpipe | ratio |');
  console.log('|---|---|---|---|---|');
  for (const n of names) {
    if (!SCENARIOS[n]) throw new Error(`unknown scenario ${n}`);
    await SCENARIOS[n]();
  }
}

process.on('exit', removeSeedFile);
main().catch((err) => {
  removeSeedFile();
  console.error(err);
  process.exitCode = 1;
});
