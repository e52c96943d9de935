'use strict';

// Errors, compared with Node's fs streams for the same input: bad options
// (thrown at once, or emitted once the stream tries to open), system
// errors with code/errno/syscall/path, and destinations that fail in the
// middle of a copy — each surfacing exactly one error and leaving no fd
// open behind it.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const nodeStreamPromises = require('stream/promises');
const forkpipe = require('../index.js');
const u = require('./fixtures/native-fs/util');

const fp = forkpipe.fs;
const { pipeline } = forkpipe.stream.promises;

function thrown(fn) {
  try {
    const s = fn();
    s.on('error', () => {});
    s.destroy();
  } catch (err) {
    return { name: err.name, code: err.code, message: err.message };
  }
  return null;
}

const BAD_OPTIONS = [
  5, true, { start: -1 }, { start: '1' }, { start: 1.5 }, { start: NaN }, { end: -2 },
  { end: '5' }, { start: 5, end: 2 }, { highWaterMark: -1 }, { highWaterMark: 'x' },
  { fd: 'x' }, { fd: -1 }, { fd: 1.5 }, { fd: 2 ** 31 }, { encoding: 'bogus' },
  { signal: 1 }, { flush: 'yes' }, { start: 2 ** 53 },
];
const BAD_PATHS = [1, null, undefined, {}, 'a\u0000b', Buffer.from('a\u0000b'),
  new URL('http://example.com/x')];

test('bad options and paths throw what Node throws', (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 10);
  for (const make of ['createReadStream', 'createWriteStream']) {
    for (const options of BAD_OPTIONS) {
      const label = `${make}(file, ${JSON.stringify(options)})`;
      assert.deepStrictEqual(thrown(() => fp[make](file, options)),
        thrown(() => fs[make](file, options)), label);
    }
    for (const p of BAD_PATHS) {
      assert.deepStrictEqual(thrown(() => fp[make](p)), thrown(() => fs[make](p)),
        `${make}(${String(p)})`);
    }
  }
});

// The first error a stream emits, and the events around it.
function firstError(stream) {
  return new Promise((resolve) => {
    stream.on('error', (err) => resolve({
      name: err.name, code: err.code, message: err.message, errno: err.errno,
      syscall: err.syscall, path: err.path,
    }));
  });
}

test('errors when opening or reading match Node\'s, field by field', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 10);
  const cases = [
    ['createReadStream', path.join(dir, 'missing'), undefined],
    ['createReadStream', dir, undefined],
    ['createWriteStream', path.join(dir, 'no', 'such', 'dir'), undefined],
    ['createWriteStream', file, { flags: 'wx' }],
    ['createReadStream', file, { flags: 'bogus' }],
    ['createWriteStream', file, { flags: {} }],
    ['createReadStream', file, { flags: 5.5 }],
    ['createReadStream', file, { mode: 'xyz' }],
    ['createWriteStream', file, { mode: -1 }],
    ['createWriteStream', file, { mode: true }],
  ];
  for (const [make, p, options] of cases) {
    const mine = fp[make](p, options);
    const theirs = fs[make](p, options);
    if (make === 'createReadStream') {
      mine.resume();
      theirs.resume();
    }
    const [a, b] = await Promise.all([firstError(mine), firstError(theirs)]);
    assert.deepStrictEqual(a, b, `${make}(${p}, ${JSON.stringify(options)})`);
  }
  // A write stream opened read-only: EBADF on write, as Node reports it.
  const [a, b] = await Promise.all([fp, fs].map((m) => {
    const w = m.createWriteStream(file, { flags: 'r' });
    w.write('x');
    return firstError(w);
  }));
  assert.deepStrictEqual(a, b);
});

// Runs a copy whose destination fails; returns the errors seen.
async function failingCopy(make, src, dest, via) {
  const errors = [];
  const r = make.createReadStream(src);
  const w = dest();
  const closed = Promise.all([r, w].map((s) => new Promise((resolve) => s.on('close', resolve))));
  r.on('error', (e) => errors.push(`source ${e.code}`));
  w.on('error', (e) => errors.push(`dest ${e.code} ${e.syscall}`));
  let result;
  if (via === 'pipeline') {
    const run = make === fp ? pipeline : nodeStreamPromises.pipeline;
    result = await run(r, w).then(() => 'ok', (e) => `rejected ${e.code}`);
  } else {
    r.pipe(w);
    await new Promise((resolve) => w.on('close', resolve));
    r.destroy();
    result = 'piped';
  }
  await closed;
  return { errors, result, closed: [r.fd, w.fd] };
}

test('a full device mid-copy: one error, every fd closed, as with Node', async (t) => {
  const dir = u.tempDir(t);
  const src = u.writeFile(dir, 'src', 3 * 1024 * 1024 + 5);
  const before = u.openFds();
  for (const via of ['pipeline', 'pipe']) {
    const mine = await failingCopy(fp, src, () => fp.createWriteStream('/dev/full'), via);
    const theirs = await failingCopy(fs, src, () => fs.createWriteStream('/dev/full'), via);
    assert.deepStrictEqual(mine, theirs, via);
    assert.strictEqual(mine.errors[0], 'dest ENOSPC write', via);
  }
  assert.strictEqual(await u.fdsBackTo(before), before, 'no fd left open');
});

test('a pipe whose reader went away: one EPIPE, nothing leaked', async (t) => {
  const dir = u.tempDir(t);
  const src = u.writeFile(dir, 'src', 2 * 1024 * 1024);
  const before = u.openFds();
  const fifo = path.join(dir, 'fifo');
  require('child_process').execFileSync('mkfifo', [fifo]);
  for (const via of ['pipeline', 'pipe']) {
    const outcome = [];
    for (const make of [fp, fs]) {
      // A reader that opens the FIFO, then closes it at once.
      const reader = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
      const dest = () => make.createWriteStream(fifo);
      const running = failingCopy(make, src, dest, via);
      await u.tick(20);
      fs.closeSync(reader);
      outcome.push(await running);
    }
    assert.deepStrictEqual(outcome[0], outcome[1], via);
    assert.strictEqual(outcome[0].errors[0], 'dest EPIPE write', via);
  }
  assert.strictEqual(await u.fdsBackTo(before), before, 'no fd left open');
});

test('a source that fails: EISDIR from the read, one error, as Node', async (t) => {
  const dir = u.tempDir(t);
  const before = u.openFds();
  const mine = await failingCopy(fp, dir, () => fp.createWriteStream(path.join(dir, 'a')), 'pipeline');
  const theirs = await failingCopy(fs, dir, () => fs.createWriteStream(path.join(dir, 'b')), 'pipeline');
  assert.deepStrictEqual(mine, theirs);
  assert.strictEqual(mine.errors[0], 'source EISDIR');
  assert.strictEqual(await u.fdsBackTo(before), before);
});
