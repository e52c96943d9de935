'use strict';

// Side by side with node:stream: each scenario runs on Node's builtin and
// on forkpipe's stream, and the two traces (every event, callback, return
// value and error, in order) must be identical. These are the timing and
// ordering details code comes to depend on.

const test = require('node:test');
const assert = require('node:assert');
const { trace } = require('./fixtures/stream/trace');

const node = require('node:stream');
const forkpipe = require('../lib/stream');

const R_EVENTS = ['readable', 'data', 'end', 'close', 'error', 'pause', 'resume'];
const W_EVENTS = ['drain', 'prefinish', 'finish', 'close', 'error', 'pipe', 'unpipe'];
const D_EVENTS = [...new Set([...R_EVENTS, ...W_EVENTS])];

const scenarios = {
  'paused mode: readable/read() and end': (S, log) => {
    const r = new S.Readable({ read() {} });
    log.events('r', r, ['end', 'close']);
    r.on('readable', () => {
      let c;
      while ((c = r.read()) !== null) log('read', c);
      log('read null');
    });
    r.push('ab');
    r.push('cd');
    process.nextTick(() => { r.push('ef'); r.push(null); });
  },

  'flowing mode: data, pause, resume': (S, log) => {
    let i = 0;
    const r = new S.Readable({
      read() { log('_read'); this.push(i < 3 ? String(i++) : null); },
    });
    log.events('r', r, ['data', 'end', 'close', 'pause', 'resume']);
    r.once('data', () => { r.pause(); setImmediate(() => r.resume()); });
  },

  'read(n) with sizes across chunks': (S, log) => {
    const r = new S.Readable({ read() {} });
    r.push(Buffer.from('abc'));
    r.push(Buffer.from('defg'));
    r.push(null);
    log('r5', r.read(5));
    log('r1', r.read(1));
    log('r10', r.read(10));
    log('r', r.read());
    log.events('r', r, ['end', 'close']);
  },

  'highWaterMark 0 readable': (S, log) => {
    let n = 0;
    const r = new S.Readable({
      highWaterMark: 0,
      read() { log('_read', n); if (n < 3) process.nextTick(() => this.push(String(n++))); else this.push(null); },
    });
    log.events('r', r, ['data', 'end', 'close']);
  },

  'object mode keeps falsy values': (S, log) => {
    const r = new S.Readable({ objectMode: true, read() {} });
    for (const v of [0, false, '', NaN, 'x']) log('push', r.push(v));
    r.push(null);
    r.on('data', (d) => log('data', d));
    log.events('r', r, ['end', 'close']);
  },

  'setEncoding splits multi-byte characters correctly': (S, log) => {
    const r = new S.Readable({ read() {} });
    r.setEncoding('utf8');
    const euro = Buffer.from('€uro ünï', 'utf8');
    for (let i = 0; i < euro.length; i++) r.push(euro.subarray(i, i + 1));
    r.push(null);
    r.on('data', (d) => log('data', d));
    log.events('r', r, ['end']);
  },

  'unshift puts data back at the front': (S, log) => {
    const r = new S.Readable({ read() {} });
    r.push('hello world');
    r.once('readable', () => {
      const head = r.read(5);
      log('head', head);
      r.unshift(Buffer.from('HELLO'));
      log('all', r.read());
      r.push(null);
    });
    log.events('r', r, ['end', 'close']);
  },

  'push after EOF is an error': (S, log) => {
    const r = new S.Readable({ read() {} });
    log.events('r', r, ['error', 'close']);
    r.push(null);
    log('ret', r.push('late'));
  },

  'unshift after end event is an error': (S, log) => {
    const r = new S.Readable({ read() {} });
    log.events('r', r, ['end', 'error', 'close']);
    r.push(null);
    r.resume();
    r.on('end', () => { r.unshift('x'); });
  },

  'invalid chunk type on push': (S, log) => {
    const r = new S.Readable({ read() {} });
    log.events('r', r, ['error', 'close']);
    log('ret', r.push(42));
  },

  'writable backpressure and drain': (S, log) => {
    const w = new S.Writable({
      highWaterMark: 5,
      write(chunk, enc, cb) { log('_write', chunk); setImmediate(cb); },
    });
    log.events('w', w, W_EVENTS);
    log('w1', w.write('abc'));
    log('w2', w.write('def'));
    log('len', w.writableLength, w.writableNeedDrain);
    w.once('drain', () => { log('w3', w.write('g', () => log('cb3'))); w.end('h', () => log('end cb')); });
  },

  'writable highWaterMark 0': (S, log) => {
    const w = new S.Writable({ highWaterMark: 0, write(c, e, cb) { log('_write', c); cb(); } });
    log.events('w', w, W_EVENTS);
    log('w1', w.write('a'));
    log('w2', w.write('b', () => log('cb b')));
    w.end();
  },

  'cork, uncork and writev': (S, log) => {
    const w = new S.Writable({
      write(c, e, cb) { log('_write', c); cb(); },
      writev(chunks, cb) { log('_writev', chunks.map((x) => x.chunk.toString()).join(',')); cb(); },
    });
    log.events('w', w, W_EVENTS);
    w.write('a');
    w.cork();
    w.write('b', () => log('cb b'));
    w.write('c', () => log('cb c'));
    process.nextTick(() => { w.uncork(); w.end(); });
  },

  'write after end': (S, log) => {
    const w = new S.Writable({ write(c, e, cb) { cb(); } });
    log.events('w', w, W_EVENTS);
    w.end();
    log('ret', w.write('x', (err) => log('write cb', err)));
  },

  'end twice and end after finish': (S, log) => {
    const w = new S.Writable({ write(c, e, cb) { cb(); } });
    log.events('w', w, W_EVENTS);
    w.end('a', (err) => log('end1', err));
    w.end((err) => log('end2', err));
    w.on('finish', () => w.end((err) => log('end3', err)));
  },

  'write callback called twice': (S, log) => {
    const w = new S.Writable({ write(c, e, cb) { cb(); cb(); } });
    log.events('w', w, W_EVENTS);
    w.write('a');
  },

  'write(null) throws, bad chunk throws': (S, log) => {
    const w = new S.Writable({ write(c, e, cb) { cb(); } });
    try { w.write(null); } catch (err) { log('null', err); }
    try { w.write(5); } catch (err) { log('number', err); }
    const o = new S.Writable({ objectMode: true, write(c, e, cb) { log('obj', c); cb(); } });
    try { o.write(null); } catch (err) { log('obj null', err); }
    o.write(0);
  },

  'error from _write callback': (S, log) => {
    const w = new S.Writable({ write(c, e, cb) { cb(new Error('boom')); } });
    log.events('w', w, W_EVENTS);
    w.write('a', (err) => log('cb a', err));
    w.write('b', (err) => log('cb b', err));
  },

  'error from _final': (S, log) => {
    const w = new S.Writable({
      write(c, e, cb) { cb(); },
      final(cb) { setImmediate(() => cb(new Error('final failed'))); },
    });
    log.events('w', w, W_EVENTS);
    w.end('x', (err) => log('end cb', err));
  },

  'errors thrown by _final, _destroy, _construct, _flush; a _writev error': (S, log) => {
    const a = new S.Writable({ write(c, e, cb) { cb(); }, final() { throw new Error('final threw'); } });
    log.events('a', a, W_EVENTS);
    a.end('x', (err) => log('a end cb', err));
    const b = new S.Readable({ read() {}, destroy() { throw new Error('destroy threw'); } });
    log.events('b', b, R_EVENTS);
    b.destroy(null, (err) => log('b destroy cb', err));
    const c = new S.Duplex({ construct() { throw new Error('construct threw'); }, read() {}, write(x, e, cb) { cb(); } });
    log.events('c', c, D_EVENTS);
    const d = new S.Transform({ transform(x, e, cb) { cb(null, x); }, flush() { throw new Error('flush threw'); } });
    log.events('d', d, D_EVENTS);
    d.resume();
    d.end('y', (err) => log('d end cb', err));
    const w = new S.Writable({
      write(x, e, cb) { setImmediate(cb); },
      writev(chunks, cb) { log('writev', chunks.length, chunks.allBuffers); setImmediate(cb, new Error('writev failed')); },
    });
    log.events('w', w, W_EVENTS);
    for (const x of ['1', '2', '3']) w.write(x, (err) => log('w cb', x, err));
  },

  'a subclass overriding emit sees every data event; captureRejections': (S, log) => {
    class Spy extends S.PassThrough {
      emit(ev, ...args) { if (ev === 'data') log('spy', args[0]); return super.emit(ev, ...args); }
    }
    const p = new Spy();
    p.on('data', (d) => log('listener', d));
    p.write('a');
    p.end('b');
    let n = 0;
    const r = new S.Readable({ captureRejections: true, read() { setImmediate(() => this.push(n++ < 3 ? 'x' : null)); } });
    log.events('r', r, ['error', 'close']);
    r.on('data', async () => { throw new Error('async listener failed'); });
  },

  'readableFlowing set by hand, several data listeners, removing them': (S, log) => {
    const r = new S.Readable({ read() {} });
    r.readableFlowing = false;
    r.on('data', (d) => log('one', d));
    log('flowing after on', r.readableFlowing);
    r.push('a');
    const two = (d) => log('two', d);
    r.on('data', two);
    r.resume();
    setImmediate(() => { r.off('data', two); r.push('b'); r.push(null); });
    log.events('r', r, ['end', 'close', 'pause', 'resume']);
  },

  'error thrown by _read': (S, log) => {
    const r = new S.Readable({ read() { throw new Error('read threw'); } });
    log.events('r', r, R_EVENTS);
    r.resume();
  },

  'destroy a readable: before start, while flowing, after end': (S, log) => {
    const a = new S.Readable({ read() {} });
    log.events('a', a, R_EVENTS);
    a.destroy();
    log('a destroyed', a.destroyed);
    const b = new S.Readable({ read() { this.push('x'); } });
    log.events('b', b, ['close', 'error']);
    b.once('data', () => b.destroy(new Error('stop')));
    const c = new S.Readable({ read() { this.push(null); } });
    log.events('c', c, ['end', 'close', 'error']);
    c.resume();
    c.on('end', () => process.nextTick(() => c.destroy(new Error('late'))));
  },

  'destroy a writable with pending writes': (S, log) => {
    const w = new S.Writable({ write(c, e, cb) { setImmediate(cb); } });
    log.events('w', w, W_EVENTS);
    w.write('a', (err) => log('cb a', err));
    w.write('b', (err) => log('cb b', err));
    w.end((err) => log('end cb', err));
    w.destroy(new Error('abort'));
  },

  'destroy with a custom _destroy and a callback': (S, log) => {
    const r = new S.Readable({
      read() {},
      destroy(err, cb) { log('_destroy', err); setImmediate(() => cb(new Error('from destroy'))); },
    });
    log.events('r', r, R_EVENTS);
    r.destroy(null, (err) => log('destroy cb', err));
    r.destroy(new Error('second'));
  },

  'construct defers reads and writes': (S, log) => {
    const d = new S.Duplex({
      construct(cb) { log('construct'); setImmediate(cb); },
      read() { log('_read'); this.push(null); },
      write(c, e, cb) { log('_write', c); cb(); },
      final(cb) { log('_final'); cb(); },
    });
    log.events('d', d, D_EVENTS);
    d.write('x');
    d.end();
    d.resume();
  },

  'construct failing': (S, log) => {
    const w = new S.Writable({
      construct(cb) { cb(new Error('no')); },
      write(c, e, cb) { cb(); },
    });
    log.events('w', w, W_EVENTS);
    w.write('a', (err) => log('cb', err));
  },

  'duplex allowHalfOpen false ends the writable side': (S, log) => {
    const d = new S.Duplex({
      allowHalfOpen: false,
      read() { this.push(null); },
      write(c, e, cb) { cb(); },
    });
    log.events('d', d, D_EVENTS);
    d.resume();
  },

  'transform with flush and backpressure': (S, log) => {
    const t = new S.Transform({
      highWaterMark: 2,
      transform(chunk, enc, cb) { log('transform', chunk); cb(null, chunk.toString().toUpperCase()); },
      flush(cb) { log('flush'); cb(null, '!'); },
    });
    log.events('t', t, D_EVENTS);
    for (const c of ['a', 'b', 'c', 'd']) log('write', c, t.write(c));
    t.end();
    setImmediate(() => t.on('data', (d) => log('data', d)));
  },

  'transform callback error and flush error': (S, log) => {
    const t = new S.Transform({ transform(c, e, cb) { cb(new Error('bad chunk')); } });
    log.events('t', t, D_EVENTS);
    t.write('x', (err) => log('write cb', err));
    const f = new S.Transform({ transform(c, e, cb) { cb(null, c); }, flush(cb) { cb(new Error('bad flush')); } });
    log.events('f', f, D_EVENTS);
    f.resume();
    f.end('y');
  },

  'pipe with backpressure and unpipe': (S, log) => {
    let i = 0;
    const r = new S.Readable({ highWaterMark: 4, read() { this.push(i < 6 ? `c${i++}` : null); } });
    const w = new S.Writable({
      highWaterMark: 4,
      write(c, e, cb) { log('_write', c); setImmediate(cb); },
    });
    log.events('r', r, R_EVENTS);
    log.events('w', w, W_EVENTS);
    r.pipe(w);
  },

  'pipe into a writable that errors': (S, log) => {
    const r = new S.Readable({ read() { this.push('x'); } });
    const w = new S.Writable({ write(c, e, cb) { cb(new Error('sink broke')); } });
    log.events('r', r, ['pause', 'close', 'end']);
    log.events('w', w, W_EVENTS);
    r.pipe(w);
  },

  'pipeline success with generator stages': async (S, log) => {
    await new Promise((resolve) => {
      S.pipeline(
        S.Readable.from(['a', 'b', 'c']),
        async function* upper(src) { for await (const c of src) yield c.toUpperCase(); },
        async function collect(src) { let s = ''; for await (const c of src) s += c; log('collected', s); return s; },
        (err, val) => { log('done', err, val); resolve(); },
      );
    });
  },

  'pipeline destroys every stage on error': async (S, log) => {
    const r = new S.Readable({ read() { this.push('x'); } });
    const t = new S.Transform({ transform(c, e, cb) { cb(new Error('middle failed')); } });
    const w = new S.Writable({ write(c, e, cb) { cb(); } });
    log.events('r', r, ['close', 'error']);
    log.events('t', t, ['close', 'error']);
    log.events('w', w, ['close', 'error', 'finish']);
    await new Promise((resolve) => S.pipeline(r, t, w, (err) => { log('done', err); resolve(); }));
    log('destroyed', r.destroyed, t.destroyed, w.destroyed);
  },

  'pipeline aborted by a signal': async (S, log) => {
    const ac = new AbortController();
    const r = new S.Readable({ read() { setTimeout(() => this.push('x'), 1); } });
    const w = new S.Writable({ write(c, e, cb) { log('_write', c); ac.abort(); cb(); } });
    log.events('r', r, ['close', 'error']);
    log.events('w', w, ['close', 'error']);
    try {
      await S.promises.pipeline(r, w, { signal: ac.signal });
    } catch (err) {
      log('rejected', err);
    }
    log('destroyed', r.destroyed, w.destroyed);
  },

  'finished on each kind of ending': async (S, log) => {
    const a = new S.Readable({ read() { this.push(null); } });
    S.finished(a, (err) => log('a finished', err));
    a.resume();
    const b = new S.Writable({ write(c, e, cb) { cb(); } });
    S.finished(b, (err) => log('b finished', err));
    b.end('x');
    const c = new S.Readable({ read() {} });
    S.finished(c, (err) => log('c finished', err));
    c.destroy();
    const d = new S.Duplex({ read() {}, write(c2, e, cb) { cb(); } });
    S.finished(d, { readable: false }, (err) => log('d finished', err));
    d.end();
  },

  'async iteration with break destroys the stream': async (S, log) => {
    const r = S.Readable.from([1, 2, 3, 4]);
    log.events('r', r, ['close', 'end', 'error']);
    for await (const v of r) {
      log('v', v);
      if (v === 2) break;
    }
    log('destroyed', r.destroyed);
  },

  'async iteration with a throw': async (S, log) => {
    const r = new S.Readable({ objectMode: true, read() { this.push('x'); } });
    log.events('r', r, ['close', 'end', 'error']);
    try {
      for await (const v of r) { log('v', v); throw new Error('consumer failed'); }
    } catch (err) {
      log('caught', err);
    }
    log('destroyed', r.destroyed);
  },

  'async iteration over an erroring stream': async (S, log) => {
    const r = new S.Readable({ read() { this.destroy(new Error('source failed')); } });
    try {
      for await (const v of r) log('v', v);
    } catch (err) {
      log('caught', err);
    }
  },

  'operators: map with concurrency keeps order, filter, take, toArray': async (S, log) => {
    const out = await S.Readable.from([5, 1, 4, 2, 3])
      .map(async (x) => { await new Promise((r) => setTimeout(r, x)); return x * 10; }, { concurrency: 3 })
      .filter((x) => x !== 20)
      .take(3)
      .toArray();
    log('out', out);
    log('reduce', await S.Readable.from([1, 2, 3]).reduce((a, b) => a + b, 0));
    log('some', await S.Readable.from([1, 2, 3]).some((x) => x > 2));
    log('every', await S.Readable.from([1, 2, 3]).every((x) => x > 2));
    log('find', await S.Readable.from([1, 2, 3]).find((x) => x > 1));
    log('drop', await S.Readable.from([1, 2, 3]).drop(2).toArray());
    log('flatMap', await S.Readable.from([1, 2]).flatMap((x) => [x, x]).toArray());
    try { await S.Readable.from([]).reduce((a, b) => a + b); } catch (err) { log('reduce empty', err); }
  },

  'compose two transforms': async (S, log) => {
    const c = S.compose(
      new S.Transform({ transform(ch, e, cb) { cb(null, ch.toString().toUpperCase()); } }),
      new S.Transform({ transform(ch, e, cb) { cb(null, `<${ch}>`); } }),
    );
    log.events('c', c, ['finish', 'end', 'close', 'error']);
    c.on('data', (d) => log('data', d));
    c.write('ab');
    c.end('cd');
  },

  'addAbortSignal destroys with AbortError': (S, log) => {
    const ac = new AbortController();
    const r = S.addAbortSignal(ac.signal, new S.Readable({ read() {} }));
    log.events('r', r, ['close', 'error']);
    ac.abort();
    try { S.addAbortSignal('nope', r); } catch (err) { log('bad signal', err); }
  },

  'Readable.from a string, a buffer, a failing generator': async (S, log) => {
    S.Readable.from('text').on('data', (d) => log('string', d));
    S.Readable.from(Buffer.from('bin')).on('data', (d) => log('buffer', d));
    const g = S.Readable.from((function* gen() { yield 1; throw new Error('gen failed'); })());
    log.events('g', g, ['data', 'error', 'close']);
    try { S.Readable.from(42); } catch (err) { log('not iterable', err); }
  },

  'hwm validation and defaults': (S, log) => {
    try { new S.Readable({ highWaterMark: -1 }); } catch (err) { log('neg', err); }
    try { new S.Transform({ highWaterMark: NaN }); } catch (err) { log('nan', err); }
    try { new S.Duplex({ readableHighWaterMark: 1.5 }); } catch (err) { log('float', err); }
    log('defaults', S.getDefaultHighWaterMark(false), S.getDefaultHighWaterMark(true));
    try { S.setDefaultHighWaterMark(false, -1); } catch (err) { log('set neg', err); }
    const d = new S.Duplex({ readableObjectMode: true, writableHighWaterMark: 3 });
    log('duplex', d.readableHighWaterMark, d.writableHighWaterMark, d.readableObjectMode, d.writableObjectMode);
    log('transform0', new S.Transform({ highWaterMark: 0 }).writableHighWaterMark);
  },

  'properties through a lifecycle': (S, log) => {
    const d = new S.PassThrough();
    const snap = (label) => log(label, [d.readable, d.writable, d.readableFlowing, d.readableEnded,
      d.writableEnded, d.writableFinished, d.destroyed, d.closed, d.readableDidRead,
      d.readableAborted, d.writableAborted, d.errored === null].join(','));
    snap('new');
    d.write('a');
    snap('written');
    d.resume();
    d.end();
    d.on('end', () => snap('end'));
    d.on('finish', () => snap('finish'));
    d.on('close', () => snap('close'));
  },

  'Duplex.from a promise, an async generator function, a pair': async (S, log) => {
    const p = S.Duplex.from(Promise.resolve('resolved'));
    p.on('data', (d) => log('promise data', d));
    const g = S.Duplex.from(async function* twice(source) {
      for await (const c of source) yield `${c}${c}`;
    });
    g.on('data', (d) => log('gen data', d));
    g.write('x');
    g.end('y');
    const r = new S.Readable({ read() { this.push('pair'); this.push(null); } });
    const w = new S.Writable({ write(c, e, cb) { log('pair write', c); cb(); } });
    const pair = S.Duplex.from({ readable: r, writable: w });
    pair.on('data', (d) => log('pair data', d));
    pair.end('in');
  },
};

for (const [name, scenario] of Object.entries(scenarios)) {
  test(name, async () => {
    const expected = await trace(node, scenario);
    const actual = await trace(forkpipe, scenario);
    assert.ok(expected.length > 0, "the scenario recorded nothing");
    assert.deepStrictEqual(actual, expected);
  });
}

// Random operation sequences (fixed seeds, so failures reproduce): the
// same operations at the same moments — sync, next tick, microtask,
// immediate — on both implementations give the same traces.
const { readableScenario, writableScenario, pipeScenario } = require('./fixtures/stream/random-ops');

for (const [kind, make] of [['readable', readableScenario], ['writable', writableScenario], ['pipe', pipeScenario]]) {
  test(`random ${kind} operation sequences match node:stream`, async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const scenario = make(seed);
      const expected = await trace(node, scenario);
      const actual = await trace(forkpipe, scenario);
      assert.deepStrictEqual(actual, expected, `${kind} seed ${seed}`);
    }
  });
}
