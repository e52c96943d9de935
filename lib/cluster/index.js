'use strict';

// In a worker, forkpipe's cluster is Node's own worker-side cluster (the
// worker is a plain Node process); in the primary, it is forkpipe's.

const nodeCluster = require('node:cluster');

module.exports = nodeCluster.isWorker ? nodeCluster : require('./primary');
