'use strict';

// forkpipe streams next to Node's core streams, both ways: files, TCP
// sockets and HTTP on 127.0.0.1, zlib, a child's stdout; Node's own
// pipeline()/finished() on forkpipe streams; instanceof across the two
// implementations; web streams.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const net = require('net');
const http = require('http');
const zlib = require('zlib');
const { once } = require('events');
const { spawn } = require('child_process');
const nodeStream = require('node:stream');
const stream = require('../lib/stream');
const { pipeline } = require('../lib/stream/promises');

const { Readable, Writable, Duplex, Transform, PassThrough } = stream;

let tmp;
test.before(() => { tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'forkpipe-stream-')); });
test.after(() => { fs.rmSync(tmp, { recursive: true, force: true }); });

function upper() {
  return new Transform({ transform(chunk, enc, cb) { cb(null, chunk.toString().toUpperCase()); } });
}

function bytes(n, seed = 7) {
  const b = Buffer.allocUnsafe(n);
  let x = seed;
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) & 0x7fffffff; b[i] = x & 0xff; }
  return b;
}

test('the seed\'s uppercase example: fs.createReadStream -> Transform -> fs.createWriteStream', async () => {
  const input = path.join(tmp, 'input.txt');
  const output = path.join(tmp, 'output_uppercase.txt');
  const text = 'Grüße aus Köln, ça va? '.repeat(20000);
  fs.writeFileSync(input, text);
  const readStream2 = fs.createReadStream(input, { encoding: 'utf8' });
  const writeStream2 = fs.createWriteStream(output, { encoding: 'utf8' });
  readStream2.pipe(upper()).pipe(writeStream2);
  await once(writeStream2, 'finish');
  assert.strictEqual(fs.readFileSync(output, 'utf8'), text.toUpperCase());
});

test('a forkpipe Readable piped into fs.createWriteStream and back out of fs.createReadStream', async () => {
  const file = path.join(tmp, 'roundtrip.bin');
  const data = bytes(1 << 20);
  let at = 0;
  const src = new Readable({
    read(n) {
      if (at >= data.length) return this.push(null);
      const end = Math.min(at + 7919, data.length);
      this.push(data.subarray(at, end));
      at = end;
    },
  });
  await pipeline(src, fs.createWriteStream(file));
  const chunks = [];
  await pipeline(fs.createReadStream(file, { highWaterMark: 1000 }), new PassThrough(),
    new Writable({ write(c, e, cb) { chunks.push(c); cb(); } }));
  assert.ok(Buffer.concat(chunks).equals(data));
});

test('zlib both ways: forkpipe -> gzip -> gunzip -> forkpipe', async () => {
  const data = bytes(300000, 3);
  const out = [];
  await pipeline(Readable.from([data.subarray(0, 1000), data.subarray(1000)]),
    zlib.createGzip(), new PassThrough(), zlib.createGunzip(),
    new Writable({ write(c, e, cb) { out.push(c); cb(); } }));
  assert.ok(Buffer.concat(out).equals(data));
});

test('TCP sockets on 127.0.0.1 through forkpipe Transforms, with backpressure', async () => {
  const data = bytes(4 << 20, 11);
  const server = net.createServer((socket) => {
    // Echo through a forkpipe Transform that reverses each byte's bits'
    // meaning trivially (xor), and back.
    const xor = new Transform({ transform(c, e, cb) { cb(null, Buffer.from(c.map((b) => b ^ 0x5a))); } });
    socket.pipe(xor).pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const client = net.connect(server.address().port, '127.0.0.1');
    await once(client, 'connect');
    const received = [];
    let size = 0;
    const sink = new Writable({
      highWaterMark: 1024,
      write(c, e, cb) { received.push(c); size += c.length; setImmediate(cb); },
    });
    const done = new Promise((resolve, reject) => {
      client.pipe(sink);
      sink.on('finish', resolve);
      client.on('error', reject);
    });
    Readable.from([data.subarray(0, data.length / 2), data.subarray(data.length / 2)]).pipe(client, { end: true });
    await done;
    assert.strictEqual(size, data.length);
    const back = Buffer.concat(received).map((b) => b ^ 0x5a);
    assert.ok(Buffer.from(back).equals(data));
  } finally {
    server.close();
  }
});

test('HTTP: a request body into a forkpipe Transform, a forkpipe Readable into the response', async () => {
  const server = http.createServer(async (req, res) => {
    const body = [];
    await pipeline(req, upper(), new Writable({ write(c, e, cb) { body.push(c); cb(); } }));
    res.writeHead(200, { 'content-type': 'text/plain' });
    Readable.from([`got: ${Buffer.concat(body)}`, ' (end)']).pipe(res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const reply = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.address().port, method: 'POST', agent: false }, (res) => {
        let s = '';
        res.setEncoding('utf8');
        res.pipe(new Writable({ decodeStrings: false, write(c, e, cb) { s += c; cb(); } }))
          .on('finish', () => resolve(s));
      });
      req.on('error', reject);
      Readable.from(['hello ', 'http']).pipe(req);
    });
    assert.strictEqual(reply, 'got: HELLO HTTP (end)');
  } finally {
    server.close();
  }
});

test('process.stdout of a child as a pipe destination is not ended by pipe()', async () => {
  const script = `
    const { Readable } = require(${JSON.stringify(path.join(__dirname, '..', 'lib', 'stream'))});
    const r = Readable.from(['one ', 'two']);
    r.pipe(process.stdout);
    r.on('end', () => setImmediate(() => process.stdout.write(' still open')));
  `;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => { out += d; });
  const [code] = await once(child, 'exit');
  assert.strictEqual(code, 0);
  assert.strictEqual(out, 'one two still open');
});

test('Node\'s own pipeline() and finished() accept forkpipe streams', async () => {
  const out = [];
  await new Promise((resolve, reject) => nodeStream.pipeline(
    Readable.from(['a', 'b']), upper(), new nodeStream.PassThrough(),
    new Writable({ write(c, e, cb) { out.push(c.toString()); cb(); } }),
    (err) => (err ? reject(err) : resolve())));
  assert.deepStrictEqual(out, ['A', 'B']);

  const r = new Readable({ read() {} });
  const p = require('node:stream/promises').finished(r);
  r.destroy(new Error('gone'));
  await assert.rejects(p, /gone/);

  const w = new Writable({ write(c, e, cb) { cb(); } });
  const f = require('node:stream/promises').finished(w);
  w.end('x');
  await f;

  const cut = new Readable({ read() {} });
  setImmediate(() => cut.destroy());
  const err = await new Promise((resolve) => nodeStream.pipeline(cut, new nodeStream.PassThrough(), resolve));
  assert.strictEqual(err.code, 'ERR_STREAM_PREMATURE_CLOSE');
});

test('forkpipe\'s pipeline and finished accept Node\'s streams', async () => {
  const out = [];
  await pipeline(nodeStream.Readable.from(['x', 'y']), new nodeStream.Transform({
    transform(c, e, cb) { cb(null, `${c}!`); },
  }), new Writable({ write(c, e, cb) { out.push(c.toString()); cb(); } }));
  assert.deepStrictEqual(out, ['x!', 'y!']);
  const nr = new nodeStream.Readable({ read() {} });
  const p = stream.promises.finished(nr);
  nr.destroy();
  await assert.rejects(p, { code: 'ERR_STREAM_PREMATURE_CLOSE' });
});

test('instanceof: Node\'s streams count as forkpipe\'s classes', () => {
  const file = fs.createReadStream(__filename);
  const sock = new net.Socket();
  const gzip = zlib.createGzip();
  const res = new http.ServerResponse(new http.IncomingMessage(sock));
  try {
    assert.ok(file instanceof Readable && file instanceof stream.Stream);
    assert.ok(!(file instanceof Writable));
    assert.ok(sock instanceof Duplex && sock instanceof Readable && sock instanceof Writable);
    assert.ok(gzip instanceof Transform && gzip instanceof Duplex);
    assert.ok(new nodeStream.PassThrough() instanceof PassThrough);
    assert.ok(res instanceof stream.Stream, 'http.ServerResponse is a legacy Stream');
    assert.ok(!(res instanceof Readable));
    assert.ok(!({} instanceof Readable) && !(null instanceof Writable));
  } finally {
    file.destroy();
    sock.destroy();
    gzip.close();
  }
});

test('instanceof: forkpipe\'s streams count as Node\'s classes and as EventEmitters', () => {
  const { EventEmitter } = require('events');
  const r = new Readable({ read() {} });
  const w = new Writable({ write(c, e, cb) { cb(); } });
  const d = new Duplex();
  const t = new Transform();
  const p = new PassThrough();
  assert.ok(r instanceof nodeStream.Readable && r instanceof nodeStream && r instanceof EventEmitter);
  assert.ok(!(r instanceof nodeStream.Writable));
  assert.ok(w instanceof nodeStream.Writable && !(w instanceof nodeStream.Readable));
  assert.ok(d instanceof nodeStream.Duplex && d instanceof nodeStream.Writable && d instanceof nodeStream.Readable);
  assert.ok(t instanceof nodeStream.Transform && !(t instanceof nodeStream.PassThrough));
  assert.ok(p instanceof nodeStream.PassThrough);
  // Subclasses keep ordinary instanceof.
  class Mine extends Readable {}
  assert.ok(new Mine() instanceof Mine);
  assert.ok(!(r instanceof Mine));
  assert.ok(!(new nodeStream.Readable() instanceof Mine));
});

test('web streams: toWeb and fromWeb in both directions', async () => {
  const web = Readable.toWeb(Readable.from(['a', 'b'], { objectMode: true }));
  const seen = [];
  for await (const c of web) seen.push(c);
  assert.deepStrictEqual(seen, ['a', 'b']);

  const rs = new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('web')); c.close(); } });
  const r = Readable.fromWeb(rs);
  assert.ok(r instanceof Readable);
  assert.strictEqual(Buffer.concat(await r.toArray()).toString(), 'web');

  const written = [];
  const ws = new WritableStream({ write(c) { written.push(Buffer.from(c).toString()); } });
  const w = Writable.fromWeb(ws);
  w.write('to web');
  w.end();
  await once(w, 'finish');
  assert.deepStrictEqual(written, ['to web']);

  assert.throws(() => Readable.fromWeb({}), { code: 'ERR_INVALID_ARG_TYPE' });
});

test('the ES module wrappers export the names node:stream and node:stream/promises export', async () => {
  const ours = await import('../lib/stream/esm.mjs');
  const theirs = await import('node:stream');
  assert.deepStrictEqual(Object.keys(ours).sort(), Object.keys(theirs).sort());
  assert.strictEqual(ours.default, stream);
  assert.strictEqual(ours.Readable, Readable);
  const p = await import('../lib/stream/promises.mjs');
  assert.deepStrictEqual(Object.keys(p).sort(), Object.keys(await import('node:stream/promises')).sort());
  assert.strictEqual(p.pipeline, stream.promises.pipeline);
});

test('the module has the shape of require(\'stream\')', () => {
  for (const key of Object.keys(nodeStream)) {
    assert.ok(key in stream, `missing ${key}`);
    assert.strictEqual(typeof stream[key], typeof nodeStream[key], key);
  }
  assert.strictEqual(typeof stream, 'function');
  assert.strictEqual(stream.Stream, stream);
  const legacy = new stream();
  assert.ok(typeof legacy.pipe === 'function');
  for (const m of ['map', 'filter', 'toArray', 'reduce', 'take', 'drop', 'flatMap', 'forEach', 'some', 'every', 'find']) {
    assert.strictEqual(typeof Readable.prototype[m], 'function', m);
  }
});
