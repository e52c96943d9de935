'use strict';

// Duplex, Transform, PassThrough and duplexPair: independent sides,
// allowHalfOpen, per-side options, _transform/_flush with their errors,
// backpressure carried through a Transform.

const test = require('node:test');
const assert = require('node:assert');
const { once } = require('events');
const { Duplex, Transform, PassThrough, Writable, Readable, duplexPair } = require('../lib/stream');

const immediate = () => new Promise((resolve) => setImmediate(resolve));

test('a Duplex has two independent sides', async () => {
  const written = [];
  const d = new Duplex({
    read() {},
    write(chunk, enc, cb) { written.push(chunk.toString()); cb(); },
  });
  d.write('to the writable side');
  d.push('from the readable side');
  d.push(null);
  assert.strictEqual(d.read().toString(), 'from the readable side');
  d.end();
  await once(d, 'finish');
  assert.deepStrictEqual(written, ['to the writable side']);
  assert.ok(d instanceof Readable && d instanceof Writable && d instanceof Duplex);
});

test('per-side options: readableObjectMode, writableHighWaterMark', () => {
  const d = new Duplex({ readableObjectMode: true, writableHighWaterMark: 5, read() {}, write(c, e, cb) { cb(); } });
  assert.strictEqual(d.readableObjectMode, true);
  assert.strictEqual(d.writableObjectMode, false);
  assert.strictEqual(d.readableHighWaterMark, 16);
  assert.strictEqual(d.writableHighWaterMark, 5);
});

test('allowHalfOpen: false ends the writable side when the readable side ends', async () => {
  const d = new Duplex({ allowHalfOpen: false, read() { this.push(null); }, write(c, e, cb) { cb(); } });
  d.resume();
  await once(d, 'finish');
  assert.strictEqual(d.writableEnded, true);
});

test('allowHalfOpen (default): the writable side stays open after end', async () => {
  const d = new Duplex({ read() { this.push(null); }, write(c, e, cb) { cb(); } });
  d.resume();
  await once(d, 'end');
  await immediate();
  assert.strictEqual(d.writable, true);
  assert.strictEqual(d.destroyed, false, 'not destroyed until both sides are done');
  d.end();
  await once(d, 'close');
});

test('readable: false / writable: false switch a side off', () => {
  const d = new Duplex({ readable: false, write(c, e, cb) { cb(); } });
  assert.strictEqual(d.readable, false);
  assert.strictEqual(d.writable, true);
  const e = new Duplex({ writable: false, read() {} });
  assert.strictEqual(e.writable, false);
  assert.strictEqual(e.readable, true);
});

test('Transform maps chunks and _flush adds the tail', async () => {
  const t = new Transform({
    transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); },
    flush(cb) { cb(null, '!'); },
  });
  const out = [];
  t.on('data', (c) => out.push(c.toString()));
  t.write('a');
  t.end('b');
  await once(t, 'end');
  assert.deepStrictEqual(out, ['A', 'B', '!']);
});

test('Transform may push several chunks per input, or none', async () => {
  const t = new Transform({
    objectMode: true,
    transform(n, enc, cb) {
      for (let i = 0; i < n; i++) this.push(n);
      cb();
    },
  });
  const out = [];
  t.on('data', (c) => out.push(c));
  for (const n of [0, 1, 2, 0, 3]) t.write(n);
  t.end();
  await once(t, 'end');
  assert.deepStrictEqual(out, [1, 2, 2, 3, 3, 3]);
});

test('backpressure: a Transform holds the write callback while its output is full', async () => {
  let transformed = 0;
  const t = new Transform({
    highWaterMark: 2,
    objectMode: true,
    transform(c, e, cb) { transformed++; cb(null, c); },
  });
  for (let i = 0; i < 10; i++) t.write(i);
  await immediate();
  // 2 waiting on the readable side, 1 callback held, 2 buffered on the
  // writable side: nothing more is transformed until someone reads.
  assert.ok(transformed <= 4, `transformed ${transformed}`);
  assert.strictEqual(t.writableNeedDrain, true);
  const out = [];
  t.on('data', (c) => out.push(c));
  t.end();
  await once(t, 'end');
  assert.deepStrictEqual(out, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('Transform highWaterMark 0 buffers nothing on the writable side either', () => {
  const t = new Transform({ highWaterMark: 0, transform(c, e, cb) { cb(null, c); } });
  assert.strictEqual(t.readableHighWaterMark, 0);
  assert.strictEqual(t.writableHighWaterMark, 0);
});

test('a transform callback error destroys the Transform', async () => {
  const t = new Transform({ transform(c, e, cb) { cb(new Error('cannot parse')); } });
  let cbErr;
  t.write('x', (err) => { cbErr = err; });
  const [err] = await once(t, 'error');
  assert.strictEqual(err.message, 'cannot parse');
  assert.strictEqual(cbErr, err);
  assert.strictEqual(t.destroyed, true);
});

test('an error thrown by _transform reaches the writer', () => {
  const t = new Transform({ transform() { throw new Error('thrown in transform'); } });
  assert.throws(() => t.write('x'), /thrown in transform/);
});

test('a flush error is emitted and fails end()', async () => {
  const t = new Transform({
    transform(c, e, cb) { cb(null, c); },
    flush(cb) { cb(new Error('bad trailer')); },
  });
  t.resume();
  let endErr;
  t.end('x', (err) => { endErr = err; });
  const [err] = await once(t, 'error');
  assert.strictEqual(err.message, 'bad trailer');
  assert.strictEqual(endErr, err);
});

test('a Transform without _transform reports ERR_METHOD_NOT_IMPLEMENTED', () => {
  const t = new Transform();
  assert.throws(() => t.write('x'), { code: 'ERR_METHOD_NOT_IMPLEMENTED', message: 'The _transform() method is not implemented' });
});

test('PassThrough hands every chunk on unchanged, strings and objects alike', async () => {
  const p = new PassThrough({ objectMode: true });
  const values = [{ a: 1 }, 'two', 3, false];
  for (const v of values) p.write(v);
  p.end();
  const out = [];
  for await (const v of p) out.push(v);
  assert.deepStrictEqual(out, values);
});

test('duplexPair: what one side writes, the other reads, both ways', async () => {
  const [a, b] = duplexPair();
  a.write('ping');
  assert.strictEqual((await once(b, 'data'))[0].toString(), 'ping');
  b.write('pong');
  assert.strictEqual((await once(a, 'data'))[0].toString(), 'pong');
  a.end();
  b.resume();
  await once(b, 'end');
});

test('subclassing with class syntax and with util.inherits both work', async () => {
  class Upper extends Transform {
    _transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); }
  }
  const util = require('util');
  function Lower(opts) { Transform.call(this, opts); }
  util.inherits(Lower, Transform);
  Lower.prototype._transform = function _transform(chunk, enc, cb) { cb(null, chunk.toString().toLowerCase()); };

  const u = new Upper();
  u.end('MiXeD');
  assert.strictEqual((await once(u, 'data'))[0].toString(), 'MIXED');
  const l = new Lower();
  l.end('MiXeD');
  assert.strictEqual((await once(l, 'data'))[0].toString(), 'mixed');
  assert.ok(l instanceof Transform && !(l instanceof Upper));
});

test('the constructors work without new, like Node\'s', () => {
  assert.ok(Readable() instanceof Readable);
  assert.ok(Writable() instanceof Writable);
  assert.ok(Duplex() instanceof Duplex);
  assert.ok(Transform() instanceof Transform);
  assert.ok(PassThrough() instanceof PassThrough);
});
