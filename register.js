'use strict';

// `node -r forkpipe/register app.js`: an unmodified program gets forkpipe's
// stream from require('stream'), require('node:stream') and
// require('stream/promises') in every process, and forkpipe's cluster from
// require('cluster') / require('node:cluster') in the primary; the same
// for `import`. A worker keeps Node's own worker-side cluster.
// Requests made by forkpipe's own files still get Node's modules.

const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');

const libDir = path.join(__dirname, 'lib') + path.sep;
const libURL = pathToFileURL(libDir).href;

// What each served specifier resolves to, for `require` and for `import`;
// `primaryOnly` ones a worker leaves to Node.
const SERVED = [
  { names: ['stream', 'node:stream'], cjs: './lib/stream', esm: 'stream/esm.mjs' },
  { names: ['stream/promises', 'node:stream/promises'], cjs: './lib/stream/promises',
    esm: 'stream/promises.mjs' },
  { names: ['cluster', 'node:cluster'], cjs: './lib/cluster', esm: 'cluster/esm.mjs',
    primaryOnly: true },
];

function install() {
  const isWorker = require('node:cluster').isWorker;
  const cjs = new Map();
  const esm = new Map();
  for (const { names, cjs: file, esm: url, primaryOnly } of SERVED) {
    if (primaryOnly && isWorker) continue;
    for (const name of names) {
      cjs.set(name, file);
      esm.set(name, new URL(url, libURL).href);
    }
  }

  const load = Module._load;
  Module._load = function forkpipeLoad(request, parent, isMain) {
    const file = cjs.get(request);
    if (file !== undefined && !(parent && parent.filename && parent.filename.startsWith(libDir))) {
      return require(file);
    }
    return load.apply(this, arguments);
  };

  if (typeof Module.registerHooks === 'function') {
    // In-thread hooks (Node 22.15+): only `import` needs them, `require`
    // is served above.
    Module.registerHooks({
      resolve(specifier, context, nextResolve) {
        const url = esm.get(specifier);
        if (url && !context.conditions.includes('require') &&
            !(context.parentURL || '').startsWith(libURL)) {
          return { url, shortCircuit: true };
        }
        return nextResolve(specifier, context);
      },
    });
  } else if (typeof Module.register === 'function') {
    Module.register('./lib/register-hooks.mjs', pathToFileURL(__filename),
      { data: { served: Object.fromEntries(esm) } });
  }
}

install();
