'use strict';

// `node -r forkpipe/register app.js`: an unmodified program gets forkpipe's
// cluster from require('cluster') / require('node:cluster') and from
// `import ... from 'node:cluster'`. In a worker nothing changes: a worker
// runs Node's own worker-side cluster.

const Module = require('module');
const path = require('path');
const { pathToFileURL } = require('url');

const libDir = path.join(__dirname, 'lib') + path.sep;
const CLUSTER = new Set(['cluster', 'node:cluster']);

function install() {
  if (require('node:cluster').isWorker) return;

  const load = Module._load;
  Module._load = function forkpipeLoad(request, parent, isMain) {
    // forkpipe's own files still need Node's module underneath.
    if (CLUSTER.has(request) && !(parent && parent.filename && parent.filename.startsWith(libDir))) {
      return require('./lib/cluster');
    }
    return load.apply(this, arguments);
  };

  const esmCluster = pathToFileURL(path.join(libDir, 'cluster', 'esm.mjs')).href;
  if (typeof Module.registerHooks === 'function') {
    // In-thread hooks (Node 22.15+): only `import` needs them, `require`
    // is served above.
    Module.registerHooks({
      resolve(specifier, context, nextResolve) {
        if (CLUSTER.has(specifier) && !context.conditions.includes('require') &&
            !(context.parentURL || '').startsWith(pathToFileURL(libDir).href)) {
          return { url: esmCluster, shortCircuit: true };
        }
        return nextResolve(specifier, context);
      },
    });
  } else if (typeof Module.register === 'function') {
    Module.register('./lib/register-hooks.mjs', pathToFileURL(__filename));
  }
}

install();
