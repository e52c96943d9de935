// Loader hooks for Node versions without module.registerHooks: `import`s of
// node:stream and node:stream/promises resolve to forkpipe's stream, and in
// the primary `import`s of node:cluster to forkpipe's cluster.

const here = new URL('./', import.meta.url).href;
const targets = {
  cluster: new URL('./cluster/esm.mjs', import.meta.url).href,
  stream: new URL('./stream/esm.mjs', import.meta.url).href,
  streamPromises: new URL('./stream/promises.mjs', import.meta.url).href,
};
let isWorker = false;

export async function initialize(data) {
  isWorker = !!(data && data.isWorker);
}

function target(specifier) {
  if (specifier === 'node:stream' || specifier === 'stream') return targets.stream;
  if (specifier === 'node:stream/promises' || specifier === 'stream/promises') {
    return targets.streamPromises;
  }
  if (!isWorker && (specifier === 'node:cluster' || specifier === 'cluster')) return targets.cluster;
  return null;
}

export async function resolve(specifier, context, nextResolve) {
  const url = target(specifier);
  if (url && !(context.parentURL || '').startsWith(here)) {
    return { url, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
