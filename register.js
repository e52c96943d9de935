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
const CLUSTER = new Set(['cluster', 'node:cluster']);
const STREAM = new Set(['stream', 'node:stream']);
const STREAM_PROMISES = new Set(['stream/promises', 'node:stream/promises']);

function install() {
  const isWorker = require('node:cluster').isWorker;

  const load = Module._load;
  Module._load = function forkpipeLoad(request, parent, isMain) {
    if (!(parent && parent.filename && parent.filename.startsWith(libDir))) {
      if (STREAM.has(request)) return require('./lib/stream');
      if (STREAM_PROMISES.has(request)) return require('./lib/stream/promises');
      if (!isWorker && CLUSTER.has(request)) return require('./lib/cluster');
    }
    return load.apply(this, arguments);
  };

  const esm = {
    cluster: pathToFileURL(path.join(libDir, 'cluster', 'esm.mjs')).href,
    stream: pathToFileURL(path.join(libDir, 'stream', 'esm.mjs')).href,
    streamPromises: pathToFileURL(path.join(libDir, 'stream', 'promises.mjs')).href,
  };
  const target = (s) => {
    if (STREAM.has(s)) return esm.stream;
    if (STREAM_PROMISES.has(s)) return esm.streamPromises;
    if (!isWorker && CLUSTER.has(s)) return esm.cluster;
    return null;
  };
  if (typeof Module.registerHooks === 'function') {
    // In-thread hooks (Node 22.15+): only `import` needs them, `require`
    // is served above.
    Module.registerHooks({
      resolve(specifier, context, nextResolve) {
        const url = target(specifier);
        if (url && !context.conditions.includes('require') &&
            !(context.parentURL || '').startsWith(libURL)) {
          return { url, shortCircuit: true };
        }
        return nextResolve(specifier, context);
      },
    });
  } else if (typeof Module.register === 'function') {
    Module.register('./lib/register-hooks.mjs', pathToFileURL(__filename), { data: { isWorker } });
  }
}

install();
