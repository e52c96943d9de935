'use strict';

// The seam native streams will plug into (lib/stream/native-seam.js),
// driven here by JavaScript stand-ins for the Rust handles: the stream
// classes it builds are ordinary forkpipe (and Node) stream instances,
// batches cross once per call, and pipeline() lets two native neighbours
// move data without it entering JS.

const test = require('node:test');
const assert = require('node:assert');
const { once } = require('events');
const nodeStream = require('node:stream');
const stream = require('../lib/stream');
const { NativeReadable, NativeWritable, nativeHandleOf } = require('../lib/stream/native-seam');

// A source handle serving `total` bytes in batches of up to 3 chunks.
function fakeSource(total, chunkSize = 1000) {
  let sent = 0;
  const calls = { readBatch: 0, spliceTo: 0, closed: false };
  return {
    calls,
    readBatch(maxBytes, cb) {
      calls.readBatch++;
      setImmediate(() => {
        if (sent >= total) return cb(null, null);
        const batch = [];
        let bytes = 0;
        while (sent < total && batch.length < 3 && bytes < maxBytes) {
          const n = Math.min(chunkSize, total - sent);
          batch.push(Buffer.alloc(n, sent % 251));
          sent += n;
          bytes += n;
        }
        cb(null, batch);
      });
    },
    spliceTo(sink, cb) {
      calls.spliceTo++;
      setImmediate(() => {
        sink.received += total - sent;
        sent = total;
        cb(null, total);
      });
    },
    close(cb) { calls.closed = true; setImmediate(cb); },
  };
}

function fakeSink({ failAfter = Infinity } = {}) {
  const sink = {
    received: 0,
    batches: [],
    ended: false,
    closed: false,
    writeBatch(buffers, cb) {
      sink.batches.push(buffers.length);
      for (const b of buffers) sink.received += b.length;
      setImmediate(cb, sink.received > failAfter ? new Error('device full') : null);
    },
    end(cb) { sink.ended = true; setImmediate(cb); },
    close(cb) { sink.closed = true; setImmediate(cb); },
  };
  return sink;
}

test('native streams are instances of the same classes, forkpipe\'s and Node\'s', () => {
  const r = new NativeReadable(fakeSource(1));
  const w = new NativeWritable(fakeSink());
  assert.ok(r instanceof stream.Readable && r instanceof nodeStream.Readable);
  assert.ok(w instanceof stream.Writable && w instanceof nodeStream.Writable);
  assert.ok(nativeHandleOf(r) && nativeHandleOf(w));
  assert.strictEqual(nativeHandleOf(new stream.PassThrough()), undefined, 'JS-defined streams have no handle');
  r.destroy();
  w.destroy();
});

test('a native source read in JS: one handle call per batch, every byte delivered', async () => {
  const src = fakeSource(50000);
  const r = new NativeReadable(src);
  let bytes = 0;
  r.on('data', (c) => { bytes += c.length; });
  await once(r, 'end');
  assert.strictEqual(bytes, 50000);
  assert.ok(src.calls.readBatch <= Math.ceil(50000 / 3000) + 2, `readBatch called ${src.calls.readBatch} times`);
  await once(r, 'close');
  assert.strictEqual(src.calls.closed, true);
});

test('a native sink written from JS gets the queued chunks in one writeBatch', async () => {
  const sink = fakeSink();
  const w = new NativeWritable(sink);
  for (let i = 0; i < 10; i++) w.write(Buffer.alloc(100));
  w.end();
  await once(w, 'finish');
  assert.strictEqual(sink.received, 1000);
  assert.deepStrictEqual(sink.batches, [1, 9], 'first chunk alone, the rest batched while it was in flight');
  assert.strictEqual(sink.ended, true);
});

test('a sink error destroys the stream and closes the handle', async () => {
  const sink = fakeSink({ failAfter: 150 });
  const w = new NativeWritable(sink);
  const closed = new Promise((resolve) => w.on('close', resolve));
  w.write(Buffer.alloc(100));
  w.write(Buffer.alloc(100));
  const [err] = await once(w, 'error');
  assert.strictEqual(err.message, 'device full');
  await closed;
  assert.strictEqual(sink.closed, true);
});

test('pipeline: native -> JS Transform -> native goes through JS', async () => {
  const src = fakeSource(20000);
  const sink = fakeSink();
  let seen = 0;
  await stream.promises.pipeline(new NativeReadable(src), new stream.Transform({
    transform(c, e, cb) { seen += c.length; cb(null, c); },
  }), new NativeWritable(sink));
  assert.strictEqual(seen, 20000);
  assert.strictEqual(sink.received, 20000);
  assert.strictEqual(src.calls.spliceTo, 0);
});

test('pipeline: two native neighbours splice; JS sees only the end events', async () => {
  const src = fakeSource(1 << 20);
  const sink = fakeSink();
  const r = new NativeReadable(src);
  const w = new NativeWritable(sink);
  const events = [];
  r.on('end', () => events.push('end'));
  w.on('finish', () => events.push('finish'));
  await stream.promises.pipeline(r, w);
  assert.strictEqual(src.calls.spliceTo, 1);
  assert.strictEqual(src.calls.readBatch, 0, 'no byte was read into JS');
  assert.strictEqual(sink.received, 1 << 20);
  assert.deepStrictEqual(events.sort(), ['end', 'finish']);
});
