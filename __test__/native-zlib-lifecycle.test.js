'use strict';

// The life of a native zlib stream: events in Node's order, flush(),
// params(), reset(), close(); destroy stops the Rust side at once; a slow
// reader bounds memory; the process lives exactly as long as Node's would.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const nodeZlib = require('node:zlib');
const { spawnSync } = require('node:child_process');
const { once } = require('node:events');
const { zlib, stream } = require('..');
const { openFds } = require('./fixtures/native-fs/util');

const ROOT = path.join(__dirname, '..');

function collect(s) {
  const out = [];
  s.on('data', (d) => out.push(d));
  return new Promise((resolve, reject) => {
    s.on('error', reject);
    s.on('end', () => resolve(Buffer.concat(out)));
  });
}

function eventOrder(z, input) {
  return new Promise((resolve) => {
    const s = z.createGzip();
    const seen = [];
    for (const ev of ['finish', 'end', 'close', 'prefinish']) s.on(ev, () => seen.push(ev));
    s.on('data', () => { if (seen[seen.length - 1] !== 'data') seen.push('data'); });
    s.on('close', () => resolve({ seen, bytesWritten: s.bytesWritten, closed: s._closed }));
    s.end(input);
  });
}

test('events in Node\'s order; bytesWritten counts the input', async () => {
  for (const input of [Buffer.alloc(0), Buffer.from('hi'), Buffer.alloc(3 << 20, 'abc')]) {
    const ours = await eventOrder(zlib, input);
    const theirs = await eventOrder(nodeZlib, input);
    assert.deepStrictEqual(ours.seen.filter((e) => e !== 'data'), theirs.seen.filter((e) => e !== 'data'));
    assert.strictEqual(ours.bytesWritten, input.length);
    assert.strictEqual(ours.bytesWritten, theirs.bytesWritten);
    assert.strictEqual(ours.closed, theirs.closed);
  }
});

test('flush(): everything written so far can be decoded, then the callback', async () => {
  for (const make of [() => zlib.createGzip(), () => zlib.createGzip({ dictionary: Buffer.from('x') }),
    () => zlib.createDeflate({ flush: nodeZlib.constants.Z_SYNC_FLUSH })]) {
    const g = make();
    const out = [];
    g.on('data', (d) => out.push(d));
    const big = Buffer.alloc(600000, 'flush me ');
    g.write(big);
    g.write('tail');
    await new Promise((resolve) => g.flush(resolve));
    const so = Buffer.concat(out);
    const opts = { finishFlush: nodeZlib.constants.Z_SYNC_FLUSH };
    const partial = g instanceof zlib.Gzip ? nodeZlib.gunzipSync(so, opts) : nodeZlib.inflateSync(so, opts);
    assert.strictEqual(partial.length, big.length + 4);
    await new Promise((resolve) => g.flush(nodeZlib.constants.Z_SYNC_FLUSH, resolve));
    g.end();
    await once(g, 'end');
    // After the end, flush() calls back as Node's does.
    await new Promise((resolve) => g.flush(resolve));
  }
});

test('params() mid-stream; reset() between two streams', async () => {
  const g = zlib.createGzip({ level: 9 });
  const done = collect(g);
  const a = Buffer.alloc(700000, 'params ');
  g.write(a);
  const args = await new Promise((resolve) => g.params(1, nodeZlib.constants.Z_RLE, (...a) => resolve(a)));
  assert.deepStrictEqual(args, [], 'Node calls params() back with no arguments');
  assert.strictEqual(g._level, 1);
  assert.strictEqual(g._strategy, nodeZlib.constants.Z_RLE);
  // A decompressor takes any strategy and ignores it, as zlib does, even
  // on the one-stream engine.
  for (const z of [zlib, nodeZlib]) {
    const inflate = z.createGunzip();
    inflate.resume();
    await new Promise((resolve) => inflate.params(3, nodeZlib.constants.Z_FILTERED, resolve));
    inflate.end(nodeZlib.gzipSync('x'));
    await once(inflate, 'end');
  }
  g.end(a);
  assert.ok(nodeZlib.gunzipSync(await done).equals(Buffer.concat([a, a])));

  const run = async (z) => {
    const inf = z.createInflate();
    const out = [];
    inf.on('data', (d) => out.push(d.toString()));
    inf.write(nodeZlib.deflateSync('first'));
    await new Promise((resolve) => inf.flush(resolve));
    inf.reset();
    inf.end(nodeZlib.deflateSync('second'));
    await once(inf, 'end');
    return out.join('|');
  };
  assert.strictEqual(await run(zlib), await run(nodeZlib));
});

test('close(cb) and destroy()', async () => {
  const g = zlib.createGzip();
  g.write('abc');
  await new Promise((resolve) => g.close(resolve));
  assert.strictEqual(g.destroyed, true);
  assert.strictEqual(g._closed, true);
  // Writes after destroy fail as Node's do.
  const err = await new Promise((resolve) => g.write('x', resolve));
  assert.strictEqual(err.code, 'ERR_STREAM_DESTROYED');
});

test('destroy mid-stream stops the Rust side promptly and leaks nothing', async () => {
  // Warm up: the first stream opens the addon's event channel, once.
  await collect(zlib.createGzip().end('warm'));
  const fdsBefore = openFds();
  const input = Buffer.alloc(32 << 20, 'destroy me please ');
  for (let round = 0; round < 3; round++) {
    const g = zlib.createGzip({ level: 9 });
    g.on('error', () => {});
    g.resume();
    g.write(input);
    await new Promise((r) => setTimeout(r, 30));
    g.destroy();
    await once(g, 'close');
    // What is still running finishes within a block or two.
    await new Promise((r) => setTimeout(r, 100));
    const cpu = process.cpuUsage();
    await new Promise((r) => setTimeout(r, 300));
    const used = process.cpuUsage(cpu);
    assert.ok(used.user + used.system < 150000, `CPU after destroy: ${used.user + used.system} µs`);
  }
  // The same through forkpipe's pipeline, destroyed by an error downstream.
  const failing = new stream.Writable({ write(c, e, cb) { cb(new Error('sink failed')); } });
  const src = stream.Readable.from([input, input]);
  const err = await new Promise((resolve) => stream.pipeline(src, zlib.createGzip(), failing, resolve));
  assert.strictEqual(err.message, 'sink failed');
  assert.strictEqual(openFds(), fdsBefore);
});

test('a slow reader keeps memory bounded', async () => {
  // 256 MiB of output from 256 KiB of input: nothing but the reader stops it.
  const packer = nodeZlib.createGzip({ level: 9 });
  const packing = collect(packer);
  const mib = Buffer.alloc(1 << 20);
  for (let i = 0; i < 256; i++) {
    if (!packer.write(mib)) await once(packer, 'drain');
  }
  packer.end();
  const packed = await packing;
  const g = zlib.createGunzip();
  const rss0 = process.memoryUsage().rss;
  let peak = 0;
  let read = 0;
  const slow = new stream.Writable({
    highWaterMark: 16384,
    write(chunk, enc, cb) {
      read += chunk.length;
      peak = Math.max(peak, process.memoryUsage().rss - rss0);
      // Slow at first, then fast, to finish in time.
      if (read < (8 << 20)) setTimeout(cb, 2); else cb();
    },
  });
  g.end(packed);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(g.readableLength <= 1 << 20, `buffered in JS: ${g.readableLength}`);
  const done = new Promise((resolve, reject) => stream.pipeline(g, slow, (e) => (e ? reject(e) : resolve())));
  await done;
  assert.strictEqual(read, 256 << 20);
  assert.ok(peak < 64 << 20, `RSS grew ${peak >> 20} MiB`);
});

function node(code) {
  return spawnSync(process.execPath, ['-e', code], { cwd: ROOT, encoding: 'utf8', timeout: 20000 });
}

test('the process lives while a stream works, and no longer', () => {
  // Nothing but the stream keeps it alive: it still finishes.
  let r = node(`const { zlib } = require('.'); const g = zlib.createGzip(); let n = 0;
    g.on('data', (d) => { n += d.length; }); g.on('end', () => console.log('end', n > 0));
    g.end(Buffer.alloc(8 << 20, 'x'));`);
  assert.strictEqual(r.stdout.trim(), 'end true', r.stderr);
  r = node(`const { zlib } = require('.'); zlib.gunzip(require('zlib').gzipSync('done'),
    (e, b) => console.log(String(b)));`);
  assert.strictEqual(r.stdout.trim(), 'done', r.stderr);
  // A stream nobody ends does not hold the process (nor does Node's).
  const t = Date.now();
  r = node(`const { zlib } = require('.'); const g = zlib.createGzip(); g.write('abc');
    g.on('data', () => {}); setTimeout(() => console.log('bye'), 10);`);
  assert.strictEqual(r.status, 0, r.stderr);
  assert.strictEqual(r.stdout.trim(), 'bye');
  assert.ok(Date.now() - t < 5000);
});
