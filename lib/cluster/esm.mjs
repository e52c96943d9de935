// node:cluster as an ES module, for `import cluster from 'node:cluster'`
// under forkpipe/register. The default export is live; named exports of
// values the API reassigns (settings, schedulingPolicy) are read once.

import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cluster = require('./index.js');

export default cluster;
export const {
  isPrimary, isMaster, isWorker, Worker, SCHED_NONE, SCHED_RR, workers, settings,
  schedulingPolicy,
} = cluster;
export const fork = (...args) => cluster.fork(...args);
export const setupPrimary = (...args) => cluster.setupPrimary(...args);
export const setupMaster = setupPrimary;
export const disconnect = (...args) => cluster.disconnect(...args);
