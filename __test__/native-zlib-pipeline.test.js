'use strict';

// Native zlib transforms between native neighbours: forkpipe.fs streams
// (and other transforms) on both sides, so the bytes stay in Rust (a source
// splices into the transform's feed pipe; the transform's output is written
// to the sink's fd by a Rust thread). Checked: identical bytes, no per-chunk
// JS call, the same end events and state as the JS path, errors and
// destroy closing every fd, and a fallback to JS when JS reads too.

const test = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const nodeZlib = require('node:zlib');
const native = require('../lib/native');
const { zlib, stream } = require('..');
const { openFds } = require('./fixtures/native-fs/util');
const forkFs = require('..').fs;
const promises = require('../lib/stream/promises');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'forkpipe-zpipe-'));
test.after(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const tmp = (name) => path.join(dir, `${n++}-${name}`);

function text(size, seed) {
  const out = Buffer.alloc(size);
  let at = 0;
  let x = seed;
  while (at < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    at += out.write(`line ${x % 9973} of the log, key=${x % 77}\n`, at);
  }
  return out;
}

const hash = (b) => crypto.createHash('sha256').update(b).digest('hex');

// Counts the addon calls made while `fn` runs.
async function counting(fn) {
  const counts = {};
  const saved = {};
  for (const key of Object.keys(native)) {
    if (!key.startsWith('zlib')) continue;
    saved[key] = native[key];
    native[key] = function counted(...args) {
      counts[key] = (counts[key] || 0) + 1;
      return saved[key].apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    Object.assign(native, saved);
  }
  return counts;
}

const run = (...streams) => new Promise((resolve, reject) =>
  stream.pipeline(...streams, (err) => (err ? reject(err) : resolve())));

test('file -> gzip -> file and back stay in Rust, byte for byte', async () => {
  for (const size of [0, 1, 300000, (3 << 20) + 7]) {
    const input = text(size, size + 1);
    const src = tmp('src');
    const gz = tmp('gz');
    const back = tmp('back');
    fs.writeFileSync(src, input);
    const counts = await counting(() => run(forkFs.createReadStream(src), zlib.createGzip(),
      forkFs.createWriteStream(gz)));
    assert.strictEqual(hash(nodeZlib.gunzipSync(fs.readFileSync(gz))), hash(input), `size ${size}`);
    // No byte crossed into JS: no writes pushed, no output read.
    assert.strictEqual(counts.zlibPush || 0, 0, JSON.stringify(counts));
    assert.strictEqual(counts.zlibPushv || 0, 0);
    assert.strictEqual(counts.zlibRead || 0, 0);
    const w = forkFs.createWriteStream(back);
    await run(forkFs.createReadStream(gz), zlib.createGunzip(), w);
    assert.strictEqual(hash(fs.readFileSync(back)), hash(input));
    assert.strictEqual(w.bytesWritten, size);
  }
});

test('transform to transform through pipes, then to a file', async () => {
  const input = text(1 << 20, 7);
  const src = tmp('src');
  const out = tmp('out');
  fs.writeFileSync(src, nodeZlib.gzipSync(input));
  // gunzip -> deflate: the first transform drains into the second's feed.
  await promises.pipeline(forkFs.createReadStream(src), zlib.createGunzip(),
    zlib.createDeflate({ level: 1 }), forkFs.createWriteStream(out));
  assert.strictEqual(hash(nodeZlib.inflateSync(fs.readFileSync(out))), hash(input));
});

test('one native neighbour: the other side goes through JS', async () => {
  const input = text(2 << 20, 3);
  const src = tmp('src');
  fs.writeFileSync(src, input);
  // Native source, JS sink.
  const parts = [];
  await run(forkFs.createReadStream(src), zlib.createGzip(),
    new stream.Writable({ write(c, e, cb) { parts.push(c); cb(); } }));
  assert.strictEqual(hash(nodeZlib.gunzipSync(Buffer.concat(parts))), hash(input));
  // JS source, native sink.
  const out = tmp('out');
  await run(stream.Readable.from([input.subarray(0, 1000), input.subarray(1000)]),
    zlib.createGzip(), forkFs.createWriteStream(out));
  assert.strictEqual(hash(nodeZlib.gunzipSync(fs.readFileSync(out))), hash(input));
  // Node's own fs streams on both sides.
  const out2 = tmp('out2');
  await run(fs.createReadStream(src), zlib.createDeflateRaw(), fs.createWriteStream(out2));
  assert.strictEqual(hash(nodeZlib.inflateRawSync(fs.readFileSync(out2))), hash(input));
});

test('a second reader of the output makes it go through JS, with every byte', async () => {
  const input = text(3 << 20, 4);
  const src = tmp('src');
  const out = tmp('out');
  fs.writeFileSync(src, input);
  const gzip = zlib.createGzip();
  const seen = [];
  gzip.on('data', (d) => seen.push(d));
  await run(forkFs.createReadStream(src), gzip, forkFs.createWriteStream(out));
  const written = fs.readFileSync(out);
  assert.ok(Buffer.concat(seen).equals(written));
  assert.strictEqual(hash(nodeZlib.gunzipSync(written)), hash(input));
  // A listener that comes mid-way stops the Rust side without a byte lost:
  // what it sees is the tail of what the file gets.
  const late = zlib.createGzip();
  const lateOut = tmp('late');
  const got = [];
  const p = run(forkFs.createReadStream(src, { highWaterMark: 16384 }), late,
    forkFs.createWriteStream(lateOut));
  setTimeout(() => late.on('data', (d) => got.push(d)), 5);
  await p;
  const file = fs.readFileSync(lateOut);
  assert.strictEqual(hash(nodeZlib.gunzipSync(file)), hash(input));
  const tail = Buffer.concat(got);
  assert.ok(file.subarray(file.length - tail.length).equals(tail));
});

test('corrupt input and destroy mid-way: one error, every fd closed', async () => {
  const before = openFds();
  const bad = tmp('bad');
  fs.writeFileSync(bad, Buffer.concat([nodeZlib.gzipSync(text(100000, 5)).subarray(0, 500),
    Buffer.alloc(100000, 7)]));
  const err = await run(forkFs.createReadStream(bad), zlib.createGunzip(),
    forkFs.createWriteStream(tmp('x'))).catch((e) => e);
  assert.strictEqual(err.code, 'Z_DATA_ERROR');
  assert.strictEqual(err.errno, -3);

  const big = tmp('big');
  fs.writeFileSync(big, text(24 << 20, 6));
  for (let i = 0; i < 3; i++) {
    const g = zlib.createGzip({ level: 9 });
    const p = run(forkFs.createReadStream(big), g, forkFs.createWriteStream(tmp('y')));
    setTimeout(() => g.destroy(new Error('stop now')), 20 + 30 * i);
    const e = await p.catch((x) => x);
    assert.strictEqual(e.message, 'stop now');
  }
  // Threads let go of their descriptors within a poll slice or two.
  await new Promise((r) => setTimeout(r, 200));
  assert.strictEqual(openFds(), before);
  const cpu = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 300));
  const used = process.cpuUsage(cpu);
  assert.ok(used.user + used.system < 150000, `${used.user + used.system} µs after destroy`);
});
