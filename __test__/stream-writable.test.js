'use strict';

// Writable: backpressure (write() false at the mark, then 'drain'),
// buffering while a write is in flight, cork/uncork and _writev, end()
// with _final and its callback, the error codes of every misuse, errors
// from each user callback, destroy with writes pending.

const test = require('node:test');
const assert = require('node:assert');
const { once } = require('events');
const { Writable } = require('../lib/stream');

const immediate = () => new Promise((resolve) => setImmediate(resolve));

function sink(opts = {}) {
  const chunks = [];
  const w = new Writable({
    write(chunk, encoding, cb) { chunks.push(chunk); (opts.async ? setImmediate : process.nextTick)(cb); },
    ...opts,
  });
  return { w, chunks };
}

test('write() returns false once the buffered length reaches the mark, then drain', async () => {
  const { w, chunks } = sink({ highWaterMark: 10, async: true });
  assert.strictEqual(w.write('12345'), true);
  assert.strictEqual(w.write('6789'), true);
  assert.strictEqual(w.write('0'), false, '10 bytes pending: at the mark');
  assert.strictEqual(w.writableNeedDrain, true);
  assert.strictEqual(w.writableLength, 10);
  await once(w, 'drain');
  assert.strictEqual(w.writableLength, 0);
  assert.strictEqual(w.writableNeedDrain, false);
  assert.strictEqual(Buffer.concat(chunks).toString(), '1234567890');
});

test('no byte is lost under sustained backpressure', async () => {
  const received = [];
  const w = new Writable({
    highWaterMark: 64,
    write(chunk, enc, cb) { received.push(chunk); setImmediate(cb); },
  });
  let sent = 0;
  let falses = 0;
  const total = 2000;
  while (sent < total) {
    const ok = w.write(Buffer.from(String(sent % 10).repeat(7)));
    sent++;
    if (!ok) {
      falses++;
      await once(w, 'drain');
    }
  }
  w.end();
  await once(w, 'finish');
  assert.ok(falses > 10, 'backpressure was exercised');
  assert.strictEqual(Buffer.concat(received).length, total * 7);
});

test('highWaterMark 0: every write returns false and still completes in order', async () => {
  const { w, chunks } = sink({ highWaterMark: 0 });
  assert.strictEqual(w.write('a'), false);
  assert.strictEqual(w.write('b'), false);
  w.end('c');
  await once(w, 'finish');
  assert.deepStrictEqual(chunks.map(String), ['a', 'b', 'c']);
});

test('writes wait while one is in flight; the next starts before the callback', async () => {
  const order = [];
  const w = new Writable({
    write(chunk, enc, cb) { order.push(`write ${chunk}`); setImmediate(cb); },
  });
  w.write('1', () => order.push('cb 1'));
  w.write('2', () => order.push('cb 2'));
  assert.strictEqual(w._writableState.bufferedRequestCount, 1);
  await once(w.end(), 'finish');
  // The queued write is started before the finished one's callback runs.
  assert.deepStrictEqual(order, ['write 1', 'write 2', 'cb 1', 'cb 2']);
});

test('cork() buffers and uncork() flushes through _writev in one call', async () => {
  const calls = [];
  const w = new Writable({
    write(chunk, enc, cb) { calls.push(['write', chunk.toString()]); cb(); },
    writev(chunks, cb) { calls.push(['writev', chunks.map((c) => c.chunk.toString())]); cb(); },
  });
  w.cork();
  w.write('a');
  w.write('b');
  w.write('c');
  assert.strictEqual(w.writableCorked, 1);
  assert.deepStrictEqual(w.writableBuffer.map((r) => r.chunk.toString()), ['a', 'b', 'c']);
  process.nextTick(() => w.uncork());
  await immediate();
  assert.deepStrictEqual(calls, [['writev', ['a', 'b', 'c']]]);
  w.cork();
  w.cork();
  w.write('d');
  w.end();
  await once(w, 'finish');
  assert.deepStrictEqual(calls[1], ['write', 'd'], 'end() uncorks fully');
});

test('end(chunk, cb): _final runs, then prefinish, finish, the callback, close', async () => {
  const order = [];
  const w = new Writable({
    write(chunk, enc, cb) { order.push('write'); cb(); },
    final(cb) { order.push('final'); setImmediate(cb); },
  });
  for (const ev of ['prefinish', 'finish', 'close']) w.on(ev, () => order.push(ev));
  w.end('last', (err) => order.push(`end cb ${err}`));
  assert.strictEqual(w.writableEnded, true);
  assert.strictEqual(w.writableFinished, false);
  await once(w, 'close');
  assert.deepStrictEqual(order, ['write', 'final', 'prefinish', 'end cb null', 'finish', 'close']);
});

test('write after end: ERR_STREAM_WRITE_AFTER_END to the callback and as error', async () => {
  const { w } = sink();
  w.end();
  let cbErr;
  const ret = w.write('x', (err) => { cbErr = err; });
  assert.strictEqual(ret, false);
  const [err] = await once(w, 'error');
  assert.strictEqual(err.code, 'ERR_STREAM_WRITE_AFTER_END');
  assert.strictEqual(err.message, 'write after end');
  assert.strictEqual(cbErr, err);
});

test('write(null) throws ERR_STREAM_NULL_VALUES; numbers throw ERR_INVALID_ARG_TYPE', () => {
  const { w } = sink();
  assert.throws(() => w.write(null), { code: 'ERR_STREAM_NULL_VALUES', name: 'TypeError' });
  assert.throws(() => w.write(1), { code: 'ERR_INVALID_ARG_TYPE', name: 'TypeError' });
  assert.throws(() => w.write('x', 'no-such-encoding'), { code: 'ERR_UNKNOWN_ENCODING' });
  const o = new Writable({ objectMode: true, write(c, e, cb) { cb(); } });
  assert.throws(() => o.write(null), { code: 'ERR_STREAM_NULL_VALUES' });
  assert.strictEqual(o.write(0), true, 'object mode takes falsy values');
});

test('end() after finish: ERR_STREAM_ALREADY_FINISHED to the callback', async () => {
  const { w } = sink();
  w.end();
  await once(w, 'finish');
  const [err] = await new Promise((resolve) => w.end((...args) => resolve(args)));
  assert.strictEqual(err.code, 'ERR_STREAM_ALREADY_FINISHED');
  assert.strictEqual(err.message, 'Cannot call end after a stream was finished');
});

test('calling the write callback twice is ERR_MULTIPLE_CALLBACK', async () => {
  const w = new Writable({ write(c, e, cb) { cb(); cb(); } });
  w.write('x');
  const [err] = await once(w, 'error');
  assert.strictEqual(err.code, 'ERR_MULTIPLE_CALLBACK');
  assert.strictEqual(err.message, 'Callback called multiple times');
});

test('a _write error fails that write, the queued ones, and the stream', async () => {
  const w = new Writable({ write(c, e, cb) { setImmediate(cb, new Error('disk full')); } });
  const results = [];
  w.write('a', (err) => results.push(`a ${err && err.message}`));
  w.write('b', (err) => results.push(`b ${err && err.message}`));
  const [err] = await once(w, 'error');
  assert.strictEqual(err.message, 'disk full');
  assert.deepStrictEqual(results, ['a disk full', 'b disk full']);
  assert.strictEqual(w.destroyed, true);
  assert.strictEqual(w.writable, false);
});

test('a _final error reaches the end() callback and the error event', async () => {
  const w = new Writable({
    write(c, e, cb) { cb(); },
    final(cb) { cb(new Error('flush failed')); },
  });
  let endErr;
  w.end((err) => { endErr = err; });
  const [err] = await once(w, 'error');
  assert.strictEqual(err.message, 'flush failed');
  assert.strictEqual(endErr, err);
});

test('an error thrown by _write propagates to the caller of write()', () => {
  const w = new Writable({ write() { throw new Error('thrown'); } });
  assert.throws(() => w.write('x'), /thrown/);
});

test('destroy with writes pending fails their callbacks with ERR_STREAM_DESTROYED', async () => {
  const w = new Writable({ write(c, e, cb) { setImmediate(cb); } });
  const results = [];
  w.write('a', (err) => results.push(`a ${err ? err.code : 'ok'}`));
  w.write('b', (err) => results.push(`b ${err ? err.code : 'ok'}`));
  w.end((err) => results.push(`end ${err ? err.code : 'ok'}`));
  w.destroy();
  await once(w, 'close');
  await immediate();
  // The write in flight completes; the queued one and end() fail.
  assert.deepStrictEqual(results, ['a ok', 'b ERR_STREAM_DESTROYED', 'end ERR_STREAM_DESTROYED']);
  assert.strictEqual(w.writableAborted, true);
});

test('write after destroy: ERR_STREAM_DESTROYED', async () => {
  const { w } = sink();
  w.destroy();
  const err = await new Promise((resolve) => w.write('x', resolve));
  assert.strictEqual(err.code, 'ERR_STREAM_DESTROYED');
  assert.strictEqual(err.message, 'Cannot call write after a stream was destroyed');
});

test('decodeStrings: false passes strings through with their encoding', async () => {
  const got = [];
  const w = new Writable({ decodeStrings: false, write(c, e, cb) { got.push([c, e]); cb(); } });
  w.write('héllo', 'latin1');
  w.write(Buffer.from('b'));
  await once(w.end(), 'finish');
  assert.deepStrictEqual(got, [['héllo', 'latin1'], [Buffer.from('b'), 'buffer']]);
});

test('setDefaultEncoding applies to later string writes', async () => {
  const got = [];
  const w = new Writable({ write(c, e, cb) { got.push(c); cb(); } });
  w.setDefaultEncoding('HEX');
  w.write('ff00');
  await once(w.end(), 'finish');
  assert.deepStrictEqual(got, [Buffer.from([0xff, 0])]);
  assert.throws(() => w.setDefaultEncoding('nope'), { code: 'ERR_UNKNOWN_ENCODING' });
});

test('Uint8Array and DataView chunks are accepted as Buffers over the same memory', async () => {
  const got = [];
  const w = new Writable({ write(c, e, cb) { got.push([Buffer.isBuffer(c), e, [...c]]); cb(); } });
  const u8 = new Uint8Array([1, 2, 3]);
  w.write(u8);
  w.write(new DataView(u8.buffer, 1, 2));
  await once(w.end(), 'finish');
  assert.deepStrictEqual(got, [[true, 'buffer', [1, 2, 3]], [true, 'buffer', [2, 3]]]);
});

test('pipe() from a Writable is ERR_STREAM_CANNOT_PIPE', async () => {
  const { w } = sink();
  w.pipe(sink().w);
  const [err] = await once(w, 'error');
  assert.strictEqual(err.code, 'ERR_STREAM_CANNOT_PIPE');
});

test('_construct delays writes until it calls back', async () => {
  const order = [];
  const w = new Writable({
    construct(cb) { setImmediate(() => { order.push('constructed'); cb(); }); },
    write(c, e, cb) { order.push(`write ${c}`); cb(); },
  });
  w.write('a');
  w.end('b');
  await once(w, 'finish');
  assert.deepStrictEqual(order, ['constructed', 'write a', 'write b']);
});
