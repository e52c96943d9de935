'use strict';

// forkpipe.fs copies, byte for byte: every size that matters around the
// chunk and batch boundaries, with and without start/end, native to
// native (Rust moves the bytes), native to JS, JS to native — each checked
// against the file and against what Node's fs streams give for the same
// options.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const nodeStreamPromises = require('stream/promises');
const { Writable } = require('stream');
const forkpipe = require('../index.js');
const u = require('./fixtures/native-fs/util');

const fp = forkpipe.fs;
const { pipeline } = forkpipe.stream.promises;

const KiB = 1024;
const SIZES = [0, 1, 4095, 64 * KiB - 1, 64 * KiB, 64 * KiB + 1, KiB * KiB + 3, 3 * KiB * KiB + 17];
const RANGES = [
  {},
  { start: 0 },
  { start: 1 },
  { end: 0 },
  { start: 100, end: 70000 },
  { start: 65536, end: 65536 },
  { start: 5, end: 2 * KiB * KiB },
  { start: 10 * KiB * KiB },
];

function slice(data, { start, end }) {
  const from = start === undefined ? 0 : start;
  const to = end === undefined ? data.length : Math.min(end + 1, data.length);
  return data.subarray(from, Math.max(from, to));
}

// Collects what Node's own ReadStream gives for the same options.
async function nodeRead(file, range) {
  const parts = [];
  for await (const c of fs.createReadStream(file, range)) parts.push(c);
  return Buffer.concat(parts);
}

test('native -> native: byte-identical for every size and range, moved inside Rust', async (t) => {
  const dir = u.tempDir(t);
  const jobs = u.countJobs(t);
  for (const size of SIZES) {
    const file = u.writeFile(dir, `src-${size}`, size, size);
    const data = fs.readFileSync(file);
    for (const range of RANGES) {
      const out = path.join(dir, 'out');
      const before = { ...jobs };
      const r = fp.createReadStream(file, range);
      const w = fp.createWriteStream(out);
      await pipeline(r, w);
      const want = slice(data, range);
      const got = fs.readFileSync(out);
      const label = `size ${size} ${JSON.stringify(range)}`;
      assert.strictEqual(u.sha256(got), u.sha256(want), label);
      assert.ok(got.equals(await nodeRead(file, range)), `${label}: same as Node`);
      assert.strictEqual(r.bytesRead, want.length, `${label}: bytesRead`);
      assert.strictEqual(w.bytesWritten, want.length, `${label}: bytesWritten`);
      assert.strictEqual(jobs.read - before.read, 0, `${label}: no byte read into JS`);
      assert.strictEqual(jobs.write - before.write, 0, `${label}: no byte written from JS`);
    }
  }
});

test('pipe() between native streams splices too, and ends like the slow path', async (t) => {
  const dir = u.tempDir(t);
  const jobs = u.countJobs(t);
  const file = u.writeFile(dir, 'src', 2 * KiB * KiB + 1);
  const out = path.join(dir, 'out');
  const r = fp.createReadStream(file);
  const w = fp.createWriteStream(out);
  const events = [];
  for (const e of ['open', 'ready', 'end', 'close']) r.on(e, () => events.push(`r:${e}`));
  for (const e of ['open', 'ready', 'finish', 'close']) w.on(e, () => events.push(`w:${e}`));
  r.pipe(w);
  await new Promise((resolve) => w.on('close', resolve));
  assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)));
  assert.strictEqual(jobs.splice, 1);
  assert.strictEqual(jobs.read, 0);

  // Node's streams, the same way: the same events in the same order.
  const nodeEvents = [];
  const nr = fs.createReadStream(file);
  const nw = fs.createWriteStream(out);
  for (const e of ['open', 'ready', 'end', 'close']) nr.on(e, () => nodeEvents.push(`r:${e}`));
  for (const e of ['open', 'ready', 'finish', 'close']) nw.on(e, () => nodeEvents.push(`w:${e}`));
  await nodeStreamPromises.pipeline(nr, nw);
  // Each stream's own order is Node's; the two streams' fs calls race.
  const of = (list, who) => list.filter((e) => e.startsWith(who));
  assert.deepStrictEqual(of(events, 'r:'), of(nodeEvents, 'r:'));
  assert.deepStrictEqual(of(events, 'w:'), of(nodeEvents, 'w:'));
  assert.ok(events.indexOf('r:end') < events.indexOf('w:finish'), events.join(' '));
});

test('native -> JS: a JS Writable gets every byte in order, in highWaterMark chunks', async (t) => {
  const dir = u.tempDir(t);
  for (const size of SIZES) {
    const file = u.writeFile(dir, `src-${size}`, size, size + 7);
    const data = fs.readFileSync(file);
    for (const range of [{}, { start: 3, end: 200000 }]) {
      const parts = [];
      const sink = new Writable({
        write(chunk, enc, cb) {
          parts.push(chunk);
          cb();
        },
      });
      const r = fp.createReadStream(file, { ...range, highWaterMark: 16 * KiB });
      await pipeline(r, sink);
      assert.ok(Buffer.concat(parts).equals(slice(data, range)), `size ${size} ${JSON.stringify(range)}`);
      assert.ok(parts.every((c) => c.length <= 16 * KiB), 'no chunk above highWaterMark');
    }
  }
});

test('a JS stage between two native streams: ordinary delivery, every byte once', async (t) => {
  const dir = u.tempDir(t);
  const jobs = u.countJobs(t);
  const file = u.writeFile(dir, 'src', 3 * KiB * KiB + 5);
  const out = path.join(dir, 'out');
  const { Transform } = forkpipe.stream;
  let seen = 0;
  await pipeline(fp.createReadStream(file), new Transform({
    transform(chunk, enc, cb) {
      seen += chunk.length;
      cb(null, chunk);
    },
  }), fp.createWriteStream(out));
  assert.strictEqual(seen, 3 * KiB * KiB + 5);
  assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)));
  assert.strictEqual(jobs.splice, 0);
  // Node's own fs.WriteStream as the destination: JS path too.
  const out2 = path.join(dir, 'out2');
  await pipeline(fp.createReadStream(file, { start: 7 }), fs.createWriteStream(out2));
  assert.ok(fs.readFileSync(out2).equals(fs.readFileSync(file).subarray(7)));
  assert.strictEqual(jobs.splice, 0);
});

test('JS -> native: Node\'s ReadStream into forkpipe\'s WriteStream, with start', async (t) => {
  const dir = u.tempDir(t);
  for (const size of SIZES) {
    const file = u.writeFile(dir, `src-${size}`, size, size + 11);
    const out = path.join(dir, 'out');
    await nodeStreamPromises.pipeline(fs.createReadStream(file), fp.createWriteStream(out));
    assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)), `size ${size}`);
  }
  // start writes at an offset of an existing file, as Node's does.
  const base = u.writeFile(dir, 'base', 1000, 3);
  const mine = path.join(dir, 'mine');
  const theirs = path.join(dir, 'theirs');
  fs.copyFileSync(base, mine);
  fs.copyFileSync(base, theirs);
  const patch = u.pattern(300, 9);
  await pipeline(fp.createReadStream(u.writeFile(dir, 'patch', 300, 9)),
    fp.createWriteStream(mine, { flags: 'r+', start: 900 }));
  const w = fs.createWriteStream(theirs, { flags: 'r+', start: 900 });
  w.end(patch);
  await new Promise((resolve) => w.on('close', resolve));
  assert.ok(fs.readFileSync(mine).equals(fs.readFileSync(theirs)));
  // Append mode: the kernel refuses copy_file_range; the fallback still copies.
  const log = u.writeFile(dir, 'log', 10, 4);
  await pipeline(fp.createReadStream(base), fp.createWriteStream(log, { flags: 'a' }));
  assert.ok(fs.readFileSync(log).equals(Buffer.concat([u.pattern(10, 4), fs.readFileSync(base)])));
});

test('strings and encodings: write strings, read with an encoding, like Node', async (t) => {
  const dir = u.tempDir(t);
  const out = path.join(dir, 'text');
  const w = fp.createWriteStream(out, { encoding: 'hex' });
  w.write('68656c6c6f');
  w.write(' wörld', 'utf8');
  w.end();
  await new Promise((resolve) => w.on('close', resolve));
  assert.strictEqual(fs.readFileSync(out, 'utf8'), 'hello wörld');
  assert.strictEqual(w.bytesWritten, 12);
  const chunks = [];
  for await (const c of fp.createReadStream(out, { encoding: 'utf8', highWaterMark: 7 })) chunks.push(c);
  const nodeChunks = [];
  for await (const c of fs.createReadStream(out, { encoding: 'utf8', highWaterMark: 7 })) nodeChunks.push(c);
  assert.deepStrictEqual(chunks.join(''), nodeChunks.join(''));
  assert.ok(chunks.every((c) => typeof c === 'string'));
});
