'use strict';

// Native streams against Node's own, one part at a time, each in a process
// of its own so that memory figures do not mix:
//
//   node bench/native.js            # every part
//   node bench/native.js fs zlib    # some parts
//
// The parts are bench/native/<name>.js; each prints its own table.

const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const dir = path.join(__dirname, 'native');
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.js')).map((f) => f.slice(0, -3)).sort();
const wanted = process.argv.length > 2 ? process.argv.slice(2) : all;
let failed = false;
for (const part of wanted) {
  if (!all.includes(part)) {
    console.error(`no bench part ${part} (have: ${all.join(', ')})`);
    failed = true;
    continue;
  }
  console.log(`\n## ${part}\n`);
  const r = spawnSync(process.execPath, [path.join(dir, `${part}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
