'use strict';

// forkpipe.zlib against Node's zlib, both ways: what forkpipe compresses,
// Node (and gzip -d) decompress to the same bytes, and the reverse, for
// sizes around every boundary that matters (zlib's 16 KiB chunks, the 64
// KiB write gathering, the 256 KiB parallel blocks) and a few MiB, so the
// multi-core path runs.

const test = require('node:test');
const assert = require('node:assert');
const crypto = require('node:crypto');
const nodeZlib = require('node:zlib');
const { spawnSync } = require('node:child_process');
const { zlib, stream } = require('..');

// Compressible text with some variety (log-like lines).
function text(size, seed = 1) {
  const words = ['alpha', 'beta', 'gamma', 'delta', 'GET', '/index.html', '200', 'ok', 'é', '→'];
  const out = Buffer.alloc(size);
  let at = 0;
  let x = seed;
  while (at < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    at += out.write(`${words[x % words.length]} ${x % 1000}${x % 7 === 0 ? '\n' : ' '}`, at);
  }
  return out;
}

// Writes `input` to `s` in pieces of the given sizes (cycled), then ends;
// resolves with everything read.
function through(s, input, pieces = [65536]) {
  return new Promise((resolve, reject) => {
    const out = [];
    s.on('data', (d) => out.push(d));
    s.on('error', reject);
    s.on('end', () => resolve(Buffer.concat(out)));
    let at = 0;
    let i = 0;
    const writeMore = () => {
      while (at < input.length) {
        const n = Math.min(pieces[i++ % pieces.length], input.length - at);
        const ok = s.write(input.subarray(at, at + n));
        at += n;
        if (!ok) {
          s.once('drain', writeMore);
          return;
        }
      }
      s.end();
    };
    writeMore();
  });
}

const hash = (b) => crypto.createHash('sha256').update(b).digest('hex');

const SIZES = [0, 1, 2, 100, 16383, 16384, 16385, 65535, 65536, 65537,
  262143, 262144, 262145, 1 << 20, (3 << 20) + 17];

test('gzip: forkpipe compresses, Node decompresses the same bytes', async () => {
  for (const size of SIZES) {
    const input = text(size, size);
    for (const pieces of [[65536], [1000, 30000, 7], [size || 1]]) {
      const gz = await through(zlib.createGzip(), input, pieces);
      assert.strictEqual(hash(nodeZlib.gunzipSync(gz)), hash(input), `size ${size} ${pieces}`);
    }
  }
});

test('gunzip: Node compresses, forkpipe decompresses the same bytes', async () => {
  for (const size of SIZES) {
    const input = text(size, size + 1);
    const gz = nodeZlib.gzipSync(input);
    for (const pieces of [[65536], [1, 999, 4096]]) {
      if (pieces[0] === 1 && size > 70000) continue;
      const back = await through(zlib.createGunzip(), gz, pieces);
      assert.strictEqual(hash(back), hash(input), `size ${size} ${pieces}`);
    }
  }
});

test('every kind and its inverse, both directions, with Node', async () => {
  const input = text(700000, 5);
  const pairs = [
    ['Deflate', 'Inflate'], ['DeflateRaw', 'InflateRaw'], ['Gzip', 'Gunzip'],
    ['Gzip', 'Unzip'], ['Deflate', 'Unzip'],
  ];
  for (const [c, d] of pairs) {
    const ours = await through(zlib[`create${c}`](), input);
    assert.ok(nodeZlib[`create${d}`]().constructor, d);
    assert.ok(nodeZlib[`${d[0].toLowerCase()}${d.slice(1)}Sync`](ours).equals(input), `${c} -> node ${d}`);
    const theirs = nodeZlib[`${c[0].toLowerCase()}${c.slice(1)}Sync`](input);
    const back = await through(zlib[`create${d}`](), theirs);
    assert.ok(back.equals(input), `node ${c} -> ${d}`);
  }
});

test('options: levels, windowBits, memLevel, strategy, dictionary', async () => {
  const input = text(400000, 9);
  const dictionary = Buffer.from('alpha beta gamma delta GET /index.html 200 ok');
  const cases = [
    { level: 0 }, { level: 1 }, { level: 9 }, { windowBits: 9 }, { windowBits: 12, memLevel: 1 },
    { strategy: nodeZlib.constants.Z_HUFFMAN_ONLY }, { strategy: nodeZlib.constants.Z_RLE },
    { strategy: nodeZlib.constants.Z_FIXED, level: 3 }, { chunkSize: 1024 },
  ];
  for (const opts of cases) {
    const gz = await through(zlib.createGzip(opts), input);
    assert.ok(nodeZlib.gunzipSync(gz).equals(input), JSON.stringify(opts));
    const raw = await through(zlib.createDeflateRaw(opts), input);
    assert.ok(nodeZlib.inflateRawSync(raw, opts).equals(input), JSON.stringify(opts));
  }
  const packed = await through(zlib.createDeflate({ dictionary }), input);
  assert.ok(nodeZlib.inflateSync(packed, { dictionary }).equals(input));
  const theirs = nodeZlib.deflateSync(input, { dictionary });
  assert.ok((await through(zlib.createInflate({ dictionary }), theirs)).equals(input));
});

test('each level compresses text about as well as Node\'s zlib at that level', async () => {
  // One stream (small input) and the multi-core engine (4 MiB) alike.
  for (const size of [200 * 1024, 4 << 20]) {
    const input = text(size, 7);
    for (const level of [1, 2, 6, 9]) {
      const ours = await through(zlib.createGzip({ level }), input);
      const node = nodeZlib.gzipSync(input, { level });
      assert.ok(ours.length <= node.length * 1.1,
        `level ${level}, ${size} bytes: ${ours.length} against Node's ${node.length}`);
      assert.strictEqual(hash(nodeZlib.gunzipSync(ours)), hash(input));
    }
  }
});

test('concatenated gzip members decompress as one stream', async () => {
  const a = text(300000, 1);
  const b = text(1000, 2);
  const both = Buffer.concat([nodeZlib.gzipSync(a), zlib.gzipSync(b), zlib.gzipSync(a)]);
  const back = await through(zlib.createGunzip(), both, [777, 65536]);
  assert.ok(back.equals(Buffer.concat([a, b, a])));
  assert.ok(zlib.gunzipSync(both).equals(Buffer.concat([a, b, a])));
  assert.ok(nodeZlib.gunzipSync(Buffer.concat([await through(zlib.createGzip(), a),
    await through(zlib.createGzip(), b)])).equals(Buffer.concat([a, b])));
});

test('the one-shot functions agree with Node', async () => {
  const input = text((2 << 20) + 5, 3);
  for (const [c, d] of [['gzip', 'gunzip'], ['deflate', 'inflate'], ['deflateRaw', 'inflateRaw']]) {
    assert.ok(nodeZlib[`${d}Sync`](zlib[`${c}Sync`](input)).equals(input), c);
    assert.ok(zlib[`${d}Sync`](nodeZlib[`${c}Sync`](input)).equals(input), d);
    assert.ok(zlib.unzipSync(zlib[`${c === 'deflateRaw' ? 'deflate' : c}Sync`](input)).equals(input));
    const packed = await new Promise((resolve, reject) =>
      zlib[c](input, (err, out) => (err ? reject(err) : resolve(out))));
    const back = await new Promise((resolve, reject) =>
      zlib[d](packed, { level: 1 }, (err, out) => (err ? reject(err) : resolve(out))));
    assert.ok(back.equals(input), c);
  }
  assert.deepStrictEqual(zlib.gunzipSync(zlib.gzipSync('')), Buffer.alloc(0));
  assert.strictEqual(zlib.gunzipSync(zlib.gzipSync('x')).toString(), 'x');
  assert.ok(zlib.gzipSync(new Uint8Array([1, 2, 3])).length > 0);
  assert.ok(zlib.gzipSync(new Uint8Array([1, 2, 3]).buffer).length > 0);
  const { buffer, engine } = zlib.gzipSync('hello', { info: true });
  assert.ok(nodeZlib.gunzipSync(buffer).equals(Buffer.from('hello')));
  assert.ok(engine instanceof zlib.Gzip);
  assert.strictEqual(zlib.crc32('hello'), nodeZlib.crc32 ? nodeZlib.crc32('hello') : 907060870);
  assert.strictEqual(zlib.crc32(Buffer.from('world'), zlib.crc32('hello ')),
    zlib.crc32('hello world'));
});

test('gzip -d reads forkpipe output', { skip: spawnSync('gzip', ['--version']).error !== undefined }, async () => {
  const input = text((2 << 20) + 333, 4);
  for (const level of [1, 6, 9]) {
    const gz = await through(zlib.createGzip({ level }), input);
    const r = spawnSync('gzip', ['-dc'], { input: gz, maxBuffer: 64 << 20 });
    assert.strictEqual(r.status, 0, String(r.stderr));
    assert.strictEqual(hash(r.stdout), hash(input), `level ${level}`);
  }
});

test('instances of forkpipe stream classes, with Node\'s surface', () => {
  const g = zlib.createGzip();
  assert.ok(g instanceof stream.Transform);
  assert.ok(g instanceof stream.Duplex);
  assert.ok(zlib.Gzip() instanceof zlib.Gzip);
  assert.ok(new zlib.Unzip() instanceof zlib.Unzip);
  for (const key of ['flush', 'close', 'reset', 'params', '_transform', '_flush']) {
    assert.strictEqual(typeof g[key], 'function', key);
  }
  assert.strictEqual(g.bytesWritten, 0);
  // The deprecated alias exists exactly where Node's zlib still has it.
  assert.strictEqual('bytesRead' in g, 'bytesRead' in nodeZlib.createGzip());
  assert.strictEqual(g._closed, false);
  assert.strictEqual(g._level, -1);
  assert.strictEqual(g._chunkSize, 16384);
  // forkpipe's stream defaults apply (as to any forkpipe Transform).
  assert.strictEqual(g.readableHighWaterMark, new stream.Transform().readableHighWaterMark);
  assert.strictEqual(zlib.constants, nodeZlib.constants);
  assert.strictEqual(zlib.Z_BEST_SPEED, 1);
  assert.strictEqual(typeof zlib.createBrotliCompress, 'function');
  for (const key of Object.keys(nodeZlib)) assert.ok(key in zlib, key);
  g.destroy();
  assert.strictEqual(g._closed, true);
});
