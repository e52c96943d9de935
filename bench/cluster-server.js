'use strict';

// The server bench/cluster.js measures: a primary (Node's cluster or
// forkpipe's, same code) with workers answering HTTP or raw TCP.
// argv: impl (node|forkpipe) kind (http|raw) workers policy(rr|none|...).
// stdout: {ready, port, pids}; on "stats\n" on stdin: {counts} per worker.

const impl = process.argv[2];
const kind = process.argv[3];
const workers = Number(process.argv[4] || 2);
const policy = process.argv[5] || 'rr';
const cluster = impl === 'forkpipe' ? require('..').cluster : require('node:cluster');

const RAW_REPLY = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok';

if (cluster.isPrimary) {
  if (policy === 'none') cluster.schedulingPolicy = cluster.SCHED_NONE;
  else if (policy !== 'rr') cluster.setupPrimary({ schedulingPolicy: policy });
  const port = Number(process.env.BENCH_PORT);
  const list = [];
  let listening = 0;
  for (let i = 0; i < workers; i++) {
    const w = cluster.fork({ BENCH_KIND: kind, BENCH_PORT: String(port) });
    list.push(w);
    w.on('listening', () => {
      if (++listening === workers) {
        process.stdout.write(`${JSON.stringify({ ready: true, pids: list.map((x) => x.process.pid) })}\n`);
      }
    });
  }
  let buf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d) => {
    buf += d;
    if (!buf.includes('stats\n')) return;
    buf = '';
    const counts = [];
    let got = 0;
    for (const [i, w] of list.entries()) {
      w.once('message', (m) => {
        counts[i] = m.count;
        if (++got === list.length) process.stdout.write(`${JSON.stringify({ counts })}\n`);
      });
      w.send('stats');
    }
  });
} else {
  let count = 0;
  const port = Number(process.env.BENCH_PORT);
  if (process.env.BENCH_KIND === 'raw') {
    require('net').createServer((s) => {
      count++;
      s.on('error', () => {});
      // Reading is what notices the client's close; without it every
      // socket (and its descriptor) would stay open.
      s.resume();
      s.end(RAW_REPLY);
    }).listen(port, '127.0.0.1');
  } else {
    const server = require('http').createServer((req, res) => {
      res.end('ok');
    });
    server.on('connection', () => { count++; });
    server.listen(port, '127.0.0.1');
  }
  process.on('message', (m) => {
    if (m === 'stats') process.send({ count });
  });
}
