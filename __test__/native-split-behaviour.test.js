'use strict';

// forkpipe.split against split2's behaviour on the inputs that trip line
// splitters: UTF-8 characters cut at every byte, \r\n split across
// chunks, custom separators of several bytes, maxLength (error or skip),
// mappers, invalid UTF-8. The expected lines are what split2 4.2 gives for
// the same calls; when split2 can be loaded (installed, or its path in
// FORKPIPE_SPLIT2) every case is also run through it.

const test = require('node:test');
const assert = require('node:assert');
const { split, stream } = require('..');

let split2 = null;
for (const where of [process.env.FORKPIPE_SPLIT2, 'split2']) {
  if (!where) continue;
  try {
    split2 = require(where);
    break;
  } catch {
    // Not available: the recorded expectations still apply.
  }
}

function run(make, chunks) {
  return new Promise((resolve) => {
    const s = make();
    const lines = [];
    let error = null;
    s.on('data', (line) => lines.push(line));
    s.on('end', () => resolve([lines, error]));
    s.on('error', (e) => {
      error = e.message;
      resolve([lines, error]);
    });
    for (const c of chunks) s.write(c);
    s.end();
  });
}

const CASES = [
  [[], ['a\r\nb\r\n\r\nc\r'], [['a', 'b', '', 'c\r'], null]],
  [[], ['a\r', '\nb', '\r', '\n', '\r\n'], [['a', 'b', ''], null]],
  [[], ['\n'], [[''], null]],
  [[], [''], [[], null]],
  [[], ['no newline'], [['no newline'], null]],
  [['||'], ['a||b|', '|c||||d'], [['a', 'b', 'c', '', 'd'], null]],
  [['€'], ['x€y€', '€z'], [['x', 'y', '', 'z'], null]],
  [['😀'], ['a😀b😀'], [['a', 'b'], null]],
  [[/[,;]\s*/], ['a, b;c', ';  d,'], [['a', 'b', 'c', 'd'], null]],
  [[/\n/], ['a\r\nb\n'], [['a\r', 'b'], null]],
  [[{ maxLength: 4 }], ['abc\nabcdef\nx'], [['abc', 'abcdef', 'x'], null]],
  [[{ maxLength: 4 }], ['abc\nab', 'cdef\nx'], [['abc', 'abcdef', 'x'], null]],
  [[{ maxLength: 4, skipOverflow: true }], ['abc\nabcdef', 'gh\nxy\n', 'zzzzzzz', 'w\nend'],
    [['abc', 'xy', 'end'], null]],
  [[{ maxLength: 3 }], ['😀😀', '\nok'], [[], 'maximum buffer reached']],
  [[{ maxLength: 4 }], ['😀😀', '\nok'], [['😀😀', 'ok'], null]],
  [[], [Buffer.from([0xff, 0x0a, 0x61, 0xe2, 0x82])], [['\ufffd', 'a\ufffd'], null]],
  [[(l) => (l ? l.toUpperCase() : undefined)], ['a\n\nb\n'], [['A', 'B'], null]],
  [[JSON.parse, { maxLength: 100 }], ['{"a":1}\n[2]\n'], [[{ a: 1 }, [2]], null]],
  [[(l) => { if (l === 'bad') throw new Error('mapper says no'); return l; }], ['ok\nbad\nnever\n'],
    [['ok'], 'mapper says no']],
];

test('split2\'s results on tricky inputs', async () => {
  for (const [args, chunks, expected] of CASES) {
    const label = `${args.map(String)} ${JSON.stringify(chunks)}`;
    assert.deepStrictEqual(await run(() => split(...args), chunks), expected, label);
    if (split2) assert.deepStrictEqual(await run(() => split2(...args), chunks), expected, `split2 ${label}`);
  }
});

test('UTF-8 cut at every byte boundary gives the same lines', async () => {
  const text = Buffer.from('héllo\r\nwörld €uro\n😀 emoji||after||\n\nend€\r\n😀😀|', 'utf8');
  // (Not for RegExps: like split2's, their matches cannot span a chunk end.)
  for (const args of [[], ['||'], ['€'], ['😀'], [/\n/], [Buffer.from('||')]]) {
    const [whole] = await run(() => split(...args), [text]);
    if (split2 && !(args[0] instanceof Buffer)) {
      assert.deepStrictEqual((await run(() => split2(...args), [text]))[0], whole, String(args));
    }
    for (let i = 0; i <= text.length; i++) {
      for (let j = i; j <= text.length; j += 3) {
        const pieces = [text.subarray(0, i), text.subarray(i, j), text.subarray(j)];
        const [lines, err] = await run(() => split(...args), pieces);
        assert.strictEqual(err, null);
        assert.deepStrictEqual(lines, whole, `${args} cut at ${i} ${j}`);
      }
    }
    const bytes = [...text].map((b) => Buffer.from([b]));
    assert.deepStrictEqual((await run(() => split(...args), bytes))[0], whole);
  }
});

test('long lines across many chunks, and maxLength counted in UTF-16 units', async () => {
  const long = 'x'.repeat(300000);
  const input = Buffer.from(`${long}\nshort\n${long}é`);
  const chunks = [];
  for (let at = 0; at < input.length; at += 65536) chunks.push(input.subarray(at, at + 65536));
  const [lines] = await run(() => split(), chunks);
  assert.deepStrictEqual(lines.map((l) => l.length), [300000, 5, 300001]);
  const [, err] = await run(() => split({ maxLength: 100000 }), chunks);
  assert.strictEqual(err, 'maximum buffer reached');
  const opts = { maxLength: 100000, skipOverflow: true };
  const [kept] = await run(() => split(opts), chunks);
  // Like split2, what was held when the last line overflowed comes out at the end.
  assert.strictEqual(kept[0], 'short');
  assert.strictEqual(kept.length, 2);
  assert.ok(/^x{100001,}$/.test(kept[1]));
  // The JS splitter (a RegExp) and split2 agree.
  const viaJs = await run(() => split(/(?:\r?\n)/, opts), chunks);
  assert.deepStrictEqual(viaJs[0], kept);
  if (split2) assert.deepStrictEqual((await run(() => split2(opts), chunks))[0], kept);
});

test('a forkpipe Transform with strings out, in pipelines', async () => {
  const s = split();
  assert.ok(s instanceof stream.Transform);
  assert.strictEqual(s.readableObjectMode, true);
  assert.strictEqual(s.writableObjectMode, false);
  const seen = [];
  await new Promise((resolve, reject) => stream.pipeline(
    stream.Readable.from([Buffer.from('one\ntw'), 'o\nthree']),
    split(Number.parseFloat.bind(null)),
    new stream.Writable({ objectMode: true, write(v, e, cb) { seen.push(v); cb(); } }),
    (err) => (err ? reject(err) : resolve())));
  assert.deepStrictEqual(seen, [NaN, NaN, NaN]);
  const [lines] = await run(() => split(Buffer.from([0, 0])), [Buffer.from('a\0\0b\0'), Buffer.from('\0c')]);
  assert.deepStrictEqual(lines, ['a', 'b', 'c'], 'a Buffer matcher is a byte sequence');
});
