'use strict';

// forkpipe.fs streams next to Node's: events in the same order, the same
// properties, fd streams over pipes, switching from a Rust splice to JS
// delivery mid-way without losing or repeating a byte, prompt stops when
// a pipeline is destroyed, and bounded memory under a slow JS consumer.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const nodeStream = require('stream');
const forkpipe = require('../index.js');
const u = require('./fixtures/native-fs/util');

const fp = forkpipe.fs;
const { pipeline } = forkpipe.stream.promises;
const MiB = 1024 * 1024;

// Every event a stream emits, with its first argument's shape.
function record(stream) {
  const events = [];
  const emit = stream.emit;
  stream.emit = function recorded(name, ...args) {
    if (typeof name === 'string') {
      const a = args[0];
      events.push(a === undefined ? name :
        `${name}:${Buffer.isBuffer(a) ? `buf${a.length}` : typeof a === 'number' ? 'n' : typeof a}`);
    }
    return emit.call(this, name, ...args);
  };
  return events;
}

function ended(stream) {
  return new Promise((resolve) => stream.on('close', resolve));
}

test('a ReadStream read by JS: same events, properties and chunks as Node\'s', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 200000);
  for (const options of [{}, { start: 10, end: 150000, highWaterMark: 30000 }, { encoding: 'base64' },
    { emitClose: false }, { autoClose: false }]) {
    const seen = [];
    for (const make of [fp, fs]) {
      const r = make.createReadStream(file, options);
      const events = record(r);
      assert.strictEqual(r.pending, true);
      assert.strictEqual(r.path, file);
      assert.strictEqual(r.bytesRead, 0);
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      await new Promise((resolve) => r.on('end', () => setTimeout(resolve, 20)));
      const fdOpen = r.fd !== null;
      if (options.autoClose === false) r.destroy();
      seen.push({
        events: events.filter((e) => !e.startsWith('data')).join(' '),
        total: chunks.reduce((n, c) => n + c.length, 0),
        bytesRead: r.bytesRead, pending: r.pending, fdOpen, destroyed: r.destroyed,
        text: typeof chunks[0] === 'string' ? chunks.join('') : null,
      });
    }
    assert.deepStrictEqual(seen[0], seen[1], JSON.stringify(options));
  }
});

test('a WriteStream written by JS: same events and properties as Node\'s', async (t) => {
  const dir = u.tempDir(t);
  for (const options of [{}, { flush: true }, { emitClose: false }, { autoClose: false }]) {
    const seen = [];
    for (const make of [fp, fs]) {
      const file = path.join(dir, `out-${make === fp ? 'fp' : 'node'}`);
      const w = make.createWriteStream(file, options);
      const events = record(w);
      w.write('a');
      w.write(Buffer.alloc(70000, 1));
      w.cork();
      w.write('b');
      w.write('c');
      w.uncork();
      w.end('z');
      await new Promise((resolve) => w.on('finish', () => setTimeout(resolve, 20)));
      if (options.autoClose === false) {
        assert.notStrictEqual(w.fd, null);
        w.close();
        await u.tick(20);
      }
      seen.push({ events: events.join(' '), bytesWritten: w.bytesWritten,
        fd: w.fd === null ? null : 'open', content: u.sha256(fs.readFileSync(file)) });
      w.destroy();
    }
    assert.deepStrictEqual(seen[0], seen[1], JSON.stringify(options));
  }
});

test('fd streams: no open event, fd 0 never closed, FileHandle closed with the stream', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 1000);
  const fd = fs.openSync(file, 'r');
  const r = fp.createFdReadStream(fd, { start: 900 });
  const events = record(r);
  const parts = [];
  r.on('data', (c) => parts.push(c));
  await ended(r);
  assert.ok(!events.includes('open'));
  assert.ok(Buffer.concat(parts).equals(fs.readFileSync(file).subarray(900)));
  assert.throws(() => fs.fstatSync(fd), { code: 'EBADF' }, 'autoClose closed the fd');

  const handle = await fs.promises.open(file, 'r');
  const hr = fp.createReadStream(null, { fd: handle });
  let n = 0;
  hr.on('data', (c) => { n += c.length; });
  await ended(hr);
  assert.strictEqual(n, 1000);
  assert.strictEqual(handle.fd, -1, 'the FileHandle was closed');

  // Node never closes fd 0 (it tests `!stream.fd`); neither does forkpipe.
  const stdin = fp.createReadStream(null, { fd: 0 });
  stdin.destroy();
  await ended(stdin);
  assert.doesNotThrow(() => fs.fstatSync(0));
});

test('pipes and FIFOs both ways, spliced and read by JS', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 3 * MiB + 333);
  const data = fs.readFileSync(file);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // FIFO -> file (spliced) while another stream writes file -> FIFO.
  const out = path.join(dir, 'out');
  await Promise.all([
    pipeline(fp.createReadStream(fifo), fp.createWriteStream(out)),
    pipeline(fp.createReadStream(file), fp.createWriteStream(fifo)),
  ]);
  assert.ok(fs.readFileSync(out).equals(data));
  // FIFO read by JS.
  const parts = [];
  const reader = fp.createReadStream(fifo);
  reader.on('data', (c) => parts.push(c));
  await Promise.all([ended(reader), pipeline(fp.createReadStream(file), fp.createWriteStream(fifo))]);
  assert.ok(Buffer.concat(parts).equals(data));
  assert.ok(parts.every((c) => c.length <= 65536));
});

test('a TCP socket\'s fd both ways (Node never reads it: pauseOnConnect)', async (t) => {
  const dir = u.tempDir(t);
  const data = u.pattern(3 * MiB + 11, 12);
  const copy = path.join(dir, 'copy');
  const server = require('net').createServer({ pauseOnConnect: true, allowHalfOpen: true }, async (sock) => {
    const fd = sock._handle.fd;
    // socket -> file (spliced), then file -> socket.
    await pipeline(fp.createFdReadStream(fd, { autoClose: false }), fp.createWriteStream(copy));
    await pipeline(fp.createReadStream(copy), fp.createFdWriteStream(fd, { autoClose: false }));
    sock.end();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const echoed = await new Promise((resolve, reject) => {
    const c = require('net').connect({ port: server.address().port, host: '127.0.0.1', allowHalfOpen: true });
    const parts = [];
    c.on('data', (d) => parts.push(d));
    c.on('end', () => resolve(Buffer.concat(parts)));
    c.on('error', reject);
    c.end(data);
  });
  assert.ok(fs.readFileSync(copy).equals(data));
  assert.ok(echoed.equals(data));
});

test('a data listener added mid-splice: the rest reaches both, nothing lost or repeated', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'big', 8 * MiB);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const jobs = u.countJobs(t);
  // The far end of the FIFO reads slowly, so the splice is still running
  // when the listener comes.
  const received = [];
  const reader = fs.createReadStream(fifo);
  reader.on('data', (c) => {
    received.push(c);
    reader.pause();
    setTimeout(() => reader.resume(), 1);
  });
  const r = fp.createReadStream(file);
  const w = fp.createWriteStream(fifo);
  const closed = Promise.all([ended(w), ended(reader)]);
  r.pipe(w);
  while (received.length === 0) await u.tick(1);
  const parts = [];
  r.on('data', (c) => parts.push(c));
  await closed;
  const data = fs.readFileSync(file);
  assert.ok(Buffer.concat(received).equals(data), 'the destination has every byte once');
  const seen = Buffer.concat(parts);
  assert.ok(seen.length > 0 && seen.length < data.length, `the listener saw ${seen.length}`);
  assert.ok(seen.equals(data.subarray(data.length - seen.length)), 'and saw the tail, in order');
  assert.strictEqual(r.bytesRead, data.length);
  assert.strictEqual(w.bytesWritten, data.length);
  assert.strictEqual(jobs.splice, 1);
});

test('pause, resume and unpipe around a splice keep every byte', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'big', 32 * MiB, 5);
  const out = path.join(dir, 'out');
  const r = fp.createReadStream(file);
  const w = fp.createWriteStream(out);
  const closed = ended(w);
  const jobs = u.countJobs(t);
  r.pipe(w);
  while (jobs.splice === 0) await new Promise(setImmediate);
  r.unpipe(w);
  await u.tick(10);
  const buffered = r.readableLength;
  r.pipe(w);
  await closed;
  assert.ok(fs.readFileSync(out).equals(fs.readFileSync(file)), `buffered ${buffered}`);
  assert.ok(jobs.splice >= 2 || buffered === 0, 'the splice started again after the second pipe()');
});

test('a destination destroyed before it opened: the source goes on from where it was', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 3 * MiB + 1, 8);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const before = u.openFds();
  const r = fp.createReadStream(file);
  // Opening a FIFO for writing waits for a reader: the splice waits too.
  const w = fp.createWriteStream(fifo);
  r.pipe(w);
  await u.tick(30);
  w.destroy();
  // A reader lets the blocked open finish; the stream then closes its fd.
  const unblock = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  await ended(w);
  fs.closeSync(unblock);
  // As on Node's slow path, what the pipe wrote into the destroyed
  // destination before its 'close' is gone; the rest follows in order.
  const out = path.join(dir, 'out');
  await pipeline(r, fp.createWriteStream(out));
  const data = fs.readFileSync(file);
  const got = fs.readFileSync(out);
  assert.ok(got.length > data.length - 2 * 65536, `${got.length} of ${data.length}`);
  assert.ok(got.equals(data.subarray(data.length - got.length)));
  assert.strictEqual(await u.fdsBackTo(before), before);
});

test('destroying a pipeline mid-way stops the Rust side at once and closes every fd', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'big', 8 * MiB);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const before = u.openFds();
  // A reader that never reads: the splice fills the pipe and waits.
  const stuck = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const r = fp.createReadStream(file);
  const w = fp.createWriteStream(fifo);
  const done = pipeline(r, w).then(() => null, (e) => e);
  await u.tick(100);
  const start = process.hrtime.bigint();
  r.destroy();
  const err = await done;
  await Promise.all([r.closed ? null : ended(r), w.closed ? null : ended(w)]);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  assert.strictEqual(err.code, 'ERR_STREAM_PREMATURE_CLOSE');
  assert.ok(ms < 500, `stopped in ${ms} ms`);
  assert.ok(w.bytesWritten > 0 && w.bytesWritten < 8 * MiB, `${w.bytesWritten} written`);
  assert.strictEqual(r.bytesRead, w.bytesWritten);
  fs.closeSync(stuck);
  assert.strictEqual(await u.fdsBackTo(before), before);
});

test('a slow JS consumer holds the source back: bounded buffering and memory', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'big', 64 * MiB, 3);
  let maxBuffered = 0;
  let bytes = 0;
  const r = fp.createReadStream(file);
  const slow = new nodeStream.Writable({
    highWaterMark: 64 * 1024,
    write(chunk, enc, cb) {
      bytes += chunk.length;
      maxBuffered = Math.max(maxBuffered, r.readableLength);
      // Every 64th chunk waits a little: the source must wait too.
      if (bytes % (64 * 65536) === 0) setTimeout(cb, 2);
      else setImmediate(cb);
    },
  });
  global.gc?.();
  const rss = process.memoryUsage().rss;
  let peak = rss;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  await pipeline(r, slow);
  clearInterval(sampler);
  assert.strictEqual(bytes, 64 * MiB);
  assert.ok(maxBuffered <= 2 * MiB, `at most ${maxBuffered} bytes waited in the source`);
  assert.ok(peak - rss < 48 * MiB, `RSS grew ${(peak - rss) / MiB} MiB for 64 MiB read`);
});

test('streams are instances of forkpipe\'s and Node\'s stream classes', () => {
  const r = fp.createReadStream(__filename);
  const w = fp.createWriteStream('/dev/null');
  assert.ok(r instanceof forkpipe.stream.Readable && r instanceof nodeStream.Readable);
  assert.ok(w instanceof forkpipe.stream.Writable && w instanceof nodeStream.Writable);
  assert.ok(r instanceof fp.ReadStream && w instanceof fp.WriteStream);
  assert.ok(fp.ReadStream(__filename, { fd: 0, autoClose: false }) instanceof fp.ReadStream);
  r.destroy();
  w.destroy();
});
