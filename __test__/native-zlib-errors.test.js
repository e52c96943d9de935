'use strict';

// Bad input and bad options fail forkpipe.zlib exactly as they fail Node's
// zlib: the same error codes, errno, messages and classes, delivered the
// same way ('error' then 'close' on a stream, a throw from a Sync call),
// and never a crash.

const test = require('node:test');
const assert = require('node:assert');
const nodeZlib = require('node:zlib');
const { zlib } = require('..');

function shape(err) {
  return {
    name: err.name,
    code: err.code,
    errno: err.errno,
    message: err.message,
    keys: Object.keys(err).sort().join(),
  };
}

// Runs `input` through a stream made by `make`; resolves with the error
// shape, the events seen and the stream's state after 'close'.
function failure(make, input, pieces = 65536) {
  return new Promise((resolve) => {
    const s = make();
    const events = [];
    let error = null;
    s.on('data', () => events.push('data'));
    s.on('end', () => events.push('end'));
    s.on('error', (e) => {
      events.push('error');
      error = e;
    });
    s.on('close', () => {
      events.push('close');
      resolve({ error: error && shape(error), events: events.filter((e) => e !== 'data'),
        destroyed: s.destroyed, closed: s._closed });
    });
    for (let at = 0; at < input.length; at += pieces) s.write(input.subarray(at, at + pieces));
    s.end();
  });
}

const gz = nodeZlib.gzipSync(Buffer.alloc(100000, 'abcdefgh'));
const BAD_INPUTS = [
  ['not gzip at all', 'Gunzip', Buffer.from('hello world, not compressed')],
  ['truncated gzip', 'Gunzip', gz.subarray(0, gz.length - 5)],
  ['corrupt body', 'Gunzip', Buffer.concat([gz.subarray(0, 40), Buffer.alloc(50, 0xff), gz.subarray(90)])],
  ['bad check', 'Gunzip', Buffer.concat([gz.subarray(0, gz.length - 8), Buffer.alloc(8, 1)])],
  ['not zlib', 'Inflate', Buffer.from([0x78, 0x00, 1, 2, 3])],
  ['raw garbage', 'InflateRaw', Buffer.alloc(64, 0xff)],
  ['unzip garbage', 'Unzip', Buffer.from('garbage in')],
  ['missing dictionary', 'Inflate', nodeZlib.deflateSync('hello', { dictionary: Buffer.from('hel') })],
];

test('corrupt input: the error Node gives, as an event, then close', async () => {
  for (const [name, kind, input] of BAD_INPUTS) {
    const ours = await failure(() => zlib[`create${kind}`](), input);
    const theirs = await failure(() => nodeZlib[`create${kind}`](), input);
    assert.deepStrictEqual(ours, theirs, name);
    assert.ok(ours.error, name);
    assert.strictEqual(ours.closed, true);
  }
  // Byte by byte too: the error does not depend on where chunks end.
  const ours = await failure(() => zlib.createGunzip(), Buffer.from('garbage!'), 1);
  assert.strictEqual(ours.error.code, 'Z_DATA_ERROR');
  assert.strictEqual(ours.error.errno, -3);
  assert.strictEqual(ours.error.message, 'incorrect header check');
});

test('wrong dictionary', async () => {
  const input = nodeZlib.deflateSync('hello', { dictionary: Buffer.from('hel') });
  const make = (z) => () => z.createInflate({ dictionary: Buffer.from('xyz') });
  assert.deepStrictEqual(await failure(make(zlib), input), await failure(make(nodeZlib), input));
});

test('Sync functions throw Node\'s errors', () => {
  for (const [name, kind, input] of BAD_INPUTS) {
    const fn = `${kind[0].toLowerCase()}${kind.slice(1)}Sync`;
    let ours;
    let theirs;
    try { zlib[fn](input); } catch (e) { ours = shape(e); }
    try { nodeZlib[fn](input); } catch (e) { theirs = shape(e); }
    assert.ok(theirs, name);
    assert.deepStrictEqual(ours, theirs, name);
  }
  const bomb = nodeZlib.gzipSync(Buffer.alloc(50 << 20));
  let ours;
  let theirs;
  try { zlib.gunzipSync(bomb, { maxOutputLength: 1000 }); } catch (e) { ours = shape(e); }
  try { nodeZlib.gunzipSync(bomb, { maxOutputLength: 1000 }); } catch (e) { theirs = shape(e); }
  assert.deepStrictEqual(ours, theirs);
});

test('callback functions pass Node\'s errors', async () => {
  const run = (z, input, opts) => new Promise((resolve) =>
    z.gunzip(input, opts || {}, (err, out) => resolve(err ? shape(err) : out.length)));
  assert.deepStrictEqual(await run(zlib, Buffer.from('nope')), await run(nodeZlib, Buffer.from('nope')));
  const big = nodeZlib.gzipSync(Buffer.alloc(1 << 20));
  assert.deepStrictEqual(await run(zlib, big, { maxOutputLength: 100 }),
    await run(nodeZlib, big, { maxOutputLength: 100 }));
});

const BAD_OPTIONS = [
  ['Gzip', { level: 10 }], ['Gzip', { level: -2 }], ['Gzip', { level: 'x' }], ['Gzip', { level: null }],
  ['Gzip', { level: Infinity }], ['Gzip', { windowBits: 8 }], ['Gzip', { windowBits: 16 }],
  ['Gzip', { windowBits: 0 }], ['Deflate', { windowBits: 7 }], ['Gzip', { memLevel: 0 }],
  ['Gzip', { memLevel: 10 }], ['Gzip', { strategy: 5 }], ['Gzip', { strategy: -1 }],
  ['Gzip', { chunkSize: 63 }], ['Gzip', { chunkSize: 'big' }], ['Gzip', { chunkSize: -Infinity }],
  ['Gzip', { flush: 6 }], ['Gzip', { finishFlush: -1 }], ['Gzip', { maxOutputLength: 0 }],
  ['Deflate', { dictionary: 'words' }], ['Inflate', { dictionary: 12 }], ['InflateRaw', { windowBits: 0 }],
  ['Gzip', { level: 10, chunkSize: 1 }], ['Gunzip', { windowBits: 'x' }],
];

test('bad options throw what Node throws', () => {
  for (const [kind, opts] of BAD_OPTIONS) {
    let ours;
    let theirs;
    try { zlib[`create${kind}`](opts); } catch (e) { ours = shape(e); }
    try { nodeZlib[`create${kind}`](opts); } catch (e) { theirs = shape(e); }
    assert.ok(theirs, `${kind} ${JSON.stringify(opts)}`);
    assert.deepStrictEqual(ours, theirs, `${kind} ${JSON.stringify(opts)}`);
    const fn = `${kind[0].toLowerCase()}${kind.slice(1)}Sync`;
    try { zlib[fn]('x', opts); } catch (e) { ours = shape(e); }
    try { nodeZlib[fn]('x', opts); } catch (e) { theirs = shape(e); }
    assert.deepStrictEqual(ours, theirs, `${kind}Sync ${JSON.stringify(opts)}`);
  }
  // Accepted where Node accepts them.
  for (const [kind, opts] of [['Gunzip', { windowBits: 0 }], ['Inflate', { windowBits: null }],
    ['DeflateRaw', { windowBits: 8 }], ['Gzip', { level: NaN }], ['Gzip', { level: 1.5 }],
    ['Deflate', { dictionary: new ArrayBuffer(4) }], ['Gzip', 'not an object']]) {
    zlib[`create${kind}`](opts).destroy();
  }
  for (const args of [['x', 5], ['x'], ['x', { level: 99 }, 5]]) {
    let ours;
    let theirs;
    try { zlib.gzip(...args); } catch (e) { ours = shape(e); }
    try { nodeZlib.gzip(...args); } catch (e) { theirs = shape(e); }
    assert.ok(theirs);
    assert.deepStrictEqual(ours, theirs, JSON.stringify(args));
  }
  let ours;
  let theirs;
  try { zlib.gzipSync(5); } catch (e) { ours = shape(e); }
  try { nodeZlib.gzipSync(5); } catch (e) { theirs = shape(e); }
  assert.deepStrictEqual(ours, theirs);
  const g = zlib.createGzip();
  try { g.params(10, 0); } catch (e) { ours = shape(e); }
  try { nodeZlib.createGzip().params(10, 0); } catch (e) { theirs = shape(e); }
  assert.deepStrictEqual(ours, theirs);
  g.destroy();
  try { g.reset(); } catch (e) { ours = shape(e); }
  const n = nodeZlib.createGzip();
  n.destroy();
  try { n.reset(); } catch (e) { theirs = shape(e); }
  assert.deepStrictEqual(ours, theirs);
});
