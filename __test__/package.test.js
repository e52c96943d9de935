'use strict';

// The package as npm sees it: entry points resolve, and a packed tarball
// carries everything its install step needs to build the addon.

const test = require('node:test');
const assert = require('node:assert');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT } = require('./helpers');

const pkg = require('../package.json');

test('entry points resolve by package name', () => {
  assert.strictEqual(require.resolve('forkpipe'), path.join(ROOT, 'index.js'));
  assert.strictEqual(require.resolve('forkpipe/register'), path.join(ROOT, 'register.js'));
  assert.strictEqual(pkg.types, 'index.d.ts');
  assert.match(pkg.engines.node, />=\s*20/);
  assert.strictEqual(require('forkpipe').cluster, require('../lib/cluster'));
  assert.strictEqual(require('forkpipe').stream, require('../lib/stream'));
  assert.strictEqual(require('forkpipe/stream'), require('../lib/stream'));
  assert.strictEqual(require('forkpipe/stream/promises'), require('../lib/stream/promises'));
});

test('npm pack includes the sources the install step compiles', () => {
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT, encoding: 'utf8', timeout: 60000,
  });
  assert.strictEqual(r.status, 0, r.stderr);
  const files = new Set(JSON.parse(r.stdout)[0].files.map((f) => f.path));
  for (const need of ['Cargo.toml', 'Cargo.lock', 'build.rs', 'src/lib.rs', 'src/cluster/mod.rs',
    'scripts/build.js', 'index.js', 'index.d.ts', 'register.js', 'lib/native.js',
    'lib/cluster/primary.js', 'lib/cluster/esm.mjs', 'lib/register-hooks.mjs',
    'lib/stream/index.js', 'lib/stream/esm.mjs', 'lib/stream/promises.js', 'lib/stream/index.d.ts',
    'bin/forkpipe.js', 'lib/cli/options.js', 'lib/cli/supervisor.js']) {
    assert.ok(files.has(need), `${need} missing from the package`);
  }
  assert.ok(![...files].some((f) => f.startsWith('target/') || f === 'forkpipe.node'),
    'build output must not be packed');
});

test('native streams pass Node\'s instanceof checks whichever module loads first', () => {
  // Each in a fresh process, so nothing else has loaded forkpipe.stream.
  const checks = {
    fs: "forkpipe.fs.createReadStream(__filename) instanceof stream.Readable && " +
      "forkpipe.fs.createWriteStream('/dev/null') instanceof stream.Writable",
    zlib: 'forkpipe.zlib.createGzip() instanceof stream.Transform',
    split: 'forkpipe.split() instanceof stream.Duplex',
  };
  for (const [name, expr] of Object.entries(checks)) {
    const code = `const stream = require('stream'); const forkpipe = require(${JSON.stringify(ROOT)});
      process.stdout.write(String(${expr})); process.exit(0);`;
    const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 20000 });
    assert.strictEqual(r.stdout, 'true', `${name}: ${r.stdout} ${r.stderr}`);
  }
});
