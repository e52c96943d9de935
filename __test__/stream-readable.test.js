'use strict';

// Readable: paused and flowing modes, read(n), the high-water mark
// (including 0), object mode with falsy values, encodings with
// multi-byte characters split across chunks, unshift, destroy in every
// state, errors from the user's callbacks, _construct.

const test = require('node:test');
const assert = require('node:assert');
const { once } = require('events');
const { Readable } = require('../lib/stream');

const tick = () => new Promise((resolve) => process.nextTick(resolve));
const immediate = () => new Promise((resolve) => setImmediate(resolve));

function collect(stream) {
  return new Promise((resolve, reject) => {
    const out = [];
    stream.on('data', (c) => out.push(c));
    stream.on('end', () => resolve(out));
    stream.on('error', reject);
  });
}

test('a new Readable is paused, not yet flowing, and reads nothing until asked', async () => {
  let reads = 0;
  const r = new Readable({ read() { reads++; } });
  assert.strictEqual(r.readableFlowing, null);
  assert.strictEqual(r.isPaused(), false);
  await immediate();
  assert.strictEqual(reads, 0);
  r.read(0);
  assert.strictEqual(reads, 1);
});

test('attaching a data listener starts the flow on the next tick', async () => {
  const r = new Readable({ read() {} });
  r.push('a');
  const seen = [];
  r.on('data', (c) => seen.push(c.toString()));
  assert.strictEqual(r.readableFlowing, true);
  assert.deepStrictEqual(seen, []);
  await tick();
  assert.deepStrictEqual(seen, ['a']);
});

test('pause() stops data events and resume() restarts them', async () => {
  let i = 0;
  const r = new Readable({ read() { this.push(i < 5 ? String(i++) : null); } });
  const seen = [];
  r.on('data', (c) => {
    seen.push(c.toString());
    if (c.toString() === '1') r.pause();
  });
  await immediate();
  assert.deepStrictEqual(seen, ['0', '1']);
  assert.strictEqual(r.isPaused(), true);
  assert.strictEqual(r.readableFlowing, false);
  r.resume();
  await once(r, 'end');
  assert.deepStrictEqual(seen, ['0', '1', '2', '3', '4']);
});

test('paused mode: readable events and read() until null', async () => {
  const r = new Readable({ read() {} });
  r.push('hello ');
  r.push('world');
  r.push(null);
  await once(r, 'readable');
  assert.strictEqual(r.read().toString(), 'hello world');
  assert.strictEqual(r.read(), null);
  await once(r, 'end');
  assert.strictEqual(r.readableEnded, true);
});

test('read(n) returns exactly n bytes, joining and splitting chunks', () => {
  const r = new Readable({ read() {} });
  r.push(Buffer.from('abc'));
  r.push(Buffer.from('defgh'));
  assert.strictEqual(r.read(4).toString(), 'abcd');
  assert.strictEqual(r.read(2).toString(), 'ef');
  assert.strictEqual(r.read(10), null, 'not enough yet and not ended');
  r.push(null);
  assert.strictEqual(r.read(10).toString(), 'gh', 'at the end, what is left');
});

test('read(n) above the high-water mark raises it to the next power of two', () => {
  const r = new Readable({ read() {}, highWaterMark: 16 });
  r.read(100);
  assert.strictEqual(r.readableHighWaterMark, 128);
  assert.throws(() => r.read(2 ** 31), { code: 'ERR_OUT_OF_RANGE' });
});

test('push() returns false at the high-water mark and _read is not called above it', async () => {
  let reads = 0;
  const r = new Readable({ highWaterMark: 4, read() { reads++; } });
  assert.strictEqual(r.push('ab'), true);
  assert.strictEqual(r.push('cd'), false);
  assert.strictEqual(r.readableLength, 4);
  await immediate();
  assert.strictEqual(reads, 0);
  r.read(2);
  assert.strictEqual(reads, 1, 'below the mark again: one _read');
});

test('highWaterMark 0: each read() pulls exactly one chunk through', async () => {
  let n = 0;
  const r = new Readable({
    highWaterMark: 0,
    read() { setImmediate(() => this.push(n < 3 ? String(n++) : null)); },
  });
  assert.deepStrictEqual((await collect(r)).map(String), ['0', '1', '2']);
});

test('object mode delivers falsy values and counts objects, not bytes', async () => {
  const r = new Readable({ objectMode: true, read() {} });
  const values = [0, false, '', NaN, undefined, { a: 1 }];
  for (const v of values) r.push(v);
  assert.strictEqual(r.readableLength, values.length);
  r.push(null);
  const out = await collect(r);
  assert.deepStrictEqual(out, values);
});

test('setEncoding decodes multi-byte characters split across chunks', async () => {
  const text = 'naïve – 日本語 – 🎉';
  const bytes = Buffer.from(text);
  const r = new Readable({ read() {} });
  r.setEncoding('utf8');
  for (let i = 0; i < bytes.length; i++) r.push(bytes.subarray(i, i + 1));
  r.push(null);
  const out = await collect(r);
  assert.ok(out.every((c) => typeof c === 'string'));
  assert.strictEqual(out.join(''), text);
  assert.strictEqual(r.readableEncoding, 'utf8');
});

test('the encoding option and setEncoding on buffered data', () => {
  const r = new Readable({ read() {}, encoding: 'hex' });
  r.push(Buffer.from([0xca, 0xfe]));
  assert.strictEqual(r.read(), 'cafe');
  const b = new Readable({ read() {} });
  b.push(Buffer.from('€'));
  b.setEncoding('base64');
  assert.strictEqual(b.read(), Buffer.from('€').toString('base64'));
});

test('push(string, encoding) converts to the stream encoding', () => {
  const r = new Readable({ read() {} });
  r.push('68656c6c6f', 'hex');
  assert.strictEqual(r.read().toString(), 'hello');
});

test('unshift puts data back at the front of the buffer', () => {
  const r = new Readable({ read() {} });
  r.push('world');
  r.unshift('hello ');
  assert.strictEqual(r.read().toString(), 'hello world');
  const o = new Readable({ objectMode: true, read() {} });
  o.push(2);
  o.unshift(1);
  assert.strictEqual(o.read(), 1);
  assert.strictEqual(o.read(), 2);
});

test('push after EOF and unshift after end are errors with Node\'s codes', async () => {
  const r = new Readable({ read() {} });
  r.push(null);
  r.push('late');
  const [err] = await once(r, 'error');
  assert.strictEqual(err.code, 'ERR_STREAM_PUSH_AFTER_EOF');
  assert.strictEqual(err.message, 'stream.push() after EOF');

  // (with autoDestroy the stream is already destroyed after 'end', and a
  // destroyed stream reports nothing more)
  const u = new Readable({ autoDestroy: false, read() { this.push(null); } });
  u.resume();
  await once(u, 'end');
  // Without autoDestroy the error is emitted synchronously.
  const failed = once(u, 'error');
  u.unshift('x');
  const [err2] = await failed;
  assert.strictEqual(err2.code, 'ERR_STREAM_UNSHIFT_AFTER_END_EVENT');
});

test('pushing a non-chunk is ERR_INVALID_ARG_TYPE', async () => {
  const r = new Readable({ read() {} });
  assert.strictEqual(r.push(123), false);
  const [err] = await once(r, 'error');
  assert.strictEqual(err.code, 'ERR_INVALID_ARG_TYPE');
  assert.strictEqual(err.message, 'The "chunk" argument must be of type string or an instance of ' +
    'Buffer, TypedArray, or DataView. Received type number (123)');
});

test('an error thrown by _read destroys the stream with it', async () => {
  const r = new Readable({ read() { throw new Error('read failed'); } });
  r.resume();
  const [err] = await once(r, 'error');
  assert.strictEqual(err.message, 'read failed');
  assert.strictEqual(r.destroyed, true);
  assert.strictEqual(r.errored, err);
});

test('a Readable without _read reports ERR_METHOD_NOT_IMPLEMENTED', async () => {
  const r = new Readable();
  r.resume();
  const [err] = await once(r, 'error');
  assert.strictEqual(err.code, 'ERR_METHOD_NOT_IMPLEMENTED');
  assert.strictEqual(err.message, 'The _read() method is not implemented');
});

test('destroy before any read: close, no end, nothing read', async () => {
  let reads = 0;
  const r = new Readable({ read() { reads++; } });
  const events = [];
  for (const ev of ['end', 'close', 'error']) r.on(ev, () => events.push(ev));
  r.destroy();
  assert.strictEqual(r.destroyed, true);
  assert.strictEqual(r.closed, true, 'closed as soon as _destroy called back');
  await once(r, 'close');
  assert.deepStrictEqual(events, ['close']);
  assert.strictEqual(reads, 0);
  assert.strictEqual(r.readableAborted, true);
});

test('destroy while flowing with an error: error then close, the flow stops', async () => {
  let n = 0;
  const r = new Readable({ read() { this.push(String(n++)); } });
  const events = [];
  r.on('data', (c) => {
    events.push(`data ${c}`);
    if (c.toString() === '1') r.destroy(new Error('stop'));
  });
  r.on('error', (e) => events.push(`error ${e.message}`));
  await new Promise((resolve) => r.on('close', resolve));
  // The chunk _read had already pushed during that read() still comes out
  // (as with Node's streams); nothing after it.
  assert.deepStrictEqual(events, ['data 0', 'data 1', 'data 2', 'error stop']);
});

test('destroy after end is harmless and a second destroy is a no-op', async () => {
  const r = new Readable({ read() { this.push(null); } });
  r.resume();
  await once(r, 'end');
  r.destroy(new Error('too late'));
  r.destroy(new Error('again'));
  await immediate();
  assert.strictEqual(r.destroyed, true);
});

test('_destroy gets the error and may replace it', async () => {
  const r = new Readable({
    read() {},
    destroy(err, cb) { cb(new Error(`wrapped: ${err.message}`)); },
  });
  r.destroy(new Error('inner'));
  const [err] = await once(r, 'error');
  assert.strictEqual(err.message, 'wrapped: inner');
});

test('emitClose: false suppresses close; autoDestroy: false keeps the stream after end', async () => {
  const r = new Readable({ emitClose: false, autoDestroy: false, read() { this.push(null); } });
  let closed = false;
  r.on('close', () => { closed = true; });
  r.resume();
  await once(r, 'end');
  await immediate();
  assert.strictEqual(r.destroyed, false);
  r.destroy();
  await immediate();
  assert.strictEqual(closed, false);
});

test('_construct runs first; reads wait for it; its error destroys', async () => {
  const order = [];
  const r = new Readable({
    construct(cb) { order.push('construct'); setImmediate(cb); },
    read() { order.push('read'); this.push(null); },
  });
  r.resume();
  await once(r, 'end');
  assert.deepStrictEqual(order, ['construct', 'read']);

  const bad = new Readable({ construct(cb) { cb(new Error('no resources')); }, read() {} });
  const [err] = await once(bad, 'error');
  assert.strictEqual(err.message, 'no resources');
});

test('wrap() adopts an old-style stream', async () => {
  const { EventEmitter } = require('events');
  const old = new EventEmitter();
  old.pause = () => {};
  old.resume = () => {};
  const r = new Readable().wrap(old);
  const out = collect(r);
  old.emit('data', Buffer.from('a'));
  old.emit('data', Buffer.from('b'));
  old.emit('end');
  assert.strictEqual(Buffer.concat(await out).toString(), 'ab');
});

test('readable properties: readableLength, readableObjectMode, readableDidRead', () => {
  const r = new Readable({ objectMode: true, read() {} });
  assert.strictEqual(r.readableObjectMode, true);
  assert.strictEqual(r.readableDidRead, false);
  r.push('x');
  assert.strictEqual(r.readableLength, 1);
  r.read();
  assert.strictEqual(r.readableDidRead, true);
  assert.strictEqual(r._readableState.objectMode, true);
  assert.ok(Array.isArray(r.readableBuffer));
});
