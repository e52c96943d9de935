'use strict';

// pipeline (callback and promise forms), finished, compose and
// addAbortSignal: every stage is cleaned up on error and on abort.

const test = require('node:test');
const assert = require('node:assert');
const { once } = require('events');
const stream = require('../lib/stream');
const { pipeline: pipelinePromise, finished: finishedPromise } = require('../lib/stream/promises');

const { Readable, Writable, Transform, PassThrough, pipeline, finished, compose, addAbortSignal } = stream;

function counter(n) {
  let i = 0;
  return new Readable({ objectMode: true, read() { this.push(i < n ? i++ : null); } });
}

function collector() {
  const out = [];
  const w = new Writable({ objectMode: true, write(c, e, cb) { out.push(c); cb(); } });
  w.out = out;
  return w;
}

test('pipeline moves everything and calls back once with no error', async () => {
  const sink = collector();
  const double = new Transform({ objectMode: true, transform(c, e, cb) { cb(null, c * 2); } });
  let calls = 0;
  await new Promise((resolve, reject) => {
    const ret = pipeline(counter(5), double, sink, (err) => {
      calls++;
      if (err) reject(err); else resolve();
    });
    assert.strictEqual(ret, sink, 'returns the last stream');
  });
  assert.deepStrictEqual(sink.out, [0, 2, 4, 6, 8]);
  await new Promise((resolve) => setImmediate(resolve));
  assert.strictEqual(calls, 1);
});

test('an error in the middle destroys every stage and reaches the callback', async () => {
  const src = new Readable({ read() { this.push('x'); } });
  const bad = new Transform({ transform(c, e, cb) { cb(new Error('stage 2 failed')); } });
  const dst = new Writable({ write(c, e, cb) { cb(); } });
  const err = await new Promise((resolve) => pipeline(src, bad, dst, resolve));
  assert.strictEqual(err.message, 'stage 2 failed');
  assert.deepStrictEqual([src.destroyed, bad.destroyed, dst.destroyed], [true, true, true]);
});

test('a destination that closes early fails the pipeline with ERR_STREAM_PREMATURE_CLOSE', async () => {
  const src = new Readable({ read() { setImmediate(() => this.push('x')); } });
  const dst = new Writable({ write(c, e, cb) { cb(); this.destroy(); } });
  const err = await new Promise((resolve) => pipeline(src, dst, resolve));
  assert.strictEqual(err.code, 'ERR_STREAM_PREMATURE_CLOSE');
  assert.strictEqual(err.message, 'Premature close');
  assert.strictEqual(src.destroyed, true);
});

test('promises.pipeline with an AbortSignal: AbortError, all stages destroyed', async () => {
  const ac = new AbortController();
  const src = new Readable({ read() { setTimeout(() => this.push('tick'), 1); } });
  const mid = new PassThrough();
  const dst = new Writable({ write(c, e, cb) { cb(); } });
  setTimeout(() => ac.abort(), 20);
  await assert.rejects(pipelinePromise(src, mid, dst, { signal: ac.signal }), { name: 'AbortError', code: 'ABORT_ERR' });
  assert.deepStrictEqual([src.destroyed, mid.destroyed, dst.destroyed], [true, true, true]);
});

test('an already aborted signal fails the pipeline without moving data', async () => {
  let reads = 0;
  const src = new Readable({ read() { reads++; this.push(null); } });
  await assert.rejects(pipelinePromise(src, collector(), { signal: AbortSignal.abort() }), { name: 'AbortError' });
  assert.strictEqual(reads, 0);
});

test('generators and async functions as stages; the last one\'s value comes back', async () => {
  const result = await pipelinePromise(
    function* source() { yield 'a'; yield 'b'; yield 'c'; },
    async function* upper(src) { for await (const c of src) yield c.toUpperCase(); },
    async function join(src) { let s = ''; for await (const c of src) s += c; return s; },
  );
  assert.strictEqual(result, 'ABC');
});

test('a throwing generator stage fails the pipeline and destroys the source', async () => {
  const src = counter(100);
  await assert.rejects(pipelinePromise(
    src,
    async function* boom(s) { for await (const c of s) { if (c === 3) throw new Error('gen failed'); yield c; } },
    collector(),
  ), /gen failed/);
  assert.strictEqual(src.destroyed, true);
});

test('pipeline argument checks', () => {
  assert.throws(() => pipeline(counter(1), () => {}), { code: 'ERR_MISSING_ARGS' });
  assert.throws(() => pipeline(counter(1), collector()), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => pipeline(counter(1), () => 42, () => {}), { code: 'ERR_INVALID_RETURN_VALUE' });
});

test('pipeline\'s util.promisify form is promises.pipeline', () => {
  const util = require('util');
  assert.strictEqual(util.promisify(pipeline), stream.promises.pipeline);
  assert.strictEqual(util.promisify(finished), stream.promises.finished);
});

test('finished: after end, after finish, on premature close, on error', async () => {
  const r = counter(2);
  r.resume();
  await finishedPromise(r);

  const w = collector();
  w.end(1);
  await finishedPromise(w);

  const early = new Readable({ read() {} });
  const p = finishedPromise(early);
  early.destroy();
  await assert.rejects(p, { code: 'ERR_STREAM_PREMATURE_CLOSE' });

  const failing = new Readable({ read() {} });
  const q = finishedPromise(failing);
  failing.destroy(new Error('broken'));
  await assert.rejects(q, /broken/);
});

test('finished returns a cleanup function that removes its listeners', () => {
  const r = new Readable({ read() {} });
  const before = r.listenerCount('end') + r.listenerCount('close') + r.listenerCount('error');
  const cleanup = finished(r, () => {});
  assert.ok(r.listenerCount('close') > 0);
  cleanup();
  assert.strictEqual(r.listenerCount('end') + r.listenerCount('close') + r.listenerCount('error'), before);
  assert.throws(() => finished({}, () => {}), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('compose: one Duplex standing for several stages', async () => {
  const trim = new Transform({ transform(c, e, cb) { cb(null, c.toString().trim()); } });
  const wrap = new Transform({ transform(c, e, cb) { cb(null, `[${c}]`); } });
  const both = compose(trim, wrap);
  const out = [];
  both.on('data', (c) => out.push(c.toString()));
  both.write('  a ');
  both.end(' b');
  await once(both, 'end');
  // The composed stream reads its last stage in paused mode, so chunks
  // that are waiting together come out joined (as with Node's compose).
  assert.strictEqual(out.join(''), '[a][b]');
});

test('compose with generator functions at both ends', async () => {
  const c = compose(
    async function* (src) { for await (const x of src) yield Number(x) + 1; },
    async function* (src) { for await (const x of src) yield x * 10; },
  );
  c.end('4');
  const out = [];
  for await (const v of c) out.push(v);
  assert.deepStrictEqual(out, [50]);
});

test('addAbortSignal: abort destroys the stream with an AbortError carrying the reason', async () => {
  const ac = new AbortController();
  const r = addAbortSignal(ac.signal, new Readable({ read() {} }));
  ac.abort('because');
  const [err] = await once(r, 'error');
  assert.strictEqual(err.name, 'AbortError');
  assert.strictEqual(err.cause, 'because');
  assert.throws(() => addAbortSignal({}, r), { code: 'ERR_INVALID_ARG_TYPE' });
  assert.throws(() => addAbortSignal(ac.signal, {}), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('the signal option of a stream constructor', async () => {
  const w = new Writable({ signal: AbortSignal.abort(), write(c, e, cb) { cb(); } });
  const [err] = await once(w, 'error');
  assert.strictEqual(err.name, 'AbortError');
});
