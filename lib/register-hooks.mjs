// Loader hooks for Node versions without module.registerHooks: `import`s of
// node:cluster in the primary resolve to forkpipe's cluster.

const here = new URL('./', import.meta.url).href;
const esmCluster = new URL('./cluster/esm.mjs', import.meta.url).href;

export async function resolve(specifier, context, nextResolve) {
  if ((specifier === 'node:cluster' || specifier === 'cluster') &&
      !(context.parentURL || '').startsWith(here)) {
    return { url: esmCluster, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
