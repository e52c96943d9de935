// Loader hooks for Node versions without module.registerHooks: register.js
// hands over which specifiers it serves (node:stream and
// node:stream/promises, and in the primary node:cluster) and the URL each
// resolves to.

const here = new URL('./', import.meta.url).href;
let served = new Map();

export async function initialize(data) {
  served = new Map(Object.entries(data.served));
}

export async function resolve(specifier, context, nextResolve) {
  const url = served.get(specifier);
  if (url && !(context.parentURL || '').startsWith(here)) {
    return { url, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
