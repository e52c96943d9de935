'use strict';

// Shared by the test files: driving fixture workers, plain HTTP/TCP clients
// on 127.0.0.1, and running a whole primary in a child process.

const { once } = require('events');
const { spawn } = require('child_process');
const http = require('http');
const net = require('net');
const path = require('path');

const WORKER = path.join(__dirname, 'fixtures', 'worker.js');
const ROOT = path.join(__dirname, '..');

let nextCall = 1;

// Sends `{op, ...args}` to a fixture worker and resolves with its reply.
function call(worker, op, args = {}, timeoutMs = 10000) {
  const id = nextCall++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      worker.off('message', onMessage);
      reject(new Error(`worker ${worker.id}: no reply to ${op} within ${timeoutMs} ms`));
    }, timeoutMs);
    function onMessage(m) {
      if (m && m.re === id) {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(m);
      }
    }
    worker.on('message', onMessage);
    worker.send({ id, op, ...args });
  });
}

async function forkOnline(cluster, env) {
  const worker = cluster.fork(env);
  await once(worker, 'online');
  return worker;
}

// Kills every worker still listed, by pid, and waits for their exits.
async function killAll(cluster) {
  const workers = Object.values(cluster.workers);
  await Promise.all(workers.map((w) => {
    if (w.isDead()) return null;
    const exited = once(w, 'exit');
    w.process.kill('SIGKILL');
    return exited;
  }));
}

function get(port, { host = '127.0.0.1', agent = false, headers } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/', agent, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.setTimeout(5000, () => req.destroy(new Error('HTTP request timed out')));
    req.on('error', reject);
  });
}

// Connects, reads until the server ends the connection.
function tcpRead(port, host = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, host);
    let data = '';
    s.setEncoding('utf8');
    s.setTimeout(5000, () => s.destroy(new Error('TCP read timed out')));
    s.on('data', (d) => { data += d; });
    s.on('end', () => resolve(data));
    s.on('error', reject);
  });
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(predicate, timeoutMs = 5000, stepMs = 20) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return false;
}

// Calls `fn` with each line `stream` writes, parsed as JSON when it is.
function onLines(stream, fn) {
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) !== -1) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      let parsed = line;
      try { parsed = JSON.parse(line); } catch { /* plain text line */ }
      fn(parsed);
    }
  });
}

// Runs `node [nodeArgs] script` as a primary of its own; resolves with its
// exit and the JSON lines it printed. Killed by pid if it overruns.
function runPrimary(script, { args = [], nodeArgs = [], env = {}, timeoutMs = 20000,
  onLine, cwd, uid, gid } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
      cwd: cwd || ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      uid,
      gid,
    });
    const lines = [];
    let stderr = '';
    onLines(child.stdout, (parsed) => {
      lines.push(parsed);
      if (onLine) onLine(parsed, child);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, lines, stderr, pid: child.pid });
    });
  });
}

// Whether nothing listens on `port` (examples that use a fixed port need it).
function portFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

// A port nothing listens on at the moment of asking.
async function freePort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  s.close();
  await once(s, 'close');
  return port;
}

module.exports = {
  WORKER, ROOT, call, forkOnline, killAll, get, tcpRead, isAlive, waitFor, runPrimary, onLines,
  portFree, freePort,
};
