'use strict';

// for await over a Readable (break, throw, errors, destroyOnReturn),
// Readable.from, and the helper methods (map with concurrency, filter,
// forEach, toArray, some, find, every, flatMap, drop, take, reduce).

const test = require('node:test');
const assert = require('node:assert');
const { Readable } = require('../lib/stream');

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test('for await reads every chunk and finishes at end', async () => {
  const r = new Readable({ objectMode: true, read() {} });
  setImmediate(() => { r.push(1); r.push(2); setImmediate(() => { r.push(3); r.push(null); }); });
  const out = [];
  for await (const v of r) out.push(v);
  assert.deepStrictEqual(out, [1, 2, 3]);
});

test('break destroys the stream and runs the source generator\'s finally', async () => {
  let cleaned = false;
  const r = Readable.from((function* gen() {
    try { for (let i = 0; ; i++) yield i; } finally { cleaned = true; }
  })());
  const out = [];
  for await (const v of r) {
    out.push(v);
    if (v === 2) break;
  }
  assert.deepStrictEqual(out, [0, 1, 2]);
  assert.strictEqual(r.destroyed, true);
  await new Promise((resolve) => r.on('close', resolve));
  assert.strictEqual(cleaned, true);
});

test('iterator({ destroyOnReturn: false }) leaves the stream readable after break', async () => {
  const r = Readable.from([1, 2, 3, 4]);
  for await (const v of r.iterator({ destroyOnReturn: false })) {
    if (v === 2) break;
  }
  assert.strictEqual(r.destroyed, false);
  const rest = [];
  for await (const v of r) rest.push(v);
  assert.deepStrictEqual(rest, [3, 4]);
  assert.throws(() => r.iterator('no'), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('a throw in the loop body destroys the stream and propagates', async () => {
  const r = Readable.from(['a', 'b']);
  await assert.rejects(async () => {
    for await (const v of r) throw new Error(`consumer failed on ${v}`);
  }, /consumer failed on a/);
  assert.strictEqual(r.destroyed, true);
});

test('a stream error rejects the loop with that error', async () => {
  const r = new Readable({ read() { setImmediate(() => this.destroy(new Error('source broke'))); } });
  await assert.rejects(async () => {
    // eslint-disable-next-line no-unused-vars
    for await (const v of r);
  }, /source broke/);
});

test('a stream destroyed without error ends the loop with ERR_STREAM_PREMATURE_CLOSE', async () => {
  const r = new Readable({ read() {} });
  setImmediate(() => r.destroy());
  await assert.rejects(async () => {
    // eslint-disable-next-line no-unused-vars
    for await (const v of r);
  }, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
});

test('Readable.from: arrays, async generators, promises inside, strings as one chunk', async () => {
  assert.deepStrictEqual(await Readable.from([1, 2]).toArray(), [1, 2]);
  assert.deepStrictEqual(await Readable.from((async function* g() { yield 'x'; await sleep(1); yield 'y'; })()).toArray(), ['x', 'y']);
  assert.deepStrictEqual(await Readable.from([Promise.resolve(1), 2]).toArray(), [1, 2]);
  assert.deepStrictEqual(await Readable.from('whole string').toArray(), ['whole string']);
  await assert.rejects(Readable.from([1, null, 2]).toArray(), { code: 'ERR_STREAM_NULL_VALUES' });
  assert.throws(() => Readable.from(7), { code: 'ERR_INVALID_ARG_TYPE' });
  const bytes = Readable.from([Buffer.from('a'), Buffer.from('b')], { objectMode: false });
  assert.strictEqual(bytes.readableObjectMode, false);
  assert.strictEqual(Buffer.concat(await bytes.toArray()).toString(), 'ab');
});

test('map with concurrency runs in parallel but keeps input order', async () => {
  let running = 0;
  let peak = 0;
  const out = await Readable.from([30, 10, 20, 5, 15]).map(async (ms) => {
    running++;
    peak = Math.max(peak, running);
    await sleep(ms);
    running--;
    return ms;
  }, { concurrency: 3 }).toArray();
  assert.deepStrictEqual(out, [30, 10, 20, 5, 15]);
  assert.strictEqual(peak, 3);
});

test('filter, take, drop, flatMap, forEach', async () => {
  const src = () => Readable.from([1, 2, 3, 4, 5, 6]);
  assert.deepStrictEqual(await src().filter((x) => x % 2 === 0).toArray(), [2, 4, 6]);
  assert.deepStrictEqual(await src().take(2).toArray(), [1, 2]);
  assert.deepStrictEqual(await src().drop(4).toArray(), [5, 6]);
  assert.deepStrictEqual(await src().take(2).flatMap((x) => [x, -x]).toArray(), [1, -1, 2, -2]);
  const seen = [];
  await src().forEach(async (x) => { seen.push(x); });
  assert.deepStrictEqual(seen, [1, 2, 3, 4, 5, 6]);
});

test('some, every, find, reduce', async () => {
  const src = () => Readable.from([3, 6, 9]);
  assert.strictEqual(await src().some((x) => x > 5), true);
  assert.strictEqual(await src().every((x) => x % 3 === 0), true);
  assert.strictEqual(await src().find((x) => x > 4), 6);
  assert.strictEqual(await src().find((x) => x > 40), undefined);
  assert.strictEqual(await src().reduce((a, b) => a + b), 18);
  assert.strictEqual(await src().reduce((a, b) => a + b, 100), 118);
  await assert.rejects(Readable.from([]).reduce((a, b) => a + b),
    { code: 'ERR_MISSING_ARGS', message: 'Reduce of an empty stream requires an initial value' });
});

test('helpers validate their arguments and honour an aborted signal', async () => {
  const r = Readable.from([1]);
  assert.throws(() => r.map(1), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => r.map((x) => x, { concurrency: 0 }), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => r.take(-1), { code: 'ERR_OUT_OF_RANGE' });
  assert.throws(() => new r.map((x) => x), { code: 'ERR_ILLEGAL_CONSTRUCTOR' });
  await assert.rejects(Readable.from([1, 2]).toArray({ signal: AbortSignal.abort() }), { name: 'AbortError' });
});

test('an error thrown by a map function destroys the pipeline of helpers', async () => {
  const src = Readable.from([1, 2, 3]);
  await assert.rejects(src.map((x) => { if (x === 2) throw new Error('bad item'); return x; }).toArray(), /bad item/);
});
