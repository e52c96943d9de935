'use strict';

// Files over HTTP on 127.0.0.1: a native ReadStream piped into an
// http.ServerResponse (sent from the kernel, with Content-Length or
// chunked), fs.sendFile with Range/HEAD/conditional requests, keep-alive
// reuse, TLS falling back to JS, and a client that goes away mid-body.

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const http = require('http');
const https = require('https');
const net = require('net');
const forkpipe = require('../index.js');
const u = require('./fixtures/native-fs/util');

const fp = forkpipe.fs;
const MiB = 1024 * 1024;

async function serve(t, handler, make = http.createServer, options = {}) {
  const server = make(options, handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(resolve);
  }));
  return { port: server.address().port, server };
}

function get(port, urlPath, { headers = {}, method = 'GET', agent, mod = http } = {}) {
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: '127.0.0.1', port, path: urlPath, method, headers, agent, rejectUnauthorized: false,
    }, (res) => {
      const parts = [];
      res.on('data', (c) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

test('a ReadStream piped into a response: the kernel sends it, chunked or not', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 5 * MiB + 7);
  const data = fs.readFileSync(file);
  const jobs = u.countJobs(t);
  const { port } = await serve(t, (req, res) => {
    if (req.url === '/length') res.setHeader('Content-Length', data.length);
    const range = req.url === '/range' ? { start: 1000, end: 3 * MiB } : {};
    fp.createReadStream(file, range).pipe(res);
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  for (const [p, want, te] of [['/length', data, undefined], ['/chunked', data, 'chunked'],
    ['/range', data.subarray(1000, 3 * MiB + 1), 'chunked'], ['/length', data, undefined]]) {
    const r = await get(port, p, { agent });
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.headers['transfer-encoding'], te, p);
    assert.strictEqual(u.sha256(r.body), u.sha256(want), p);
  }
  assert.strictEqual(jobs.splice, 4, 'every body was spliced');
  assert.strictEqual(jobs.read, 0, 'no byte went through JS');
});

test('sendFile: 200, ranges, 416, HEAD, 304 and If-Range, with keep-alive', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 300000);
  const empty = u.writeFile(dir, 'empty', 0);
  const data = fs.readFileSync(file);
  const results = [];
  const { port } = await serve(t, (req, res) => {
    const target = req.url === '/empty' ? empty : req.url === '/missing' ? path.join(dir, 'nope') :
      req.url === '/dir' ? dir : file;
    fp.sendFile(req, res, target, { contentType: 'application/x-test' }).then((r) => results.push(r), (err) => {
      results.push({ error: err.code, statusCode: err.statusCode, headersSent: res.headersSent });
      res.statusCode = err.statusCode;
      res.end();
    });
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const opts = (headers, method) => ({ headers, method, agent });

  let r = await get(port, '/', opts());
  assert.strictEqual(r.status, 200);
  assert.ok(r.body.equals(data));
  assert.strictEqual(r.headers['content-length'], String(data.length));
  assert.strictEqual(r.headers['content-type'], 'application/x-test');
  assert.strictEqual(r.headers['accept-ranges'], 'bytes');
  const { etag } = r.headers;
  const lastModified = r.headers['last-modified'];
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);

  const ranges = [
    ['bytes=0-0', 0, 0], ['bytes=10-19', 10, 19], ['bytes=299990-', 299990, 299999],
    ['bytes=-100', 299900, 299999], ['bytes=200000-999999', 200000, 299999], ['bytes=-999999', 0, 299999],
  ];
  for (const [range, start, end] of ranges) {
    r = await get(port, '/', opts({ range }));
    assert.strictEqual(r.status, 206, range);
    assert.strictEqual(r.headers['content-range'], `bytes ${start}-${end}/${data.length}`, range);
    assert.strictEqual(r.headers['content-length'], String(end - start + 1), range);
    assert.ok(r.body.equals(data.subarray(start, end + 1)), range);
  }
  for (const range of ['bytes=300000-', 'bytes=-0']) {
    r = await get(port, '/', opts({ range }));
    assert.strictEqual(r.status, 416, range);
    assert.strictEqual(r.headers['content-range'], `bytes */${data.length}`);
    assert.strictEqual(r.body.length, 0);
  }
  // Ignored: several ranges, nonsense, a stale If-Range.
  for (const headers of [{ range: 'bytes=0-1,5-6' }, { range: 'items=0-1' }, { range: 'bytes=9-3' },
    { range: 'bytes=0-1', 'if-range': '"other"' }]) {
    r = await get(port, '/', opts(headers));
    assert.strictEqual(r.status, 200, JSON.stringify(headers));
    assert.ok(r.body.equals(data));
  }
  r = await get(port, '/', opts({ range: 'bytes=0-1', 'if-range': etag }));
  assert.strictEqual(r.status, 206);
  r = await get(port, '/', opts({}, 'HEAD'));
  assert.strictEqual(r.status, 200);
  assert.strictEqual(r.headers['content-length'], String(data.length));
  assert.strictEqual(r.body.length, 0);
  r = await get(port, '/', opts({ 'if-none-match': etag }));
  assert.strictEqual(r.status, 304);
  r = await get(port, '/', opts({ 'if-modified-since': lastModified }));
  assert.strictEqual(r.status, 304);
  r = await get(port, '/empty', opts());
  assert.strictEqual(r.status, 200);
  assert.strictEqual(r.headers['content-length'], '0');
  r = await get(port, '/missing', opts());
  assert.strictEqual(r.status, 404);
  r = await get(port, '/dir', opts());
  assert.strictEqual(r.status, 404);
  assert.deepStrictEqual(results.slice(-2), [
    { error: 'ENOENT', statusCode: 404, headersSent: false },
    { error: 'EISDIR', statusCode: 404, headersSent: false },
  ]);
  assert.deepStrictEqual(results[0], { statusCode: 200, bytes: data.length });
});

test('TLS: the body goes through JS (no kernel send on an encrypted socket)', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'f', 2 * MiB + 1);
  const jobs = u.countJobs(t);
  const tls = path.join(__dirname, 'fixtures', 'tls');
  const { port } = await serve(t, (req, res) => {
    fp.sendFile(req, res, file).catch(() => {});
  }, https.createServer, {
    key: fs.readFileSync(path.join(tls, 'key.pem')), cert: fs.readFileSync(path.join(tls, 'cert.pem')),
  });
  const r = await get(port, '/', { mod: https, agent: false });
  assert.ok(r.body.equals(fs.readFileSync(file)));
  assert.strictEqual(jobs.splice, 0);
  assert.ok(jobs.read > 0);
});

test('a client that goes away mid-body: the send stops, every fd is closed', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'big', 64 * MiB);
  const socketsBefore = u.openSockets();
  let outcome;
  const served = new Promise((resolve) => {
    outcome = resolve;
  });
  const { port } = await serve(t, (req, res) => {
    fp.sendFile(req, res, file).then((r) => outcome({ ok: r }), (err) => outcome({ error: err.code }));
  });
  // A raw client: asks, reads a little, then resets the connection.
  const socket = net.connect(port, '127.0.0.1');
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((resolve) => socket.once('data', resolve));
  socket.pause();
  await u.tick(20);
  socket.resetAndDestroy?.() ?? socket.destroy();
  const start = Date.now();
  const result = await served;
  assert.ok(result.error, `the transfer failed (${JSON.stringify(result)})`);
  assert.ok(Date.now() - start < 2000);
  for (let i = 0; i < 100 && u.fdsOn(file) > 0; i++) await u.tick(5);
  assert.strictEqual(u.fdsOn(file), 0, 'the file was closed');
  assert.ok(u.openSockets() <= socketsBefore + 1, 'no socket duplicate left behind');
});

test('a socket timeout: a slow but steady client is served, a stalled one times out', async (t) => {
  const dir = u.tempDir(t);
  const file = u.writeFile(dir, 'big', 32 * MiB, 2);
  const outcomes = [];
  const { port, server } = await serve(t, (req, res) => {
    fp.sendFile(req, res, file).then((r) => outcomes.push(r.bytes), (err) => outcomes.push(err.code));
  });
  // What Node's own writes would keep alive, the splice must keep alive too.
  server.setTimeout(250);
  const fetch = (stall) => new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false }, (res) => {
      let n = 0;
      res.on('data', (c) => {
        n += c.length;
        res.pause();
        if (!stall) setTimeout(() => res.resume(), 1);
      });
      res.on('end', () => resolve(n));
    });
    req.on('error', (e) => resolve(e.code));
    // A stalled client never reads far enough to see the server leave.
    if (stall) resolve(req);
  });
  assert.strictEqual(await fetch(false), 32 * MiB);
  const stalled = await fetch(true);
  for (let i = 0; i < 300 && outcomes.length < 2; i++) await u.tick(10);
  stalled.destroy();
  assert.deepStrictEqual(outcomes, [32 * MiB, 'ERR_STREAM_PREMATURE_CLOSE']);
});
